"""Taxonomy fixtures: the hand-written ESCO and O*NET releases under their standard file names.

The repository keeps the hand-written rows as ``*.sample.csv`` / ``*.sample.txt`` (so they are never
mistaken for the real releases in ``../shared/data``, which ``test_real_releases_import`` reads); each
test gets a copy under the names the parsers expect, in a folder of its own."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

SAMPLES = Path(__file__).parent / "fixtures"


@pytest.fixture
def releases(tmp_path: Path) -> Path:
    """``<tmp>/releases/{esco,onet}/`` holding the hand-written releases under their standard names."""
    root = tmp_path / "releases"
    for scheme in ("esco", "onet"):
        (root / scheme).mkdir(parents=True)
        for sample in (SAMPLES / scheme).glob("*.sample.*"):
            shutil.copy(sample, root / scheme / sample.name.replace(".sample", ""))
    return root
