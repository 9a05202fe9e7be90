"""`hygiene check-password`: a password's strength, never kept.

It reads the password with a hidden prompt (getpass underneath), never echoes it, never stores it:
only the score and date, on the account named by --account. With `breach.index` configured it
also says how many known leaks the password appears in; context words (name, employee id, unit,
login, system, birth-year-like numbers) are refused either way, and cap the kept score at 0.
"""

from typing import Annotated

import typer
from sqlmodel import Session, col, select

from hygiene import i18n
from hygiene.bootstrap import Deps
from hygiene.breach import service as breach
from hygiene.breach.check import BreachVerdict
from hygiene.cli.common import say, session, state
from hygiene.db import row_id
from hygiene.errors import HygieneError, NotFound
from hygiene.inventory.models import Account, Official
from hygiene.policy import strength
from hygiene.policy.rules import local_date
from hygiene.portal import service as portal


def _account(s: Session, official: Official, wanted: str) -> Account:
    query = select(Account).where(Account.official_id == official.id)
    if wanted.isdigit():
        query = query.where(col(Account.id) == int(wanted))
    else:
        query = query.where(col(Account.system) == wanted)
    found = s.exec(query).first()
    if found is None:
        raise NotFound(
            "portal.strength.no_account_cli", account=wanted, employee_id=official.employee_id
        )
    return found


ForOption = Annotated[str | None, typer.Option("--for", help="Mã cán bộ / Employee id")]
AccountOption = Annotated[
    str | None,
    typer.Option(
        help="Lưu điểm cho tài khoản (id hoặc tên hệ thống)"
        " / Store the score on this account (id or system name)"
    ),
]


def check_password(
    ctx: typer.Context, for_: ForOption = None, account: AccountOption = None
) -> None:
    """Kiểm tra độ mạnh một mật khẩu mà không lưu nó. / Check a password's strength; never kept."""
    locale = state(ctx).locale
    candidate: str = typer.prompt(i18n.t("portal.strength.prompt", locale), hide_input=True)
    deps = state(ctx).deps
    saved: str | None = None
    with session(ctx) as s:
        official = _official(s, for_)
        words = portal.personal_words(s, official) if official else []
        target = _account(s, official, account) if official is not None and account else None
        try:
            result = strength.evaluate(candidate, user_inputs=strength.personal_inputs(*words))
            found = breach.verdict(
                s, settings=deps.settings, password=candidate, official=official, account=target
            )
        except strength.TooLong:
            raise HygieneError("strength.too_long", max=strength.MAX_LENGTH) from None
        finally:
            del candidate
        kept = breach.capped_score(result.score, found)
        if official is not None and target is not None:
            _record(s, deps, official=official, account=target, score=kept)
            saved = target.system
    if saved is not None:  # after the commit, which the session block above made
        say(ctx, "portal.strength.saved", score=kept, system=saved)
    _say_verdict(ctx, result, found)


def _official(s: Session, employee_id: str | None) -> Official | None:
    """The official `--for` names (NotFound if none has that id); None without `--for`."""
    if not employee_id:
        return None
    official = s.exec(select(Official).where(Official.employee_id == employee_id)).first()
    if official is None:
        raise NotFound("official.not_found", employee_id=employee_id)
    return official


def _record(s: Session, deps: Deps, *, official: Official, account: Account, score: int) -> None:
    """Keep the score (never the password) on the account, dated in HYGIENE_TIMEZONE."""
    now = deps.clock.now()
    portal.record_strength(
        s,
        official_id=row_id(official.id),
        account_id=row_id(account.id),
        score=score,
        today=local_date(now, deps.settings.zone),
        now=now,
    )


def _say_verdict(ctx: typer.Context, result: strength.Strength, found: BreachVerdict) -> None:
    locale = state(ctx).locale
    label = i18n.t(f"strength.score_{result.score}", locale)
    say(ctx, "portal.strength.result", label=label, score=result.score)
    say(ctx, "portal.strength.crack", time=result.crack_time(locale))
    for line in result.feedback(locale):
        typer.echo(f"- {line}")
    if found.leaks is None:
        say(ctx, "breach.not_configured")
    for line in found.lines(locale):
        typer.echo(f"! {line}")


def register(app: typer.Typer) -> None:
    app.command("check-password")(check_password)
