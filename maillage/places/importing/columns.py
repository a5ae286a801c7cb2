"""Checking a whole file column by column, with the same results as `RowChecker.check` row by row.

Every check of `RowChecker` but two (the long summary, the services/access coupling) depends on one
cell only: it is run once per distinct value of a column, and its issues are replayed on the rows
that hold that value. Issues are assembled per row in the order `RowChecker.check` emits them (cells
read as absent in the row's key order, then field by field), and only for rows that have any.
`tests/places/test_import_columns.py` compares both on every real file.
"""

import operator
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import compress

from maillage.places import standard as std
from maillage.places.importing.validation import (
    ABSENT,
    COUNTRY_CODE_WITH_ZERO,
    EMAIL,
    ID_MAX_LENGTH,
    SINGLE_LINE,
    SPACES,
    TYPOLOGIES,
    URL,
    VOCABULARIES,
    RowChecker,
    _Recorder,
    _text,
    id_too_long,
)

TEXT_FIELDS = ("id", "nom", "commune", "adresse", "complement_adresse", "source", "structure_parente")
CACHED_BEFORE = ("pivot", "code_postal", "code_insee")
CACHED_AFTER = ("telephone", "horaires", "date_maj")
FREE_TEXT = ("presentation_resume", "presentation_detail", "fiche_acces_libre", "prise_rdv")
ABSENT_REASON = "valeur de remplacement lue comme absente"
NO_ISSUES = ()
PLAIN = frozenset({str, type(None)})
NO_SERVICE_REASON = "aucun service : le lieu est considéré comme n'accueillant pas de public (non publié)"
UNHASHABLE = object()  # memo key of a cell that cannot be one (a dict, a list of dicts)


@dataclass
class CheckedColumns:
    """`values[name][i]`: the clean value of row i; `issues[i]`: its (is_error, field, value, reason)
    tuples in order, for rows that have any; `rejected`: indexes of rows with an error."""

    size: int
    values: dict = field(default_factory=dict)
    issues: dict = field(default_factory=dict)
    rejected: set = field(default_factory=set)

    def add(self, index: int, items) -> None:
        bucket = self.issues.get(index)
        if bucket is None:
            self.issues[index] = list(items)
        else:
            bucket.extend(items)
        if index not in self.rejected and any(item[0] for item in items):
            self.rejected.add(index)

    def row_values(self, index: int) -> dict:
        return {name: column[index] for name, column in self.values.items()}


def _memo_key(value):
    """Cells equal for a memo: same class and value (1, 1.0 and True differ), lists as tuples."""
    if value.__class__ is str or value is None:
        return value
    key = (list, tuple(value)) if value.__class__ is list else (value.__class__, value)
    try:
        hash(key)
    except TypeError:
        return UNHASHABLE
    return key


class ColumnChecker:
    """Checks the standard fields of many rows (dicts, as variants convert them) at once."""

    def __init__(self, *, lenient: bool = False, progress: Callable[[float], None] | None = None):
        self.rows = RowChecker(lenient=lenient)
        self.progress = progress  # called with the share of columns checked, after each column
        self._columns_done = 0

    # Columns checked by `check`, in order (for progress).
    COLUMN_STEPS = (
        len(TEXT_FIELDS) + len(CACHED_BEFORE) + 2 + len(CACHED_AFTER) + len(FREE_TEXT) + 2 + len(std.LIST_FIELDS) + 3
    )

    def check(self, rows: list[dict]) -> CheckedColumns:
        """Check rows given as dicts (standard field → cell), each in its own key order."""
        return self.check_columns(self._raw_columns(rows), len(rows), lambda index: rows[index].keys())

    def check_columns(self, columns: dict, size: int, keys_of: Callable[[int], Iterable[str]]) -> CheckedColumns:
        """Check `size` rows given as columns (standard field → cells; absent fields: None cells).
        `keys_of(index)`: the fields row `index` has, in its order (the order of its first issues)."""
        self._columns_done = 0
        result = CheckedColumns(size)
        missing = [None] * size
        raw = {name: columns.get(name, missing) for name in dict.fromkeys([*std.FIELD_NAMES, *columns])}
        absent = {name: _absent_cells(column) for name, column in raw.items()}
        self._absent_issues(keys_of, raw, {name: hits for name, hits in absent.items() if hits}, result)
        cleaned = {name: _blanked(column, absent[name]) for name, column in raw.items()}
        for name in TEXT_FIELDS:
            self._per_value(name, cleaned[name], self._text_field, result)
        for name in CACHED_BEFORE:
            self._per_value(name, cleaned[name], self._cached, result)
        for name, limit in (("latitude", 90), ("longitude", 180)):
            self._per_value(name, cleaned[name], lambda n, v, lim=limit: self._coordinate(n, v, lim), result)
        for name in CACHED_AFTER:
            self._per_value(name, cleaned[name], self._cached, result)
        for name in FREE_TEXT:
            self._per_value(name, cleaned[name], self._free_text, result, replay=False)
        self._presentation(result)
        for name in ("fiche_acces_libre", "prise_rdv"):
            self._per_value(name, result.values[name], self._url_check, result, store=False)
        for name in std.LIST_FIELDS:
            self._per_value(name, cleaned[name], self._cached, result)
        for name, check in (("typologie", self._typologies), ("courriels", self._emails), ("site_web", self._urls)):
            self._per_value(name, result.values[name], check, result, store=False)
        self._coupling(result)
        return result

    # --- columns ---------------------------------------------------------------------------------

    @staticmethod
    def _raw_columns(rows: list[dict]) -> dict:
        names = dict.fromkeys(std.FIELD_NAMES)
        shapes = {tuple(row) for row in rows}
        for keys in shapes:
            names.update(dict.fromkeys(keys))
        if len(shapes) == 1 and rows:  # every row has the same keys (a CSV file): transpose in C
            (keys,) = shapes
            columns = dict(zip(keys, map(list, zip(*map(dict.values, rows), strict=True)), strict=True))
            missing = [None] * len(rows)
            return {name: columns.get(name, missing) for name in names}
        return {name: [row.get(name) for row in rows] for name in names}

    @staticmethod
    def _absent_issues(keys_of, raw: dict, flagged: dict, result: CheckedColumns) -> None:
        """`valeur de remplacement` warnings come first in a row, in the order of its keys."""
        if not flagged:
            return
        candidates = set()
        for name, hits in flagged.items():
            column = raw[name]
            candidates.update(
                compress(range(len(column)), (value.__class__ is str and value in hits for value in column))
            )
        for index in sorted(candidates):
            for name in keys_of(index):
                value = raw[name][index]
                hits = flagged.get(name)
                if hits and value.__class__ is str and value in hits:
                    result.add(index, [(False, name, _text(value), ABSENT_REASON)])

    def _per_value(self, name, column, compute, result, *, replay=True, store=True) -> None:
        """Check one column (see `_check_column`), then report progress."""
        self._check_column(name, column, compute, result, replay=replay, store=store)
        self._columns_done += 1
        if self.progress:
            self.progress(min(1.0, self._columns_done / self.COLUMN_STEPS))

    def _check_column(self, name, column, compute, result, *, replay=True, store=True) -> None:
        """Run `compute(name, value) -> (clean, issues)` once per distinct value of `column`."""
        if _uniform(column):  # one value on every row (often an empty column): one check
            clean, issues = compute(name, column[0])
            if store:
                result.values[name] = [clean] * len(column)
            if issues and replay:
                for index in range(len(column)):
                    result.add(index, issues)
            return
        classes = set(map(type, column))
        plain = classes <= PLAIN
        if classes == {list} and not store:  # the checker's own lists, shared by rows with one cell
            keys = list(map(id, column))
            plain = False
        else:
            keys = column if plain else [_memo_key(value) for value in column]
        memo: dict = {}
        if plain and compute == self._text_field and _clean_texts(name, column):
            self._identity(name, column, result, store=store, replay=replay)
            return
        if plain and compute == self._cached and name == "telephone":
            memo = _international_phones(column)
        elif plain and compute == self._cached and name in FREE_LIST_FIELDS:
            memo = _single_items(column)
        elif not plain and compute == self._emails:
            memo = _valid_emails(keys, column)
        if plain:  # (memo: possibly pre-filled by a fast path)
            for value in dict.fromkeys(column).keys() - memo.keys():
                memo[value] = compute(name, value)
        else:
            for key, value in zip(keys, column, strict=True):
                if key is UNHASHABLE or key not in memo:
                    memo[key] = compute(name, value)
        outcomes = None
        if not plain and UNHASHABLE in memo:  # dicts in JSON cells (rare): no memo for those
            pairs = zip(keys, column, strict=True)
            outcomes = [compute(name, value) if key is UNHASHABLE else memo[key] for key, value in pairs]
        if store:
            if outcomes is not None:
                result.values[name] = [_copy(outcome[0]) for outcome in outcomes]
            else:  # lists are shared between rows with the same cell: never changed in place
                clean = {key: outcome[0] for key, outcome in memo.items()}
                result.values[name] = list(map(clean.__getitem__, keys))
        if not replay:
            return
        if outcomes is not None:
            for index, outcome in enumerate(outcomes):
                if outcome[1]:
                    result.add(index, outcome[1])
            return
        bad = {key for key, outcome in memo.items() if outcome[1]}
        if bad:
            for index in compress(range(len(keys)), map(bad.__contains__, keys)):
                result.add(index, memo[keys[index]][1])

    def _identity(self, name, column, result, *, store, replay) -> None:
        """A text column already clean: its cells are its values; only an empty required cell errs."""
        if store:
            result.values[name] = column
        if replay and "" in column:
            _, issues = self._text_field(name, "")
            if issues:
                for index in compress(range(len(column)), map("".__eq__, column)):
                    result.add(index, issues)

    # --- per-value checks (each mirrors a step of RowChecker.check) ---------------------------------

    @staticmethod
    def _text_field(name, value):
        text = _text(value)
        if name in SINGLE_LINE:
            text = SPACES.sub(" ", text)
        if not text and std.FIELDS_BY_NAME[name].required:
            return text, ((True, name, "", f"le champ {std.FIELDS_BY_NAME[name].label} est obligatoire"),)
        if name == "id" and len(text) > ID_MAX_LENGTH:
            return text, ((True, name, text, id_too_long(text)),)
        return text, NO_ISSUES

    def _cached(self, name, value):
        """The checks `RowChecker` memoises per cell (codes, phone, hours, date, lists)."""
        recorder = _Recorder()

        def error(field_name, field_value, reason):
            recorder.items.append((True, field_name, _text(field_value), reason))

        def warn(field_name, field_value, reason):
            recorder.items.append((False, field_name, _text(field_value), reason))

        return self.rows._computes[name](value, error, warn, recorder), tuple(recorder.items)

    def _coordinate(self, name, value, limit):
        items = []

        def error(field_name, field_value, reason):
            items.append((True, field_name, _text(field_value), reason))

        def warn(field_name, field_value, reason):
            items.append((False, field_name, _text(field_value), reason))

        return self.rows._coordinate(value, name, limit, error, warn), tuple(items)

    @staticmethod
    def _free_text(name, value):
        return _text(value).replace("\r\n", "\n"), NO_ISSUES

    @staticmethod
    def _url_check(name, value):
        if value and not URL.match(value):
            return None, ((False, name, value, "adresse web qui ne semble pas valide (conservée)"),)
        return None, NO_ISSUES

    @staticmethod
    def _typologies(name, codes):
        return None, tuple(
            (False, "typologie", code, "code de typologie inconnu de la liste data·inclusion (conservé)")
            for code in codes
            if code not in TYPOLOGIES
        )

    @staticmethod
    def _emails(name, emails):
        return None, tuple(
            (False, "courriels", email, "adresse électronique qui ne semble pas valide (conservée)")
            for email in emails
            if not EMAIL.match(email)
        )

    @staticmethod
    def _urls(name, urls):
        return None, tuple(
            (False, "site_web", url, "adresse web qui ne semble pas valide (conservée)")
            for url in urls
            if not URL.match(url)
        )

    # --- checks on two fields of a row ------------------------------------------------------------

    def _presentation(self, result: CheckedColumns) -> None:
        resumes, details = result.values["presentation_resume"], result.values["presentation_detail"]
        if max(map(len, resumes), default=0) <= 280:
            return
        for index in compress(range(result.size), (len(resume) > 280 for resume in resumes)):
            values = {"presentation_resume": resumes[index], "presentation_detail": details[index]}
            items: list = []
            self.rows._presentation(
                values,
                lambda n, v, r, items=items: items.append((True, n, _text(v), r)),
                lambda n, v, r, items=items: items.append((False, n, _text(v), r)),
            )
            resumes[index], details[index] = values["presentation_resume"], values["presentation_detail"]
            result.add(index, items)

    @staticmethod
    def _coupling(result: CheckedColumns) -> None:
        """§5.5, as `RowChecker._coupling`: no service → not published; services → NO_PUBLIC removed."""
        services, access = result.values["services"], result.values["modalites_acces"]
        no_service = (False, "services", "", NO_SERVICE_REASON)
        for index in compress(range(result.size), map(operator.not_, services)):
            result.add(index, (no_service,))
        removed = (False, "modalites_acces", std.NO_PUBLIC, "retiré : le lieu propose des services au public")
        for index in compress(range(result.size), (std.NO_PUBLIC in items for items in access)):
            if services[index]:
                access[index] = [item for item in access[index] if item != std.NO_PUBLIC]
                result.add(index, (removed,))


# Every cell read as absent is at most 5 characters without white space once stripped (lower()
# never shortens a string): a filter in C before the exact test.
ABSENT_LENGTH = max(map(len, ABSENT))
MAYBE_ABSENT = re.compile(rf"\s*\S{{1,{ABSENT_LENGTH}}}\s*")


def _uniform(column: list) -> bool:
    """Every cell is the same string (or None): one pass in C."""
    if not column:
        return False
    first = column[0]
    return (first is None or first.__class__ is str) and column.count(first) == len(column)


def _absent_cells(column: list) -> set:
    """The distinct cells of a column that spreadsheets write for "nothing" (`-`, `n/a`, `#N/D`…)."""
    if _uniform(column):
        return {column[0]} if column[0] is not None and column[0].strip().lower() in ABSENT else set()
    if _all_plain(column):
        distinct = set(column)
        distinct.discard(None)
    else:
        distinct = {value for value in column if value.__class__ is str}
    distinct = list(distinct)
    # Only cells at most ABSENT_LENGTH long once stripped can be one (strip, len, compare: in C).
    short = compress(distinct, map(ABSENT_LENGTH.__ge__, map(len, map(str.strip, distinct))))
    return {value for value in filter(MAYBE_ABSENT.fullmatch, short) if value.strip().lower() in ABSENT}


def _blanked(column: list, hits: set) -> list:
    """The column with the absent cells blanked, as `RowChecker.check` does before any check."""
    if not hits:
        return column
    return [("" if value.__class__ is str and value in hits else value) for value in column]


# What `_text` (strip) would change, and for single-line fields SPACES.sub(" ", …): white space at
# either end; two spaces in a row or any other white space. Cells are joined with \x00 to test a
# whole column in one search.
NOT_STRIPPED = re.compile(r"^\s|\s$|\x00\s|\s\x00")
NOT_SINGLE_LINE = re.compile(r"[^\S ]|  |^ | $|\x00 | \x00")
# What `_items` would split or repair in a list field without vocabulary.
NOT_SINGLE_ITEM = re.compile(r"[|;’]| / |[^\S ]|  |^ | $|\x00 | \x00")
FREE_LIST_FIELDS = frozenset(name for name in std.LIST_FIELDS if name not in VOCABULARIES)
EMAILS = re.compile(EMAIL.pattern, re.MULTILINE)


def _clean_texts(name: str, column: list) -> bool:
    """Whether every cell of a text column of strings is already what `_text_field` makes of it
    (one search over the whole column)."""
    pattern = NOT_SINGLE_LINE if name in SINGLE_LINE else NOT_STRIPPED
    if None in column or (name == "id" and max(map(len, column), default=0) > ID_MAX_LENGTH):
        return False
    return not pattern.search("\x00".join(column))


def _single_items(column: list) -> dict:
    """The memo of a list column without vocabulary whose cells are all one clean item (or empty)."""
    if None in column:
        return {}
    distinct = dict.fromkeys(column)
    if NOT_SINGLE_ITEM.search("\x00".join(distinct)):
        return {}
    empty = ([], NO_ISSUES)
    return {value: ([value], NO_ISSUES) if value else empty for value in distinct}


def _valid_emails(keys: list, column: list) -> dict:
    """The memo of the e-mail lists when every address of the column is valid (one search)."""
    lists = dict(zip(keys, column, strict=True))
    items = [item for value in lists.values() for item in value]
    if any("\n" in item for item in items) or len(EMAILS.findall("\n".join(items))) != len(items):
        return {}
    return dict.fromkeys(lists, (None, NO_ISSUES))


def _international_phones(column: list) -> dict:
    """The memo of the telephone cells already in the standard's form (+33…), which `_telephone`
    returns unchanged and without issue; the others are left to it."""
    memo = {}
    for value in dict.fromkeys(column):
        if value is not None and std.TELEPHONE.fullmatch(value) and not COUNTRY_CODE_WITH_ZERO.match(value):
            memo[value] = (value, NO_ISSUES)
    return memo


def _all_plain(column: list) -> bool:
    """Only strings and None: cells are their own memo keys."""
    return set(map(type, column)) <= PLAIN


def _distinct_values(column, keys, plain):
    if plain:
        return dict.fromkeys(column)
    first = {}
    for key, value in zip(keys, column, strict=True):
        if key not in first:
            first[key] = value
    return first.values()


def _copy(value):
    return list(value) if value.__class__ is list else value
