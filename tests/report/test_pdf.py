"""`report --pdf --png`: the HTML report printed by headless Chromium, read back page by page
(pypdfium2 renders the pages and reads the text layer)."""

from __future__ import annotations

import html as entities
import os
import re
import shutil
from pathlib import Path

import pytest

import memberlens as ml
from cli.running import invoke
from memberlens.formatting import number
from memberlens.metrics.catalog import HEADLINE
from memberlens.report.pdf import PNG_SCALE, PNG_WIDTH

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def printed(demo_ws: ml.Workspace, tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("chromium") is None:
        if os.environ.get("CI"):
            pytest.fail("CI must install Debian's chromium for the browser tests")
        pytest.skip("chromium is not installed")
    folder = tmp_path_factory.mktemp("printed")
    result = invoke(
        "-w", str(demo_ws.root), "report", "--period", "2025-12", "--output", str(folder),
        "--pdf", "--png",
    )  # fmt: skip
    assert result.exit_code == 0
    assert f"PDF: {folder / 'report-2025-12.pdf'}" in result.stdout.replace("\n", "")
    return folder


def _pages(path: Path) -> list[tuple[str, object]]:
    """(text, PIL image) of every page."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(path)
    try:
        return [
            (page.get_textpage().get_text_range(), page.render(scale=1).to_pil().convert("RGB"))
            for page in document
        ]
    finally:
        document.close()


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_the_pdf_has_the_html_sections_and_the_kpi_values(
    demo_ws: ml.Workspace, printed: Path
) -> None:
    from PIL import ImageStat

    html = (printed / "report-2025-12.html").read_text(encoding="utf-8")
    pages = _pages(printed / "report-2025-12.pdf")
    # header, KPIs, trends, goals, splits, tier and RFM tables, cohorts, experiments, alerts
    assert 4 <= len(pages) <= 14
    for _, image in pages:
        assert image.size == pytest.approx((596, 843), abs=1)  # A4 (210 × 297 mm) at 72 dpi
        assert max(ImageStat.Stat(image).stddev) > 10  # drawn, not a blank page
    text = _flat(" ".join(t for t, _ in pages))
    # every section title of the HTML report is in the PDF's text layer, in Chinese
    titles = [entities.unescape(t) for t in re.findall(r"<h2>([^<]+)</h2>", html)]
    assert {"核心指标", "趋势", "分渠道", "异常提醒"} <= {t.strip() for t in titles}
    for title in titles:
        assert _flat(title) in text, title
    # the first page holds the KPI cards with the API's values
    first = _flat(pages[0][0])
    assert "会员运营月报·2025-12" in first
    summary = demo_ws.summary(list(HEADLINE), "2025-12")
    shown = [
        (row["name"], number(row["value"], row["unit"]))
        for row in summary.iter_rows(named=True)
        if row["value"] is not None
    ]
    assert len(shown) >= 15
    for name, value in shown:
        assert _flat(f"{name}{value}") in first, name
    # the charts are drawn (Plotly's SVG text is in the PDF): the daily chart's holiday marks
    # from the retail calendar, the monthly chart's legend
    assert "国庆节" in text and "双11" in text and "月度走势" in text
    header = pages[0][1].getpixel((60, 50))
    assert header == pytest.approx((11, 37, 69), abs=12)  # the navy header printed


def test_the_png_is_the_kpi_overview(printed: Path) -> None:
    from PIL import Image, ImageStat

    with Image.open(printed / "report-2025-12-kpis.png") as image:
        rgb = image.convert("RGB")
    width, height = rgb.size
    assert width == PNG_WIDTH * PNG_SCALE == 1920
    # the header and five rows of four cards: taller than one row, shorter than the report
    assert 900 < height < 2400
    assert max(ImageStat.Stat(rgb).stddev) > 20  # not blank
    assert rgb.getpixel((20, 20)) == pytest.approx((11, 37, 69), abs=12)  # the header
    assert rgb.getpixel((width // 2, height - 4)) == pytest.approx((255, 255, 255), abs=3)
    colours = rgb.resize((width // 4, height // 4)).getcolors(maxcolors=1_000_000) or []
    assert len(colours) > 200  # text and coloured changes, not a flat image
