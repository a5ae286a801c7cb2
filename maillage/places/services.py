"""Writes on places: imports, quarantine, edits, calls, orientation links. Views, API and commands
call these (deduplication and merges live in dedup.py and have their services here too)."""

import datetime as dt
import json
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from maillage.core import audit
from maillage.core.quarantine import quarantined_row_discard
from maillage.places import dedup, perms
from maillage.places import standard as std
from maillage.places.enums import AuditAction, DuplicateStatus, QuarantineStatus
from maillage.places.geo import CommuneResolver
from maillage.places.importing.runner import COMPARED, _comparable, _diff, _model_values, import_places
from maillage.places.importing.validation import RowChecker
from maillage.places.models import (
    STANDARD_TO_MODEL,
    DuplicateCandidate,
    OrientationLink,
    PhoneCall,
    Place,
    PlaceMerge,
    QuarantinedRow,
)
from maillage.places.search import invalidate_index
from maillage.structures.models import Structure
from maillage.territories.territory import TerritoryRef

ORIENTATION_CODE_BYTES = 6
ORIENTATION_MAX_PLACES = 6  # places on one fiche d'orientation
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
    checked = _checked_values(current)
    values = _locate_and_values(checked, place.extra)
    values["structure_id"] = values.get("structure_id") or place.structure_id
    before = _comparable({name: getattr(place, name) for name in COMPARED})
    if not _diff(before, _comparable(values)):
        return place  # nothing changes once checked: not even the date
    _check_still_in_reach(actor, values)
    if "date_maj" not in changes:  # an edit is dated the day it is made, unless it says otherwise
        values["date_maj"] = timezone.localdate()
    diff = _diff(before, _comparable(values))
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


def _check_resubmit_reach(actor, row: QuarantinedRow, model_values: dict) -> None:
    """A fixed row writes a place: one the actor may edit (the place of that id in the dataset, if
    any, and the place as fixed, in its commune). Refused otherwise, with the reason."""
    existing = Place.objects.filter(dataset=row.dataset, local_id=model_values["local_id"]).first()
    if existing is not None and not perms.can_edit_place(actor, existing):
        raise ValidationError(
            {"id": "cet identifiant est celui d'un lieu que vous ne pouvez pas modifier (hors de votre territoire)"}
        )
    _check_still_in_reach(actor, model_values)


def _check_still_in_reach(actor, model_values: dict) -> None:
    """The place as written stays one the actor may edit: a coordinateur does not send a place out
    of their territory (nor out of any commune), where they could no longer correct it."""
    after = Place(commune_id=model_values.get("commune_id"), structure_id=model_values.get("structure_id"))
    if not perms.can_edit_place(actor, after):
        if after.commune_id is None:
            raise ValidationError({"code_insee": "commune introuvable : indiquez son code INSEE ou son code postal"})
        raise ValidationError({"code_insee": "la commune de ce lieu est hors de votre territoire"})


def quarantine_resubmit(*, actor, row: QuarantinedRow, values: dict) -> Place:
    """Fix a rejected row and import it: the place is created or updated in the row's dataset."""
    if not perms.can_fix_quarantined_row(actor, row):
        raise PermissionDenied
    if row.status != QuarantineStatus.PENDING:
        raise ValidationError("Cette ligne a déjà été traitée.")
    checked = _checked_values(values, line=row.line)
    model_values = _locate_and_values(checked, {})
    _check_resubmit_reach(actor, row, model_values)
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
    return quarantined_row_discard(
        actor=actor,
        row=row,
        reason=reason,
        status=QuarantineStatus.DISCARDED,
        action=AuditAction.QUARANTINE_DISCARDED,
    )


def phone_call_record(*, actor, commune, need: str, outcome: str, places=()) -> PhoneCall:
    """An anonymous call to the numéro vert: where, what need, what outcome — nothing about the caller."""
    call = PhoneCall(commune=commune, need=need[:100], outcome=outcome, operator=actor)
    call.full_clean()
    with transaction.atomic():
        call.save()
        call.places.set(places)
    return call


def orientation_link_create(*, place_ids: list[int], note: str = "") -> tuple[OrientationLink, bool]:
    """A short link to a fiche d'orientation: its first ORIENTATION_MAX_PLACES published places, in
    the order given. Returns (link, created): the same fiche asked again gets the same link."""
    ids = set(Place.objects.published().filter(pk__in=place_ids).values_list("pk", flat=True))
    if not ids:
        raise ValidationError("Choisissez au moins un lieu publié.")
    ordered = [pk for pk in place_ids if pk in ids][:ORIENTATION_MAX_PLACES]
    existing = OrientationLink.objects.filter(places=ordered, note=note.strip()[:500]).first()
    if existing:
        return existing, False
    while True:
        code = secrets.token_urlsafe(ORIENTATION_CODE_BYTES)[:8]
        if not OrientationLink.objects.filter(code=code).exists():
            break
    return OrientationLink.objects.create(code=code, places=ordered, note=note.strip()[:500]), True


# --- Duplicates and merges (scoring in dedup.py) ------------------------------------------------


def duplicates_refresh(*, actor, territory: str | TerritoryRef | None = None, threshold: int | None = None) -> dict:
    """Compare the active places (of a territory) and keep the pairs worth reviewing.

    New pairs are added, pending ones get their new score, pending pairs that no longer reach the
    threshold are withdrawn; pairs already dismissed or merged keep their decision. Nothing is merged."""
    cfg = dedup.config()
    if threshold is not None:
        if not 0 <= threshold <= 100:
            raise ValidationError("Le seuil est un nombre entre 0 et 100.")
        cfg["threshold"] = threshold
    places = Place.objects.active()
    ref = TerritoryRef.parse(territory) if isinstance(territory, str) else territory
    if ref is not None:
        places = places.in_territory(ref)
    candidates = dedup.candidates_from(places)
    found = dedup.find_duplicates(candidates, cfg)
    considered = {candidate.pk for candidate in candidates}
    existing = {
        (pair.first_id, pair.second_id): pair
        for pair in DuplicateCandidate.objects.filter(first_id__in=considered, second_id__in=considered)
    }
    to_create, to_update, seen = [], [], set()
    for scored in found:
        key = (scored.first, scored.second)
        seen.add(key)
        pair = existing.get(key)
        if pair is None:
            to_create.append(
                DuplicateCandidate(
                    first_id=scored.first, second_id=scored.second, score=scored.score, details=scored.details
                )
            )
        elif pair.status == DuplicateStatus.PENDING and (pair.score, pair.details) != (scored.score, scored.details):
            pair.score, pair.details = scored.score, scored.details
            to_update.append(pair)
    stale = [pair.pk for key, pair in existing.items() if key not in seen and pair.status == DuplicateStatus.PENDING]
    with transaction.atomic():
        DuplicateCandidate.objects.bulk_create(to_create, batch_size=1000)
        DuplicateCandidate.objects.bulk_update(to_update, ["score", "details"], batch_size=500)
        DuplicateCandidate.objects.filter(pk__in=stale, merges__isnull=True).delete()
        summary = {
            "places": len(candidates),
            "found": len(found),
            "new": len(to_create),
            "rescored": len(to_update),
            "withdrawn": len(stale),
            "pending": DuplicateCandidate.objects.filter(
                status=DuplicateStatus.PENDING, first_id__in=considered, second_id__in=considered
            ).count(),
            "threshold": cfg["threshold"],
            "territory": str(ref) if ref else "",
        }
        audit.record(actor=actor, action=AuditAction.DUPLICATES_REFRESHED, payload=summary)
    return summary


def _snapshot(place: Place) -> dict:
    values = {name: getattr(place, name) for name in MERGE_SNAPSHOT}
    values["date_maj"] = place.date_maj.isoformat()
    return values


def _restore(place: Place, values: dict) -> None:
    for name, value in values.items():
        setattr(place, name, dt.date.fromisoformat(value) if name == "date_maj" else value)


MERGE_SNAPSHOT = tuple(
    dict.fromkeys(
        [field for fields in dedup.MERGE_ITEMS.values() for field in fields]
        + ["structure_id", "is_published", "merged_into_id", "date_maj"]
    )
)


def places_merge(*, actor, kept: Place, others: list[Place], choices: dict[str, str], candidate=None) -> PlaceMerge:
    """Merge `others` into `kept`, item by item (`choices`: item → pk of the place to take it from,
    or "union" for a list). The merged places are kept, flagged (merged into) and unpublished."""
    group = [kept, *others]
    if not others or len({place.pk for place in group}) != len(group):
        raise ValidationError("Choisissez au moins deux lieux différents.")
    if not perms.can_merge_places(actor, group):
        raise PermissionDenied
    if any(place.merged_into_id for place in group):
        raise ValidationError("Un de ces lieux est déjà fusionné dans un autre.")
    by_pk = {str(place.pk): place for place in group}
    defaults = dedup.default_choices(group)
    chosen = {**defaults, **{k: str(v) for k, v in choices.items() if k in dedup.MERGE_ITEMS}}
    for item, source in chosen.items():
        if source == dedup.UNION and item not in dedup.UNION_FIELDS:
            raise ValidationError(f"« {dedup.MERGE_LABELS[item]} » ne peut pas être une union.")
        if source != dedup.UNION and source not in by_pk:
            raise ValidationError(f"Choix invalide pour « {dedup.MERGE_LABELS[item]} ».")
    with transaction.atomic():
        locked = {
            str(place.pk): place
            for place in Place.objects.select_for_update(of=("self",)).filter(pk__in=[p.pk for p in group])
        }
        if any(place.merged_into_id for place in locked.values()):
            raise ValidationError("Un de ces lieux vient d'être fusionné dans un autre.")
        kept, others = locked[str(kept.pk)], [locked[str(p.pk)] for p in others]
        before = {"kept": _snapshot(kept), "merged": {str(p.pk): _snapshot(p) for p in others}}
        for item, source in chosen.items():
            fields = dedup.MERGE_ITEMS[item]
            if source == dedup.UNION:
                setattr(kept, fields[0], dedup.union(getattr(locked[pk], fields[0]) for pk in [str(kept.pk), *by_pk]))
                continue
            for name in fields:
                setattr(kept, name, getattr(locked[source], name))
        if kept.structure_id is None:
            kept.structure_id = next((p.structure_id for p in others if p.structure_id), None)
        kept.is_published = kept.is_published or (bool(kept.services) and any(p.is_published for p in others))
        kept.full_clean()
        kept.save()
        for place in others:
            place.merged_into, place.is_published = kept, False
            place.save(update_fields=["merged_into", "is_published", "updated_at"])
        merge = PlaceMerge.objects.create(kept=kept, before=before, choices=chosen, after=_snapshot(kept), actor=actor)
        merge.merged.set(others)
        pairs = DuplicateCandidate.objects.filter(
            first_id__in=[p.pk for p in group], second_id__in=[p.pk for p in group]
        )
        if candidate is not None:
            pairs = pairs | DuplicateCandidate.objects.filter(pk=candidate.pk)
        merge.candidates.set(pairs)
        pairs.update(status=DuplicateStatus.MERGED, reviewed_by=actor, reviewed_at=timezone.now())
        changes = {
            name: [before["kept"][name], value]
            for name, value in merge.after.items()
            if before["kept"][name] != value and name != "merged_into_id"
        }
        audit.record(
            actor=actor,
            action=AuditAction.PLACES_MERGED,
            obj=kept,
            commune=kept.commune,
            payload={"merge": merge.pk, "merged": [p.pk for p in others], "choices": chosen, "changes": changes},
        )
        for place in others:
            audit.record(
                actor=actor,
                action=AuditAction.PLACES_MERGED,
                obj=place,
                commune=place.commune,
                payload={"merge": merge.pk, "merged_into": kept.pk},
            )
        transaction.on_commit(invalidate_index)
    return merge


MERGE_KEPT_CHANGED = (
    "Le lieu conservé a été modifié depuis la fusion (import, modification ou autre fusion) : "
    "l'annulation exacte n'est plus possible."
)


def _kept_changed_since(kept: Place, merge: PlaceMerge) -> bool:
    current = json.loads(json.dumps(_snapshot(kept), default=str))
    return current != json.loads(json.dumps(merge.after, default=str))


def merge_undo_refusal(merge: PlaceMerge) -> str:
    """Why `merge` can no longer be undone ("" when it can): what `place_merge_undo` would answer."""
    if merge.undone_at is not None:
        return "Cette fusion est déjà annulée."
    if _kept_changed_since(merge.kept, merge):
        return MERGE_KEPT_CHANGED
    if any(place.merged_into_id != merge.kept_id for place in merge.merged.all()):
        return "Un des lieux fusionnés ne l'est plus dans ce lieu."
    return ""


def place_merge_undo(*, actor, merge: PlaceMerge) -> PlaceMerge:
    """Undo a merge exactly: the kept place gets back its values, the merged places come back as
    they were. Refused when the kept place has changed since (undo that change first)."""
    if merge.undone_at is not None:
        raise ValidationError("Cette fusion est déjà annulée.")
    merged = list(merge.merged.all())
    if not perms.can_merge_places(actor, [merge.kept, *merged]):
        raise PermissionDenied
    with transaction.atomic():
        kept = Place.objects.select_for_update(of=("self",)).get(pk=merge.kept_id)
        if _kept_changed_since(kept, merge):
            raise ValidationError(MERGE_KEPT_CHANGED)
        _restore(kept, merge.before["kept"])
        kept.full_clean()
        kept.save()
        for place in merged:
            if place.merged_into_id != kept.pk:
                raise ValidationError(f"« {place} » n'est plus fusionné dans ce lieu.")
            # A merge changes only these two fields of a merged place: restoring just them keeps
            # whatever a later import wrote to its other fields.
            previous = merge.before["merged"][str(place.pk)]
            place.merged_into_id, place.is_published = previous["merged_into_id"], previous["is_published"]
            place.save(update_fields=["merged_into", "is_published", "updated_at"])
        merge.candidates.update(status=DuplicateStatus.PENDING, reviewed_by=None, reviewed_at=None)
        merge.undone_at, merge.undone_by = timezone.now(), actor
        merge.save(update_fields=["undone_at", "undone_by", "updated_at"])
        for place in [kept, *merged]:
            audit.record(
                actor=actor,
                action=AuditAction.MERGE_UNDONE,
                obj=place,
                commune=place.commune,
                payload={"merge": merge.pk},
            )
        transaction.on_commit(invalidate_index)
    return merge


def duplicate_dismiss(*, actor, candidate: DuplicateCandidate, reason: str = "") -> DuplicateCandidate:
    """Mark a pair as not a duplicate: it is no longer proposed (the decision is kept and journaled)."""
    if not perms.can_merge_places(actor, [candidate.first, candidate.second]):
        raise PermissionDenied
    if candidate.status != DuplicateStatus.PENDING:
        raise ValidationError("Cette paire a déjà été examinée.")
    with transaction.atomic():
        candidate.status, candidate.note = DuplicateStatus.DISMISSED, reason.strip()[:500]
        candidate.reviewed_by, candidate.reviewed_at = actor, timezone.now()
        candidate.save(update_fields=["status", "note", "reviewed_by", "reviewed_at", "updated_at"])
        audit.record(
            actor=actor,
            action=AuditAction.DUPLICATE_DISMISSED,
            obj=candidate,
            commune=candidate.first.commune,
            payload={"first": candidate.first_id, "second": candidate.second_id, "reason": candidate.note},
        )
    return candidate


def duplicate_reopen(*, actor, candidate: DuplicateCandidate) -> DuplicateCandidate:
    """Undo a dismissal: the pair is proposed again."""
    if not perms.can_merge_places(actor, [candidate.first, candidate.second]):
        raise PermissionDenied
    if candidate.status != DuplicateStatus.DISMISSED:
        raise ValidationError("Seule une paire écartée peut être proposée à nouveau.")
    with transaction.atomic():
        candidate.status, candidate.note, candidate.reviewed_by, candidate.reviewed_at = (
            DuplicateStatus.PENDING,
            "",
            None,
            None,
        )
        candidate.save(update_fields=["status", "note", "reviewed_by", "reviewed_at", "updated_at"])
        audit.record(
            actor=actor,
            action=AuditAction.DUPLICATE_REOPENED,
            obj=candidate,
            commune=candidate.first.commune,
            payload={"first": candidate.first_id, "second": candidate.second_id},
        )
    return candidate
