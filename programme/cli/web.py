"""`programme web` (the check-in service) and `programme token create/list/revoke` (bearer
tokens for its JSON API). FastAPI and uvicorn are imported only by `programme web`."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape

from programme.cli.common import PlansOption, err, fail, out
from programme.cli.common import workspace as _workspace

token_app = typer.Typer(help="Bearer tokens for the check-in service's JSON API.",
                        no_args_is_help=True)


def web(host: Annotated[str, typer.Option(
            "--host", metavar="ADDRESS", help="Address to listen on.")] = "127.0.0.1",
        port: Annotated[int, typer.Option("--port", metavar="PORT", help="Port to listen on.")]
        = 8765,
        plans: PlansOption = None) -> None:
    """Serve the check-in pages behind the links in messages, the report page and the API."""
    import uvicorn

    from programme.signing import PUBLIC_URL_ENV, public_url
    from programme.usecases.workspace import check_plans_folder
    from programme.web import create_app

    check_plans_folder(plans, need_files=False)

    app = create_app(plans_dir=plans)
    err.print(f"check-in service on http://{escape(host)}:{port}; links in messages point to "
              f"{escape(public_url())} ({PUBLIC_URL_ENV}); API docs at /docs", soft_wrap=True)
    uvicorn.run(app, host=host, port=port, log_level="warning", proxy_headers=True,
                server_header=False)


@token_app.command("create")
def create(person: Annotated[str, typer.Option("--person", metavar="ID",
                                               help="The person it acts as (a person id).")],
           days: Annotated[int, typer.Option("--days", metavar="N", min=1, max=3660,
                                             help="Days until it expires.")] = 90,
           note: Annotated[str | None, typer.Option(
               "--note", metavar="NOTE", help="What it is for.")] = None,
           plans: PlansOption = None) -> None:
    """Make a token; it is shown once (only its hash is kept)."""
    from programme.planfiles.validation import suggest
    from programme.store.links import ApiTokens
    from programme.usecases.workspace import current_moment

    ws = _workspace(plans)
    ws.check_folder()
    people = sorted({pid for p in ws.plans() for pid in p.people})
    if person not in people:
        raise fail(f"--person '{person}' is not a person in any plan{suggest(person, people)}")
    token_id, token = ApiTokens(ws.store).create(person, days, current_moment(), note)
    err.print(f"[green]✓[/] token {token_id} for {escape(person)}, valid {days} days. It is shown "
              "once; keep it secret:", soft_wrap=True)
    typer.echo(token)


@token_app.command("list")
def list_tokens(plans: PlansOption = None) -> None:
    """The tokens made, without their secret part."""
    from programme.store.links import ApiTokens
    from programme.usecases.workspace import current_moment

    ws = _workspace(plans)
    now = current_moment()
    rows = ApiTokens(ws.store).rows()
    if not rows:
        out.print("no tokens (make one with `programme token create --person ID`)")
        return
    from programme.cli.tables import Column, fitted_table

    columns = [Column("Token", ids=True), Column("Person", ids=True), Column("State"),
               Column("Expires"), Column("Last used", fold=2), Column("Note", fold=1)]
    table = []
    for r in rows:
        state = ("revoked" if r.revoked_at else "expired" if r.expires_at <= now else "active")
        used = f"{r.last_used_at:%Y-%m-%d %H:%M}" if r.last_used_at else "never"
        table.append([r.id, escape(r.person), state, f"{r.expires_at:%Y-%m-%d}", used,
                      escape(r.note or "")])
    out.print(fitted_table(columns, table, out))


@token_app.command("revoke")
def revoke(token_id: Annotated[str, typer.Argument(metavar="ID", help="The token's id.")],
           plans: PlansOption = None) -> None:
    """Revoke a token at once."""
    from programme.store.links import ApiTokens
    from programme.usecases.workspace import current_moment

    ws = _workspace(plans)
    if not ApiTokens(ws.store).revoke(token_id, current_moment()):
        known = [r.id for r in ApiTokens(ws.store).rows() if r.revoked_at is None]
        raise fail(f"no active token '{token_id}'" + (f"; active: {', '.join(known)}" if known else ""))
    out.print(f"[green]✓[/] token {token_id} revoked")


def register(app: typer.Typer) -> None:
    app.command("web")(web)
    app.add_typer(token_app, name="token")
