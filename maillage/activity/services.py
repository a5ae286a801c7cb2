"""Writes on activities and beneficiaries. Views, API and commands call these.

Every write keeps the rollups exact (see rollups.py) and is journaled; every read of a followed
beneficiary's identity is journaled too (personal_data=True).
"""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from maillage.activity import conf, perms, rollups
from maillage.activity.enums import AuditAction, QuarantineStatus, TypeActivite
from maillage.activity.importing import import_activities
from maillage.activity.models import Accompagnement, Activity, Beneficiary, QuarantinedActivityRow
from maillage.activity.publics import breakdown_errors, clean_breakdown
from maillage.activity.validation import RowChecker, activity_commune, fingerprint, rule_errors, thematiques_mask
from maillage.core import audit
from maillage.core.quarantine import quarantined_row_discard

ACTIVITY_FIELDS = (
    "type",
    "date",
    "duree",
    "type_lieu",
    "thematiques",
    "precisions_demarche",
    "materiel",
    "autonomie",
    "oriente_vers_structure",
    "structure_de_redirection",
    "titre_atelier",
    "niveau",
    "notes",
    "participants_anonymes",
    "participants_anonymes_detail",
    "beneficiaire_commune",
    "beneficiaire_genre",
    "beneficiaire_tranche_age",
    "beneficiaire_statut_social",
    "place",
)


def retention_months() -> int:
    return conf.retention_months()


def _fill(activity: Activity, values: dict, followed) -> None:
    for name in ACTIVITY_FIELDS:
        if name in values:
            setattr(activity, name, values[name])
    if activity.type == TypeActivite.COLLECTIF:
        activity.autonomie, activity.oriente_vers_structure, activity.structure_de_redirection = "", None, ""
    else:
        activity.titre_atelier, activity.niveau = "", ""
        activity.participants_anonymes = 0 if followed else 1
        activity.participants_anonymes_detail = {}
    if not activity.oriente_vers_structure:
        activity.structure_de_redirection = ""
    errors = rule_errors(
        {
            **values,
            "type": activity.type,
            "followed": followed,
            "participants_anonymes": activity.participants_anonymes,
            "thematiques": activity.thematiques,
            "precisions_demarche": activity.precisions_demarche,
        }
    )
    if errors:
        raise ValidationError(errors)
    if isinstance(activity.participants_anonymes_detail, dict) and not breakdown_errors(
        activity.participants_anonymes, activity.participants_anonymes_detail
    ):
        activity.participants_anonymes_detail = clean_breakdown(activity.participants_anonymes_detail)
    activity.thematiques_mask = thematiques_mask(activity.thematiques)
    activity.accompagnements_count = activity.participants_anonymes + len(followed)
    activity.commune_id = activity_commune(
        type_lieu=activity.type_lieu,
        place_commune=activity.place.commune_id if activity.place_id else None,
        lieu_commune=values.get("lieu_commune_id") or activity.beneficiaire_commune_id,
        structure_commune=activity.structure.commune_id,
    )


def _set_followed(activity: Activity, followed) -> set[int]:
    """Link the followed beneficiaries; returns every beneficiary id whose history changed."""
    before = set(activity.accompagnements.values_list("beneficiary_id", flat=True))
    wanted = {b.pk for b in followed}
    activity.accompagnements.exclude(beneficiary_id__in=wanted).delete()
    Accompagnement.objects.bulk_create(
        [Accompagnement(activity=activity, beneficiary_id=pk) for pk in wanted - before]
    )
    _sync_links(activity)
    return before | wanted


def _sync_links(activity: Activity) -> None:
    """Copy the activity's date, commune, structure and state onto its accompagnements."""
    Accompagnement.objects.filter(activity=activity).update(
        activity_date=activity.date,
        activity_commune=activity.commune_id,
        activity_structure_id=activity.structure_id,
        live=activity.deleted_at is None,
    )


def _refresh_beneficiaries(ids) -> None:
    """La Coop's `premier_accompagnement` (earliest live activity wins) and the last activity date."""
    for pk in ids:
        links = list(
            Accompagnement.objects.filter(beneficiary_id=pk, activity__deleted_at__isnull=True)
            .select_related("activity")
            .order_by("activity__date", "activity_id")
        )
        Accompagnement.objects.filter(beneficiary_id=pk).exclude(pk=links[0].pk if links else None).update(
            premier_accompagnement=False
        )
        if links:
            Accompagnement.objects.filter(pk=links[0].pk).update(premier_accompagnement=True)
        Beneficiary.objects.filter(pk=pk).update(last_activity_on=links[-1].activity.date if links else None)


def _check_followed(structure, followed) -> None:
    if any(b.structure_id != structure.pk or b.anonymised_at for b in followed):
        raise ValidationError({"followed": "Bénéficiaire suivi inconnu dans cette structure."})


def activity_create(*, actor, structure, values: dict, followed=()) -> Activity:
    """Record one activity (form or API) for `structure`, by `actor` as médiateur."""
    if not perms.can_record_activity(actor, structure):
        raise PermissionDenied
    followed = list(followed)
    _check_followed(structure, followed)
    activity = Activity(structure=structure, mediateur=actor)
    _fill(activity, values, followed)
    activity.full_clean(exclude=["fingerprint", "import_batch"])
    with transaction.atomic():
        activity.save()
        _refresh_beneficiaries(_set_followed(activity, followed))
        rollups.add_activity(activity.pk)
        audit.record(
            actor=actor,
            action=AuditAction.ACTIVITY_CREATED,
            obj=activity,
            structure=structure,
            payload={
                "type": activity.type,
                "date": activity.date.isoformat(),
                "accompagnements": activity.accompagnements_count,
            },
        )
    return activity


def activity_update(*, actor, activity: Activity, values: dict, followed=None) -> Activity:
    if not perms.can_edit_activity(actor, activity):
        raise PermissionDenied
    followed = list(activity_followed(activity)) if followed is None else list(followed)
    _check_followed(activity.structure, followed)
    old_date = activity.date
    with transaction.atomic():
        locked = Activity.objects.select_for_update(of=("self",)).get(pk=activity.pk)
        rollups.subtract_activity(locked.pk, old_date)
        _fill(activity, values, followed)
        activity.full_clean(exclude=["fingerprint", "import_batch"])
        activity.save()
        _refresh_beneficiaries(_set_followed(activity, followed))
        rollups.add_activity(activity.pk)
        audit.record(
            actor=actor,
            action=AuditAction.ACTIVITY_UPDATED,
            obj=activity,
            structure=activity.structure,
            payload={"date": activity.date.isoformat()},
        )
    return activity


def activity_followed(activity: Activity):
    return Beneficiary.objects.filter(accompagnements__activity=activity)


def activity_delete(*, actor, activity: Activity) -> Activity:
    """Soft delete: the activity leaves every statistic; the journal keeps who and when."""
    if not perms.can_edit_activity(actor, activity):
        raise PermissionDenied
    with transaction.atomic():
        rollups.subtract_activity(activity.pk, activity.date)
        activity.deleted_at = timezone.now()
        activity.save(update_fields=["deleted_at", "updated_at"])
        _sync_links(activity)
        _refresh_beneficiaries(set(activity.accompagnements.values_list("beneficiary_id", flat=True)))
        audit.record(
            actor=actor,
            action=AuditAction.ACTIVITY_DELETED,
            obj=activity,
            structure=activity.structure,
            payload={"date": activity.date.isoformat()},
        )
    return activity


# --- Imports and quarantine ---------------------------------------------------------------------


def activity_import_file(*, actor, data: bytes, filename: str, structure=None, dry_run=False):
    """Import a CSV/XLSX file of activities; returns (report, batch)."""
    if actor is not None and not perms.can_import_activities(actor):
        raise PermissionDenied
    if structure is not None and actor is not None and not actor.is_superuser:
        from maillage.structures.perms import can_manage_structure

        if not can_manage_structure(actor, structure):
            raise PermissionDenied
    return import_activities(
        actor=actor,
        data=data,
        filename=filename,
        structure=structure,
        dry_run=dry_run,
        allowed_structures=perms.importable_structure_ids(actor),
    )


def report_summary(report: dict) -> str:
    lines = [
        f"{report['file']['name']}" + (" — simulation, rien n'est enregistré" if report["dry_run"] else ""),
        f"  {report['rows']} ligne(s) : {report['accepted']} acceptée(s), {report['rejected']} rejetée(s) "
        f"(en quarantaine), {len(report['warnings'])} avertissement(s)",
        f"  {report['created']} activité(s) créée(s), {report['already_imported']} déjà importée(s)",
    ]
    return "\n".join(lines)


def quarantine_resubmit(*, actor, row: QuarantinedActivityRow, raw: dict) -> Activity:
    """Fix a rejected row and import it through the same checks as the importer."""
    if not perms.can_import_activities(actor):
        raise PermissionDenied
    if row.status != QuarantineStatus.PENDING:
        raise ValidationError("Cette ligne a déjà été traitée.")
    checked = RowChecker(
        structure=row.batch.structure, allowed_structures=perms.importable_structure_ids(actor)
    ).check(row.line, raw)
    if not checked.ok:
        raise ValidationError({error["field"]: error["reason"] for error in checked.errors})
    values = checked.values
    print_ = fingerprint(values, f"quarantaine-{row.pk}")
    participants = values.pop("participants_anonymes")
    with transaction.atomic():
        activity = Activity.objects.create(
            **values,
            participants_anonymes=participants,
            accompagnements_count=participants,
            thematiques_mask=thematiques_mask(values["thematiques"]),
            source="import",
            fingerprint=print_,
            import_batch=row.batch,
        )
        rollups.add_activity(activity.pk)
        row.status, row.activity, row.raw = QuarantineStatus.RESUBMITTED, activity, raw
        row.save(update_fields=["status", "activity", "raw", "updated_at"])
        audit.record(
            actor=actor,
            action=AuditAction.QUARANTINE_RESUBMITTED,
            obj=activity,
            structure=activity.structure,
            payload={"line": row.line, "batch": row.batch_id},
        )
    return activity


def quarantine_discard(*, actor, row: QuarantinedActivityRow, reason: str) -> QuarantinedActivityRow:
    if not perms.can_import_activities(actor):
        raise PermissionDenied
    return quarantined_row_discard(
        actor=actor,
        row=row,
        reason=reason,
        status=QuarantineStatus.DISCARDED,
        action=AuditAction.QUARANTINE_DISCARDED,
    )


# --- Beneficiaries -------------------------------------------------------------------------------

BENEFICIARY_FIELDS = (
    "prenom",
    "nom",
    "telephone",
    "pas_de_telephone",
    "email",
    "annee_naissance",
    "commune",
    "genre",
    "statut_social",
    "notes",
)


def beneficiary_create(*, actor, structure, **fields) -> Beneficiary:
    if not perms.can_follow_in(actor, structure):
        raise PermissionDenied
    beneficiary = Beneficiary(structure=structure, mediateur=actor, **fields)
    if not (beneficiary.prenom or beneficiary.nom):
        raise ValidationError({"nom": "Indiquez au moins un prénom ou un nom."})
    beneficiary.full_clean()
    with transaction.atomic():
        beneficiary.save()
        audit.record(
            actor=actor,
            action=AuditAction.BENEFICIARY_CREATED,
            obj=beneficiary,
            structure=structure,
            personal_data=True,
        )
    return beneficiary


def beneficiary_update(*, actor, beneficiary: Beneficiary, changes: dict) -> Beneficiary:
    if not perms.can_view_beneficiary(actor, beneficiary) or beneficiary.anonymised_at:
        raise PermissionDenied
    for name, value in changes.items():
        if name in BENEFICIARY_FIELDS:
            setattr(beneficiary, name, value)
    beneficiary.full_clean()
    with transaction.atomic():
        beneficiary.save()
        audit.record(
            actor=actor,
            action=AuditAction.BENEFICIARY_UPDATED,
            obj=beneficiary,
            structure=beneficiary.structure,
            payload={"fields": sorted(set(changes) & set(BENEFICIARY_FIELDS))},
            personal_data=True,
        )
    return beneficiary


def beneficiary_read(*, actor, beneficiary: Beneficiary, purpose: str = "fiche") -> Beneficiary:
    """Every read of a followed beneficiary's identity goes through here and is journaled."""
    if not perms.can_view_beneficiary(actor, beneficiary):
        raise PermissionDenied
    audit.record(
        actor=actor,
        action=AuditAction.BENEFICIARY_VIEWED,
        obj=beneficiary,
        structure=beneficiary.structure,
        payload={"purpose": purpose},
        personal_data=True,
    )
    return beneficiary


def beneficiary_search(*, actor, structure, query: str = "", limit: int = 20) -> list[Beneficiary]:
    """Followed beneficiaries of the structure matching a name (the search is journaled)."""
    if not perms.can_follow_in(actor, structure):
        raise PermissionDenied
    found = Beneficiary.objects.filter(structure=structure, anonymised_at__isnull=True)
    for word in query.split():
        found = found.filter(Q(nom__icontains=word) | Q(prenom__icontains=word))
    found = list(found[:limit])
    audit.record(
        actor=actor,
        action=AuditAction.BENEFICIARY_VIEWED,
        structure=structure,
        payload={"purpose": "recherche", "results": [b.pk for b in found]},
        personal_data=True,
    )
    return found


def beneficiary_export(*, actor, beneficiary: Beneficiary) -> dict:
    """Everything held about one person (right of access and portability), journaled."""
    if not perms.can_erase_beneficiary(actor, beneficiary):
        raise PermissionDenied
    data = {
        "pseudonyme": beneficiary.pseudonyme,
        "structure": beneficiary.structure.nom,
        **{name: getattr(beneficiary, name) for name in BENEFICIARY_FIELDS if name != "commune"},
        "commune": beneficiary.commune_id or "",
        "cree_le": beneficiary.created_at.isoformat(),
        "anonymise_le": beneficiary.anonymised_at.isoformat() if beneficiary.anonymised_at else None,
        "accompagnements": [
            {
                "date": link.activity.date.isoformat(),
                "type": link.activity.type,
                "duree_minutes": link.activity.duree,
                "thematiques": link.activity.thematiques,
                "premier_accompagnement": link.premier_accompagnement,
            }
            for link in beneficiary.accompagnements.filter(activity__deleted_at__isnull=True)
            .select_related("activity")
            .order_by("activity__date")
        ],
    }
    audit.record(
        actor=actor,
        action=AuditAction.BENEFICIARY_EXPORTED,
        obj=beneficiary,
        structure=beneficiary.structure,
        personal_data=True,
    )
    return data


def _anonymise(beneficiary: Beneficiary) -> None:
    for name in ("prenom", "nom", "telephone", "email", "notes"):
        setattr(beneficiary, name, "")
    beneficiary.pas_de_telephone = False
    beneficiary.annee_naissance = None
    beneficiary.commune = None
    beneficiary.anonymised_at = timezone.now()
    beneficiary.save()


def beneficiary_erase(*, actor, beneficiary: Beneficiary) -> Beneficiary:
    """Erase a person's identity on request: the record keeps only its pseudonym, so that the
    accompaniments stay counted (as anonymous ones) and no statistic changes."""
    if not perms.can_erase_beneficiary(actor, beneficiary):
        raise PermissionDenied
    with transaction.atomic():
        _anonymise(beneficiary)
        audit.record(
            actor=actor,
            action=AuditAction.BENEFICIARY_ERASED,
            obj=beneficiary,
            structure=beneficiary.structure,
            personal_data=True,
        )
    return beneficiary


def beneficiaries_purge(*, months: int | None = None, today: dt.date | None = None, dry_run=False) -> int:
    """Anonymise followed beneficiaries without any activity for `months` (default: the setting)."""
    months = months or retention_months()
    today = today or timezone.localdate()
    year, month = divmod(today.year * 12 + today.month - 1 - months, 12)
    limit = dt.date(year, month + 1, min(today.day, 28))
    stale = Beneficiary.objects.filter(anonymised_at__isnull=True).filter(
        Q(last_activity_on__lt=limit) | Q(last_activity_on__isnull=True, created_at__date__lt=limit)
    )
    count = stale.count()
    if dry_run or not count:
        return count
    with transaction.atomic():
        for beneficiary in stale.select_for_update(of=("self",)):
            _anonymise(beneficiary)
        audit.record(
            actor=None,
            action=AuditAction.BENEFICIARIES_PURGED,
            payload={"count": count, "months": months, "inactive_since": limit.isoformat()},
            personal_data=True,
        )
    return count


def orphan_references() -> dict[str, int]:
    """{reference: activities pointing to a row that does not exist}: the activity table's foreign
    keys have no database constraint (docs/decisions/005), so this is the check that they hold."""
    orphans = {}
    for field in Activity._meta.concrete_fields:
        if not field.is_relation:
            continue
        target = field.related_model._default_manager.filter(pk=OuterRef(field.attname))
        orphans[field.name] = (
            Activity.objects.filter(**{f"{field.attname}__isnull": False}).exclude(Exists(target)).count()
        )
    return orphans
