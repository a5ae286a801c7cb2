import datetime as dt

import factory

from maillage.places.models import Place
from maillage.territories.models import Commune


class PlaceFactory(factory.django.DjangoModelFactory):
    """A published place in Châteaudun, open on weekdays, offering help with démarches."""

    class Meta:
        model = Place

    dataset = "test"
    local_id = factory.Sequence(lambda n: f"lieu-{n}")
    pivot = "00000000000000"
    nom = factory.Sequence(lambda n: f"Espace numérique {n}")
    commune_nom = "Châteaudun"
    code_postal = "28200"
    code_insee = "28088"
    adresse = "2 place du 18-Octobre"
    date_maj = dt.date(2026, 1, 15)
    horaires = "Mo-Fr 09:00-12:00,14:00-17:00; PH off"
    services = factory.LazyFunction(lambda: ["Aide aux démarches administratives"])
    frais_a_charge = factory.LazyFunction(lambda: ["Gratuit"])
    commune = factory.LazyFunction(lambda: Commune.objects.get(code="28088"))
    latitude = 48.0707
    longitude = 1.3379
    position_latitude = 48.0707
    position_longitude = 1.3379
    position_origin = "given"

    class Params:
        in_chartres = factory.Trait(
            commune_nom="Chartres",
            code_postal="28000",
            code_insee="28085",
            commune=factory.LazyFunction(lambda: Commune.objects.get(code="28085")),
            latitude=48.4469,
            longitude=1.4893,
            position_latitude=48.4469,
            position_longitude=1.4893,
        )
        for_snapshot = factory.Trait(nom="France Services de Châteaudun", local_id="fs-chateaudun")
