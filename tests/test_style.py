"""The lint rules of ``pyproject.toml`` (``[tool.ruff]``) hold on the whole tree, so ``make test`` enforces them."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_ruff_finds_nothing() -> None:
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    assert ruff, "ruff is not installed (it is in the test extras)"
    done = subprocess.run([ruff, "check", "--no-cache", "service", "matching", "scrapers", "vocab", "tests", "bench"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
