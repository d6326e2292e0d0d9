"""CLV models fitted on the generated demo program recover its planted parameters.

The demo program (3000 members, 85 % of whom buy) plants BG/NBD (r, α, a, b) per day and
Gamma-Gamma (p, q, v) in truth.json. The fit is on orders up to 2025-06-30.

Tolerance, and why: |fitted − planted| ≤ 3 standard errors (sampling noise of ~2,000
customers) + an allowance for the ways the generated orders differ on purpose from a pure
BG/NBD process: purchases run in operational time (the calendar clock runs faster on 618,
双11 and weekends), campaign and experiment orders come on top of the process, orders on
one day merge into one purchase day, and spend is rounded to cents with a floor of 1.
Fitted on 30,000 generated members (sampling noise ≈ 2 %), those deviations move α by
+17 % (grouping per day alone: 13.9 → 15.5, since heavy buyers buy twice on some days;
campaign orders another ~5 %) and a, b, r by up to 6 %, so the allowance is 20 % of the
planted value for BG/NBD and 5 % for Gamma-Gamma (whose spend process has no such
deviations). On this program: α 18.65 ± 0.96 against 14, p 5.8 ± 0.8 against 4.5. The
quantities the business reads — mean purchase rate r/α and mean spend pv/(q − 1) — are
checked too, at 20 % and 8 %.
"""

from pathlib import Path
from typing import Any

import pytest

import memberlens as ml
from memberlens.models.clv.model import ClvResult

BGNBD_ALLOWANCE = 0.20
GAMMA_GAMMA_ALLOWANCE = 0.05


@pytest.fixture(scope="module")
def fitted(demo_ws: ml.Workspace) -> ClvResult:
    return demo_ws.clv("2025-06-30")


def test_bgnbd_recovers_the_planted_parameters(
    fitted: ClvResult, program: tuple[Path, dict[str, Any]]
) -> None:
    planted = program[1]["bgnbd"]
    assert fitted.purchase.converged_ and fitted.warnings == []
    for name in ("r", "alpha", "a", "b"):
        got, se = fitted.params[name], fitted.purchase.standard_errors_[name]
        limit = 3 * se + BGNBD_ALLOWANCE * planted[name]
        print(f"{name}: fitted {got:.4f} ± {se:.4f}, planted {planted[name]}")
        assert abs(got - planted[name]) <= limit, (name, got, planted[name], limit)
    rate = fitted.params["r"] / fitted.params["alpha"]
    assert rate == pytest.approx(planted["r"] / planted["alpha"], rel=0.20)


def test_gamma_gamma_recovers_the_planted_parameters(
    fitted: ClvResult, program: tuple[Path, dict[str, Any]]
) -> None:
    planted = program[1]["gamma_gamma"]
    assert fitted.spend.converged_
    for name in ("p", "q", "v"):
        got, se = fitted.spend_params[name], fitted.spend.standard_errors_[name]
        limit = 3 * se + GAMMA_GAMMA_ALLOWANCE * planted[name]
        print(f"{name}: fitted {got:.4f} ± {se:.4f}, planted {planted[name]}")
        assert abs(got - planted[name]) <= limit, (name, got, planted[name], limit)
    assert fitted.spend.mean_spend_ == pytest.approx(planted["mean_spend"], rel=0.08)
