"""Peak memory of the SVMLight reader on a file shaped like an MSLR-WEB30K fold.

``python -m benchmark.tools.memcheck_svmlight`` writes a synthetic LETOR file (default 3.7 million
rows x 136 dense features, MSLR-like values, ~120 documents per query) to a temporary folder,
then reads it with :func:`datasets.svmlight.read_svmlight` in a fresh child process. The child
reports its peak RSS (``ru_maxrss``) after its imports (the baseline) and after reading; the
figure is ``(peak - baseline) / (bytes of the float32 feature array)``. The target is at most
2.5. Generation and reading are timed; the file is deleted afterwards unless ``--keep``.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

TARGET = 2.5
POOL = 4096  # distinct feature lines, reused with fresh labels and qids


def generate(path: Path, rows: int, features: int, seed: int = 0, first_qid: int = 0) -> None:
    """Write ``rows`` LETOR lines (``label qid:q 1:v ... d:v``) with MSLR-like values, query
    ids from ``first_qid`` on (so the files of one folder do not share a query id)."""
    rng = np.random.default_rng(seed)
    counts = rng.gamma(0.7, 20, size=(POOL, features))
    values = np.where(rng.random((POOL, features)) < 0.5, np.round(counts), counts.round(4))
    pool = [" ".join(f"{j}:{v:g}" for j, v in enumerate(row, start=1)) for row in values]
    sizes = rng.integers(1, 240, size=rows // 60 + 2)
    query = first_qid + np.repeat(np.arange(len(sizes)), sizes)[:rows]
    labels = rng.integers(0, 5, size=rows)
    picks = rng.integers(0, POOL, size=rows)
    with open(path, "w") as fh:
        for start in range(0, rows, 100_000):
            stop = min(rows, start + 100_000)
            fh.write(
                "".join(
                    f"{lab} qid:{q} {pool[p]}\n"
                    for lab, q, p in zip(
                        labels[start:stop].tolist(),
                        query[start:stop].tolist(),
                        picks[start:stop].tolist(),
                        strict=True,
                    )
                )
            )


def peak_rss() -> int:
    """Peak resident set size of this process in bytes (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def child(path: Path) -> None:
    """Read ``path`` and print the memory figures as JSON (runs in a fresh process)."""
    from datasets.svmlight import read_svmlight

    baseline = peak_rss()
    started = time.perf_counter()
    data = read_svmlight(path)
    seconds = time.perf_counter() - started
    print(
        json.dumps(
            {
                "baseline_bytes": baseline,
                "peak_bytes": peak_rss(),
                "seconds": seconds,
                "shape": list(data.features.shape),
                "array_bytes": data.features.nbytes,
            }
        )
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmark.tools.memcheck_svmlight", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--rows", type=int, default=3_700_000)
    parser.add_argument("--features", type=int, default=136)
    parser.add_argument("--dir", type=Path, help="where to write the file (default: a temp dir)")
    parser.add_argument("--keep", action="store_true", help="keep the generated file")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child)
        return 0
    report = measure(args)
    return 0 if summary(report) <= TARGET else 1


def measure(args: argparse.Namespace) -> dict[str, Any]:
    """Generate the file, read it in a child process, return the child's figures."""
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        path = Path(tmp) / "mslr-shaped.txt"
        started = time.perf_counter()
        generate(path, args.rows, args.features)
        made = time.perf_counter() - started
        print(
            f"generated {path.stat().st_size / 1e9:.2f} GB ({args.rows:,} rows x "
            f"{args.features} features) in {made:.0f} s"
        )
        done = subprocess.run(
            [sys.executable, "-m", "benchmark.tools.memcheck_svmlight", "--child", str(path)],
            capture_output=True,
            text=True,
            check=True,
        )
        if args.keep:
            kept = Path(tmp).parent / path.name
            path.rename(kept)
            print(f"kept {kept}")
    report: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return report


def summary(report: dict[str, Any]) -> float:
    """Print the figures; return (peak - baseline) / array."""
    gb = {k: report[k] / 1e9 for k in ("array_bytes", "peak_bytes", "baseline_bytes")}
    ratio = (report["peak_bytes"] - report["baseline_bytes"]) / report["array_bytes"]
    rows, width = report["shape"]
    print(
        f"read {rows:,} x {width} in {report['seconds']:.0f} s; float32 array "
        f"{gb['array_bytes']:.3f} GB; peak RSS {gb['peak_bytes']:.3f} GB (after imports "
        f"{gb['baseline_bytes']:.3f} GB); (peak - baseline) / array = {ratio:.2f} "
        f"(target <= {TARGET})"
    )
    return float(ratio)


if __name__ == "__main__":
    sys.exit(main())
