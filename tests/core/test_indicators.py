import pytest

from maillage.core.indicators import compute_indicator, indicator_sources
from maillage.territories.territory import TerritoryRef
from tests.places.factories import PlaceFactory

EURE_ET_LOIR = TerritoryRef("departement", "28")


def test_places_source_follows_the_data_live():
    assert "places.lieux" in indicator_sources()
    assert compute_indicator("places.lieux", EURE_ET_LOIR) == 0
    PlaceFactory(dispositif_programmes_nationaux=["France Services"])
    PlaceFactory()
    assert compute_indicator("places.lieux", EURE_ET_LOIR) == 2
    assert compute_indicator("places.lieux", EURE_ET_LOIR, dispositif="France Services") == 1
    assert compute_indicator("places.lieux", TerritoryRef("departement", "45")) == 0
    per_10000 = compute_indicator("places.lieux_pour_10000_habitants", EURE_ET_LOIR)
    assert per_10000 == round(2 * 10_000 / 433_129, 2)


def test_unknown_source_or_parameter():
    with pytest.raises(KeyError):
        compute_indicator("nope", EURE_ET_LOIR)
    with pytest.raises(ValueError):
        compute_indicator("places.lieux", EURE_ET_LOIR, couleur="bleu")
