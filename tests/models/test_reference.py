"""BG/NBD and Gamma-Gamma fits equal an independent reference: the legacy ``lifetimes``.

``lifetimes`` is not a dependency (it needs numpy < 2); the reference values below were
produced in a throw-away venv by

    uv venv benchmarks/out/lifetimes-venv --python 3.11
    uv pip install --python benchmarks/out/lifetimes-venv lifetimes 'numpy<2' 'pandas<2' \
        'scipy<1.12'
    benchmarks/out/lifetimes-venv/bin/python benchmarks/clv_reference.py synthetic

(lifetimes 0.11.3, numpy 1.26.4, scipy 1.11.4; BetaGeoFitter and GammaGammaFitter with
``tol=1e-8`` so that the reference itself is converged well past the 1e-4 compared here).
lifetimes fits BG/NBD on times scaled to max(T) = 1; its log-likelihood is converted back
to the original time scale (LL = −n·nll + Σx·ln s) in that script.

The input is ``synthetic`` of benchmarks/clv_reference.py (loaded from there); its
checksum is compared with the one the script printed, so both sides fit the same numbers.
"""

import importlib.util
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from memberlens.models.clv.bgnbd import BetaGeo
from memberlens.models.clv.gammagamma import GammaGamma

REFERENCE = {
    "checksum": [6007.0, 169540.59000000003, 435902.0, 144338.76],
    "bgnbd": {
        "r": 0.6246537254485821,
        "alpha": 21.75253169200427,
        "a": 0.727397050842464,
        "b": 2.5140067717142243,
    },
    "bgnbd_log_likelihood": -28233.12890065147,
    "gamma_gamma": {"p": 3.9505873657254664, "q": 3.422391188404756, "v": 58.8498095959627},
    "gamma_gamma_log_likelihood": -7953.531801585085,
    "p_alive_first5": [0.008564683240903544, 0.8706269271494521, 1.0, 0.7026757582856882, 1.0],
    "expected_30_first5": [
        0.0022729923147506623,
        0.8607867609871349,
        0.060424783037562976,
        0.19505525012139688,
        0.06911961679619484,
    ],
    "expected_spend_first5": [
        51.34263975911263,
        69.51293297120266,
        95.97595771402415,
        55.11218032972799,
        95.97595771402415,
    ],
}
RELATIVE = 1e-4


def _reference_script() -> Any:
    """benchmarks/clv_reference.py, whose ``synthetic`` made the input the values above
    were computed on (it runs in the lifetimes venv, so it is loaded here by path)."""
    path = Path(__file__).parents[2] / "benchmarks" / "clv_reference.py"
    spec = importlib.util.spec_from_file_location("clv_reference", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def synthetic(seed: int = 7, n: int = 2000) -> tuple[np.ndarray, ...]:
    """Customers from the BG/NBD and Gamma-Gamma processes: (x, t_x, T, monetary)."""
    result: tuple[np.ndarray, ...] = _reference_script().synthetic(seed, n)
    return result


@pytest.fixture(scope="module")
def data() -> tuple[np.ndarray, ...]:
    x, t_x, T, monetary = synthetic()
    checksum = [x.sum(), t_x.sum(), T.sum(), monetary.sum()]
    np.testing.assert_allclose(checksum, REFERENCE["checksum"], rtol=1e-12)
    return x, t_x, T, monetary


def test_bgnbd_equals_lifetimes(data: tuple[np.ndarray, ...]) -> None:
    x, t_x, T, _ = data
    model = BetaGeo().fit(x, t_x, T)
    assert model.converged_ and model.warnings_ == []
    for name, value in REFERENCE["bgnbd"].items():  # type: ignore[attr-defined]
        assert model.params_[name] == pytest.approx(value, rel=RELATIVE), name
    assert model.log_likelihood_ == pytest.approx(REFERENCE["bgnbd_log_likelihood"], rel=RELATIVE)
    np.testing.assert_allclose(
        model.p_alive(x[:5], t_x[:5], T[:5]), REFERENCE["p_alive_first5"], rtol=RELATIVE
    )
    np.testing.assert_allclose(
        model.expected_purchases(30, x[:5], t_x[:5], T[:5]),
        REFERENCE["expected_30_first5"],
        rtol=RELATIVE,
    )


def test_gamma_gamma_equals_lifetimes(data: tuple[np.ndarray, ...]) -> None:
    x, _, _, monetary = data
    model = GammaGamma().fit(x, monetary)  # customers with x = 0 are left out by the model
    assert model.converged_ and model.warnings_ == []
    for name, value in REFERENCE["gamma_gamma"].items():  # type: ignore[attr-defined]
        assert model.params_[name] == pytest.approx(value, rel=RELATIVE), name
    assert model.log_likelihood_ == pytest.approx(
        REFERENCE["gamma_gamma_log_likelihood"], rel=RELATIVE
    )
    np.testing.assert_allclose(
        model.expected_spend(x[:5], monetary[:5]), REFERENCE["expected_spend_first5"], rtol=RELATIVE
    )
