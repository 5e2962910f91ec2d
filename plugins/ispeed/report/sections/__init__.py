"""The sections of the report, one module each, in print order (document.py puts them together):

    head.document_head    issuing body, national name, number and date, title, recipient, basis
    summary               TÓM TẮT KẾT QUẢ: the answer, on page 1 (report/headline.py)
    agencies              I    the agencies' use of i-Speed
    investment            II   the operators' investment, and (remedies.py) the units below the
                               threshold with their remedies
    compliance            III  the verdict per operator
    districts             IV   per district (quận, huyện) or commune (xã, phường, đặc khu)
    trend                 V    the last months
    quality               VI   the data quality of the month's loads
    method                VII  the method
    assessment            VIII the assessment and proposals (include/templates/report/assessment.yaml)
    head.closing          the closing line, "Nơi nhận:" and the signature block with its blank space
    appendix              Phụ lục: the long tables (114 units, 130+ senders, 200 remedies) and, in a
                               month of many units, the reference material (report/layout.py)

Each is a function of a Builder (builder.py: the data, configuration, styles, the numbering of
tables and figures, where a list is) that returns its flowables.
"""
