import json

import pytest
import yaml

from maillage.core.models import AuditEntry
from maillage.roadmap.enums import ActionStatus
from maillage.roadmap.models import Action, ActionStatusChange, Roadmap
from maillage.roadmap.services import RoadmapImportError, roadmap_export, roadmap_import
from tests.roadmap.helpers import as_yaml, import_n28, minimal_document
from tests.structures.factories import StructureFactory


def test_the_eure_et_loir_roadmap_file_has_the_documented_structure():
    roadmap = import_n28()
    assert roadmap.name == "Numérique 28 Ensemble"
    assert str(roadmap.territory) == "departement:28"
    assert (roadmap.start_year, roadmap.end_year) == (2024, 2027)
    assert roadmap.axes.count() == 5
    assert sum(axis.groups.count() for axis in roadmap.axes.all()) == 29
    per_axis = [roadmap.actions.filter(group__axis__number=n).count() for n in range(1, 6)]
    assert per_axis == [18, 22, 13, 16, 14]
    # 44 actions under the 13 bold groups, 39 thematic actions under the 16 theme groups.
    assert roadmap.actions.filter(group__theme__isnull=True).count() == 44
    assert roadmap.actions.filter(group__theme__isnull=False).count() == 39
    assert roadmap.indicators.count() == 9
    assert set(roadmap.themes.filter(is_priority=True).values_list("label", flat=True)) == {
        "Éducation / jeunesse",
        "Emploi / insertion",
        "Insertion sociale / précarité",
        "Santé",
        "Autonomie / dépendance",
    }
    assert roadmap.themes.filter(is_priority=False, code="transversal").exists()
    assert all(action.status == ActionStatus.PROPOSEE for action in roadmap.actions.all())


def test_import_is_idempotent_and_keeps_status_history():
    roadmap = import_n28()
    action = roadmap.actions.get(code="1.1.1")
    action.status = ActionStatus.EN_COURS
    action.save()
    before = Action.objects.count()
    import_n28()
    assert Roadmap.objects.count() == 1
    assert Action.objects.count() == before == 83
    action.refresh_from_db()
    # The file says « proposée »: the change is recorded, not silently overwritten.
    assert action.status == ActionStatus.PROPOSEE
    assert ActionStatusChange.objects.filter(action=action, comment="import").count() == 1


def test_a_wrong_file_is_refused_whole_with_line_field_value_and_reason():
    document = minimal_document()
    document["axes"][0]["groupes"][0]["actions"].append(
        {"numero": "1.1.2", "titre": "Bus", "thematiques": ["inconnue"], "statut": "terminee", "debut": "2025-13-01"}
    )
    document["feuille_de_route"]["fin"] = 2020
    data = as_yaml(document)
    with pytest.raises(RoadmapImportError) as caught:
        roadmap_import(actor=None, data=data, filename="essai.yaml")
    problems = {p.field: p for p in caught.value.problems}
    assert set(problems) >= {
        "feuille_de_route.fin",
        "axes[0].groupes[0].actions[1].thematiques[0]",
        "axes[0].groupes[0].actions[1].statut",
        "axes[0].groupes[0].actions[1].debut",
    }
    lines = data.decode().splitlines()
    status = problems["axes[0].groupes[0].actions[1].statut"]
    assert status.value == "terminee" and "terminee" in lines[status.line - 1]
    assert "Valeur inconnue" in status.reason
    assert not Roadmap.objects.exists()  # all or nothing


def test_unknown_structures_are_errors_and_known_ones_become_porteurs():
    structure = StructureFactory(nom="Médiathèque de Chartres")
    document = minimal_document()
    document["axes"][0]["groupes"][0]["actions"][0]["porteurs"] = ["médiathèque de chartres"]
    document["axes"][0]["groupes"][0]["actions"][0]["partenaires"] = ["Association fantôme"]
    with pytest.raises(RoadmapImportError) as caught:
        roadmap_import(actor=None, data=as_yaml(document), filename="x.yaml")
    assert [p.value for p in caught.value.problems] == ["Association fantôme"]
    del document["axes"][0]["groupes"][0]["actions"][0]["partenaires"]
    roadmap = roadmap_import(actor=None, data=as_yaml(document), filename="x.yaml").roadmap
    assert list(roadmap.actions.get().porteurs.all()) == [structure]


def test_syntax_errors_give_the_line():
    with pytest.raises(RoadmapImportError) as caught:
        roadmap_import(actor=None, data=b"format: x\naxes: [1, 2\nautre: 3\n", filename="casse.yaml")
    assert caught.value.problems[0].line is not None


def test_fund_allocations_beyond_contributions_and_shares_not_totalling_100_are_refused():
    document = minimal_document(
        financeurs=[{"nom": "État"}, {"nom": "Département"}],
        fonds=[
            {
                "nom": "Fonds",
                "contributions": [{"financeur": "État", "date": "2025-01-01", "montant": 1000}],
                "attributions": [{"date": "2025-02-01", "montant": 1500, "action": "1.1.1"}],
            }
        ],
        postes=[
            {
                "intitule": "Conseillers",
                "postes": 4,
                "montant_par_poste": 50000,
                "parts": [{"financeur": "État", "pourcentage": 60}, {"financeur": "Département", "pourcentage": 30}],
            }
        ],
    )
    with pytest.raises(RoadmapImportError) as caught:
        roadmap_import(actor=None, data=as_yaml(document), filename="x.yaml")
    assert {p.field for p in caught.value.problems} == {"fonds[0].attributions", "postes[0].parts"}


def test_export_then_import_gives_the_same_document(tmp_path):
    structure = StructureFactory(nom="CCAS de Dreux")
    document = minimal_document(
        financeurs=[{"nom": "État", "type": "État"}],
        financements=[
            {
                "financeur": "État",
                "beneficiaire": "CCAS de Dreux",
                "type": "poste_aide",
                "montant": 25000.5,
                "action": "1.1.1",
                "confidentiel": True,
            }
        ],
        indicateurs=[
            {
                "code": "lieux",
                "nom": "Lieux",
                "unite": "lieux",
                "calcul": {"source": "places.lieux", "parametres": {"dispositif": "France Services"}},
                "cible": {"valeur": 30, "date": "2027-12-31"},
                "valeurs": [{"date": "2025-01-01", "valeur": 12}],
                "actions": ["1.1.1"],
            }
        ],
        gouvernance=[
            {
                "type": "copil",
                "nom": "COPIL",
                "membres": [
                    {"organisation": "CCAS de Dreux"},
                    {"organisation": "Préfecture", "fonction": "Co-porteur"},
                ],
                "reunions": [
                    {
                        "date": "2025-03-01",
                        "titre": "COPIL 1",
                        "presents": ["Préfecture"],
                        "decisions": [{"texte": "Action validée", "actions": ["1.1.1"], "axes": [1]}],
                    }
                ],
            }
        ],
    )
    document["axes"][0]["groupes"][0]["actions"][0].update(
        {"porteurs": ["CCAS de Dreux"], "budget": [{"libelle": "Bus", "montant": 40000, "depense": 1000}]}
    )
    roadmap = roadmap_import(actor=None, data=as_yaml(document), filename="x.yaml").roadmap
    assert roadmap.financing_lines.get().beneficiary == structure
    exported = yaml.safe_load(roadmap_export(actor=None, roadmap=roadmap))
    as_json = json.loads(roadmap_export(actor=None, roadmap=roadmap, fmt="json"))
    assert exported == as_json
    Roadmap.objects.all().delete()
    again = roadmap_import(actor=None, data=json.dumps(as_json).encode(), filename="x.json").roadmap
    assert yaml.safe_load(roadmap_export(actor=None, roadmap=again)) == exported
    assert exported["financements"][0]["montant"] == 25000.5
    assert AuditEntry.objects.filter(action="roadmap.imported").count() == 2


def test_the_command_imports_and_reports_errors(tmp_path, capsys):
    from django.core.management import CommandError, call_command

    bad = tmp_path / "mauvais.yaml"
    bad.write_bytes(as_yaml(minimal_document(format="autre")))
    report = tmp_path / "rapport.json"
    with pytest.raises(CommandError):
        call_command("roadmap", "import", str(bad), "--report", str(report))
    assert json.loads(report.read_text())[0]["champ"] == "format"
    good = tmp_path / "bon.yaml"
    good.write_bytes(as_yaml(minimal_document()))
    call_command("roadmap", "import", str(good), "--dry-run")
    assert not Roadmap.objects.exists()
    call_command("roadmap", "import", str(good))
    out = tmp_path / "export.json"
    call_command("roadmap", "export", "essai", str(out))
    assert json.loads(out.read_text())["axes"][0]["groupes"][0]["actions"][0]["numero"] == "1.1.1"


def test_a_coordinator_imports_only_for_his_territory():
    from django.core.exceptions import PermissionDenied

    from tests.structures.factories import MembershipFactory

    loiret = MembershipFactory(coordinateur=True, territory_code="45").user
    with pytest.raises(PermissionDenied):
        roadmap_import(actor=loiret, data=as_yaml(minimal_document()), filename="x.yaml")
    eure_et_loir = MembershipFactory(coordinateur=True).user
    assert roadmap_import(actor=eure_et_loir, data=as_yaml(minimal_document()), filename="x.yaml").created


def test_the_eure_et_loir_roadmap_survives_an_export_import_round_trip():
    roadmap = import_n28()
    exported = roadmap_export(actor=None, roadmap=roadmap)
    Roadmap.objects.all().delete()
    again = roadmap_import(actor=None, data=exported.encode(), filename="n28.yaml").roadmap
    assert again.actions.count() == 83 and again.indicators.count() == 9 and again.bodies.count() == 7
    assert roadmap_export(actor=None, roadmap=again) == exported
    decision = again.bodies.get(kind="cotech").meetings.get().decisions.get()
    assert decision.axes.count() == 5 and decision.documents.get().code == "prefiguration-plan-actions"
