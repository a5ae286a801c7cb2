"""Writes of the diagnosis app: computing an index from files and storing a run."""

import math
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction

from maillage.core import audit
from maillage.diagnosis import engine
from maillage.diagnosis.agreement import Agreement, agreement_with
from maillage.diagnosis.enums import AuditAction, RunKind, StartingStage
from maillage.diagnosis.methods import Method
from maillage.diagnosis.models import IndexRun, TerritoryScore

BATCH_SIZE = 2000


@dataclass
class Computation:
    result: engine.IndexResult
    stage: str
    inputs: str
    agreement: list[Agreement] = field(default_factory=list)
    agreement_single_iris: list[Agreement] = field(default_factory=list)


def index_compute(
    *,
    method: Method,
    inputs_dir: Path | None = None,
    commune_scores: Path | None = None,
    populations: Path | None = None,
    compare_with: Path | None = None,
    scope=None,
) -> Computation:
    """Compute every level from raw inputs or from already-scored communes; compare if asked.

    Indicators computed by maillage (distance to the nearest place…) are computed for the communes of
    `scope` (a TerritoryRef; all loaded communes by default). Raises ValidationError (French message)
    when the inputs are missing or unreadable.
    """
    computed_keys = [i.key for i in method.indicators if i.computed]
    only_computed = len(computed_keys) == len(method.indicators)
    if inputs_dir is None and commune_scores is None and not only_computed:
        raise ValidationError("Indiquez --inputs (indicateurs bruts) ou --commune-scores (communes déjà notées).")
    try:
        geography = engine.reference_geography(populations)
        if commune_scores is not None:
            scores = engine.load_commune_scores(method, Path(commune_scores))
            result = engine.aggregate_commune_scores(method, scores, geography)
            computation = Computation(
                result, StartingStage.COMMUNE_SCORES, f"scores communaux : {Path(commune_scores).name}"
            )
        else:
            if inputs_dir is not None and not Path(inputs_dir).is_dir():
                raise ValidationError(f"Dossier d'entrée introuvable : {inputs_dir}")
            raw = engine.load_raw_inputs(
                method, Path(inputs_dir) if inputs_dir else None, computed=_computed_values(method, scope)
            )
            result = engine.compute_index(method, raw, geography)
            result.vintage = raw.vintage
            computation = Computation(
                result,
                StartingStage.RAW if inputs_dir else StartingStage.COMPUTED,
                f"indicateurs bruts : {Path(inputs_dir).name}/" if inputs_dir else "indicateurs calculés par maillage",
            )
        result.notes.append(f"Pondération : {geography.vintage}")
        if compare_with is not None:
            reference = engine.load_commune_scores(method, Path(compare_with))
            computation.agreement = agreement_with(result, reference)
            computation.agreement_single_iris = agreement_with(result, reference, single_unit_only=True)
    except engine.InputError as error:
        raise ValidationError(str(error)) from error
    return computation


def _computed_values(method: Method, scope) -> dict[str, dict[str, float]]:
    from maillage.diagnosis import selectors

    keys = [indicator.computed for indicator in method.indicators if indicator.computed]
    if not keys:
        return {}
    communes = scope.communes().communes() if scope is not None else None
    codes = sorted(communes.values_list("code", flat=True)) if communes is not None else None
    out = {}
    for indicator in method.indicators:
        if indicator.computed:
            values = selectors.maillage_indicator(indicator.computed, codes)
            chosen = codes if codes is not None else selectors.commune_set(None).codes
            if indicator.computed == "densite" and codes is None:
                chosen = sorted(selectors.Commune.objects.communes().values_list("code", flat=True))
            out[indicator.key] = {c: float(v) for c, v in zip(chosen, values, strict=True) if v == v}
    for key, values in out.items():
        if not values:
            raise ValidationError(
                f"Indicateur {key} : aucune valeur calculable (aucune commune avec position, ou aucun lieu publié "
                "pour les distances et les heures). Chargez le référentiel (maillage territories load) et des lieux."
            )
    return out


def _number(value: float) -> float | None:
    return None if value is None or math.isnan(value) else round(float(value), 6)


@transaction.atomic
def index_run_store(
    *,
    actor,
    computation: Computation,
    kind: str = RunKind.OFFICIAL,
    data_vintage: str = "",
    departements: set[str] | None = None,
    levels: tuple[str, ...] = engine.LEVELS,
) -> IndexRun:
    """Store a computed index (all levels, optionally only some départements) with its method and vintage."""
    result = computation.result
    method = result.method
    run = IndexRun(
        method_key=method.key,
        method_version=method.version,
        method_label=method.label,
        method_text=method.text,
        method_digest=method.digest,
        kind=kind,
        stage=computation.stage,
        data_vintage=(data_vintage or result.vintage)[:500],
        population_vintage=next((n.split(" : ", 1)[1] for n in result.notes if n.startswith("Pondération")), "")[:300],
        inputs=computation.inputs[:500],
        columns=method.columns,
        labels=method.labels,
        agreement=[a.as_dict() for a in computation.agreement],
        notes=result.notes + ([f"{len(result.unmatched)} codes sans correspondance"] if result.unmatched else []),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    run.full_clean()
    run.save()
    keep = _kept_codes(departements) if departements else None
    counts = {}
    rows = []
    for level, data in result.levels.items():
        if level not in levels:
            continue
        count = 0
        for i, code in enumerate(data.codes):
            if keep is not None and code not in keep[level]:
                continue
            values = {column: _number(data.values[i, j]) for j, column in enumerate(method.columns)}
            rows.append(
                TerritoryScore(
                    run=run,
                    level=level,
                    code=code,
                    population=_number(data.population[i]),
                    total=values[method.total_key],
                    values=values,
                )
            )
            count += 1
        counts[level] = count
    TerritoryScore.objects.bulk_create(rows, batch_size=BATCH_SIZE)
    run.counts = counts
    run.save(update_fields=["counts"])
    audit.record(
        actor=actor,
        action=AuditAction.INDEX_RUN_STORED,
        obj=run,
        payload={"method": method.key, "version": method.version, "kind": kind, "counts": counts},
    )
    return run


def _kept_codes(departements: set[str]) -> dict[str, set[str]]:
    from maillage.territories.sources import read_table

    keep = {level: set() for level in engine.LEVELS}
    for row in read_table("communes.csv.gz"):
        if row["departement"] in departements:
            keep["commune"].add(row["code"])
            keep["region"].add(row["region"])
            if row["epci"]:
                keep["epci"].add(row["epci"])
            for old in (row.get("anciens_codes") or "").split():
                keep["commune"].add(old)
    keep["departement"] = set(departements)
    return keep


@transaction.atomic
def index_run_delete(*, actor, run: IndexRun) -> None:
    audit.record(
        actor=actor,
        action=AuditAction.INDEX_RUN_DELETED,
        obj=run,
        payload={"method": run.method_key, "created_at": run.created_at.isoformat()},
    )
    run.delete()
