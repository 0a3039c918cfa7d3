"""Returns (`programme export`): the GMPP-style CSV files read back with the csv module give
exactly what was exported, hostile text included; the JSON document carries the same rows."""

from __future__ import annotations

import csv
import json
import sys

import pytest
from test_highlight import RAID, raid_folder, raid_snap  # noqa: F401  (fixtures)

from programme.cli import main
from programme.reports.export import TABLES, rows

HOSTILE = 'Providers, "quoted" & <b>bold</b>\nover two lines; naïve café — 50%'


def export(monkeypatch, folder, home, *args) -> int:
    monkeypatch.setenv("PROGRAMME_HOME", str(home))
    monkeypatch.setenv("PROGRAMME_PLANS", str(folder))
    monkeypatch.setattr(sys, "argv", ["programme", "export", *args])
    with pytest.raises(SystemExit) as exc:
        main()
    return exc.value.code or 0


@pytest.fixture
def hostile_folder(raid_folder, tmp_path):  # noqa: F811
    folder = tmp_path / "plans"
    folder.mkdir()
    for path in raid_folder.iterdir():
        text = path.read_text(encoding="utf-8").replace(
            "title: Providers do not come to the market engagement event",
            f"title: {json.dumps(HOSTILE)}")
        (folder / path.name).write_text(text, encoding="utf-8")
    return folder


def read(folder, name):
    with open(folder / f"{name}.csv", newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        return reader.fieldnames, list(reader)


def test_gmpp_csv_round_trips_through_the_csv_module(hostile_folder, tmp_path, monkeypatch):
    out = tmp_path / "returns"
    assert export(monkeypatch, hostile_folder, tmp_path / "home", "commissioning-academy-100-day",
                  "--format", "gmpp-csv", "-o", str(out), "--as-of", "2026-11-23") == 0
    from programme.planfiles.loading import load_file
    from programme.store import Store
    from programme.usecases.digest import collect
    from programme.usecases.workspace import Workspace, parse_moment

    plan = load_file(hostile_folder / "commissioning-academy-100-day.yaml").plan
    store = Store()
    expected = rows(collect(Workspace(store, hostile_folder), plan,
                            parse_moment("2026-11-23", plan.timezone)))
    store.close()
    for name, columns in TABLES.items():
        header, table = read(out, name)
        assert tuple(header) == columns
        assert table == expected[name], name
    _, risks = read(out, "risks")
    assert [r["Risk title"] for r in risks if r["Risk ID"] == "R2"] == [HOSTILE]
    _, project = read(out, "project")
    p = project[0]
    assert p["Delivery confidence assessment"] in ("Green", "Amber", "Red")
    assert p["DCA scale"] == "three-point"
    assert p["Senior responsible owner"] == "Martin Okafor"
    assert p["Budget baseline"] == "180000" and p["Budget forecast"] == "192000"
    assert p["Forecast end date"] and p["Schedule narrative"].startswith("The end is forecast")
    _, milestones = read(out, "milestones")
    assert len(milestones) == 22 and {m["Project ID"] for m in milestones} == {p["Project ID"]}


def test_json_return_carries_each_project_with_its_tables(raid_folder, tmp_path,  # noqa: F811
                                                          monkeypatch):
    path = tmp_path / "return.json"
    assert export(monkeypatch, raid_folder, tmp_path / "home", "--all", "--format", "json",
                  "-o", str(path), "--as-of", "2026-11-23") == 0
    doc = json.loads(path.read_text(encoding="utf-8"))
    (project,) = doc["projects"]
    assert project["Project ID"] == "commissioning-academy-100-day"
    assert [r["Risk ID"] for r in project["risks"]] == ["R1", "R2"]
    assert [i["Issue ID"] for i in project["issues"]] == ["I1"]
    assert doc["columns"]["project"] == list(TABLES["project"])


def test_export_mistakes_are_one_line(raid_folder, tmp_path, monkeypatch, capsys):  # noqa: F811
    assert export(monkeypatch, raid_folder, tmp_path / "home", "--format", "xml", "--all") == 1
    assert export(monkeypatch, raid_folder, tmp_path / "home") == 1
    err = capsys.readouterr().err
    assert "--format 'xml': use gmpp-csv or json" in err and "give either a PLAN or --all" in err
    assert "Traceback" not in err


_ = RAID
