"""What probe tells about a media file (a plain record; editor/media/probe.py fills it in, stills.py for pictures)."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from fractions import Fraction


@dataclass
class AudioStreamInfo:
    index: int
    codec: str
    rate: int
    channels: int


@dataclass
class MediaInfo:
    path: str
    kind: str  # video | image | audio
    container: str
    duration: float  # seconds
    rate: Fraction | None = None
    frames: int | None = None
    width: int = 0
    height: int = 0
    rotation: int = 0
    pix_fmt: str = ""
    codec: str = ""
    audio: list[AudioStreamInfo] = field(default_factory=list)
    data_streams: int = 0
    alpha: bool = False  # the picture has transparency (composited over the tracks below)
    orientation: int = 1  # EXIF orientation of a still, already applied to width/height
    decoder: str = "ffmpeg"  # which library decodes the picture: "ffmpeg" or "pillow"

    @property
    def has_audio(self) -> bool:
        return bool(self.audio)

    def to_json(self) -> dict:
        d = asdict(self)
        d["rate"] = None if self.rate is None else str(self.rate)
        d["fps"] = None if self.rate is None else float(self.rate)
        return d
