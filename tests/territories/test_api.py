import json

import pytest


def test_commune_search_returns_list_with_contract_fields(client):
    response = client.get("/api/v1/communes", {"q": "chateaudun"})
    assert response.status_code == 200
    results = response.json()
    assert isinstance(results, list)
    assert results[0] == {
        "code": "28088",
        "nom": "Châteaudun",
        "population": 12830,
        "departement": "28",
        "epci": "200069961",
    }


def test_commune_search_by_postal_code_and_filters(client):
    codes = [c["code"] for c in client.get("/api/v1/communes", {"q": "28200"}).json()]
    assert "28088" in codes
    by_epci = client.get("/api/v1/communes", {"epci": "200069961", "limit": 100}).json()
    assert by_epci and all(c["epci"] == "200069961" for c in by_epci)
    page_two = client.get("/api/v1/communes", {"departement": "28", "limit": 10, "offset": 10}).json()
    assert len(page_two) == 10
    assert client.get("/api/v1/communes").status_code == 400
    assert client.get("/api/v1/communes", {"departement": "28", "limit": 1000}).status_code == 422


def test_commune_detail_and_former_code(client):
    detail = client.get("/api/v1/communes/28088").json()
    assert detail["codes_postaux"] == ["28200"]
    assert detail["region"] == "24" and detail["type"] == "COM"
    assert detail["mairie"]["telephone"]
    former = client.get("/api/v1/communes/01340").json()
    assert former["code"] == "01015" and former["code_demande"] == "01340"


@pytest.mark.parametrize(
    "path", ["/api/v1/communes/99999", "/api/v1/epci/000000000", "/api/v1/departements/00", "/api/v1/regions/99"]
)
def test_unknown_codes_are_json_404(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert "inconnu" in response.json()["detail"]


def test_epci_departement_region(client):
    epci = client.get("/api/v1/epci/200069961").json()
    assert "28088" in epci["communes"] and epci["departements"] == ["28"]
    departement = client.get("/api/v1/departements/28").json()
    assert departement["population"] == 433129 and departement["communes"] == 363
    assert "200069961" in departement["epci"]
    assert client.get("/api/v1/departements/2a").json()["nom"] == "Corse-du-Sud"


def test_openapi_schema_and_docs_are_served_offline(client, snapshot):
    schema = client.get("/api/v1/openapi.json")
    assert schema.status_code == 200
    assert json.dumps(schema.json(), indent=1, sort_keys=True, ensure_ascii=False) == snapshot
    docs = client.get("/api/v1/docs").content.decode()
    assert "cdn" not in docs.lower() and "/static/ninja/swagger-ui-bundle.js" in docs
