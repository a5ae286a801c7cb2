import datetime as dt
import re
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from maillage.core.models import AuditEntry
from maillage.roadmap.enums import ActionStatus
from maillage.roadmap.models import ActionStatusChange
from tests.roadmap.factories import (
    ActionFactory,
    BudgetLineFactory,
    FinancingLineFactory,
    FunderFactory,
    IndicatorFactory,
    RoadmapFactory,
)
from tests.roadmap.helpers import import_n28
from tests.structures.factories import MembershipFactory, StructureFactory


@pytest.fixture
def n28():
    return import_n28()


@pytest.fixture
def coordinateur():
    return MembershipFactory(coordinateur=True).user


@pytest.fixture
def observateur():
    return MembershipFactory(observateur=True).user


def test_plan_page_shows_the_five_axes_and_filters(client, n28, coordinateur):
    client.force_login(coordinateur)
    html = client.get(f"/feuille-de-route/{n28.slug}/").content.decode()
    assert html.count("<h3>Axe ") == 5
    assert "Éléments de diagnostic de l'axe 4" in html and "huit personnes sur dix" in html
    assert "1.1.1" in html and "5.5.2" in html
    filtered = client.get(f"/feuille-de-route/{n28.slug}/?thematique=sante").content.decode()
    assert "1.7.1" in filtered and "1.1.1 " not in filtered


def test_matrix_counts_actions_per_axis_and_theme(client, n28, coordinateur):
    client.force_login(coordinateur)
    response = client.get(f"/feuille-de-route/{n28.slug}/matrice/")
    matrix = response.context["matrix"]
    labels = [theme.code for theme in matrix["themes"]]
    axis2 = matrix["rows"][1]["values"]
    assert axis2[labels.index("education-jeunesse")] == 5
    assert axis2[labels.index("transversal")] == 11
    assert sum(matrix["totals"]) == 83


def test_porteur_moves_own_action_but_not_others_and_history_is_kept(client, n28):
    structure = StructureFactory()
    member = MembershipFactory(structure=structure).user
    mine, other = n28.actions.get(code="1.1.1"), n28.actions.get(code="1.1.2")
    mine.porteurs.add(structure)
    mine.status = ActionStatus.VALIDEE
    mine.save()
    client.force_login(member)
    response = client.post(f"/feuille-de-route/{n28.slug}/actions/1.1.1/statut/", {"status": "en_cours"})
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.status == ActionStatus.EN_COURS
    change = ActionStatusChange.objects.filter(action=mine).last()
    assert (change.from_status, change.to_status, change.actor) == ("validee", "en_cours", member)
    assert client.post(f"/feuille-de-route/{n28.slug}/actions/1.1.2/statut/", {"status": "validee"}).status_code == 403
    other.refresh_from_db()
    assert other.status == ActionStatus.PROPOSEE
    assert AuditEntry.objects.filter(action="roadmap.action_status_changed", object_id=str(mine.pk)).exists()


def test_a_porteur_cannot_validate_and_transitions_are_enforced(client, n28, coordinateur):
    structure = StructureFactory()
    member = MembershipFactory(structure=structure).user
    action = n28.actions.get(code="2.1.1")
    action.porteurs.add(structure)
    client.force_login(member)
    client.post(f"/feuille-de-route/{n28.slug}/actions/2.1.1/statut/", {"status": "validee"})
    action.refresh_from_db()
    assert action.status == ActionStatus.PROPOSEE
    client.force_login(coordinateur)
    client.post(f"/feuille-de-route/{n28.slug}/actions/2.1.1/statut/", {"status": "realisee"})
    action.refresh_from_db()
    assert action.status == ActionStatus.PROPOSEE  # proposée → réalisée is not a move
    client.post(f"/feuille-de-route/{n28.slug}/actions/2.1.1/statut/", {"status": "validee"})
    action.refresh_from_db()
    assert action.status == ActionStatus.VALIDEE


def test_editing_an_action_calendar_shows_in_the_calendar(client, n28, coordinateur):
    client.force_login(coordinateur)
    response = client.post(
        f"/feuille-de-route/{n28.slug}/actions/1.3.1/modifier/",
        {
            "description": "Bus itinérant",
            "resources": "2 médiateurs",
            "start_date": "2025-03-01",
            "end_date": "2025-02-01",
        },
    )
    assert response.status_code == 200 and "La fin doit suivre le début." in response.content.decode()
    client.post(
        f"/feuille-de-route/{n28.slug}/actions/1.3.1/modifier/",
        {
            "description": "Bus itinérant",
            "resources": "2 médiateurs",
            "start_date": "2025-03-01",
            "end_date": "2026-02-01",
        },
    )
    html = client.get(f"/feuille-de-route/{n28.slug}/calendrier/").content.decode()
    assert "Mars 2025" in html and "action 1.3.1" in html


def test_indicators_page_shows_live_value_and_unavailable_sources(client, n28, coordinateur, monkeypatch):
    from maillage.core import indicators
    from tests.places.factories import PlaceFactory

    # The activity app may be installed: its source is withdrawn to show an unavailable one.
    monkeypatch.delitem(indicators._sources, "activity.accompagnements", raising=False)
    client.force_login(coordinateur)
    rows = {
        row.indicator.code: row for row in client.get(f"/feuille-de-route/{n28.slug}/indicateurs/").context["rows"]
    }
    assert rows["lieux-inclusion-numerique"].actual == 0
    assert rows["accompagnements"].unavailable
    PlaceFactory.create_batch(2, dispositif_programmes_nationaux=["France Services"])
    rows = {
        row.indicator.code: row for row in client.get(f"/feuille-de-route/{n28.slug}/indicateurs/").context["rows"]
    }
    assert rows["lieux-inclusion-numerique"].actual == 2
    assert rows["lieux-france-services"].actual == 2
    assert rows["lieux-aidants-connect"].actual == 0
    assert "source indisponible" in client.get(f"/feuille-de-route/{n28.slug}/indicateurs/").content.decode()


def test_entered_value_keeps_who_and_when_and_feeds_the_national_target(client, n28, coordinateur):
    client.force_login(coordinateur)
    response = client.post(
        f"/feuille-de-route/{n28.slug}/indicateurs/aidants-numeriques/valeur/",
        {"date": "2025-06-30", "value": "140", "comment": "bilan"},
    )
    assert response.status_code == 302
    value = n28.indicators.get(code="aidants-numeriques").values.get()
    assert value.entered_by == coordinateur and value.value == 140
    targets = client.get(f"/feuille-de-route/{n28.slug}/objectifs/").context["result"]
    aidants = {row.target.key: row for row in targets.targets}["aidants"]
    assert aidants.local == 127 and aidants.actual == 140 and aidants.progress == 110.2


def test_observateur_cannot_enter_values(client, n28, observateur):
    client.force_login(observateur)
    client.post(
        f"/feuille-de-route/{n28.slug}/indicateurs/aidants-numeriques/valeur/", {"date": "2025-06-30", "value": "1"}
    )
    assert not n28.indicators.get(code="aidants-numeriques").values.exists()


@pytest.fixture
def financed():
    roadmap = RoadmapFactory(slug="finance")
    action = ActionFactory(group__axis__roadmap=roadmap, code="1.1.1", title="Bus numérique")
    covered = ActionFactory(group=action.group, code="1.1.2", title="Cartographie")
    BudgetLineFactory(action=action, amount=Decimal("100000"), spent=Decimal("20000"))
    BudgetLineFactory(action=covered, amount=Decimal("10000"))
    state, cd = FunderFactory(roadmap=roadmap, name="État"), FunderFactory(roadmap=roadmap, name="Département")
    FinancingLineFactory(funder=state, action=action, amount=Decimal("50000"))
    FinancingLineFactory(funder=cd, action=action, amount=Decimal("30000"), is_confidential=True)
    FinancingLineFactory(funder=cd, action=covered, amount=Decimal("10000"))
    return roadmap


def test_financing_overview_shares_and_alerts(client, financed, coordinateur, observateur):
    client.force_login(coordinateur)
    overview = client.get("/feuille-de-route/finance/financements/").context["overview"]
    rows = {row.action.code: row for row in overview["actions"]}
    assert rows["1.1.1"].financed == Decimal("80000") and rows["1.1.1"].gap == Decimal("20000")
    assert rows["1.1.1"].by_funder == [("État", Decimal("50000"), 50.0), ("Département", Decimal("30000"), 30.0)]
    assert [row.action.code for row in overview["alerts"]] == ["1.1.1"]
    assert not rows["1.1.2"].alert
    client.force_login(observateur)
    overview = client.get("/feuille-de-route/finance/financements/").context["overview"]
    assert {row.action.code: row for row in overview["actions"]}["1.1.1"].financed == Decimal("50000")
    assert "30000" not in client.get("/feuille-de-route/finance/financements/").content.decode()


def test_transparency_page_has_no_confidential_amount_and_no_personal_data(client, financed, coordinateur):
    action = financed.actions.get(code="1.1.1")
    from maillage.roadmap.services import action_status_change

    action_status_change(actor=coordinateur, action=action, status="validee", comment="COPIL")
    response = client.get("/feuille-de-route/finance/transparence/")
    html = response.content.decode()
    assert response.context["total_financed"] == Decimal("60000")  # 50,000 + 10,000: the 30,000 stays hidden
    compact = re.sub(r"[\s\u202f\u00a0]", "", html)
    assert "60000" in compact
    assert "30000" not in compact and "90000" not in compact
    assert coordinateur.email not in html


def test_copil_report_page_pdf_and_xlsx(client, financed, observateur, coordinateur):
    from maillage.roadmap.services import action_status_change

    action = financed.actions.get(code="1.1.1")
    action_status_change(actor=coordinateur, action=action, status="validee")
    IndicatorFactory(roadmap=financed, code="lieux", name="Lieux", source_key="places.lieux", target=10)
    client.force_login(observateur)
    today = dt.date.today()  # noqa: DTZ011
    query = f"?du={today.replace(month=1, day=1):%Y-%m-%d}&au={today:%Y-%m-%d}"
    response = client.get(f"/feuille-de-route/finance/rapport/{query}")
    assert [c.action.code for c in response.context["changes"]] == ["1.1.1"]
    assert "<svg" in response.content.decode() and "Actions par axe et par statut" in response.content.decode()
    assert response.context["financing"]["show_confidential"] is False
    pdf = client.get(f"/feuille-de-route/finance/rapport.pdf{query}")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    xlsx = client.get(f"/feuille-de-route/finance/rapport.xlsx{query}")
    import io

    workbook = load_workbook(io.BytesIO(xlsx.content))
    assert "Changements de statut" in workbook.sheetnames
    actions = list(workbook["Actions"].iter_rows(values_only=True))
    assert [row[2] for row in actions[1:]] == ["1.1.1", "1.1.2"] and actions[1][4] == "Validée"
    rows = list(workbook["Changements de statut"].iter_rows(values_only=True))
    assert rows[1][2] == "1.1.1" and rows[1][5] == "Validée"
    funding = {row[0]: row for row in workbook["Financement des actions"].iter_rows(values_only=True)}
    assert funding["1.1.1"][3] == 50000  # observateur: the confidential 30,000 is left out


def test_import_page_reports_errors_and_imports(client, coordinateur):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.roadmap.helpers import as_yaml, minimal_document

    client.force_login(coordinateur)
    bad = minimal_document()
    bad["axes"][0]["numero"] = "un"
    response = client.post("/feuille-de-route/import/", {"fichier": SimpleUploadedFile("f.yaml", as_yaml(bad))})
    assert response.status_code == 200
    assert [p.field for p in response.context["problems"]] == ["axes[0].numero"]
    response = client.post(
        "/feuille-de-route/import/", {"fichier": SimpleUploadedFile("f.yaml", as_yaml(minimal_document()))}
    )
    assert response.status_code == 302 and response["Location"] == "/feuille-de-route/essai/"
    exported = client.get("/feuille-de-route/essai/export.yaml")
    assert b"Cartographier" in exported.content


def test_demo_seed_is_idempotent():
    from maillage.demo.services import demo_seed
    from maillage.roadmap.models import FinancingLine, Roadmap

    demo_seed(departement="28")
    demo_seed(departement="28")
    roadmap = Roadmap.objects.get()
    assert roadmap.actions.count() == 83
    assert FinancingLine.objects.count() == 4
    assert roadmap.actions.get(code="1.1.2").porteurs.filter(nom="France Services de Châteaudun").exists()


def test_coordinator_records_a_meeting_with_a_decision_on_actions(client, n28, coordinateur):
    client.force_login(coordinateur)
    copil = n28.bodies.get(kind="copil")
    members = list(copil.members.all())
    url = f"/feuille-de-route/{n28.slug}/gouvernance/{copil.pk}/reunion/"
    response = client.post(url, {"date": "2025-03-12", "title": "COPIL", "decision_actions": "1.1.1, 9.9.9"})
    assert "Actions inconnues : 9.9.9." in response.content.decode()
    response = client.post(
        url,
        {
            "date": "2025-03-12",
            "title": "COPIL de mars",
            "attendees": [members[0].pk],
            "decision": "Les actions 1.1.1 et 1.2.4 sont validées.",
            "decision_actions": "1.1.1, 1.2.4",
            "decision_documents": [n28.documents.get(code="diagnostic-2023").pk],
        },
    )
    assert response.status_code == 302
    meeting = copil.meetings.get()
    decision = meeting.decisions.get()
    assert sorted(a.code for a in decision.actions.all()) == ["1.1.1", "1.2.4"]
    assert list(meeting.attendees.all()) == [members[0]]
    html = client.get(f"/feuille-de-route/{n28.slug}/gouvernance/").content.decode()
    assert "COPIL de mars" in html and "Diagnostic territorial partagé" in html


def test_coordinator_adds_a_financing_line(client, financed, coordinateur):
    client.force_login(coordinateur)
    funder = financed.funders.get(name="État")
    action = financed.actions.get(code="1.1.2")
    response = client.post(
        "/feuille-de-route/finance/financements/ajouter/",
        {"funder": funder.pk, "type": "appel_a_projets", "amount": "1500", "action": action.pk, "purpose": "AAP"},
    )
    assert response.status_code == 302
    assert financed.financing_lines.filter(purpose="AAP", amount=Decimal("1500"), action=action).exists()


def test_departement_page_shows_the_roadmap_panel(client, n28):
    html = client.get("/territoires/departements/28/").content.decode()
    assert "Numérique 28 Ensemble" in html and "83 proposée" in html
    assert "Numérique 28 Ensemble" not in client.get("/territoires/departements/45/").content.decode()


def test_porteur_reports_milestones_and_spending_from_the_action_page(client, n28):
    from tests.roadmap.factories import BudgetLineFactory, MilestoneFactory

    structure = StructureFactory()
    member = MembershipFactory(structure=structure).user
    action = n28.actions.get(code="1.3.1")
    action.porteurs.add(structure)
    milestone = MilestoneFactory(action=action)
    line = BudgetLineFactory(action=action, amount=Decimal("180000"))
    client.force_login(member)
    base = f"/feuille-de-route/{n28.slug}/actions/1.3.1"
    client.post(f"{base}/jalons/{milestone.pk}/", {"done_on": "2025-06-12"})
    client.post(f"{base}/budget/{line.pk}/", {"spent": "60000.50"})
    milestone.refresh_from_db()
    line.refresh_from_db()
    assert milestone.done_on == dt.date(2025, 6, 12) and line.spent == Decimal("60000.50")
    client.post(f"{base}/budget/{line.pk}/", {"spent": "-1"})
    line.refresh_from_db()
    assert line.spent == Decimal("60000.50")


def test_fund_movements_from_the_page_respect_the_balance(client, financed, coordinateur):
    from maillage.roadmap.models import Fund

    fund = Fund.objects.create(roadmap=financed, name="Fonds d'inclusion numérique")
    funder = financed.funders.get(name="État")
    action = financed.actions.get(code="1.1.1")
    client.force_login(coordinateur)
    url = f"/feuille-de-route/finance/fonds/{fund.pk}/mouvement/"
    client.post(url, {"kind": "contribution", "date": "2025-01-10", "amount": "5000", "funder": funder.pk})
    response = client.post(url, {"kind": "allocation", "date": "2025-02-10", "amount": "6000", "action": action.pk})
    assert "Solde insuffisant" in response.content.decode()
    client.post(url, {"kind": "allocation", "date": "2025-02-10", "amount": "4000", "action": action.pk})
    overview = client.get("/feuille-de-route/finance/financements/").context["overview"]
    assert overview["funds"][0]["balance"] == Decimal("1000")
    row = {r.action.code: r for r in overview["actions"]}["1.1.1"]
    assert row.financed == Decimal("84000")  # 50,000 + 30,000 (confidential, coordinator) + 4,000 from the fund


def test_coordinator_records_a_workshop_and_the_actions_it_produced(client, n28, coordinateur):
    invited, came = StructureFactory(nom="CCAS de Dreux"), StructureFactory(nom="Hôpital de Chartres")
    client.force_login(coordinateur)
    url = f"/feuille-de-route/{n28.slug}/gouvernance/atelier/"
    data = {"title": "Atelier santé", "date": "2024-03-12", "invited": [invited.pk], "participants": [came.pk]}
    assert "doit avoir été invitée" in client.post(url, data).content.decode()
    data.update(invited=[invited.pk, came.pk], actions="1.7.1, 3.4.1", theme=n28.themes.get(code="sante").pk)
    assert client.post(url, data).status_code == 302
    workshop = n28.workshops.get()
    assert workshop.participant_count == 1
    assert sorted(a.code for a in workshop.actions.all()) == ["1.7.1", "3.4.1"]
    html = client.get(f"/feuille-de-route/{n28.slug}/actions/1.7.1/").content.decode()
    assert "Issue de l'atelier « Atelier santé »" in html


def test_names_of_contributors_are_shown_to_coordinators_only_and_journaled(client, n28, coordinateur, observateur):
    from maillage.roadmap.services import action_status_change

    action_status_change(actor=coordinateur, action=n28.actions.get(code="1.1.1"), status="validee")
    client.force_login(observateur)
    assert coordinateur.email not in client.get(f"/feuille-de-route/{n28.slug}/actions/1.1.1/").content.decode()
    assert not AuditEntry.objects.filter(action="roadmap.contributors_viewed").exists()
    client.force_login(coordinateur)
    assert coordinateur.email in client.get(f"/feuille-de-route/{n28.slug}/actions/1.1.1/").content.decode()
    entry = AuditEntry.objects.get(action="roadmap.contributors_viewed")
    assert entry.personal_data and entry.departement_code == "28"
