import csv
import datetime as dt
import json

import pytest
from django.core.management import call_command

from maillage.activity import services
from maillage.activity.demo import seed_activity
from maillage.activity.models import SchemeFigure
from maillage.activity.schemes import import_aidants_connect, import_conseillers_numeriques, scheme_value
from maillage.core.indicators import compute_indicator, indicator_sources
from maillage.territories.territory import TerritoryRef
from tests.shared_data import shared_file
from tests.structures.factories import MembershipFactory, StructureFactory

DEP = TerritoryRef("departement", "28")
URL = "/api/v1/statistiques/activites"


def _file_conum(dep):
    return next(
        item
        for item in json.loads(shared_file("stats/conum_departement-cras.json").read_text())
        if item["departement"] == dep
    )


def _file_aidants(dep):
    """Active structures of the département: by INSEE code, else (no code in the file) by postal code."""
    path = shared_file("stats/aidants-connect_structures.csv")
    with path.open(encoding="utf-8", newline="") as handle:
        rows = [
            r
            for r in csv.DictReader(handle)
            if (r["City Insee Code"] or r["Zip Code"]).startswith(dep) and r["Is Active"] == "true"
        ]

    def total(column):
        return sum(int(float(r[column] or 0)) for r in rows)

    return {
        "aidants": total("Nombre d'aidants"),
        "usagers": total("Question 110 → Nombre D'usagers Uniques"),
        "demarches": total("Question 109 → Nombre De Demarche Par Structure"),
    }


def test_conseillers_numeriques_figures_equal_the_file():
    import_conseillers_numeriques(shared_file("stats/conum_departement-cras.json"))
    source = _file_conum("28")
    assert scheme_value("conseiller_numerique", "usagers", DEP) == source["usagers"] == 7405
    assert scheme_value("conseiller_numerique", "accompagnements", DEP) == source["accompagnements"]
    assert scheme_value("conseiller_numerique", "ateliers", DEP) == source["activite"]["collectif"]
    assert scheme_value("conseiller_numerique", "ponctuels", DEP) == source["activite"]["ponctuel"]
    assert scheme_value("conseiller_numerique", "usagers", TerritoryRef("region", "24")) == sum(
        _file_conum(dep)["usagers"]
        for dep in ("28", "45")  # the test reference holds these two of Centre-Val de Loire
    )
    # Outside the period the file covers, no figure.
    assert scheme_value("conseiller_numerique", "usagers", DEP, dt.date(2024, 1, 1), dt.date(2024, 12, 31)) is None
    count = SchemeFigure.objects.count()
    import_conseillers_numeriques(shared_file("stats/conum_departement-cras.json"))
    assert SchemeFigure.objects.count() == count  # idempotent


def test_aidants_connect_figures_equal_the_file_and_sum_by_commune():
    import_aidants_connect(shared_file("stats/aidants-connect_structures.csv"))
    expected = _file_aidants("28")
    for name, value in expected.items():
        assert scheme_value("aidants_connect", name, DEP) == value
    assert compute_indicator("activity.aidants_connect_aidants", DEP) == expected["aidants"]
    chartres = scheme_value("aidants_connect", "aidants", TerritoryRef("commune", "28085"))
    assert chartres is not None and 0 < chartres < expected["aidants"]


def test_aidants_connect_keeps_only_valid_sirets(tmp_path):
    path = tmp_path / "aidants.csv"
    path.write_text(
        "Name,ID,Is Active,City Insee Code,Zip Code,Siret,Nombre d'aidants\n"
        "Mairie A,1,True,28085,28000,265905075000053.0,3\n"
        "Mairie B,2,True,28088,28200,2.1e13,2\n"
        "Mairie C,3,True,28134,28100,21280085600018.0,4\n",
        encoding="utf-8",
    )
    import_aidants_connect(path)
    sirets = dict(SchemeFigure.objects.filter(indicateur="aidants").values_list("entity_id", "siret"))
    assert sirets == {"1": "", "2": "", "3": "21280085600018"}
    assert scheme_value("aidants_connect", "aidants", DEP) == 9


def test_series_csv_and_command(tmp_path, capsys):
    path = tmp_path / "france-services-2023.csv"
    path.write_text(
        "dispositif,indicateur,territoire,du,au,valeur\n"
        "france_services,accompagnements,departement:28,2023-01-01,2023-12-31,48317\n"
        'france_services,part_finalises_un_rdv,departement:28,2023-01-01,2023-12-31,"78,21"\n',
        encoding="utf-8",
    )
    call_command("activity", "dispositifs", str(path))
    assert "2 chiffre(s)" in capsys.readouterr().out
    assert compute_indicator("activity.france_services_accompagnements", DEP) == 48317
    assert compute_indicator("activity.france_services_part_finalises_un_rdv", DEP) == pytest.approx(78.21)
    bad = tmp_path / "bad.csv"
    bad.write_text("dispositif,indicateur,territoire,du,au,valeur\nmystere,x,departement:28,2023-01-01,2023-12-31,1\n")
    with pytest.raises(Exception, match="ligne 2 : dispositif inconnu"):
        call_command("activity", "dispositifs", str(bad))


def test_indicator_keys_are_registered():
    keys = set(indicator_sources())
    assert {
        "activity.accompagnements",
        "activity.beneficiaires",
        "activity.ateliers",
        "activity.aidants_connect_aidants",
        "activity.conseiller_numerique_usagers",
    } <= keys


def _record(user, structure, n, **extra):
    for _ in range(n):
        services.activity_create(
            actor=user,
            structure=structure,
            values={
                "type": "individuel",
                "date": dt.date(2025, 5, 6),
                "duree": 30,
                "type_lieu": "lieu_activite",
                "thematiques": ["email"],
                **extra,
            },
        )


def test_api_is_public_and_masks_small_counts_except_for_the_coordinator(client):
    membership = MembershipFactory()
    _record(membership.user, membership.structure, 4)
    query = "?territoire=commune:28085&du=2025-01-01&au=2025-12-31"
    public = client.get(URL + query).json()
    assert public["activites_individuelles"] == 4 and public["accompagnements"] is None
    assert public["beneficiaires"] is None and public["thematiques"]["email"] is None
    assert {"accompagnements", "beneficiaires", "thematiques.email"} <= set(public["secret_statistique"])
    client.force_login(MembershipFactory(observateur=True).user)
    assert client.get(URL + query).json()["accompagnements"] is None
    client.force_login(MembershipFactory(coordinateur=True).user)
    exact = client.get(URL + query).json()
    assert exact["accompagnements"] == 4 and exact["thematiques"]["email"] == 4 and exact["secret_statistique"] == []
    client.logout()
    _record(membership.user, membership.structure, 8)
    big = client.get(URL + query).json()
    assert (big["accompagnements"], big["beneficiaires"], big["thematiques"]["email"]) == (12, 12, 12)
    assert big["thematiques"]["sante"] == 0  # zero is not a small group: nothing to hide


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("?territoire=departement:28", 200),
        ("?territoire=pays:fr", 400),
        ("?territoire=departement:99", 404),
        ("?territoire=departement:28&du=2025-02-01&au=2025-01-01", 400),
        ("?territoire=departement:28&du=hier", 422),
        ("", 422),
    ],
)
def test_api_validation(client, query, status):
    assert client.get(URL + query).status_code == status


def test_demo_seed_is_idempotent_and_shows_the_files_figures(client):
    shared_file("stats/conum_departement-cras.json")
    StructureFactory()
    line = seed_activity("28")
    assert "4000 activités" in line
    again = seed_activity("28")
    assert again == line
    payload = client.get(URL + "?territoire=departement:28").json()
    assert payload["activites"] == 4000
    by_key = {row["key"]: row["value"] for row in payload["dispositifs"]}
    assert by_key["activity.conseiller_numerique_usagers"] == _file_conum("28")["usagers"]
    assert by_key["activity.aidants_connect_demarches"] == _file_aidants("28")["demarches"]


def test_demo_seed_works_without_the_statistics_files(settings, tmp_path):
    settings.ACTIVITY_STATS_DIR = str(tmp_path)  # an empty folder: the files are absent
    StructureFactory()
    line = seed_activity("28")
    assert "4000 activités" in line and "fichiers absents" in line
    assert not SchemeFigure.objects.exists()
