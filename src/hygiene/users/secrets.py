"""Random tokens and one-time codes, and their keyed hashes: what we hand out is never stored."""

import hashlib
import hmac
import secrets

from hygiene.acks import codes


def new_token() -> str:
    return secrets.token_urlsafe(32)


def new_code() -> str:
    """A random one-time code in the acknowledgement codes' alphabet, unformatted (8 chars)."""
    return "".join(secrets.choice(codes.ALPHABET) for _ in range(codes.LENGTH))


def keyed_hash(secret: bytes, purpose: str, value: str) -> str:
    key = hmac.new(secret, f"hygiene/{purpose}/v1".encode(), hashlib.sha256).digest()
    return hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()
