"""Résumé PDF speed: seconds per PDF with the font read for every PDF (fpdf2's ``add_font``) and
with its metrics read once per process (:func:`service.resumes.pdf._add_font`), alternating in one
run so both share the machine's load. Prints the medians of ``--runs`` PDFs each and their ratio.
The first cached PDF (which reads the font) is printed apart.

    .venv/bin/python bench/bench_resume_pdf.py [--runs 10]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path
from typing import Any

from fpdf import FPDF

from service.resumes import pdf as resume_pdf

RESUME: dict[str, Any] = {
    "name": "陈小明",
    "summary": "熟悉数控车床操作与编程，持电工证，参加过全国职业院校技能大赛。",
    "cohort": 2025,
    "school_name": "广州市机电技师学校",
    "major_name": "数控技术应用",
    "education": "secondary_vocational",
    "skills": ["数控编程", "CAD 制图", "钳工"],
    "certificates": [{"name": "电工证", "level": "中级", "issuer": "人社局", "issued_on": "2024-06-01"}],
    "awards": [{"competition": "全国职业院校技能大赛", "level": "省级", "prize": "二等奖", "year": 2024}],
    "experiences": [
        {
            "title": "数控车床实习生",
            "employer_name": "广州某机械厂",
            "city": "广州",
            "start": "2024-07",
            "end": "2024-12",
            "description": "负责零件加工与质量检测。",
        }
    ],
    "preferences": {"desired_titles": ["数控操作工"], "preferred_locations": ["广州"], "preferred_job_types": []},
}


def _plain(pdf: FPDF, path: Path) -> None:
    pdf.add_font("resume", fname=str(path), collection_font_number=0)


def _one(font: Path) -> tuple[float, float]:
    """Wall and CPU seconds of one PDF."""
    t0, c0 = time.perf_counter(), time.process_time()
    resume_pdf.render_pdf(RESUME, lambda s: s, font=font)
    return time.perf_counter() - t0, time.process_time() - c0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=10)
    args = ap.parse_args()
    font = resume_pdf.resolve_font("")
    cached_add_font = resume_pdf._add_font
    first = _one(font)  # reads the metrics
    plain, cached = [], []
    for _ in range(args.runs):
        resume_pdf._add_font = _plain
        plain.append(_one(font))
        resume_pdf._add_font = cached_add_font
        cached.append(_one(font))
    print(f"résumé PDF, median of {args.runs}, wall / CPU seconds")
    for label, runs in (("add_font each time", plain), ("metrics read once", cached)):
        print(f"{label:<20} {statistics.median(w for w, _ in runs):.3f} / {statistics.median(c for _, c in runs):.3f}")
    ratio = statistics.median(c for _, c in cached) / statistics.median(c for _, c in plain)
    print(
        f"CPU ratio {ratio:.2f}; first PDF of the process (imports, reads the metrics) {first[0]:.3f} / {first[1]:.3f}"
    )


if __name__ == "__main__":
    main()
