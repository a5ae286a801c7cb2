import pytest
from django.db import DatabaseError, connection, transaction

from maillage.core import audit
from maillage.core.models import AppendOnlyError, AuditEntry
from tests.structures.factories import StructureFactory
from tests.users.factories import UserFactory


def test_record_places_the_entry_in_its_territory_and_structure():
    actor, other = UserFactory(), UserFactory()
    structure = StructureFactory()
    entry = audit.record(
        actor=actor,
        action="structures.structure_updated",
        obj=structure,
        structure=structure,
        on_behalf_of=other,
        payload={"changes": {"nom": ["a", "b"]}},
    )
    entry.refresh_from_db()
    assert entry.actor == actor and entry.on_behalf_of == other
    assert (entry.departement_code, entry.epci_code) == ("28", "200033181")  # Chartres Métropole
    assert entry.structure_id == structure.pk
    assert entry.object_type == "structures.structure" and entry.object_id == str(structure.pk)
    assert entry.action_label == "Structure modifiée"


def test_command_runs_tag_their_entries():
    with audit.command_run() as run_id:
        entry = audit.record(actor=None, action="x.y")
    assert entry.run_id == run_id and len(run_id) == 36
    assert audit.record(actor=None, action="x.y").run_id == ""


def test_entries_cannot_be_changed_or_deleted_through_the_orm():
    entry = audit.record(actor=None, action="x.y", payload={"a": 1})
    entry.payload = {"a": 2}
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).update(action="changed")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).delete()
    entry.refresh_from_db()
    assert entry.payload == {"a": 1} and entry.action == "x.y"


def test_actor_with_journal_entries_cannot_be_deleted():
    actor = UserFactory()
    audit.record(actor=actor, action="x.y")
    with pytest.raises(Exception, match="protected"):
        actor.delete()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the database-level guard is PostgreSQL's trigger")
@pytest.mark.parametrize(
    "statement", ["UPDATE core_auditentry SET action = 'x' WHERE id = %s", "DELETE FROM core_auditentry WHERE id = %s"]
)
def test_postgresql_refuses_raw_updates_and_deletes(statement):
    entry = audit.record(actor=None, action="x.y")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, [entry.pk])
    assert AuditEntry.objects.filter(pk=entry.pk, action="x.y").exists()
