"""What every statistical model in :mod:`memberlens.models` shares.

A model is configured by its constructor, learns in ``fit(...) -> self`` and keeps what it
learned in attributes ending in ``_`` (``params_``, ``standard_errors_``,
``log_likelihood_``, ``converged_``, ``warnings_``). Maximum likelihood runs on the log of
the (positive) parameters with analytic gradients, then a few Newton steps on a Hessian
built from those gradients polish the optimum; standard errors come from the inverse of
the observed information (minus the Hessian of the total log-likelihood) in the natural
parameters.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
from scipy.optimize import minimize

from memberlens.errors import InputError

#: (log-likelihood, gradient) of the total log-likelihood at natural parameters θ.
Objective = Callable[[np.ndarray], tuple[float, np.ndarray]]


#: above this many customers (or patterns), the search starts from a fit on a sample
SAMPLE = 50_000

#: parameters are searched in [e^-30, e^30]; an estimate at the edge means no maximum exists
LOG_BOUND = 30.0


def dot(a: np.ndarray, b: np.ndarray) -> float:
    """Σ a·b without BLAS.

    OpenBLAS runs a 1-D dot product on all its threads; on a busy machine waking them costs
    far more than the sum (measured: 18 ms against 1 ms for 600,000 values), and a fit
    takes hundreds of these. einsum's own loop is single-threaded and as exact.
    """
    return float(np.einsum("i,i->", a, b))


@dataclass(frozen=True)
class Optimum:
    """The maximiser of a log-likelihood and how the search went."""

    params: np.ndarray
    log_likelihood: float
    gradient: np.ndarray  # at the optimum, with respect to the log-parameters
    hessian: np.ndarray  # of the total log-likelihood in the natural parameters
    iterations: int
    converged: bool
    message: str


def _negative(
    objective: Objective, scale: float
) -> Callable[[np.ndarray], tuple[float, np.ndarray]]:
    """−objective / scale and its gradient as functions of log θ (what the optimiser sees)."""

    def negative(log_theta: np.ndarray) -> tuple[float, np.ndarray]:
        theta = np.exp(log_theta)
        with np.errstate(all="ignore"):  # a trial step far off the optimum may overflow
            value, grad = objective(theta)
        if not (np.isfinite(value) and np.all(np.isfinite(grad))):
            return np.inf, np.zeros_like(theta)
        return -value / scale, -grad * theta / scale  # chain rule: d/dlogθ = θ d/dθ

    return negative


def rough_maximum(objective: Objective, start: np.ndarray, scale: float) -> np.ndarray | None:
    """L-BFGS-B alone, to a loose tolerance: a starting point for :func:`maximise` (None
    when it fails)."""

    result = minimize(
        _negative(objective, scale),
        np.log(start),
        jac=True,
        method="L-BFGS-B",
        bounds=[(-LOG_BOUND, LOG_BOUND)] * start.size,
        options={"maxiter": 500, "ftol": 1e-12, "gtol": 1e-8},
    )
    if not np.all(np.abs(result.x) < LOG_BOUND - 1) or not np.isfinite(result.fun):
        return None
    return np.exp(result.x)  # type: ignore[no-any-return]


def maximise(
    objective: Objective, start: np.ndarray, scale: float, *, near: bool = False
) -> Optimum:
    """Maximise ``objective`` over positive parameters, starting from ``start``.

    ``scale`` (the total weight, i.e. the number of customers) divides the objective so the
    optimiser sees a per-customer log-likelihood of order one whatever the data size.
    L-BFGS-B runs on the log-parameters; then one Hessian (central differences of the
    analytic gradient) drives a few Newton steps, since L-BFGS stops a little short of the
    top of a flat ridge, and gives the standard errors. Each evaluation costs a pass over
    the data, so the number of evaluations is what this keeps small: with ``near`` (the
    start is an estimate from a sample of the same data) Newton steps start at once.
    """

    negative = _negative(objective, scale)
    iterations, note = 0, ""
    if near:
        log_theta = np.log(start)
        value, gradient = negative(log_theta)
        hessian_log = _hessian(lambda lt: negative(lt)[1], log_theta, gradient)
        log_theta, value, gradient, steps = _newton(
            negative, log_theta, value, gradient, hessian_log
        )
        iterations = steps
        if np.max(np.abs(gradient)) > 1e-7:  # the sample's estimate was not near enough
            near = False
    if not near:
        result = minimize(
            negative,
            np.log(start),
            jac=True,
            method="L-BFGS-B",
            bounds=[(-LOG_BOUND, LOG_BOUND)] * start.size,
            options={"maxiter": 2000, "ftol": 1e-15, "gtol": 1e-11, "maxcor": 20},
        )
        log_theta = np.asarray(result.x, dtype=float)
        hessian_log = _hessian(lambda lt: negative(lt)[1], log_theta)
        value, gradient = negative(log_theta)
        log_theta, value, gradient, _ = _newton(negative, log_theta, value, gradient, hessian_log)
        iterations, note = int(result.nit), f"{result.message}, "
    theta = np.exp(log_theta)
    # Hessian of the total log-likelihood in θ from the one in u = log θ:
    # ∂²/∂u_i∂u_j = θ_i θ_j ∂²/∂θ_i∂θ_j + δ_ij θ_i ∂/∂θ_i
    hessian_u = -scale * hessian_log
    gradient_u = -scale * gradient
    hessian_natural = (hessian_u - np.diag(gradient_u)) / np.outer(theta, theta)
    finite = bool(np.isfinite(value) and np.all(np.isfinite(hessian_natural)))
    concave = finite and bool(np.all(np.linalg.eigvalsh(hessian_u) < 0))
    inside = bool(np.all(np.abs(log_theta) < LOG_BOUND - 1))
    flat = bool(np.max(np.abs(gradient)) < 1e-5)
    converged = finite and inside and concave and flat and iterations < 2000
    if not finite:
        message = "the log-likelihood is not finite at the estimate"
    elif not inside:
        message = "a parameter ran off towards 0 or infinity"
    elif not flat:
        message = f"the gradient is not zero ({note}{iterations} iterations)"
    elif not concave:
        message = (
            "the likelihood is flat or not peaked there (the Hessian is not negative definite)"
        )
    else:
        message = "converged"
    return Optimum(
        params=theta,
        log_likelihood=float(-value * scale),
        gradient=-gradient,
        hessian=hessian_natural,
        iterations=iterations,
        converged=converged,
        message=message,
    )


def _newton(
    negative: Callable[[np.ndarray], tuple[float, np.ndarray]],
    log_theta: np.ndarray,
    value: float,
    gradient: np.ndarray,
    hessian: np.ndarray,
) -> tuple[np.ndarray, float, np.ndarray, int]:
    """Newton steps with a fixed Hessian while they improve: (point, value, gradient, steps)."""
    steps = 0
    for steps in range(1, 13):  # noqa: B007  (the count is returned)
        if not np.isfinite(value) or np.max(np.abs(gradient)) < 1e-11:
            break
        try:
            step = np.linalg.solve(hessian, gradient)
        except np.linalg.LinAlgError:
            break
        candidate = np.clip(log_theta - step, -LOG_BOUND, LOG_BOUND)
        candidate_value, candidate_gradient = negative(candidate)
        # near the top the value changes below rounding noise: judge by the gradient there
        worse = candidate_value > value + 1e-13 * max(1.0, abs(value))
        if worse or not np.max(np.abs(candidate_gradient)) < np.max(np.abs(gradient)):
            break
        log_theta, value, gradient = candidate, candidate_value, candidate_gradient
    return log_theta, value, gradient, steps


def _hessian(
    gradient: Callable[[np.ndarray], np.ndarray],
    at: np.ndarray,
    known: np.ndarray | None = None,
) -> np.ndarray:
    """Differences of an analytic gradient, symmetrised: central, or forward from the
    ``known`` gradient at ``at`` (half the evaluations, for the Newton steps)."""
    k = at.size
    out = np.empty((k, k))
    for j in range(k):
        h = 1e-5 * max(abs(at[j]), 1e-8)
        up = at.copy()
        up[j] += h
        if known is not None:
            out[:, j] = (gradient(up) - known) / h
            continue
        down = at.copy()
        down[j] -= h
        out[:, j] = (gradient(up) - gradient(down)) / (2 * h)
    return (out + out.T) / 2


def standard_errors(hessian: np.ndarray) -> np.ndarray:
    """√diag of the inverse observed information; NaN where it is not positive definite."""
    if not np.all(np.isfinite(hessian)):
        return np.full(hessian.shape[0], np.nan)
    try:
        covariance = np.linalg.inv(-hessian)
    except np.linalg.LinAlgError:
        return np.full(hessian.shape[0], np.nan)
    diagonal = np.diag(covariance)
    return np.where(diagonal > 0, np.sqrt(np.abs(diagonal)), np.nan)


class Model:
    """Base of the likelihood models: names of the parameters and the fitted attributes."""

    param_names: ClassVar[tuple[str, ...]] = ()
    label: ClassVar[str] = ""

    params_: dict[str, float]
    standard_errors_: dict[str, float]
    log_likelihood_: float
    converged_: bool
    iterations_: int
    warnings_: list[str]

    def _store(self, optimum: Optimum, warnings: list[str]) -> None:
        names = self.param_names
        self.params_ = dict(zip(names, map(float, optimum.params), strict=True))
        errors = standard_errors(optimum.hessian)
        self.standard_errors_ = dict(zip(names, map(float, errors), strict=True))
        self.log_likelihood_ = optimum.log_likelihood
        self.converged_ = optimum.converged
        self.iterations_ = optimum.iterations
        if not optimum.converged:
            warnings.append(
                f"{self.label}: the fit did not converge ({optimum.message}); the parameters "
                "are not a maximum-likelihood estimate and predictions from them are not "
                "reliable. Use a longer calibration period or more members."
            )
        self.warnings_ = warnings

    def _theta(self) -> np.ndarray:
        if not hasattr(self, "params_"):
            raise InputError(f"{type(self).__name__} is not fitted yet: call fit() first.")
        return np.array([self.params_[n] for n in self.param_names])


def check_arrays(**arrays: np.ndarray) -> int:
    """All arrays one-dimensional, finite and of one length; returns that length."""
    sizes = {name: np.shape(a) for name, a in arrays.items()}
    lengths = {s[0] if len(s) == 1 else -1 for s in sizes.values()}
    if len(lengths) != 1 or -1 in lengths:
        raise InputError(
            f"The model inputs must be one-dimensional arrays of one length; got shapes {sizes}."
        )
    for name, a in arrays.items():
        if not np.all(np.isfinite(a)):
            raise InputError(f"The model input '{name}' has missing or infinite values.")
    return lengths.pop()
