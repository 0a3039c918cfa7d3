"""Validated YAML plans are cached by content: unchanged files skip parsing, edits never do."""

from __future__ import annotations

import pytest
from factory import GOOD_YAML, write

import programme.loading as loading
from programme import plancache
from programme.config import data_dir


def refuse_to_validate(*_args, **_kwargs):
    raise AssertionError("validated again")


def test_an_unchanged_plan_file_is_not_parsed_after_its_second_read(tmp_path, monkeypatch):
    path = write(tmp_path, "plan.yaml", GOOD_YAML)
    first = loading.load_file(path)
    assert first.ok and loading.load_file(path).plan == first.plan
    monkeypatch.setattr(loading, "validate", refuse_to_validate)
    again = loading.load_file(path)
    assert again.plan == first.plan


def test_a_version_read_once_writes_no_cache_entry(tmp_path):
    path = write(tmp_path, "plan.yaml", GOOD_YAML)
    for n in range(3):  # three edits, each validated once, as while writing a plan
        write(tmp_path, "plan.yaml", GOOD_YAML.replace("title: A good plan", f"title: A good plan {n}"))
        assert loading.load_file(path).ok
    assert not list((data_dir() / "cache" / "plans").glob("*.pickle"))


def test_an_edited_plan_file_is_read_afresh(tmp_path):
    path = write(tmp_path, "plan.yaml", GOOD_YAML)
    assert loading.load_file(path).ok
    write(tmp_path, "plan.yaml", GOOD_YAML.replace("owner: bob\n", "owner: nobody\n"))
    result = loading.load_file(path)
    assert not result.ok and "unknown owner 'nobody'" in str(result.problems[0])


def test_a_broken_file_keeps_its_problems_from_the_cache_too(tmp_path):
    path = write(tmp_path, "plan.yaml", GOOD_YAML.replace("due: 2026-10-30", "due: 2026-10-32"))
    first = loading.load_file(path)
    loading.load_file(path)
    assert list((data_dir() / "cache" / "plans").glob("*.pickle"))
    third = loading.load_file(path)
    assert [str(p) for p in third.problems] == [str(p) for p in first.problems] != []


@pytest.mark.parametrize("damage", [b"", b"not a pickle"])
def test_a_damaged_cache_entry_is_a_miss(tmp_path, damage):
    path = write(tmp_path, "plan.yaml", GOOD_YAML)
    assert loading.load_file(path).ok and loading.load_file(path).ok
    for entry in (data_dir() / "cache" / "plans").glob("*.pickle"):
        entry.write_bytes(damage)
    assert loading.load_file(path).ok


def test_the_key_changes_with_the_file_and_with_the_validators_code(monkeypatch):
    before = plancache.key_for(b"same bytes", "plans/x.yaml")
    assert plancache.key_for(b"other bytes", "plans/x.yaml") != before
    monkeypatch.setattr(plancache, "_code_version", lambda: "a newer validator")
    assert plancache.key_for(b"same bytes", "plans/x.yaml") != before


def test_the_cache_keeps_the_versions_read_most_recently(tmp_path, monkeypatch):
    import os

    monkeypatch.setattr(plancache, "KEEP", 2)
    path = tmp_path / "plan.yaml"
    versions = [GOOD_YAML.replace("title: A good plan", f"title: A good plan {n}") for n in range(3)]
    keys = []
    for text in versions:
        write(tmp_path, "plan.yaml", text)
        keys.append(plancache.key_for(path.read_bytes(), loading.display_path(path)))
    folder = data_dir() / "cache" / "plans"
    for n, text in enumerate(versions[:2]):
        write(tmp_path, "plan.yaml", text)
        assert loading.load_file(path).ok and loading.load_file(path).ok  # cached on the 2nd read
        entry = folder / f"{keys[n]}.pickle"
        os.utime(entry, ns=(entry.stat().st_mtime_ns - 10**9 * (2 - n),) * 2)  # v0 older than v1
    write(tmp_path, "plan.yaml", versions[0])
    assert loading.load_file(path).ok  # v0 read again, from the cache: now the most recent
    write(tmp_path, "plan.yaml", versions[2])
    assert loading.load_file(path).ok and loading.load_file(path).ok  # v2 cached: one must go
    assert {entry.stem for entry in folder.glob("*.pickle")} == {keys[0], keys[2]}
