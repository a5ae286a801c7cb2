"""Bulk import of activities from CSV or XLSX (one row per activity, see validation.COLUMNS and
OPTIONAL_COLUMNS).

Nothing is lost: valid rows are inserted in bulk (COPY on PostgreSQL) and added to the rollups in
the same transaction (bulk.insert_activities); rejected rows go to quarantine with their reasons.
Re-importing a file changes nothing: each row has a fingerprint (its values and its rank among
identical rows of the file).
"""

import csv
import datetime as dt
import hashlib
import io
from collections import Counter
from pathlib import Path

import openpyxl
from django.db import transaction
from django.utils import timezone

from maillage.activity.bulk import insert_activities
from maillage.activity.enums import AuditAction, TypeActivite
from maillage.activity.ingest import row_from_values
from maillage.activity.models import Activity, ActivityImport, QuarantinedActivityRow
from maillage.activity.validation import ALL_COLUMNS, RowChecker, fingerprint, thematiques_mask
from maillage.core import audit

MAX_ERRORS_IN_REPORT = 10_000


class ImportRefused(ValueError):
    """The file cannot be read as a table of activities at all."""


def read_rows(data: bytes, filename: str) -> list[tuple[int, dict]]:
    """(line number, {column: value}) for every non-empty row of a CSV or XLSX file."""
    if filename.lower().endswith(".xlsx") or data[:2] == b"PK":
        try:
            workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as error:  # noqa: BLE001 (openpyxl raises many kinds)
            raise ImportRefused(f"classeur XLSX illisible ({error})") from error
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = [str(cell or "").strip() for cell in next(rows, [])]
        records = []
        for index, row in enumerate(rows, start=2):
            if row and any(cell not in (None, "") for cell in row):
                records.append((index, dict(zip(header, row, strict=False))))
        workbook.close()
        _check_header(header)
        return records
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    first = text.split("\n", 1)[0]
    separator = max((",", ";", "\t"), key=lambda sep: first.count(sep))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    header = [column.strip() for column in next(reader, [])]
    _check_header(header)
    records = []
    line = reader.line_num + 1
    for row in reader:
        if row and any(cell.strip() for cell in row):
            records.append((line, dict(zip(header, row, strict=False))))
        line = reader.line_num + 1
    return records


def _check_header(header: list[str]) -> None:
    missing = [name for name in ("date", "type", "duree_minutes", "thematiques", "type_lieu") if name not in header]
    if missing:
        raise ImportRefused(
            f"colonnes obligatoires absentes : {', '.join(missing)} (voir le modèle de fichier à télécharger)"
        )


def import_activities(
    *, actor, data: bytes, filename: str, structure=None, dry_run=False, allowed_structures=None
) -> tuple[dict, ActivityImport]:
    """Check every row, insert the valid ones, quarantine the others; returns (report, batch)."""
    records = read_rows(data, filename)
    checker = RowChecker(structure=structure, allowed_structures=allowed_structures)
    batch = ActivityImport(
        filename=Path(filename).name,
        file_sha256=hashlib.sha256(data).hexdigest(),
        structure=structure,
        dry_run=dry_run,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
    )
    report = {
        "file": {"name": Path(filename).name, "sha256": batch.file_sha256},
        "dry_run": dry_run,
        "rows": len(records),
        "accepted": 0,
        "rejected": 0,
        "errors": [],
        "warnings": [],
        "created": 0,
        "already_imported": 0,
    }
    seen = Counter()
    valid, rejected = [], []
    for line, raw in records:
        checked = checker.check(line, raw)
        report["warnings"].extend(checked.warnings)
        if checked.ok:
            key = fingerprint(checked.values, 0)
            seen[key] += 1
            valid.append((fingerprint(checked.values, seen[key]), checked))
        else:
            rejected.append(checked)
            report["errors"].extend(checked.errors)
    report["accepted"], report["rejected"] = len(valid), len(rejected)
    report["errors"] = report["errors"][:MAX_ERRORS_IN_REPORT]
    existing = set()
    prints = [print_ for print_, _ in valid]
    for start in range(0, len(prints), 5000):
        existing.update(
            Activity.objects.filter(fingerprint__in=prints[start : start + 5000]).values_list("fingerprint", flat=True)
        )
    new = [(print_, checked) for print_, checked in valid if print_ not in existing]
    report["already_imported"] = len(valid) - len(new)
    report["created"] = len(new)
    if dry_run:
        return report, batch
    with transaction.atomic():
        batch.save()
        insert_activities(
            row_from_values(
                checked.values,
                mask=thematiques_mask(checked.values["thematiques"]),
                source="import",
                fingerprint=print_,
                batch_id=batch.pk,
            )
            for print_, checked in new
        )
        _quarantine(batch, rejected)
        report["batch"] = batch.pk
        batch.report = report
        batch.save(update_fields=["report", "updated_at"])
        audit.record(
            actor=actor,
            action=AuditAction.ACTIVITIES_IMPORTED,
            obj=batch,
            structure=structure,
            payload={key: report[key] for key in ("rows", "accepted", "rejected", "created", "already_imported")},
        )
    return report, batch


def _raw_for_storage(raw: dict) -> dict:
    return {
        str(key): (value.isoformat() if isinstance(value, dt.date | dt.datetime) else value)
        for key, value in raw.items()
        if key
    }


def _quarantine(batch, rejected) -> None:
    """Keep rejected rows; a row already in quarantine (waiting, fixed or set aside) is not added again."""
    prepared = []
    for checked in rejected:
        raw = _raw_for_storage(checked.raw)
        print_ = hashlib.sha256(repr(sorted((k, str(v)) for k, v in raw.items())).encode()).hexdigest()
        prepared.append((print_, raw, checked))
    known = set()
    prints = [print_ for print_, _, _ in prepared]
    for start in range(0, len(prints), 5000):
        known.update(
            QuarantinedActivityRow.objects.filter(fingerprint__in=prints[start : start + 5000]).values_list(
                "fingerprint", flat=True
            )
        )
    rows = []
    for print_, raw, checked in prepared:
        if print_ in known:
            continue
        known.add(print_)
        rows.append(
            QuarantinedActivityRow(batch=batch, line=checked.line, raw=raw, errors=checked.errors, fingerprint=print_)
        )
    QuarantinedActivityRow.objects.bulk_create(rows, batch_size=1000)


def template_rows() -> list[dict]:
    """Two example rows of the import template (an individual accompaniment and a workshop)."""
    today = timezone.localdate().isoformat()
    return [
        {
            "date": today,
            "type": TypeActivite.INDIVIDUEL.value,
            "structure_siret": "",
            "mediateur_email": "",
            "lieu_id": "",
            "duree_minutes": "45",
            "thematiques": "aide_aux_demarches_administratives|social_sante",
            "type_lieu": "lieu_activite",
            "materiel": "ordinateur",
            "autonomie": "partiellement_autonome",
            "niveau_atelier": "",
            "titre_atelier": "",
            "participants": "1",
            "beneficiaire_commune": "28085",
            "beneficiaire_tranche_age": "soixante_dix_plus",
            "beneficiaire_genre": "feminin",
            "beneficiaire_statut_social": "retraite",
            "oriente_vers_structure": "non",
            "structure_de_redirection": "",
        },
        {
            "date": today,
            "type": TypeActivite.COLLECTIF.value,
            "structure_siret": "",
            "mediateur_email": "",
            "lieu_id": "",
            "duree_minutes": "120",
            "thematiques": "email|securite_numerique",
            "type_lieu": "lieu_activite",
            "materiel": "ordinateur|telephone",
            "autonomie": "",
            "niveau_atelier": "debutant",
            "titre_atelier": "Créer et sécuriser sa messagerie",
            "participants": "8",
            "beneficiaire_commune": "",
            "beneficiaire_tranche_age": "",
            "beneficiaire_genre": "",
            "beneficiaire_statut_social": "",
            "oriente_vers_structure": "",
            "structure_de_redirection": "",
            # Optional: the anonymous participants by genre, age and status (the rest is "non communiqué").
            "participants_deja_accompagnes": "3",
            "participants_genre_masculin": "3",
            "participants_genre_feminin": "4",
            "participants_tranche_age_soixante_dix_plus": "2",
            "participants_tranche_age_soixante_soixante_neuf": "5",
            "participants_statut_social_retraite": "7",
        },
    ]


def template_file(fmt: str) -> bytes:
    rows = template_rows()
    if fmt == "xlsx":
        workbook = openpyxl.Workbook()
        sheet = workbook.active
        sheet.title = "activites"
        sheet.append(ALL_COLUMNS)
        for row in rows:
            sheet.append([row.get(name, "") for name in ALL_COLUMNS])
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=ALL_COLUMNS, restval="", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")
