"""A project that moves: generated media beside it in `<name> media/`, Save As / Collect files copy what it uses,
relink by folder finds moved media (issue 16 bug 10 and "project portability")."""
import json
import shutil
from fractions import Fraction
from pathlib import Path

from editor.project import portable
from editor.project.fileio import load, missing_media, save
from editor.timeline.model import Clip, MediaAsset, Project, ProjectSettings, Track


def make(tmp_path):
    from mediagen import indexed_video

    (tmp_path / "camera").mkdir()
    src = indexed_video(tmp_path / "camera" / "dog.mp4", 60, Fraction(30))
    job = tmp_path / "data" / "generated" / "fill-abc123"
    job.mkdir(parents=True)
    shutil.copy(src, job / "fill.mp4")
    (job / "provenance.json").write_text(json.dumps({"tool": "fill-transition"}))
    assets = {"dog": MediaAsset(id="dog", path=str(src), kind="video", rate=Fraction(30), frames=60),
              "fill": MediaAsset(id="fill", path=str(job / "fill.mp4"), kind="video", rate=Fraction(30), frames=60,
                                 provenance={"tool": "fill-transition"})}
    v = Track(id="v", kind="video", clips=(Clip(id="a", asset_id="dog", start=0, duration=60),
                                           Clip(id="b", asset_id="fill", start=60, duration=60)))
    return Project(settings=ProjectSettings(160, 96, Fraction(30)), assets=assets, tracks=(v,))


def test_media_folder_is_named_after_the_project():
    assert portable.media_folder("/x/Holiday.seam") == Path("/x/Holiday media")
    assert portable.generated_folder("/x/Holiday.seam") == Path("/x/Holiday media/generated")


def test_save_as_copies_generated_media_and_the_folder_pair_moves(tmp_path):
    p = make(tmp_path)
    where = tmp_path / "projects" / "Holiday.seam"
    where.parent.mkdir()
    save(p, where)
    copies = portable.plan(p, where)  # generated only
    assert [(aid, dst.relative_to(tmp_path / "projects").as_posix()) for aid, _, dst in copies] == [
        ("fill", "Holiday media/generated/fill-abc123/fill.mp4")]
    moved = portable.collect(copies)
    assert (tmp_path / "projects" / "Holiday media" / "generated" / "fill-abc123" / "provenance.json").exists()
    p = portable.repoint(p, moved)
    save(p, where)
    # move the project folder to another disk (here: another folder) and lose the user's data folder
    shutil.move(str(tmp_path / "projects"), str(tmp_path / "elsewhere"))
    shutil.rmtree(tmp_path / "data")
    q = load(tmp_path / "elsewhere" / "Holiday.seam")
    assert Path(q.assets["fill"].path).exists()  # the fill came along
    assert [a.id for a in missing_media(q)] == []  # the camera file is still where it was


def test_collect_files_copies_everything_and_nothing_twice(tmp_path):
    p = make(tmp_path)
    where = tmp_path / "p" / "Trip.seam"
    where.parent.mkdir()
    save(p, where)
    copies = portable.plan(p, where, everything=True)
    assert {aid for aid, _, _ in copies} == {"dog", "fill"}
    seen = []
    p = portable.repoint(p, portable.collect(copies, progress=lambda f, name: seen.append(f)))
    assert seen[-1] == 1.0
    assert all(Path(a.path).is_relative_to((tmp_path / "p" / "Trip media").resolve()) for a in p.assets.values())
    assert portable.plan(p, where, everything=True) == []  # already collected
    assert not list((tmp_path / "p" / "Trip media").rglob("*.part"))


def test_find_missing_media_in_a_folder(tmp_path):
    p = make(tmp_path)
    save(p, tmp_path / "p.seam")
    (tmp_path / "new disk" / "videos").mkdir(parents=True)
    shutil.move(str(tmp_path / "camera" / "dog.mp4"), str(tmp_path / "new disk" / "videos" / "dog.mp4"))
    q = load(tmp_path / "p.seam")
    assert [a.id for a in missing_media(q)] == ["dog"]
    found = portable.find_missing(q, tmp_path / "new disk")
    assert found == {"dog": str(tmp_path / "new disk" / "videos" / "dog.mp4")}
    from editor.actions.media import relink

    q = relink(q, "dog", found["dog"])
    assert not missing_media(q)


def test_a_saved_documents_generated_dir_is_beside_it(tmp_path):
    import pytest

    pytest.importorskip("PySide6")
    from editor.ui.document import Document

    d = Document()
    try:
        assert "data" in str(d.generated_dir()) or "seamline" in str(d.generated_dir())
        d.save(tmp_path / "Beach.seam")
        assert d.generated_dir() == tmp_path / "Beach media" / "generated"
    finally:
        d.close()
