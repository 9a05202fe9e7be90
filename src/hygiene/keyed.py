"""Codes, tokens and keyed hashes: what we hand out is never stored, only its keyed hash.

The lowest layer of the secrets the service hands out. It imports nothing from hygiene, so acks,
users, outbox and portal can all use it without depending on each other.

Acknowledgement codes are 8 Crockford base32 characters, shown XXXX-XXXX. A message's code is a
keyed PRF (HMAC-SHA256 with the service secret) of its idempotency key, so a retry, or a duplicate
sent by a worker that crashed mid-send, carries the same code, and no code is stored anywhere: the
database keeps only HMAC(code), under a different derived key. 40 bits per code; the acks service
(not here) limits guesses and expires codes. Sign-in and enrolment codes use the same alphabet but
are random (`new_code`); tokens are random URL-safe strings (`new_token`). Both are stored as
`keyed_hash(secret, purpose, value)`, one derived key per purpose.
"""

import hashlib
import hmac
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O, U
LENGTH = 8
_READ_AS = str.maketrans({"I": "1", "L": "1", "O": "0"})


def _subkey(secret: bytes, purpose: bytes) -> bytes:
    return hmac.new(secret, b"hygiene/ack/" + purpose, hashlib.sha256).digest()


def code_for(secret: bytes, idempotency_key: str) -> str:
    """The message's code (8 characters, unformatted), the same on every call."""
    digest = hmac.new(
        _subkey(secret, b"code/v1"), idempotency_key.encode("utf-8"), hashlib.sha256
    ).digest()
    number = int.from_bytes(digest[:5], "big")  # 40 bits = 8 × 5 bits
    return "".join(ALPHABET[(number >> (5 * i)) & 31] for i in reversed(range(LENGTH)))


def display(code: str) -> str:
    return f"{code[:4]}-{code[4:]}"


def normalise(typed: str) -> str | None:
    """What the official typed, as a code: case, spaces, dashes and I/L/O look-alikes forgiven."""
    cleaned = "".join(typed.split()).replace("-", "").upper().translate(_READ_AS)
    if len(cleaned) != LENGTH or any(c not in ALPHABET for c in cleaned):
        return None
    return cleaned


def code_hmac(secret: bytes, code: str) -> str:
    """What the database stores for an acknowledgement code (hex HMAC-SHA256)."""
    return hmac.new(_subkey(secret, b"store/v1"), code.encode("ascii"), hashlib.sha256).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


def new_code() -> str:
    """A random one-time code in the acknowledgement codes' alphabet, unformatted (8 chars)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def keyed_hash(secret: bytes, purpose: str, value: str) -> str:
    """What the database stores for a random code or token handed out for `purpose` (hex)."""
    key = hmac.new(secret, f"hygiene/{purpose}/v1".encode(), hashlib.sha256).digest()
    return hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()
