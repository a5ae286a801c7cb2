import pytest

from maillage.territories.selectors import find_territory


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("departement:28", "departement:28"),
        ("  Eure-et-Loir ", "departement:28"),
        ("EURE ET LOIR", "departement:28"),
        ("2a", "departement:2A"),
        ("Corse-du-Sud", "departement:2A"),
        ("ca chartres metropole", "epci:200033181"),
        ("200033181", "epci:200033181"),
        ("Châteaudun", "commune:28088"),
        ("28200", "commune:28088"),
    ],
)
def test_what_people_type_finds_the_territory_they_mean(typed, found):
    assert str(find_territory(typed)) == found


@pytest.mark.parametrize("typed", ["", "   ", "departement:99", "pays:fr", "epci:", "99999"])
def test_nothing_is_found_for_an_unknown_or_malformed_territory(typed):
    assert find_territory(typed) is None
