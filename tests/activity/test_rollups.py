"""Rollups are exact: after any sequence of writes they equal GROUP BY on the raw activities."""

import datetime as dt
import importlib
from types import SimpleNamespace

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import ProtectedError

from maillage.activity import rollups, services
from maillage.activity.generate import generate_activities
from maillage.activity.models import PUBLIC_COLUMNS, Activity, DailyRollup, MonthlyDepartementRollup, MonthlyRollup
from maillage.activity.selectors import _split, activity_figures, monthly_series, raw_figures
from maillage.territories.models import Commune
from maillage.territories.territory import TerritoryRef
from tests.activity.factories import BeneficiaryFactory
from tests.structures.factories import MembershipFactory, StructureFactory
from tests.users.factories import UserFactory

DEP = TerritoryRef("departement", "28")
PERIODS = [
    (None, None),
    (dt.date(2024, 1, 1), dt.date(2024, 12, 31)),
    (dt.date(2024, 2, 10), dt.date(2024, 6, 3)),
    (dt.date(2024, 3, 5), dt.date(2024, 3, 20)),
    (dt.date(2023, 11, 30), None),
    (None, dt.date(2024, 8, 15)),
]


def _values(**overrides):
    values = {
        "type": "individuel",
        "date": dt.date(2024, 3, 14),
        "duree": 45,
        "type_lieu": "lieu_activite",
        "thematiques": ["email", "securite_numerique"],
        "materiel": ["ordinateur"],
        "autonomie": "autonome",
        "oriente_vers_structure": True,
        "structure_de_redirection": "administration",
        "participants_anonymes": 1,
    }
    values.update(overrides)
    return values


REFS = (None, DEP, TerritoryRef("region", "24"), TerritoryRef("commune", "28085"), TerritoryRef("epci", "242800768"))


def _assert_exact(refs=REFS):
    for ref in refs:
        for start, end in PERIODS:
            assert activity_figures(ref, start, end) == raw_figures(ref, start, end), (ref, start, end)


@pytest.mark.parametrize(
    ("start", "end"),
    [(dt.date(2024, 2, 10), dt.date(2024, 6, 3)), (dt.date(2024, 3, 1), dt.date(2024, 3, 31)), (None, None)],
)
def test_split_covers_the_period_exactly(start, end):
    months, days = _split(start, end)
    covered = set()
    if months:
        low, high = months
        day = low or dt.date(2024, 1, 1)
        while day <= (high or dt.date(2024, 12, 31)):
            covered.add(day)
            day += dt.timedelta(days=1)
    for low, high in days:
        day = low
        while day <= high:
            assert day not in covered
            covered.add(day)
            day += dt.timedelta(days=1)
    if start and end:
        assert covered == {start + dt.timedelta(days=i) for i in range((end - start).days + 1)}


def test_incremental_create_update_delete_stay_exact():
    membership = MembershipFactory()
    user, structure = membership.user, membership.structure
    followed = BeneficiaryFactory(structure=structure)
    first = services.activity_create(actor=user, structure=structure, values=_values())
    services.activity_create(
        actor=user,
        structure=structure,
        values=_values(
            type="collectif", participants_anonymes=6, date=dt.date(2024, 5, 2), duree=120, thematiques=["bureautique"]
        ),
        followed=[followed],
    )
    services.activity_create(
        actor=user,
        structure=structure,
        values=_values(
            type_lieu="domicile",
            lieu_commune_id="28134",
            beneficiaire_commune=Commune.objects.get(code="28134"),
            date=dt.date(2024, 3, 2),
        ),
    )
    services.activity_create(
        actor=user, structure=structure, values=_values(date=dt.date(2023, 12, 1)), followed=[followed]
    )
    _assert_exact()
    figures = activity_figures(DEP)
    assert figures["accompagnements"] == 1 + 7 + 1 + 1
    assert figures["beneficiaires"] == 1 + 6 + 1 + 1  # anonymous people + one distinct followed person
    assert figures["thematiques"]["email"] == 3 and figures["thematiques"]["bureautique"] == 7
    manager = MembershipFactory(gestionnaire=True, structure=structure).user  # the author's window is over
    services.activity_update(actor=manager, activity=first, values=_values(date=dt.date(2024, 7, 9), duree=15))
    _assert_exact()
    services.activity_delete(actor=manager, activity=first)
    _assert_exact()
    assert activity_figures(DEP)["accompagnements"] == 9
    assert not DailyRollup.objects.filter(period=dt.date(2024, 7, 9)).exists()


def test_generated_and_rebuilt_rollups_match_the_raw_data():
    StructureFactory(), StructureFactory(commune_id="28134")
    generate_activities(n=1500, seed=7, departement="28", start=dt.date(2023, 10, 1), end=dt.date(2024, 12, 31))
    _assert_exact()
    before = list(MonthlyRollup.objects.order_by("period", "structure_id", "commune_code").values())
    departements = list(MonthlyDepartementRollup.objects.order_by("period", "departement_code").values())
    rollups.rebuild()
    after = list(MonthlyRollup.objects.order_by("period", "structure_id", "commune_code").values())
    assert [dict(row, id=0) for row in before] == [dict(row, id=0) for row in after]
    rebuilt = list(MonthlyDepartementRollup.objects.order_by("period", "departement_code").values())
    assert [dict(row, id=0) for row in departements] == [dict(row, id=0) for row in rebuilt]
    series = monthly_series(DEP, dt.date(2024, 1, 15), dt.date(2024, 3, 31))
    assert [month for month, _ in series] == [dt.date(2024, 1, 1), dt.date(2024, 2, 1), dt.date(2024, 3, 1)]
    assert (
        sum(total for _, total in series)
        == raw_figures(DEP, dt.date(2024, 1, 15), dt.date(2024, 3, 31))["accompagnements"]
    )


def test_generation_is_reproducible():
    StructureFactory()
    generate_activities(n=300, seed=3, departement="28", start=dt.date(2024, 1, 1), end=dt.date(2024, 6, 30))
    first = raw_figures()
    generate_activities(n=300, seed=3, departement="28", start=dt.date(2024, 1, 1), end=dt.date(2024, 6, 30))
    second = raw_figures()
    assert second["accompagnements"] == 2 * first["accompagnements"]
    assert second["thematiques"] == {key: 2 * value for key, value in first["thematiques"].items()}


def test_rollups_command_rebuilds(capsys):
    StructureFactory()
    generate_activities(n=50, seed=1, departement="28")
    DailyRollup.objects.all().delete()
    call_command("activity", "rollups", "--rebuild")
    assert "exacts" in capsys.readouterr().out
    _assert_exact(refs=(DEP,))


def test_migration_0007_fills_the_anonymous_publics_of_existing_rollup_rows():
    StructureFactory()
    generate_activities(n=400, seed=9, departement="28", start=dt.date(2024, 1, 1), end=dt.date(2024, 6, 30))
    models = (DailyRollup, MonthlyRollup, MonthlyDepartementRollup)
    expected = {model: list(model.objects.order_by("pk").values()) for model in models}
    assert any(row["anonymes_genre_feminin"] for row in expected[MonthlyRollup])
    for model in models:  # rollups as they were before the migration: the new columns at 0
        model.objects.update(**dict.fromkeys(PUBLIC_COLUMNS, 0))
    migration = importlib.import_module("maillage.activity.migrations.0007_rollup_anonymous_publics")
    migration.fill_anonymous_publics(None, SimpleNamespace(connection=connection))
    assert {model: list(model.objects.order_by("pk").values()) for model in models} == expected


def test_references_without_database_constraints_still_hold(capsys):
    """Decision 005: the activity table's foreign keys are kept by Django and checked by a command."""
    structure = StructureFactory()
    author = MembershipFactory(structure=structure).user
    activity = services.activity_create(actor=author, structure=structure, values=_values())
    with pytest.raises(ProtectedError):
        structure.delete()
    leaver = UserFactory()  # a médiateur who left (the author stays: the journal protects him)
    Activity.objects.filter(pk=activity.pk).update(mediateur=leaver)
    leaver.delete()  # on_delete=SET_NULL, applied by Django
    activity.refresh_from_db()
    assert activity.mediateur_id is None and activity.structure_id == structure.pk
    call_command("activity", "rollups")
    assert "toutes présentes" in capsys.readouterr().out
    with connection.cursor() as cursor:  # what only a raw write could do
        cursor.execute(f"UPDATE {Activity._meta.db_table} SET structure_id = %s", [structure.pk + 1000])
    assert services.orphan_references()["structure"] == 1
    with pytest.raises(CommandError, match="structure : 1"):
        call_command("activity", "rollups")
