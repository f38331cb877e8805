"""A headless chromium for the browser tests (Playwright's sync API): Debian's ``/usr/bin/chromium``,
which .ci/run installs; without it a test is skipped, or fails under CI. The ``chromium`` fixture of
tests/conftest.py and the pages' ``browser`` fixtures start it through :func:`launch_chromium`."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[1] / "test-artifacts" / "screenshots"


def launch_chromium() -> Iterator[Any]:
    """Yield a launched headless chromium, closed afterwards. Start it after every other fixture of
    the test: Playwright's sync API runs an event loop in this thread until the browser closes."""
    if not CHROMIUM.exists():
        reason = f"chromium not installed at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(reason + "; CI requires it")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"])
        yield b
        b.close()
