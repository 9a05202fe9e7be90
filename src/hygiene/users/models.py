"""Console users, API tokens, web sessions and throttles.

Only console users have a password here, and only its argon2 hash: it is their own sign-in secret,
not an inventory password. Tokens, setup codes and session ids are stored as HMACs.
"""

from datetime import datetime

from sqlalchemy import BigInteger, DateTime
from sqlmodel import Field, SQLModel


class ConsoleUser(SQLModel, table=True):
    __tablename__ = "console_user"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True)
    roles: str = Field(max_length=64)  # "admin", "security" or "admin,security"
    # How reports and notifications name the person ("Nguyễn Văn An"), never the login email.
    display_name: str | None = Field(default=None, max_length=200)
    locale: str = Field(default="vi", max_length=5)
    password_hash: str | None = Field(default=None, max_length=200)
    totp_secret: str | None = Field(default=None, max_length=255)  # sealed: see users/totp.py
    totp_last_step: int | None = Field(default=None, sa_type=BigInteger)
    setup_code_hmac: str | None = Field(default=None, max_length=64, index=True)
    setup_expires_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    failed_logins: int = 0
    locked_until: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    active: bool = True
    created_at: datetime = Field(sa_type=DateTime(timezone=True))
    last_login_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))


class ApiToken(SQLModel, table=True):
    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="console_user.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=100)
    token_hmac: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(sa_type=DateTime(timezone=True))
    last_used_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    expires_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    revoked_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))


class WebSession(SQLModel, table=True):
    __tablename__ = "web_session"

    id: int | None = Field(default=None, primary_key=True)
    token_hmac: str = Field(max_length=64, unique=True)
    kind: str = Field(max_length=16)  # "console" | "official"
    user_id: int | None = Field(default=None, foreign_key="console_user.id", ondelete="CASCADE")
    official_id: int | None = Field(default=None, foreign_key="official.id", ondelete="CASCADE")
    created_at: datetime = Field(sa_type=DateTime(timezone=True))
    expires_at: datetime = Field(sa_type=DateTime(timezone=True), index=True)
    revoked_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))


class Throttle(SQLModel, table=True):
    """A fixed-window counter per key ("login:ip:1.2.3.4", "ack:code:…"), with a lockout."""

    key: str = Field(primary_key=True, max_length=200)
    window_start: datetime = Field(sa_type=DateTime(timezone=True))
    count: int = 0
    locked_until: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
