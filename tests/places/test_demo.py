from maillage.places.demo import SECOND_DATASET, SECOND_SOURCE_SIZE, seed_places
from maillage.places.enums import DuplicateStatus
from maillage.places.models import DuplicateCandidate, Place


def test_demo_seeds_a_second_source_whose_places_are_proposed_as_duplicates():
    message = seed_places("28")
    twins = Place.objects.filter(dataset=SECOND_DATASET)
    assert twins.count() == SECOND_SOURCE_SIZE
    pairs = DuplicateCandidate.objects.filter(status=DuplicateStatus.PENDING)
    paired = {pk for pair in pairs.values_list("first_id", "second_id") for pk in pair}
    assert set(twins.values_list("pk", flat=True)) <= paired  # every twin is found…
    assert pairs.count() <= SECOND_SOURCE_SIZE + 2  # …without flooding the review list
    assert f"{pairs.count()} doublon(s) possible(s)" in message
    seed_places("28")  # re-running the demo changes nothing
    assert DuplicateCandidate.objects.count() == pairs.count()
