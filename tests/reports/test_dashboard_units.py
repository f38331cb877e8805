"""Pure parts of :mod:`service.reports.dashboard`: the trend's dates, the region levels of the
drill-down, and the data-quality panel's refusal of a publication report."""

from __future__ import annotations

import datetime as dt

import pytest

from service.reports.dashboard import CHILD_BREAKDOWN, data_quality_panel, region_chain, region_level, years_before


def test_trend_dates_keep_the_day_of_the_year() -> None:
    assert years_before(dt.date(2025, 12, 31), 4) == dt.date(2021, 12, 31)
    assert years_before(dt.date(2024, 2, 29), 1) == dt.date(2023, 2, 28)  # no 29 February in 2023
    assert years_before(dt.date(2024, 2, 29), 4) == dt.date(2020, 2, 29)


def test_region_levels() -> None:
    assert region_chain("440106") == ["440000", "440100", "440106"]
    assert region_chain("440100") == ["440000", "440100"]
    assert region_chain("440000") == ["440000"]
    assert [region_level(c) for c in ("440000", "440100", "440106")] == ["province", "city", "county"]
    assert [CHILD_BREAKDOWN[level] for level in ("province", "city", "county")] == ["city", "county", None]


async def test_the_panel_needs_exact_figures() -> None:
    with pytest.raises(ValueError, match="internal view"):
        # no session or principal: the published view is refused before either is used
        await data_quality_panel(None, None, {"view": "publish"})  # type: ignore[arg-type]  # None for both, on purpose


async def test_a_partial_internal_report_has_the_full_reports_rows(session) -> None:
    """The trend counts only the row kind it follows: the same rows as the full report; a partial
    publish view is refused (its suppression would not be the full report's)."""
    from service.reports.build import build_report
    from service.reports.compute import ReportParams, Scope
    from tests.reports import worked_case

    await worked_case.load(session)
    params = ReportParams(
        scope=Scope.parse("region:440000"),
        cohorts=(2025,),
        as_of=dt.date(2025, 12, 31),
        recorded_before=worked_case.CUTOFF,
    )
    full = await build_report(session, params, publish=False)
    for kind in ("total", "major", "school"):
        part = await build_report(session, params, publish=False, kinds=(kind,))
        assert part["breakdowns"][kind] == full["breakdowns"][kind]
        assert all(not rows for name, rows in part["breakdowns"].items() if name != kind)
    with pytest.raises(ValueError, match="internal view"):
        await build_report(session, params, publish=True, kinds=("total",))
