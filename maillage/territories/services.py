"""Loading the territory reference (`maillage territories load`)."""

import math
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import shapely
from django.db import transaction

from maillage.core import audit
from maillage.core.bulk import bulk_insert
from maillage.territories.enums import AuditAction
from maillage.territories.models import Commune, Departement, Epci, FormerCommune, PostalCode, ReferenceLoad, Region
from maillage.territories.normalize import normalize
from maillage.territories.search import invalidate_index
from maillage.territories.sources import read_shapes, read_table, source_info, sources_checksum

KM_PER_DEGREE = 111.32
BATCH = 2000

Progress = Callable[..., Iterable]


def _no_progress(iterable, **kwargs):
    return iterable


@dataclass
class LoadResult:
    skipped: bool = False
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    removed: dict[str, int] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)
    duration: float = 0.0
    communes_without_geometry: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any(self.created.values()) or any(self.updated.values()) or any(self.removed.values())


def area_km2(geometry: shapely.Geometry) -> float:
    """Area of a lon/lat polygon in km², with the local scale at its latitude (error < 0.5 % for a commune)."""
    latitude = shapely.centroid(geometry).y
    return geometry.area * KM_PER_DEGREE**2 * math.cos(math.radians(latitude))


def _int_or_none(value: str) -> int | None:
    return int(value) if value not in ("", None) else None


def _upsert(model, rows: dict[str, dict], fields: list[str], result: LoadResult, label: str, progress: Progress):
    """Create missing rows and update changed ones, comparing field by field with the database."""
    existing = {values[0]: values[1:] for values in model.objects.values_list("pk", *fields)}
    to_create, to_update = [], []
    for code, values in progress(rows.items(), desc=label, total=len(rows), unit=" lignes"):
        stored = existing.get(code)
        wanted = tuple(values[name] for name in fields)
        if stored is None:
            to_create.append(model(pk=code, **values))
        elif tuple(bytes(v) if isinstance(v, memoryview) else v for v in stored) != wanted:
            to_update.append(model(pk=code, **values))
    bulk_insert(model, to_create, batch_size=BATCH)
    model.objects.bulk_update(to_update, fields, batch_size=500)
    result.created[label] = len(to_create)
    result.updated[label] = len(to_update)
    result.unchanged[label] = len(rows) - len(to_create) - len(to_update)


def _sync_pairs(model, wanted: set[tuple], fields: tuple[str, ...], communes: set[str], result, label):
    """Make the (…, commune) rows of `communes` exactly `wanted`: insert what is missing, drop the rest."""
    existing = {
        values[1:]: values[0] for values in model.objects.filter(commune_id__in=communes).values_list("pk", *fields)
    }
    missing = wanted - existing.keys()
    extra = [pk for values, pk in existing.items() if values not in wanted]
    bulk_insert(model, [model(**dict(zip(fields, values, strict=True))) for values in missing], batch_size=BATCH)
    for start in range(0, len(extra), BATCH):
        model.objects.filter(pk__in=extra[start : start + BATCH]).delete()
    result.created[label] = len(missing)
    result.removed[label] = len(extra)
    result.unchanged[label] = len(wanted) - len(missing)


def _commune_values(row: dict, shape) -> dict:
    geometry = shape.geometry if shape else None
    point = None
    if geometry is not None:
        point = shapely.point_on_surface(geometry)
    elif shape is not None and shape.mairie_point is not None:
        point = shape.mairie_point
    return {
        "nom": row["nom"],
        "type": row["type"],
        "type_liaison": int(row["type_liaison"] or 0),
        "departement_id": row["departement"],
        "region_id": row["region"],
        "epci_id": row["epci"] or None,
        "parent_id": row["parent"] or None,
        "siren": row["siren"],
        "population": _int_or_none(row["population"]),
        "area_km2": round(area_km2(geometry), 4) if geometry is not None else None,
        "latitude": round(point.y, 6) if point is not None else None,
        "longitude": round(point.x, 6) if point is not None else None,
        "geometry": shapely.to_wkb(geometry) if geometry is not None else None,
        "search_name": normalize(row["nom"]),
        "mairie_adresse": shape.mairie_adresse if shape else "",
        "mairie_telephone": shape.mairie_telephone if shape else "",
        "mairie_email": shape.mairie_email if shape else "",
        "mairie_site": shape.mairie_site if shape else "",
        "is_current": True,
    }


def territories_load(
    *, actor=None, departements: set[str] | None = None, force: bool = False, progress: Progress = _no_progress
) -> LoadResult:
    """Load régions, départements, EPCI and communes (with contours), idempotently.

    `departements` restricts the load to some départements (tests, quick demos); the whole of
    France otherwise. A load whose sources and scope match the last one is skipped unless `force`.
    """
    started = time.perf_counter()
    scope = ",".join(sorted(departements)) if departements else ""
    checksum = sources_checksum(scope)
    last = ReferenceLoad.objects.filter(scope=scope).first()
    if not force and last is not None and last.checksum == checksum:
        expected = last.counts.get("communes")
        in_scope = Commune.objects.filter(departement_id__in=departements) if departements else Commune.objects
        if expected == in_scope.filter(is_current=True).count():
            return LoadResult(skipped=True, duration=time.perf_counter() - started)

    result = LoadResult()
    communes = [row for row in read_table("communes.csv.gz") if not departements or row["departement"] in departements]
    codes = {row["code"] for row in communes}
    shapes = read_shapes(codes)
    region_codes = {row["region"] for row in communes}
    departement_codes = {row["departement"] for row in communes}
    epci_codes = {row["epci"] for row in communes if row["epci"]}

    regions = {
        row["code"]: {
            "nom": row["nom"],
            "type_liaison": int(row["type_liaison"]),
            "chef_lieu": row["chef_lieu"],
            "zone": row["zone"],
        }
        for row in read_table("regions.csv")
        if row["code"] in region_codes
    }
    deps = {
        row["code"]: {
            "nom": row["nom"],
            "type_liaison": int(row["type_liaison"]),
            "region_id": row["region"],
            "chef_lieu": row["chef_lieu"],
            "zone": row["zone"],
        }
        for row in read_table("departements.csv")
        if row["code"] in departement_codes
    }
    epcis = {
        row["code"]: {
            "nom": row["nom"],
            "type": row["type"],
            "mode_financement": row["mode_financement"],
            "population": _int_or_none(row["population"]),
        }
        for row in read_table("epci.csv.gz")
        if row["code"] in epci_codes
    }
    commune_values = {
        row["code"]: _commune_values(row, shapes.get(row["code"]))
        for row in progress(communes, desc="Contours", unit=" communes")
    }
    postal = {(cp, row["code"]) for row in communes for cp in row["codes_postaux"].split()}
    former = {(code, "", "", row["code"]) for row in communes for code in row["anciens_codes"].split()}
    named_former = {
        (row["code"], row["nom"], row["type"], row["commune"])
        for row in read_table("communes_anciennes.csv.gz")
        if row["commune"] in codes
    }
    named_codes = {item[0] for item in named_former}
    former = named_former | {item for item in former if item[0] not in named_codes}

    with transaction.atomic():
        _upsert(Region, regions, ["nom", "type_liaison", "chef_lieu", "zone"], result, "régions", progress)
        _upsert(
            Departement,
            deps,
            ["nom", "type_liaison", "region_id", "chef_lieu", "zone"],
            result,
            "départements",
            progress,
        )
        _upsert(Epci, epcis, ["nom", "type", "mode_financement", "population"], result, "EPCI", progress)
        fields = list(next(iter(commune_values.values())).keys())
        _upsert(Commune, commune_values, fields, result, "communes", progress)
        if not departements:
            result.removed["communes"] = (
                Commune.objects.filter(is_current=True).exclude(code__in=codes).update(is_current=False)
            )
        _sync_pairs(PostalCode, postal, ("code", "commune_id"), codes, result, "codes postaux")
        _sync_pairs(FormerCommune, former, ("code", "nom", "type", "commune_id"), codes, result, "anciennes communes")
        result.communes_without_geometry = sorted(c for c, v in commune_values.items() if v["geometry"] is None)
        result.duration = time.perf_counter() - started
        load = ReferenceLoad.objects.create(
            checksum=checksum,
            sources=source_info(),
            counts={
                "communes": len(communes),
                "created": result.created,
                "updated": result.updated,
                "removed": result.removed,
            },
            scope=scope,
            duration_seconds=round(result.duration, 2),
        )
        audit.record(
            actor=actor,
            action=AuditAction.REFERENCE_LOADED,
            obj=load,
            payload={"scope": scope or "France", "created": result.created, "updated": result.updated},
        )
        transaction.on_commit(invalidate_index)
    return result
