"""The index engine: raw indicators → classes → population-weighted aggregation → combination.

Pure numpy, no database: inputs are loaded once into arrays (`load_raw_inputs`, `load_commune_scores`),
then `compute_index` or `aggregate_commune_scores` produce every level (commune, EPCI, département,
région) for all of France in one pass. Storing a run is `services.index_run_store`'s job.
"""

import csv
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from maillage.diagnosis.methods import Method

LEVELS = ("commune", "epci", "departement", "region")
NO_EPCI = "ZZZZZZZZZ"


class InputError(ValueError):
    """An input file is missing or unreadable: the message says which and why (in French)."""


# --- reading CSV columns --------------------------------------------------------------------------


def _sniff_separator(header: str) -> str:
    return max((";", ",", "\t"), key=header.count)


def read_columns(path: Path, columns: list[str], *, sep: str = "", skip: int = 0) -> dict[str, list[str]]:
    """Some columns of a CSV file as lists of strings (codes keep their leading zeros)."""
    if not path.is_file():
        raise InputError(f"Fichier d'entrée introuvable : {path}")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for _ in range(skip):
            handle.readline()
        position = handle.tell()
        header = handle.readline()
        handle.seek(position)
        reader = csv.reader(handle, delimiter=sep or _sniff_separator(header))
        names = next(reader, [])
        missing = [name for name in columns if name not in names]
        if missing:
            raise InputError(
                f"{path.name} : colonne(s) absente(s) : {', '.join(missing)} (colonnes lues : {', '.join(names)})"
            )
        positions = [names.index(name) for name in columns]
        out: dict[str, list[str]] = {name: [] for name in columns}
        for row in reader:
            if len(row) < len(names):
                row = row + [""] * (len(names) - len(row))
            for name, index in zip(columns, positions, strict=True):
                out[name].append(row[index].strip())
    return out


def _to_float(text: str) -> float:
    if not text:
        return math.nan
    try:
        return float(text.replace(",", "."))
    except ValueError:
        return math.nan


def read_values(path: Path, code: str, column: str, *, sep: str = "", skip: int = 0) -> dict[str, float]:
    """code → value; duplicated codes keep the first filled value (rp2017 has empty second copies)."""
    data = read_columns(path, [code, column], sep=sep, skip=skip)
    values: dict[str, float] = {}
    for key, text in zip(data[code], data[column], strict=True):
        value = _to_float(text)
        if key and (key not in values or (math.isnan(values[key]) and not math.isnan(value))):
            values[key] = value
    return values


# --- geography: communes, their parents and weights -----------------------------------------------


@dataclass
class Geography:
    """Communes (and arrondissements) with population and parent codes, for upward aggregation."""

    codes: list[str]
    population: np.ndarray
    parents: dict[str, list[str]]  # level → parent code per commune ("" when none)
    former: dict[str, str] = field(default_factory=dict)  # old code → current code
    vintage: str = ""

    def __post_init__(self):
        self.index = {code: i for i, code in enumerate(self.codes)}
        # Parents as integer codes: level → (sorted parent codes, index of each commune's parent or -1).
        self.level_codes: dict[str, list[str]] = {}
        self.parent_index: dict[str, np.ndarray] = {}
        for level, parents in self.parents.items():
            keys = sorted({p for p in parents if p and p != NO_EPCI})
            position = {key: i for i, key in enumerate(keys)}
            self.level_codes[level] = keys
            self.parent_index[level] = np.array([position.get(p, -1) for p in parents], dtype=np.int64)


def reference_geography(populations: Path | None = None) -> Geography:
    """The project's territory reference (COG 2026, populations légales 2023), read from its files.

    `populations`: a CSV (code;population, or DEPCOM;PMUN as INSEE ships it) replacing the weights.
    """
    from maillage.territories.sources import read_table

    rows = read_table("communes.csv.gz")
    by_code = {row["code"]: row for row in rows}
    codes, population, epci, departement, region = [], [], [], [], []
    former = {}
    for row in rows:
        codes.append(row["code"])
        population.append(float(row["population"] or 0))
        own_epci = row["epci"] or (by_code.get(row["parent"], {}).get("epci", "") if row["parent"] else "")
        epci.append(own_epci)
        departement.append(row["departement"])
        region.append(row["region"])
        for old in (row.get("anciens_codes") or "").split():
            if old != row["code"]:
                former.setdefault(old, row["code"])
    for row in read_table("communes_anciennes.csv.gz"):
        if row["code"] != row["commune"] and row["code"] not in by_code:
            former.setdefault(row["code"], row["commune"])
    vintage = "populations légales 2023 (référentiel maillage, COG 2026)"
    geography = Geography(
        codes=codes,
        population=np.array(population),
        parents={"epci": epci, "departement": departement, "region": region},
        former=former,
        vintage=vintage,
    )
    if populations is not None:
        geography.population_override = read_population_file(populations)
        geography.vintage = f"populations de {Path(populations).name}, géographie COG 2026"
    return geography


def read_population_file(path: Path) -> dict[str, float]:
    path = Path(path)
    if not path.is_file():
        raise InputError(f"Fichier de populations introuvable : {path}")
    with path.open(encoding="utf-8-sig") as handle:
        header = handle.readline()
    names = [name.strip() for name in header.strip().split(_sniff_separator(header))]
    code = next((name for name in ("code", "DEPCOM", "CODGEO", "code_insee", "CODE_INSEE") if name in names), None)
    column = next((name for name in ("population", "PMUN", "P_POP", "PTOT") if name in names), None)
    if code is None or column is None:
        raise InputError(
            f"{path.name} : il faut une colonne de code (code, DEPCOM…) et de population (population, PMUN…)"
        )
    return read_values(path, code, column)


@dataclass
class Placement:
    """Where each scored commune goes: its weight and its parent at every level (integer codes)."""

    weights: np.ndarray
    parents: dict[str, np.ndarray]  # level → index into level_codes[level], -1 when none
    level_codes: dict[str, list[str]]
    unmatched: list[str]


def place_communes(codes: list[str], geography: Geography) -> Placement:
    """Resolve scored codes (any recent geography) to the reference; split a merged commune's weight."""
    override = getattr(geography, "population_override", None)
    index, former = geography.index, geography.former
    rows = np.array([index.get(code, index.get(former.get(code, ""), -1)) for code in codes], dtype=np.int64).reshape(
        len(codes)
    )
    matched = rows >= 0
    shares = np.bincount(rows[matched], minlength=len(geography.codes))
    weights = np.zeros(len(codes))
    weights[matched] = geography.population[rows[matched]] / shares[rows[matched]]
    if override is not None:
        given = np.array([override.get(code, math.nan) for code in codes])
        weights = np.where(matched & ~np.isnan(given), given, weights)
    # A commune given both whole and as arrondissements (Paris, Lyon, Marseille): keep the parts.
    given_codes = set(codes)
    for whole, prefix in (("75056", "751"), ("13055", "132"), ("69123", "6938")):
        if whole in given_codes and any(code.startswith(prefix) for code in given_codes):
            weights[codes.index(whole)] = 0.0
    parents = {
        level: np.where(matched, geography.parent_index[level][np.where(matched, rows, 0)], -1)
        for level in geography.parent_index
    }
    return Placement(
        weights=weights,
        parents=parents,
        level_codes=geography.level_codes,
        unmatched=[code for code, ok in zip(codes, matched, strict=True) if not ok],
    )


# --- scoring --------------------------------------------------------------------------------------


def decile_classes(values: np.ndarray, classes: int = 10, *, direction: str = "up") -> np.ndarray:
    """ceil(classes × F(x)) clipped to 1…classes, F = share of units ≤ x; ties take the upper class."""
    x = -values if direction == "down" else values
    valid = ~np.isnan(x)
    n = int(valid.sum())
    out = np.full(x.shape, np.nan)
    if n == 0:
        return out
    ordered = np.sort(x[valid])
    rank = np.searchsorted(ordered, x[valid], side="right")  # number of units ≤ x
    out[valid] = np.clip((classes * rank + n - 1) // n, 1, classes)
    return out


def decile_boundaries(values: np.ndarray, classes: int = 10) -> np.ndarray:
    """The classes-1 cut points of a distribution (the largest value of each class but the last)."""
    ordered = np.sort(values[~np.isnan(values)])
    n = len(ordered)
    if n == 0:
        return np.array([])
    return np.array([ordered[max(math.ceil(n * k / classes) - 1, 0)] for k in range(1, classes)])


def index100(values: np.ndarray, weights: np.ndarray, *, direction: str = "up") -> np.ndarray:
    valid = ~np.isnan(values)
    w = weights[valid]
    reference = float(np.average(values[valid], weights=w)) if w.sum() > 0 else float(np.mean(values[valid]))
    if reference == 0:
        return np.where(valid, 100.0, np.nan)
    if direction == "down":
        with np.errstate(divide="ignore"):
            return np.where(valid & (values != 0), reference / values * 100, np.nan)
    return values / reference * 100


def score_units(method: Method, raw: np.ndarray, weights: np.ndarray, *, scoring: dict | None = None) -> np.ndarray:
    """Score every indicator column of `raw` (units × indicators)."""
    scoring = scoring or method.scoring
    out = np.empty_like(raw)
    for j, indicator in enumerate(method.indicators):
        if scoring.get("type") == "deciles":
            out[:, j] = decile_classes(raw[:, j], int(scoring.get("classes", 10)), direction=indicator.direction)
        else:
            out[:, j] = index100(raw[:, j], weights, direction=indicator.direction)
    return out


# --- aggregation and combination ------------------------------------------------------------------


def weighted_group_mean(values: np.ndarray, weights: np.ndarray, groups: np.ndarray, size: int) -> np.ndarray:
    """Per group and column, the weighted mean of the non-missing values (NaN when none)."""
    valid = ~np.isnan(values)
    filled = np.where(valid, values, 0.0)
    out = np.empty((size, values.shape[1]))
    for j in range(values.shape[1]):
        w = weights * valid[:, j]
        total = np.bincount(groups, weights=w, minlength=size)
        summed = np.bincount(groups, weights=w * filled[:, j], minlength=size)
        # Groups whose members all weigh 0 (no population) fall back to an unweighted mean.
        count = np.bincount(groups, weights=valid[:, j].astype(float), minlength=size)
        plain = np.bincount(groups, weights=filled[:, j], minlength=size)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[:, j] = np.where(
                total > 0, summed / np.where(total > 0, total, 1), plain / np.where(count > 0, count, 1)
            )
        out[count == 0, j] = np.nan
    return out


def combine(method: Method, indicator_values: np.ndarray, *, weights: dict[str, float] | None = None) -> np.ndarray:
    """Append the composites (in order) to the indicator columns: rows × (indicators + composites)."""
    columns = {key: indicator_values[:, j] for j, key in enumerate(method.indicator_keys)}
    for composite in method.composites:
        parts = composite.of
        if weights and composite.key == method.total_key:
            parts = {k: weights.get(k, v) for k, v in parts.items()}
        stack = np.column_stack([columns[k] for k in parts])
        w = np.array(list(parts.values()), dtype=float)
        valid = ~np.isnan(stack)
        wsum = valid @ w
        with np.errstate(invalid="ignore", divide="ignore"):
            value = np.where(valid, stack, 0.0) @ w / wsum
        if method.missing == "require":
            value[~valid.all(axis=1)] = np.nan
        value[wsum == 0] = np.nan
        columns[composite.key] = value
    return np.column_stack([columns[key] for key in method.columns])


@dataclass
class LevelResult:
    level: str
    codes: list[str]
    values: np.ndarray  # rows × method.columns
    population: np.ndarray

    def rows(self, columns: list[str]):
        for i, code in enumerate(self.codes):
            yield code, {column: _clean(self.values[i, j]) for j, column in enumerate(columns)}

    def as_dict(self, columns: list[str]) -> dict[str, dict[str, float | None]]:
        return dict(self.rows(columns))


def _clean(value) -> float | None:
    return None if value is None or math.isnan(value) else float(value)


@dataclass
class IndexResult:
    method: Method
    levels: dict[str, LevelResult]
    vintage: str = ""
    notes: list[str] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)
    agreement: dict = field(default_factory=dict)
    commune_units: dict[str, int] = field(default_factory=dict)  # commune → number of IRIS

    def level(self, name: str) -> LevelResult:
        return self.levels[name]


def aggregate_up(
    method: Method, codes: list[str], indicator_values: np.ndarray, placement: Placement
) -> dict[str, LevelResult]:
    """Commune indicator scores → every level; composites recombined at each level."""
    weights = placement.weights
    levels = {"commune": LevelResult("commune", list(codes), combine(method, indicator_values), weights.copy())}
    for level in LEVELS[1:]:
        parent = placement.parents[level]
        keep = parent >= 0
        size = len(placement.level_codes[level])
        groups = parent[keep]
        present = np.bincount(groups, minlength=size) > 0
        aggregated = weighted_group_mean(indicator_values[keep], weights[keep], groups, size)[present]
        population = np.bincount(groups, weights=weights[keep], minlength=size)[present]
        names = [code for code, here in zip(placement.level_codes[level], present, strict=True) if here]
        levels[level] = LevelResult(level, names, combine(method, aggregated), population)
    return levels


# --- inputs ---------------------------------------------------------------------------------------


@dataclass
class RawInputs:
    """Loaded raw indicators: one row per unit (IRIS), with its commune."""

    unit_codes: list[str]
    unit_commune: np.ndarray  # index into commune_codes
    commune_codes: list[str]
    unit_weights: np.ndarray
    raw: np.ndarray  # units × indicators
    vintage: str = ""


def load_raw_inputs(
    method: Method, inputs_dir: Path | None, computed: dict[str, dict[str, float]] | None = None
) -> RawInputs:
    """Read the method's sources in `inputs_dir`; commune-level values are copied to every IRIS.

    `computed`: values of the indicators maillage computes itself (key → commune code → value).
    """
    inputs_dir = Path(inputs_dir) if inputs_dir is not None else None
    iris_spec = method.geography.get("iris") if inputs_dir is not None else None
    if iris_spec:
        table = read_columns(inputs_dir / iris_spec["file"], [iris_spec["iris"], iris_spec["commune"]])
        seen = set()
        unit_codes, unit_communes = [], []
        for iris, commune in zip(table[iris_spec["iris"]], table[iris_spec["commune"]], strict=True):
            if iris and iris not in seen:
                seen.add(iris)
                unit_codes.append(iris)
                unit_communes.append(commune)
    else:
        unit_codes, unit_communes = [], []
    sources = dict(computed or {})
    for indicator in method.indicators:
        if indicator.source is None or indicator.key in sources:
            continue
        if inputs_dir is None:
            raise InputError(f"Indicateur {indicator.key} : il faut un dossier d'entrée (--inputs).")
        src = indicator.source
        values = read_values(inputs_dir / src.file, src.code, src.column, sep=src.sep, skip=src.skip)
        if src.transform == "one_minus":
            values = {k: (1 - v) for k, v in values.items()}
        sources[indicator.key] = values
    if not unit_codes:  # no IRIS table: communes are the units
        codes = sorted(set().union(*(set(v) for v in sources.values())))
        unit_codes, unit_communes = codes, codes
    commune_codes = sorted(set(unit_communes))
    commune_index = {code: i for i, code in enumerate(commune_codes)}
    raw = np.full((len(unit_codes), len(method.indicators)), np.nan)
    for j, indicator in enumerate(method.indicators):
        values = sources.get(indicator.key)
        if values is None:
            continue
        keys = unit_codes if indicator.level == "iris" else unit_communes
        raw[:, j] = [values.get(key, math.nan) for key in keys]
    weights = np.ones(len(unit_codes))
    spec = method.geography.get("iris_population")
    if spec and iris_spec and inputs_dir is not None:
        path = (inputs_dir / spec["file"]).resolve()
        if path.is_file():
            population = read_values(path, spec["code"], spec["column"])
            weights = np.array([population.get(code, math.nan) for code in unit_codes])
            weights = np.where(np.isnan(weights), 1.0, weights)
        elif not spec.get("optional"):
            raise InputError(f"Populations des IRIS introuvables : {path}")
    return RawInputs(
        unit_codes=unit_codes,
        unit_commune=np.array([commune_index[code] for code in unit_communes], dtype=np.int64),
        commune_codes=commune_codes,
        unit_weights=weights,
        raw=raw,
        vintage=", ".join(i.vintage for i in method.indicators if i.vintage),
    )


def compute_index(
    method: Method, inputs: RawInputs, geography: Geography, *, scoring: dict | None = None
) -> IndexResult:
    """Raw inputs → scored units → communes (weighted by unit population) → every level."""
    scored = score_units(method, inputs.raw, inputs.unit_weights, scoring=scoring)
    commune_values = weighted_group_mean(scored, inputs.unit_weights, inputs.unit_commune, len(inputs.commune_codes))
    placement = place_communes(inputs.commune_codes, geography)
    result = IndexResult(
        method=method,
        levels=aggregate_up(method, inputs.commune_codes, commune_values, placement),
        vintage=inputs.vintage,
        unmatched=placement.unmatched,
    )
    counts = np.bincount(inputs.unit_commune, minlength=len(inputs.commune_codes))
    result.commune_units = dict(zip(inputs.commune_codes, counts.tolist(), strict=True))
    return result


@dataclass
class CommuneScores:
    codes: list[str]
    values: np.ndarray  # communes × indicators
    given_total: np.ndarray | None = None
    names: dict[str, str] = field(default_factory=dict)


def load_commune_scores(method: Method, path: Path) -> CommuneScores:
    """Already-scored communes (e.g. the published file): code + one column per indicator."""
    path = Path(path)
    with path.open(encoding="utf-8-sig") as handle:
        header = handle.readline()
    names = header.strip().split(_sniff_separator(header))
    wanted = ["code", *method.indicator_keys]
    data = read_columns(path, wanted + [name for name in (method.total_key, "name") if name in names])
    values = np.column_stack([[_to_float(v) for v in data[key]] for key in method.indicator_keys])
    total = np.array([_to_float(v) for v in data[method.total_key]]) if method.total_key in data else None
    return CommuneScores(
        codes=data["code"],
        values=values,
        given_total=total,
        names=dict(zip(data["code"], data.get("name", []), strict=False)),
    )


def aggregate_commune_scores(method: Method, scores: CommuneScores, geography: Geography) -> IndexResult:
    placement = place_communes(scores.codes, geography)
    result = IndexResult(
        method=method,
        levels=aggregate_up(method, scores.codes, scores.values, placement),
        vintage=geography.vintage,
        unmatched=placement.unmatched,
    )
    if scores.given_total is not None:
        computed = result.levels["commune"].values[:, -1]
        both = ~np.isnan(computed) & ~np.isnan(scores.given_total)
        if both.any():
            gap = float(np.max(np.abs(computed[both] - scores.given_total[both])))
            result.notes.append(f"Écart maximal entre le total fourni et le total recalculé : {gap:.2e}")
    return result


def write_outputs(result: IndexResult, output_dir: Path) -> list[Path]:
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    columns = result.method.columns
    written = []
    for level in LEVELS:
        path = output_dir / f"{level}.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["code", *columns])
            data = result.levels[level]
            for i, code in enumerate(data.codes):
                writer.writerow([code, *("" if math.isnan(v) else repr(float(v)) for v in data.values[i])])
        written.append(path)
    return written
