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


def test_test_clients_share_one_tls_context() -> None:
    """Every HTTP client of the tests is made by :func:`tests.harness.http_client`: a bare
    ``httpx.Client(...)`` builds a TLS context of its own (certifi's CA bundle, 33 ms of CPU), which
    made a third of each route × role probe's cost."""
    offenders = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in sorted((ROOT / "tests").rglob("*.py"))
        if path.name not in ("harness.py", "test_style.py")
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if "httpx.Client(" in line
    ]
    assert not offenders, "use tests.harness.http_client:\n" + "\n".join(offenders)
