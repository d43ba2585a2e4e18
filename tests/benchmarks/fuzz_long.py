"""The long fuzz run (not in the default suite): 1,000 mutated .seam and 150 mutated .otio files through
`main.py render` / `main.py convert`, outcomes counted by kind.

    PYTHONPATH=. nice -n 5 python tests/benchmarks/fuzz_long.py [SEAM OTIO SEED]
"""
from __future__ import annotations

import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from fuzzing import FAILURES, MUTATIONS, make_jobs, run_jobs
from test_fuzz import fuzz_seeds


def main() -> int:
    n_seam, n_otio, seed = (int(x) for x in (sys.argv[1:4] if len(sys.argv) > 3 else (1000, 150, 424242)))
    with tempfile.TemporaryDirectory() as d:
        folder = Path(d)
        seeds = fuzz_seeds(folder)
        work = folder / "fuzz"
        work.mkdir()
        jobs = make_jobs(seeds, {".seam": n_seam, ".otio": n_otio}, work, seed=seed)
        t0 = time.monotonic()
        results = run_jobs(jobs, work, per_file_timeout=60)
        took = time.monotonic() - t0
    outcomes = ["ok", "refused", *FAILURES]
    print(f"fuzz: {len(results)} files in {took:.0f} s (seed {seed})")
    print(f"{'file / command':16}" + "".join(f"{o:>10}" for o in outcomes))
    for suffix in (".seam", ".otio"):
        for cmd in ("render", "convert"):
            rows = [r for r in results if r["id"].endswith(suffix) and r.get("cmd") == cmd]
            c = Counter(r["outcome"] for r in rows)
            print(f"{suffix + ' ' + cmd:16}" + "".join(f"{c.get(o, 0):>10}" for o in outcomes))
    print(f"{'mutation':16}" + "".join(f"{o:>10}" for o in outcomes))
    for kind in MUTATIONS:
        c = Counter(r["outcome"] for r in results if r.get("kind") == kind)
        print(f"{kind:16}" + "".join(f"{c.get(o, 0):>10}" for o in outcomes))
    bad = [r for r in results if r["outcome"] in FAILURES]
    for r in bad[:20]:
        print("FAILED", r["id"], r.get("kind"), r["outcome"], (r.get("traceback") or r.get("stderr") or "")[-800:])
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
