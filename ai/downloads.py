"""Every model a backend can use: where it is on disk, its licence, and downloading or removing it.

Downloads go into the standard Hugging Face cache (the same place `huggingface-cli download` puts them) through
huggingface_hub: the file list and sizes first (a dry run), then a free-space check, then file by file with the
bytes counted across the whole model (total, speed, time left). Cancel stops at the next chunk and keeps the partial
file; the next download resumes it. Only safetensors weights and configs are fetched (catalog.NOT_WANTED).
"""
from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ai.catalog import MODELS, NOT_WANTED, ModelCard, users_of
from ai.errors import AIError, JobCancelled, MissingPackage

SPACE_MARGIN = 1 << 30  # keep a gigabyte free beyond the download


class NotEnoughSpace(AIError):
    """The disk the models go to cannot hold the download."""


@dataclass
class ModelStatus:
    card: ModelCard
    present: bool
    folder: Path | None  # where it is on disk (the snapshot folder, or the local folder a setting points at)
    bytes_on_disk: int
    partial_bytes: int  # bytes of an interrupted download that the next download resumes
    users: list[str]


def hub_cache() -> Path:
    from huggingface_hub import constants

    return Path(constants.HF_HUB_CACHE)


def repo_folder(model_id: str) -> Path:
    return hub_cache() / ("models--" + model_id.replace("/", "--"))


def _tree_bytes(folder: Path, pattern: str = "*") -> int:
    total = 0
    if folder.is_dir():
        for p in folder.rglob(pattern):
            try:
                if p.is_file() and not p.is_symlink():
                    total += p.stat().st_size
            except OSError:
                pass
    return total


def status(model_id: str) -> ModelStatus:
    from ai.models import model_folder

    card = MODELS.get(model_id) or ModelCard(model_id, model_id, "pipeline", 0.0, "unknown", "no")
    folder = model_folder(model_id)
    blobs = repo_folder(model_id) / "blobs"
    on_disk = _tree_bytes(blobs) if folder is not None and hub_cache() in folder.parents else (
        _tree_bytes(folder) if folder is not None else 0)
    return ModelStatus(card, folder is not None, folder, on_disk, _tree_bytes(blobs, "*.incomplete"),
                       users_of(model_id))


def catalogue() -> list[ModelStatus]:
    """Every model any backend can use (the Models dialog's rows)."""
    return [status(m) for m in MODELS]


def _hub():
    try:
        import huggingface_hub
    except ImportError:
        from ai.models import how_to_get_ai

        raise MissingPackage(f"downloading models needs the huggingface_hub package: {how_to_get_ai()}") from None
    if huggingface_hub.constants.HF_HUB_OFFLINE:
        raise AIError("downloads are switched off on this machine (HF_HUB_OFFLINE=1); unset it to download models")
    return huggingface_hub


def plan(model_id: str, endpoint: str | None = None) -> tuple[str, list[tuple[str, int, bool]]]:
    """(revision, [(file, bytes, already here)]) of what a download of the model fetches."""
    hub = _hub()
    card = MODELS.get(model_id)
    try:
        infos = hub.snapshot_download(model_id, allow_patterns=list(card.files) if card else None,
                                      ignore_patterns=list(NOT_WANTED), endpoint=endpoint, dry_run=True)
    except Exception as exc:  # network, gated repo, unknown id: one line the user can act on
        raise AIError(_hub_problem(model_id, exc)) from None
    if not infos:
        raise AIError(f"{model_id} has no files Seamline can load (safetensors weights and configs)")
    return infos[0].commit_hash, [(i.filename, int(i.file_size or 0), bool(i.is_cached)) for i in infos]


def _hub_problem(model_id: str, exc: Exception) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    card = MODELS.get(model_id)
    if card is not None and card.gated and ("401" in text or "403" in text or "gated" in text.lower()):
        return (f"{model_id} asks you to accept its licence on huggingface.co and log in first "
                f"(`huggingface-cli login`); then download it again")
    return f"cannot download {model_id}: {text}"


class _Meter:
    """Counts bytes across every file of a download; reports total, speed and time left; cancels."""

    def __init__(self, total: int, done: int, report, cancelled):
        self.total, self.done, self.report, self.cancelled = total, done, report, cancelled
        self.window: list[tuple[float, int]] = [(time.monotonic(), done)]
        self.last = 0.0

    def speed(self) -> float:
        (t0, b0), (t1, b1) = self.window[0], self.window[-1]
        return (b1 - b0) / (t1 - t0) if t1 > t0 else 0.0

    def add(self, n: int) -> None:
        self.done += n
        now = time.monotonic()
        self.window.append((now, self.done))
        while len(self.window) > 2 and now - self.window[0][0] > 3.0:
            self.window.pop(0)
        if self.cancelled is not None and self.cancelled():
            raise JobCancelled("download cancelled (it resumes where it stopped next time)")
        if now - self.last >= 0.1 or self.done >= self.total:
            self.last = now
            self.report(self.done, self.total, self.speed())

    def tqdm_class(self):
        meter = self

        class Bar:  # what huggingface_hub expects of a tqdm class
            def __init__(self, *a, total=None, initial=0, **k):
                self.n = initial or 0

            def update(self, n=1):
                self.n += n
                meter.add(n)

            def __enter__(self):
                return self

            def __exit__(self, *a):
                return False

            def close(self):
                pass

            def set_description(self, *a, **k):
                pass

            def refresh(self, *a, **k):
                pass

        return Bar


def describe_bytes(done: int, total: int, speed: float) -> str:
    left = f", {(total - done) / speed:.0f} s left" if speed > 0 else ""
    return f"{done / 1e9:.2f} of {total / 1e9:.2f} GB at {speed / 1e6:.1f} MB/s{left}"


def download(model_id: str, progress: Callable[[float, str], None] | None = None,
             cancelled: Callable[[], bool] | None = None, endpoint: str | None = None,
             on_bytes: Callable[[int, int, float], None] | None = None) -> Path:
    """Fetch a model into the Hugging Face cache (resumable). Returns its snapshot folder."""
    hub = _hub()
    revision, files = plan(model_id, endpoint)
    total = sum(size for _, size, _ in files)
    partial = status(model_id).partial_bytes
    have = sum(size for _, size, cached in files if cached)
    need = max(0, total - have - partial)
    cache = hub_cache()
    cache.mkdir(parents=True, exist_ok=True)
    free = shutil.disk_usage(cache).free
    if need + SPACE_MARGIN > free:
        raise NotEnoughSpace(f"{model_id} needs {need / 1e9:.1f} GB more and {cache} has {free / 1e9:.1f} GB free; "
                             f"free some space (AI > Models > Remove, AI > Settings > Clear cache) or set HF_HOME to "
                             f"a bigger disk")

    def report(done: int, tot: int, speed: float) -> None:
        if on_bytes is not None:
            on_bytes(done, tot, speed)
        if progress is not None:
            progress(done / tot if tot else 1.0, describe_bytes(done, tot, speed))

    meter = _Meter(total, have + partial, report, cancelled)
    bar = meter.tqdm_class()
    folder = None
    for name, _, cached in files:
        if cached:
            continue
        if cancelled is not None and cancelled():
            raise JobCancelled("download cancelled (it resumes where it stopped next time)")
        try:
            path = hub.hf_hub_download(model_id, name, revision=revision, endpoint=endpoint, tqdm_class=bar)
        except JobCancelled:
            raise
        except OSError as exc:
            if getattr(exc, "errno", None) == 28:
                raise NotEnoughSpace(f"the disk filled up while downloading {model_id}; free some space and "
                                     f"download again (it resumes)") from None
            raise AIError(_hub_problem(model_id, exc)) from None
        except Exception as exc:
            raise AIError(_hub_problem(model_id, exc)) from None
        folder = Path(path).parent
    report(meter.total, meter.total, meter.speed())
    from ai.models import model_folder

    return model_folder(model_id) or folder or repo_folder(model_id)


def remove(model_id: str) -> int:
    """Delete a downloaded model from the Hugging Face cache (every revision); returns the bytes freed.
    Folders the user pointed a setting at are theirs: they are never deleted."""
    from ai.models import release

    folder = repo_folder(model_id)
    if not folder.is_dir():
        return 0
    release()  # a loaded pipeline may read the files being removed
    freed = _tree_bytes(folder)
    shutil.rmtree(folder)
    return freed


def disk_free(path: Path | None = None) -> int:
    p = path or hub_cache()
    while not p.exists() and p != p.parent:
        p = p.parent
    return shutil.disk_usage(p).free


def configured_folders() -> dict[str, str]:
    """Backends whose model setting points at a local folder (shown in the dialog with where they are)."""
    from ai.settings import load_user_settings

    return {k: v["model"] for k, v in load_user_settings().items() if isinstance(v, dict) and v.get("model")
            and os.path.isdir(os.path.expanduser(v["model"]))}
