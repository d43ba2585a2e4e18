"""Where Seamline keeps the user's files: the platform's folders (platformdirs), overridable by environment."""
from pathlib import Path

from editor.resources import cache_dir, config_dir, data_dir


def test_folders_follow_the_platform_and_the_overrides(monkeypatch, tmp_path):
    for var in ("SEAMLINE_DATA", "SEAMLINE_CACHE", "SEAMLINE_CONFIG"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xd"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xc"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xg"))
    assert (data_dir(), cache_dir(), config_dir()) == (tmp_path / "xd/seamline", tmp_path / "xc/seamline",
                                                       tmp_path / "xg/seamline")
    monkeypatch.setenv("SEAMLINE_DATA", str(tmp_path / "d"))
    monkeypatch.setenv("SEAMLINE_CACHE", str(tmp_path / "c"))
    monkeypatch.setenv("SEAMLINE_CONFIG", str(tmp_path / "g"))
    assert (data_dir(), cache_dir(), config_dir()) == (Path(tmp_path / "d"), Path(tmp_path / "c"),
                                                       Path(tmp_path / "g"))
