"""Latency of ContentRanker.recommend with candidate generation vs scoring every posting.

Prints, for N = 1k, 10k and 100k synthetic postings: fit time, median and p99 latency of
``recommend`` (candidates) and of the brute-force baseline (``exhaustive=True``) in the same
run, their ratio, and how many of the baseline's top 10 the candidate path also returns.
(At N ≤ 2·n_candidates the ranker scores everything anyway, so both columns measure the same.)

Postings are generated from real titles and places in ``../shared/data`` when present
(``us_jobboard_views/jobs.csv``, ``cn_postings/51job_2023.csv``), else from a small built-in
list; seekers from ``positions_of_interest.csv`` titles. Run from the project root:

    .venv/bin/python bench/bench_content_ranker.py [--sizes 1000 10000 100000] [--queries 200]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
import statistics
import time
from pathlib import Path

from matching.content import ContentRanker
from matching.documents import JobDoc, SeekerDoc
from matching.taxonomy import Taxonomy
from vocab.text import normalise, tokens

ROOT = Path(__file__).resolve().parents[1]

DATA = ROOT.parent / "shared" / "data"
EN_SKILLS = [
    "customer service",
    "cash handling",
    "food safety",
    "forklift",
    "inventory",
    "merchandising",
    "driving",
    "cleaning",
    "cooking",
    "scheduling",
    "sales",
    "microsoft excel",
    "data entry",
    "phone etiquette",
    "food preparation",
    "stocking",
    "security",
    "first aid",
    "bilingual",
    "lifting",
]
FALLBACK = [
    ("Line Cook", "US", "NJ", "Newark"),
    ("Cashier", "US", "NY", "New York"),
    ("Warehouse Associate", "US", "CA", "Los Angeles"),
    ("数控车工", "CN", "广东", "广州"),
    ("电工", "CN", "上海", "上海"),
    ("服务员", "CN", "四川", "成都"),
]


def load_sources() -> tuple[list[tuple[str, str, str, str, list[str]]], list[str]]:
    """(title, country, province, city, skills) templates and seeker titles."""
    rows: list[tuple[str, str, str, str, list[str]]] = []
    seeker_titles: list[str] = []
    us = DATA / "us_jobboard_views" / "jobs.csv"
    if us.is_file():
        with us.open(encoding="utf-8") as fh:
            for r in csv.DictReader(fh):
                if r["Position"].strip():
                    rows.append((r["Position"], "US", r["State.Code"], r["City"], []))
    cn = DATA / "cn_postings" / "51job_2023.csv"
    if cn.is_file():
        with cn.open(encoding="utf-8") as fh:
            for r in csv.DictReader(fh):
                tags = [t.strip(" '[],") for t in r["岗位描述"].split("\\n")][:4]
                city = r["公司地址"].split("·")[0]
                rows.append((r["岗位名称"], "CN", "", city, [t for t in tags if t]))
    poi = DATA / "us_jobboard_views" / "positions_of_interest.csv"
    if poi.is_file():
        with poi.open(encoding="utf-8") as fh:
            seeker_titles = [r["Position.Of.Interest"] for r in csv.DictReader(fh) if r["Position.Of.Interest"]]
    if not rows:
        rows = [(*f, []) for f in FALLBACK]
    if not seeker_titles:
        seeker_titles = [r[0] for r in rows]
    return rows, seeker_titles


def make_jobs(n: int, rows: list, rng: random.Random) -> list[JobDoc]:
    today = dt.date(2026, 1, 1)
    jobs = []
    for i in range(n):
        title, country, province, city, skills = rng.choice(rows)
        if not skills:
            skills = rng.sample(EN_SKILLS, rng.randint(0, 3))
        lo = rng.choice([None, 3000, 4500, 6000, 8000])
        jobs.append(
            JobDoc(
                id=i + 1,
                title=title,
                required_skills=tuple(skills),
                country=country,
                province=province or None,
                city=city,
                salary_min_monthly=lo,
                salary_max_monthly=lo and lo + 2000,
                posted_on=today - dt.timedelta(days=rng.randint(0, 90)),
                popularity=rng.randint(0, 50),
            )
        )
    return jobs


def make_seekers(n: int, rows: list, titles: list[str], rng: random.Random) -> list[SeekerDoc]:
    seekers = []
    for i in range(n):
        _, country, province, city, skills = rng.choice(rows)
        seekers.append(
            SeekerDoc(
                id=i + 1,
                desired_titles=tuple(rng.sample(titles, 2)),
                skills=tuple(skills[:2]) or tuple(rng.sample(EN_SKILLS, 2)),
                country=country,
                province=province or None,
                city=city,
                min_salary_monthly=rng.choice([None, 4000]),
            )
        )
    return seekers


def timed(fn, items) -> tuple[list[float], list]:
    times, results = [], []
    for item in items:
        t0 = time.perf_counter()
        results.append(fn(item))
        times.append((time.perf_counter() - t0) * 1000)
    return times, results


def p99(xs: list[float]) -> float:
    return sorted(xs)[min(len(xs) - 1, int(round(0.99 * (len(xs) - 1))))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    ap.add_argument("--queries", type=int, default=200)
    args = ap.parse_args()
    rng = random.Random(20260101)
    rows, titles = load_sources()
    tokens(normalise("數控車床"))  # load jieba's dictionary and OpenCC once, outside the fit timings
    try:
        taxonomy = Taxonomy.from_core()
    except FileNotFoundError:
        taxonomy = None
    print(
        f"sources: {len(rows)} title templates, {len(titles)} seeker titles; "
        f"taxonomy: {len(taxonomy) if taxonomy else 'none'} concepts"
    )
    print(
        f"{'N':>7} {'fit s':>7} {'cand med ms':>11} {'cand p99':>9} {'brute med ms':>12} {'brute p99':>9} "
        f"{'ratio':>6} {'top10 overlap':>13}"
    )
    seekers = make_seekers(args.queries, rows, titles, rng)
    for n in args.sizes:
        jobs = make_jobs(n, rows, rng)
        t0 = time.perf_counter()
        ranker = ContentRanker(taxonomy=taxonomy, as_of=dt.date(2026, 1, 1)).fit(jobs)
        fit_s = time.perf_counter() - t0
        ranker.recommend(seekers[0])  # first call fills the normaliser's caches
        cand_t, cand_r = timed(lambda s: ranker.recommend(s, k=10), seekers)
        brute_t, brute_r = timed(lambda s: ranker.recommend(s, k=10, exhaustive=True), seekers)
        overlap = statistics.mean(
            len({m.job_id for m in a} & {m.job_id for m in b}) / max(1, len(b))
            for a, b in zip(cand_r, brute_r, strict=True)
        )
        cm, bm = statistics.median(cand_t), statistics.median(brute_t)
        print(
            f"{n:>7} {fit_s:>7.2f} {cm:>11.2f} {p99(cand_t):>9.2f} {bm:>12.2f} {p99(brute_t):>9.2f} "
            f"{bm / cm:>6.1f} {overlap:>13.2f}"
        )


if __name__ == "__main__":
    main()
