import datetime as dt
from zoneinfo import ZoneInfo

from maillage.places.search import PlaceIndex, get_index, invalidate_index
from tests.places.factories import PlaceFactory

PARIS = ZoneInfo("Europe/Paris")
CHATEAUDUN = (48.0707, 1.3379)


def _index():
    invalidate_index()
    return get_index()


def test_nearest_with_distance_and_filters():
    near = PlaceFactory(nom="Proche")
    far = PlaceFactory(in_chartres=True, nom="Chartres", frais_a_charge=["Payant"])
    found = _index().nearest(*CHATEAUDUN, k=5)
    assert [f.id for f in found] == [near.pk, far.pk]
    assert found[0].km < 0.1 and 40 < found[1].km < 45  # Châteaudun → Chartres ≈ 42 km
    free = _index().nearest(*CHATEAUDUN, k=5, filters={"frais": ["Gratuit"]})
    assert [f.id for f in free] == [near.pk]
    assert _index().nearest(*CHATEAUDUN, k=5, max_km=10)[-1].id == near.pk


def test_or_within_a_filter_and_across_filters():
    a = PlaceFactory(
        services=["Aide aux démarches administratives"], dispositif_programmes_nationaux=["France Services"]
    )
    b = PlaceFactory(services=["Loisirs et créations numériques"], dispositif_programmes_nationaux=[])
    index = _index()
    both = index.nearest(
        *CHATEAUDUN,
        k=5,
        filters={"services": ["Aide aux démarches administratives", "Loisirs et créations numériques"]},
    )
    assert {f.id for f in both} == {a.pk, b.pk}
    only = index.nearest(
        *CHATEAUDUN,
        k=5,
        filters={
            "services": ["Loisirs et créations numériques", "Aide aux démarches administratives"],
            "dispositifs": ["France Services"],
        },
    )
    assert [f.id for f in only] == [a.pk]
    assert index.count({"dispositifs": ["France Services"]}) == 1


def test_open_at_with_french_public_holidays():
    weekdays = PlaceFactory(horaires="Mo-Fr 09:00-12:00; PH off")
    index = _index()
    tuesday = dt.datetime(2026, 11, 24, 10, 0, tzinfo=PARIS)
    assert [f.id for f in index.nearest(*CHATEAUDUN, k=3, open_at=tuesday)] == [weekdays.pk]
    bastille_day = dt.datetime(2026, 7, 14, 10, 0, tzinfo=PARIS)  # a Tuesday, public holiday
    assert index.nearest(*CHATEAUDUN, k=3, open_at=bastille_day) == []
    evening = dt.datetime(2026, 11, 24, 19, 0, tzinfo=PARIS)
    assert index.nearest(*CHATEAUDUN, k=3, open_at=evening) == []


def test_unknown_hours_are_not_open():
    PlaceFactory(horaires="9h à 12h")
    assert _index().nearest(*CHATEAUDUN, k=3, open_at=dt.datetime(2026, 11, 24, 10, 0, tzinfo=PARIS)) == []


def test_regional_holiday_in_alsace_moselle():
    from maillage.places import hours

    expression = "Mo-Sa 09:00-12:00; PH off"
    saint_etienne = dt.datetime(2026, 12, 26, 10, 0)  # noqa: DTZ001 (local time of the place) — holiday in 57, 67, 68
    assert hours.is_open(expression, saint_etienne, "67") is False
    assert hours.is_open(expression, saint_etienne, "28") is True


def test_unpublished_merged_or_missing_places_are_not_found():
    PlaceFactory(is_published=False)
    PlaceFactory(missing_since=dt.datetime(2026, 1, 1, tzinfo=PARIS))
    kept = PlaceFactory()
    PlaceFactory(merged_into=kept)
    assert [f.id for f in _index().nearest(*CHATEAUDUN, k=10)] == [kept.pk]


def test_small_and_large_subsets_agree_with_a_scan():
    import numpy as np

    rng = np.random.default_rng(7)
    summaries = [
        {
            "id": i,
            "position_latitude": 47 + rng.random() * 2,
            "position_longitude": 1 + rng.random() * 2,
            "commune_id": "28088",
            "horaires": "",
            "services": ["Aide aux démarches administratives"] if i % 3 else [],
            "frais_a_charge": ["Gratuit"] if i % 2 else ["Payant"],
        }
        for i in range(3000)
    ]
    index = PlaceIndex(summaries)
    for filters in (
        {},
        {"frais": ["Gratuit"]},
        {"services": ["Aide aux démarches administratives"], "frais": ["Payant"]},
    ):
        mask = index.mask(filters)
        candidates = range(3000) if mask is None else np.flatnonzero(mask)
        point = (48.0, 2.0)
        from maillage.places.search import chord_to_km, to_xyz

        distances = {i: float(chord_to_km(np.linalg.norm(index.xyz[i] - to_xyz(*point)[0]))) for i in candidates}
        expected = sorted(distances, key=distances.get)[:10]
        assert [f.id for f in index.nearest(*point, k=10, filters=filters)] == expected


def test_index_is_rebuilt_when_places_change():
    index = _index()
    assert len(index) == 0
    PlaceFactory()
    invalidate_index()
    assert len(get_index()) == 1
