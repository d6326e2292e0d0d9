"""The FastAPI application: ``create_app(workspace_path)`` (DESIGN §14).

Nothing heavy happens here: the app is ready at once and computes on the first request.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint

from memberlens.errors import (
    BrowserError,
    InputError,
    MemberlensError,
    WarehouseBusyError,
    WorkspaceError,
)
from memberlens.web.deps import Service
from memberlens.web.queries import Queries, ServiceBusy
from memberlens.web.security import HEADERS, Audit, Sessions, Throttle
from memberlens.web.users import UserStore

STATIC = Path(__file__).parent / "static"


class SecurityHeaders(BaseHTTPMiddleware):
    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        response = await call_next(request)
        for key, value in HEADERS.items():
            response.headers.setdefault(key, value)
        if not request.url.path.startswith("/static/"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response


def _error(status: int, message: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"detail": message, **extra}, status_code=status)


def plotly_js() -> Path:
    """plotly.js as the installed plotly wheel ships it (nothing copied into the repo)."""
    import importlib.util

    spec = importlib.util.find_spec("plotly")
    if spec is None or spec.origin is None:
        raise RuntimeError("plotly is not installed")
    return Path(spec.origin).parent / "package_data" / "plotly.min.js"


def create_app(workspace_path: str | Path, secret: str | None = None) -> FastAPI:
    """The API under ``/api/v1``, OpenAPI at ``/docs`` and the dashboard at ``/``."""
    from memberlens.web import api, pages

    queries = Queries(Path(workspace_path))
    root = queries.root
    app = FastAPI(
        title="memberlens",
        description="Membership and loyalty-program analytics (会员 / 积分 分析).",
        version="1",
        docs_url=None,  # /docs is a page of the dashboard: Swagger UI would load from a CDN
        redoc_url=None,
    )
    app.state.service = Service(
        root, queries, UserStore(root), Sessions(secret), Throttle(), Audit(root)
    )
    app.add_middleware(SecurityHeaders)

    @app.exception_handler(InputError)
    async def input_error(request: Request, error: InputError) -> Response:
        return _error(422, str(error), parameter=error.parameter, value=error.value)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, error: RequestValidationError) -> Response:
        problems = []
        for item in error.errors():
            place = [str(p) for p in item.get("loc", ()) if p not in ("query", "body", "path")]
            value = item.get("input")
            problems.append(
                {
                    "parameter": ".".join(place) or None,
                    "value": value[:80] if isinstance(value, str) else None,
                    "message": item.get("msg"),
                }
            )
        first = problems[0] if problems else {"parameter": None, "message": "bad request"}
        message = (
            f"{first['parameter']}: {first['message']}" if first["parameter"] else "bad request"
        )
        return _error(422, message, parameter=first["parameter"], problems=problems)

    @app.exception_handler(ServiceBusy)
    @app.exception_handler(WarehouseBusyError)
    async def busy(request: Request, error: Exception) -> Response:
        return JSONResponse({"detail": str(error)}, status_code=503, headers={"Retry-After": "5"})

    @app.exception_handler(WorkspaceError)
    async def workspace_error(request: Request, error: WorkspaceError) -> Response:
        return _error(409, str(error))

    @app.exception_handler(BrowserError)
    async def browser_error(request: Request, error: BrowserError) -> Response:
        return _error(503, str(error))  # the server has no Chromium to print the PDF

    @app.exception_handler(MemberlensError)
    async def other_error(request: Request, error: MemberlensError) -> Response:
        return _error(422, str(error))

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, error: HTTPException) -> Response:
        if not request.url.path.startswith("/api/") and error.status_code == 401:
            return pages.to_login(request)
        return JSONResponse(
            {"detail": error.detail}, status_code=error.status_code, headers=error.headers
        )

    @app.get("/healthz", tags=["health"])
    def healthz() -> dict[str, str]:
        """200 as soon as the app answers (no sign-in, no warehouse access): for load
        balancers, supervisors and the start-up benchmark."""
        return {"status": "ok"}

    @app.get("/static/plotly.min.js", include_in_schema=False)
    def plotly() -> FileResponse:
        return FileResponse(plotly_js(), media_type="text/javascript", headers=_LONG)

    @app.get("/static/{name}", include_in_schema=False)
    def static(name: str) -> FileResponse:
        if name not in {"app.css", "app.js", "favicon.svg"}:
            raise HTTPException(404, "No such file.")
        kinds = {".css": "text/css", ".js": "text/javascript", ".svg": "image/svg+xml"}
        return FileResponse(STATIC / name, media_type=kinds[Path(name).suffix], headers=_LONG)

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> FileResponse:
        return FileResponse(STATIC / "favicon.svg", media_type="image/svg+xml", headers=_LONG)

    app.include_router(api.router)
    app.include_router(pages.router)
    return app


_LONG = {"Cache-Control": "public, max-age=3600"}
