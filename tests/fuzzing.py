"""Seeded mutation fuzzing of project (.seam) and timeline (.otio) files through `main.py render` / `main.py convert`.

Files run in batches through tests/fuzz_driver.py (one Python process imports everything once and runs the CLI entry
point per file); the parent watches each file with its own timeout, so a crash (signal) or a hang of the driver is
still pinned on the file that caused it, and the driver is restarted for the rest.

Outcomes: ok (accepted), refused (exit 2 with one clear `seamline: error: ...` line), and the failures: traceback,
signal, hang, unclear (an error line that says nothing a person can act on, or another exit status).
"""
from __future__ import annotations

import json
import math
import os
import random
import re
import select
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DRIVER = Path(__file__).resolve().parent / "fuzz_driver.py"
MUTATIONS = ("type_swap", "huge", "negative", "nan", "missing", "extra", "deep", "truncate", "encoding", "duplicate")
FAILURES = ("traceback", "signal", "hang", "unclear")


# -- mutations ----------------------------------------------------------------------------------------------------------
def _slots(doc, path=()):
    """Every (container, key) in a JSON document."""
    if isinstance(doc, dict):
        for k, v in doc.items():
            yield doc, k, path + (k,)
            yield from _slots(v, path + (k,))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            yield doc, i, path + (i,)
            yield from _slots(v, path + (i,))


_SWAPS = [None, True, "text", 7, 2.5, [], {}, [1, "a"], {"x": 1}, "", "30000/1001", -1]
_HUGE = [1e12, 1e308, 2 ** 63, 10 ** 30, 1e-300, 86_400_000, 2 ** 31]


def mutate(raw: bytes, rng: random.Random, kind: str | None = None) -> tuple[str, bytes]:
    kind = kind or rng.choice(MUTATIONS)
    if kind == "truncate":
        return kind, raw[:rng.randrange(max(1, len(raw)))]
    if kind == "encoding":
        choice = rng.randrange(4)
        text = raw.decode("utf-8", "replace")
        if choice == 0:
            return kind, text.encode("utf-16")
        if choice == 1:
            return kind, raw.replace(b'"', b'"\xe9\xff', 1)
        if choice == 2:
            b = bytearray(raw)
            for _ in range(rng.randint(1, 8)):
                b[rng.randrange(len(b))] = rng.randrange(256)
            return kind, bytes(b)
        return kind, b"\x00" * rng.randint(1, 64) + raw
    doc = json.loads(raw)
    slots = list(_slots(doc))
    if not slots:
        return "truncate", raw[: len(raw) // 2]
    holder, key, _ = rng.choice(slots)
    marker = "\u0000DEEP\u0000"
    if kind == "type_swap":
        holder[key] = rng.choice(_SWAPS)
    elif kind == "huge":
        holder[key] = rng.choice(_HUGE)
    elif kind == "negative":
        v = holder[key]
        holder[key] = -v if isinstance(v, (int, float)) and not isinstance(v, bool) and v else -rng.choice([1, 1e9])
    elif kind == "nan":
        holder[key] = rng.choice([math.nan, math.inf, -math.inf])
    elif kind == "missing":
        del holder[key]
    elif kind == "extra":
        target = holder if isinstance(holder, dict) else doc
        if isinstance(target, dict):
            target[rng.choice(["zzz_extra", "frames", "duration", "OTIO_SCHEMA", "version"])] = rng.choice(_SWAPS)
        else:
            holder.append(rng.choice(_SWAPS))
    elif kind == "duplicate":
        v = holder[key]
        if isinstance(holder, list):
            holder.insert(key, json.loads(json.dumps(v)))
        else:
            holder[key] = [v, v] if not isinstance(v, list) else v + v
    elif kind == "deep":
        holder[key] = marker
    text = json.dumps(doc, indent=1, allow_nan=True)
    if kind == "deep":
        depth = rng.choice([300, 3_000, 45_000, 70_000])
        text = text.replace(json.dumps(marker), "[" * depth + "]" * depth)
    return kind, text.encode("utf-8")


# -- running ------------------------------------------------------------------------------------------------------------
def classify(result: dict) -> str:
    if result.get("traceback") or "Traceback" in result.get("stderr", ""):
        return "traceback"
    rc = result.get("rc")
    lines = [x for x in result.get("stderr", "").splitlines() if x.strip()]
    errors = [x for x in lines if x.startswith("seamline: error: ")]
    if rc == 0:
        return "ok"
    if rc == 2 and len(errors) == 1 and errors[0] == lines[-1] and len(errors[0].split()) >= 5 and \
            not re.match(r"^seamline: error: [\w.']+$", errors[0]):
        return "refused"
    return "unclear"


def run_jobs(jobs: list[dict], workdir: Path, per_file_timeout: float = 30.0) -> list[dict]:
    """Run jobs ({"id", "cmd", "path"}) through the driver; one result per job with its "outcome"."""
    results: dict[str, dict] = {}
    pending = list(jobs)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen", "PYTHONFAULTHANDLER": ""}
    while pending:
        listing = workdir / f"jobs-{len(results)}.jsonl"
        listing.write_text("".join(json.dumps(j) + "\n" for j in pending))
        proc = subprocess.Popen([sys.executable, str(DRIVER), str(listing), str(workdir)], stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, cwd=str(workdir), env=env)
        current, buf, deadline = None, b"", time.monotonic() + 120  # start-up: imports
        fd = proc.stdout.fileno()
        try:
            while True:
                left = deadline - time.monotonic()
                ready, _, _ = select.select([fd], [], [], max(0.0, left))
                if not ready:
                    if current is not None:
                        results[current] = {"id": current, "outcome": "hang"}
                    proc.kill()
                    break
                chunk = os.read(fd, 65536)
                if not chunk:
                    proc.wait()
                    if current is not None:
                        results[current] = {"id": current, "outcome": "signal" if proc.returncode < 0 else "unclear",
                                            "rc": proc.returncode}
                    break
                buf += chunk
                while b"\n" in buf:
                    line, buf = buf.split(b"\n", 1)
                    if line.startswith(b"BEGIN "):
                        current = line[6:].decode()
                        deadline = time.monotonic() + per_file_timeout
                    elif line.startswith(b"RESULT "):
                        r = json.loads(line[7:])
                        r["outcome"] = classify(r)
                        results[r["id"]] = r
                        current = None
        finally:
            if proc.poll() is None:
                proc.kill()
            proc.wait()
            proc.stdout.close()
        done = set(results)
        nxt = [j for j in pending if j["id"] not in done]
        if len(nxt) == len(pending):  # the driver could not even start
            for j in nxt:
                results[j["id"]] = {"id": j["id"], "outcome": "unclear", "stderr": "driver did not start"}
            nxt = []
        pending = nxt
    return [dict(results[j["id"]], **{k: j[k] for k in ("cmd", "kind", "seed_file") if k in j}) for j in jobs]


def make_jobs(seeds: dict[str, list[bytes]], counts: dict[str, int], workdir: Path, seed: int = 1) -> list[dict]:
    """Mutated files written into workdir. seeds: suffix -> seed documents; counts: suffix -> how many."""
    rng = random.Random(seed)
    jobs = []
    for suffix, n in counts.items():
        for i in range(n):
            k = rng.randrange(len(seeds[suffix]))
            kind, data = mutate(seeds[suffix][k], rng)
            path = workdir / f"f{suffix[1:]}{i:05d}{suffix}"
            path.write_bytes(data)
            if suffix == ".seam":
                cmd = "render" if i % 4 else "convert"
            else:
                cmd = "convert" if i % 4 else "render"
            jobs.append({"id": path.name, "cmd": cmd, "path": str(path), "kind": kind, "seed_file": k})
    return jobs


def summary(results: list[dict]) -> dict:
    return {"files": len(results), "by_outcome": dict(Counter(r["outcome"] for r in results)),
            "failures_by_mutation": dict(Counter(r.get("kind") for r in results if r["outcome"] in FAILURES))}
