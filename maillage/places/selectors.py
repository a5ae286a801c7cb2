"""Reads of places shared with other apps (diagnosis, activity, roadmap): call these, not the models."""

from dataclasses import dataclass

import numpy as np
from django.db.models import Q
from django.db.models.fields.json import KeyTransform

from maillage.core.models import AuditEntry
from maillage.places import perms
from maillage.places.enums import AuditAction
from maillage.places.hours import weekly_hours
from maillage.places.models import ImportBatch, Place, QuarantinedRow


@dataclass
class PlacePoints:
    """Published places as arrays, for computations over many places (coverage, distances)."""

    ids: np.ndarray  # int64
    latitude: np.ndarray  # float64, degrees WGS84 (approximate positions included)
    longitude: np.ndarray
    approximate: np.ndarray  # bool: position is the commune's centre
    commune_codes: list[str]
    services: list[list[str]]
    dispositifs: list[list[str]]
    weekly_hours: np.ndarray  # float64, NaN when the hours are unknown

    def __len__(self):
        return len(self.ids)


def published_place_points(ref=None) -> PlacePoints:
    """Every published place with a position (optionally within a TerritoryRef)."""
    places = Place.objects.published().filter(position_latitude__isnull=False)
    if ref is not None:
        places = places.in_territory(ref)
    rows = list(
        places.order_by("id").values_list(
            "id",
            "position_latitude",
            "position_longitude",
            "position_origin",
            "commune_id",
            "services",
            "dispositif_programmes_nationaux",
            "horaires",
        )
    )
    hours = [weekly_hours(row[7]) for row in rows]
    return PlacePoints(
        ids=np.array([row[0] for row in rows], dtype=np.int64),
        latitude=np.array([row[1] for row in rows], dtype=np.float64),
        longitude=np.array([row[2] for row in rows], dtype=np.float64),
        approximate=np.array([row[3] != "given" for row in rows], dtype=bool),
        commune_codes=[row[4] or "" for row in rows],
        services=[row[5] for row in rows],
        dispositifs=[row[6] for row in rows],
        weekly_hours=np.array([np.nan if h is None else h for h in hours], dtype=np.float64),
    )


def place_count_by_dispositif(ref) -> dict:
    """Published places of a territory, in total and per national programme."""
    counts: dict[str, int] = {}
    total = 0
    for dispositifs in (
        Place.objects.published().in_territory(ref).values_list("dispositif_programmes_nationaux", flat=True)
    ):
        total += 1
        for dispositif in set(dispositifs):
            counts[dispositif] = counts.get(dispositif, 0) + 1
    return {"total": total, "by_dispositif": counts}


# Programmes named in the sentence of a territory's figures, in this order.
HEADLINE_DISPOSITIFS = (
    ("Conseillers numériques", "accueillant des conseillers numériques"),
    ("France Services", "France Services"),
    ("Aidants Connect", "Aidants Connect"),
)


def territory_place_figures(ref) -> dict:
    """ "126 lieux dont 47 accueillant des conseillers numériques, 24 France Services, 59 Aidants Connect"."""
    counts = place_count_by_dispositif(ref)
    total = counts["total"]
    parts = [f"{counts['by_dispositif'].get(name, 0)} {label}" for name, label in HEADLINE_DISPOSITIFS]
    sentence = f"{total} lieu{'x' if total > 1 else ''}" + (" dont " + ", ".join(parts) if total else "")
    return {**counts, "sentence": sentence}


def place_history(place: Place):
    """The journal entries of a place, newest first: its own (changes, merges, disappearance) and,
    for a place an import created, that import's entry (decision 007)."""
    entries = Q(object_type="places.place", object_id=str(place.pk))
    if place.created_batch_id:
        entries |= Q(
            action=AuditAction.IMPORT_RUN, object_type="places.importbatch", object_id=str(place.created_batch_id)
        )
    return AuditEntry.objects.filter(entries).select_related("actor")


def import_batches(user=None):
    """Imports, newest first, with their counts but not their whole report (the warnings of a
    50,000-row file weigh megabytes: the list reads three numbers of each). With `user`: those of
    the datasets in their reach (perms.datasets_in_reach), their own, and those with rejected rows
    they handle."""
    batches = ImportBatch.objects.all()
    reach = perms.datasets_in_reach(user) if user is not None else None
    if reach is not None:
        rows = perms.quarantine_in_reach(user, QuarantinedRow.objects.all()).values("batch_id")
        batches = batches.filter(Q(dataset__in=reach) | Q(actor=user) | Q(pk__in=rows))
    return batches.defer("report").annotate(
        report_rows=KeyTransform("rows", "report"),
        report_accepted=KeyTransform("accepted", "report"),
        report_rejected=KeyTransform("rejected", "report"),
    )
