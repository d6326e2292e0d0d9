"""The monthly report: self-contained HTML with the same numbers as the API, Excel, a browser."""

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import openpyxl
import polars as pl
import pytest

import memberlens as ml
from memberlens.formatting import number
from memberlens.metrics.catalog import CATALOG, HEADLINE
from memberlens.report.build import write_report
from memberlens.report.data import MEMBER_SPLIT
from memberlens.segments.rfm import Scheme, segment_names


@pytest.fixture(scope="module")
def report(demo_ws: ml.Workspace, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return write_report(demo_ws, "2025-12", tmp_path_factory.mktemp("report"), models=True)


def test_the_html_is_self_contained(report: tuple[Path, Path]) -> None:
    html = report[0].read_text(encoding="utf-8")
    assert report[0].name == "report-2025-12.html"
    assert not re.search(r"""<(script|link|img)[^>]+(src|href)=["']https?:""", html)
    assert "Plotly.newPlot" in html and "plotly.js" in html  # the library is inlined
    assert "会员运营月报 · 2025-12" in html
    # the report offers no CSV download (the workbook is its file for spreadsheets): no link
    # or download outside the inlined library
    page = re.sub(r"<script[^>]*>.*?</script>", "", html, flags=re.DOTALL)
    assert "Plotly.newPlot" not in page and "<table>" in page
    assert not re.search(r"""download|data:text/csv|href=["'][^"']*\.csv""", page)


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


def _sheet_rows(book: Any, name: str) -> dict[str, dict[str, Any]]:
    """A sheet as {first cell: {header: cell}} (openpyxl cells, for values and formats)."""
    sheet = book[name]
    rows = list(sheet.iter_rows())
    headers = [c.value for c in rows[0]]
    return {row[0].value: dict(zip(headers, row, strict=True)) for row in rows[1:]}


def test_the_workbook_opens_localised_with_formats_pivots_and_filters(
    demo_ws: ml.Workspace, report: tuple[Path, Path]
) -> None:
    book = openpyxl.load_workbook(report[1])
    assert book.sheetnames[:8] == [
        "核心指标",
        "月度指标",
        "积分月度",
        "分渠道",
        "分会员等级",
        "RFM 分群",
        "注册月份留存",
        "每日",
    ]
    assert {"积分使用者对比", "异常提醒", "实验结果", "CLV 按复购次数"} <= set(book.sheetnames)
    kpis = book["核心指标"]
    assert [c.value for c in kpis[1]] == [
        "指标",
        "数值",
        "环比",
        "同比",
        "目标下限",
        "目标上限",
        "状态",
    ]
    for sheet in book.worksheets:  # the header row and the first column stay in view
        assert sheet.freeze_panes == "B2", sheet.title
        assert sheet.auto_filter.ref is not None and sheet.auto_filter.ref.startswith("A1:")
    assert kpis.auto_filter.ref == f"A1:G{kpis.max_row}"
    # the KPI values are the API's, each in its unit's format
    summary = demo_ws.summary(list(HEADLINE), "2025-12")
    shown = _sheet_rows(book, "核心指标")
    for row in summary.iter_rows(named=True):
        cell = shown[row["name"]]["数值"]
        if row["value"] is None:
            assert cell.value is None
            continue
        assert cell.value == pytest.approx(row["value"]), row["metric"]
        assert cell.number_format == {"ratio": "0.0%", "money": '"¥"#,##0.00'}.get(
            row["unit"], cell.number_format
        )
    # a ratio's 环比 is in percentage points, a count's in percent
    rate = summary.row(by_predicate=pl.col("metric") == "repurchase_rate", named=True)
    cell = shown["复购率"]["环比"]
    assert cell.value == pytest.approx(100 * rate["change_vs_previous"])
    assert '" pp"' in cell.number_format
    assert shown["订单数"]["环比"].number_format.startswith("+0.0%")
    # metrics × months: the cell of 复购率 in 2025-12 is the metric computed directly
    monthly = _sheet_rows(book, "月度指标")
    direct = demo_ws.metrics(["repurchase_rate", "revenue"], "2025-12")
    value = dict(direct.select("metric", "value").rows())
    assert monthly["复购率"]["2025-12"].value == pytest.approx(value["repurchase_rate"])
    assert monthly["复购率"]["2025-12"].number_format == "0.0%"
    assert monthly["会员消费额"]["2025-12"].value == pytest.approx(value["revenue"])
    assert monthly["会员消费额"]["2025-12"].number_format == '"¥"#,##0.00'
    # columns fit their contents (a Chinese character counts twice)
    assert book["每日"].column_dimensions["A"].width >= 10


def test_tier_and_segment_tables_show_the_splits(
    demo_ws: ml.Workspace, report: tuple[Path, Path]
) -> None:
    book = openpyxl.load_workbook(report[1])
    html = report[0].read_text(encoding="utf-8")
    names = {level.id: level.name for level in demo_ws.config.tiers.levels}
    segments = segment_names(Scheme.threshold, "zh") | {"(unknown)": "未评分"}
    for sheet, by, shown_as in (
        ("分会员等级", "tier", names),
        ("RFM 分群", "rfm_segment", segments),
    ):
        rows = _sheet_rows(book, sheet)
        expected = demo_ws.metrics(["members_total", "revenue"], "2025-12", by=by)
        for metric, group, value in expected.select("metric", by, "value").rows():
            header = CATALOG[metric].name("zh")
            assert rows[shown_as[group]][header].value == pytest.approx(value), (metric, group)
        # groups × measures, in the report's order of measures
        assert [c.value for c in book[sheet][1]][1:] == [
            CATALOG[m].name("zh") for m in MEMBER_SPLIT
        ]
    # rows in ladder order under the configured names; segments under their Chinese names
    ladder = [level.name for level in demo_ws.config.tiers.levels]
    present = [name for name in ladder if f"<td>{name}</td>" in html]
    assert present and [html.index(f"<td>{n}</td>") for n in present] == sorted(
        html.index(f"<td>{n}</td>") for n in present
    )
    assert "<td>重要价值客户</td>" in html
    assert "<td>未评分</td>" in html and "(unknown)" not in html


def test_the_clv_check_shows_the_model_against_the_holdout(
    demo_ws: ml.Workspace, report: tuple[Path, Path]
) -> None:
    # fitted to 2025-06-30 (six months before the period's end), checked on the six after
    expected = demo_ws.clv("2025-06-30", holdout_end="2025-12-31").validation
    assert expected is not None
    shown = pl.read_excel(report[1], sheet_name="CLV 按复购次数")
    assert shown["拟合期复购次数"].cast(pl.String).to_list() == (
        expected.by_frequency["bucket"].to_list()
    )
    assert shown["实际"].to_list() == pytest.approx(expected.by_frequency["actual"].to_list())
    html = report[0].read_text(encoding="utf-8")
    assert "CLV 模型验证（留出期）" in html and "拟合至 2025-06-30" in html
    assert f"<td>总量误差</td><td>{100 * expected.total_error:+.1f}%</td>" in html


@pytest.mark.browser
def test_it_renders_in_a_real_browser(
    demo_ws: ml.Workspace, report: tuple[Path, Path], tmp_path: Path
) -> None:
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
    # every chart drew its SVG: daily orders, monthly, points flow, the cohort heatmap and
    # the CLV check's two charts
    assert dom.count('class="main-svg"') >= 6
    # the page the browser built holds the API's KPI values, card by card
    cards = dict(
        re.findall(r'<div class="name">([^<]+)</div>\s*<div class="value">([^<]+)</div>', dom)
    )
    summary = demo_ws.summary(list(HEADLINE), "2025-12")
    expected = {
        row["name"]: number(row["value"], row["unit"])
        for row in summary.iter_rows(named=True)
        if row["value"] is not None
    }
    assert len(expected) >= 15 and {name: cards.get(name) for name in expected} == expected
    shot = tmp_path / "report.png"
    subprocess.run(
        [chromium, *flags, "--window-size=1300,3200", f"--screenshot={shot}", report[0].as_uri()],
        capture_output=True,
        timeout=120,
        check=True,
    )
    assert shot.stat().st_size > 100_000  # a page with charts, not a blank one


def test_each_experiment_has_a_section_with_the_api_verdicts(
    demo_ws: ml.Workspace, report: tuple[Path, Path]
) -> None:
    from memberlens.experiments.analyze import analyze, experiment_ids
    from memberlens.experiments.readout import guard, verdict

    html = report[0].read_text(encoding="utf-8")
    with demo_ws.session() as session:
        ids = experiment_ids(session)
        readouts = [analyze(session, e).to_dict() for e in ids]
    assert ids
    for readout in readouts:
        assert f'id="experiment-{readout["experiment_id"]}"' in html
        assert guard(readout, "zh") in html
        for row in readout["results"]:
            assert verdict(row, 0.95, "zh") in html
    section = html[html.index('id="experiment-') :]
    section = section[: section.index("</section>")]
    assert "实验组" in section and "转化率" in section  # named in the workspace language
    assert ">treatment<" not in section and ">conversion<" not in section
    sheet = pl.read_excel(report[1], sheet_name="实验结果")
    assert set(sheet["实验"]) == set(ids)
    assert "treatment" not in set(sheet[sheet.columns[2]]) and "转化率" in set(
        sheet[sheet.columns[1]]
    )
    assert sheet.height == sum(len(r["results"]) for r in readouts)


def test_the_report_shows_no_phone(demo_ws: ml.Workspace, report: tuple[Path, Path]) -> None:
    import zipfile

    phones = demo_ws.table("members")["phone"].drop_nulls()
    digits = {re.sub(r"\D", "", p)[-11:] for p in phones.to_list()}
    assert len(digits) > 100  # the demo members have phones to leak
    html = report[0].read_text(encoding="utf-8")
    with zipfile.ZipFile(report[1]) as book:
        xml = "\n".join(book.read(n).decode("utf-8") for n in book.namelist() if n.endswith(".xml"))
    for text in (html, xml):
        found = set(re.findall(r"(?<!\d)1[3-9]\d{9}(?!\d)", text))
        assert not found & digits
