"""The sections of the report, one module each, in print order (document.py puts them together):

    head.document_head    issuing body, national name, number and date, title, recipient, basis
    agencies              I    the agencies' use of i-Speed
    investment            II   the operators' investment and remedies
    compliance            III  the verdict per operator
    districts             IV   per district (quận, huyện) or commune (xã, phường, đặc khu)
    trend                 V    the last months
    quality               VI   the data quality of the month's loads
    method                VII  the method
    head.closing          "Nơi nhận:" and the signature block
    appendix              Phụ lục: the long tables (114 units, 130+ senders), when there are

Each is a function of a Builder (builder.py: the data, configuration, styles, the numbering of
tables and figures) that returns its flowables.
"""
