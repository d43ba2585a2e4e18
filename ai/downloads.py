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


def _located(card: ModelCard) -> Path | None:
    """Where a model that does not come from the hub is (its `locate` function), or None."""
    import importlib

    module, _, func = card.locate.partition(":")
    try:
        return Path(getattr(importlib.import_module(module), func)())
    except (AIError, OSError, ImportError):
        return None


def status(model_id: str) -> ModelStatus:
    from ai.models import model_folder

    card = MODELS.get(model_id) or ModelCard(model_id, model_id, "pipeline", 0.0, "unknown", "no")
    if card.locate:
        where = _located(card)
        return ModelStatus(card, where is not None, where, where.stat().st_size if where else 0, 0,
                           users_of(model_id))
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
        import huggingface_hub.constants
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
                                      ignore_patterns=list(NOT_WANTED), endpoint=endpoint, dry_run=True,
                                      tqdm_class=_quiet_bar())
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


def _quiet_bar():
    """A tqdm class that shows nothing (huggingface_hub's own bars would go to the terminal)."""
    from tqdm.auto import tqdm

    class Quiet(tqdm):
        def __init__(self, *a, **k):
            k["disable"] = True
            super().__init__(*a, **k)

    return Quiet


class _Meter:
    """Counts bytes across every file of a download; reports total, speed and time left; cancels."""

    def __init__(self, total: int, done: int, report, cancelled):
        self.total, self.done, self.report, self.cancelled = total, done, report, cancelled
        self.window: list[tuple[float, int]] = [(time.monotonic(), done)]
        self.last = 0.0

    def speed(self) -> float:
        (t0, b0), (t1, b1) = self.window[0], self.window[-1]
        return (b1 - b0) / (t1 - t0) if t1 - t0 > 0.2 else 0.0

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

        class Bar(_quiet_bar()):  # counts into the meter (huggingface_hub calls update per chunk)
            def __init__(self, *a, **k):
                k["initial"] = 0  # resumed bytes are counted already
                super().__init__(*a, **k)

            def update(self, n=1):
                meter.add(n)
                return super().update(n)

        return Bar


def size_text(n: float) -> str:
    return f"{n / 1e9:.2f} GB" if n >= 1e9 else f"{n / 1e6:.1f} MB"


def describe_bytes(done: int, total: int, speed: float) -> str:
    left = f", {(total - done) / speed:.0f} s left" if speed > 0 else ""
    return f"{size_text(done)} of {size_text(total)} at {speed / 1e6:.1f} MB/s{left}"


def download(model_id: str, progress: Callable[[float, str], None] | None = None,
             cancelled: Callable[[], bool] | None = None, endpoint: str | None = None,
             on_bytes: Callable[[int, int, float], None] | None = None) -> Path:
    """Fetch a model into the Hugging Face cache, resuming any partial file. Returns its snapshot folder."""
    card = MODELS.get(model_id)
    if card is not None and card.locate:
        raise AIError(f"{card.title} does not come from the model hub: {card.note}")
    hub = _hub()
    revision, files = plan(model_id, endpoint)
    marker = card.marker if card else "model_index.json"
    files.sort(key=lambda f: (f[0] == marker, f[0]))  # the file that marks "present" comes last
    total = sum(size for _, size, _ in files)
    partial = status(model_id).partial_bytes
    have = sum(size for _, size, cached in files if cached)
    need = max(0, total - have - partial)
    repo = repo_folder(model_id)
    repo.mkdir(parents=True, exist_ok=True)
    free = disk_free(repo)
    if need + SPACE_MARGIN > free:
        raise NotEnoughSpace(f"{model_id} needs {need / 1e9:.1f} GB more and {repo.parent} has {free / 1e9:.1f} GB "
                             f"free; free some space (AI > Models > Remove, AI > Settings > Clear cache) or set "
                             f"HF_HOME to a bigger disk")

    def report(done: int, tot: int, speed: float) -> None:
        if on_bytes is not None:
            on_bytes(done, tot, speed)
        if progress is not None:
            progress(done / tot if tot else 1.0, describe_bytes(done, tot, speed))

    meter = _Meter(total, have + partial, report, cancelled)
    for name, _, cached in files:
        if cached:
            continue
        if cancelled is not None and cancelled():
            raise JobCancelled("download cancelled (it resumes where it stopped next time)")
        try:
            _fetch(hub, model_id, name, revision, endpoint, repo, meter)
        except (JobCancelled, NotEnoughSpace):
            raise
        except OSError as exc:
            if getattr(exc, "errno", None) == 28:
                raise NotEnoughSpace(f"the disk filled up while downloading {model_id}; free some space and "
                                     f"download again (it resumes)") from None
            raise AIError(_hub_problem(model_id, exc)) from None
        except Exception as exc:
            raise AIError(_hub_problem(model_id, exc)) from None
    (repo / "refs").mkdir(exist_ok=True)
    (repo / "refs" / "main").write_text(revision)
    report(meter.total, meter.total, meter.speed())
    return repo / "snapshots" / revision


def _fetch(hub, model_id: str, name: str, revision: str, endpoint, repo: Path, meter: "_Meter") -> None:
    """One file into the cache layout (blobs/<etag>, snapshots/<revision>/<name> -> the blob). The bytes go to
    blobs/<etag>.incomplete first, which a later call continues with an HTTP Range request."""
    from huggingface_hub.file_download import http_get
    from huggingface_hub.utils import build_hf_headers

    url = hub.hf_hub_url(model_id, name, revision=revision, endpoint=endpoint)
    headers = build_hf_headers()
    meta = hub.get_hf_file_metadata(url, headers=headers, endpoint=endpoint)
    etag = (meta.etag or "").strip('"') or f"{revision}-{name.replace('/', '-')}"
    blob = repo / "blobs" / etag
    blob.parent.mkdir(parents=True, exist_ok=True)
    if not blob.exists():
        part = blob.with_name(blob.name + ".incomplete")
        with open(part, "ab") as fh:
            done = fh.tell()
            if meta.size is None or done < meta.size:
                http_get(meta.location or url, fh, resume_size=done, headers=headers, expected_size=meta.size,
                         tqdm_class=meter.tqdm_class())
        if meta.size is not None and part.stat().st_size != meta.size:
            part.unlink()
            raise AIError(f"{name} of {model_id} arrived with the wrong size; download again")
        os.replace(part, blob)
    pointer = repo / "snapshots" / revision / name
    pointer.parent.mkdir(parents=True, exist_ok=True)
    if not pointer.exists():
        try:
            os.symlink(os.path.relpath(blob, pointer.parent), pointer)
        except OSError:  # a filesystem without symlinks: a copy
            shutil.copyfile(blob, pointer)


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
