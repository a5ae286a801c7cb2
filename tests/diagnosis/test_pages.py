"""Diagnosis pages and API with a run stored through the real services."""

import csv
import io

import pytest

from maillage.core.models import AuditEntry
from maillage.diagnosis.enums import AuditAction
from maillage.diagnosis.models import IndexRun
from tests.diagnosis.factories import COLUMNS, commune_score, make_run
from tests.structures.factories import MembershipFactory


@pytest.fixture
def run():
    return make_run()


def test_store_keeps_method_vintage_and_every_level(run):
    assert run.method_key == "ifn-v3" and run.method_version
    assert "key: ifn-v3" in run.method_text
    assert run.columns == [*COLUMNS, "total"]
    assert run.counts["departement"] == 2 and run.counts["region"] == 1
    assert run.counts["commune"] > 600
    chartres = run.scores.get(level="commune", code="28085")
    expected = [commune_score("28085", column) for column in COLUMNS]
    assert chartres.total == pytest.approx(sum(expected) / 5)
    assert AuditEntry.objects.filter(action=AuditAction.INDEX_RUN_STORED, object_id=str(run.pk)).exists()


def test_departement_page_shows_score_map_and_downloads(client, run):
    score = run.scores.get(level="departement", code="28")
    response = client.get("/diagnostic/departement/28/?niveau=commune")
    html = response.content.decode()
    assert response.status_code == 200
    assert f"{score.total:.1f}".replace(".", ",") in html
    assert "<svg" in html and "risque faible" in html and "risque fort" in html
    assert "Chartres" in html  # in the data table
    csv_rows = list(
        csv.reader(io.StringIO(client.get("/diagnostic/departement/28/carte.csv?niveau=commune").content.decode()))
    )
    assert csv_rows[0] == ["code", "nom", "score_total", "classe"]
    assert len(csv_rows) > 300
    png = client.get("/diagnostic/departement/28/carte.png?niveau=epci")
    assert png["Content-Type"] == "image/png" and png.content[:4] == b"\x89PNG"
    svg = client.get("/diagnostic/departement/28/carte.svg?niveau=epci")
    assert svg.content.startswith(b"<svg")


def test_empty_state_says_how_to_load_a_run(client):
    html = client.get("/diagnostic/departement/28/").content.decode()
    assert "Aucun indice de fragilité" in html
    assert "maillage diagnosis compute" in html
    assert client.get("/diagnostic/departement/28/carte.csv").status_code == 404


def test_region_comparison_orders_departements(client, run):
    html = client.get("/diagnostic/region/24/comparaison/").content.decode()
    totals = {code: run.scores.get(level="departement", code=code).total for code in ("28", "45")}
    first, second = sorted(totals, key=lambda code: -totals[code])
    assert html.index("Loiret" if first == "45" else "Eure-et-Loir") < html.index(
        "Loiret" if second == "45" else "Eure-et-Loir", html.index("<table")
    )


def test_report_page_and_pdf(client, run):
    html = client.get("/diagnostic/departement/28/rapport/").content.decode()
    assert "État des lieux" in html and "Zones blanches" in html
    pdf = client.get("/diagnostic/epci/200033181/rapport.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_variant_compares_with_the_official_index(client, run):
    client.force_login(MembershipFactory(coordinateur=True).user)
    same = client.get("/diagnostic/departement/28/variante/?envoyer=1&" + "&".join(f"garder_{c}=on" for c in COLUMNS))
    assert same.context["result"].changed == 0
    assert same.context["result"].spearman == pytest.approx(1.0)
    dropped = client.get(
        "/diagnostic/departement/28/variante/?envoyer=1&" + "&".join(f"garder_{c}=on" for c in COLUMNS[1:])
    )
    result = dropped.context["result"]
    assert result.changed > 0 and result.spearman < 1
    assert "Écart variante" in dropped.content.decode()


def test_sensitivity_page(client, run):
    client.force_login(MembershipFactory(observateur=True).user)
    response = client.get("/diagnostic/departement/28/sensibilite/")
    report = response.context["report"]
    assert len(report.leave_one_out) == 5
    assert 0 <= report.weight_mean_changed <= 1


def test_api_index_and_methods(client, run):
    data = client.get("/api/v1/diagnostic/indice?territoire=departement:28&niveau=epci").json()
    assert data["calcul"]["id"] == run.pk
    assert data["score"]["total"] == pytest.approx(run.scores.get(level="departement", code="28").total)
    assert data["niveau"] == "epci" and len(data["territoires"]) > 5
    methods = client.get("/api/v1/diagnostic/methodes").json()
    assert {"ifn-v1", "ifn-v3", "maillage-acces"} <= {m["cle"] for m in methods["methodes"]}
    assert client.get("/api/v1/diagnostic/indice?territoire=departement:99").status_code == 404
    assert client.get("/api/v1/diagnostic/indice?territoire=nimporte").status_code == 400


def test_delete_run_is_journaled(run):
    from maillage.diagnosis.services import index_run_delete

    index_run_delete(actor=None, run=run)
    assert not IndexRun.objects.exists()
    assert AuditEntry.objects.filter(action=AuditAction.INDEX_RUN_DELETED).exists()


@pytest.mark.parametrize(
    ("query", "target"),
    [
        ("departement:28", "/diagnostic/departement/28/"),
        ("28", "/diagnostic/departement/28/"),
        ("Loiret", "/diagnostic/departement/45/"),
        ("Chartres", "/diagnostic/commune/28085/"),
    ],
)
def test_home_finds_a_territory_by_code_or_name(client, query, target):
    response = client.get("/diagnostic/", {"territoire": query})
    assert response.status_code == 302 and response["Location"] == target


def test_home_says_when_nothing_is_found(client):
    html = client.get("/diagnostic/", {"territoire": "zzzzqqq"}).content.decode()
    assert "Aucun territoire trouvé" in html
