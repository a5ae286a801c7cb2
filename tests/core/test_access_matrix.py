"""Every page and every API operation × every role: the expected answer is written down.

Each app lists its rows in `tests/<app>/access_matrix.py` (`PAGES`, `API_OPERATIONS`, and an
optional `prepare(world)` that adds the objects its URLs need to `world.extra`). A new view or API
endpoint without an access rule, or without a row, fails here.
Roles: anonymous, coordinateur of Eure-et-Loir, gestionnaire and médiateur of a Chartres structure
(`structure`), aidant of another Eure-et-Loir structure, observateur of Eure-et-Loir, administrator.
"""

import importlib
import pkgutil
from dataclasses import dataclass, field

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

import tests
from config.api import api
from maillage.core.policy import AccessPolicyMiddleware
from tests.access import ROLES
from tests.structures.factories import InvitationFactory, MembershipFactory, StructureFactory
from tests.users.factories import UserFactory

MATRIX_MODULES = [
    importlib.import_module(f"tests.{info.name}.access_matrix")
    for info in pkgutil.iter_modules(tests.__path__)
    if info.ispkg and importlib.util.find_spec(f"tests.{info.name}.access_matrix") is not None
]
PAGES = {name: row for module in MATRIX_MODULES for name, row in getattr(module, "PAGES", {}).items()}
API_OPERATIONS = {key: row for module in MATRIX_MODULES for key, row in getattr(module, "API_OPERATIONS", {}).items()}


@dataclass
class World:
    users: dict
    structure: object
    membership: object
    invitation: object
    extra: dict = field(default_factory=dict)


@pytest.fixture
def world():
    structure = StructureFactory()
    other = StructureFactory(nom="Autre structure")
    users = {
        "coordinateur": MembershipFactory(coordinateur=True).user,
        "gestionnaire": MembershipFactory(gestionnaire=True, structure=structure).user,
        "aidant": MembershipFactory(aidant=True, structure=other).user,
        "observateur": MembershipFactory(observateur=True).user,
        "admin": UserFactory(superuser=True),
    }
    membership = MembershipFactory(structure=structure)
    users["mediateur"] = membership.user
    invitation = InvitationFactory(structure=structure)
    world = World(users, structure, membership, invitation)
    for module in MATRIX_MODULES:
        if hasattr(module, "prepare"):
            module.prepare(world)
    return world


def _url_patterns(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace in ("admin", "api"):
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _url_patterns(pattern, inner)
        elif isinstance(pattern, URLPattern):
            yield f"{namespace}{pattern.name}", pattern


def test_every_page_has_an_access_rule_and_a_row_in_the_matrix():
    names = {}
    for name, pattern in _url_patterns():
        assert getattr(pattern.callback, "access_rule", None) is not None, f"{name} has no access rule"
        names[name] = pattern
    assert set(names) == set(PAGES), "update PAGES with the expected answer of every role"


def test_every_api_operation_has_a_row_in_the_matrix():
    schema = api.get_openapi_schema()
    operations = {(method, path) for path, methods in schema["paths"].items() for method in methods}
    assert operations == set(API_OPERATIONS), "update API_OPERATIONS with the expected answer of every role"


def _client_for(client, world, role):
    if role != "anonyme":
        client.force_login(world.users[role])
    return client


@pytest.mark.parametrize("role", ROLES)
def test_pages_answer_each_role_as_expected(client, world, role):
    from django.urls import reverse

    client = _client_for(client, world, role)
    failures = []
    for name, (kwargs, expected) in PAGES.items():
        url = reverse(name, kwargs=kwargs(world))
        status = client.get(url).status_code
        if status != expected[role]:
            failures.append(f"{name} ({url}): {status}, expected {expected[role]}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("role", ROLES)
def test_api_answers_each_role_as_expected(client, world, role):
    client = _client_for(client, world, role)
    failures = []
    for (method, path), (params, query, expected) in API_OPERATIONS.items():
        url = path.format(**params(world)) + query
        status = getattr(client, method)(url).status_code
        if status != expected[role]:
            failures.append(f"{method.upper()} {url}: {status}, expected {expected[role]}")
    assert not failures, "\n".join(failures)


def test_a_view_without_rule_is_refused(rf):
    from django.core.exceptions import PermissionDenied

    def forgotten_view(request):
        raise AssertionError("must not run")

    request = rf.get("/quelque-part/")
    request.user = UserFactory(superuser=True)
    request.resolver_match = None
    with pytest.raises(PermissionDenied):
        AccessPolicyMiddleware(lambda r: None).process_view(request, forgotten_view, (), {})


def test_observateur_never_sees_member_names(client, world):
    client.force_login(world.users["observateur"])
    html = client.get(f"/structures/{world.structure.pk}/").content.decode()
    assert world.users["gestionnaire"].email not in html
    assert world.membership.user.email not in html
    client.force_login(world.users["gestionnaire"])
    assert world.membership.user.email in client.get(f"/structures/{world.structure.pk}/").content.decode()
