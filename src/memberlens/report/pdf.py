"""The report as PDF and the KPI overview as one PNG, printed by headless Chromium.

The HTML report (``build.write_report``) is self-contained: plotly.js is inlined, so a
browser opened on the file draws every chart with no network. Chromium (Debian's package,
driven by Playwright) loads it, waits until each chart has drawn its SVG, and prints it:

* ``write_pdf`` — A4 pages with the HTML's sections in order, charts as vectors, the text
  layer searchable (the CJK font is WenQuanYi Micro Hei from ``fonts-wqy-microhei``);
* ``write_png`` — the header and the KPI cards at twice the CSS pixels, for pasting into a
  WeChat or DingTalk group.

Why Chromium and not WeasyPrint: WeasyPrint runs no JavaScript, so the Plotly charts would
have to be drawn by a browser anyway; printing the page with that browser gives the same
sections with the same charts from one renderer (docs/report.md).
"""

from __future__ import annotations

import math
import os
import shutil
from pathlib import Path
from typing import Any

from memberlens.errors import BrowserError

__all__ = ["A4_LAYOUT_WIDTH", "PNG_SCALE", "PNG_WIDTH", "chromium", "write_pdf", "write_png"]

#: Where the browser is looked for when ``MEMBERLENS_CHROMIUM`` does not name one.
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

#: A4 with 10 mm side margins leaves 190 mm = 718 CSS px; printed at PDF_SCALE the page lays
#: out at this width, and the charts are drawn at it before printing (no resize on print).
PDF_SCALE = 0.8
A4_LAYOUT_WIDTH = round(190 / 25.4 * 96 / PDF_SCALE)
#: How long the page may take to load and draw (plotly.js is a few MB of inlined script).
TIMEOUT_MS = 180_000
#: The KPI image: CSS width and device pixels per CSS pixel (crisp on phones).
PNG_WIDTH, PNG_SCALE = 960, 2

_PRINT_CSS = """
@page { size: A4; margin: 12mm 10mm; }
body { background: #fff; }
header { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
main { padding: 0 0 12px; }
section { break-inside: avoid-page; }
h2, h3 { break-after: avoid-page; }
tr, .card, .alert, .plotly-graph-div { break-inside: avoid-page; }
"""

_OVERVIEW_CSS = f"""
body {{ width: {PNG_WIDTH}px; background: #fff; }}
main {{ padding: 0 24px 16px; }}
main > section:not(#kpis) {{ display: none; }}
"""

# every chart has drawn its SVG (plotly.js inlined: no network)
_CHARTS_DRAWN = """() => [...document.querySelectorAll('.plotly-graph-div')]
    .every(d => d.querySelector('.main-svg'))"""


def chromium() -> str:
    """The Chromium executable: ``MEMBERLENS_CHROMIUM``, else the first browser on PATH."""
    named = os.environ.get("MEMBERLENS_CHROMIUM")
    if named:
        if not Path(named).exists():
            raise BrowserError(f"MEMBERLENS_CHROMIUM={named} does not exist; name a Chromium.")
        return named
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    raise BrowserError(
        "The PDF and PNG report are printed by Chromium, which is not installed: "
        "install it (Debian: apt-get install chromium fonts-wqy-microhei) or set "
        "MEMBERLENS_CHROMIUM to its path."
    )


def _open(browser: Any, html: Path, width: int, scale: float = 1) -> Any:
    page = browser.new_page(viewport={"width": width, "height": 1200}, device_scale_factor=scale)
    page.goto(html.resolve().as_uri(), wait_until="load", timeout=TIMEOUT_MS)
    page.wait_for_function(_CHARTS_DRAWN, timeout=TIMEOUT_MS)
    return page


def _print(html: Path, job: Any) -> None:
    """Run ``job(browser)`` in a headless Chromium."""
    if not html.is_file():
        raise BrowserError(f"{html} is not a file; write the HTML report first.")
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    executable = chromium()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=executable, args=ARGS)
            try:
                job(browser)
            finally:
                browser.close()
    except PlaywrightError as error:
        reason = (str(error).strip().splitlines() or [type(error).__name__])[0]
        raise BrowserError(
            f"Chromium ({executable}) could not print {html.name}: {reason}"
        ) from None


def write_pdf(html: Path, path: Path) -> Path:
    """Print the HTML report ``html`` to ``path`` as A4 pages (the same sections, charts
    included); returns ``path``."""

    def job(browser: Any) -> None:
        page = _open(browser, html, A4_LAYOUT_WIDTH)
        page.add_style_tag(content=_PRINT_CSS)
        page.pdf(
            path=str(path),
            format="A4",
            scale=PDF_SCALE,
            print_background=True,
            margin={"top": "12mm", "bottom": "12mm", "left": "10mm", "right": "10mm"},
        )

    _print(html, job)
    return path


def write_png(html: Path, path: Path) -> Path:
    """The report's header and KPI cards as one PNG, ``PNG_WIDTH`` × ``PNG_SCALE`` pixels
    wide; returns ``path``."""

    def job(browser: Any) -> None:
        page = _open(browser, html, PNG_WIDTH, PNG_SCALE)
        page.add_style_tag(content=_OVERVIEW_CSS)
        bottom = page.evaluate("document.querySelector('#kpis').getBoundingClientRect().bottom")
        height = math.ceil(bottom) + 16  # the cards' section and a margin under it
        clip = {"x": 0, "y": 0, "width": PNG_WIDTH, "height": height}
        page.screenshot(path=str(path), full_page=True, clip=clip)

    _print(html, job)
    return path
