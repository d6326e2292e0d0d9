"""The public names of every package: curated, resolvable, and nothing else leaks."""

from __future__ import annotations

import importlib

import pytest

PACKAGES = {
    "memberlens": {
        "ConfigError",
        "InputError",
        "MemberlensError",
        "SourceError",
        "WarehouseBusyError",
        "Workspace",
        "WorkspaceError",
        "__version__",
        "init",
        "open",
    },
    "memberlens.workspace": {
        "ENV_VAR",
        "Workspace",
        "init",
        "load_catalog",
        "load_dimensions",
        "load_member_features",
        "load_metrics",
        "open",
    },
    "memberlens.engine": {
        "Memo",
        "SECONDS_PER_DAY",
        "Session",
        "at_midnight",
        "days_between",
        "hours_between",
        "month_index",
        "write",
        "write_frame",
    },
    "memberlens.facts": {
        "all_paid_orders",
        "check_as_of",
        "check_ledger",
        "data_range",
        "entries",
        "last_record",
        "paid_orders",
        "require_orders",
    },
    "memberlens.dates": {
        "Grain",
        "Period",
        "add_months",
        "containing",
        "holiday_days",
        "is_workday",
        "latest_full_month",
        "month_index",
        "month_label",
        "occasions",
        "parse_period",
        "same_day_last_year",
        "series",
        "spring_festival",
    },
    "memberlens.metrics": {
        "CATALOG",
        "DEFINITIONS",
        "Dimension",
        "GOALS",
        "HEADLINE",
        "METRICS",
        "Metric",
        "Scope",
        "daily_parts",
        "daily_series",
        "dimension",
        "explain",
        "metric",
        "register",
        "summary",
        "values",
    },
    "memberlens.segments": {
        "SEGMENTS",
        "Scheme",
        "TargetRule",
        "ValueReport",
        "quintiled",
        "segmented",
        "target_list",
    },
    "memberlens.program": {
        "TierHistory",
        "WhatIf",
        "near_next",
        "tier_history",
        "tiers_expression",
        "what_if",
    },
    "memberlens.points": {"Breakage", "Reactivation", "curves", "projected_expiry"},
    "memberlens.models": {
        "BetaGeo",
        "ChurnResult",
        "ClvResult",
        "GammaGamma",
        "Survival",
        "kaplan_meier",
    },
    "memberlens.members": {"MemberProfile"},
    "memberlens.analyses": {"Comparison", "Drivers", "Trend", "cohort_matrix", "decompose"},
    "memberlens.alerts": {"Alert"},
    "memberlens.daily": {"DailyResult", "StepResult", "run_daily"},
    "memberlens.report": {
        "ReportData",
        "collect",
        "render_html",
        "write_pdf",
        "write_png",
        "write_report",
        "write_workbook",
    },
    "memberlens.ingest": {"IngestResult", "ingest"},
    "memberlens.generate": {"TRUTH_FILE", "generate"},
}


@pytest.mark.parametrize("package", sorted(PACKAGES))
def test_exported_names(package: str) -> None:
    module = importlib.import_module(package)
    assert set(module.__all__) == PACKAGES[package]
    for name in module.__all__:
        assert getattr(module, name) is not None, name


def test_a_name_not_exported_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="has no attribute 'nothing'"):
        _ = importlib.import_module("memberlens.metrics").nothing


def test_the_package_is_typed() -> None:
    from importlib.resources import files

    assert files("memberlens").joinpath("py.typed").is_file()
