"""The backup_marker table: what `hygiene backup` records in the backup it takes, and what the
service records when it finds that it runs on a restored database."""

from datetime import datetime

from sqlalchemy import DateTime
from sqlmodel import Field, SQLModel

BACKUP, CHECKPOINT = "backup", "checkpoint"


class BackupMarker(SQLModel, table=True):
    __tablename__ = "backup_marker"

    id: int | None = Field(default=None, primary_key=True)
    # backup: written into a backup by `hygiene backup`. checkpoint: written by the service when
    # the checkpoint file (<data_dir>/audit-checkpoint) named an event the log no longer holds.
    kind: str = Field(max_length=16)
    taken_at: datetime = Field(sa_type=DateTime(timezone=True))
    audit_seq: int  # the log's head when the backup was taken (or the file's checkpoint)
    audit_hash: str = Field(max_length=64)
    waiting: int = 0  # messages pending or sending at that time
    # PostgreSQL: the live database carried on past the backup's snapshot (set right after it
    # was exported), so in the live database the marker is no sign of a restore. NULL in the dump.
    live_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    # When a service found itself on the restored database and held the waiting messages.
    restored_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    held: int = 0
