"""The rules stay pure: importing any of them, in a fresh interpreter, loads no database, flow
engine, channel, template, terminal or YAML library, and nothing of the project outside the rules
(imports point one way: everything else may use the rules, the rules use none of it)."""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import programme.rules

REPO = Path(__file__).resolve().parents[2]
FORBIDDEN = ("prefect", "sqlalchemy", "apprise", "jinja2", "typer", "rich", "yaml")
RULE_MODULES = ["programme.rules", *sorted(
    f"programme.rules.{m.name}" for m in pkgutil.iter_modules(programme.rules.__path__))]

PROBE = """
import importlib, json, sys
importlib.import_module(sys.argv[1])
print(json.dumps(sorted(sys.modules)))
"""


def test_every_rule_module_is_checked():
    assert {"programme.rules.model", "programme.rules.forecast", "programme.rules.chase",
            "programme.rules.graph", "programme.rules.history"} <= set(RULE_MODULES)


@pytest.mark.parametrize("module", RULE_MODULES)
def test_a_rule_module_imports_no_adapter_library_and_nothing_outside_the_rules(module):
    done = subprocess.run([sys.executable, "-c", PROBE, module], cwd=REPO, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    loaded = json.loads(done.stdout)
    libraries = sorted({name.split(".")[0] for name in loaded} & set(FORBIDDEN))
    assert libraries == [], f"importing {module} loads {', '.join(libraries)}"
    project = sorted(name for name in loaded
                     if name.split(".")[0] in ("programme", "notifications", "flows", "tasks")
                     and name != "programme" and not name.startswith("programme.rules"))
    assert project == [], f"importing {module} loads {', '.join(project)}"
