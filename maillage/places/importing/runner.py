"""Running an import: every row of the file ends either accepted (created, updated or unchanged)
or rejected and kept in quarantine with its reasons. Nothing is dropped.

Report (also stored on the ImportBatch):
    {"rows": N, "accepted": A, "rejected": R, "errors": [...], "warnings": [...],
     "created": [...ids], "updated": [{"id":…, "changes": {field: [old, new]}}], "unchanged": U,
     "disappeared": [...ids], "dataset": …, "file": {...format, encoding, separator}, "variant": …}
with `rows == accepted + rejected` and each error/warning `{"line", "field", "value", "reason"}`.
"""

import contextlib
import datetime as dt
import functools
import gc
import hashlib
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection, models, transaction
from django.utils import timezone

from maillage.core.models import AuditEntry
from maillage.places import perms
from maillage.places import standard as std
from maillage.places.enums import AuditAction, ImportStatus, QuarantineStatus
from maillage.places.geo import CommuneResolver
from maillage.places.importing.columns import ColumnChecker
from maillage.places.importing.copy import insert_columns
from maillage.places.importing.files import NotPlaceData, ParsedFile, read_bytes
from maillage.places.importing.positions import Locator
from maillage.places.importing.validation import Checked, Issue
from maillage.places.importing.variants import MappingVariant, Variant, detect, standard_split
from maillage.places.models import STANDARD_TO_MODEL, ImportBatch, Place, QuarantinedRow
from maillage.structures.models import Structure

BATCH_SIZE = 2000
PROGRESS_SECONDS = 0.25
LOCATE_CHUNK = 10_000  # rows located while PostgreSQL stores the previous ones
# Columns that locating fills in (`ImportJob._locate`).
LOCATED = ("commune_id", "position_latitude", "position_longitude", "position_origin")
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


def personal_columns(keys) -> list[str]:
    """Columns (of a row's keys) that hold data about people rather than about the place."""
    return [key for key in keys if _is_personal(key)]


# Cells that say nothing: a column naming people that holds one of these is dropped without warning.
EMPTY_CELLS = (None, "", [], "#N/D")


DATE_PREFIX = re.compile(r"^(\d{8}-|\d{4}-\d{2}-\d{2}_|\d{4}-\d{2}-)")


class ImportRefused(ValueError):
    """The file cannot be imported at all (not a list of places, unreadable)."""


@dataclass
class Row:
    """A rejected row, kept for the quarantine."""

    line: int
    raw: dict
    checked: Checked


@dataclass
class Table:
    """Every row of the file after checking, as columns. `accepted`: indexes of accepted rows;
    `values`: model field → column over the accepted rows only (the LOCATED columns are filled in
    by `ImportJob._locate` as the rows are written); `errors`/`warnings`: per row index, issues as
    report dicts (rows without any are absent)."""

    lines: list[int]
    accepted: list[int]
    rejected: list[Row]
    values: dict
    errors: dict
    warnings: dict
    ids: list[str]

    def row_values(self, position: int) -> dict:
        return {name: column[position] for name, column in self.values.items()}


def dataset_from_filename(filename: str) -> str:
    """`20230517-hub-du-sud-….v1.json` → `hub-du-sud-…`: successive files of one source share it."""
    stem = Path(filename).name
    for suffix in (".json", ".csv", ".xlsx", ".v1", ".v0.1"):
        stem = stem.removesuffix(suffix)
    return DATE_PREFIX.sub("", stem)[:120] or "import"


def dataset_for(given: str | None, filename: str) -> str:
    """The dataset an import writes to: the one given, else the file's (`dataset_from_filename`)."""
    return (given or dataset_from_filename(filename)).strip()[:120]


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


def _issue(line: int, field_name: str, value: str, reason: str) -> dict:
    return {"line": line, "field": field_name, "value": value, "reason": reason}


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


class _ConvertedRows:
    """Rows as records, each converted by the variant (any format, any variant)."""

    def __init__(self, records: list, converted: list):
        self.records, self.converted = records, converted
        self.lines = [record.line for record in records]
        self.notes = {index: item.notes for index, item in enumerate(converted) if item.notes}
        self._personal: dict[tuple, list] = {}  # columns naming people, per set of columns

    @classmethod
    def of(cls, parsed: ParsedFile, variant: Variant) -> "_ConvertedRows":
        return cls(parsed.records, variant.convert_all([record.values for record in parsed.records]))

    def check(self, checker: ColumnChecker):
        return checker.check([item.fields for item in self.converted])

    def _personal_columns(self, values: dict) -> list:
        keys = tuple(values)
        personal = self._personal.get(keys)
        if personal is None:
            personal = self._personal[keys] = personal_columns(values)
        return personal

    def filled_personal(self):
        """(row index, column) of each filled cell naming people (never stored: see `extras`)."""
        for index, record in enumerate(self.records):
            for column in self._personal_columns(record.values):
                if record.values[column] not in EMPTY_CELLS:
                    yield index, column

    def raw(self, index: int) -> dict:
        values = self.records[index].values
        columns = self._personal_columns(values)
        return {key: value for key, value in values.items() if key not in columns} if columns else dict(values)

    def extras(self, accepted: list[int]) -> list[dict]:
        """Columns outside the standard of each accepted row, without the columns naming people."""
        extras = []
        for index in accepted:
            extra = self.converted[index].extra
            for column in self._personal_columns(self.records[index].values):
                extra.pop(column, None)
            extras.append(_json_safe(extra) if extra else {})
        return extras


class _PlainColumns:
    """A CSV file of the standard itself, spelt as the standard, one cell per column on every row:
    its columns go to the checker as read (what `Variant.convert` would do, without a dict per row)."""

    def __init__(self, grid, columns: dict, standard: tuple, extra: tuple):
        self.grid, self.columns = grid, columns
        self.lines = grid.lines
        self.notes: dict = {}
        self.standard = standard
        self.personal = personal_columns(extra)
        self.extra = tuple(name for name in extra if name not in self.personal)

    @classmethod
    def of(cls, parsed: ParsedFile, variant: Variant) -> "_PlainColumns | None":
        if parsed.grid is None or type(variant) is not Variant:
            return None
        plan = standard_split(tuple(parsed.grid.header))
        columns = parsed.grid.columns() if plan is not None else None
        return cls(parsed.grid, columns, *plan) if columns is not None else None

    def check(self, checker: ColumnChecker):
        standard = self.standard
        cells = {name: self.columns[name] for name in standard}
        return checker.check_columns(cells, len(self.lines), lambda index: standard)

    def filled_personal(self):
        by_row = sorted(
            (index, position)
            for position, column in enumerate(self.personal)
            for index, value in enumerate(self.columns[column])
            if value not in EMPTY_CELLS
        )
        return ((index, self.personal[position]) for index, position in by_row)

    def raw(self, index: int) -> dict:
        return {key: value for key, value in self.grid.values(index).items() if key not in self.personal}

    def extras(self, accepted: list[int]) -> list[dict]:
        if not self.extra:
            return [{} for _ in accepted]
        columns = [self.columns[name] for name in self.extra]
        return [dict(zip(self.extra, (column[i] for column in columns), strict=True)) for i in accepted]


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
    # Communes (INSEE codes) a restricted importer may write to; None: anywhere (administrators,
    # the command line). Rows located elsewhere are rejected (`_outside_reach`).
    reach: frozenset[str] | None = None
    _locator: Locator | None = field(default=None, init=False, repr=False)  # set before writing
    _accepted: int = field(default=0, init=False, repr=False)  # rows accepted, once checked

    def run(self) -> dict:
        try:
            self.parsed = read_bytes(self.data, self.filename)
        except NotPlaceData as error:
            raise ImportRefused(str(error)) from error
        try:
            self.variant = detect(self.parsed.columns, self.mapping) if len(self.parsed) else Variant()
        except NotPlaceData as error:
            raise ImportRefused(str(error)) from error
        self.dataset = dataset_for(self.dataset, self.filename)
        table = self._check_rows()
        self._accepted = len(table.accepted)
        present = {str(local_id) for local_id in table.ids if local_id}
        with transaction.atomic():
            changes = self._write(table, present)
            report = self._report_skeleton(table)
            self._quarantine(table.rejected, report)
            if self.dry_run:
                transaction.set_rollback(True)
        report.update(changes)
        return report

    def _check_rows(self) -> Table:
        total = len(self.parsed)
        if self.progress:
            self.progress(0, total)
        on_column = (lambda share: self.progress(int(total * share), total)) if self.progress else None
        checker = ColumnChecker(lenient=self._lenient(), progress=on_column)
        rows = _PlainColumns.of(self.parsed, self.variant) or _ConvertedRows.of(self.parsed, self.variant)
        checked = rows.check(checker)
        lines = rows.lines
        warnings: dict[int, list] = {}
        errors: dict[int, list] = {}
        for index, notes in rows.notes.items():
            warnings[index] = [_issue(lines[index], f, str(v), r) for f, v, r in notes]
        for index, issues in checked.issues.items():
            line = lines[index]
            found = [
                {"line": line, "field": f, "value": v, "reason": r} for is_error, f, v, r in issues if not is_error
            ]
            if found:
                warnings.setdefault(index, []).extend(found)
            found = [{"line": line, "field": f, "value": v, "reason": r} for is_error, f, v, r in issues if is_error]
            if found:
                errors[index] = found
        for index, column in rows.filled_personal():
            warnings.setdefault(index, []).append(
                _issue(lines[index], column, "", "données de personnes (contacts) non conservées : minimisation")
            )
        ids = checked.values["id"]
        self._duplicate_ids(ids, lines, errors)
        if self.reach is not None:
            self._outside_reach(checked, [index for index in range(total) if index not in errors], lines, errors)
        rejected_set = set(errors)
        accepted = [index for index in range(total) if index not in rejected_set] if errors else list(range(total))
        rejected = [
            Row(lines[index], rows.raw(index), self._checked(checked, index, errors)) for index in sorted(rejected_set)
        ]
        values = self._accepted_values(checked, accepted, rows.extras(accepted))
        if self.progress:
            self.progress(total, total)
        return Table(lines, accepted, rejected, values, errors, warnings, ids)

    @staticmethod
    def _checked(checked, index: int, errors: dict) -> Checked:
        return Checked(values=checked.row_values(index), errors=[Issue(**issue) for issue in errors.get(index, [])])

    def _outside_reach(self, checked, candidates: list[int], lines: list, errors: dict) -> None:
        """Reject the rows (among `candidates`) whose commune is not in `reach`, or cannot be found:
        a coordinateur's import writes places of their own territory only."""
        names = ("code_insee", "code_postal", "commune", "latitude", "longitude")
        columns = [checked.values[name] for name in names]
        rows = [tuple(column[index] for column in columns) for index in candidates]
        self._locator = Locator(CommuneResolver())  # kept for the write, which locates these rows again
        self._locator.prefetch(rows)
        for index, location in zip(candidates, self._locator.locate(rows), strict=True):
            if location.commune not in self.reach:
                reason = (
                    "commune introuvable : lieu non importé (indiquez son code INSEE ou son code postal)"
                    if location.commune is None
                    else "commune hors de votre territoire : lieu non importé (à importer par son coordinateur)"
                )
                errors[index] = [_issue(lines[index], "code_insee", location.commune or "", reason)]

    @staticmethod
    def _duplicate_ids(ids: list, lines: list, errors: dict) -> None:
        filled = [local_id for local_id in ids if local_id]
        if len(set(filled)) == len(filled):
            return
        seen: dict[str, int] = {}
        for index, local_id in enumerate(ids):
            if local_id and local_id in seen:
                errors.setdefault(index, []).append(
                    _issue(
                        lines[index],
                        "id",
                        local_id,
                        f"identifiant déjà utilisé ligne {seen[local_id]} (doit être unique)",
                    )
                )
            elif local_id:
                seen[local_id] = lines[index]

    def _accepted_values(self, checked, accepted, extras) -> dict:
        """Model field → column over the accepted rows: the checked values, publication, extra
        columns, structure. Commune and position columns are filled by `_locate`."""
        columns = checked.values
        if len(accepted) != checked.size:
            columns = {name: [column[index] for index in accepted] for name, column in columns.items()}
        structures = dict(Structure.objects.exclude(siret="").values_list("siret", "pk"))
        values = {STANDARD_TO_MODEL.get(name, name): column for name, column in columns.items()}
        values["code_insee"] = list(values["code_insee"])  # filled in where the reference deduces it
        dates = {text: dt.date.fromisoformat(text) for text in set(values["date_maj"])}
        values["date_maj"] = [dates[text] for text in values["date_maj"]]
        for name in LOCATED:
            values[name] = [None] * len(accepted)
        values["is_published"] = [bool(services) for services in values["services"]]
        values["extra"] = extras
        values["structure_id"] = (
            [structures.get(pivot) for pivot in values["pivot"]] if structures else [None] * len(accepted)
        )
        return values

    def _prepare_locating(self, table: Table) -> None:
        """Read what locating needs (reference, outlines of the communes with given coordinates)
        before the COPY holds the connection."""
        self._locator = self._locator or Locator(CommuneResolver())  # `_outside_reach` may have made it
        self._locator.prefetch(self._position_rows(table, range(len(table.accepted))))

    @staticmethod
    def _position_rows(table: Table, positions):
        """(code_insee, code_postal, commune, latitude, longitude) of the rows at `positions`."""
        columns = [
            table.values[name] for name in ("code_insee", "code_postal", "commune_nom", "latitude", "longitude")
        ]
        if isinstance(positions, range):  # consecutive rows: slices, zipped in C
            return zip(*(column[positions.start : positions.stop] for column in columns), strict=True)
        return zip(*([column[p] for p in positions] for column in columns), strict=True)

    def _locate(self, table: Table, positions) -> None:
        """Commune and position (checked against the commune's outline) of the accepted rows at
        `positions`, with their warnings; reads nothing from the database."""
        locations = self._locator.locate(self._position_rows(table, positions))
        values, warnings = table.values, table.warnings
        code_insee = values["code_insee"]
        commune, latitude, longitude, origin = (values[name] for name in LOCATED)
        for position, location in zip(positions, locations, strict=True):
            commune[position] = location.commune
            latitude[position] = location.latitude
            longitude[position] = location.longitude
            origin[position] = location.origin
            deduced = location.commune and not code_insee[position]
            if location.notes or deduced:
                index = table.accepted[position]
                line = table.lines[index]
                issues = warnings.setdefault(index, [])
                issues.extend(_issue(line, f, str(v), r) for f, v, r in location.notes)
                if deduced:
                    code_insee[position] = location.commune
                    reason = "code INSEE déduit du code postal et du nom de la commune"
                    issues.append(_issue(line, "code_insee", location.commune, reason))

    def _lenient(self) -> bool:
        return self.variant is not None and getattr(self.variant, "name", "") in (
            "correspondance",
            "data-inclusion",
            "pre-standard",
        )

    def _report_skeleton(self, table: Table) -> dict:
        return {
            "rows": len(table.lines),
            "accepted": len(table.accepted),
            "rejected": len(table.rejected),
            "errors": [issue for index in sorted(table.errors) for issue in table.errors[index]],
            "warnings": [issue for index in sorted(table.warnings) for issue in table.warnings[index]],
            "dataset": self.dataset,
            "file": {"name": self.filename, **self.parsed.describe()},
            "variant": self.variant.label,
            "standard_version": std.STANDARD_VERSION,
            "dry_run": self.dry_run,
        }

    def _write(self, table: Table, present: set[str]) -> dict:
        """Create new places, update changed ones, flag those of the dataset the file no longer has.
        New places are located chunk by chunk while PostgreSQL stores the previous chunk.

        `present`: ids of every row of the file, rejected ones included (a row that is present but
        invalid does not make its place disappear)."""
        existing = existing_places(self.dataset)
        self._prepare_locating(table)
        now = timezone.now()
        values = table.values
        local_ids = values["local_id"]
        to_update, updated, unchanged = [], [], 0
        new_positions = range(len(local_ids))
        if existing:
            new_positions = [position for position, local_id in enumerate(local_ids) if local_id not in existing]
            known = [position for position, local_id in enumerate(local_ids) if local_id in existing]
            self._locate(table, known)
            columns = [[values[name][p] for p in known] for name in COMPARED] if new_positions else None
            compared = zip(*(columns or [values[name] for name in COMPARED]), strict=True)
            for position, new in zip(known, compared, strict=True):
                local_id = local_ids[position]
                pk, _, old = existing[local_id]
                diff = _diff(old, new) if old != new else None
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
                            **table.row_values(position),
                        )
                    )
                    updated.append({"id": local_id, "pk": pk, "changes": diff})
                else:
                    unchanged += 1
        missing_pks = [pk for key, (pk, since, _) in existing.items() if since is None and key not in present]
        returning_pks = [pk for key, (pk, since, _) in existing.items() if since is not None and key in present]
        # In the registry's order (Place.Meta.ordering), as the report has always listed them.
        disappeared = list(Place.objects.filter(pk__in=missing_pks).values_list("local_id", "pk"))
        common = {
            "dataset": self.dataset,
            "import_batch": self.batch,
            "created_batch": self.batch,
            "imported_at": now,
            "standard_version": std.STANDARD_VERSION,
        }
        insert_columns(Place, common, self._located_chunks(table, new_positions))
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
        self._journal(updated, disappeared)
        return {
            "created": [local_ids[position] for position in new_positions],
            "updated": [{"id": item["id"], "changes": item["changes"]} for item in updated],
            "unchanged": unchanged,
            "disappeared": [] if self._partial() else [local_id for local_id, _ in disappeared],
        }

    def _located_chunks(self, table: Table, positions):
        """The columns of the rows at `positions`, LOCATE_CHUNK rows at a time, each located when
        asked for (while the COPY stores the chunk before)."""
        for start in range(0, len(positions), LOCATE_CHUNK):
            chunk = positions[start : start + LOCATE_CHUNK]
            self._locate(table, chunk)
            if isinstance(chunk, range):
                yield {name: column[chunk.start : chunk.stop] for name, column in table.values.items()}
            else:
                yield {name: [column[p] for p in chunk] for name, column in table.values.items()}

    def _partial(self) -> bool:
        """A file without rows, or whose every row was rejected, says nothing about which places
        disappeared (a broken export must not take a dataset off the map)."""
        return self.parsed is not None and (not len(self.parsed) or not self._accepted)

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

    def _journal(self, updated: list, disappeared: list) -> None:
        """One entry per updated place (its changes, old → new) and per disappeared place. Created
        places carry `created_batch`: the import's own entry (`IMPORT_RUN`, written by
        `import_places`) is their creation in the journal (decision 007)."""
        if self.dry_run:
            return
        actor = self.actor if getattr(self.actor, "is_authenticated", False) else None
        base = {"actor": actor, "object_type": "places.place", "run_id": current_run_id()}
        disappeared = disappeared if not self._partial() else []
        columns = {
            "action": [AuditAction.PLACE_UPDATED.value] * len(updated)
            + [AuditAction.PLACE_DISAPPEARED.value] * len(disappeared),
            "object_id": [str(item["pk"]) for item in updated] + [str(pk) for _, pk in disappeared],
            "object_repr": [item["id"][:255] for item in updated] + [local_id[:255] for local_id, _ in disappeared],
            "payload": [{"dataset": self.dataset, "changes": item["changes"]} for item in updated]
            + [{"dataset": self.dataset} for _ in disappeared],
        }
        insert_columns(AuditEntry, base, [columns])


def existing_places(dataset: str) -> dict:
    """local_id → (pk, missing_since, values of COMPARED) for the places of `dataset`. On PostgreSQL
    JSON columns are read as text and decoded once per distinct text (lists repeat from row to row)."""
    if connection.vendor != "postgresql":
        return {
            values[0]: (values[1], values[2], values[3:])
            for values in Place.objects.filter(dataset=dataset).values_list(
                "local_id", "pk", "missing_since", *COMPARED
            )
        }
    fields = [Place._meta.get_field(name) for name in COMPARED]
    json_at = [3 + index for index, field in enumerate(fields) if isinstance(field, models.JSONField)]
    selected = ", ".join(
        connection.ops.quote_name(field.column) + ("::text" if isinstance(field, models.JSONField) else "")
        for field in fields
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT local_id, id, missing_since, {selected} FROM {Place._meta.db_table} WHERE dataset = %s",
            [dataset],
        )
        rows = cursor.fetchall()
    decoded: dict = {}
    existing = {}
    for row in rows:
        row = list(row)
        for position in json_at:
            text = row[position]
            if text is not None:
                value = decoded.get(text)
                if value is None:
                    value = decoded[text] = json.loads(text)
                row[position] = value
        existing[row[0]] = (row[1], row[2], tuple(row[3:]))
    return existing


@contextlib.contextmanager
def cyclic_gc_paused():
    """Pause Python's cyclic garbage collector while an import runs. An import allocates millions of
    small objects that live until its end (columns, issues, report): the collector traverses them
    again and again with nothing to free (0.7 s of 2.4 s of CPU on 50,000 rows). Reference counting
    still frees what it can meanwhile; cycles are collected once it is enabled again."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def current_run_id() -> str:
    from maillage.core.audit import _run_id

    return _run_id.get()


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
            filename=filename[:300],
            dry_run=dry_run,
            actor=actor if getattr(actor, "is_authenticated", False) else None,
            file_sha256=hashlib.sha256(data).hexdigest(),
            status=ImportStatus.RUNNING,
        )
    else:
        ImportBatch.objects.filter(pk=batch.pk).update(status=ImportStatus.RUNNING)

    saved_at = [0.0]

    def report_progress(done, total):
        # The page polls the batch: at most one UPDATE per PROGRESS_SECONDS (the checker reports
        # after each of its 37 columns), and always the first and the last.
        now = time.monotonic()
        if done in (0, total) or now - saved_at[0] >= PROGRESS_SECONDS:
            ImportBatch.objects.filter(pk=batch.pk).update(rows_done=done, rows_total=total)
            saved_at[0] = now
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
        reach=perms.communes_in_reach(actor),
    )
    try:
        with cyclic_gc_paused():
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
