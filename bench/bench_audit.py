"""Speed of the exact suppression audit (:func:`service.reports.audit.protect`): the per-cell form
(one integer program built from scratch for each hidden cell's minimum and maximum) against the
fast one, on one school's report and on a province's, in one run.

The reports are made here, without a database: random graduates counted into the real count
columns of every row they belong to (total, province, city, county, school, major, cohort,
gender, 困难群体), with the real relations of a report (:func:`service.reports.build._relations`).

- school: one school of 600 graduates in 12 majors;
- province: 21 cities × 6 counties, 450 schools (a tenth filed at city level), 80 majors,
  135,000 graduates (300 a school);
- national: 31 provinces × 4 cities × 3 counties, 2,000 schools, 60 majors, 300,000 graduates (the
  shape of bench/bench_reports.py's national report, smaller schools) — new audit only: the per-cell
  one would take hours, and the audit before the decomposition (one program for the whole country)
  did not finish in 15 minutes.

Prints the median seconds of ``--runs`` runs of each, the ratio, and the size of each report
(cells, cells hidden). Run from the project root:

    .venv/bin/python bench/bench_audit.py [--runs 3] [--old-runs 1] [--skip-old-province] [--old-province-protect]

The old protect() of the province is left out unless asked for: it repeats the old audit (minutes
each) for every round until the pattern passes.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from service.catalog.regions import city_of
from service.reports.build import _implied, _parents, _relations
from service.reports.definitions import DEFAULT_SALARY_EDGES, JOB_CATEGORIES, count_columns, salary_bands

ROOT = Path(__file__).resolve().parents[1]
T = TypeVar("T")

BANDS = [col for col, _, _, _ in salary_bands()]
THRESHOLD = 5


def _columns(rng: random.Random) -> set[str]:
    """One graduate's 0/1 columns, consistent with every row relation (as compute.outcome_of),
    with shares like a real cohort's (most employed or studying, few conscripts or abroad)."""
    cols = {"graduates"}
    r = rng.random()
    if r < 0.62:
        cat = rng.choices(list(JOB_CATEGORIES), weights=[20, 45, 25, 5, 5])[0]
    elif r < 0.64:
        cat = "military"
    elif r < 0.86:
        cat = "further_study"
    elif r < 0.87:
        cat = "abroad"
    else:
        cat = rng.choice(["seeking", "seeking", "not_seeking", "unknown"])
    cols.add(cat)
    if cat in (*JOB_CATEGORIES, "military"):
        cols.add("employed")
        if cat != "military":
            cols.add("employed_in_jobs")
            cols.add(rng.choices(["in_field", "not_in_field", "in_field_unknown"], weights=[6, 3, 1])[0])
            cols.add(rng.choices(["local", "not_local"], weights=[7, 3])[0])
            cols.add(rng.choices(["contract", "no_contract", "contract_unknown"], weights=[6, 2, 2])[0])
            cols.add(rng.choices(["insured", "not_insured", "insurance_unknown"], weights=[5, 2, 3])[0])
        if rng.random() < 0.8:
            cols.update(("salary_known", rng.choices(BANDS, weights=[3, 20, 35, 25, 10, 7])[0]))
        else:
            cols.add("salary_unknown")
    cols.update(("q2_measurable", "q2_employed" if "employed" in cols else "q2_not_employed"))
    cols.add("q4_unmeasurable")
    return cols


def report(graduates: list[tuple[str, str, str]], seed: int) -> tuple[dict, list, list]:
    """Values, relations and implied row relations of a report over ``graduates`` = (school code,
    its region, major)."""
    rng = random.Random(seed)
    counts: dict[tuple[str, object], dict[str, int]] = {}
    regions: dict[str, str] = {}
    for school, region, major in graduates:
        regions[school] = region
        county = region if not region.endswith("00") else f"{city_of(region)}*"
        rows = [
            ("total", "total"),
            ("province", region[:2] + "0000"),
            ("city", city_of(region)),
            ("county", county),
            ("school", school),
            ("major", major),
            ("cohort", 2025),
            ("gender", rng.choice(["male", "female"])),
            ("disadvantaged", rng.choices(["yes", "no", "unrecorded"], weights=[1, 8, 1])[0]),
        ]
        cols = _columns(rng)
        for row in rows:
            c = counts.setdefault(row, {})
            for col in cols:
                c[col] = c.get(col, 0) + 1
    values = {(row, col): cnt.get(col, 0) for row, cnt in counts.items() for col in count_columns()}
    return values, _relations(counts, _parents(counts, regions)), _implied(counts, DEFAULT_SALARY_EDGES)


def school_report(seed: int = 1) -> tuple[dict, list, list]:
    rng = random.Random(seed)
    majors = [f"7{i:05d}" for i in range(12)]
    weights = [rng.randint(1, 10) for _ in majors]
    return report([("4144010001", "440106", rng.choices(majors, weights)[0]) for _ in range(600)], seed)


def province_report(seed: int = 2) -> tuple[dict, list, list]:
    rng = random.Random(seed)
    counties = [f"44{c:02d}{k:02d}" for c in range(1, 22) for k in range(1, 7)]
    schools = []
    for i in range(450):
        county = rng.choice(counties)
        region = county[:4] + "00" if i % 10 == 0 else county
        schools.append((f"44{i:08d}", region))
    majors = [f"7{i:05d}" for i in range(80)]
    weights = [rng.randint(1, 20) for _ in majors]
    graduates = []
    for code, region in schools:
        own = rng.sample(range(len(majors)), 8)  # a school teaches a few majors
        for _ in range(300):
            m = rng.choices(own, [weights[j] for j in own])[0]
            graduates.append((code, region, majors[m]))
    return report(graduates, seed)


def national_report(seed: int = 3, per_school: int = 150) -> tuple[dict, list, list]:
    """The national report's shape as bench/bench_reports.py generates it: 31 provinces × 4 cities
    × 3 counties, 2,000 schools (a tenth filed at city level), 60 majors; ``per_school`` graduates a
    school (300,000 at the default: smaller schools than the 1M bench, so more small cells)."""
    rng = random.Random(seed)
    provinces = [f"{p}" for p in range(11, 66) if p % 10 != 0 and p % 10 < 6][:31]
    schools = []
    for i in range(1, 2001):
        p, c, k = rng.choice(provinces), rng.randint(1, 4), rng.randint(1, 3)
        schools.append((f"41{i:08d}", f"{p}{c:02d}00" if i % 10 == 0 else f"{p}{c:02d}{k:02d}"))
    majors = [f"7{i:05d}" for i in range(1, 61)]
    graduates = [(code, region, rng.choice(majors)) for code, region in schools for _ in range(per_school)]
    return report(graduates, seed)


#: CPU seconds of this process, per measurement (medians), printed beside the wall-clock ones: on a
#: shared machine the wall clock also counts the other processes' turns.
CPU: list[float] = []


def _median(fn: Callable[[], T], runs: int) -> tuple[float, T]:
    times: list[float] = []
    cpu: list[float] = []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = fn()
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    CPU.append(statistics.median(cpu))
    return statistics.median(times), result


def _hash(cells: object) -> str:
    return hashlib.sha256(repr(sorted(map(str, cells))).encode()).hexdigest()[:10]  # type: ignore[call-overload]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3, help="runs of each new measurement (median)")
    parser.add_argument("--old-runs", type=int, default=1, help="runs of each old (per-cell) measurement")
    parser.add_argument(
        "--skip-old-province",
        action="store_true",
        help="leave out the old audit of the province (minutes)",
    )
    parser.add_argument(
        "--old-province-protect",
        action="store_true",
        help="also run the old protect() on the province (each of its many rounds is a full old audit: an hour)",
    )
    args = parser.parse_args()
    from service.reports import audit as fast
    from service.reports.suppression import suppress

    sys.path.insert(0, str(ROOT))  # the old per-cell audit is kept beside the tests that compare with it
    from tests.reports import audit_per_cell as old

    print(f"threshold {THRESHOLD}; medians of {args.runs} runs (new) and {args.old_runs} (old); seconds")
    reports = [("school", school_report), ("province", province_report), ("national", national_report)]
    for name, make in reports:
        values, relations, implied = make()
        heuristic = suppress(values, relations, THRESHOLD)
        print(f"\n{name}: {len(values):,} cells, {len(relations):,} relations, heuristic hides {len(heuristic):,}")
        new_audit, found = _median(lambda: fast.audit(values, relations, heuristic, THRESHOLD), args.runs)
        print(
            f"  one audit of the heuristic's pattern   new {new_audit:8.2f} (cpu {CPU[-1]:6.2f})   ({len(found)} cells fail)"
        )
        if name == "school" or (name == "province" and not args.skip_old_province):
            old_audit, found_old = _median(lambda: old.audit(values, relations, heuristic, THRESHOLD), args.old_runs)
            same = {f.cell for f in found} == {f.cell for f in found_old}
            print(
                f"                                         old {old_audit:8.2f} (cpu {CPU[-1]:6.2f})   ratio {old_audit / new_audit:6.1f}×  same cells: {same}"
            )
        new_protect, hidden = _median(lambda: fast.protect(values, relations, THRESHOLD, implied=implied), args.runs)
        print(
            f"  protect() until the audit passes       new {new_protect:8.2f} (cpu {CPU[-1]:6.2f})   hides {len(hidden):,} ({_hash(hidden)})"
        )
        if name == "school" or args.old_province_protect:
            old_protect, hidden_old = _median(lambda: old.protect(values, relations, THRESHOLD), args.old_runs)
            print(
                f"                                         old {old_protect:8.2f} (cpu {CPU[-1]:6.2f})   hides {len(hidden_old):,}"
                f"   ratio {old_protect / new_protect:6.1f}×"
            )
        fast._CACHE.clear()

        def uncached(values: Any = values, relations: Any = relations, implied: Any = implied, key: str = name) -> Any:
            fast._CACHE.clear()
            return fast.publication_pattern(values, relations, 7, implied, key=key)

        both, _ = _median(uncached, args.runs)
        print(
            f"  publication at threshold 7 (nested in 5's pattern, both computed)  new {both:8.2f} (cpu {CPU[-1]:6.2f})"
        )


if __name__ == "__main__":
    main()
