from sqlmodel import Session

from hygiene.campaigns.service import clockless
from hygiene.reports import charts, compliance
from hygiene.settings import Settings
from tests.conftest import NOW
from tests.reports.seed import seed


def _report(
    session: Session, settings: Settings, unit: str | None = None
) -> compliance.ComplianceReport:
    at = clockless(settings, NOW)
    return compliance.report(session, policies=settings.policies, at=at, unit=unit)


def test_it_counts_on_time_overdue_mfa_and_browser_saved_per_unit(
    session: Session, settings: Settings
) -> None:
    seed(session)

    units = {u.unit: u for u in _report(session, settings).units}

    noi_vu = units["Phòng Nội vụ"]
    assert (noi_vu.officials, noi_vu.accounts, noi_vu.overdue) == (1, 2, 1)
    assert (noi_vu.on_time_pct, noi_vu.mfa_pct) == (50.0, 50.0)
    assert (noi_vu.browser_saved, noi_vu.officials_browser_saved) == (1, 1)
    assert units["Phòng Tư pháp"].on_time_pct == 0.0


def test_advisory_acks_are_owed_by_each_official_of_the_audience(
    session: Session, settings: Settings
) -> None:
    seed(session)

    units = {u.unit: u for u in _report(session, settings).units}

    noi_vu, tu_phap = units["Phòng Nội vụ"], units["Phòng Tư pháp"]
    assert (noi_vu.advisory_acked, noi_vu.advisory_expected, noi_vu.advisory_ack_pct) == (
        1,
        1,
        100.0,
    )
    assert (tu_phap.advisory_acked, tu_phap.advisory_expected, tu_phap.advisory_ack_pct) == (
        0,
        2,
        0.0,
    )


def test_browser_declarations_count_this_months_only(session: Session, settings: Settings) -> None:
    seed(session)

    units = {u.unit: u for u in _report(session, settings).units}

    assert units["Phòng Nội vụ"].browser_declared == 1
    assert units["Phòng Tư pháp"].browser_declared == 0


def test_a_report_as_of_an_earlier_day_ignores_later_acknowledgements(
    session: Session, settings: Settings
) -> None:
    from datetime import date

    seed(session)
    at = compliance.clock_at(settings, NOW, date(2026, 2, 20))

    total = compliance.report(session, policies=settings.policies, at=at).total

    assert (total.advisory_acked, total.advisory_expected) == (0, 3)


def test_a_unit_without_accounts_has_no_percentages(session: Session, settings: Settings) -> None:
    seed(session)

    empty = _report(session, settings, unit="Phòng Văn hóa").units[0]

    assert (empty.accounts, empty.on_time_pct, empty.mfa_pct) == (0, None, None)


def test_the_total_sums_the_units(session: Session, settings: Settings) -> None:
    seed(session)

    total = _report(session, settings).total

    assert (total.officials, total.accounts, total.overdue, total.on_time_pct) == (2, 3, 2, 33.3)


def test_the_trend_has_eight_weeks_ending_today(session: Session, settings: Settings) -> None:
    seed(session)

    trend = _report(session, settings).trend

    assert len(trend) == 8
    assert trend[-1].week == "2026-W10"
    assert trend[-1].on_time_pct == 33.3


def test_the_drill_down_lists_a_units_officials_worst_first(
    session: Session, settings: Settings
) -> None:
    seed(session)
    unit_id = _report(session, settings, unit="Phòng Nội vụ").units[0].unit_id
    assert unit_id is not None

    rows = compliance.officials_of(
        session, policies=settings.policies, at=clockless(settings, NOW), unit_id=unit_id
    )

    assert [
        (r.employee_id, r.accounts, r.overdue, r.advisory_acked, r.browser_declared) for r in rows
    ] == [("CB001", 2, 1, 1, 1)]


def test_an_unknown_unit_is_an_error(session: Session, settings: Settings) -> None:
    import pytest

    from hygiene.errors import NotFound

    with pytest.raises(NotFound):
        _report(session, settings, unit="Không có")


def test_charts_are_plain_svg_with_escaped_labels() -> None:
    svg = str(charts.bars([("<b>Xã</b>", 75.0), ("Phường", None)], title="Tỷ lệ"))

    assert svg.startswith("<svg")
    assert "&lt;b&gt;" in svg
    assert "<script" not in svg
    assert "style=" not in svg
