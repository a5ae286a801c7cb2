import json

from django.core.files.uploadedfile import SimpleUploadedFile

from maillage.places.search import invalidate_index
from tests.places.factories import PlaceFactory
from tests.places.helpers import VALID_ROW, csv_bytes
from tests.structures.factories import MembershipFactory


def setup_function():
    invalidate_index()


def test_search_by_commune_and_nearest_by_point(client):
    place = PlaceFactory()
    invalidate_index()
    found = client.get("/api/v1/lieux", {"q": "28200", "services": "Aide aux démarches administratives"}).json()
    assert found["commune"]["code"] == "28088" and found["results"][0]["id"] == place.pk
    assert found["results"][0]["distance_km"] < 5
    nearest = client.get("/api/v1/lieux/proches", {"lat": 48.07, "lon": 1.33, "k": 3, "frais": "Gratuit"}).json()
    assert [item["id"] for item in nearest] == [place.pk]
    assert client.get("/api/v1/lieux/proches", {"lat": 48.07, "lon": 1.33, "frais": "Gratis"}).status_code == 400
    assert client.get("/api/v1/lieux").status_code == 400
    assert client.get("/api/v1/lieux/proches", {"lat": 95, "lon": 1}).status_code == 400


def test_fiche_figures_and_export(client):
    place = PlaceFactory(dispositif_programmes_nationaux=["France Services"])
    fiche = client.get(f"/api/v1/lieux/{place.pk}").json()
    assert fiche["standard"]["nom"] == place.nom and len(fiche["standard"]) == 32
    assert len(fiche["horaires_semaine"]) == 7
    assert client.get("/api/v1/lieux/999999").status_code == 404
    figures = client.get("/api/v1/lieux/chiffres", {"territoire": "departement:28"}).json()
    assert figures["total"] == 1 and figures["par_dispositif"] == {"France Services": 1}
    assert client.get("/api/v1/lieux/chiffres", {"territoire": "departement:99"}).status_code == 404
    exported = client.get("/api/v1/lieux/export", {"format": "json", "territoire": "commune:28088"})
    assert json.loads(exported.content)[0]["nom"] == place.nom


def test_patch_needs_an_editor_of_the_place(client):
    place = PlaceFactory()
    client.force_login(MembershipFactory(coordinateur=True).user)
    response = client.patch(f"/api/v1/lieux/{place.pk}", {"nom": "Renommé"}, content_type="application/json")
    assert response.status_code == 200 and response.json()["standard"]["nom"] == "Renommé"
    assert (
        client.patch(f"/api/v1/lieux/{place.pk}", {"couleur": "bleu"}, content_type="application/json").status_code
        == 400
    )
    client.force_login(MembershipFactory(gestionnaire=True).user)  # another structure
    assert (
        client.patch(f"/api/v1/lieux/{place.pk}", {"nom": "Non"}, content_type="application/json").status_code == 403
    )


def test_patch_refuses_values_of_the_wrong_type_and_invalid_ones_in_french(client):
    place = PlaceFactory()
    client.force_login(MembershipFactory(coordinateur=True).user)
    url = f"/api/v1/lieux/{place.pk}"
    for body in ('{"nom": ["a", "b"]}', '{"nom": 123}', '{"horaires": {"a": 1}}', '{"latitude": 1e400}'):
        response = client.patch(url, body, content_type="application/json")
        assert response.status_code == 400 and "type inattendu" in response.json()["detail"], body
    invalid = client.patch(url, {"telephone": "3646"}, content_type="application/json")
    assert invalid.status_code == 400 and "téléphone" in json.dumps(invalid.json(), ensure_ascii=False)
    unchanged = type(place).objects.get(pk=place.pk)
    assert (unchanged.nom, unchanged.telephone, unchanged.horaires) == (place.nom, place.telephone, place.horaires)
    missing = client.patch("/api/v1/lieux/999999", {"nom": "x"}, content_type="application/json")
    assert missing.status_code == 404 and missing.json()["detail"] == "Lieu introuvable."


def test_import_through_the_api(client):
    client.force_login(MembershipFactory(coordinateur=True).user)
    upload = SimpleUploadedFile("lieux.csv", csv_bytes(VALID_ROW))
    response = client.post("/api/v1/lieux/imports", {"fichier": upload, "source": "api"})
    assert response.status_code == 202
    batch = response.json()
    status = client.get(f"/api/v1/lieux/imports/{batch['id']}").json()
    assert status["statut"] == "done" and status["rapport"]["accepted"] == 1
    named = client.post(
        "/api/v1/lieux/imports", {"fichier": SimpleUploadedFile("h.csv", csv_bytes(VALID_ROW)), "source": "mon-jeu"}
    )
    assert client.get(f"/api/v1/lieux/imports/{named.json()['id']}").json()["rapport"]["dataset"] == "mon-jeu"
    queried = client.post(
        "/api/v1/lieux/imports?source=autre-jeu", {"fichier": SimpleUploadedFile("h.csv", csv_bytes(VALID_ROW))}
    )
    assert client.get(f"/api/v1/lieux/imports/{queried.json()['id']}").json()["rapport"]["dataset"] == "autre-jeu"
    empty = client.post("/api/v1/lieux/imports", {"fichier": SimpleUploadedFile("vide.csv", b"")})
    assert empty.status_code == 400 and empty.json()["detail"] == "Le fichier est vide."


def test_nearest_writes_the_same_documents_as_its_declared_schema(client):
    from maillage.places.api import NearbyOut, _nearby
    from maillage.places.search import get_index

    PlaceFactory(telephone="+33237451191", commune=None, code_insee="")
    PlaceFactory(in_chartres=True, position_origin="commune")
    invalidate_index()
    response = client.get("/api/v1/lieux/proches", {"lat": 48.2, "lon": 1.4, "k": 5})
    assert response["Content-Type"] == "application/json"
    expected = [
        json.loads(NearbyOut.model_validate(item).model_dump_json())
        for item in _nearby(get_index().nearest(48.2, 1.4, k=5))
    ]
    assert response.json() == expected and len(expected) == 2
    assert {item["position_approximative"] for item in expected} == {True, False}
    assert None in {item["code_insee"] for item in expected}


def test_impossible_points_and_radii_are_refused_in_french(client):
    for path in ("/api/v1/lieux", "/api/v1/lieux/proches"):
        for point in ("lat=nan&lon=1", "lat=inf&lon=1", "lat=999&lon=1", "lat=48&lon=-inf"):
            response = client.get(f"{path}?{point}")
            assert response.status_code == 400 and "Coordonnées hors limites" in response.json()["detail"], point
        for radius in ("0", "-5", "nan", "5000"):
            response = client.get(f"{path}?lat=48.07&lon=1.33&rayon={radius}")
            assert response.status_code == 400 and "rayon" in response.json()["detail"], radius


def test_search_counts_what_it_finds_and_pages_with_offset(client):
    places = [PlaceFactory(nom=f"Lieu {n}") for n in range(7)]
    invalidate_index()
    first = client.get("/api/v1/lieux?q=Châteaudun&k=5").json()
    rest = client.get("/api/v1/lieux?q=Châteaudun&k=5&offset=5").json()
    assert first["total"] == rest["total"] == 7
    assert len(first["results"]) == 5 and len(rest["results"]) == 2
    assert {r["id"] for r in first["results"] + rest["results"]} == {p.pk for p in places}
    assert client.get("/api/v1/lieux?q=Châteaudun&offset=-1").status_code == 400


def test_request_errors_and_unknown_addresses_are_answered_in_french_json(client):
    invalid = client.get("/api/v1/lieux/proches?lat=48&lon=1&k=abc")
    assert invalid.status_code == 422
    assert [(e["loc"][-1], e["msg"]) for e in invalid.json()["detail"]] == [("k", "nombre entier attendu")]
    missing = client.get("/api/v1/lieux/proches?lon=1").json()["detail"]
    assert {(e["loc"][-1], e["msg"]) for e in missing} == {("lat", "champ obligatoire")}
    for path in ("/api/v1/lieux/abc", "/api/v1/nulle-part"):
        response = client.get(path)
        assert response.status_code == 404 and response["Content-Type"] == "application/json"
        assert "Adresse inconnue de l'API" in response.json()["detail"]
    assert client.get("/api/v1/lieux/999999").json()["detail"] == "Lieu inconnu : 999999."


def test_patch_refuses_nul_characters_and_coordinates_out_of_range(client):
    place = PlaceFactory()
    client.force_login(MembershipFactory(coordinateur=True).user)
    for body in ('{"nom": "A\\u0000B"}', '{"latitude": 1e308}', '{"longitude": -181}'):
        response = client.patch(f"/api/v1/lieux/{place.pk}", body, content_type="application/json")
        assert response.status_code == 400, body
