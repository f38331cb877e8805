"""The lint rules and the format of ``pyproject.toml`` (``[tool.ruff]``) hold on the whole tree, so ``make test``
enforces them (``make lint`` runs the same checks first in CI)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


TREE = ("service", "matching", "scrapers", "vocab", "tests", "bench")


def _ruff(*args: str) -> subprocess.CompletedProcess[str]:
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    assert ruff, "ruff is not installed (it is in the test extras)"
    return subprocess.run([ruff, *args, "--no-cache", *TREE], cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_ruff_finds_nothing() -> None:
    done = _ruff("check")
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_tree_is_formatted() -> None:
    done = _ruff("format", "--check")
    assert done.returncode == 0, done.stdout + done.stderr
