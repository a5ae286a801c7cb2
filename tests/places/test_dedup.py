"""Deduplication: explained scores, review, field-by-field merges that can be undone exactly."""

import datetime as dt
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command

from maillage.core.models import AuditEntry
from maillage.places import dedup, services
from maillage.places.enums import AuditAction, DuplicateStatus
from maillage.places.models import DuplicateCandidate, Place, PlaceMerge
from maillage.places.services import place_import_file
from maillage.territories.models import Commune
from tests.places.factories import PlaceFactory
from tests.shared_data import shared_file
from tests.structures.factories import MembershipFactory

HUB_BEFORE = "lieux/v0.1/20230516-hub-du-sud-lieux-de-mediation-numeriques-provence-alpes-cote-d-azur.v0.1.json"
HUB_AFTER = "lieux/v0.1/20230517-hub-du-sud-lieux-de-mediation-numeriques-provence-alpes-cote-d-azur.v0.1.json"
HUB_V1 = "lieux/v1/20230517-hub-du-sud-lieux-de-mediation-numeriques-provence-alpes-cote-d-azur.v1.json"


def _candidate(pk, nom, adresse="2 place du 18-Octobre", lat=48.0707, lon=1.3379, **kwargs):
    values = {
        "dataset": "a",
        "telephone": "",
        "pivot": "00000000000000",
        "commune": "28088",
        "commune_nom": "Châteaudun",
        "approximate": False,
        **kwargs,
    }
    return dedup.Candidate(pk=pk, nom=nom, adresse=adresse, latitude=lat, longitude=lon, **values)


@pytest.fixture
def coordinator():
    return MembershipFactory(coordinateur=True).user


@pytest.fixture
def twins():
    """The same France Services, from two sources: one recent with a phone, one older with a SIRET."""
    first = PlaceFactory(
        dataset="france-services",
        nom="France Services de Châteaudun",
        adresse="2 pl. du 18 Octobre",
        telephone="+33237451191",
        date_maj=dt.date(2026, 2, 1),
        services=["Aide aux démarches administratives"],
        dispositif_programmes_nationaux=["France Services"],
    )
    second = PlaceFactory(
        dataset="conseiller-numerique",
        nom="FRANCE SERVICES CHATEAUDUN",
        adresse="2 place du 18-Octobre",
        pivot="21280088800015",
        date_maj=dt.date(2025, 6, 1),
        latitude=48.0712,
        longitude=1.3381,
        position_latitude=48.0712,
        position_longitude=1.3381,
        services=["Maîtrise des outils numériques du quotidien"],
        dispositif_programmes_nationaux=["Conseillers numériques"],
    )
    return first, second


# --- Scoring -----------------------------------------------------------------------------------


def test_address_normalisation_expands_street_abbreviations():
    assert dedup.address_key("12bis, Av. du Gal de Gaulle") == "12 bis avenue du general de gaulle"
    assert dedup.address_key("3 r. Jean-Jaurès") == dedup.address_key("3 rue Jean Jaures")


def test_the_score_is_the_sum_of_the_explained_contributions():
    scored = dedup.score_pair(
        _candidate(1, "Médiathèque de Chartres", telephone="+33237000000"),
        _candidate(2, "Mediatheque Chartres", lat=48.0712, telephone="+33237000000"),
    )
    criteria = scored.details["criteria"]
    assert set(criteria) == set(dedup.CRITERIA)
    total = sum(item["contribution"] for item in criteria.values())
    assert abs(total - scored.score) < 1.0  # contributions are rounded to a tenth
    assert criteria["telephone"]["similarity"] == 100
    assert criteria["siret"]["similarity"] is None  # placeholder pivots are never compared
    assert criteria["siret"]["weight"] == 0
    assert 50 < criteria["distance"]["similarity"] < 100 and criteria["distance"]["note"] == "56 m"
    assert scored.score >= 85


def test_values_are_explained_in_the_pairs_order():
    scored = dedup.score_pair(_candidate(7, "Médiathèque"), _candidate(3, "Espace numérique"))
    assert (scored.first, scored.second) == (3, 7)
    assert scored.details["criteria"]["nom"]["values"] == ["Espace numérique", "Médiathèque"]


def test_different_places_in_the_same_building_score_below_the_threshold():
    scored = dedup.score_pair(
        _candidate(1, "France Services de Vence", telephone="+33493000001", commune_nom="Vence"),
        _candidate(2, "Médiathèque de Vence", telephone="+33493000002", commune_nom="Vence"),
    )
    assert scored.score < dedup.DEFAULTS["threshold"]
    assert scored.details["criteria"]["telephone"]["similarity"] == 0


def test_siret_agreement_and_same_siren_are_told_apart():
    same = dedup.score_pair(_candidate(1, "A", pivot="21280088800015"), _candidate(2, "B", pivot="21280088800015"))
    siren = dedup.score_pair(_candidate(1, "A", pivot="21280088800015"), _candidate(2, "B", pivot="21280088800023"))
    assert same.details["criteria"]["siret"]["similarity"] == 100
    assert siren.details["criteria"]["siret"]["similarity"] == 50
    assert siren.details["criteria"]["siret"]["note"] == "même SIREN, établissements différents"


def test_approximate_positions_are_not_scored_on_distance_but_still_compared_within_the_commune():
    candidates = [
        _candidate(1, "Espace numérique", lat=48.10, lon=1.40, approximate=True),  # commune centre, 7 km away
        _candidate(2, "Espace numerique"),
        _candidate(3, "Autre lieu", commune="28085", lat=48.45, lon=1.49),
    ]
    pairs = dedup.candidate_pairs(candidates, radius_km=1.5)
    assert pairs == {(0, 1)}
    scored = dedup.score_pair(candidates[0], candidates[1])
    assert scored.details["criteria"]["distance"]["similarity"] is None
    assert scored.score >= 95


def test_settings_override_threshold_and_weights(settings):
    settings.PLACES_DEDUP = {"threshold": 90, "weights": {"telephone": 0}}
    cfg = dedup.config()
    assert cfg["threshold"] == 90
    assert cfg["weights"]["telephone"] == 0 and cfg["weights"]["nom"] == dedup.DEFAULTS["weights"]["nom"]
    scored = dedup.score_pair(
        _candidate(1, "A", telephone="+33237000000"), _candidate(2, "A", telephone="+33237000001"), cfg
    )
    assert scored.details["criteria"]["telephone"]["weight"] == 0 and scored.score == 100


# --- Review ------------------------------------------------------------------------------------


def test_refresh_lists_pairs_once_and_respects_dismissals(twins, coordinator):
    PlaceFactory(nom="Médiathèque de Chartres", in_chartres=True)
    summary = services.duplicates_refresh(actor=None)
    assert summary["found"] == summary["new"] == 1
    pair = DuplicateCandidate.objects.get()
    assert {pair.first_id, pair.second_id} == {twins[0].pk, twins[1].pk}
    assert pair.first_id < pair.second_id and pair.score >= 65
    assert services.duplicates_refresh(actor=None)["new"] == 0  # idempotent
    services.duplicate_dismiss(actor=coordinator, candidate=pair, reason="Deux guichets distincts")
    again = services.duplicates_refresh(actor=None)
    assert again["new"] == 0 and again["pending"] == 0
    pair.refresh_from_db()
    assert pair.status == DuplicateStatus.DISMISSED and pair.note == "Deux guichets distincts"
    assert AuditEntry.objects.filter(action=AuditAction.DUPLICATE_DISMISSED, object_id=str(pair.pk)).exists()
    services.duplicate_reopen(actor=coordinator, candidate=pair)
    pair.refresh_from_db()
    assert pair.status == DuplicateStatus.PENDING


def test_refresh_withdraws_pending_pairs_under_a_higher_threshold(twins):
    services.duplicates_refresh(actor=None)
    summary = services.duplicates_refresh(actor=None, threshold=100)
    assert summary["withdrawn"] == 1 and not DuplicateCandidate.objects.exists()
    with pytest.raises(ValidationError):
        services.duplicates_refresh(actor=None, threshold=140)


def test_refresh_within_a_territory_leaves_other_pairs_alone(twins):
    orleans = Commune.objects.get(code="45234")
    for name in ("Médiathèque d'Orléans", "Mediatheque Orleans"):
        PlaceFactory(
            nom=name, commune=orleans, commune_nom="Orléans", code_postal="45000", code_insee="45234",
            position_latitude=47.9029, position_longitude=1.9093, latitude=47.9029, longitude=1.9093,
        )  # fmt: skip
    services.duplicates_refresh(actor=None)
    assert DuplicateCandidate.objects.count() == 2
    summary = services.duplicates_refresh(actor=None, territory="departement:28", threshold=100)
    assert summary["places"] == 2 and summary["withdrawn"] == 1
    assert DuplicateCandidate.objects.get().first.commune_id == "45234"


def test_command_and_its_alias(twins, capsys):
    call_command("places", "dedup", "--territoire", "departement:28", "--seuil", "70")
    assert "1 nouvelle(s)" in capsys.readouterr().out
    call_command("places", "doublons")
    assert "0 nouvelle(s)" in capsys.readouterr().out
    assert DuplicateCandidate.objects.count() == 1
    with pytest.raises(CommandError, match="Territoire invalide"):
        call_command("places", "dedup", "--territoire", "28")


# --- Merging -----------------------------------------------------------------------------------


def _merge_defaults(first, second):
    return dedup.default_choices([first, second])


def test_default_choices_follow_recency_real_siret_and_union(twins, settings):
    first, second = twins
    choices = _merge_defaults(first, second)
    assert choices["nom"] == str(first.pk)  # the most recent date_maj wins
    assert choices["pivot"] == str(second.pk)  # a real SIRET wins over the placeholder
    assert choices["telephone"] == str(first.pk)
    assert choices["services"] == dedup.UNION and choices["dispositif_programmes_nationaux"] == dedup.UNION
    settings.PLACES_DEDUP = {"source_priority": ["conseiller-numerique"]}
    assert dedup.default_choices([first, second])["nom"] == str(second.pk)


def test_merge_field_by_field_keeps_both_places_and_is_journaled(twins, coordinator):
    first, second = twins
    services.duplicates_refresh(actor=None)
    pair = DuplicateCandidate.objects.get()
    choices = {**_merge_defaults(first, second), "nom": str(second.pk), dedup.LOCATION: str(second.pk)}
    merge = services.places_merge(actor=coordinator, kept=first, others=[second], choices=choices, candidate=pair)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.nom == "FRANCE SERVICES CHATEAUDUN" and first.pivot == "21280088800015"
    assert first.adresse == "2 place du 18-Octobre" and first.position_latitude == 48.0712
    assert first.telephone == "+33237451191"
    assert first.services == ["Aide aux démarches administratives", "Maîtrise des outils numériques du quotidien"]
    assert set(first.dispositif_programmes_nationaux) == {"France Services", "Conseillers numériques"}
    assert Place.objects.filter(pk=second.pk).exists()  # never deleted
    assert second.merged_into_id == first.pk and not second.is_published
    assert list(Place.objects.published()) == [first]
    pair.refresh_from_db()
    assert pair.status == DuplicateStatus.MERGED
    entry = AuditEntry.objects.get(action=AuditAction.PLACES_MERGED, object_id=str(first.pk))
    assert entry.payload["merged"] == [second.pk] and entry.payload["changes"]["nom"][1] == second.nom
    assert AuditEntry.objects.filter(action=AuditAction.PLACES_MERGED, object_id=str(second.pk)).exists()
    assert merge.before["kept"]["nom"] == "France Services de Châteaudun"


def test_undo_restores_every_value_exactly(twins, coordinator):
    first, second = twins
    fields = [f.attname for f in Place._meta.concrete_fields if f.attname not in ("updated_at",)]
    before = {pk: Place.objects.filter(pk=pk).values(*fields).get() for pk in (first.pk, second.pk)}
    services.duplicates_refresh(actor=None)
    merge = services.places_merge(
        actor=coordinator, kept=first, others=[second], choices={"nom": str(second.pk), "pivot": str(second.pk)}
    )
    services.place_merge_undo(actor=coordinator, merge=merge)
    after = {pk: Place.objects.filter(pk=pk).values(*fields).get() for pk in (first.pk, second.pk)}
    assert after == before
    merge.refresh_from_db()
    assert merge.undone_at is not None and merge.undone_by == coordinator
    assert DuplicateCandidate.objects.get().status == DuplicateStatus.PENDING
    assert AuditEntry.objects.filter(action=AuditAction.MERGE_UNDONE).count() == 2
    with pytest.raises(ValidationError, match="déjà annulée"):
        services.place_merge_undo(actor=coordinator, merge=merge)


def test_undo_is_refused_once_the_kept_place_changed(twins, coordinator):
    first, second = twins
    merge = services.places_merge(actor=coordinator, kept=first, others=[second], choices={})
    first.refresh_from_db()
    services.place_update(actor=coordinator, place=first, changes={"telephone": "+33237000000"})
    with pytest.raises(ValidationError, match="modifié depuis la fusion"):
        services.place_merge_undo(actor=coordinator, merge=merge)
    second.refresh_from_db()
    assert second.merged_into_id == first.pk


def test_merge_rules(twins, coordinator):
    first, second = twins
    with pytest.raises(ValidationError):
        services.places_merge(actor=coordinator, kept=first, others=[first], choices={})
    with pytest.raises(ValidationError, match="union"):
        services.places_merge(actor=coordinator, kept=first, others=[second], choices={"nom": dedup.UNION})
    with pytest.raises(ValidationError, match="Choix invalide"):
        services.places_merge(actor=coordinator, kept=first, others=[second], choices={"nom": "999999"})
    gestionnaire = MembershipFactory(gestionnaire=True).user
    with pytest.raises(PermissionDenied):
        services.places_merge(actor=gestionnaire, kept=first, others=[second], choices={})
    orleans = PlaceFactory(commune=Commune.objects.get(code="45234"))
    with pytest.raises(PermissionDenied):  # a coordinateur of Eure-et-Loir, a place of the Loiret
        services.places_merge(actor=coordinator, kept=first, others=[orleans], choices={})
    services.places_merge(actor=coordinator, kept=first, others=[second], choices={})
    with pytest.raises(ValidationError, match="fusionné dans un autre"):
        services.places_merge(actor=coordinator, kept=second, others=[first], choices={})
    assert PlaceMerge.objects.count() == 1


# --- Real files ----------------------------------------------------------------------------------


def _import_shared(relative, dataset):
    path = shared_file(relative)
    report, _ = place_import_file(actor=None, data=path.read_bytes(), filename=path.name, dataset=dataset)
    assert report["rows"] == report["accepted"] + report["rejected"]
    return report


def test_the_same_places_in_v0_1_and_v1_are_paired():
    """Hub du Sud, 2023-05-17, exported in v0.1 and converted to v1 by ANCT: 646 places, same ids."""
    _import_shared(HUB_AFTER, "hub-v0.1")
    _import_shared(HUB_V1, "hub-v1")
    services.duplicates_refresh(actor=None)
    local = dict(Place.objects.values_list("pk", "local_id"))
    dataset = dict(Place.objects.values_list("pk", "dataset"))
    cross = {
        local[first]
        for first, second in DuplicateCandidate.objects.values_list("first_id", "second_id")
        if dataset[first] != dataset[second] and local[first] == local[second]
    }
    both = set(Place.objects.filter(dataset="hub-v0.1").values_list("local_id", flat=True)) & set(
        Place.objects.filter(dataset="hub-v1").values_list("local_id", flat=True)
    )
    assert len(both) == 646
    assert len(cross) >= 0.98 * len(both), f"{len(cross)} / {len(both)}"


def test_the_duplicates_removed_by_the_national_map_are_found():
    """Hub du Sud before (792) and after (646) the national de-duplication of May 2023: the 146
    removed places should nearly all be in a pair, without flooding the review list."""
    _import_shared(HUB_BEFORE, "hub-avant")
    kept = {row["id"] for row in json.loads(shared_file(HUB_AFTER).read_text(encoding="utf-8"))}
    removed = set(Place.objects.exclude(local_id__in=kept).values_list("pk", flat=True))
    assert len(removed) == 146
    summary = services.duplicates_refresh(actor=None)
    pairs = list(DuplicateCandidate.objects.values_list("first_id", "second_id"))
    found = {pk for pair in pairs for pk in pair} & removed
    others = [pair for pair in pairs if not set(pair) & removed]
    assert len(found) >= 0.9 * len(removed), f"{len(found)} / {len(removed)}"
    assert len(others) <= 20 and summary["found"] == len(pairs)
