"""The breach check for one official and account, as the portal and the CLI run it: the context
words come from the inventory, the leak count from the configured index."""

from sqlmodel import Session

from hygiene.breach.check import BreachVerdict, check
from hygiene.breach.context import Context
from hygiene.inventory.models import Account, Official, Unit
from hygiene.settings import Settings


def context_for(session: Session, *, official: Official | None, account: Account | None) -> Context:
    """What the new password must not contain: the official's name, employee id, unit and
    login, and the system it is for. An anonymous check knows only the service's name."""
    if official is None:
        return Context(system=account.system if account else "")
    unit = session.get(Unit, official.unit_id)
    return Context(
        full_name=official.full_name,
        employee_id=official.employee_id,
        unit=unit.name if unit else "",
        login=account.login if account and account.login else (official.email or ""),
        system=account.system if account else "",
    )


def verdict(
    session: Session,
    *,
    settings: Settings,
    password: str,
    official: Official | None,
    account: Account | None = None,
) -> BreachVerdict:
    """Look the password up and apply the context rules; nothing is kept."""
    context = context_for(session, official=official, account=account)
    return check(password, index=settings.breach.index, context=context)


def capped_score(score: int, found: BreachVerdict) -> int:
    """The score to keep: a leaked or context-derived password is guessable whatever zxcvbn says."""
    return score if found.acceptable else 0
