"""Issue 20.7: long commands show a progress bar (rate and time left) on a terminal, and stay quiet
with --json or when their output is not a terminal.

The commands run as real processes in a pseudo-terminal (``pty``), as a user would start them; the
quiet cases run the same commands with --json in the terminal, and with their output piped.

Each output kind keeps a real-process check: every command draws its bar in a real process on a
pty, and ``vocmatch import`` is also run as a process with --json on the pty and with its output
piped. The other commands' quiet cases run in this process (:func:`_in_process`, click's
``CliRunner``): what they prove is that the command hands its ``--json`` to
:func:`service.progress.progress_for` (or, piped, that it draws nothing on a stream that is not a
terminal), which does not depend on the process boundary. A command that ignored ``--json`` would
still be caught there: rich prints the finished bar, rate and ``剩余 left`` column included, to a
stream that is not a terminal. Each process costs its imports again (``jobs run retrain_ranker``
loads scikit-learn: 7.2 CPU-s for a run that only skips), most of this module's time (issue 19)."""

from __future__ import annotations

import asyncio
import json
import os
import pty
import re
import select
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from scrapers.boards.config import BOARDS_DIR
from service import progress as progress_module
from service.config import Settings
from service.progress import progress_for, wanted
from tests.rosters.conftest import SCHOOL, add_school
from tests.rosters.test_roster_import import good_xlsx
from tests.scrapers.loopback_site import Site

ROOT = Path(__file__).resolve().parents[1]
MAPPED = ROOT / "tests" / "scrapers" / "fixtures" / "mapped"
TAXONOMY = ROOT / "tests" / "taxonomy" / "fixtures"
VOCMATCH = [sys.executable, "-m", "service.cli"]
_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07")
#: a drawn bar: the rate and the time-left column (rich draws ``-:--:--`` until it can estimate)
BAR = re.compile(r"[\d,.]+ (rows|postings|pages|steps|runs)/s .*剩余 left (\d+:\d\d:\d\d|-:--:--)")


def _run(args: list[str], env: dict[str, str], terminal: bool, timeout: float = 180) -> tuple[int, str]:
    """Run ``vocmatch ARGS``; with ``terminal`` its standard output and error are a pseudo-terminal.
    Returns the exit code and everything it wrote (escape sequences removed)."""
    full_env = {**os.environ, **env, "TERM": "xterm-256color", "COLUMNS": "160", "PYTHONUNBUFFERED": "1"}
    full_env.pop("CI", None)
    if not terminal:
        done = subprocess.run(
            [*VOCMATCH, *args], env=full_env, cwd=ROOT, capture_output=True, timeout=timeout, check=False
        )
        return done.returncode, done.stdout.decode() + done.stderr.decode()
    master, slave = pty.openpty()
    proc = subprocess.Popen([*VOCMATCH, *args], env=full_env, cwd=ROOT, stdin=slave, stdout=slave, stderr=slave)
    os.close(slave)
    chunks: list[bytes] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.2)
        if ready:
            try:
                data = os.read(master, 65536)
            except OSError:  # the other end closed
                break
            if not data:
                break
            chunks.append(data)
        elif proc.poll() is not None:
            break
    proc.wait(timeout=10)
    os.close(master)
    return proc.returncode, _ANSI.sub("", b"".join(chunks).decode("utf-8", "replace")).replace("\r", "\n")


def _in_process(
    args: list[str], env: dict[str, str], monkeypatch: pytest.MonkeyPatch, terminal: bool
) -> tuple[int, str]:
    """Run ``vocmatch ARGS`` in this process (click's ``CliRunner``, settings from ``env`` as in
    :func:`_run`); with ``terminal`` both of its streams count as terminals for
    :func:`service.progress.wanted` (``service.progress._isatty`` patched), as on a pty. Returns the
    exit code and what it wrote (standard output and error). Safe from an async test's thread."""
    from click.testing import CliRunner

    from service.cli import main

    if terminal:
        monkeypatch.setattr(progress_module, "_isatty", lambda stream: True)
    result = CliRunner().invoke(main, args, env={**env, "CI": None}, catch_exceptions=False)
    return result.exit_code, result.output


def _taxonomy(tmp_path: Path) -> Path:
    folder = tmp_path / "onet"
    folder.mkdir()
    for sample in (TAXONOMY / "onet").glob("*.sample.*"):
        shutil.copy(sample, folder / sample.name.replace(".sample", ""))
    return folder


def _board(tmp_path: Path, base_url: str) -> Path:
    data = json.loads((BOARDS_DIR / "example_cn.json").read_text(encoding="utf-8"))
    data.update(base_url=base_url, fetch={"min_delay": 0, "retries": 1, "backoff_base": 0.01, "timeout": 2})
    path = tmp_path / "local_cn.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def _titles(tmp_path: Path) -> list[str]:
    (tmp_path / "q.tsv").write_text("q_id\tjobtitle\n1\tline cook\n2\twelder\n", encoding="utf-8")
    (tmp_path / "c.tsv").write_text(
        "c_id\tjobtitle\n1\tcook\n2\tprep cook\n3\twelding operator\n4\tcashier\n", encoding="utf-8"
    )
    (tmp_path / "r.tsv").write_text("1\t0\t1\t1\n1\t0\t2\t1\n2\t0\t3\t1\n", encoding="utf-8")
    return [
        "evaluate",
        "titles",
        "--queries",
        str(tmp_path / "q.tsv"),
        "--corpus",
        str(tmp_path / "c.tsv"),
        "--qrels",
        str(tmp_path / "r.tsv"),
        "--no-embedding",
    ]


def _assert_bar(output: str, label: str) -> None:
    assert label in output and BAR.search(output), output[-2000:]


def _assert_quiet(output: str) -> None:
    assert not BAR.search(output) and "剩余 left" not in output, output[-2000:]


def test_import_shows_progress_on_a_terminal_only(settings: Settings) -> None:
    env = {"VOCMATCH_DATABASE_URL": settings.database_url}
    args = ["import", str(MAPPED / "boss_export.csv"), "--mapping", str(MAPPED / "boss.toml")]
    code, shown = _run(args, env, terminal=True)
    assert code == 0
    _assert_bar(shown, "读取 reading")
    _assert_bar(shown, "写入 storing")
    code, quiet = _run([*args, "--json"], env, terminal=True)
    assert code == 0 and json.loads(quiet[quiet.index("{") :])["unchanged"] == 5
    _assert_quiet(quiet)
    code, piped = _run(args, env, terminal=False)
    assert code == 0 and json.loads(piped)["unchanged"] == 5  # stdout is nothing but the report
    _assert_quiet(piped)


def test_dry_run_shows_progress_on_a_terminal(tmp_path: Path) -> None:
    args = ["import", str(MAPPED / "boss_export.csv"), "--mapping", str(MAPPED / "boss.toml"), "--dry-run"]
    code, shown = _run(args, {}, terminal=True)
    assert code == 0 and "would store 5 postings" in shown
    _assert_bar(shown, "读取 reading")


@pytest.fixture
async def school(session: AsyncSession) -> int:
    """The roster tests' school (tests/rosters/conftest.py)."""
    return await add_school(session)


async def test_roster_import_progress(
    settings: Settings,
    session: AsyncSession,
    school: int,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    env = {"VOCMATCH_DATABASE_URL": settings.database_url}
    path = good_xlsx(tmp_path / "roster.xlsx")
    code, shown = _run(["roster", "import", str(path), "--school", SCHOOL], env, terminal=True)
    assert code == 0, shown
    _assert_bar(shown, "写入 writing")
    args = ["roster", "import", str(path), "--school", SCHOOL, "--json"]
    code, quiet = await asyncio.to_thread(_in_process, args, env, monkeypatch, terminal=True)
    assert code == 0 and '"unchanged"' in quiet
    _assert_quiet(quiet)


def test_taxonomy_import_progress(settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env = {"VOCMATCH_DATABASE_URL": settings.database_url}
    folder = _taxonomy(tmp_path)
    code, shown = _run(["taxonomy", "import-onet", str(folder)], env, terminal=True)
    assert code == 0, shown
    _assert_bar(shown, "读取 reading")
    _assert_bar(shown, "写入 writing")
    code, piped = _in_process(["taxonomy", "import-onet", str(folder)], env, monkeypatch, terminal=False)
    assert code == 0 and json.loads(piped)["scheme"] == "onet"
    _assert_quiet(piped)


def test_crawl_progress(settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env = {"VOCMATCH_DATABASE_URL": settings.database_url}
    with Site() as site:
        board = _board(tmp_path, site.url())
        code, shown = _run(["crawl", str(board)], env, terminal=True)
        assert code == 0, shown
        _assert_bar(shown, "抓取 crawling")
        code, quiet = _in_process(["crawl", str(board), "--json"], env, monkeypatch, terminal=True)
    assert code == 0 and '"board": "example_cn"' in quiet
    _assert_quiet(quiet)


def test_evaluate_progress(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    args = _titles(tmp_path)
    code, shown = _run(args, {}, terminal=True)
    assert code == 0 and "TitleMatcher" in shown, shown
    _assert_bar(shown, "steps")
    code, quiet = _in_process([*args, "--json"], {}, monkeypatch, terminal=True)
    assert code == 0 and '"MAP"' in quiet
    _assert_quiet(quiet)


def test_retrain_ranker_progress(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    env = {"VOCMATCH_DATABASE_URL": settings.database_url}
    code, shown = _run(["jobs", "run", "retrain_ranker"], env, terminal=True)
    assert code == 0 and '"status": "skipped"' in shown  # no applications yet: nothing to learn from
    assert "训练 training" in shown and "0/3" in shown
    code, quiet = _in_process(["jobs", "run", "retrain_ranker", "--json"], env, monkeypatch, terminal=True)
    assert code == 0 and "训练 training" not in quiet


def test_wanted_follows_json_and_terminals(monkeypatch: pytest.MonkeyPatch) -> None:
    class Tty:
        def __init__(self, tty: bool) -> None:
            self.tty = tty

        def isatty(self) -> bool:
            return self.tty

    for out, err, as_json, expected in (
        (True, True, False, True),
        (True, True, True, False),
        (False, True, False, False),
        (True, False, False, False),
    ):
        monkeypatch.setattr(sys, "stdout", Tty(out))
        monkeypatch.setattr(sys, "stderr", Tty(err))
        assert wanted(as_json) is expected
    with progress_for(force=False) as quiet:
        quiet("read", 1, 10)  # does nothing, raises nothing
