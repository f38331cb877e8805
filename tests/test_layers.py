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


def test_the_authorisation_layer_has_its_own_package_and_contracts() -> None:
    """``service/auth`` (guards, scoping) sits above the domains' data and rules and below their
    services and endpoints (README, "Layout"); both sides are contracts, so the check above holds them."""
    import tomllib

    contracts = {
        c["id"]: c
        for c in tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["importlinter"]["contracts"]
    }
    assert contracts["auth-above-domain-data"]["forbidden_modules"] == ["service.auth"]
    assert contracts["auth-below-endpoints"]["source_modules"] == ["service.auth"]
    assert {"service.*.service", "service.*.controllers", "service.web"} <= set(
        contracts["auth-below-endpoints"]["forbidden_modules"]
    )
    assert (ROOT / "service/auth/guards.py").is_file() and (ROOT / "service/auth/scoping.py").is_file()
    assert not (ROOT / "service/accounts/guards.py").exists() and not (ROOT / "service/accounts/scoping.py").exists()
