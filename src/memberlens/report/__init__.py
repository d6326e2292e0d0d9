"""The monthly report: one self-contained HTML file (charts embedded) and an Excel workbook;
printed to PDF and a KPI image by headless Chromium."""

from memberlens.lazy import exports

__all__ = [
    "ReportData",
    "collect",
    "render_html",
    "write_pdf",
    "write_png",
    "write_report",
    "write_workbook",
]

__getattr__, __dir__ = exports(
    __name__,
    {
        "write_report": "memberlens.report.build",
        "write_workbook": "memberlens.report.excel",
        "collect": "memberlens.report.data",
        "ReportData": "memberlens.report.data",
        "render_html": "memberlens.report.html",
        "write_pdf": "memberlens.report.pdf",
        "write_png": "memberlens.report.pdf",
    },
)
