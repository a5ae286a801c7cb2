"""The publics of the accompagnements: genre, tranche d'âge and statut social.

A collective workshop records its anonymous participants as counts (la Coop's
`participantsAnonymes`, activity-model.md §3.10): how many were already accompanied, and per
genre, tranche d'âge and statut social the known counts. "Non communiqué" is never stored: it is
the total minus the known counts of the group. The counts are kept on the activity
(`Activity.participants_anonymes_detail`, only the non-zero known counts).
"""

from maillage.activity.enums import Genre, StatutSocial, TrancheAge

NON_COMMUNIQUE = "non_communique"
DEJA_ACCOMPAGNES = "deja_accompagnes"
# group → (choices, label); the order is the display order of the entry form and the dashboard.
GROUPS = {
    "genre": (Genre, "Genre"),
    "tranche_age": (TrancheAge, "Tranche d'âge"),
    "statut_social": (StatutSocial, "Statut social"),
}
MAX_COUNT = 1000


def known_values(group: str) -> list[str]:
    return [value for value in GROUPS[group][0].values if value != NON_COMMUNIQUE]


def group_keys(group: str) -> list[str]:
    return [f"{group}_{value}" for value in known_values(group)]


# The known publics, counted for anonymous people in the rollups (models.PUBLIC_COLUMNS).
ANONYMOUS_PUBLIC_KEYS = [key for group in GROUPS for key in group_keys(group)]
# Every key that may be stored, in display order.
BREAKDOWN_KEYS = [DEJA_ACCOMPAGNES, *ANONYMOUS_PUBLIC_KEYS]
# Optional import columns (they extend the contract: validation.COLUMNS is unchanged).
IMPORT_PREFIX = "participants_"
IMPORT_COLUMNS = [IMPORT_PREFIX + key for key in BREAKDOWN_KEYS]


def key_label(key: str) -> str:
    if key == DEJA_ACCOMPAGNES:
        return "Déjà accompagnés"
    for group, (choices, _) in GROUPS.items():
        prefix = f"{group}_"
        if key.startswith(prefix):
            return choices(key[len(prefix) :]).label
    raise KeyError(key)


def group_label(group: str) -> str:
    return GROUPS[group][1]


def clean_breakdown(detail) -> dict[str, int]:
    """The stored form: known keys with a positive count (zeros and blanks dropped)."""
    return {key: int(detail[key]) for key in BREAKDOWN_KEYS if (detail or {}).get(key)}


def breakdown_errors(total, detail) -> dict[str, str]:
    """{key or group: reason} for counts that are not integers ≥ 0, a group whose known counts
    exceed the total, or more people already accompanied than participants."""
    detail = detail or {}
    if not isinstance(detail, dict):
        return {
            "participants_anonymes_detail": "Le détail des participants anonymes doit être un tableau d'effectifs."
        }
    errors = {}
    unknown = sorted(set(detail) - set(BREAKDOWN_KEYS))
    if unknown:
        errors["participants_anonymes_detail"] = f"Effectif(s) inconnu(s) : {', '.join(unknown)}."
    for key in BREAKDOWN_KEYS:
        value = detail.get(key)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            errors[key] = f"{key_label(key)} : nombre entier positif ou nul attendu."
    if errors:
        return errors
    total = total or 0
    if detail.get(DEJA_ACCOMPAGNES, 0) > total:
        errors[DEJA_ACCOMPAGNES] = (
            f"Les participants déjà accompagnés ({detail[DEJA_ACCOMPAGNES]}) ne peuvent pas dépasser "
            f"le nombre de participants anonymes ({total})."
        )
    for group in GROUPS:
        known = sum(detail.get(key, 0) for key in group_keys(group))
        if known > total:
            errors[group] = (
                f"{group_label(group)} : la somme des effectifs renseignés ({known}) dépasse "
                f"le nombre de participants anonymes ({total})."
            )
    return errors


def full_breakdown(total: int, detail) -> dict[str, dict[str, int]]:
    """{group: {value: count}} including the derived "non communiqué" (total − Σ known)."""
    detail = detail or {}
    result = {}
    for group in GROUPS:
        counts = {value: detail.get(f"{group}_{value}", 0) for value in known_values(group)}
        counts[NON_COMMUNIQUE] = max(total - sum(counts.values()), 0)
        result[group] = counts
    return result
