"""The dashboard: server-rendered pages (Jinja2), zh by default, ``?lang=en`` remembered.

Pages read through the same :class:`~memberlens.web.queries.Queries` as the API; charts
are drawn by plotly.js (served from the installed plotly package) from JSON data islands,
so no page carries an inline script. :mod:`.base` holds the router and what the pages share;
each page module adds its routes to that router when imported.
"""

from memberlens.web.pages import insights, members, overview  # noqa: F401 - their routes
from memberlens.web.pages.base import KPIS, router, to_login

__all__ = ["KPIS", "router", "to_login"]
