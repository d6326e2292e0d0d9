"""BG/NBD and Gamma-Gamma likelihoods and predictions against the published formulas.

The vectorised, log-space code is checked (1) against a direct evaluation of each
customer's likelihood written as in the papers with scipy.special's Γ and B functions, one
customer at a time, (2) its analytic gradient against central finite differences, and (3)
the conditional expectation of FHL 2005 eq. 10 against numerical integration over the
posterior of the dropout probability.
"""

import math

import numpy as np
import pytest
from scipy import integrate, special, stats

from memberlens.models.clv.bgnbd import BetaGeo, Patterns
from memberlens.models.clv.bgnbd import log_likelihood as bg_log_likelihood
from memberlens.models.clv.gammagamma import GammaGamma, SpendData
from memberlens.models.clv.gammagamma import log_likelihood as gg_log_likelihood

# a few customers of every kind: no repeat, repeats with recency < T and = T
X = np.array([0, 0, 1, 1, 2, 3, 7, 12, 1, 0])
TX = np.array([0.0, 0.0, 5.0, 30.0, 17.5, 80.0, 60.0, 100.0, 44.0, 0.0])
T = np.array([40.0, 100.0, 50.0, 30.0, 90.0, 120.0, 61.0, 130.0, 44.0, 40.0])
M = np.array([0.0, 0.0, 25.0, 80.0, 12.5, 40.0, 33.3, 51.2, 19.99, 0.0])
BG = np.array([0.55, 14.0, 0.8, 4.0])  # r, alpha, a, b
GG = np.array([4.5, 3.8, 85.0])  # p, q, v


def direct_bg(r: float, alpha: float, a: float, b: float, x: int, tx: float, t: float) -> float:
    """log L of FHL 2005 eq. 6, term by term, with Γ and B (no log-space tricks)."""
    first = special.gamma(r + x) * alpha**r / special.gamma(r)
    second = special.beta(a, b + x) / special.beta(a, b)
    third = (alpha + t) ** -(r + x)
    if x > 0:
        third += a / (b + x - 1) * (alpha + tx) ** -(r + x)
    return math.log(first * second * third)


def direct_gg(p: float, q: float, v: float, x: int, m: float) -> float:
    """log L of Fader & Hardie's note 025 eq. 1a."""
    value = (
        special.gamma(p * x + q)
        / (special.gamma(p * x) * special.gamma(q))
        * v**q
        * m ** (p * x - 1)
        * x ** (p * x)
        / (v + m * x) ** (p * x + q)
    )
    return math.log(value)


def test_bgnbd_log_likelihood_equals_the_direct_formula() -> None:
    patterns = Patterns.build(X, TX, T, np.ones(X.size))
    total, _ = bg_log_likelihood(BG, patterns)
    direct = sum(direct_bg(*BG, int(x), tx, t) for x, tx, t in zip(X, TX, T, strict=True))
    assert total == pytest.approx(direct, rel=1e-12)


def test_bgnbd_aggregated_patterns_give_the_same_likelihood() -> None:
    # the two identical (0, 0, 40) customers are one pattern of weight 2
    patterns = Patterns.build(X, TX, T)
    assert patterns.weight.sum() == X.size and patterns.x.size == X.size - 1
    assert bg_log_likelihood(BG, patterns)[0] == pytest.approx(
        bg_log_likelihood(BG, Patterns.build(X, TX, T, np.ones(X.size)))[0], rel=1e-14
    )


def _finite_difference(f: object, theta: np.ndarray) -> np.ndarray:
    assert callable(f)
    out = np.empty(theta.size)
    for j in range(theta.size):
        h = 1e-6 * theta[j]
        up, down = theta.copy(), theta.copy()
        up[j] += h
        down[j] -= h
        out[j] = (f(up)[0] - f(down)[0]) / (2 * h)
    return out


@pytest.mark.parametrize("theta", [BG, np.array([1.3, 3.0, 2.5, 0.7])])
def test_bgnbd_gradient_equals_finite_differences(theta: np.ndarray) -> None:
    patterns = Patterns.build(X, TX, T)
    _, gradient = bg_log_likelihood(theta, patterns)
    numeric = _finite_difference(lambda th: bg_log_likelihood(th, patterns), theta)
    np.testing.assert_allclose(gradient, numeric, rtol=1e-6, atol=1e-8)


def test_gamma_gamma_log_likelihood_and_gradient() -> None:
    repeat = X > 0
    data = SpendData(X[repeat].astype(float), M[repeat], np.ones(repeat.sum()))
    total, gradient = gg_log_likelihood(GG, data)
    direct = sum(direct_gg(*GG, int(x), m) for x, m in zip(X[repeat], M[repeat], strict=True))
    assert total == pytest.approx(direct, rel=1e-12)
    numeric = _finite_difference(lambda th: gg_log_likelihood(th, data), GG)
    np.testing.assert_allclose(gradient, numeric, rtol=1e-6, atol=1e-8)


def _fitted(theta: np.ndarray) -> BetaGeo:
    model = BetaGeo()
    model.params_ = dict(zip(BetaGeo.param_names, map(float, theta), strict=True))
    return model


def test_p_alive_equals_the_published_formula() -> None:
    r, alpha, a, b = BG
    model = _fitted(BG)
    expected = [
        1.0 if x == 0 else 1 / (1 + a / (b + x - 1) * ((alpha + t) / (alpha + tx)) ** (r + x))
        for x, tx, t in zip(X, TX, T, strict=True)
    ]
    np.testing.assert_allclose(model.p_alive(X, TX, T), expected, rtol=1e-12)


@pytest.mark.parametrize("theta", [BG, np.array([1.3, 3.0, 2.5, 0.7])])
def test_expected_purchases_equal_integration_over_the_dropout_posterior(
    theta: np.ndarray,
) -> None:
    # Given alive at T: λ ~ Gamma(r + x, α + T), p ~ Beta(a, b + x), and a BG process makes
    # E[Y(t) | λ, p] = (1 − exp(−λ p t)) / p purchases, so
    # E[Y(t)] = P(alive) ∫ (1 − ((α+T)/(α+T+p t))^(r+x)) / p · Beta(p; a, b+x) dp.
    r, alpha, a, b = theta
    model = _fitted(theta)
    t = 45.0
    alive = model.p_alive(X, TX, T)
    for i, (x, big_t) in enumerate(zip(X, T, strict=True)):
        density = stats.beta(a, b + x).pdf

        def integrand(
            p: float, x: int = x, big_t: float = big_t, density: object = density
        ) -> float:
            assert callable(density)
            return float(
                (1 - ((alpha + big_t) / (alpha + big_t + p * t)) ** (r + x)) / p * density(p)
            )

        value, _ = integrate.quad(integrand, 0, 1, limit=200)
        expected = alive[i] * value
        got = model.expected_purchases(t, X[i : i + 1], TX[i : i + 1], T[i : i + 1])[0]
        assert got == pytest.approx(expected, rel=1e-7), i


def test_p_purchase_and_expected_spend() -> None:
    r, alpha, _, _ = BG
    model = _fitted(BG)
    t = 30.0
    alive = model.p_alive(X, TX, T)
    none = ((alpha + T) / (alpha + T + t)) ** (r + X)
    np.testing.assert_allclose(model.p_purchase(t, X, TX, T), alive * (1 - none), rtol=1e-12)
    gg = GammaGamma()
    gg.params_ = {"p": 4.5, "q": 3.8, "v": 85.0}
    # x = 0: the population mean p v / (q − 1) = 4.5 · 85 / 2.8; x = 2, m̄ = 12.5:
    # (p (v + x m̄)) / (p x + q − 1) = 4.5 · 110 / 11.8
    np.testing.assert_allclose(
        gg.expected_spend(np.array([0, 2]), np.array([0.0, 12.5])),
        [4.5 * 85 / 2.8, 4.5 * 110 / 11.8],
        rtol=1e-12,
    )
    assert gg.mean_spend_ == pytest.approx(4.5 * 85 / 2.8)


def test_predicting_before_fitting_is_an_error() -> None:
    from memberlens.errors import InputError

    with pytest.raises(InputError, match="BetaGeo is not fitted yet: call fit"):
        BetaGeo().p_alive(X, TX, T)
