"""The `programme` command. Thin: it builds core objects, delegates, and prints.

Each module in this package with a `register(app)` adds its commands (nothing is registered by
hand). Prefect is imported only by the commands that run flows, so `status` and `validate`
start fast. Every user mistake ends as one clear line and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys

import typer

from programme.cli.common import Group

app = typer.Typer(
    cls=Group,
    help="Plans as code for commissioning programmes and 100-day plans.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _register_all(main: typer.Typer) -> None:
    for module in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        imported = importlib.import_module(f"{__name__}.{module.name}")
        if hasattr(imported, "register"):
            imported.register(main)


_register_all(app)


def main() -> None:
    from programme.bankholidays import install

    for stream in (sys.stdout, sys.stderr):  # text that is not valid Unicode prints escaped
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    install()  # calendars read bank holidays from the data folder's cache (the rules do no I/O)
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
