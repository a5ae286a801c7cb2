"""Realistic synthetic activity for demos and benchmarks (seeded: same seed, same activities).

Shapes follow the conseillers numériques' reports (../shared/data/stats): about two individual
accompaniments for one workshop, workshops of 3 to 12 people, mostly in the structure's place,
half-hour to one-hour sessions, themes led by equipment, online procedures and internet use.
Rows go through the bulk path of imports (bulk.insert_activities: COPY on PostgreSQL, rollup deltas
summed in memory).
"""

import datetime as dt
import json
import random

from django.db import transaction
from django.utils import timezone

from maillage.activity.bulk import insert_activities
from maillage.activity.enums import (
    THEMATIQUE_BITS,
    THEMATIQUES_ADMINISTRATIVES,
    Autonomie,
    Genre,
    NiveauAtelier,
    StatutSocial,
    StructureDeRedirection,
    Thematique,
    TrancheAge,
    TypeActivite,
    TypeLieu,
)
from maillage.activity.models import ActivityImport
from maillage.structures.models import Structure
from maillage.territories.models import Commune

THEME_WEIGHTS = {
    Thematique.PRENDRE_EN_MAIN_DU_MATERIEL: 27,
    Thematique.AIDE_AUX_DEMARCHES_ADMINISTRATIVES: 14,
    Thematique.NAVIGATION_SUR_INTERNET: 9,
    Thematique.GERE_SES_CONTENUS_NUMERIQUES: 9,
    Thematique.CULTURE_NUMERIQUE: 7,
    Thematique.BUREAUTIQUE: 7,
    Thematique.EMAIL: 6,
    Thematique.INSERTION_PROFESSIONNELLE: 5,
    Thematique.SECURITE_NUMERIQUE: 4,
    Thematique.BANQUE_ET_ACHATS_EN_LIGNE: 2,
    Thematique.DIAGNOSTIC_NUMERIQUE: 2,
    Thematique.RESEAUX_SOCIAUX: 2,
    Thematique.SANTE: 1,
    Thematique.SCOLARITE_ET_NUMERIQUE: 1,
    Thematique.PARENTALITE: 1,
    Thematique.ENTREPRENEURIAT: 1,
    Thematique.INTELLIGENCE_ARTIFICIELLE: 1,
}
LIEU_WEIGHTS = {TypeLieu.LIEU_ACTIVITE: 80, TypeLieu.DOMICILE: 6, TypeLieu.A_DISTANCE: 8, TypeLieu.AUTRE: 6}
DUREES = [(15, 10), (30, 25), (45, 20), (60, 25), (90, 10), (120, 10)]
TRANCHES = [
    (TrancheAge.SOIXANTE_DIX_PLUS, 25),
    (TrancheAge.SOIXANTE_SOIXANTE_NEUF, 20),
    (TrancheAge.QUARANTE_CINQUANTE_NEUF, 25),
    (TrancheAge.VINGT_CINQ_TRENTE_NEUF, 12),
    (TrancheAge.DIX_HUIT_VINGT_QUATRE, 6),
    (TrancheAge.DOUZE_DIX_HUIT, 4),
    (TrancheAge.MOINS_DE_DOUZE, 1),
    (TrancheAge.NON_COMMUNIQUE, 7),
]
STATUTS = [
    (StatutSocial.RETRAITE, 42),
    (StatutSocial.SANS_EMPLOI, 17),
    (StatutSocial.EN_EMPLOI, 18),
    (StatutSocial.SCOLARISE, 5),
    (StatutSocial.NON_COMMUNIQUE, 18),
]


def _weighted(rng, pairs):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights)[0]


def _workshop_detail(rng, participants: int) -> str:
    """Half of the workshops count their anonymous participants by genre, a quarter also by age."""
    if rng.random() < 0.5:
        return "{}"
    women = rng.randint(0, participants)
    detail = {"genre_feminin": women, "genre_masculin": rng.randint(0, participants - women)}
    if rng.random() < 0.5:
        detail["tranche_age_soixante_dix_plus"] = rng.randint(0, participants)
    return json.dumps({key: count for key, count in detail.items() if count})


def generated_rows(
    *, n: int, seed: int, structures: list, communes: list[str], start: dt.date, end: dt.date, batch_id: int
):
    """Yield n ingest tuples (see ingest.COLUMNS)."""
    rng = random.Random(seed)
    days = (end - start).days + 1
    themes, theme_weights = zip(*THEME_WEIGHTS.items(), strict=True)
    lieux, lieu_weights = zip(*LIEU_WEIGHTS.items(), strict=True)
    structure_weights = [rng.uniform(0.3, 3.0) for _ in structures]
    for _ in range(n):
        structure_id, structure_commune = rng.choices(structures, weights=structure_weights)[0]
        date = start + dt.timedelta(days=rng.randrange(days))
        if date.weekday() == 6:
            date -= dt.timedelta(days=1)  # no activity on Sundays
            if date < start:
                date += dt.timedelta(days=2)
        collective = rng.random() < 0.18
        chosen = set(rng.choices(themes, weights=theme_weights, k=rng.choice((1, 1, 2, 2, 3))))
        if Thematique.AIDE_AUX_DEMARCHES_ADMINISTRATIVES in chosen:
            chosen.add(rng.choice(THEMATIQUES_ADMINISTRATIVES))
        ordered = [value for value in Thematique.values if value in chosen]
        mask = 0
        for value in ordered:
            mask |= THEMATIQUE_BITS[value]
        type_lieu = TypeLieu.LIEU_ACTIVITE if collective else rng.choices(lieux, weights=lieu_weights)[0]
        beneficiaire_commune = (
            (structure_commune if rng.random() < 0.6 else rng.choice(communes))
            if not collective and rng.random() < 0.85
            else None
        )
        commune = (
            beneficiaire_commune
            if type_lieu in (TypeLieu.DOMICILE, TypeLieu.AUTRE) and beneficiaire_commune
            else structure_commune
        )
        participants = rng.randint(3, 12) if collective else 1
        oriente = None if collective else rng.random() < 0.12
        yield (
            TypeActivite.COLLECTIF.value if collective else TypeActivite.INDIVIDUEL.value,
            None,
            structure_id,
            None,
            date,
            120 if collective and rng.random() < 0.5 else _weighted(rng, DUREES),
            str(type_lieu),
            commune,
            json.dumps(ordered),
            mask,
            "",
            json.dumps(
                ["ordinateur"] if collective else [rng.choice(["ordinateur", "telephone", "tablette", "aucun"])]
            ),
            "" if collective else str(rng.choice(Autonomie.values)),
            oriente,
            str(rng.choice(StructureDeRedirection.values)) if oriente else "",
            "Atelier découverte" if collective else "",
            str(rng.choice(NiveauAtelier.values)) if collective else "",
            "",
            participants,
            _workshop_detail(rng, participants) if collective else "{}",
            participants,
            beneficiaire_commune,
            "" if collective else str(rng.choice(Genre.values)),
            "" if collective else str(_weighted(rng, TRANCHES)),
            "" if collective else str(_weighted(rng, STATUTS)),
            "generation",
            None,
            batch_id,
        )


def generate_activities(
    *,
    n: int,
    seed: int = 28,
    departement: str | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    structures=None,
    label: str = "",
) -> ActivityImport:
    """Create n synthetic activities for the structures (of a département, or all of them)."""
    end = end or timezone.localdate()
    start = start or end - dt.timedelta(days=365 * 2)
    if structures is None:
        structures = Structure.objects.active()
        if departement:
            structures = structures.filter(commune__departement_id=departement)
    pairs = sorted(
        structures.values_list("pk", "commune_id")
        if hasattr(structures, "values_list")
        else [(s.pk, s.commune_id) for s in structures]
    )
    if not pairs:
        raise ValueError("Aucune structure : créez-en (ou lancez maillage demo seed) avant de générer de l'activité.")
    departements = set(
        Commune.objects.filter(code__in={code for _, code in pairs}).values_list("departement_id", flat=True)
    )
    communes = sorted(
        Commune.objects.filter(departement_id__in=departements, is_current=True).values_list("code", flat=True)
    )
    with transaction.atomic():
        batch = ActivityImport.objects.create(
            filename=label or f"generation-{n}-{seed}", report={"generated": n, "seed": seed}
        )
        insert_activities(
            generated_rows(
                n=n,
                seed=seed,
                structures=pairs,
                communes=communes or [pairs[0][1]],
                start=start,
                end=end,
                batch_id=batch.pk,
            )
        )
    return batch
