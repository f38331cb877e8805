"""The import contracts of ``pyproject.toml`` ([tool.importlinter]; README, "Layout") hold.

Runs import-linter's ``lint-imports`` on the installed packages, so ``make test`` (and CI) fails
when, e.g., ``matching`` imports ``scrapers`` or the database, or a domain imports the web pages.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_import_contracts_are_kept() -> None:
    lint_imports = Path(sys.executable).parent / "lint-imports"
    run = subprocess.run(
        [str(lint_imports), "--no-cache"], cwd=ROOT, capture_output=True, text=True, encoding="utf-8", timeout=300
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert " 0 broken" in run.stdout, run.stdout
