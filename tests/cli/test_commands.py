"""The command line: errors are one line with the valid choices, output formats, the demo."""

import json
import shutil
from pathlib import Path

import pytest

import memberlens as ml
from cli.running import invoke, run


def test_help_lists_the_commands() -> None:
    done = run("--help")
    assert done.returncode == 0
    for command in ("init", "ingest", "quarantine", "metrics", "generate", "demo"):
        assert command in done.stdout


def test_unknown_table_is_one_line_with_the_choices(tmp_path: Path) -> None:
    ml.init(tmp_path / "ws")
    data = tmp_path / "o.csv"
    data.write_text("a\n1\n", encoding="utf-8")
    done = run("-w", str(tmp_path / "ws"), "ingest", "ordres", str(data))
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1
    assert (
        "Unknown table 'ordres'. Did you mean 'orders'? Valid tables: campaign_touches" in lines[0]
    )


def test_wrong_file_type_is_one_line_with_the_choices(tmp_path: Path) -> None:
    ml.init(tmp_path / "ws")
    data = tmp_path / "orders.json"
    data.write_text("{}", encoding="utf-8")
    done = run("-w", str(tmp_path / "ws"), "ingest", "orders", str(data))
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1
    assert "Unsupported file type '.json'" in done.stderr and ".csv, .tsv" in done.stderr


def test_ingest_reports_counts_and_exits_nonzero_when_nothing_loads(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    assert run("init", str(ws)).returncode == 0
    good = tmp_path / "m.csv"
    good.write_text(
        "member_id,registered_at,notes\nM1,2024-01-01,x\nM2,never,y\n", encoding="utf-8"
    )
    done = run("-w", str(ws), "ingest", "members", str(good))
    assert done.returncode == 0, done.stderr
    assert "read 2 rows, loaded 1" in done.stdout and "quarantined 1" in done.stdout
    assert "ignored columns (no canonical match): notes" in done.stdout
    bad = tmp_path / "bad.csv"
    bad.write_text("member_id,registered_at\nM3,never\n", encoding="utf-8")
    done = run("-w", str(ws), "ingest", "members", str(bad))
    assert done.returncode == 1
    assert "Nothing was loaded: every row was quarantined" in done.stdout
    listing = run("-w", str(ws), "quarantine", "--format", "json")
    rows = json.loads(listing.stdout)["rows"]
    assert {(r["row"], r["reason"], r["value"]) for r in rows} == {
        (3, "bad_timestamp", "never"),
        (2, "bad_timestamp", "never"),
    }
    export = tmp_path / "q.xlsx"
    assert run("-w", str(ws), "quarantine", "--export", str(export)).returncode == 0
    import polars as pl

    assert pl.read_excel(export)["reason"].to_list() == ["bad_timestamp", "bad_timestamp"]


def test_metrics_list_prints_the_catalog_as_json() -> None:
    done = run("metrics", "list", "--format", "json")
    assert done.returncode == 0
    ids = [row["id"] for row in json.loads(done.stdout)["rows"]]
    assert "repurchase_rate" in ids and len(ids) == len(set(ids))


def test_unknown_metric_suggests_the_right_one(tmp_path: Path) -> None:
    ml.init(tmp_path / "ws")
    done = run("-w", str(tmp_path / "ws"), "metrics", "repurchse_rate", "--period", "2025-03")
    assert done.returncode == 2
    assert "Did you mean 'repurchase_rate'?" in done.stderr


@pytest.mark.slow
def test_demo_builds_a_workspace_and_prints_the_latest_month(tmp_path: Path) -> None:
    done = run("demo", str(tmp_path / "demo"), "--members", "400", "--language", "en")
    assert done.returncode == 0, done.stderr
    assert "Member KPIs · 2025-12" in done.stdout
    assert "(0 quarantined)." in done.stdout
    assert (tmp_path / "demo" / "reports" / "report-2025-12.html").exists()
    assert "Report:" in done.stdout
    ws = ml.open(tmp_path / "demo")
    assert ws.counts()["members"] == 400
    again = run("demo", str(tmp_path / "demo"))
    assert again.returncode == 2 and "already exists and is not empty" in again.stderr


def test_goals_as_json(small_program_ws: ml.Workspace, tmp_path: Path) -> None:
    """Targets set by hand give statuses known in advance: a repurchase rate of 99 % is out of
    reach (off target); an NPS of at least −100 is always met (on target)."""
    root = tmp_path / "ws"
    shutil.copytree(small_program_ws.root, root)
    config = root / "memberlens.toml"
    text = config.read_text(encoding="utf-8")
    text = text.replace(
        '[targets.repurchase_rate]\nhistory = "same_period"',
        "[targets.repurchase_rate]\nvalue = 0.99",
    )
    text = text.replace("[targets.nps]\nvalue = 20", "[targets.nps]\nvalue = -100")
    config.write_text(text, encoding="utf-8")
    done = invoke(
        "-w", str(root), "goals", "raise_repurchase", "--period", "2025-11", "--format", "json"
    )
    assert done.exit_code == 0
    rows = json.loads(done.stdout)["rows"]
    assert {r["goal"] for r in rows} == {"raise_repurchase"}
    assert {r["role"] for r in rows} == {"core", "related"}
    [repurchase] = [r for r in rows if r["metric"] == "repurchase_rate"]
    value = ml.open(root).metrics(["repurchase_rate"], "2025-11")["value"][0]
    assert 0 < value < 0.9 and repurchase["value"] == pytest.approx(value)
    assert (repurchase["target_low"], repurchase["target_high"]) == (0.99, 0.99)
    assert repurchase["status"] == "off_target"
    nps = [r for r in rows if r["metric"] == "nps"]
    assert all(r["status"] == "on_target" for r in nps if r["value"] is not None)


def test_compare_and_cohorts_as_json(small_program_ws: ml.Workspace) -> None:
    ws = small_program_ws
    done = invoke(
        "-w", str(ws.root), "compare", "--by", "points_user", "--period", "2025", "--format", "json"
    )
    assert done.exit_code == 0
    assert [r["measure"] for r in json.loads(done.stdout)["rows"]] == [
        "repurchase_rate",
        "aov",
        "repurchase_cycle_days",
    ]
    done = run(
        "-w",
        str(ws.root),
        "cohorts",
        "--from",
        "2025-01-01",
        "--to",
        "2025-03-31",
        "--format",
        "json",
    )
    rows = json.loads(done.stdout)["rows"]
    assert {r["cohort"] for r in rows} == {"2025-01", "2025-02", "2025-03"}
    done = run("-w", str(ws.root), "compare", "--by", "city", "--period", "2025")
    assert done.returncode == 2 and "choose two with --groups" in done.stderr


def test_alerts_as_json(load_csv: object, tmp_path: Path) -> None:
    """A planted spike: ten orders of 100 a day for three months, forty on 2025-08-20. The
    alert row names the day, the value (revenue 4,000) and the expected value (the same
    weekday's median of the eight weeks before: 1,000); no other day alerts."""
    from datetime import date, timedelta

    members = "member_id,registered_at\n" + "".join(f"M{i},2024-01-01\n" for i in range(50))
    orders = ["order_id,member_id,ordered_at,amount"]
    day, n = date(2025, 6, 1), 0
    while day <= date(2025, 8, 31):
        for _ in range(40 if day == date(2025, 8, 20) else 10):
            orders.append(f"O{n},M{n % 50},{day} 12:00:00,100")
            n += 1
        day += timedelta(days=1)
    ws = load_csv(("members", members), ("orders", "\n".join(orders) + "\n"))  # type: ignore[operator]
    done = invoke(
        "-w",
        str(ws.root),
        "alerts",
        "--from",
        "2025-08-01",
        "--to",
        "2025-08-31",
        "--no-drill",
        "--format",
        "json",
    )
    assert done.exit_code == 0
    rows = json.loads(done.stdout)["rows"]
    assert {r["day"] for r in rows} == {"2025-08-20"}
    [spike] = [r for r in rows if r["metric"] == "revenue"]
    assert (spike["value"], spike["expected"]) == (4000, 1000)
    assert spike["change"] == pytest.approx(3.0) and spike["score"] > 3
    bad = run("-w", str(ws.root), "alerts", "--from", "August", "--to", "2025-08-31")
    assert bad.returncode == 2 and "write dates as 2025-03-01" in bad.stderr


def test_trend_and_drivers_as_json(small_program_ws: ml.Workspace) -> None:
    root = str(small_program_ws.root)
    done = run(
        "-w",
        root,
        "trend",
        "orders",
        "--from",
        "2025-01-01",
        "--to",
        "2025-06-30",
        "--format",
        "json",
    )
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)["rows"]
    assert len(rows) == 181 and {"observed", "trend", "seasonal", "remainder"} <= set(rows[0])
    done = run("-w", root, "drivers", "--period", "2025")
    assert done.returncode == 2 and "2026 is not complete in the data" in done.stderr
    done = run("-w", root, "drivers", "--period", "2024", "--format", "json")
    assert done.returncode == 0, done.stderr
    behaviours = {r["behaviour"] for r in json.loads(done.stdout)["rows"]}
    assert {"redeemed", "orders_in_period", "tenure_days"} <= behaviours


def test_rfm_and_tiers_follow_the_cli_contract(
    small_program_ws: ml.Workspace, tmp_path: Path
) -> None:
    root = str(small_program_ws.root)
    done = invoke("-w", root, "rfm", "--as-of", "2025-12-31", "--format", "json")
    assert done.exit_code == 0
    rows = json.loads(done.stdout)["rows"]
    assert set(rows[0]) == {
        "member_id",
        "recency_days",
        "frequency",
        "monetary",
        "segment",
        "segment_name",
    }
    done = invoke("-w", root, "tiers", "--as-of", "2025-12-31", "--format", "json")
    tiers = json.loads(done.stdout)["rows"]
    assert set(tiers[0]) == {"member_id", "tier"} and len(tiers) == 300
    out = tmp_path / "rfm.xlsx"
    assert invoke("-w", root, "rfm", "--as-of", "2025-12-31", "--output", str(out)).exit_code == 0
    import polars as pl

    assert pl.read_excel(out).height == len(rows)


def test_tier_history_and_what_if(small_program_ws: ml.Workspace, tmp_path: Path) -> None:
    root = str(small_program_ws.root)
    done = invoke(
        "-w", root, "tier-history", "--from", "2025-01-01", "--to", "2025-06-30", "-f", "json"
    )
    assert done.exit_code == 0
    stretches = json.loads(done.stdout)["rows"]
    assert set(stretches[0]) == {"member_id", "tier", "valid_from", "valid_to"}
    # every member registered by the end has a tier from registration (or the start) on
    registered = small_program_ws.tiers("2025-06-30").height
    assert len({r["member_id"] for r in stretches}) == registered
    candidate = tmp_path / "candidate.toml"
    candidate.write_text('[points]\nearn_rate = 2.0\nexpiry = "never"\n', encoding="utf-8")
    done = run(
        "-w",
        root,
        "whatif",
        str(candidate),
        "--from",
        "2025-01-01",
        "--to",
        "2025-06-30",
        "-f",
        "json",
    )
    assert done.returncode == 0, done.stderr
    figures = {r["figure"]: r for r in json.loads(done.stdout)["rows"]}
    # twice the earn rate, the same tiers: purchase points double up to flooring
    issued = figures["points_issued_purchases"]
    assert issued["candidate"] == pytest.approx(2 * issued["current"], rel=0.02)
    assert figures["upgrades"]["change"] == 0
    assert figures["points_expired"]["candidate"] == 0
