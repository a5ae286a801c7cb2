"""Local variants of an index and sensitivity reports, computed on commune scores.

A variant keeps, drops or re-weights the indicators of a run and may add indicators computed by
maillage (distance to the nearest lieu…), scored in decile classes over the communes compared
(national IRIS deciles are not available for them). It is compared with the official scores by
rank correlation (Spearman), communes that change risk class, and the difference per commune.
"""

from dataclasses import dataclass, field

import numpy as np
from scipy.stats import spearmanr

from maillage.diagnosis.engine import decile_classes

# Indicators maillage computes itself: key → (label, direction: a higher value means more fragile?).
MAILLAGE_INDICATORS = {
    "distance_lieu": ("Distance au lieu de médiation le plus proche", "up"),
    "heures_a_portee": ("Heures d'ouverture hebdomadaires à portée (10 km)", "down"),
    "densite": ("Densité de population (hab./km²)", "down"),
}
RISK_BOUNDS = np.array([4.0, 5.0, 6.0, 7.0])  # 5 risk classes on the 1–10 scale


def risk_classes(totals: np.ndarray) -> np.ndarray:
    """1…5 per value (0 where missing)."""
    out = np.searchsorted(RISK_BOUNDS, totals, side="right") + 1
    return np.where(np.isnan(totals), 0, out)


@dataclass
class CommuneMatrix:
    """Commune scores of a run: rows = communes, columns = indicators (the total is recomputed)."""

    codes: list[str]
    names: list[str]
    population: np.ndarray
    indicators: list[str]
    values: np.ndarray
    labels: dict[str, str] = field(default_factory=dict)

    def total(self, weights: dict[str, float] | None = None) -> np.ndarray:
        weights = weights or {key: 1.0 for key in self.indicators}
        w = np.array([weights.get(key, 0.0) for key in self.indicators], dtype=float)
        valid = ~np.isnan(self.values)
        wsum = valid @ w
        with np.errstate(invalid="ignore", divide="ignore"):
            out = np.where(valid, self.values, 0.0) @ w / wsum
        out[wsum == 0] = np.nan
        return out

    def weighted_mean(self, values: np.ndarray) -> float | None:
        valid = ~np.isnan(values)
        weight = self.population[valid].sum()
        return float((values[valid] * self.population[valid]).sum() / weight) if weight > 0 else None


@dataclass
class VariantComparison:
    spearman: float | None
    changed: int
    compared: int
    official_mean: float | None
    variant_mean: float | None
    rows: list[dict]  # code, nom, official, variant, difference, classes

    @property
    def changed_share(self) -> float:
        return self.changed / self.compared if self.compared else 0.0


def variant_totals(
    matrix: CommuneMatrix, *, weights: dict[str, float], extra: dict[str, np.ndarray] | None = None, classes: int = 10
) -> np.ndarray:
    """The variant's total: kept indicators with their weights, plus maillage indicators scored in deciles."""
    extra = extra or {}
    columns = [matrix.values]
    keys = list(matrix.indicators)
    for key, raw in extra.items():
        direction = MAILLAGE_INDICATORS.get(key, ("", "up"))[1]
        columns.append(decile_classes(np.asarray(raw, dtype=float), classes, direction=direction)[:, None])
        keys.append(key)
    values = np.hstack(columns)
    w = np.array([weights.get(key, 0.0) for key in keys], dtype=float)
    valid = ~np.isnan(values)
    wsum = valid @ w
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.where(valid, values, 0.0) @ w / wsum
    out[wsum == 0] = np.nan
    return out


def compare(matrix: CommuneMatrix, official: np.ndarray, variant: np.ndarray) -> VariantComparison:
    both = ~np.isnan(official) & ~np.isnan(variant)
    rho = None
    if both.sum() > 2 and np.ptp(official[both]) > 0 and np.ptp(variant[both]) > 0:
        rho = float(spearmanr(official[both], variant[both]).statistic)
    official_class = risk_classes(official)
    variant_class = risk_classes(variant)
    changed = both & (official_class != variant_class)
    rows = []
    for i in np.flatnonzero(both):
        rows.append(
            {
                "code": matrix.codes[i],
                "nom": matrix.names[i],
                "officiel": round(float(official[i]), 3),
                "variante": round(float(variant[i]), 3),
                "difference": round(float(variant[i] - official[i]), 3),
                "classe_officielle": int(official_class[i]),
                "classe_variante": int(variant_class[i]),
            }
        )
    rows.sort(key=lambda row: (-abs(row["difference"]), row["code"]))
    return VariantComparison(
        spearman=rho,
        changed=int(changed.sum()),
        compared=int(both.sum()),
        official_mean=matrix.weighted_mean(official),
        variant_mean=matrix.weighted_mean(variant),
        rows=rows,
    )


@dataclass
class Sensitivity:
    """How classes move when weights or decile boundaries move a little."""

    territory_total: float | None
    leave_one_out: list[dict]  # indicator, label, total without it, change
    one_class_move: list[dict]  # indicator, share of communes whose risk class changes with ±1 class
    any_one_class_move: float  # share of communes whose risk class changes with ±1 class on some indicator
    weight_draws: int
    weight_spread: float
    weight_changed_share: float  # share of communes whose class changes in at least 5 % of draws
    weight_mean_changed: float  # mean share of communes changing class per draw
    territory_range: tuple[float, float] | None
    near_boundary: float  # share of communes within 0.1 of a risk class boundary
    robust_codes: int


def sensitivity(matrix: CommuneMatrix, *, draws: int = 200, spread: float = 0.2, seed: int = 2023) -> Sensitivity:
    base = matrix.total()
    base_class = risk_classes(base)
    scored = ~np.isnan(base)
    count = int(scored.sum()) or 1
    territory = matrix.weighted_mean(base)
    leave_one_out = []
    for key in matrix.indicators:
        weights = {k: (0.0 if k == key else 1.0) for k in matrix.indicators}
        value = matrix.weighted_mean(matrix.total(weights))
        leave_one_out.append(
            {
                "indicateur": key,
                "libelle": matrix.labels.get(key, key),
                "total_sans": value,
                "ecart": None if value is None or territory is None else value - territory,
            }
        )
    one_class = []
    any_change = np.zeros(len(base), dtype=bool)
    n = len(matrix.indicators)
    for j, key in enumerate(matrix.indicators):
        changed = np.zeros(len(base), dtype=bool)
        for step in (-1.0, 1.0):
            moved = matrix.values.copy()
            moved[:, j] = np.clip(moved[:, j] + step, 1, 10)
            total = np.where(np.isnan(moved), 0, moved).sum(axis=1) / np.maximum((~np.isnan(moved)).sum(axis=1), 1)
            changed |= scored & (risk_classes(total) != base_class)
        any_change |= changed
        one_class.append({"indicateur": key, "libelle": matrix.labels.get(key, key), "part": changed.sum() / count})
    rng = np.random.default_rng(seed)
    change_counts = np.zeros(len(base))
    per_draw = []
    territory_values = []
    for _ in range(draws):
        factors = rng.uniform(1 - spread, 1 + spread, size=n)
        weights = dict(zip(matrix.indicators, factors, strict=True))
        total = matrix.total(weights)
        changed = scored & (risk_classes(total) != base_class)
        change_counts += changed
        per_draw.append(changed.sum() / count)
        value = matrix.weighted_mean(total)
        if value is not None:
            territory_values.append(value)
    distance_to_bound = np.min(np.abs(base[:, None] - RISK_BOUNDS[None, :]), axis=1)
    return Sensitivity(
        territory_total=territory,
        leave_one_out=leave_one_out,
        one_class_move=one_class,
        any_one_class_move=float(any_change.sum() / count),
        weight_draws=draws,
        weight_spread=spread,
        weight_changed_share=float(((change_counts / max(draws, 1)) >= 0.05).sum() / count),
        weight_mean_changed=float(np.mean(per_draw)) if per_draw else 0.0,
        territory_range=(min(territory_values), max(territory_values)) if territory_values else None,
        near_boundary=float((scored & (distance_to_bound < 0.1)).sum() / count),
        robust_codes=int((scored & ~any_change).sum()),
    )


def boundary_shift_changes(raw: np.ndarray, shift: float, classes: int = 10) -> float:
    """Share of units whose class changes when every decile cut moves by `shift` (fraction of the units)."""
    base = decile_classes(raw, classes)
    valid = ~np.isnan(raw)
    n = int(valid.sum())
    if n == 0:
        return 0.0
    ordered = np.sort(raw[valid])
    rank = np.searchsorted(ordered, raw[valid], side="right") / n
    moved = np.clip(np.ceil(classes * (rank + shift) - 1e-9), 1, classes)
    return float(np.mean(moved != base[valid]))


def share_near_boundaries(values: np.ndarray, cuts: np.ndarray, margin: float) -> float:
    """Share of units whose raw value lies within `margin` of a decile cut point (fragile classes)."""
    valid = values[~np.isnan(values)]
    if len(valid) == 0 or len(cuts) == 0:
        return 0.0
    distance = np.min(np.abs(valid[:, None] - cuts[None, :]), axis=1)
    return float(np.mean(distance < margin))
