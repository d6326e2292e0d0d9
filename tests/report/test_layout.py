"""The report's layout in headless Chromium (Debian's, driven by Playwright), in both
languages at desktop and phone width: facts of the page, not the size of a screenshot."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

import memberlens as ml
from memberlens.labels import HOLIDAYS
from memberlens.report.build import write_report

pytestmark = [pytest.mark.browser, pytest.mark.slow]

WIDTHS = (1366, 375)


@pytest.fixture(scope="module")
def reports(demo_ws: ml.Workspace, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The December report (with the CLV check) of the demo workspace in zh and in en."""
    folder = tmp_path_factory.mktemp("layout")
    english = folder / "ws-en"
    shutil.copytree(demo_ws.root, english)
    config = english / "memberlens.toml"
    text = config.read_text(encoding="utf-8")
    assert 'language = "zh"' in text
    config.write_text(text.replace('language = "zh"', 'language = "en"', 1), encoding="utf-8")
    return {
        "zh": write_report(demo_ws, "2025-12", folder / "zh", models=True)[0],
        "en": write_report(ml.open(english), "2025-12", folder / "en", models=True)[0],
    }


def overlap(a: dict[str, float], b: dict[str, float]) -> bool:
    return (
        a["left"] < b["right"] - 0.5
        and b["left"] < a["right"] - 0.5
        and a["top"] < b["bottom"] - 0.5
        and b["top"] < a["bottom"] - 0.5
    )


RECT = "e => { const r = e.getBoundingClientRect(); " + (
    "return {left: r.left, right: r.right, top: r.top, bottom: r.bottom}; }"
)

#: Words of table cells and headers that the browser broke over two lines.
BROKEN_WORDS = """() => {
  const broken = [];
  for (const cell of document.querySelectorAll('table th, table td:first-child')) {
    for (const node of cell.childNodes) {
      if (node.nodeType !== Node.TEXT_NODE) continue;
      const text = node.textContent;
      let at = 0;
      for (const word of text.split(' ')) {
        if (word.trim()) {
          const range = document.createRange();
          range.setStart(node, at);
          range.setEnd(node, at + word.length);
          const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
          if (tops.size > 1) broken.push(word);
        }
        at += word.length + 1;
      }
    }
  }
  return broken;
}"""


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("language", ["zh", "en"])
def test_the_charts_and_tables_read_cleanly(
    browser: Any, reports: dict[str, Path], language: str, width: int, tmp_path: Path
) -> None:
    page = browser.new_page(viewport={"width": width, "height": 900})
    try:
        page.goto(reports[language].as_uri())
        page.wait_for_function("document.querySelectorAll('.main-svg').length >= 12")
        page.screenshot(path=str(tmp_path / f"report-{language}-{width}.png"), full_page=True)
        # nothing wider than the screen: the page never scrolls sideways
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        charts = page.locator(".js-plotly-plot")
        daily, monthly = charts.nth(0), charts.nth(1)
        # axes carry units: orders on the daily chart; the repurchase rate reads 42.9%
        title = daily.locator(".g-ytitle").text_content() or ""
        assert ("订单数（笔）" if language == "zh" else "Orders") in title
        ticks = monthly.locator(".y2tick text").all_text_contents()
        assert ticks and all(t.endswith("%") for t in ticks), ticks
        assert "(%)" in (monthly.locator(".g-y2title").text_content() or "")
        # holiday labels in the workspace language, apart from each other and from the lines
        labels = daily.locator(".annotation")
        names = labels.all_text_contents()
        assert HOLIDAYS["double11"](language) in names  # the calendar's one name
        boxes = [labels.nth(i).evaluate(RECT) for i in range(labels.count())]
        lines = daily.locator(".shapelayer path")
        xs = [lines.nth(i).evaluate(RECT)["left"] for i in range(lines.count())]
        assert len(boxes) == len(xs) >= 4
        for i, box in enumerate(boxes):
            assert not any(overlap(box, other) for other in boxes[i + 1 :]), names[i]
            assert not any(box["left"] + 0.5 < x < box["right"] - 0.5 for x in xs), names[i]
        # no legend meets its chart's x-axis title (the CLV check's charts among them)
        crossed = 0
        for i in range(charts.count()):
            chart = charts.nth(i)
            if chart.locator(".legend").count() and chart.locator(".g-xtitle text").count():
                crossed += 1
                legend = chart.locator(".legend").evaluate(RECT)
                title = chart.locator(".g-xtitle text").evaluate(RECT)
                assert not overlap(legend, title), i
        assert crossed >= 4
        # names and headers break between words only (普通会员, never 普通会/员)
        assert page.evaluate(BROKEN_WORDS) == []
    finally:
        page.close()
