"""The monthly report: one self-contained HTML file (charts embedded) and an Excel workbook."""
