"""``users add/list/remove/token``: the service's users (DESIGN §14)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from memberlens.cli.app import Format, FormatOption, app, open_workspace
from memberlens.cli.render import console, emit, errors

users_app = typer.Typer(help="Users of the HTTP API and dashboard (viewer, analyst, admin).")
app.add_typer(users_app, name="users")


@users_app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="User name (letters, digits, _ . @ -).")],
    role: Annotated[str, typer.Option(help="viewer, analyst or admin.")] = "viewer",
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from stdin.")
    ] = False,
) -> None:
    """Add a user; the password comes from a prompt (or stdin with --password-stdin)."""
    from memberlens.web.users import UserStore, parse_role

    chosen = parse_role(role)
    store = UserStore(open_workspace().root)
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    elif not sys.stdin.isatty():
        from memberlens.errors import InputError

        raise InputError(
            "No terminal to ask for the password on: pipe it in with --password-stdin, "
            "e.g. 'echo \"$PASSWORD\" | memberlens -w DIR users add NAME --password-stdin'."
        )
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    user = store.add(name, chosen, password)
    errors.print(f"Added {user.name} ({user.role}).", highlight=False)


@users_app.command("list")
def list_(fmt: FormatOption = Format.table) -> None:
    """The users, their roles and the names of their tokens."""
    from memberlens.web.users import UserStore

    rows = [u.public() for u in UserStore(open_workspace().root).list()]
    if fmt is Format.table:
        rows = [{**r, "tokens": ", ".join(r["tokens"])} for r in rows]
        if not rows:
            console.print("No users yet: add one with 'memberlens -w DIR users add NAME'.")
            return
    emit(rows, fmt, title="Users")


@users_app.command("remove")
def remove(name: Annotated[str, typer.Argument(help="User name.")]) -> None:
    """Remove a user and their tokens."""
    from memberlens.web.users import UserStore

    UserStore(open_workspace().root).remove(name)
    errors.print(f"Removed {name}.", highlight=False)


@users_app.command("token")
def token(
    name: Annotated[str, typer.Argument(help="User name.")],
    label: Annotated[str | None, typer.Option("--name", help="A label for the token.")] = None,
) -> None:
    """Create a bearer token; it is printed once, alone on stdout (stored hashed)."""
    from memberlens.web.users import UserStore

    value = UserStore(open_workspace().root).new_token(name, label)
    sys.stdout.write(value + "\n")
    errors.print(
        "Keep this token now: it is stored hashed and cannot be shown again. "
        "Send it as 'Authorization: Bearer TOKEN'.",
        highlight=False,
    )
