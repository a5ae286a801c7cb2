"""The bulk path (COPY + rollup deltas summed in memory) gives exactly what the SQL rollups give."""

import datetime as dt
import json

import numpy as np
import pytest
from django.utils import timezone

from maillage.activity import rollups
from maillage.activity.bulk import insert_activities
from maillage.activity.deltas import Delta, batch_deltas, blocks_deltas, territories_of
from maillage.activity.generate import generated_rows
from maillage.activity.ingest import COLUMNS
from maillage.activity.models import Activity, ActivityImport, DailyRollup, MonthlyDepartementRollup, MonthlyRollup
from maillage.activity.selectors import activity_figures, raw_figures
from maillage.activity.staging import binary_copy_data
from maillage.territories.models import Commune
from maillage.territories.territory import TerritoryRef
from tests.structures.factories import StructureFactory

ROLLUP_ORDER = {
    DailyRollup: ("period", "structure_id", "commune_code"),
    MonthlyRollup: ("period", "structure_id", "commune_code"),
    MonthlyDepartementRollup: ("period", "departement_code"),
}


def _tables() -> dict:
    return {
        model.__name__: [dict(row, id=0) for row in model.objects.order_by(*order).values()]
        for model, order in ROLLUP_ORDER.items()
    }


def _rows(n, seed, structures, batch, communes=("28085", "28134", "28280", "45234", "75056", "75108")):
    return list(
        generated_rows(
            n=n,
            seed=seed,
            structures=structures,
            communes=list(communes),
            start=dt.date(2024, 1, 25),
            end=dt.date(2024, 4, 10),
            batch_id=batch.pk,
        )
    )


@pytest.mark.parametrize("block", [250_000, 333])
def test_bulk_rollups_equal_the_sql_rollups_and_the_raw_data(block):
    structures = [(StructureFactory(commune_id=code).pk, code) for code in ("28085", "28134", "45234", "75108")]
    batch = ActivityImport.objects.create(filename="bulk")
    assert insert_activities(_rows(1200, 11, structures, batch), block=block) == 1200
    # A second batch lands on rows that already exist (upserts add to them).
    assert insert_activities(_rows(800, 12, structures, batch), block=block) == 800
    assert Activity.objects.count() == 2000
    bulk = _tables()
    assert len(bulk["DailyRollup"]) > 100 and len(bulk["MonthlyDepartementRollup"]) >= 3 * 4
    for ref in (
        None,
        TerritoryRef("departement", "28"),
        TerritoryRef("region", "11"),
        TerritoryRef("commune", "75056"),
    ):
        for start, end in ((None, None), (dt.date(2024, 2, 3), dt.date(2024, 3, 17)), (dt.date(2024, 2, 1), None)):
            assert activity_figures(ref, start, end) == raw_figures(ref, start, end), (ref, start, end)
    rollups.rebuild()  # the SQL path, from the raw activities
    assert _tables() == bulk


def test_deltas_follow_each_counter_rule():
    structure = StructureFactory(commune_id="28085")
    base = dict.fromkeys(COLUMNS, None)
    base.update(structure_id=structure.pk, commune_id="28085", thematiques_mask=0, autonomie="", type_lieu="domicile")

    def row(**values):
        return tuple({**base, **values}[name] for name in COLUMNS)

    found = batch_deltas(
        [
            row(
                type="individuel",
                date=dt.date(2024, 5, 2),
                duree=29,
                accompagnements_count=3,
                participants_anonymes=1,
                oriente_vers_structure=True,
                autonomie="autonome",
                thematiques_mask=0b101,
            ),
            row(
                type="collectif",
                date=dt.date(2024, 5, 2),
                duree=120,
                accompagnements_count=7,
                participants_anonymes=6,
                oriente_vers_structure=None,
                type_lieu="lieu_activite",
                thematiques_mask=0b100,
            ),
            row(
                type="individuel",
                date=dt.date(2024, 5, 30),
                duree=60,
                accompagnements_count=1,
                participants_anonymes=0,
                oriente_vers_structure=False,
            ),
        ]
    )
    commune = Commune.objects.get(code="28085")
    territory = (commune.epci_id or "", "28", "24")
    daily = found.rows(found.daily)
    assert [row[:6] for row in daily] == [
        (dt.date(2024, 5, 2), structure.pk, "28085", *territory),
        (dt.date(2024, 5, 30), structure.pk, "28085", *territory),
    ]
    (monthly,) = found.rows(found.monthly)
    assert monthly[:6] == (dt.date(2024, 5, 1), structure.pk, "28085", *territory)
    (departement,) = found.rows(found.departement, departement=True)
    assert departement == (dt.date(2024, 5, 1), "28", "24", *monthly[6:])
    month = dict(zip(rollups.COUNTER_COLUMNS, monthly[6:], strict=True))
    assert (month["activites_individuelles"], month["activites_collectives"], month["accompagnements"]) == (2, 1, 11)
    assert (month["accompagnements_individuels"], month["participants_ateliers"]) == (4, 7)
    assert (month["beneficiaires_anonymes"], month["duree_minutes"], month["orientes"]) == (7, 209, 3)
    assert (month["canal_domicile"], month["canal_lieu_activite"]) == (4, 7)
    assert (month["duree_moins_30"], month["duree_de_60_a_120"], month["duree_plus_120"]) == (3, 1, 7)
    assert month["autonomie_autonome"] == 3 and daily[0][8] + daily[1][8] == 11
    themes = [column for column in rollups.COUNTER_COLUMNS if column.startswith("th_")]
    assert (month[themes[0]], month[themes[1]], month[themes[2]]) == (3, 0, 10)


def test_deltas_of_transposed_blocks_equal_the_deltas_of_the_rows():
    structures = [(StructureFactory(commune_id=code).pk, code) for code in ("28085", "45234", "75108")]
    rows = _rows(500, 21, structures, ActivityImport.objects.create(filename="blocs"))
    blocks = [list(zip(*part, strict=True)) for part in (rows[:123], rows[123:124], rows[124:])]
    expected, found = batch_deltas(rows), blocks_deltas(blocks, territories_of(rows))
    assert found.communes == expected.communes and found.territories == expected.territories
    for level in ("daily", "monthly", "departement"):
        assert found.rows(getattr(found, level)) == expected.rows(getattr(expected, level)), level
    assert found.monthly.counters.sum() > 0


def test_bulk_insert_stores_every_column_as_given():
    """Each value lands in its column's type (binary COPY on PostgreSQL): JSON documents, not
    strings; dates; NULL, true and false; integers and text."""
    structure = StructureFactory(commune_id="28085")
    batch = ActivityImport.objects.create(filename="types")
    notes, oriente = COLUMNS.index("notes"), COLUMNS.index("oriente_vers_structure")
    rows = []
    for number, row in enumerate(_rows(60, 8, [(structure.pk, "28085")], batch)):
        row = list(row)
        row[notes], row[oriente] = f"ligne {number}", (None, True, False)[number % 3]
        rows.append(tuple(row))
    insert_activities(rows)
    json_columns = {"thematiques", "materiel", "participants_anonymes_detail"}
    expected = {
        row[notes]: tuple(
            json.loads(value) if name in json_columns else value for name, value in zip(COLUMNS, row, strict=True)
        )
        for row in rows
    }
    stored = {row[notes]: row for row in Activity.objects.values_list(*COLUMNS)}
    assert stored == expected
    assert any(row[COLUMNS.index("participants_anonymes_detail")] for row in stored.values())


def test_bulk_insert_keeps_text_with_tabs_newlines_and_backslashes():
    structure = StructureFactory(commune_id="28085")
    batch = ActivityImport.objects.create(filename="texte")
    rows = _rows(3, 5, [(structure.pk, "28085")], batch)
    notes = ["tab\there", "new\nline\\ and \r", "plain"]
    index = COLUMNS.index("notes")
    insert_activities([(*row[:index], text, *row[index + 1 :]) for row, text in zip(rows, notes, strict=True)])
    assert sorted(Activity.objects.values_list("notes", flat=True)) == sorted(notes)
    assert activity_figures() == raw_figures()
    # created_at / updated_at come from the database default (not sent in the COPY).
    before = timezone.now() - dt.timedelta(minutes=5)
    stamps = list(Activity.objects.values_list("created_at", "updated_at"))
    assert all(created and updated and created >= before and updated >= before for created, updated in stamps)


def test_unknown_commune_rolls_the_whole_insert_back():
    structure = StructureFactory(commune_id="28085")
    batch = ActivityImport.objects.create(filename="inconnue")
    rows = _rows(5, 6, [(structure.pk, "28085")], batch)
    index = COLUMNS.index("commune_id")
    rows[3] = (*rows[3][:index], "99999", *rows[3][index + 1 :])
    with pytest.raises(ValueError, match="99999"):
        insert_activities(rows)
    assert not Activity.objects.exists() and not DailyRollup.objects.exists()


def test_binary_copy_refuses_counters_beyond_32_bits():
    delta = Delta(
        days=np.array([dt.date(2024, 5, 2).toordinal()]),
        structures=np.array([1]),
        communes=np.array([0]),
        counters=np.array([[2**31] + [0] * (len(rollups.COUNTER_COLUMNS) - 1)]),
    )
    with pytest.raises(OverflowError):
        binary_copy_data(delta)
    delta.counters[0, 0] = 7
    payload = binary_copy_data(delta)
    fields = 3 + len(rollups.COUNTER_COLUMNS)
    assert len(payload) == 19 + 2 + fields * 8 + 2
    days_since_2000 = (dt.date(2024, 5, 2) - dt.date(2000, 1, 1)).days
    assert payload[19:21] == fields.to_bytes(2, "big")
    assert payload[21:29] == (4).to_bytes(4, "big") + days_since_2000.to_bytes(4, "big")
    assert payload[45:53] == (4).to_bytes(4, "big") + (7).to_bytes(4, "big")  # the first counter
