"""The type check of ``pyproject.toml`` (``[tool.mypy]``) holds on the whole tree, so ``make test`` enforces it
(``make lint`` runs the same check first in CI). Its incremental cache lives in the venv, so a re-run after a
small change takes seconds."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_mypy_finds_nothing() -> None:
    mypy = shutil.which("mypy", path=str(Path(sys.executable).parent)) or shutil.which("mypy")
    assert mypy, "mypy is not installed (it is in the test extras)"
    cache = Path(sys.prefix) / ".mypy_cache"  # the venv's: one per install, shared with `make lint`
    done = subprocess.run([mypy, "--cache-dir", str(cache)], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
