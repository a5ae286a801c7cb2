"""The one place that decides who may open which view or API endpoint.

Every view carries an access rule (`@access(RULE)`); a view without one is refused (deny by default)
and makes the access-matrix test fail. Rules here are coarse (is the user allowed to open this kind
of page at all?); object-level decisions (this structure, this territory) are `can_*` functions in
each app's `perms.py`, called by views through `get_<thing>_for_user` helpers.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from ninja.errors import HttpError
from ninja.security import SessionAuth

from maillage.core.roles import Role

logger = logging.getLogger(__name__)

# URL namespaces that apply their own access control (Django's admin requires is_staff).
SELF_GUARDED_NAMESPACES = frozenset({"admin"})


def roles_of(user) -> frozenset[str]:
    """The roles the user holds through active memberships (cached on the user for the request)."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_maillage_roles", None)
    if cached is None:
        cached = frozenset(user.memberships.filter(is_active=True).values_list("role", flat=True))
        user._maillage_roles = cached
    return cached


@dataclass(frozen=True)
class Rule:
    name: str
    check: Callable[[object], bool]
    login_required: bool = True

    def allows(self, user) -> bool:
        return self.check(user)


PUBLIC = Rule("public", lambda user: True, login_required=False)
AUTHENTICATED = Rule("authenticated", lambda user: user.is_authenticated)
# The view is an API endpoint: django-ninja checks each operation's `auth` (see api_* below).
API = Rule("api", lambda user: True, login_required=False)


def any_role(*roles: Role) -> Rule:
    """Open to holders of one of `roles` (superusers included: they administer the platform)."""
    wanted = frozenset(roles)

    def check(user) -> bool:
        return user.is_authenticated and (user.is_superuser or bool(roles_of(user) & wanted))

    return Rule("roles:" + ",".join(sorted(wanted)), check)


def access(rule: Rule):
    """Declare the access rule of a view (function view or `View.as_view()`)."""

    def decorator(view):
        view.access_rule = rule
        return login_not_required(view) if not rule.login_required else view

    return decorator


class AccessPolicyMiddleware:
    """Apply each view's rule; refuse views that have none."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        rule = getattr(view_func, "access_rule", None)
        if rule is None:
            match = request.resolver_match
            if match is not None and SELF_GUARDED_NAMESPACES.intersection(match.namespaces):
                return None
            logger.error("View %s has no access rule: refused.", getattr(view_func, "__qualname__", view_func))
            raise PermissionDenied("Cette page n'a pas de règle d'accès.")
        if not rule.allows(request.user):
            raise PermissionDenied
        return None


def mark_api_urls(urls):
    """Mark django-ninja's URL patterns: access is decided per operation by its `auth`."""
    patterns, app_name, namespace = urls
    for pattern in patterns:
        pattern.callback.access_rule = API
        pattern.callback.login_required = False
    return patterns, app_name, namespace


# --- API authentication (django-ninja `auth=`) --------------------------------------------------


class ApiPublic:
    """An endpoint open to everyone, signed in or not."""

    def __call__(self, request):
        return request.user if request.user.is_authenticated else True


class ApiRoles(SessionAuth):
    """An endpoint open to signed-in holders of some roles (session cookie, CSRF on writes)."""

    def __init__(self, *roles: Role):
        super().__init__()
        self.rule = any_role(*roles) if roles else AUTHENTICATED

    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        if user is None:
            return None
        if not self.rule.allows(user):
            raise HttpError(403, "Votre rôle ne donne pas accès à cette ressource.")
        return user


class ApiDenyAll:
    """Default of the API object: an endpoint that forgot to declare its `auth` is closed."""

    def __call__(self, request):
        return None


api_public = ApiPublic()
api_authenticated = ApiRoles()
