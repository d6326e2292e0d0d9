"""The service (DESIGN §14): the JSON API under ``/api/v1``, the dashboard, users and roles.

Only this package and :mod:`memberlens.cli` import FastAPI; every call into the analytics
goes through :mod:`memberlens.web.queries`.
"""
