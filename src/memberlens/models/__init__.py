"""Predictions: customer lifetime value (BG/NBD + Gamma-Gamma) and churn (DESIGN §8).

One model per module on the shared base of :mod:`memberlens.models.base`:

* ``summary``     the per-member (x, t_x, T, m̄) summary as an Ibis expression;
* ``bgnbd``       BG/NBD (Fader, Hardie & Lee 2005): P(alive), expected purchases;
* ``gammagamma``  Gamma-Gamma (Fader, Hardie & Lee 2005): expected spend per purchase;
* ``clv``         both fitted on a workspace and the discounted CLV per member;
* ``validation``  predicted against actual purchases in a holdout period;
* ``churn``       lapse labels, engine-built features and a churn-risk classifier;
* ``survival``    Kaplan-Meier curves of time to lapse by tier;
* ``profile``     one member's tier, segment, points, CLV and churn risk.
"""

from memberlens.lazy import exports

__all__ = [
    "BetaGeo",
    "ChurnResult",
    "ClvResult",
    "GammaGamma",
    "Survival",
    "kaplan_meier",
]

__getattr__, __dir__ = exports(
    __name__,
    {
        "ClvResult": "memberlens.models.clv.model",
        "BetaGeo": "memberlens.models.clv.bgnbd",
        "GammaGamma": "memberlens.models.clv.gammagamma",
        "ChurnResult": "memberlens.models.churn.model",
        "kaplan_meier": "memberlens.models.churn.survival",
        "Survival": "memberlens.models.churn.survival",
    },
)
