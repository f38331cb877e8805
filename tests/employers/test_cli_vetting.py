"""``vocmatch employers``: unverified employers by source, and bulk approval of one board's."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from sqlalchemy import String, func, select

from service.cli import main
from service.config import Settings
from service.db import make_engine, make_sessionmaker
from service.employers.models import Employer
from tests.conftest import run_async


async def _seed(settings: Settings) -> None:
    engine = make_engine(settings)
    async with make_sessionmaker(engine)() as session:
        session.add_all(
            [
                Employer(name="广州市某餐饮管理有限公司", source="51job", verified=False),
                Employer(name="佛山市某五金制品厂", source="51job", verified=False),
                Employer(name="东莞市某电子有限公司", source="jobfair", verified=False),
                Employer(name="自行注册的公司", source="platform", verified=False),
                Employer(name="已审核的公司", source="51job", verified=True),
            ]
        )
        await session.commit()
    await engine.dispose()


async def _verified(settings: Settings) -> dict[str, bool]:
    engine = make_engine(settings)
    async with make_sessionmaker(engine)() as session:
        rows = (await session.execute(select(Employer.name, Employer.verified).order_by(Employer.id))).all()
    await engine.dispose()
    return {name: verified for name, verified in rows}


@pytest.fixture
def employers(settings: Settings) -> None:
    run_async(lambda: _seed(settings))


def _env(settings: Settings) -> dict[str, str]:
    return {"VOCMATCH_DATABASE_URL": settings.database_url}


def test_verify_source_approves_only_that_boards_unverified_employers(employers: None, settings: Settings) -> None:
    runner = CliRunner()
    listed = runner.invoke(main, ["employers", "unverified"], env=_env(settings))
    assert listed.exit_code == 0, listed.output
    assert json.loads(listed.output) == {"51job": 2, "jobfair": 1, "platform": 1}

    done = runner.invoke(main, ["employers", "verify-source", "51job"], env=_env(settings))
    assert done.exit_code == 0, done.output
    assert "verified 2 employers from 51job" in done.output

    assert run_async(lambda: _verified(settings)) == {
        "广州市某餐饮管理有限公司": True,
        "佛山市某五金制品厂": True,
        "东莞市某电子有限公司": False,
        "自行注册的公司": False,
        "已审核的公司": True,
    }


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("platform", "approved one by one"),
        ("unknown-board", "no unverified employer from source 'unknown-board'"),
    ],
)
def test_verify_source_refuses_self_registered_and_unknown_sources(
    employers: None, settings: Settings, source: str, message: str
) -> None:
    result = CliRunner().invoke(main, ["employers", "verify-source", source], env=_env(settings))
    assert result.exit_code == 1 and message in result.output, result.output
    verified = run_async(lambda: _verified(settings))
    assert [name for name, ok in verified.items() if ok] == ["已审核的公司"]


async def _approvals(settings: Settings) -> list[tuple[str | None, dict[str, object]]]:
    from service.privacy.models import AuditEvent

    engine = make_engine(settings)
    async with make_sessionmaker(engine)() as session:
        rows = (
            await session.execute(
                select(Employer.name, AuditEvent.actor_role, AuditEvent.detail)
                .join(Employer, AuditEvent.object_id == func.cast(Employer.id, String))
                .where(AuditEvent.object_type == "employer_verification")
                .order_by(AuditEvent.id)
            )
        ).all()
    await engine.dispose()
    return [(name, detail) for name, _role, detail in rows]


def test_verify_source_goes_through_the_verification_service_and_is_audited(
    employers: None, settings: Settings
) -> None:
    """Bulk approval is the API's approval, once per employer: audited with the system as actor."""
    done = CliRunner().invoke(main, ["employers", "verify-source", "51job"], env=_env(settings))
    assert done.exit_code == 0, done.output
    assert run_async(lambda: _approvals(settings)) == [
        ("广州市某餐饮管理有限公司", {"verified": True}),
        ("佛山市某五金制品厂", {"verified": True}),
    ]
