"""The monthly report to the Ministry: a PDF in Vietnamese, its .xlsx/.csv annex, and their email.

    collect_report_data (collect.py)  the warehouse -> ReportData: the one module that reads what the
                                      report prints (returns, compliance marts, data quality)
    ReportData (data.py)              everything the seven sections print, typed
                                      (tests/fixtures/report_data.py has a sample month for tests and layout work)
    render_report (render.py)         ReportData -> PDF + annex in a folder; deterministic (same data, same bytes);
                                      the PDF is the draft the signing step signs (RenderedReport.signature_box)
    report_summary (render.py)        the figures the mail repeats, and "headline": the summary of page 1
    deliver_report (ispeed.delivery)  the PDF and the annex by email, exactly once per month

Issuer, recipient, signatory and email addresses are configuration (include/config/report.yaml);
the email's subject and bodies are templates (include/templates/report/). docs/report.md has it all.
"""

from ispeed.report.collect import collect_data_quality, collect_report_data
from ispeed.report.data import (
    AgencyReturn,
    DataQuality,
    DatasetQuality,
    DistrictResult,
    Method,
    OperatorCompliance,
    OperatorInvestment,
    QuarantineCount,
    RejectedFile,
    Remedy,
    ReportData,
    TrendPoint,
)
from ispeed.report.render import RenderedReport, render_report, report_folder

__all__ = [
    "AgencyReturn",
    "DataQuality",
    "DatasetQuality",
    "DistrictResult",
    "Method",
    "OperatorCompliance",
    "OperatorInvestment",
    "QuarantineCount",
    "RejectedFile",
    "Remedy",
    "RenderedReport",
    "ReportData",
    "TrendPoint",
    "collect_data_quality",
    "collect_report_data",
    "render_report",
    "report_folder",
]
