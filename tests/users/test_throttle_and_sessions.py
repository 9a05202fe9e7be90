from datetime import timedelta

from sqlmodel import Session

from hygiene.users import sessions, throttle
from tests.conftest import NOW, SECRET

KEY = SECRET.encode()
RULE = throttle.Limit(limit=3, window=timedelta(minutes=1), lockout=timedelta(minutes=10))


def test_attempts_beyond_the_limit_lock_the_key(session: Session) -> None:
    verdicts = [throttle.hit(session, key="ack:ip:1.2.3.4", rule=RULE, now=NOW) for _ in range(4)]

    assert [v.allowed for v in verdicts] == [True, True, True, False]
    assert verdicts[-1].locked_until == NOW + RULE.lockout
    assert not throttle.hit(
        session, key="ack:ip:1.2.3.4", rule=RULE, now=NOW + timedelta(minutes=5)
    ).allowed
    assert throttle.hit(
        session, key="ack:ip:1.2.3.4", rule=RULE, now=NOW + timedelta(minutes=11)
    ).allowed


def test_keys_are_independent_and_windows_reset(session: Session) -> None:
    for _ in range(3):
        throttle.hit(session, key="a", rule=RULE, now=NOW)

    assert throttle.hit(session, key="b", rule=RULE, now=NOW).allowed
    assert throttle.hit(session, key="a", rule=RULE, now=NOW + timedelta(minutes=2)).remaining == 2


def test_clear_forgets_a_key(session: Session) -> None:
    for _ in range(4):
        throttle.hit(session, key="a", rule=RULE, now=NOW)
    throttle.clear(session, key="a")

    assert throttle.hit(session, key="a", rule=RULE, now=NOW).allowed


def test_a_session_resolves_until_it_expires_or_ends(session: Session) -> None:
    token = sessions.start(session, kind="console", secret=KEY, now=NOW, user_id=None)

    assert sessions.resolve(session, token=token, secret=KEY, now=NOW) is not None
    assert (
        sessions.resolve(session, token=token, secret=KEY, now=NOW + sessions.CONSOLE_TTL) is None
    )
    sessions.end(session, token=token, secret=KEY, now=NOW)
    assert sessions.resolve(session, token=token, secret=KEY, now=NOW) is None


def test_signing_in_ends_the_session_the_browser_had(session: Session) -> None:
    planted = sessions.start(session, kind="official", secret=KEY, now=NOW)

    fresh = sessions.start(session, kind="official", secret=KEY, now=NOW, previous=planted)

    assert fresh != planted
    assert sessions.resolve(session, token=planted, secret=KEY, now=NOW) is None
    assert sessions.resolve(session, token=fresh, secret=KEY, now=NOW) is not None
