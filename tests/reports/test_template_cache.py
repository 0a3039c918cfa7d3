"""Compiled templates are kept between commands, and an edited template is never served stale."""

from __future__ import annotations

import os
import subprocess
import sys

from programme import templatecache
from programme.config import data_dir

RENDER = ("from notifications.render import environment; "
          "print(environment().get_template('probe.txt.j2').render(name='Ana'), end='')")


def render_in_a_new_process(home, templates) -> str:
    env = {**os.environ, "PROGRAMME_HOME": str(home), "PROGRAMME_TEMPLATES": str(templates)}
    done = subprocess.run([sys.executable, "-c", RENDER], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_an_edited_template_is_compiled_again_not_served_from_the_cache(tmp_path):
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "probe.txt.j2").write_text("Hello {{ name }}")
    assert render_in_a_new_process(tmp_path / "home", templates) == "Hello Ana"
    compiled = list((tmp_path / "home" / "cache" / "templates").iterdir())
    assert compiled, "the compiled template is kept for the next command"
    (templates / "probe.txt.j2").write_text("Goodbye {{ name }}")
    assert render_in_a_new_process(tmp_path / "home", templates) == "Goodbye Ana"


def test_a_damaged_or_missing_cache_means_compiling(tmp_path, monkeypatch):
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "probe.txt.j2").write_text("Hi {{ name }}")
    assert render_in_a_new_process(tmp_path / "home", templates) == "Hi Ana"
    for entry in (tmp_path / "home" / "cache" / "templates").iterdir():
        entry.write_bytes(b"not bytecode")
    assert render_in_a_new_process(tmp_path / "home", templates) == "Hi Ana"

    # In this process: the folder removed after the environment was built.
    monkeypatch.setenv("PROGRAMME_TEMPLATES", str(templates))
    from notifications.render import environment

    env = environment()
    for entry in (data_dir() / "cache" / "templates").iterdir():
        entry.unlink()
    (data_dir() / "cache" / "templates").rmdir()
    assert env.get_template("probe.txt.j2").render(name="Bo") == "Hi Bo"
    assert templatecache.folder() == str(data_dir() / "cache" / "templates")
