"""The .seam schema: versions and upgrades, limits with the JSON path of a bad value, unknown fields kept."""
import json
from pathlib import Path

import pytest

from editor.errors import ProjectError
from editor.project import load, save
from editor.project.schema import VERSION, from_document, json_schema, to_document

FIXTURES = Path(__file__).parent / "fixtures" / "v1"
ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("name", ["demo.seam", "holiday_2997.seam", "empty_vertical.seam"])
def test_version_1_files_load_as_the_version_1_code_read_them(name, tmp_path):
    expected = json.loads((FIXTURES / "expected.json").read_text())[name]
    p = load(FIXTURES / name)
    s = p.settings
    assert [s.width, s.height, str(s.rate), s.sample_rate, s.channels] == expected["settings"]
    assert {a.id: [a.kind, str(a.rate), a.frames, a.width, a.height, a.has_audio, a.name]
            for a in p.assets.values()} == expected["assets"]
    got = [{"id": t.id, "kind": t.kind, "name": t.name, "mute": t.mute, "solo": t.solo, "lock": t.lock,
            "volume": t.volume, "pan": t.pan,
            "clips": [[c.id, c.asset_id, c.start, c.duration, c.source_in, c.volume, c.pan, c.opacity, c.fade_in,
                       c.fade_out, c.link, c.name] for c in t.clips],
            "transitions": [[x.id, x.a, x.b, x.kind, x.duration] for x in t.transitions]} for t in p.tracks]
    assert got == expected["tracks"] and p.duration == expected["duration"]
    # saved again it is the current version and reads back the same
    save(p, tmp_path / name)
    assert json.loads((tmp_path / name).read_text())["version"] == VERSION
    assert load(tmp_path / name).state()["tracks"] == p.state()["tracks"]


def test_unknown_fields_survive_a_save(tmp_path):
    doc = json.loads((FIXTURES / "holiday_2997.seam").read_text())
    doc["made_by"] = {"tool": "a newer Seamline"}
    doc["tracks"][0]["colour"] = "teal"
    doc["tracks"][0]["clips"][0]["stabilise"] = {"strength": 0.5}
    doc["assets"][0]["camera"] = "Pixel 9"
    p = from_document(doc, FIXTURES)
    out = to_document(p, tmp_path)
    assert out["made_by"] == {"tool": "a newer Seamline"}
    assert out["tracks"][0]["colour"] == "teal"
    assert out["tracks"][0]["clips"][0]["stabilise"] == {"strength": 0.5}
    assert out["assets"][0]["camera"] == "Pixel 9"


def _doc_with(path, value):
    doc = json.loads((FIXTURES / "holiday_2997.seam").read_text())
    target = doc
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    return doc


@pytest.mark.parametrize("path,value,message", [
    (("tracks", 2, "clips", 0, "duration"), 10 ** 12, "tracks[2].clips[0].duration: must be <="),
    (("tracks", 0, "clips", 1, "duration"), 86_401 * 30, "tracks[0].clips[1].duration: must be <= 86400 s"),
    (("tracks", 0, "clips", 0, "volume"), 1e308, "tracks[0].clips[0].volume: must be <= 4"),
    (("tracks", 1, "clips", 0, "opacity"), "half", "tracks[1].clips[0].opacity: must be a number"),
    (("tracks", 0, "kind"), "hologram", "tracks[0].kind: must be one of"),
    (("settings", "width"), 10 ** 9, "settings.width: must be <= 16384"),
    (("settings", "rate"), "1/0", "settings.rate: must be a number"),
    (("settings", "rate"), "100000", "settings.rate: must be above 0 and at most"),
    (("assets", 1, "rate"), -25, "assets[1].rate: must be above 0"),
    (("assets", 0, "frames"), 30 * 86_400 * 2, "assets[0].frames: must be <= 86400 s"),
    (("assets", 2, "path"), 42, "assets[2].path: must be a file path"),
    (("tracks", 0, "clips", 0, "start"), -5, "tracks[0].clips[0].start: must be >= 0"),
    (("tracks", 0, "clips"), "none", "tracks[0].clips: must be a list"),
    (("name",), "x" * 20_000, "name: is too long"),
])
def test_a_bad_value_is_named_by_its_json_path(path, value, message):
    with pytest.raises(ProjectError) as err:
        from_document(_doc_with(path, value), FIXTURES)
    assert str(err.value).startswith(message), str(err.value)
    assert "\n" not in str(err.value)


def test_the_json_schema_file_in_the_repo_is_current():
    on_disk = json.loads((ROOT / "resources" / "seamline-project.schema.json").read_text())
    assert on_disk == json_schema(), "run: python -m editor.project.schema > resources/seamline-project.schema.json"


def test_a_saved_project_validates_against_the_json_schema(tmp_path):
    jsonschema = pytest.importorskip("jsonschema")
    save(load(FIXTURES / "demo.seam"), tmp_path / "p.seam")
    jsonschema.validate(json.loads((tmp_path / "p.seam").read_text()), json_schema())
