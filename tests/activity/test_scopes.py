"""The dashboard of a structure or a médiateur, and the « Publics » of any scope."""

import datetime as dt
import io

import openpyxl
from django.urls import reverse

from maillage.activity import services
from maillage.activity.generate import generate_activities
from maillage.activity.models import Activity
from maillage.activity.selectors import activity_figures, publics_figures, raw_figures, raw_publics_figures
from maillage.territories.territory import TerritoryRef
from tests.activity.factories import BeneficiaryFactory
from tests.activity.test_pages import _cell
from tests.structures.factories import MembershipFactory, StructureFactory

DEP = TerritoryRef("departement", "28")
DAY = dt.date(2025, 3, 14)


def _record(member, **values):
    base = {"type": "individuel", "date": DAY, "duree": 30, "type_lieu": "lieu_activite", "thematiques": ["email"]}
    return services.activity_create(actor=member.user, structure=member.structure, values={**base, **values})


def _world():
    """Two médiateurs of one structure, and a followed person; known publics."""
    structure = StructureFactory()
    alice = MembershipFactory(structure=structure)
    bob = MembershipFactory(structure=structure)
    person = BeneficiaryFactory(structure=structure, genre="feminin", statut_social="retraite", annee_naissance=1950)
    services.activity_create(
        actor=alice.user,
        structure=structure,
        values={
            "type": "individuel",
            "date": DAY,
            "duree": 30,
            "type_lieu": "lieu_activite",
            "thematiques": ["email"],
        },
        followed=[person],
    )
    _record(alice, beneficiaire_genre="masculin", beneficiaire_tranche_age="douze_dix_huit")
    _record(
        alice,
        type="collectif",
        participants_anonymes=12,
        participants_anonymes_detail={"genre_feminin": 7, "genre_masculin": 3, "statut_social_scolarise": 12},
        titre_atelier="Smartphone",
    )
    _record(bob, type="collectif", participants_anonymes=4, titre_atelier="Courriel")
    return structure, alice, bob


def test_publics_combine_followed_anonymous_individuals_and_workshop_counts():
    structure, alice, bob = _world()
    publics = publics_figures(structure_ids=[structure.pk], year=2025)
    total = activity_figures(structure_ids=[structure.pk])["accompagnements"]
    assert total == 18
    for counts in publics.values():
        assert sum(counts.values()) == total  # every accompagnement once per dimension
    assert publics["genre"] == {"masculin": 1 + 3, "feminin": 1 + 7, "non_communique": 2 + 4}
    assert publics["tranche_age"]["soixante_dix_plus"] == 1  # born 1950, in 2025: derived
    assert publics["tranche_age"]["douze_dix_huit"] == 1
    assert publics["tranche_age"]["non_communique"] == 16
    assert publics["statut_social"]["scolarise"] == 12 and publics["statut_social"]["retraite"] == 1
    mine = publics_figures(mediateur=bob.user)
    assert mine["genre"] == {"masculin": 0, "feminin": 0, "non_communique": 4}


def test_structure_dashboard_for_its_gestionnaire_shows_exact_figures_and_publics(client):
    structure, alice, _ = _world()
    client.force_login(MembershipFactory(gestionnaire=True, structure=structure).user)
    url = reverse("activity:structure_dashboard", args=[structure.pk]) + "?du=2025-01-01&au=2025-12-31"
    html = client.get(url).content.decode()
    assert structure.nom in html and "Publics" in html
    assert _cell(html, "figure", "accompagnements") == "18"
    assert 'id="graphique-publics-genre"' in html and "secret statistique" not in html
    assert 'name="territoire"' not in html and "Dispositifs nationaux" not in html
    compared = client.get(url + "&comparer_du=2024-01-01&comparer_au=2024-12-31").content.decode()
    assert f"{structure.nom} du 01/01/2024 au 31/12/2024" in compared


def test_structure_dashboard_masks_small_counts_for_a_mediateur_of_the_structure(client):
    structure, alice, _ = _world()
    client.force_login(alice.user)
    html = client.get(
        reverse("activity:structure_dashboard", args=[structure.pk]) + "?du=2025-01-01&au=2025-12-31"
    ).content.decode()
    assert _cell(html, "figure", "accompagnements") == "18"
    assert "secret statistique" in html and "masqué" in html  # e.g. 4 masculin, 6 non communiqué


def test_mediateur_dashboard_shows_his_own_activities_only(client):
    structure, alice, bob = _world()
    client.force_login(bob.user)
    url = reverse("activity:mediateur_dashboard", args=[bob.user.pk]) + "?du=2025-01-01&au=2025-12-31"
    html = client.get(url).content.decode()
    expected = raw_figures(start=DAY, end=DAY, mediateur=bob.user)
    assert expected["accompagnements"] == 4
    assert _cell(html, "figure", "accompagnements") == "4"
    # A colleague of the same structure does not see another médiateur's statistics.
    assert client.get(reverse("activity:mediateur_dashboard", args=[alice.user.pk])).status_code == 404


def test_coordinateur_sees_the_structures_and_mediateurs_of_his_territory_only(client):
    structure, alice, _ = _world()
    elsewhere = MembershipFactory(structure=StructureFactory(commune_id="45234"))
    client.force_login(MembershipFactory(coordinateur=True).user)  # Eure-et-Loir
    assert client.get(reverse("activity:structure_dashboard", args=[structure.pk])).status_code == 200
    assert client.get(reverse("activity:mediateur_dashboard", args=[alice.user.pk])).status_code == 200
    for name, pk in (
        ("activity:structure_dashboard", elsewhere.structure.pk),
        ("activity:mediateur_dashboard", elsewhere.user.pk),
        ("activity:structure_dashboard", 999_999),
        ("activity:mediateur_dashboard", 999_999),
    ):
        assert client.get(reverse(name, args=[pk])).status_code == 404, (name, pk)


def test_scope_exports(client):
    structure, alice, _ = _world()
    client.force_login(alice.user)
    query = "?du=2025-01-01&au=2025-12-31"
    response = client.get(reverse("activity:mediateur_export", args=[alice.user.pk, "csv"]) + query)
    assert f"activite-mediateur-{alice.user.pk}-2025-01-01-2025-12-31.csv" in response["Content-Disposition"]
    text = response.content.decode("utf-8-sig")
    assert "Accompagnements,14," in text
    assert "Genre des bénéficiaires (accompagnements) — Féminin,8," in text
    xlsx = client.get(reverse("activity:structure_export", args=[structure.pk, "xlsx"]) + query).content
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx)).active
    assert sheet["A2"].value == "Accompagnements" and sheet["B2"].value == 18
    pdf = client.get(reverse("activity:structure_export", args=[structure.pk, "pdf"]) + query)
    assert pdf.content.startswith(b"%PDF")
    assert client.get(reverse("activity:structure_export", args=[structure.pk, "doc"])).status_code == 404


def test_territory_dashboard_and_api_have_the_publics(client):
    StructureFactory()
    generate_activities(n=300, seed=3, departement="28", start=dt.date(2024, 1, 1), end=dt.date(2024, 12, 31))
    publics = publics_figures(DEP, dt.date(2024, 1, 1), dt.date(2024, 12, 31))
    total = activity_figures(DEP, dt.date(2024, 1, 1), dt.date(2024, 12, 31))["accompagnements"]
    assert all(sum(counts.values()) == total for counts in publics.values())
    html = client.get(reverse("activity:dashboard") + "?territoire=departement:28&du=2024-01-01&au=2024-12-31")
    assert 'id="titre-publics"' in html.content.decode()
    data = client.get("/api/v1/statistiques/activites?territoire=departement:28&du=2024-01-01&au=2024-12-31").json()
    assert set(data["publics"]) == {"genre", "tranche_age", "statut_social"}
    shown = {k: v for k, v in data["publics"]["genre"].items() if v is not None}
    assert all(publics["genre"][k] == v for k, v in shown.items())
    hidden = [k for k, v in data["publics"]["genre"].items() if v is None]
    assert all(f"publics.genre.{k}" in data["secret_statistique"] for k in hidden)


def test_my_activities_links_to_the_detailed_dashboards(client):
    structure, alice, _ = _world()
    client.force_login(alice.user)
    html = client.get(reverse("activity:mine")).content.decode()
    assert reverse("activity:mediateur_dashboard", args=[alice.user.pk]) in html
    assert reverse("activity:structure_dashboard", args=[structure.pk]) in html


def test_publics_from_the_rollups_equal_the_raw_activities_for_every_territory_and_period():
    structure, _, _ = _world()
    generate_activities(n=300, seed=3, departement="28", start=dt.date(2025, 1, 1), end=dt.date(2025, 6, 30))
    commune = structure.commune
    refs = [
        None,
        TerritoryRef("commune", commune.code),
        TerritoryRef("epci", commune.epci_id),
        DEP,
        TerritoryRef("region", commune.region_id),
    ]
    periods = [(None, None), (dt.date(2025, 2, 10), dt.date(2025, 4, 20)), (DAY, DAY), (dt.date(2025, 3, 1), None)]
    for ref in refs:
        for start, end in periods:
            expected = raw_publics_figures(ref, start, end, year=2025)
            assert publics_figures(ref, start, end, year=2025) == expected, (ref, start, end)
    workshops = raw_publics_figures(DEP, year=2025)["genre"]
    assert workshops["feminin"] > 7 and workshops["masculin"] > 3  # the generator's workshop counts count
    # Editing and deleting keep them exact (the SQL path of the rollups).
    workshop = Activity.objects.get(titre_atelier="Smartphone")
    manager = MembershipFactory(gestionnaire=True, structure=structure).user
    services.activity_update(
        actor=manager,
        activity=workshop,
        values={
            "type": "collectif",
            "date": DAY,
            "duree": 30,
            "type_lieu": "lieu_activite",
            "thematiques": ["email"],
            "participants_anonymes": 12,
            "participants_anonymes_detail": {"genre_masculin": 9},
            "titre_atelier": "Smartphone",
        },
    )
    assert publics_figures(DEP, year=2025) == raw_publics_figures(DEP, year=2025)
    services.activity_delete(actor=manager, activity=workshop)
    assert publics_figures(DEP, year=2025) == raw_publics_figures(DEP, year=2025)


def test_a_region_dashboard_and_api_have_the_publics(client):
    StructureFactory()
    generate_activities(n=300, seed=3, departement="28", start=dt.date(2024, 1, 1), end=dt.date(2024, 12, 31))
    region = TerritoryRef("region", "24")
    query = "?territoire=region:24&du=2024-01-01&au=2024-12-31"
    html = client.get(reverse("activity:dashboard") + query).content.decode()
    assert 'id="graphique-publics-genre"' in html
    data = client.get("/api/v1/statistiques/activites" + query).json()
    publics = publics_figures(region, dt.date(2024, 1, 1), dt.date(2024, 12, 31))
    assert publics == raw_publics_figures(region, dt.date(2024, 1, 1), dt.date(2024, 12, 31))
    shown = {k: v for k, v in data["publics"]["genre"].items() if v is not None}
    assert shown and all(publics["genre"][k] == v for k, v in shown.items())


def test_a_structure_page_links_to_its_dashboard_for_those_who_may_see_it(client):
    structure = StructureFactory(commune_id="28085")
    dashboard = reverse("activity:structure_dashboard", args=[structure.pk])
    page = reverse("structures:detail", args=[structure.pk])
    for member in (
        MembershipFactory(gestionnaire=True, structure=structure),
        MembershipFactory(structure=structure),
        MembershipFactory(coordinateur=True),
    ):
        client.force_login(member.user)
        assert dashboard in client.get(page).content.decode(), member
    client.force_login(MembershipFactory(observateur=True).user)  # territorial aggregates only
    response = client.get(page)
    assert response.status_code == 200 and dashboard not in response.content.decode()
