"""Writes on places: imports, quarantine, edits, calls, orientation links. Views, API and commands
call these (deduplication and merges live in dedup.py and have their services here too)."""

import datetime as dt
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from maillage.core import audit
from maillage.places import perms
from maillage.places import standard as std
from maillage.places.enums import AuditAction, QuarantineStatus
from maillage.places.geo import CommuneResolver
from maillage.places.importing.runner import COMPARED, _comparable, _diff, _model_values, import_places
from maillage.places.importing.validation import RowChecker
from maillage.places.models import STANDARD_TO_MODEL, OrientationLink, PhoneCall, Place, QuarantinedRow
from maillage.places.search import invalidate_index
from maillage.structures.models import Structure

ORIENTATION_CODE_BYTES = 6
_STANDARD_NAMES = std.FIELD_NAMES


def place_import_file(
    *, actor, data: bytes, filename: str, dataset=None, dry_run=False, mapping=None, progress=None, batch=None
):
    """Import a file; returns (report, batch). See importing/runner.py for the report's shape."""
    result = import_places(
        actor=actor,
        data=data,
        filename=filename,
        dataset=dataset,
        dry_run=dry_run,
        mapping=mapping,
        progress=progress,
        batch=batch,
    )
    transaction.on_commit(invalidate_index)
    return result


def report_summary(report: dict) -> str:
    """A few lines of French for the console and the page."""
    lines = [
        f"{report['file']['name']} ({report['variant']}) → jeu de données « {report['dataset']} »"
        + (" — simulation, rien n'est enregistré" if report["dry_run"] else ""),
        f"  {report['rows']} ligne(s) : {report['accepted']} acceptée(s), {report['rejected']} rejetée(s) "
        f"(en quarantaine), {len(report['warnings'])} avertissement(s)",
        f"  {len(report['created'])} créée(s), {len(report['updated'])} modifiée(s), "
        f"{report['unchanged']} inchangée(s), {len(report['disappeared'])} absente(s) du fichier "
        "(signalées, non supprimées)",
    ]
    return "\n".join(lines)


def _checked_values(values: dict, *, line: int = 0):
    """Validate standard values like an imported row; raise ValidationError with every reason."""
    checked = RowChecker().check(line, values)
    if not checked.ok:
        raise ValidationError({issue.field or "__all__": issue.reason for issue in checked.errors})
    return checked


def _locate_and_values(checked, extra: dict) -> dict:
    values = checked.values
    resolver = CommuneResolver()
    location = resolver.locate(
        values["code_insee"], values["code_postal"], values["commune"], values["latitude"], values["longitude"]
    )
    if location.commune and not values["code_insee"]:
        values["code_insee"] = location.commune
    structures = dict(Structure.objects.exclude(siret="").values_list("siret", "pk"))
    return _model_values(checked, location, extra, structures)


def place_update(*, actor, place: Place, changes: dict) -> Place:
    """Edit a place's standard fields (validated like an import); the journal keeps old → new."""
    if not perms.can_edit_place(actor, place):
        raise PermissionDenied
    current = {name: getattr(place, STANDARD_TO_MODEL.get(name, name)) for name in _STANDARD_NAMES}
    current["date_maj"] = place.date_maj.isoformat()
    current.update(changes)
    if "date_maj" not in changes:
        current["date_maj"] = timezone.localdate().isoformat()
    checked = _checked_values(current)
    values = _locate_and_values(checked, place.extra)
    values["structure_id"] = values.get("structure_id") or place.structure_id
    before = _comparable({name: getattr(place, name) for name in COMPARED})
    diff = _diff(before, _comparable(values))
    if not diff:
        return place
    with transaction.atomic():
        for name, value in values.items():
            setattr(place, name, value)
        place.full_clean()
        place.save()
        audit.record(
            actor=actor,
            action=AuditAction.PLACE_UPDATED,
            obj=place,
            commune=place.commune,
            structure=place.structure,
            payload={"changes": diff},
        )
        transaction.on_commit(invalidate_index)
    return place


def quarantine_resubmit(*, actor, row: QuarantinedRow, values: dict) -> Place:
    """Fix a rejected row and import it: the place is created or updated in the row's dataset."""
    if not perms.can_fix_quarantined_row(actor, row):
        raise PermissionDenied
    if row.status != QuarantineStatus.PENDING:
        raise ValidationError("Cette ligne a déjà été traitée.")
    checked = _checked_values(values, line=row.line)
    model_values = _locate_and_values(checked, {})
    with transaction.atomic():
        place, created = Place.objects.update_or_create(
            dataset=row.dataset,
            local_id=model_values.pop("local_id"),
            defaults={**model_values, "import_batch": row.batch, "imported_at": timezone.now(), "missing_since": None},
        )
        row.status, row.place, row.data = (
            QuarantineStatus.RESUBMITTED,
            place,
            {
                key: (value.isoformat() if isinstance(value, dt.date) else value)
                for key, value in checked.values.items()
            },
        )
        row.save(update_fields=["status", "place", "data", "updated_at"])
        audit.record(
            actor=actor,
            action=AuditAction.QUARANTINE_RESUBMITTED,
            obj=place,
            commune=place.commune,
            payload={"line": row.line, "batch": row.batch_id, "created": created},
        )
        transaction.on_commit(invalidate_index)
    return place


def quarantine_discard(*, actor, row: QuarantinedRow, reason: str) -> QuarantinedRow:
    """Set a rejected row aside on purpose (kept, with who and why)."""
    if not perms.can_fix_quarantined_row(actor, row):
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError("Indiquez pourquoi cette ligne est écartée.")
    with transaction.atomic():
        row.status = QuarantineStatus.DISCARDED
        row.save(update_fields=["status", "updated_at"])
        audit.record(
            actor=actor,
            action=AuditAction.QUARANTINE_DISCARDED,
            obj=row,
            payload={"line": row.line, "batch": row.batch_id, "reason": reason.strip()},
        )
    return row


def phone_call_record(*, actor, commune, need: str, outcome: str, places=()) -> PhoneCall:
    """An anonymous call to the numéro vert: where, what need, what outcome — nothing about the caller."""
    call = PhoneCall(commune=commune, need=need[:100], outcome=outcome, operator=actor)
    call.full_clean()
    with transaction.atomic():
        call.save()
        call.places.set(places)
    return call


def orientation_link_create(*, place_ids: list[int], note: str = "") -> OrientationLink:
    """A short link to a fiche d'orientation (published places only)."""
    ids = list(Place.objects.published().filter(pk__in=place_ids).values_list("pk", flat=True))
    if not ids:
        raise ValidationError("Choisissez au moins un lieu publié.")
    ordered = [pk for pk in place_ids if pk in ids]
    existing = OrientationLink.objects.filter(places=ordered, note=note.strip()[:500]).first()
    if existing:
        return existing
    while True:
        code = secrets.token_urlsafe(ORIENTATION_CODE_BYTES)[:8]
        if not OrientationLink.objects.filter(code=code).exists():
            break
    return OrientationLink.objects.create(code=code, places=ordered, note=note.strip()[:500])
