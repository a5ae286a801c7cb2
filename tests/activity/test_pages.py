import datetime as dt
import io
import re

import openpyxl
from django.urls import reverse

from maillage.activity.generate import generate_activities
from maillage.activity.schemes import import_aidants_connect, import_conseillers_numeriques
from maillage.activity.selectors import raw_figures
from maillage.territories.territory import TerritoryRef
from tests.shared_data import shared_file
from tests.structures.factories import MembershipFactory, StructureFactory

DEP = TerritoryRef("departement", "28")


def _cell(html: str, attribute: str, key: str) -> str:
    match = re.search(rf'data-{attribute}="{re.escape(key)}">([^<]*)<', html)
    assert match, key
    return match.group(1).replace("\u202f", "").replace("\xa0", "").replace(" ", "")


def test_dashboard_shows_the_statistics_files_figures_for_the_demo_territory(client):
    import_conseillers_numeriques(shared_file("stats/conum_departement-cras.json"))
    import_aidants_connect(shared_file("stats/aidants-connect_structures.csv"))
    html = client.get(reverse("activity:dashboard") + "?territoire=departement:28").content.decode()
    expected = {
        "activity.conseiller_numerique_usagers": "7405",
        "activity.conseiller_numerique_accompagnements": "12173",
        "activity.conseiller_numerique_ateliers": "1064",
        "activity.conseiller_numerique_individuels": "4732",
        "activity.conseiller_numerique_ponctuels": "1630",
        "activity.aidants_connect_usagers": "489",
        "activity.aidants_connect_demarches": "1679",
    }
    for key, value in expected.items():
        assert _cell(html, "scheme", key) == value


def test_dashboard_figures_charts_and_comparison(client):
    StructureFactory()
    generate_activities(n=400, seed=5, departement="28", start=dt.date(2024, 1, 1), end=dt.date(2024, 12, 31))
    client.force_login(MembershipFactory(coordinateur=True).user)
    url = reverse("activity:dashboard") + "?territoire=departement:28&du=2024-01-01&au=2024-06-30"
    html = client.get(url + "&comparer_du=2024-07-01&comparer_au=2024-12-31").content.decode()
    expected = raw_figures(DEP, dt.date(2024, 1, 1), dt.date(2024, 6, 30))
    assert _cell(html, "figure", "accompagnements") == str(expected["accompagnements"])
    assert html.count("<svg") >= 5 and html.count("<caption>") >= 6
    assert "Comparaison" in html


def test_exports(client):
    StructureFactory()
    generate_activities(n=100, seed=5, departement="28", start=dt.date(2024, 1, 1), end=dt.date(2024, 12, 31))
    query = "?territoire=departement:28&du=2024-01-01&au=2024-12-31"
    csv_text = client.get(reverse("activity:export", args=["csv"]) + query).content.decode("utf-8-sig")
    total = raw_figures(DEP, dt.date(2024, 1, 1), dt.date(2024, 12, 31))["accompagnements"]
    assert f"Accompagnements,{total}," in csv_text
    xlsx = client.get(reverse("activity:export", args=["xlsx"]) + query).content
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx)).active
    assert sheet["A2"].value == "Accompagnements" and sheet["B2"].value == total
    pdf = client.get(reverse("activity:export", args=["pdf"]) + query)
    assert pdf.content.startswith(b"%PDF")
    assert client.get(reverse("activity:export", args=["doc"]) + query).status_code == 404


def test_territory_page_has_the_activity_panel(client):
    StructureFactory()
    generate_activities(n=50, seed=2, departement="28")
    html = client.get(reverse("territories:departement", args=["28"])).content.decode()
    assert "Activité de médiation numérique" in html and "Tableau de bord de l'activité" in html
