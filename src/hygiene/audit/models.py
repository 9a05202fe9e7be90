"""The audit_event table. Rows are only ever inserted; database triggers refuse UPDATE and DELETE,
and the hash chain exposes anyone who disables them."""

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, Index, Text, text
from sqlmodel import Field, SQLModel


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_event"

    seq: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    at: datetime = Field(sa_type=DateTime(timezone=True), index=True)
    actor: str = Field(max_length=200)
    action: str = Field(max_length=64, index=True)
    subject: str = Field(max_length=200, index=True)
    data: str = Field(sa_type=Text)
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64, unique=True)


class AuditHead(SQLModel, table=True):
    """The chain's head (seq, hash of the last event) in one row: appends lock and update it
    instead of looking up the newest event, so an append costs the same at any log size and no
    query plan depends on audit_event's statistics. verify() still walks the events themselves."""

    __tablename__ = "audit_head"
    __table_args__ = (CheckConstraint("id = 1", name="ck_audit_head_single_row"),)

    id: int = Field(default=1, primary_key=True, sa_column_kwargs={"autoincrement": False})
    seq: int
    hash: str = Field(max_length=64)


class AuditVerification(SQLModel, table=True):
    """A background verification of the chain (hygiene.audit.jobs). In the database, not in a
    process, so every instance behind a load balancer answers for the same jobs with the same
    ids; the partial unique index lets at most one run at a time across all of them."""

    __tablename__ = "audit_verification"
    __table_args__ = (
        Index(
            "ux_audit_verification_running",
            "status",
            unique=True,
            sqlite_where=text("status = 'running'"),
            postgresql_where=text("status = 'running'"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    status: str = Field(max_length=16)  # running | done | error
    owner: str = Field(max_length=200)  # the process walking it (host:pid)
    started_at: datetime = Field(sa_type=DateTime(timezone=True))
    heartbeat_at: datetime = Field(sa_type=DateTime(timezone=True))  # renewed while it runs
    finished_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    ok: bool | None = None
    count: int | None = None
    head_hash: str | None = Field(default=None, max_length=64)
    first_bad_seq: int | None = None
    reason: str | None = Field(default=None, sa_type=Text)
