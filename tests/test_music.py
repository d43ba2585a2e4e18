"""Music on the timeline: the music track, ducking under speech found by voice activity, beats on clips, cut to
the beat."""
from fractions import Fraction

import numpy as np
import pytest
import soundfile as sf

from editor.actions.media import clips_for_asset, ensure_track, import_asset
from editor.actions.music import add_music, duck_music, find_speech, is_music_drop
from editor.render.mixer import AudioMixer
from editor.timeline import edits
from editor.timeline.keyframes import values
from editor.timeline.music_edits import (beat_frames, clip_beats, cut_to_beat, music_tracks, set_rhythm, snap)
from editor.timeline.model import Clip, Project, ProjectSettings
from editor.timeline.validate import problems
from songgen import song, speech, write_wav

RATE = Fraction(30)


def _speech_project(tmp_path, at=(3.0, 11.0)):
    """A song on the music track and espeak speech on A1 at known times; returns (project, speech spans)."""
    p = Project(settings=ProjectSettings(160, 90, RATE))
    audio, _, _ = song(bpm=120, bars=10, sr=48000)
    p = add_music(p, write_wav(tmp_path / "song.wav", audio * 0.6, 48000))
    wav = speech(tmp_path / "speech.wav", "Hello grandma, this is our summer at the lake.")
    x, sr = sf.read(str(wav))
    level = np.abs(x) > 0.02
    first, last = np.argmax(level) / sr, (len(x) - np.argmax(level[::-1])) / sr
    asset = import_asset(p, wav)
    p = edits.add_asset(p, asset)
    p = edits.add_track(p, "audio", name="Voices", track_id="voices", index=0)
    spans = []
    for t in at:
        start = int(round(t * 30))
        for _, c in clips_for_asset(p, asset, start):
            p = edits.overwrite(p, "voices", c)
        spans.append((start / 30 + first, start / 30 + last))
    return p, spans


def test_a_sound_file_on_an_empty_timeline_is_music(tmp_path):
    p = Project(settings=ProjectSettings(160, 90, RATE))
    wav = write_wav(tmp_path / "s.wav", song(bars=2, sr=48000)[0], 48000)
    assert is_music_drop(p, import_asset(p, wav))
    p = add_music(p, wav)
    (t,) = music_tracks(p)
    assert t.kind == "audio" and t.role == "music" and t.ducking.amount_db == -12 and len(t.clips) == 1
    assert not problems(p)


def test_ducking_dips_the_music_under_the_speech_and_nowhere_else(tmp_path):
    p, spans = _speech_project(tmp_path)
    found = find_speech(p)
    assert len(found) >= 2
    for a, b in spans:  # every spoken stretch is found, to within a quarter second
        hits = [r for r in found if r[1] > a and r[0] < b]
        assert hits and abs(hits[0][0] - a) < 0.25 and abs(hits[-1][1] - b) < 0.35
    ducked = duck_music(p)
    assert not problems(ducked)
    music = music_tracks(ducked)[0]
    clip = music.clips[0]
    keys = clip.keyframes["volume"]
    frames = np.arange(clip.duration)
    gain_db = 20 * np.log10(values(keys, frames, clip.volume) / clip.volume)
    t = (clip.start + frames) / 30
    for a, b in spans:
        inside = (t >= a) & (t <= b)
        assert gain_db[inside].max() <= -11.9  # fully down while words are spoken
        before = (t < a - music.ducking.attack - 0.05) & (t > a - 1.5)
        assert gain_db[before].min() > -0.01  # not earlier than the attack
    assert gain_db[(t > spans[0][1] + 2.0) & (t < spans[1][0] - 1.0)].min() > -0.01  # back up between
    # what plays: the music 12 dB down under the words, the words as loud as before
    m0, m1 = AudioMixer(p), AudioMixer(ducked)
    a, b = spans[0]
    f0, f1 = int(a * 30) + 3, int(b * 30) - 3

    def level(mixer, track_ids):
        solo = mixer.project.model_copy(update={"tracks": tuple(
            x.model_copy(update={"mute": x.id not in track_ids}) for x in mixer.project.tracks)})
        y = AudioMixer(solo).mix(f0, f1)
        return 20 * np.log10(np.sqrt(np.mean(y ** 2)) + 1e-12)

    assert level(m0, {music.id}) - level(m1, {music.id}) == pytest.approx(12, abs=0.5)
    assert level(m1, {"voices"}) == pytest.approx(level(m0, {"voices"}), abs=0.01)


def test_beats_on_the_timeline_snapping_and_cut_to_the_beat(tmp_path):
    p = Project(settings=ProjectSettings(160, 90, RATE))
    audio, beats, downs = song(bpm=100, bars=8, sr=48000)
    p = add_music(p, write_wav(tmp_path / "song.wav", audio, 48000))
    music = music_tracks(p)[0]
    aid = music.clips[0].asset_id
    p = set_rhythm(p, aid, 100.0, beats, downs, downs[::4])
    p = edits.trim(p, music.clips[0].id, "in", 15)  # the song starts half a second in: ticks move with it
    clip = music_tracks(p)[0].clips[0]
    ticks = clip_beats(p, clip)
    assert ticks[0] == clip.start + round((beats[1] - 0.5) * 30)
    grid = beat_frames(p)
    assert snap(grid[3] + 4, grid, 5) == grid[3] and snap(grid[3] + 9, grid, 5) == grid[3] + 9
    # two photos cut by hand off the beat
    img = tmp_path / "p.png"
    import cv2

    cv2.imwrite(str(img), np.full((90, 160, 3), 128, np.uint8))
    asset = import_asset(p, img)
    p = edits.add_asset(p, asset)
    p, vt = ensure_track(p, "video")
    p = edits.overwrite(p, vt, Clip(id="a", asset_id=asset.id, start=0, duration=grid[4] + 5))
    p = edits.overwrite(p, vt, Clip(id="b", asset_id=asset.id, start=grid[4] + 5, duration=50))
    p = edits.overwrite(p, vt, Clip(id="c", asset_id=asset.id, start=grid[4] + 55, duration=40))
    before = p
    p = cut_to_beat(p, ["a", "b"])
    v = p.track(vt)
    assert v.clip("a").end == grid[4] and v.clip("b").start == grid[4]
    assert v.clip("b").end in grid and v.clip("c").start == v.clip("b").end  # still touching, on a beat
    assert music_tracks(p)[0].clips == music_tracks(before)[0].clips  # the music stays put
    assert not problems(p)
