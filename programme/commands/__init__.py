"""Command groups beyond the core ones. Each module here defines `register(app)`; dropping a
module in this folder adds its commands (nothing is registered by hand). Keep heavy imports
(Prefect, Apprise) inside the command functions so `programme status` stays fast."""

from __future__ import annotations

import importlib
import pkgutil

import typer


def register_all(app: typer.Typer) -> None:
    for module in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if module.name.startswith("_"):
            continue
        importlib.import_module(f"{__name__}.{module.name}").register(app)
