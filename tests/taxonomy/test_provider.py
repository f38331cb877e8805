"""One taxonomy provider: the service loads the core taxonomy in one place, once per process."""

from __future__ import annotations

import re
from pathlib import Path

from service.taxonomy.core import core_taxonomy

ROOT = Path(__file__).resolve().parents[2]
#: a taxonomy built from the packaged file or a parsed document
LOADS = re.compile(r"\bTaxonomy\.(from_core|from_json)\b")


def test_the_core_taxonomy_is_loaded_once() -> None:
    assert core_taxonomy() is core_taxonomy()


def test_no_other_module_loads_the_core_taxonomy() -> None:
    """Only the provider (and :mod:`matching.taxonomy`, which defines the loaders) build one; every
    other user (recommendations, 对口 proposals, suggestions, the sample, the import pipeline's skill
    step) asks :func:`service.taxonomy.core.core_taxonomy`."""
    allowed = {ROOT / "service/taxonomy/core.py", ROOT / "matching/taxonomy.py"}
    loaders = sorted(
        str(path.relative_to(ROOT))
        for package in ("service", "matching", "scrapers", "vocab")
        for path in (ROOT / package).rglob("*.py")
        if path not in allowed and LOADS.search(path.read_text(encoding="utf-8"))
    )
    assert loaders == []
