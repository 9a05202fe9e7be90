"""Who an advisory is for: one row per unit; an advisory without rows is for every official."""

from sqlmodel import Field, SQLModel


class AdvisoryUnit(SQLModel, table=True):
    __tablename__ = "advisory_unit"

    advisory_id: int = Field(foreign_key="advisory.id", primary_key=True, ondelete="CASCADE")
    unit_id: int = Field(foreign_key="unit.id", primary_key=True, index=True, ondelete="CASCADE")
