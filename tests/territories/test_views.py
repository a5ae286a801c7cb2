import csv
import html as html_lib
import io
import re

from django.urls import reverse

from maillage.territories.models import Commune


def test_departement_page_shows_figures_map_legend_and_table(client):
    response = client.get(reverse("territories:departement", args=["28"]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Eure-et-Loir" in html
    assert re.search(r"433(\xa0|\u202f|&nbsp;)129", html)  # population, French thousands separator
    svg = re.search(r"<svg[^>]*class=\"map__svg\"[^>]*>", html).group(0)
    assert 'role="img"' in svg and "aria-labelledby" in svg
    assert html.count("<path d=") == 363  # one shape per commune
    assert html.count('class="legend__swatch"') == 5
    # The accessible table repeats the data of every commune.
    table = html.split('<details class="map__table">')[1]
    assert table.count('<th scope="row">') == 363
    assert "https://" not in svg and "http://" not in svg.replace('xmlns="http://www.w3.org/2000/svg"', "")


def test_commune_page_highlights_it_within_its_epci(client):
    response = client.get(reverse("territories:commune", args=["28088"]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Châteaudun" in html and "28200" in html
    assert html.count('<path class="map__highlight"') == 1
    assert html.count("<path d=") == Commune.objects.filter(epci_id="200069961").count()


def test_paris_page_maps_its_arrondissements(client):
    html = client.get(reverse("territories:commune", args=["75056"])).content.decode()
    assert html.count("<path d=") == 20


def test_epci_and_region_pages(client):
    assert client.get(reverse("territories:epci", args=["200069961"])).status_code == 200
    response = client.get(reverse("territories:region", args=["24"]))
    assert response.status_code == 200
    assert "Eure-et-Loir" in response.content.decode()


def test_former_code_redirects_to_current_commune(client):
    response = client.get(reverse("territories:commune", args=["01340"]))
    assert response.status_code == 301
    assert response["Location"] == reverse("territories:commune", args=["01015"])


def test_unknown_codes_give_french_404(client):
    response = client.get(reverse("territories:commune", args=["99999"]))
    assert response.status_code == 404
    assert "Aucune commune n'a le code 99999" in html_lib.unescape(response.content.decode())
    assert client.get(reverse("territories:departement", args=["00"])).status_code == 404


def test_map_downloads(client):
    response = client.get(reverse("territories:map_data", args=["departement", "28", "csv"]))
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["code", "nom", "densite_hab_km2", "classe"]
    assert len(rows) == 1 + 363
    chateaudun = next(row for row in rows if row[0] == "28088")
    assert abs(float(chateaudun[2]) - 12830 / Commune.objects.get(code="28088").area_km2) < 0.01
    svg = client.get(reverse("territories:map_data", args=["departement", "28", "svg"]))
    assert svg["Content-Type"].startswith("image/svg+xml")
    assert svg.content.startswith(b"<svg")
    assert client.get(reverse("territories:map_data", args=["departement", "28", "png"])).status_code == 404
    assert client.get(reverse("territories:map_data", args=["pays", "fr", "csv"])).status_code == 404


def test_search_page_and_htmx_fragment(client):
    response = client.get(reverse("territories:search"), {"q": "chateau dun"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'href="/territoires/communes/28088/"' in html
    assert "<title>« chateau dun » — Rechercher une commune" in html
    fragment = client.get(reverse("territories:search"), {"q": "chateau dun"}, HTTP_HX_REQUEST="true")
    body = fragment.content.decode()
    assert "<html" not in body and 'href="/territoires/communes/28088/"' in body
    empty = client.get(reverse("territories:search"), {"q": "zzzzqqqq"}).content.decode()
    assert "Aucune commune ne correspond" in empty
