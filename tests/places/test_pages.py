import csv
import html as html_lib
import io
import re

from django.urls import reverse

from maillage.core.models import AuditEntry
from maillage.places.models import OrientationLink, PhoneCall, Place
from maillage.places.search import invalidate_index
from tests.places.factories import PlaceFactory
from tests.structures.factories import MembershipFactory


def setup_function():
    invalidate_index()


def test_search_page_lists_nearest_places_with_map_and_fiche_links(client):
    place = PlaceFactory(nom="France Services de Châteaudun")
    PlaceFactory(in_chartres=True, nom="Médiathèque de Chartres")
    invalidate_index()
    html = client.get(reverse("places:search"), {"ou": "chateaudun"}).content.decode()
    assert "Lieux à moins de 30 km de Châteaudun (28)" in html
    assert f'href="/lieux/{place.pk}/"' in html and "Médiathèque de Chartres" not in html  # 42 km away
    assert 'class="map__svg"' in html and 'role="img"' in html
    wide = client.get(reverse("places:search"), {"ou": "chateaudun", "rayon": "50"}).content.decode()
    assert "Médiathèque de Chartres" in wide


def test_search_filters_and_empty_states(client):
    PlaceFactory(frais_a_charge=["Payant"])
    invalidate_index()
    html = client.get(reverse("places:search"), {"ou": "28200", "frais": "Gratuit"}).content.decode()
    assert "Aucun lieu ne répond à ces critères" in html
    assert "Aucune commune ne correspond" in client.get(reverse("places:search"), {"ou": "zzzzqqq"}).content.decode()
    assert "Indiquez une commune" in client.get(reverse("places:search"), {"rayon": "30"}).content.decode()


def test_fiche_shows_hours_of_the_week_services_and_contacts(client):
    place = PlaceFactory(telephone="+33237451191", courriels=["contact@exemple.fr"])
    html = client.get(reverse("places:detail", args=[place.pk])).content.decode()
    assert "02 37 45 11 91" in html and "contact@exemple.fr" in html
    assert html.count("9 h – 12 h, 14 h – 17 h") >= 4
    assert "Aide aux démarches administratives" in html


def test_unpublished_place_is_hidden_from_the_public_but_not_from_its_coordinateur(client):
    place = PlaceFactory(is_published=False)
    assert client.get(reverse("places:detail", args=[place.pk])).status_code == 404
    client.force_login(MembershipFactory(coordinateur=True).user)
    assert client.get(reverse("places:detail", args=[place.pk])).status_code == 200


def test_orientation_sheet_pdf_and_short_link(client):
    first, second = PlaceFactory(nom="Premier lieu"), PlaceFactory(nom="Second lieu")
    url = reverse("places:orientation")
    html = client.get(url, {"lieux": f"{first.pk},{second.pk}", "note": "Apporter l'avis d'imposition"}).content
    html = html_lib.unescape(html.decode())
    assert html.index("Premier lieu") < html.index("Second lieu") and "avis d'imposition" in html
    assert "pièce d'identité" in html  # what to bring for démarches
    pdf = client.get(url, {"lieux": first.pk, "format": "pdf"})
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    response = client.post(reverse("places:orientation_link_create"), {"lieux": [first.pk, second.pk]})
    link = OrientationLink.objects.get()
    assert response["Location"].startswith(f"/lieux/o/{link.code}/") and link.places == [first.pk, second.pk]
    again = client.post(reverse("places:orientation_link_create"), {"lieux": [first.pk, second.pk]})
    assert again["Location"] == f"/lieux/o/{link.code}/?existant=1" and OrientationLink.objects.count() == 1
    shared = client.get(reverse("places:orientation_link", args=[link.code])).content.decode()
    assert "Premier lieu" in shared and link.code in shared
    assert "avait déjà un lien court" in client.get(again["Location"]).content.decode()


def test_orientation_sheet_ignores_what_is_not_a_place_and_says_what_it_leaves_out(client):
    places = [PlaceFactory(nom=f"Lieu {n}") for n in range(8)]
    url = reverse("places:orientation")
    unknown = ",".join(str(9990 + n) for n in range(6))  # unknown ids do not take the six seats
    asked = f"²,{'9' * 40},abc,,{unknown},{places[0].pk},{places[0].pk}," + ",".join(str(p.pk) for p in places[1:])
    html = html_lib.unescape(client.get(url, {"lieux": asked}).content.decode())
    assert [n for n in range(8) if f"Lieu {n}<" in html] == [0, 1, 2, 3, 4, 5]
    assert "2 autres lieux demandés n'y figurent pas" in html
    response = client.post(reverse("places:orientation_link_create"), {"lieux": asked})
    assert OrientationLink.objects.get().places == [p.pk for p in places[:6]]
    assert response.status_code == 302


def test_orientation_sheet_without_any_published_place_explains_how_to_make_one(client):
    hidden = PlaceFactory(is_published=False)
    for asked in ("", "abc", "²", str(hidden.pk), "9" * 40):
        response = client.get(reverse("places:orientation"), {"lieux": asked})
        html = response.content.decode()
        assert response.status_code == 404 and "Aucun lieu à mettre sur la fiche" in html, asked
        assert 'href="/lieux/"' in html
    response = client.post(reverse("places:orientation_link_create"), {"lieux": "abc"})
    assert response.status_code == 404 and OrientationLink.objects.count() == 0
    missing = client.get(reverse("places:orientation_link", args=["zzzzzzzz"]))
    assert "Ce lien de fiche d'orientation n'existe pas" in html_lib.unescape(missing.content.decode())


def test_short_link_with_a_too_long_note_shows_the_error_instead_of_dropping_the_note(client):
    place = PlaceFactory()
    response = client.post(reverse("places:orientation_link_create"), {"lieux": place.pk, "note": "x" * 501})
    assert response.status_code == 400 and OrientationLink.objects.count() == 0
    assert "500 caractères" in html_lib.unescape(response.content.decode())


def test_directory_page_and_pdf(client):
    PlaceFactory(nom="Lieu A"), PlaceFactory(in_chartres=True, nom="Lieu B")
    html = client.get(reverse("places:directory"), {"territoire": "departement:28"}).content.decode()
    assert html.index("Chartres") < html.index("Châteaudun")  # sections by commune, alphabetical
    pdf = client.get(reverse("places:directory"), {"territoire": "departement:28", "format": "pdf"})
    assert pdf.content.startswith(b"%PDF")
    assert client.get(reverse("places:directory"), {"territoire": "pays:fr"}).status_code == 404


def test_directory_takes_what_people_type_and_answers_with_the_canonical_address(client):
    url = reverse("places:directory")
    typed = {
        "eure et loir": "departement%3A28",
        "28": "departement%3A28",
        "CA Chartres Métropole": "epci%3A200033181",
        "200033181": "epci%3A200033181",
        "Chartres": "commune%3A28085",
        "28200": "commune%3A28088",  # Châteaudun's postal code
    }
    for query, canonical in typed.items():
        response = client.get(url, {"territoire": query})
        assert (response.status_code, response["Location"]) == (302, f"{url}?territoire={canonical}"), query
    pdf = client.get(url, {"territoire": "Eure-et-Loir", "format": "pdf"})
    assert pdf["Location"] == f"{url}?territoire=departement%3A28&format=pdf"


def test_directory_explains_an_unknown_territory_and_offers_the_departements_with_places(client):
    PlaceFactory(nom="Lieu A"), PlaceFactory(in_chartres=True, nom="Lieu B")
    PlaceFactory(nom="Lieu non publié", is_published=False)
    url = reverse("places:directory")
    response = client.get(url, {"territoire": "99999"})
    html = response.content.decode()
    assert response.status_code == 404
    assert "Aucun territoire ne correspond à « 99999 »" in html
    assert 'aria-invalid="true"' in html and 'value="99999"' in html
    assert 'href="?territoire=departement:28">Eure-et-Loir (28)</a> — 2 lieux' in " ".join(html.split())
    empty = client.get(url).content.decode()
    assert "aria-invalid" not in empty and "Eure-et-Loir (28)" in empty


def test_directory_without_any_published_place_says_so(client):
    html = client.get(reverse("places:directory")).content.decode()
    assert "Aucun lieu n'est encore publié" in html


def test_operator_screen_gives_three_places_and_records_an_anonymous_call(client):
    places = [PlaceFactory(nom=f"Lieu {i}") for i in range(4)]
    invalidate_index()
    client.force_login(MembershipFactory().user)
    html = html_lib.unescape(
        client.get(
            reverse("places:operator"), {"ou": "Chateaudun", "besoin": "Aide aux démarches administratives"}
        ).content.decode()
    )
    assert html.count('class="read-aloud"') == 3
    assert re.search(r"Ouvert aujourd'hui|Fermé aujourd'hui|fermé aujourd'hui|ouvert aujourd'hui", html)
    response = client.post(
        reverse("places:operator_record"),
        {
            "commune": "28088",
            "besoin": "Aide aux démarches administratives",
            "issue": "oriente",
            "lieu": places[0].pk,
        },
    )
    assert response.status_code == 302
    call = PhoneCall.objects.get()
    assert call.commune_id == "28088" and call.outcome == "oriente" and list(call.places.all()) == [places[0]]
    assert {f.name for f in PhoneCall._meta.get_fields()} <= {
        "id",
        "created_at",
        "commune",
        "need",
        "outcome",
        "places",
        "operator",
    }


def test_a_call_with_an_impossible_place_is_refused_with_a_message(client):
    client.force_login(MembershipFactory().user)
    need = "Aide aux démarches administratives"
    for data in (
        {"commune": "28088", "besoin": need, "issue": "oriente", "lieu": str(10**30)},
        {"commune": "00000", "besoin": need, "issue": "oriente"},
        {"commune": "28088", "besoin": "n'importe quoi", "issue": "oriente"},
        {"commune": "28088", "besoin": need, "issue": "oriente", "lieu": "999999"},
        {"commune": "28088", "besoin": need, "issue": "oriente", "lieu": PlaceFactory(is_published=False).pk},
    ):
        page = client.post(reverse("places:operator_record"), data, follow=True).content.decode()
        assert PhoneCall.objects.count() == 0 and "Appel non enregistré" in html_lib.unescape(page), data


def test_export_endpoints(client):
    PlaceFactory(), PlaceFactory(is_published=False)
    csv_text = client.get(reverse("places:export", args=["csv"]), {"territoire": "departement:28"}).content.decode()
    assert len(csv_text.strip().splitlines()) == 2  # header + the published place
    assert client.get(reverse("places:export", args=["xml"])).status_code == 404


def test_export_of_a_territory_typed_by_name_a_filtered_selection_and_bad_input(client):
    PlaceFactory(nom="Payant", frais_a_charge=["Payant"]), PlaceFactory(nom="Gratuit", in_chartres=True)
    invalidate_index()
    url = reverse("places:export", args=["csv"])
    named = client.get(url, {"territoire": "Eure-et-Loir"})
    assert 'filename="lieux-de-mediation-numerique-departement-28.csv"' in named["Content-Disposition"]
    assert len(named.content.decode().strip().splitlines()) == 3
    free = client.get(url, {"frais": "Gratuit"}).content.decode()  # filters without a location: everywhere
    assert "Gratuit" in free and "Payant" not in free.split("\n", 1)[1]
    hostile = client.get(url, {"territoire": 'commune:28\nx"'})
    assert hostile.status_code == 404 and "Content-Disposition" not in hostile
    invalid = client.get(url, {"ou": "Chartres", "rayon": "-5"})
    assert invalid.status_code == 400 and invalid.content.decode().startswith("Recherche invalide")


def test_edit_is_validated_journaled_and_shown_in_history(client):
    place = PlaceFactory()
    gestionnaire = MembershipFactory(gestionnaire=True)
    place.structure = gestionnaire.structure
    place.save()
    client.force_login(gestionnaire.user)
    form = client.get(reverse("places:edit", args=[place.pk])).context["form"]
    data = {name: form.initial.get(name, "") for name in form.fields}
    data.update(nom="Nouveau nom", telephone="02 37 45 11 91")
    response = client.post(reverse("places:edit", args=[place.pk]), {k: v for k, v in data.items() if v is not None})
    assert response.status_code == 302
    place.refresh_from_db()
    assert place.nom == "Nouveau nom" and place.telephone == "+33237451191"
    entry = AuditEntry.objects.get(action="places.place_updated", object_id=str(place.pk))
    assert (
        entry.payload["changes"]["nom"] == ["Espace numérique 0", "Nouveau nom"] or entry.payload["changes"]["nom"][1]
    )
    history = client.get(reverse("places:history", args=[place.pk])).content.decode()
    assert "Nouveau nom" in history
    bad = dict(data, telephone="3646")
    page = client.post(reverse("places:edit", args=[place.pk]), {k: v for k, v in bad.items() if v is not None})
    assert "numéro de téléphone invalide" in page.content.decode()


def test_saving_an_edit_without_changes_changes_nothing(client):
    place = PlaceFactory(dispositif_programmes_nationaux=["France Services", "Conseillers numériques"])
    client.force_login(MembershipFactory(coordinateur=True).user)
    form = client.get(reverse("places:edit", args=[place.pk])).context["form"]
    data = {name: form.initial.get(name, "") for name in form.fields}
    response = client.post(
        reverse("places:edit", args=[place.pk]), {k: v for k, v in data.items() if v is not None}, follow=True
    )
    assert "Aucune modification" in response.content.decode()
    place.refresh_from_db()
    assert place.date_maj.isoformat() == "2026-01-15"
    assert place.dispositif_programmes_nationaux == ["France Services", "Conseillers numériques"]
    assert not AuditEntry.objects.filter(action="places.place_updated").exists()


def test_territory_page_shows_live_figures(client):
    PlaceFactory(dispositif_programmes_nationaux=["France Services", "Conseillers numériques"])
    PlaceFactory(dispositif_programmes_nationaux=["Aidants Connect"])
    html = client.get(reverse("territories:departement", args=["28"])).content.decode()
    assert "2 lieux dont 1 accueillant des conseillers numériques, 1 France Services, 1 Aidants Connect" in html
    Place.objects.filter(dispositif_programmes_nationaux=["Aidants Connect"]).update(is_published=False)
    html = client.get(reverse("territories:departement", args=["28"])).content.decode()
    assert "1 lieu dont 1 accueillant des conseillers numériques, 1 France Services, 0 Aidants Connect" in html


def test_import_page_runs_the_import_and_shows_the_report(client, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.places.helpers import VALID_ROW, csv_bytes

    client.force_login(MembershipFactory(coordinateur=True).user)
    upload = SimpleUploadedFile("lieux.csv", csv_bytes(VALID_ROW, {**VALID_ROW, "id": "x", "telephone": "3646"}))
    response = client.post(reverse("places:imports"), {"fichier": upload, "jeu": "essai"})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Acceptées" in page and "numéro de téléphone invalide" in page
    assert "Corriger les 1 ligne" in page
    listing = client.get(reverse("places:imports"))
    batch = listing.context["page_obj"].object_list[0]
    assert (batch.report_rows, batch.report_accepted, batch.report_rejected) == (2, 1, 1)
    assert "report" in batch.get_deferred_fields()  # the list does not read the whole report
    row = re.search(r"<tr>\s*<th scope=\"row\"><a[^>]*>lieux\.csv</a>.*?</tr>", listing.content.decode(), re.S)
    assert [cell for cell in re.findall(r"<td>([^<]*)</td>", row.group(0))][-3:] == ["2", "1", "1"]


def test_export_of_a_search(client):
    near = PlaceFactory(nom="Proche")
    PlaceFactory(in_chartres=True, nom="Loin")
    invalidate_index()
    text = client.get(reverse("places:export", args=["csv"]), {"ou": "chateaudun", "rayon": "10"}).content.decode()
    lines = text.strip().splitlines()
    assert len(lines) == 2 and near.nom in lines[1]


def test_history_of_an_imported_place_shows_its_creating_import_then_its_changes(client):
    import json

    from maillage.places.services import place_import_file
    from tests.places.helpers import VALID_ROW

    coordinator = MembershipFactory(coordinateur=True).user
    first = json.dumps([VALID_ROW]).encode()
    second = json.dumps([{**VALID_ROW, "nom": "Espace renommé"}]).encode()
    place_import_file(actor=coordinator, data=first, filename="premier.json", dataset="histoire")
    place_import_file(actor=coordinator, data=second, filename="second.json", dataset="histoire")
    place = Place.objects.get(dataset="histoire")
    client.force_login(coordinator)
    history = html_lib.unescape(client.get(reverse("places:history", args=[place.pk])).content.decode())
    created = history.index("Lieu créé par l'import du fichier « premier.json » (1 lieu créé)")
    renamed = history.index("Espace renommé")
    assert renamed < created  # newest first
    assert "second.json" not in history  # the second import changed it: its own entry, not the import's


def test_a_typed_commune_wins_over_the_previous_position_and_suggestions_lead_to_their_commune(client):
    PlaceFactory(), PlaceFactory(in_chartres=True)
    invalidate_index()
    url = reverse("places:search")
    stale = client.get(url, {"ou": "Chartres", "lat": "48.07", "lon": "1.33"}).content.decode()
    assert "Lieux à moins de 30 km de Chartres (28)" in stale
    page = html_lib.unescape(client.get(url, {"ou": "Nogent", "frais": "Gratuit"}).content.decode())
    suggestions = re.findall(r'<a href="\?([^"]*commune=(\d+)[^"]*)">([^<]+) \((\d+)\)</a>', page)
    assert suggestions, "the search for Nogent suggests other communes"
    query, code, name, _ = suggestions[0]
    assert "frais=Gratuit" in query  # the filters are kept
    followed = html_lib.unescape(client.get(f"{url}?{query}").content.decode())
    assert f"km de {name} (" in followed
    assert "km du point choisi" not in client.get(url, {"lat": "48.07"}).content.decode()


def test_history_shows_labels_and_readable_values(client):
    from maillage.places import services

    place = PlaceFactory(dispositif_programmes_nationaux=["France Services"])
    coordinator = MembershipFactory(coordinateur=True).user
    services.place_update(
        actor=coordinator,
        place=place,
        changes={"dispositif_programmes_nationaux": ["France Services", "Aidants Connect"], "services": []},
    )
    client.force_login(coordinator)
    html = " ".join(html_lib.unescape(client.get(reverse("places:history", args=[place.pk])).content.decode()).split())
    assert (
        '<th scope="row">Dispositifs nationaux</th><td>France Services</td><td>France Services · Aidants Connect</td>'
        in html
    )
    assert '<th scope="row">Publié</th><td>oui</td><td>non</td>' in html
    assert "['" not in html and "True" not in html


def test_an_edit_that_removes_every_service_says_the_place_is_no_longer_published(client):
    place = PlaceFactory()
    client.force_login(MembershipFactory(coordinateur=True).user)
    form = client.get(reverse("places:edit", args=[place.pk])).context["form"]
    data = {name: form.initial.get(name, "") for name in form.fields}
    data["services"] = []
    page = client.post(
        reverse("places:edit", args=[place.pk]), {k: v for k, v in data.items() if v is not None}, follow=True
    )
    assert "il n'est plus publié sur la carte" in html_lib.unescape(page.content.decode())


def test_a_search_that_reaches_its_limit_says_there_may_be_more(client, monkeypatch):
    from maillage.places.views import public

    for n in range(3):
        PlaceFactory(nom=f"Lieu {n}")
    invalidate_index()
    monkeypatch.setattr(public, "MAX_RESULTS", 2)
    html = " ".join(client.get(reverse("places:search"), {"ou": "Châteaudun"}).content.decode().split())
    assert "Au moins 2 lieux trouvés : voici les 2 plus proches." in html


def test_the_edit_form_refuses_impossible_coordinates_instead_of_erasing_the_position(client):
    place = PlaceFactory()
    client.force_login(MembershipFactory(coordinateur=True).user)
    form = client.get(reverse("places:edit", args=[place.pk])).context["form"]
    data = {name: form.initial.get(name, "") for name in form.fields}
    for value in ("inf", "1e999", "91", "nan", "abc"):
        page = client.post(
            reverse("places:edit", args=[place.pk]),
            {**{k: v for k, v in data.items() if v is not None}, "latitude": value},
        )
        assert page.status_code == 200 and "Un nombre entre -90 et 90 est attendu" in page.content.decode(), value
    place.refresh_from_db()
    assert place.latitude == 48.0707


def test_only_web_addresses_become_links_on_the_fiche(client):
    place = PlaceFactory(
        site_web=["javascript:alert(1)", "https://exemple.fr"],
        prise_rdv="javascript:alert(2)",
        fiche_acces_libre="data:text/html,x",
    )
    html = client.get(reverse("places:detail", args=[place.pk])).content.decode()
    assert 'href="https://exemple.fr"' in html
    assert 'href="javascript:' not in html and 'href="data:' not in html and "Prendre rendez-vous" not in html


def test_export_narrows_a_territory_by_filters_and_opening_hours(client):
    PlaceFactory(nom="Payant", frais_a_charge=["Payant"]), PlaceFactory(nom="Gratuit", in_chartres=True)
    PlaceFactory(nom="Jamais ouvert", horaires="Mo 08:00-09:00")
    invalidate_index()
    url = reverse("places:export", args=["csv"])

    def names(params):
        rows = csv.DictReader(io.StringIO(client.get(url, params).content.decode()))
        return sorted(row["nom"] for row in rows)

    assert names({"territoire": "28", "frais": "Payant"}) == ["Payant"]
    assert names({"ouvert": "creneau", "jour": "1", "heure": "10:00"}) == ["Gratuit", "Payant"]  # Tuesday 10:00
    assert client.get(url, {"lat": "48.4"}).status_code == 400


def test_a_coordinateur_cannot_send_a_place_out_of_their_territory(client):
    place = PlaceFactory()
    client.force_login(MembershipFactory(coordinateur=True).user)
    form = client.get(reverse("places:edit", args=[place.pk])).context["form"]
    data = {name: value for name in form.fields if (value := form.initial.get(name, "")) is not None}
    for changes, reason in (
        (
            {"code_insee": "45234", "code_postal": "45000", "commune": "Orléans", "latitude": "", "longitude": ""},
            "hors de votre territoire",
        ),
        ({"code_insee": "99999", "code_postal": "99999", "commune": "Nulle part"}, "commune introuvable"),
    ):
        page = client.post(reverse("places:edit", args=[place.pk]), {**data, **changes})
        assert page.status_code == 200 and reason in page.content.decode()
    place.refresh_from_db()
    assert place.commune_id == "28088"
