"""SMPTE timecode as the editor shows it: drop-frame at 29.97/59.94, through OpenTimelineIO."""
from fractions import Fraction

import pytest

from editor.timecode import parse_timecode, timecode

NTSC = Fraction(30000, 1001)


def test_one_hour_at_2997_reads_one_hour_drop_frame():
    hour = 107_892  # frames in one hour of 29.97 video (drop-frame skips 2 labels a minute, not every tenth)
    assert timecode(hour, NTSC) == "01:00:00;00"
    assert timecode(2 * hour, Fraction(60000, 1001)) == "01:00:00;00"
    assert parse_timecode("01:00:00;00", NTSC) == hour
    # the first labels of minute 1 are dropped: 00:00:59;29 is followed by 00:01:00;02
    assert timecode(1799, NTSC) == "00:00:59;29" and timecode(1800, NTSC) == "00:01:00;02"
    assert timecode(17982, NTSC) == "00:10:00;00"  # every tenth minute keeps its labels


@pytest.mark.parametrize("rate,frame,text", [
    (Fraction(25), 90_000, "01:00:00:00"),
    (Fraction(30), 108_000, "01:00:00:00"),
    (Fraction(24000, 1001), 86_400, "01:00:00:00"),  # 23.976 is non-drop by the standard
    (Fraction(24), 47, "00:00:01:23"),
    (Fraction(15), 52, "00:00:03:07"),  # no SMPTE timecode at 15 fps: plain frames of a second
    (Fraction(50), 0, "00:00:00:00"),
])
def test_timecode_round_trips(rate, frame, text):
    assert timecode(frame, rate) == text
    assert parse_timecode(text, rate) == frame


def test_every_frame_label_parses_back_to_its_frame():
    for rate in (NTSC, Fraction(60000, 1001), Fraction(25), Fraction(12)):
        for frame in range(0, 400_000, 1231):
            assert parse_timecode(timecode(frame, rate), rate) == frame


@pytest.mark.parametrize("text", ["garbage", "00:61:00:00", "00:00:00:30", "01:00:00;00"])
def test_bad_timecode_says_what_a_timecode_looks_like(text):
    with pytest.raises(ValueError, match="timecode"):
        parse_timecode(text, Fraction(30))


def test_the_views_show_the_same_timecode():
    pytest.importorskip("PySide6")
    from editor.ui.timeline_view import timecode as view_timecode

    assert view_timecode(107_892, NTSC) == "01:00:00;00"
