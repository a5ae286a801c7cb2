from django.urls import reverse

from maillage.core import audit
from tests.structures.factories import MembershipFactory, StructureFactory


def _entries(client):
    return client.get(reverse("core:journal")).content.decode()


def test_journal_scopes_and_filters(client):
    chartres = StructureFactory(nom="Structure de Chartres")
    orleans = StructureFactory(in_loiret=True, nom="Structure d'Orléans")
    audit.record(actor=None, action="structures.structure_updated", obj=chartres, structure=chartres)
    audit.record(actor=None, action="structures.structure_updated", obj=orleans, structure=orleans)
    audit.record(actor=None, action="structures.invitation_sent", obj=chartres, structure=chartres, personal_data=True)

    client.force_login(MembershipFactory(coordinateur=True).user)  # Eure-et-Loir
    html = _entries(client)
    assert "Structure de Chartres" in html and "Structure d&#x27;Orléans" not in html
    filtered = client.get(reverse("core:journal"), {"action": "structures.invitation_sent"}).content.decode()
    assert filtered.count("<time") == 1 and "Invitation envoyée" in filtered
    personal = client.get(reverse("core:journal"), {"donnees_personnelles": "on"}).content.decode()
    assert personal.count("<time") == 1

    other = StructureFactory(nom="Autre structure de Chartres")
    audit.record(actor=None, action="structures.structure_updated", obj=other, structure=other)
    client.force_login(MembershipFactory(gestionnaire=True, structure=chartres).user)
    html = _entries(client)
    assert "Structure de Chartres" in html and "Autre structure de Chartres" not in html


def test_journal_rejects_inverted_dates(client):
    client.force_login(MembershipFactory(coordinateur=True).user)
    html = client.get(reverse("core:journal"), {"du": "2026-02-01", "au": "2026-01-01"}).content.decode()
    assert "La date de fin doit suivre la date de début" in html
