"""Writing to the append-only journal. Only services and commands call `record`."""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import models

from maillage.core.actions import register_actions
from maillage.core.models import AuditEntry

_run_id: ContextVar[str] = ContextVar("maillage_audit_run_id", default="")

__all__ = ["command_run", "record", "register_actions"]


@contextmanager
def command_run() -> Iterator[str]:
    """Tag every entry recorded inside the block with one run id (for management commands)."""
    token = _run_id.set(str(uuid.uuid4()))
    try:
        yield _run_id.get()
    finally:
        _run_id.reset(token)


def _user_or_none(user):
    return user if user is not None and getattr(user, "is_authenticated", False) else None


def record(
    *,
    actor,
    action: str,
    obj: models.Model | None = None,
    on_behalf_of=None,
    structure=None,
    commune=None,
    departement: str = "",
    epci: str = "",
    payload: dict | None = None,
    personal_data: bool = False,
) -> AuditEntry:
    """Append one entry. `structure` and `commune` (model instances) give its place in the territory."""
    if commune is None and structure is not None:
        commune = getattr(structure, "commune", None)
    if commune is not None:
        departement = departement or commune.departement_id or ""
        epci = epci or commune.epci_id or ""
    return AuditEntry.objects.create(
        actor=_user_or_none(actor),
        on_behalf_of=_user_or_none(on_behalf_of),
        action=str(action),
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:255] if obj is not None else "",
        departement_code=departement,
        epci_code=epci,
        structure_id=structure.pk if structure is not None else None,
        payload=payload or {},
        personal_data=personal_data,
        run_id=_run_id.get(),
    )
