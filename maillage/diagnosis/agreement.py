"""How far a computed index is from a reference one (the published scores), indicator by indicator."""

from dataclasses import asdict, dataclass

import numpy as np

from maillage.diagnosis.engine import CommuneScores, IndexResult


@dataclass
class Agreement:
    column: str
    label: str
    communes: int  # communes scored in both
    same_class: float  # share whose rounded scores are equal
    within_one: float  # share within one class
    max_abs_error: float
    mean_abs_error: float

    def as_dict(self) -> dict:
        return asdict(self)

    def line(self) -> str:
        return (
            f"{self.label:<40} communes {self.communes:>6}  même classe {self.same_class:6.1%}  "
            f"à une classe près {self.within_one:6.1%}  écart max {self.max_abs_error:5.2f}  "
            f"écart moyen {self.mean_abs_error:5.2f}"
        )


def agreement_with(
    result: IndexResult, reference: CommuneScores, *, single_unit_only: bool = False
) -> list[Agreement]:
    """Compare commune scores of `result` with `reference` on the communes both score.

    `single_unit_only`: only communes made of one IRIS (where raw commune values are exact).
    """
    method = result.method
    communes = result.levels["commune"]
    index = {code: i for i, code in enumerate(communes.codes)}
    pairs = [
        (i, index[code])
        for i, code in enumerate(reference.codes)
        if code in index and (not single_unit_only or result.commune_units.get(code, 1) == 1)
    ]
    if not pairs:
        return []
    ref_rows = np.array([p[0] for p in pairs])
    our_rows = np.array([p[1] for p in pairs])
    reference_values = np.column_stack(
        [reference.values[ref_rows], np.nanmean(reference.values[ref_rows], axis=1)]
        if reference.given_total is None
        else [reference.values[ref_rows], reference.given_total[ref_rows]]
    )
    ours = communes.values[our_rows][:, [*range(len(method.indicators)), len(method.columns) - 1]]
    labels = method.labels
    out = []
    for j, column in enumerate([*method.indicator_keys, method.total_key]):
        a, b = ours[:, j], reference_values[:, j]
        both = ~np.isnan(a) & ~np.isnan(b)
        if not both.any():
            continue
        diff = np.abs(a[both] - b[both])
        out.append(
            Agreement(
                column=column,
                label=labels.get(column, column),
                communes=int(both.sum()),
                same_class=float(np.mean(np.round(a[both]) == np.round(b[both]))),
                within_one=float(np.mean(diff <= 1 + 1e-9)),
                max_abs_error=float(diff.max()),
                mean_abs_error=float(diff.mean()),
            )
        )
    return out
