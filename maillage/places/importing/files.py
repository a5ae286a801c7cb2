"""Reading a file of places into records, whatever its format, encoding and separator."""

import csv
import functools
import io
import json
import zipfile
from dataclasses import dataclass, field
from itertools import compress
from pathlib import Path

import openpyxl

ENCODINGS = ("utf-8-sig", "utf-8", "cp1252")
SEPARATORS = (",", ";", "\t", "|")

MAX_UPLOAD = 50 * 1024 * 1024  # bytes: the largest file the upload page and the API take


class NotPlaceData(ValueError):
    """The file is readable but is not a list of places (a schema, a mapping configuration…)."""


@dataclass
class Record:
    line: int  # CSV/XLSX: the line number in the file; JSON: the item's position (1-based)
    values: dict


@dataclass
class CsvGrid:
    """The cells of a CSV file as read: header, non-blank rows (lists of cells) and their line numbers."""

    header: list[str]
    rows: list[list[str]]
    lines: list[int]

    def values(self, index: int) -> dict:
        """Row `index` as a record's values (cells beyond the header kept under one key)."""
        row = self.rows[index]
        values = dict(zip(self.header, row, strict=False))
        if len(row) > len(self.header):
            values["__colonnes_en_trop__"] = row[len(self.header) :]
        return values

    def columns(self) -> dict[str, list] | None:
        """Column name → cells, when every row has one cell per column and names are distinct."""
        width = len(self.header)
        if len(set(self.header)) != width or any(len(row) != width for row in self.rows):
            return None
        if not self.rows:
            return dict.fromkeys(self.header, [])
        return dict(zip(self.header, map(list, zip(*self.rows, strict=True)), strict=True))


@dataclass
class ParsedFile:
    name: str
    format: str  # csv, json, xlsx
    encoding: str = ""
    separator: str = ""
    bom: bool = False
    items: list[Record] = field(default_factory=list)  # JSON and XLSX
    columns: list[str] = field(default_factory=list)
    grid: CsvGrid | None = None  # CSV: records are built from it when asked for

    @functools.cached_property
    def records(self) -> list[Record]:
        if self.grid is None:
            return self.items
        return [Record(line, self.grid.values(index)) for index, line in enumerate(self.grid.lines)]

    def __len__(self) -> int:
        return len(self.grid.rows) if self.grid is not None else len(self.items)

    def describe(self) -> dict:
        info = {"format": self.format, "columns": len(self.columns)}
        if self.encoding:
            info["encoding"] = self.encoding + (" (avec BOM)" if self.bom else "")
        if self.separator:
            info["separator"] = {"\t": "tabulation"}.get(self.separator, self.separator)
        return info


def decode(data: bytes) -> tuple[str, str, bool]:
    """Text and encoding of `data`: UTF-8 (with or without BOM), else Windows-1252."""
    bom = data.startswith(b"\xef\xbb\xbf")
    for encoding in ENCODINGS:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        # NUL characters are no text (PostgreSQL refuses them): binary garbage, dropped.
        return text.replace("\x00", ""), ("utf-8" if encoding.startswith("utf-8") else encoding), bom
    raise NotPlaceData(
        "fichier illisible : ni UTF-8 ni Windows-1252 "
        "(est-ce bien un fichier CSV ou JSON, et non une image ou une archive ?)"
    )


def _separator(header_line: str) -> str:
    """The separator that splits the header into the most columns (ties: comma first)."""
    counts = {sep: len(next(csv.reader([header_line], delimiter=sep))) for sep in SEPARATORS}
    return max(SEPARATORS, key=lambda sep: (counts[sep], -SEPARATORS.index(sep)))


def read_csv(text: str, name: str) -> ParsedFile:
    first_line = text.split("\n", 1)[0]
    separator = _separator(first_line)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    try:
        header = next(reader)
    except StopIteration:
        return ParsedFile(name, "csv", separator=separator)
    header = [column.strip() for column in header]
    first = reader.line_num + 1
    records = list(reader)
    if reader.line_num == first - 1 + len(records):  # no line break inside a cell: record i is on line first + i
        lines = list(range(first, first + len(records)))
    else:
        lines = _record_lines(text, separator)
    filled = list(map(str.strip, map("".join, records)))  # a row with any non-blank cell (in C)
    if not all(filled):
        lines = list(compress(lines, filled))
        records = list(compress(records, filled))
    return ParsedFile(name, "csv", separator=separator, columns=header, grid=CsvGrid(header, records, lines))


def _record_lines(text: str, separator: str) -> list[int]:
    """The line on which each record after the header starts, when cells hold line breaks."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    next(reader)
    lines = []
    line = reader.line_num + 1
    for _ in reader:
        lines.append(line)
        line = reader.line_num + 1
    return lines


def read_json(text: str, name: str) -> ParsedFile:
    data = json.loads(text.replace("\\u0000", ""))  # NUL written as an escape: dropped too (see decode)
    if isinstance(data, dict):
        fields = data.get("fields")
        if isinstance(fields, list) and fields and all(isinstance(f, dict) and "name" in f for f in fields):
            raise NotPlaceData("Ce fichier est un schéma de données (Table Schema), pas une liste de lieux.")
        if all(isinstance(value, dict | list) for value in data.values()) and {"nom", "id"} & set(data):
            raise NotPlaceData(
                "Ce fichier est une configuration de correspondance de colonnes, pas une liste de lieux."
            )
        for key in ("data", "lieux", "items", "results"):
            if isinstance(data.get(key), list):
                data = data[key]
                break
        else:
            raise NotPlaceData("Le fichier JSON doit contenir une liste de lieux (un tableau d'objets).")
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise NotPlaceData("Le fichier JSON doit contenir une liste de lieux (un tableau d'objets).")
    columns = list(dict.fromkeys(key for item in data for key in item))
    return ParsedFile(name, "json", items=[Record(i + 1, item) for i, item in enumerate(data)], columns=columns)


def read_xlsx(data: bytes, name: str) -> ParsedFile:
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:  # not a workbook, or a damaged one
        reason = f"classeur Excel illisible ({error}) : enregistrez-le de nouveau au format .xlsx"
        raise NotPlaceData(reason) from error
    sheet = workbook.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = [str(cell).strip() if cell is not None else "" for cell in next(rows, [])]
    records = []
    for line, row in enumerate(rows, start=2):
        values = {column: ("" if cell is None else cell) for column, cell in zip(header, row, strict=False) if column}
        if any(str(value).strip() for value in values.values()):
            records.append(Record(line, values))
    workbook.close()
    return ParsedFile(name, "xlsx", items=records, columns=[column for column in header if column])


def read_bytes(data: bytes, name: str) -> ParsedFile:
    suffix = Path(name).suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return read_xlsx(data, name)
    text, encoding, bom = decode(data)
    stripped = text.lstrip("\ufeff").lstrip()
    if suffix == ".json" or stripped.startswith(("[", "{")):
        try:
            parsed = read_json(stripped, name)
        except json.JSONDecodeError as error:
            raise NotPlaceData(
                f"JSON illisible (ligne {error.lineno}, colonne {error.colno}) : {error.msg}"
            ) from error
    else:
        parsed = read_csv(text.lstrip("\ufeff"), name)
    parsed.encoding, parsed.bom = encoding, bom
    return parsed


def read_path(path: Path) -> ParsedFile:
    return read_bytes(Path(path).read_bytes(), Path(path).name)
