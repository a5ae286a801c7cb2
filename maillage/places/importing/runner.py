"""Running an import: every row of the file ends either accepted (created, updated or unchanged)
or rejected and kept in quarantine with its reasons. Nothing is dropped.

Report (also stored on the ImportBatch):
    {"rows": N, "accepted": A, "rejected": R, "errors": [...], "warnings": [...],
     "created": [...ids], "updated": [{"id":…, "changes": {field: [old, new]}}], "unchanged": U,
     "disappeared": [...ids], "dataset": …, "file": {...format, encoding, separator}, "variant": …}
with `rows == accepted + rejected` and each error/warning `{"line", "field", "value", "reason"}`.
"""

import datetime as dt
import functools
import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection, models, transaction
from django.utils import timezone

from maillage.core.models import AuditEntry
from maillage.places import standard as std
from maillage.places.enums import AuditAction, ImportStatus, QuarantineStatus
from maillage.places.geo import CommuneResolver
from maillage.places.importing.files import NotPlaceData, ParsedFile, read_bytes
from maillage.places.importing.validation import Checked, Issue, RowChecker
from maillage.places.importing.variants import MappingVariant, Variant, detect
from maillage.places.models import STANDARD_TO_MODEL, ImportBatch, Place, QuarantinedRow
from maillage.structures.models import Structure

BATCH_SIZE = 2000
PROGRESS_EVERY = 500
# Fields compared to decide whether a place changed (provenance fields excluded).
COMPARED = tuple(STANDARD_TO_MODEL.get(name, name) for name in std.FIELD_NAMES) + (
    "commune_id",
    "position_latitude",
    "position_longitude",
    "position_origin",
    "is_published",
    "extra",
)
# Columns of raw exports that name people (contact persons, mediators, agents): never stored.
PERSONAL_COLUMN = re.compile(r"(^|_)(contacts?|mediateurs?|initial_agent|userid_modification|nom_contact|prenom)$")


@functools.lru_cache(maxsize=4096)
def _is_personal(key) -> bool:
    return bool(PERSONAL_COLUMN.search(str(key).lower()))


def personal_columns(values: dict, *, filled_only: bool = False) -> list[str]:
    """Columns of a row that hold data about people rather than about the place."""
    return [
        key
        for key, value in values.items()
        if _is_personal(key) and not (filled_only and value in (None, "", [], "#N/D"))
    ]


DATE_PREFIX = re.compile(r"^(\d{8}-|\d{4}-\d{2}-\d{2}_|\d{4}-\d{2}-)")


class ImportRefused(ValueError):
    """The file cannot be imported at all (not a list of places, unreadable)."""


@dataclass
class Row:
    line: int
    raw: dict
    checked: Checked
    extra: dict = field(default_factory=dict)
    values: dict = field(default_factory=dict)  # model field → value, for accepted rows


def dataset_from_filename(filename: str) -> str:
    """`20230517-hub-du-sud-….v1.json` → `hub-du-sud-…`: successive files of one source share it."""
    stem = Path(filename).name
    for suffix in (".json", ".csv", ".xlsx", ".v1", ".v0.1"):
        stem = stem.removesuffix(suffix)
    return DATE_PREFIX.sub("", stem)[:120] or "import"


def _json_safe(value):
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


def _fingerprint(data) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


def _model_values(checked: Checked, location, extra: dict, structures: dict) -> dict:
    values = {STANDARD_TO_MODEL.get(name, name): value for name, value in checked.values.items()}
    values["date_maj"] = dt.date.fromisoformat(values["date_maj"])
    values["commune_id"] = location.commune
    values["position_latitude"] = location.latitude
    values["position_longitude"] = location.longitude
    values["position_origin"] = location.origin
    values["is_published"] = bool(checked.values["services"])
    values["extra"] = _json_safe(extra)
    values["structure_id"] = structures.get(checked.values["pivot"])
    return values


def _comparable(values: dict) -> tuple:
    return tuple(values.get(name) for name in COMPARED)


def _diff(old: tuple, new: tuple) -> dict:
    return {
        name: [_json_safe(before), _json_safe(after)]
        for name, before, after in zip(COMPARED, old, new, strict=True)
        if before != after
    }


@dataclass
class ImportJob:
    """One import, from bytes to report. `progress(done, total)` is called as rows are checked."""

    data: bytes
    filename: str
    actor: object = None
    dataset: str | None = None
    dry_run: bool = False
    mapping: MappingVariant | None = None
    batch: ImportBatch | None = None
    progress: Callable[[int, int], None] | None = None
    parsed: ParsedFile | None = None
    variant: Variant | None = None

    def run(self) -> dict:
        try:
            self.parsed = read_bytes(self.data, self.filename)
        except NotPlaceData as error:
            raise ImportRefused(str(error)) from error
        try:
            self.variant = detect(self.parsed.columns, self.mapping) if self.parsed.records else Variant()
        except NotPlaceData as error:
            raise ImportRefused(str(error)) from error
        self.dataset = (self.dataset or dataset_from_filename(self.filename)).strip()[:120]
        rows = self._check_rows()
        accepted = [row for row in rows if row.checked.ok]
        rejected = [row for row in rows if not row.checked.ok]
        report = self._report_skeleton(rows, accepted, rejected)
        present = {str(row.checked.values.get("id")) for row in rows if row.checked.values.get("id")}
        with transaction.atomic():
            changes = self._write(accepted, present, report)
            self._quarantine(rejected, report)
            if self.dry_run:
                transaction.set_rollback(True)
        report.update(changes)
        return report

    def _check_rows(self) -> list[Row]:
        checker = RowChecker(lenient=self.variant is not None and self._lenient())
        resolver = CommuneResolver()
        structures = dict(Structure.objects.exclude(siret="").values_list("siret", "pk"))
        total = len(self.parsed.records)
        seen: dict[str, int] = {}
        rows = []
        personal_by_keys: dict[tuple, list] = {}
        for index, record in enumerate(self.parsed.records):
            converted = self.variant.convert(record.values)
            checked = checker.check(record.line, converted.fields)
            checked.warnings[:0] = [Issue(record.line, f, str(v), r) for f, v, r in converted.notes]
            keys = tuple(record.values)
            personal = personal_by_keys.get(keys)
            if personal is None:
                personal = personal_by_keys[keys] = personal_columns(record.values)
            for column in personal:
                converted.extra.pop(column, None)
            for column in personal:
                if record.values[column] not in (None, "", [], "#N/D"):
                    checked.warnings.append(
                        Issue(record.line, column, "", "données de personnes (contacts) non conservées : minimisation")
                    )
            local_id = checked.values.get("id")
            if local_id and local_id in seen:
                checked.errors.append(
                    Issue(
                        record.line,
                        "id",
                        local_id,
                        f"identifiant déjà utilisé ligne {seen[local_id]} (doit être unique)",
                    )
                )
            elif local_id:
                seen[local_id] = record.line
            raw = (
                {key: value for key, value in record.values.items() if key not in personal}
                if personal
                else dict(record.values)
            )
            row = Row(record.line, raw, checked, converted.extra)
            rows.append(row)
            if self.progress and (index + 1) % PROGRESS_EVERY == 0:
                self.progress(index + 1, total)
        resolver.prefetch(
            (row.checked.values["code_insee"], row.checked.values["code_postal"]) for row in rows if row.checked.ok
        )
        for row in rows:
            checked, record = row.checked, row
            if checked.ok:
                values = checked.values
                location = resolver.locate(
                    values["code_insee"],
                    values["code_postal"],
                    values["commune"],
                    values["latitude"],
                    values["longitude"],
                )
                checked.warnings += [Issue(record.line, f, str(v), r) for f, v, r in location.notes]
                if location.commune and not values["code_insee"]:
                    checked.values["code_insee"] = location.commune
                    checked.warnings.append(
                        Issue(
                            record.line,
                            "code_insee",
                            location.commune,
                            "code INSEE déduit du code postal et du nom de la commune",
                        )
                    )
                row.values = _model_values(checked, location, row.extra, structures)
        if self.progress:
            self.progress(total, total)
        return rows

    def _lenient(self) -> bool:
        return getattr(self.variant, "name", "") in ("correspondance", "data-inclusion", "pre-standard")

    def _report_skeleton(self, rows, accepted, rejected) -> dict:
        return {
            "rows": len(rows),
            "accepted": len(accepted),
            "rejected": len(rejected),
            "errors": [issue.as_dict() for row in rejected for issue in row.checked.errors],
            "warnings": [issue.as_dict() for row in rows for issue in row.checked.warnings],
            "dataset": self.dataset,
            "file": {"name": self.filename, **self.parsed.describe()},
            "variant": self.variant.label,
            "standard_version": std.STANDARD_VERSION,
            "dry_run": self.dry_run,
        }

    def _write(self, accepted: list[Row], present: set[str], report: dict) -> dict:
        """Create new places, update changed ones, flag those of the dataset the file no longer has.

        `present`: ids of every row of the file, rejected ones included (a row that is present but
        invalid does not make its place disappear)."""
        existing = {
            values[0]: (values[1], values[2], values[3:])
            for values in Place.objects.filter(dataset=self.dataset).values_list(
                "local_id", "pk", "missing_since", *COMPARED
            )
        }
        now = timezone.now()
        to_create, to_update, updated, unchanged = [], [], [], 0
        for row in accepted:
            values = row.values
            local_id = values["local_id"]
            if local_id not in existing:
                to_create.append(values)
                continue
            pk, _, old = existing[local_id]
            diff = _diff(old, _comparable(values))
            if diff:
                to_update.append(
                    Place(
                        pk=pk,
                        dataset=self.dataset,
                        import_batch=self.batch,
                        imported_at=now,
                        missing_since=None,
                        standard_version=std.STANDARD_VERSION,
                        updated_at=now,
                        **values,
                    )
                )
                updated.append({"id": local_id, "pk": pk, "changes": diff})
            else:
                unchanged += 1
        missing_pks = [pk for key, (pk, since, _) in existing.items() if since is None and key not in present]
        returning_pks = [pk for key, (pk, since, _) in existing.items() if since is not None and key in present]
        # In the registry's order (Place.Meta.ordering), as the report has always listed them.
        disappeared = list(Place.objects.filter(pk__in=missing_pks).values_list("local_id", "pk"))
        created = insert_rows(
            Place,
            {
                "dataset": self.dataset,
                "import_batch": self.batch,
                "imported_at": now,
                "standard_version": std.STANDARD_VERSION,
            },
            to_create,
        )
        if to_update:
            fields = [
                *COMPARED,
                "import_batch",
                "imported_at",
                "missing_since",
                "structure_id",
                "standard_version",
                "updated_at",
            ]
            Place.objects.bulk_update(to_update, fields, batch_size=500)
        if returning_pks:
            Place.objects.filter(pk__in=returning_pks).update(missing_since=None, updated_at=now)
        if disappeared and not self._partial():
            Place.objects.filter(pk__in=[pk for _, pk in disappeared]).update(missing_since=now, updated_at=now)
        self._journal(created, updated, disappeared, report)
        return {
            "created": [values["local_id"] for values in to_create],
            "updated": [{"id": item["id"], "changes": item["changes"]} for item in updated],
            "unchanged": unchanged,
            "disappeared": [] if self._partial() else [local_id for local_id, _ in disappeared],
        }

    def _partial(self) -> bool:
        """A file whose every row was rejected says nothing about which places disappeared."""
        return self.parsed is not None and not self.parsed.records

    def _quarantine(self, rejected: list[Row], report: dict) -> None:
        if self.dry_run or not rejected:
            return
        fingerprints = {_fingerprint(row.raw): row for row in rejected}
        known = set(
            QuarantinedRow.objects.filter(
                dataset=self.dataset, fingerprint__in=fingerprints, status=QuarantineStatus.PENDING
            ).values_list("fingerprint", flat=True)
        )
        QuarantinedRow.objects.bulk_create(
            [
                QuarantinedRow(
                    batch=self.batch,
                    dataset=self.dataset,
                    fingerprint=fingerprint,
                    line=row.line,
                    data=_json_safe(row.checked.values),
                    raw=_json_safe(row.raw),
                    errors=[issue.as_dict() for issue in row.checked.errors],
                )
                for fingerprint, row in fingerprints.items()
                if fingerprint not in known
            ],
            batch_size=BATCH_SIZE,
        )
        report["quarantined_new"] = len(fingerprints) - len(known)

    def _journal(self, created, updated, disappeared, report) -> None:
        """One entry per created, updated or disappeared place (`created`: (pk, values) pairs)."""
        if self.dry_run:
            return
        actor = self.actor if getattr(self.actor, "is_authenticated", False) else None
        base = {"actor": actor, "object_type": "places.place", "run_id": current_run_id()}
        entries = [
            {
                "action": AuditAction.PLACE_CREATED,
                "object_id": str(pk),
                "object_repr": f"{values['nom']} ({values['commune_nom']})"[:255],
                "departement_code": "",
                "payload": {"dataset": self.dataset, "id": values["local_id"]},
            }
            for pk, values in created
        ]
        entries += [
            {
                "action": AuditAction.PLACE_UPDATED,
                "object_id": str(item["pk"]),
                "object_repr": item["id"][:255],
                "payload": {"dataset": self.dataset, "changes": item["changes"]},
            }
            for item in updated
        ]
        if not self._partial():
            entries += [
                {
                    "action": AuditAction.PLACE_DISAPPEARED,
                    "object_id": str(pk),
                    "object_repr": local_id[:255],
                    "payload": {"dataset": self.dataset},
                }
                for local_id, pk in disappeared
            ]
        insert_rows(AuditEntry, base, entries, returning=False)


def current_run_id() -> str:
    from maillage.core.audit import _run_id

    return _run_id.get()


def insert_rows(model, common: dict, rows: list[dict], *, returning: bool = True) -> list[tuple[int, dict]]:
    """Insert rows given as {field: value} dicts (plus `common` values), without building one model
    instance per row on PostgreSQL (COPY, values adapted once per column type); bulk_create
    elsewhere. Returns (pk, row) pairs when `returning` (pks read back by the natural key on
    PostgreSQL, which only Place needs)."""
    if not rows:
        return []
    if connection.vendor != "postgresql":
        objects = model.objects.bulk_create([model(**common, **row) for row in rows], batch_size=BATCH_SIZE)
        return [(obj.pk, row) for obj, row in zip(objects, rows, strict=True)] if returning else []
    template = model(**common)
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    defaults = {field.attname: field.pre_save(template, add=True) for field in fields}
    names = {field.name: field.attname for field in fields}
    json_columns = {field.attname for field in fields if isinstance(field, models.JSONField)}
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    attnames = [field.attname for field in fields]
    table = connection.ops.quote_name(model._meta.db_table)
    encoded: dict = {}  # list fields repeat the same values from row to row: encode each once

    def to_json(value):
        if value.__class__ is not list:
            return json.dumps(value)
        key = tuple(value)
        try:
            text = encoded.get(key)
        except TypeError:  # a list of unhashable items
            return json.dumps(value)
        if text is None:
            text = encoded[key] = json.dumps(value)
        return text

    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for row in rows:
            values = dict(defaults)
            for key, value in row.items():
                values[names.get(key, key)] = value
            copy.write_row([to_json(values[name]) if name in json_columns else values[name] for name in attnames])
    if not returning:
        return []
    pks = dict(model.objects.filter(dataset=common["dataset"]).values_list("local_id", "pk"))
    return [(pks[row["local_id"]], row) for row in rows]


def import_places(
    *,
    actor,
    data: bytes,
    filename: str,
    dataset: str | None = None,
    dry_run: bool = False,
    mapping: MappingVariant | None = None,
    progress=None,
    batch: ImportBatch | None = None,
) -> tuple[dict, ImportBatch]:
    """Import a file of places; returns the report and the batch (created here unless given)."""
    if batch is None:
        batch = ImportBatch.objects.create(
            dataset=dataset or dataset_from_filename(filename),
            filename=filename,
            dry_run=dry_run,
            actor=actor if getattr(actor, "is_authenticated", False) else None,
            file_sha256=hashlib.sha256(data).hexdigest(),
            status=ImportStatus.RUNNING,
        )
    else:
        ImportBatch.objects.filter(pk=batch.pk).update(status=ImportStatus.RUNNING)

    def report_progress(done, total):
        ImportBatch.objects.filter(pk=batch.pk).update(rows_done=done, rows_total=total)
        if progress:
            progress(done, total)

    job = ImportJob(
        data=data,
        filename=filename,
        actor=actor,
        dataset=dataset,
        dry_run=dry_run,
        mapping=mapping,
        batch=batch,
        progress=report_progress,
    )
    try:
        report = job.run()
    except ImportRefused as error:
        batch.status, batch.report, batch.finished_at = ImportStatus.FAILED, {"refused": str(error)}, timezone.now()
        batch.save(update_fields=["status", "report", "finished_at", "updated_at"])
        raise
    batch.dataset = job.dataset
    batch.detected = {**report["file"], "variant": report["variant"]}
    batch.status, batch.report, batch.finished_at = ImportStatus.DONE, report, timezone.now()
    batch.rows_total = batch.rows_done = report["rows"]
    batch.save()
    AuditEntry.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=AuditAction.IMPORT_RUN,
        object_type="places.importbatch",
        object_id=str(batch.pk),
        object_repr=filename[:255],
        payload={key: report[key] for key in ("rows", "accepted", "rejected", "dataset", "dry_run")}
        | {
            "created": len(report["created"]),
            "updated": len(report["updated"]),
            "disappeared": len(report["disappeared"]),
        },
    )
    return report, batch
