"""Second factor: TOTP secrets sealed with the service secret, each time step usable once.

The seed is stored sealed (Fernet under a key derived from the service secret, like the Zalo
tokens in channels/token_store.py): a database dump alone gives no authenticator seed. A code is
accepted for the current 30-second step or one step either side (clock drift), and only when its
step is later than the last step that signed this user in, so a code seen over a shoulder or in
a proxy log cannot sign in a second time.
"""

import base64
import hashlib
import hmac
import re
from datetime import datetime

import pyotp
from cryptography.fernet import Fernet, InvalidToken

STEP_SECONDS = 30
DRIFT_STEPS = 1
# What releases before sealing stored: pyotp's base32 seed as it is (upper case, no padding).
_PLAINTEXT_SEED = re.compile(r"[A-Z2-7]{16,128}=*")


def _fernet(secret: bytes) -> Fernet:
    key = hmac.new(secret, b"hygiene/totp-seed/v1", hashlib.sha256).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def new_seed() -> str:
    return pyotp.random_base32()


def seal(seed: str, *, secret: bytes) -> str:
    return _fernet(secret).encrypt(seed.encode()).decode("ascii")


def unseal(sealed: str, *, secret: bytes) -> str | None:
    """The seed, or None when it was sealed under another secret (or is not sealed)."""
    try:
        return _fernet(secret).decrypt(sealed.encode("ascii")).decode()
    except (InvalidToken, ValueError):
        return None


def is_plaintext(stored: str) -> bool:
    """A seed stored in clear by a release before sealing (a Fernet token has lower case)."""
    return _PLAINTEXT_SEED.fullmatch(stored) is not None


def matching_step(seed: str, code: str | None, *, now: datetime, after: int | None) -> int | None:
    """The time step `code` belongs to, if it is valid now and later than step `after`."""
    typed = "".join((code or "").split())
    if not typed:
        return None
    current = int(now.timestamp()) // STEP_SECONDS
    totp = pyotp.TOTP(seed)
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if (after is None or step > after) and hmac.compare_digest(
            totp.at(step * STEP_SECONDS), typed
        ):
            return step
    return None
