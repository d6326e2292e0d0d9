"""``serve``: the HTTP API and the dashboard under uvicorn (DESIGN §14)."""

from __future__ import annotations

import ipaddress
import os
from typing import Annotated

import typer

from memberlens.cli.app import app, open_workspace
from memberlens.cli.render import errors

SECRET_VAR = "MEMBERLENS_SECRET"


def is_loopback(host: str) -> bool:
    """``127.0.0.1``, ``::1`` and ``localhost`` only answer this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 8000,
) -> None:
    """Serve the JSON API (/api/v1, OpenAPI at /docs) and the dashboard (/)."""
    from memberlens.errors import InputError

    if not is_loopback(host) and not os.environ.get(SECRET_VAR):
        raise InputError(
            f"--host {host} answers other machines: set {SECRET_VAR} to a long random "
            "string (the key that signs session cookies) first, e.g. "
            f"export {SECRET_VAR}=$(python -c 'import secrets; print(secrets.token_hex(32))').",
            parameter="host",
            value=host,
        )
    import uvicorn

    from memberlens.web.app import create_app

    ws = open_workspace()
    errors.print(f"memberlens serving {ws.root} on http://{host}:{port}/", highlight=False)
    uvicorn.run(create_app(ws.root), host=host, port=port, log_level="warning")
