import json
from decimal import Decimal

import pytest

from config.api import api
from maillage.core import indicators
from maillage.roadmap.enums import ActionStatus
from tests.roadmap.factories import (
    ActionFactory,
    BudgetLineFactory,
    FinancingLineFactory,
    FunderFactory,
    IndicatorFactory,
    RoadmapFactory,
)
from tests.structures.factories import MembershipFactory, StructureFactory

BASE = "/api/v1/feuilles-de-route"


@pytest.fixture
def setup():
    roadmap = RoadmapFactory(slug="api")
    structure = StructureFactory()
    action = ActionFactory(group__axis__roadmap=roadmap, code="1.1.1", status=ActionStatus.VALIDEE)
    other = ActionFactory(group=action.group, code="1.1.2")
    action.porteurs.add(structure)
    porteur = MembershipFactory(structure=structure).user
    coordinateur = MembershipFactory(coordinateur=True).user
    observateur = MembershipFactory(observateur=True).user
    return {
        "roadmap": roadmap,
        "action": action,
        "other": other,
        "porteur": porteur,
        "coordinateur": coordinateur,
        "observateur": observateur,
    }


def _patch(client, url, body):
    return client.patch(url, json.dumps(body), content_type="application/json")


def test_endpoints_are_in_the_openapi_schema():
    paths = api.get_openapi_schema()["paths"]
    for path in (
        f"{BASE}",
        f"{BASE}/{{slug}}",
        f"{BASE}/{{slug}}/actions/{{code}}",
        f"{BASE}/{{slug}}/indicateurs",
        f"{BASE}/{{slug}}/financements",
        f"{BASE}/{{slug}}/objectifs",
    ):
        assert path in paths


def test_porteur_patches_own_action_only(client, setup):
    client.force_login(setup["porteur"])
    response = _patch(client, f"{BASE}/api/actions/1.1.1", {"statut": "en_cours", "ressources": "1 ETP"})
    assert response.status_code == 200, response.content
    assert response.json()["statut"] == "en_cours" and response.json()["ressources"] == "1 ETP"
    assert _patch(client, f"{BASE}/api/actions/1.1.2", {"statut": "validee"}).status_code == 403
    setup["other"].refresh_from_db()
    assert setup["other"].status == ActionStatus.PROPOSEE


def test_bad_transition_is_a_400(client, setup):
    client.force_login(setup["coordinateur"])
    response = _patch(client, f"{BASE}/api/actions/1.1.1", {"statut": "proposee"})
    assert response.status_code == 400
    assert "Passage impossible" in json.dumps(response.json(), ensure_ascii=False)


def test_observateur_reads_but_cannot_write(client, setup):
    client.force_login(setup["observateur"])
    assert client.get(f"{BASE}/api").json()["axes"][0]["groupes"][0]["actions"][0]["numero"] == "1.1.1"
    assert _patch(client, f"{BASE}/api/actions/1.1.1", {"statut": "en_cours"}).status_code == 403
    body = {"financeur": "x", "montant": 1}
    assert (
        client.post(f"{BASE}/api/financements", json.dumps(body), content_type="application/json").status_code == 403
    )


def test_financing_hides_confidential_amounts_from_non_coordinators(client, setup):
    funder = FunderFactory(roadmap=setup["roadmap"], name="État")
    BudgetLineFactory(action=setup["action"], amount=Decimal("1000"))
    FinancingLineFactory(funder=funder, action=setup["action"], amount=Decimal("400"))
    FinancingLineFactory(funder=funder, action=setup["action"], amount=Decimal("600"), is_confidential=True)
    client.force_login(setup["coordinateur"])
    data = client.get(f"{BASE}/api/financements").json()
    assert data["montants_confidentiels_inclus"] and Decimal(data["finance_total"]) == 1000
    assert data["actions"][0]["alerte"] is False
    client.force_login(setup["observateur"])
    data = client.get(f"{BASE}/api/financements").json()
    assert Decimal(data["finance_total"]) == 400 and data["actions"][0]["alerte"] is True


def test_coordinator_records_financing(client, setup):
    FunderFactory(roadmap=setup["roadmap"], name="CAF")
    client.force_login(setup["coordinateur"])
    body = {"financeur": "CAF", "montant": "2500.50", "type": "appel_a_projets", "action": "1.1.1"}
    response = client.post(f"{BASE}/api/financements", json.dumps(body), content_type="application/json")
    assert response.status_code == 201, response.content
    assert setup["roadmap"].financing_lines.get().amount == Decimal("2500.50")
    body["financeur"] = "Inconnu"
    assert (
        client.post(f"{BASE}/api/financements", json.dumps(body), content_type="application/json").status_code == 400
    )


def test_indicator_values_live_and_entered(client, setup, monkeypatch):
    calls = []

    def fake(territory, start, end, **params):
        calls.append((str(territory), start, end))
        return 321

    source = indicators.IndicatorSource(key="activity.accompagnements", label="Accompagnements", unit="", compute=fake)
    monkeypatch.setitem(indicators._sources, source.key, source)
    monkeypatch.delitem(indicators._sources, "activity.beneficiaires", raising=False)  # an unavailable source
    IndicatorFactory(roadmap=setup["roadmap"], code="accompagnements", source_key="activity.accompagnements")
    IndicatorFactory(roadmap=setup["roadmap"], code="usagers", source_key="activity.beneficiaires")
    manual = IndicatorFactory(roadmap=setup["roadmap"], code="aidants", target=20)
    manual.actions.add(setup["action"])
    client.force_login(setup["porteur"])
    response = client.post(
        f"{BASE}/api/indicateurs/aidants/valeurs",
        json.dumps({"date": "2025-01-31", "valeur": 5}),
        content_type="application/json",
    )
    assert response.status_code == 201
    rows = {row["code"]: row for row in client.get(f"{BASE}/api/indicateurs?debut=2025-01-01&fin=2025-03-31").json()}
    assert rows["accompagnements"]["realise"] == 321
    assert calls[-1] == (
        "departement:28",
        __import__("datetime").date(2025, 1, 1),
        __import__("datetime").date(2025, 3, 31),
    )
    assert rows["usagers"]["source_indisponible"] and rows["usagers"]["realise"] is None
    assert rows["aidants"]["realise"] == 5 and rows["aidants"]["progression_pct"] == 25.0


def test_public_targets(client, setup):
    data = client.get(f"{BASE}/api/objectifs").json()
    assert [row["territorial"] for row in data["objectifs"]] == [50_695, 127, 12_674, 158]
