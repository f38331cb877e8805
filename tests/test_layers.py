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


#: Method names that run a query or write through a database session (SQLAlchemy's ``AsyncSession``
#: and ``Result``); a page calling one of them holds a query that belongs in a domain.
QUERY_METHODS = frozenset(
    {"execute", "scalars", "scalar", "scalar_one", "scalar_one_or_none", "stream", "stream_scalars"}
)
#: The session's own reads and writes, rejected when called on something named ``*session``. Ending the
#: transaction (``commit``, ``rollback``) stays allowed: that is the endpoint's job, page or API (services
#: flush, never commit).
SESSION_METHODS = frozenset({"get", "add", "add_all", "delete", "flush", "refresh", "merge"})
#: Page modules allowed to query directly, each with the reason (issue 19: keep it empty).
WEB_QUERY_ALLOWLIST: dict[str, str] = {}


def page_queries(source: str) -> list[str]:
    """The database uses in one module's ``source``: imports of ``sqlalchemy``, calls of ``select(…)``
    and friends, of the query methods above and of a session's own methods, as ``"line: what"``."""
    import ast

    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [f"{node.lineno}: import {a.name}" for a in node.names if a.name.split(".")[0] == "sqlalchemy"]
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "sqlalchemy":
            found.append(f"{node.lineno}: from {node.module} import …")
        elif isinstance(node, ast.Call):
            f = node.func
            if isinstance(f, ast.Name) and f.id in {"select", "insert", "update", "delete", "text"}:
                found.append(f"{node.lineno}: {f.id}(…)")
            elif isinstance(f, ast.Attribute) and f.attr in QUERY_METHODS:
                found.append(f"{node.lineno}: .{f.attr}(…)")
            elif (
                isinstance(f, ast.Attribute)
                and f.attr in SESSION_METHODS
                and isinstance(f.value, ast.Name)
                and f.value.id.endswith("session")
            ):
                found.append(f"{node.lineno}: {f.value.id}.{f.attr}(…)")
    return found


def test_the_page_query_check_sees_queries() -> None:
    """The check below is not vacuous: each kind of direct database use is reported."""
    source = (
        "from sqlalchemy import select\n"
        "import sqlalchemy.orm\n"
        "async def page(db_session, stmt):\n"
        "    rows = (await db_session.execute(select(X.id))).scalars()\n"
        "    one = await db_session.get(X, 1)\n"
        "    db_session.add(one)\n"
        "    await db_session.flush()\n"
        "    return await ApplicationRepository(db_session).get(1), {}.get('k')\n"
    )
    assert sorted(page_queries(source)) == [
        "1: from sqlalchemy import …",
        "2: import sqlalchemy.orm",
        "4: .execute(…)",
        "4: .scalars(…)",
        "4: select(…)",
        "5: db_session.get(…)",
        "6: db_session.add(…)",
        "7: db_session.flush(…)",
    ]


def test_web_pages_query_only_through_the_domains() -> None:
    """Issue 19, "one home per feature": a page reads and writes through its domain's service or
    repository — the method the API calls, with the same scoping, audit and rules — never with its
    own query. A module of ``service/web`` that imports ``sqlalchemy`` or calls ``select(…)``,
    ``.execute(…)``, ``.scalars(…)``, ``session.get(…)``, ``session.add(…)`` … fails here (the
    ``web-through-domains`` import contract holds the imports too); move the query into the owning
    domain as a public method with a contract docstring."""
    offenders = {}
    for path in sorted((ROOT / "service/web").rglob("*.py")):
        name = path.relative_to(ROOT).as_posix()
        found = page_queries(path.read_text("utf-8"))
        if found and name not in WEB_QUERY_ALLOWLIST:
            offenders[name] = found
    assert offenders == {}, offenders
    assert set(WEB_QUERY_ALLOWLIST) <= {p.relative_to(ROOT).as_posix() for p in (ROOT / "service/web").rglob("*.py")}
