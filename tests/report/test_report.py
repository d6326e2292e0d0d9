"""The monthly report: self-contained HTML with the same numbers as the API, Excel, a browser."""

import os
import re
import shutil
import subprocess
from pathlib import Path

import polars as pl
import pytest

import memberlens as ml
from memberlens.formatting import number
from memberlens.metrics.catalog import HEADLINE
from memberlens.report.build import write_report


@pytest.fixture(scope="module")
def report(demo_ws: ml.Workspace, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return write_report(demo_ws, "2025-12", tmp_path_factory.mktemp("report"))


def test_the_html_is_self_contained(report: tuple[Path, Path]) -> None:
    html = report[0].read_text(encoding="utf-8")
    assert report[0].name == "report-2025-12.html"
    assert not re.search(r"""<(script|link|img)[^>]+(src|href)=["']https?:""", html)
    assert "Plotly.newPlot" in html and "plotly.js" in html  # the library is inlined
    assert "会员运营月报 · 2025-12" in html


def test_the_kpi_cards_show_the_api_values(
    demo_ws: ml.Workspace, report: tuple[Path, Path]
) -> None:
    html = report[0].read_text(encoding="utf-8")
    summary = demo_ws.summary(list(HEADLINE), "2025-12")
    for row in summary.iter_rows(named=True):
        if row["value"] is None:
            continue
        value = number(row["value"], row["unit"])
        shown = f'<div class="name">{row["name"]}</div>\n      <div class="value">{value}</div>'
        assert shown in html, row["metric"]


def test_the_workbook_has_the_same_tables(demo_ws: ml.Workspace, report: tuple[Path, Path]) -> None:
    sheets = pl.read_excel(report[1], sheet_id=0)
    assert {"KPIs", "Monthly", "Points", "Channels", "Cohorts", "Alerts", "Points users"} <= set(
        sheets
    )
    kpis = sheets["KPIs"]
    summary = demo_ws.summary(list(HEADLINE), "2025-12")
    assert kpis["metric"].to_list() == summary["metric"].to_list()
    assert kpis["value"].to_list() == pytest.approx(summary["value"].to_list(), nan_ok=True)


@pytest.mark.browser
def test_it_renders_in_a_real_browser(report: tuple[Path, Path], tmp_path: Path) -> None:
    chromium = shutil.which("chromium")
    if chromium is None:
        if os.environ.get("CI"):
            pytest.fail("CI must install Debian's chromium for the browser tests")
        pytest.skip("chromium is not installed")
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}",
        "--virtual-time-budget=8000",
    ]
    dom = subprocess.run(
        [chromium, *flags, "--dump-dom", report[0].as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout
    # every chart drew its SVG: daily orders, monthly, points flow and the cohort heatmap
    assert dom.count('class="main-svg"') >= 4
    shot = tmp_path / "report.png"
    subprocess.run(
        [chromium, *flags, "--window-size=1300,3200", f"--screenshot={shot}", report[0].as_uri()],
        capture_output=True,
        timeout=120,
        check=True,
    )
    assert shot.stat().st_size > 100_000  # a page with charts, not a blank one
