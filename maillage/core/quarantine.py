"""What every importer's quarantine shares: a rejected row set aside on purpose, kept with who and why."""

from django.core.exceptions import ValidationError
from django.db import transaction

from maillage.core import audit

PENDING = "pending"  # the status of a row still to fix, in every app's QuarantineStatus


def quarantined_row_discard(*, actor, row, reason: str, status: str, action: str):
    """Mark `row` (a quarantined row with `status`, `line`, `batch`) as discarded and journal why.

    The caller checks the actor's permission; `status` and `action` are its app's discarded status
    and journal action.
    """
    if not reason.strip():
        raise ValidationError("Indiquez pourquoi cette ligne est écartée.")
    if row.status != PENDING:
        raise ValidationError("Cette ligne n'est plus à corriger : elle a déjà été corrigée ou écartée.")
    with transaction.atomic():
        row.status = status
        row.save(update_fields=["status", "updated_at"])
        audit.record(
            actor=actor,
            action=action,
            obj=row,
            payload={"line": row.line, "batch": row.batch_id, "reason": reason.strip()},
        )
    return row
