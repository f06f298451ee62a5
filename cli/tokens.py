"""`pheduyet tokens create|list|revoke USER`: a person's personal access tokens for the JSON API
(/api/v1), for an operator setting up another system. `create` prints the token's text once;
only its SHA-256 is stored."""

from __future__ import annotations

import click

import engine
from engine import system_clock, transaction

from .context import session_factory
from .output import emit, emit_json, reporting

COLUMNS = [
    ("ID", lambda t: t.id),
    ("NAME", lambda t: t.name),
    ("SCOPE", lambda t: t.scope),
    ("CREATED", lambda t: t.created_at),
    ("EXPIRES", lambda t: t.expires_at),
    ("LAST USED", lambda t: t.last_used_at),
    ("REVOKED", lambda t: t.revoked_at),
]


@click.group()
def tokens() -> None:
    """Personal access tokens for the JSON API (/api/v1)."""


@tokens.command("create")
@click.argument("username")
@click.option("--name", required=True, help="what the token is for (the program using it)")
@click.option("--scope", type=click.Choice(["read", "write"]), default="read", show_default=True)
@click.option("--expires-days", type=int, help="days until it expires (default: never)")
@click.option("--json", "as_json", is_flag=True)
def tokens_create(
    username: str, name: str, scope: str, expires_days: int | None, as_json: bool
) -> None:
    """Make a token for USER and print it: it is shown this once."""
    with reporting(as_json), transaction(session_factory()) as session:
        made = engine.create_api_token(
            session, username, name, system_clock(), scope=scope, expires_days=expires_days
        )
    if as_json:
        emit_json({**engine.to_jsonable(made.token), "token": made.secret})
        return
    click.echo(f"token {made.token.id} ({made.token.scope}) for {username}: {made.secret}")
    click.echo("keep it now: it is not shown again", err=True)


@tokens.command("list")
@click.argument("username")
@click.option("--json", "as_json", is_flag=True)
def tokens_list(username: str, as_json: bool) -> None:
    """USER's tokens, newest first (never their secrets)."""
    with reporting(as_json), transaction(session_factory(), write=False) as session:
        if not engine.user_exists(session, username):
            raise engine.NotFound(f"user '{username}' does not exist")
        emit(engine.list_api_tokens(session, username), COLUMNS, as_json)


@tokens.command("revoke")
@click.argument("username")
@click.argument("token_id", type=int)
@click.option("--json", "as_json", is_flag=True)
def tokens_revoke(username: str, token_id: int, as_json: bool) -> None:
    """End one of USER's tokens at once."""
    with reporting(as_json), transaction(session_factory()) as session:
        token = engine.revoke_api_token(session, username, token_id, system_clock())
    if as_json:
        emit_json(token)
        return
    click.echo(f"token {token_id} of {username} revoked")
