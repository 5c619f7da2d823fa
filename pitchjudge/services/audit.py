"""The audit trail: every change leaves who, what, old value, new value and when."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlmodel import Session, col, select

from pitchjudge.models import AuditEvent


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, default=str, sort_keys=True)


def record(
    session: Session,
    *,
    contest_id: int | None,
    actor: str,
    entity: str,
    entity_id: int | None,
    action: str,
    actor_id: int | None = None,
    field: str | None = None,
    old: Any = None,
    new: Any = None,
) -> AuditEvent:
    """Add one audit event to the session (committed with the change it describes)."""
    event = AuditEvent(
        contest_id=contest_id,
        actor=actor,
        actor_id=actor_id,
        entity=entity,
        entity_id=entity_id,
        action=action,
        field=field,
        old_value=_text(old),
        new_value=_text(new),
    )
    session.add(event)
    return event


def record_changes(
    session: Session,
    *,
    contest_id: int | None,
    actor: str,
    entity: str,
    entity_id: int | None,
    before: dict[str, Any],
    after: dict[str, Any],
    actor_id: int | None = None,
) -> list[str]:
    """One `update` event per field whose value changed; returns the changed field names."""
    changed = [name for name in after if before.get(name) != after[name]]
    for name in changed:
        record(
            session,
            contest_id=contest_id,
            actor=actor,
            actor_id=actor_id,
            entity=entity,
            entity_id=entity_id,
            action="update",
            field=name,
            old=before.get(name),
            new=after[name],
        )
    return changed


def set_field(
    session: Session,
    row: Any,
    field: str,
    value: Any,
    *,
    contest_id: int | None,
    actor: str,
    entity: str,
    audit_field: str | None = None,
    old: Any = None,
    new: Any = None,
) -> bool:
    """Set `row.field = value` with its `update` audit event, only when it changes; returns
    whether it changed. `audit_field`, `old` and `new` name a part of the field (one key of
    a JSON column) in the log."""
    current = getattr(row, field)
    if current == value:
        return False
    record(
        session,
        contest_id=contest_id,
        actor=actor,
        entity=entity,
        entity_id=row.id,
        action="update",
        field=audit_field or field,
        old=current if audit_field is None else old,
        new=value if audit_field is None else new,
    )
    setattr(row, field, value)
    session.add(row)
    session.flush()
    return True


def history(session: Session, *, entity: str, entity_id: int) -> Sequence[AuditEvent]:
    """The events of one entity, oldest first."""
    return session.exec(
        select(AuditEvent)
        .where(AuditEvent.entity == entity, AuditEvent.entity_id == entity_id)
        .order_by(col(AuditEvent.at), col(AuditEvent.id))
    ).all()
