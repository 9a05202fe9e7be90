"""The compliance report states the profile each figure was measured under, and under
nist-800-63b-4 an account is overdue only while compromised and not changed since."""

from datetime import UTC, date, datetime
from typing import Any

from sqlmodel import Session

from hygiene.campaigns.service import clockless
from hygiene.reports import compliance, profiles
from hygiene.settings import NIST, Policy, Settings
from tests import factories as f
from tests.conftest import NOW

OLD = date(2025, 1, 1)  # long past any rotation interval


def _unit(session: Session) -> None:
    unit = f.ident(f.unit(session, "Phòng Nội vụ"))
    who = f.ident(f.official(session, unit, "CB001"))
    f.account(session, who, rotated=OLD)  # email, directive: overdue by date
    f.account(session, who, kind="social", system="Facebook", login="fb", rotated=OLD)
    f.account(
        session, who, kind="social", system="TikTok", login="tt", rotated=OLD,
        compromised=datetime(2026, 2, 20, 3, 0, tzinfo=UTC),
    )  # fmt: skip
    session.commit()


def _mixed(settings: Settings) -> Settings:
    policies = {
        "email": Policy(rotation_days=90, label_vi="Thư điện tử", label_en="Email"),
        "social": Policy(profile=NIST, label_vi="Mạng xã hội", label_en="Social network"),
    }
    return Settings(**{**settings.model_dump(exclude={"policies"}), "policies": policies})


def test_nist_kinds_are_overdue_only_when_compromised(session: Session, settings: Settings) -> None:
    _unit(session)
    mixed = _mixed(settings)

    report = compliance.report(session, policies=mixed.policies, at=clockless(mixed, NOW))

    assert (report.total.accounts, report.total.overdue) == (3, 2)  # email by date, TikTok leaked
    assert (report.profiles["email"], report.profiles["social"]) == ("directive", NIST)


def test_the_same_accounts_under_the_directive_are_all_overdue(
    session: Session, settings: Settings
) -> None:
    _unit(session)
    report = compliance.report(session, policies=settings.policies, at=clockless(settings, NOW))
    assert report.total.overdue == 3
    assert set(report.profiles.values()) == {"directive"}


def test_the_note_names_each_profile_with_its_kinds() -> None:
    policies = {
        "email": Policy(label_vi="Thư điện tử", label_en="Email"),  # no profile: directive
        "social": Policy(profile=NIST, label_vi="Mạng xã hội", label_en="Social network"),
    }
    assert profiles.note(policies, "vi") == (
        "Đo theo hồ sơ chính sách: Thư điện tử — chỉ thị (đổi mật khẩu định kỳ; quá hạn khi qua"
        " ngày đến hạn hoặc bị lộ); Mạng xã hội — NIST SP 800-63B-4 (không đổi định kỳ; quá hạn"
        " chỉ khi bị lộ mà chưa đổi)."
    )
    assert profiles.note(policies, "en").startswith(
        "Measured under policy profiles: Email — directive"
    )


def test_the_cli_report_prints_the_note(run_cli: Any, session: Session) -> None:
    _unit(session)
    result = run_cli("report", "compliance", env={"HYGIENE_POLICY__PROFILE": NIST})
    assert result.exit_code == 0, result.output
    assert "NIST SP 800-63B-4 (không đổi định kỳ" in result.output
