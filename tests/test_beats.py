"""Beats, bars and phrases: against click tracks of known tempo and a song-like piece whose beat is known."""
import os
import time

import numpy as np
import pytest

from ai.errors import AIError
from ai.music.beats import analyse, analyse_file
from songgen import click_track, song, write_wav

SR = 22050


def _errors(found, truth):
    return np.array([np.min(np.abs(np.asarray(truth) - t)) for t in found])


@pytest.mark.parametrize("bpm", [120.0, 97.0])
def test_beats_of_a_click_track_of_known_tempo(bpm):
    y, truth = click_track(bpm, 16.0, SR, offset=0.37)
    g = analyse(y, SR)
    assert g.tempo == pytest.approx(bpm, rel=0.02)
    err = _errors(g.beats, truth)
    assert len(g.beats) >= len(truth) - 2
    assert np.median(err) < 0.01 and err.max() < 0.03  # on the click, not the onset detector's late peak
    assert g.beats[0] >= 0.3  # no beat made up in the silence before the first click


def test_downbeats_and_phrases_of_a_song():
    audio, beats, downbeats = song(bpm=96, bars=12, sr=SR, lead_in=1.3, seed=2)
    g = analyse(audio, SR)
    assert np.median(_errors(g.beats, beats)) < 0.01
    assert np.max(_errors(g.downbeats, downbeats)) < 0.03  # bars start on the chord changes, not a beat off
    assert len(g.downbeats) >= len(downbeats) - 1
    phrase_starts = downbeats[::4]
    assert np.max(_errors(g.phrases, phrase_starts)) < 0.03


def test_analysis_of_a_file_is_cached_and_silence_is_refused(tmp_path):
    audio, _, _ = song(bpm=124, bars=6, sr=44100)
    wav = write_wav(tmp_path / "song.wav", audio, 44100)
    first = analyse_file(wav)
    t = time.perf_counter()
    again = analyse_file(wav)
    assert again == first and time.perf_counter() - t < 0.5
    silent = write_wav(tmp_path / "silent.wav", np.zeros((44100 * 4, 2), np.float32), 44100)
    with pytest.raises(AIError, match="silent"):
        analyse_file(silent)


def test_the_bundle_keeps_numba_kernels_in_seamlines_cache_folder_or_else_a_run_folder(tmp_path, monkeypatch):
    """In the desktop bundle librosa's modules have no source file: numba must still find a place for its cache
    (else importing librosa fails), never ~/.cache/numba; see tests/test_packaging.py for the real bundle."""
    import sys
    from pathlib import Path

    from numba.core import caching, config

    from ai.music import numba_cache

    def kernel(x):
        return x + 1

    def cache_path():
        numba_cache.use_cache_folder()
        return Path(caching.FunctionCache(kernel).cache_path)

    keys = ("NUMBA_CACHE_DIR", "NUMBA_CACHE_LOCATOR_CLASSES")
    saved, before = {k: os.environ.get(k) for k in keys}, (config.CACHE_DIR, config.CACHE_LOCATOR_CLASSES)
    try:
        with monkeypatch.context() as m:
            m.setattr(sys, "frozen", True, raising=False)
            for k in keys:
                os.environ.pop(k, None)
            m.setenv("SEAMLINE_CACHE", str(tmp_path / "cache"))
            assert cache_path().is_relative_to(tmp_path / "cache" / "numba")
            os.environ.pop("NUMBA_CACHE_DIR")
            (tmp_path / "file").write_text("no folder can be made under a file")
            m.setenv("SEAMLINE_CACHE", str(tmp_path / "file" / "cache"))
            run_folder = cache_path()
            assert run_folder.is_dir() and "seamline-numba-" in str(run_folder)
            os.environ["NUMBA_CACHE_DIR"] = str(tmp_path / "mine")  # the user's own choice wins
            assert cache_path().is_relative_to(tmp_path / "mine")
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        config.reload_config()
    assert (config.CACHE_DIR, config.CACHE_LOCATOR_CLASSES) == before  # nothing leaks into the other tests
