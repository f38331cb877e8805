"""The content index at scale (issue 18): latency, recall, memory per posting, fit time and peak, shared snapshots.

For each N in ``--sizes`` (postings from the generator of ``bench_content_ranker.py``: real titles,
places and skill tags from ``../shared/data``), each in a fresh child process so that its memory
figures are its own:

* **baseline** (``--baseline REF``, default ``main``; skipped with ``--baseline none`` or for
  N > ``--baseline-max``): the ranker of git ``REF`` (its ``matching`` and ``vocab`` packages,
  extracted with ``git archive`` into a temporary directory) fitted in a child process — the
  old path, in the same run;
* **new, in-process**: this tree's ranker fitted with ``keep_docs=False``;
* the same fitted ranker with its n-gram candidate index rebuilt for each of ``--caps`` (other
  ``max_term_postings``; 0 = uncapped, the exact candidate search of before: every posting of
  every query n-gram), for the latency and recall each cap costs or saves (the top-10 overlap is
  against the same brute-force answers);
* **snapshot**: the new ranker saved (:meth:`ContentRanker.save`) and loaded memory-mapped by
  ``--workers`` processes at once (:meth:`ContentRanker.load`), each answering the queries; their
  answers are checked equal to the in-process ranker's (same ids and scores), and their PSS read
  from ``/proc/<pid>/smaps_rollup`` while all of them are alive.

Per configuration it prints: fit seconds; peak RSS growth during the fit (``VmHWM`` after resetting
it through ``/proc/self/clear_refs``, minus the RSS before the fit) per posting; steady RSS growth
per posting (after the fit, the caller's documents dropped, minus the RSS before the documents were
made: documents the index keeps count, documents it does not keep do not); the sum of ``nbytes``
of the index's arrays per posting; median and p99 of ``recommend(k=20)`` in milliseconds; the mean
top-10 overlap with brute force (``exhaustive=True``, on ``--brute-queries`` of the queries) and the
brute-force median. Run from the project root (``--sizes 1000000`` needs about 6 GB):

    .venv/bin/python bench/bench_index_scale.py [--sizes 100000 300000] [--queries 200]
        [--brute-queries 50] [--workers 4] [--baseline main] [--baseline-max 300000] [--json]
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
AS_OF = dt.date(2026, 1, 1)


def status() -> dict[str, int]:
    """``VmRSS`` and ``VmHWM`` of this process in bytes."""
    out = {}
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith(("VmRSS", "VmHWM")):
                out[line.split(":")[0]] = int(line.split()[1]) * 1024
    return out


def smaps_rollup(pid: int | str = "self") -> dict[str, int]:
    """``Rss``/``Pss``/``Pss_Anon``/``Pss_File`` of a process in bytes."""
    out = {}
    with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as fh:
        for line in fh:
            parts = line.split()
            if len(parts) == 3 and parts[2] == "kB":
                out[parts[0].rstrip(":")] = int(parts[1]) * 1024
    return out


def reset_peak() -> None:
    with open("/proc/self/clear_refs", "w", encoding="ascii") as fh:
        fh.write("5")


def array_bytes(obj: Any, seen: set[int] | None = None) -> int:
    """``nbytes`` of every numpy array reachable from ``obj`` through attributes, dicts, lists and
    sparse matrices (each array once; Python objects themselves are not counted)."""
    import numpy as np

    seen = set() if seen is None else seen
    if id(obj) in seen:
        return 0
    seen.add(id(obj))
    if isinstance(obj, np.ndarray):
        return int(obj.nbytes)
    if isinstance(obj, dict):
        return sum(array_bytes(v, seen) for v in obj.values())
    if isinstance(obj, (list, tuple)):
        return sum(array_bytes(v, seen) for v in obj[:1000]) if obj and not isinstance(obj[0], str) else 0
    if type(obj).__module__.startswith(("matching.", "scipy.")) and hasattr(obj, "__dict__"):
        return sum(array_bytes(v, seen) for k, v in vars(obj).items() if k != "taxonomy")
    if hasattr(obj, "__slots__") and type(obj).__module__.startswith("matching."):
        return sum(array_bytes(getattr(obj, s), seen) for s in obj.__slots__ if hasattr(obj, s))
    return 0


def p99(xs: list[float]) -> float:
    return sorted(xs)[min(len(xs) - 1, int(round(0.99 * (len(xs) - 1))))]


def workload(queries: int) -> tuple[list, list, Any]:
    """The posting templates, the seekers (same seeds in every process) and the taxonomy."""
    sys.path.insert(0, str(ROOT / "bench"))
    from bench_content_ranker import load_sources, make_seekers

    from matching.taxonomy import Taxonomy
    from vocab.text import normalise, tokens

    tokens(normalise("數控車床"))  # jieba's dictionary and OpenCC loaded outside the timings
    rows, titles = load_sources()
    seekers = make_seekers(queries, rows, titles, random.Random(20260101))
    try:
        taxonomy = Taxonomy.from_core()
    except FileNotFoundError:
        taxonomy = None
    return rows, seekers, taxonomy


def postings(n: int, rows: list) -> list:
    """``n`` postings (the same for a given ``n`` in every process)."""
    from bench_content_ranker import make_jobs

    return make_jobs(n, rows, random.Random(n))


def answer(ranker: Any, seekers: list, k: int) -> tuple[list[float], list[list[tuple[int, float]]]]:
    ranker.recommend(seekers[0], k=k)  # the normaliser's caches
    times, found = [], []
    for s in seekers:
        t0 = time.perf_counter()
        got = ranker.recommend(s, k=k)
        times.append((time.perf_counter() - t0) * 1000)
        found.append([(m.job_id, m.score) for m in got])
    return times, found


def child_fit(args: argparse.Namespace) -> dict[str, Any]:
    """Fit one configuration, answer the queries, optionally save a snapshot; figures as a dict."""
    templates, seekers, taxonomy = workload(args.queries)
    from matching.content import ContentRanker

    gc.collect()
    base = status()["VmRSS"]
    jobs = postings(args.n, templates)
    gc.collect()
    before_fit = status()["VmRSS"]
    params: dict[str, Any] = {"taxonomy": taxonomy, "as_of": AS_OF}
    if args.config != "baseline":
        params["keep_docs"] = False
    reset_peak()
    t0 = time.perf_counter()
    ranker = ContentRanker(**params).fit(jobs)
    fit_s = time.perf_counter() - t0
    peak = status()["VmHWM"] - before_fit
    del jobs
    gc.collect()
    steady = status()["VmRSS"] - base
    brute_t, exact_top = [], []
    for s in seekers[: args.brute_queries]:
        t0 = time.perf_counter()
        exact = ranker.recommend(s, k=args.k, exhaustive=True)
        brute_t.append((time.perf_counter() - t0) * 1000)
        exact_top.append({m.job_id for m in exact[:10]})
    caps: list[Any] = [None]  # the baseline: its own candidate search
    if args.config != "baseline":
        from matching.index import impact_ordered

        caps = [ranker.max_term_postings, *(c for c in args.caps if c != ranker.max_term_postings)]
    per_cap = []
    for cap in caps:
        if args.config != "baseline":
            ranker.text_columns_ = impact_ordered(ranker.table_.text, None if cap == 0 else cap)
            ranker.max_term_postings = None if cap == 0 else cap  # the text bounds read which lists are cut
        times, found = answer(ranker, seekers, args.k)
        overlaps = [
            len(top & {j for j, _ in got[:10]}) / max(1, len(top)) for top, got in zip(exact_top, found, strict=False)
        ]
        per_cap.append(
            {
                "cap": cap,
                "median_ms": statistics.median(times),
                "p99_ms": p99(times),
                "overlap10": statistics.mean(overlaps) if overlaps else float("nan"),
                "index_b": array_bytes(ranker.text_columns_) / args.n,
                "found": found,
            }
        )
    if args.config != "baseline":
        ranker.max_term_postings = caps[0]
        ranker.text_columns_ = impact_ordered(ranker.table_.text, ranker.max_term_postings)
    out = {
        "config": args.config,
        "n": args.n,
        "fit_s": fit_s,
        "peak_b": peak / args.n,
        "steady_b": steady / args.n,
        "arrays_b": array_bytes(ranker) / args.n,
        "brute_median_ms": statistics.median(brute_t) if brute_t else float("nan"),
        **{k: v for k, v in per_cap[0].items() if k != "cap"},
        "caps": per_cap[1:],
    }
    if args.save:
        t0 = time.perf_counter()
        ranker.save(args.save)
        out["save_s"] = time.perf_counter() - t0
        out["snapshot_b"] = sum(f.stat().st_size for f in Path(args.save).iterdir()) / args.n
    return out


def child_load(args: argparse.Namespace) -> None:
    """Load the snapshot memory-mapped, answer the queries, report, then wait (for the parent's PSS
    reading while every loader is alive) until stdin closes."""
    _, seekers, taxonomy = workload(args.queries)
    from matching.content import ContentRanker

    gc.collect()
    before = smaps_rollup()
    t0 = time.perf_counter()
    ranker = ContentRanker.load(args.load, taxonomy)
    load_s = time.perf_counter() - t0
    times, found = answer(ranker, seekers, args.k)
    print(
        json.dumps(
            {
                "load_s": load_s,
                "median_ms": statistics.median(times),
                "p99_ms": p99(times),
                "found": found,
                "pss_before": before["Pss"],
                "rss_before": before["Rss"],
            }
        ),
        flush=True,
    )
    sys.stdin.read()


def run_child(extra: list[str], pythonpath: str | None = None) -> dict[str, Any]:
    env = dict(os.environ)
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    proc = subprocess.run(
        [sys.executable, __file__, *extra], check=True, capture_output=True, text=True, env=env, cwd=ROOT
    )
    return json.loads(proc.stdout.strip().splitlines()[-1])


def baseline_tree(ref: str, into: Path) -> str:
    """``ref``'s ``matching`` and ``vocab`` packages extracted under ``into``; a PYTHONPATH for them
    (this tree's bench helpers stay importable through ``sys.path``)."""
    archive = subprocess.run(["git", "archive", ref, "matching", "vocab"], check=True, capture_output=True, cwd=ROOT)
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive.stdout, check=True)
    return str(into)


def shared_load(snapshot: str, args: argparse.Namespace, n: int) -> dict[str, Any]:
    """``args.workers`` processes loading ``snapshot``, one after the other (each answers its queries
    alone on the CPU), all alive at the end: their answers, load times, PSS."""
    procs, reports = [], []
    for _ in range(args.workers):
        p = subprocess.Popen(
            [
                sys.executable,
                __file__,
                "--child",
                "load",
                "--load",
                snapshot,
                "--queries",
                str(args.queries),
                "--k",
                str(args.k),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        procs.append(p)
        assert p.stdout is not None
        reports.append(json.loads(p.stdout.readline()))
    rollups = [smaps_rollup(p.pid) for p in procs]  # every loader alive and done answering
    for p in procs:
        assert p.stdin is not None
        p.stdin.close()
        p.wait()
    grown = [r["Pss"] - rep["pss_before"] for r, rep in zip(rollups, reports, strict=True)]
    return {
        "reports": reports,
        "pss_total_b": sum(grown) / n,
        "pss_per_worker_b": statistics.mean(grown) / n,
        "rss_per_worker_b": statistics.mean(
            r["Rss"] - rep["rss_before"] for r, rep in zip(rollups, reports, strict=True)
        )
        / n,
        "pss_file_b": statistics.mean(r.get("Pss_File", 0) for r in rollups) / n,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[100_000, 300_000])
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--brute-queries", type=int, default=50)
    ap.add_argument("--k", type=int, default=20)
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--baseline", default="main")
    ap.add_argument("--baseline-max", type=int, default=300_000)
    ap.add_argument(
        "--caps",
        type=int,
        nargs="*",
        default=[5_000, 10_000, 50_000, 0],
        help="other max_term_postings to time on the same fit (0: uncapped, the exact search)",
    )
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--child", choices=["fit", "load"], help=argparse.SUPPRESS)
    ap.add_argument("--config", default="new", help=argparse.SUPPRESS)
    ap.add_argument("--n", type=int, default=0, help=argparse.SUPPRESS)
    ap.add_argument("--save", default="", help=argparse.SUPPRESS)
    ap.add_argument("--load", default="", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child == "fit":
        print(json.dumps(child_fit(args)))
        return
    if args.child == "load":
        child_load(args)
        return
    common = ["--queries", str(args.queries), "--brute-queries", str(args.brute_queries), "--k", str(args.k)]
    common += ["--caps", *map(str, args.caps)]
    rows: list[dict[str, Any]] = []
    head = (
        f"{'N':>9} {'config':<10} {'fit s':>7} {'peak B/p':>9} {'steady B/p':>10} {'arrays B/p':>10} "
        f"{'med ms':>7} {'p99 ms':>7} {'brute ms':>8} {'top10 ovl':>9}"
    )
    print(head, flush=True)

    def show(r: dict[str, Any]) -> None:
        print(
            f"{r['n']:>9} {r['config']:<10} {r['fit_s']:>7.1f} {r['peak_b']:>9.0f} {r['steady_b']:>10.0f} "
            f"{r['arrays_b']:>10.0f} {r['median_ms']:>7.2f} {r['p99_ms']:>7.2f} {r['brute_median_ms']:>8.1f} "
            f"{r['overlap10']:>9.3f}",
            flush=True,
        )

    with tempfile.TemporaryDirectory(prefix="bench_index_") as tmp:
        old_path = None
        if args.baseline != "none":
            (Path(tmp) / "baseline").mkdir()
            old_path = baseline_tree(args.baseline, Path(tmp) / "baseline")
        for n in args.sizes:
            found: dict[str, Any] = {}
            if old_path and n <= args.baseline_max:
                r = run_child(["--child", "fit", "--config", "baseline", "--n", str(n), *common], old_path)
                found["baseline"] = r.pop("found")
                rows.append(r)
                show(r)
            snap = str(Path(tmp) / f"snap{n}")
            r = run_child(["--child", "fit", "--config", "new", "--n", str(n), "--save", snap, *common])
            found["new"] = r.pop("found")
            rows.append(r)
            show(r)
            for c in r["caps"]:
                found[f"cap{c['cap']}"] = c.pop("found")
                print(
                    f"{n:>9} {'cap ' + (str(c['cap']) if c['cap'] else 'none'):<10} {'':>7} {'':>9} {'':>10} "
                    f"{c['index_b']:>10.0f} {c['median_ms']:>7.2f} {c['p99_ms']:>7.2f} {'':>8} {c['overlap10']:>9.3f}",
                    flush=True,
                )
            shared = shared_load(snap, args, n)
            same = all(rep["found"] == found["new"] for rep in shared["reports"])
            lat = [rep["median_ms"] for rep in shared["reports"]]
            p99s = [rep["p99_ms"] for rep in shared["reports"]]
            print(
                f"{n:>9} snapshot   {rows[-1]['snapshot_b']:.0f} B/posting on disk, saved in {rows[-1]['save_s']:.1f} s; "
                f"{args.workers} workers loading it: load {statistics.median(r_['load_s'] for r_ in shared['reports']):.2f} s, "
                f"PSS growth {shared['pss_per_worker_b']:.0f} B/posting per worker "
                f"({shared['pss_total_b']:.0f} for all {args.workers}; RSS growth {shared['rss_per_worker_b']:.0f} each), "
                f"median {statistics.median(lat):.2f} ms p99 {max(p99s):.2f} ms, "
                f"answers equal to the in-process index: {same}",
                flush=True,
            )
            if "baseline" in found:
                base = next(x for x in rows if x["n"] == n and x["config"] == "baseline")
                new = next(x for x in rows if x["n"] == n and x["config"] == "new")
                exact_same = found.get("cap0") == found["baseline"]
                print(
                    f"{n:>9} ratios new/baseline: steady {new['steady_b'] / base['steady_b']:.2f}, "
                    f"peak {new['peak_b'] / base['peak_b']:.2f}, fit {new['fit_s'] / base['fit_s']:.2f}, "
                    f"median {new['median_ms'] / base['median_ms']:.2f}, p99 {new['p99_ms'] / base['p99_ms']:.2f}; "
                    f"exact-candidate answers equal to the baseline's (ids and scores): {exact_same}",
                    flush=True,
                )
            rows.append({"n": n, "config": "snapshot", **{k: v for k, v in shared.items() if k != "reports"}})
    if args.json:
        print(json.dumps(rows))


if __name__ == "__main__":
    main()
