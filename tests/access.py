"""Helpers for the access matrix rows that each app writes in `tests/<app>/access_matrix.py`.

A page row: `"namespace:name": (kwargs_builder(world) -> dict, {role: expected GET status})`.
An API row: `("get", "/api/v1/path/{param}"): (params_builder(world) -> dict, "?query", {role: status})`.
Anonymous visitors of pages that need a login get 302 (redirect to the login page).
"""

ROLES = ["anonyme", "coordinateur", "gestionnaire", "mediateur", "aidant", "observateur", "admin"]
MANAGERS = frozenset({"coordinateur", "gestionnaire", "admin"})


def everyone(code: int) -> dict:
    return dict.fromkeys(ROLES, code)


def signed_in(code: int, anonymous: int = 302) -> dict:
    return {**everyone(code), "anonyme": anonymous}


def only(allowed, code: int = 200, denied: int = 403, anonymous: int = 302, **overrides) -> dict:
    table = {role: (code if role in allowed else denied) for role in ROLES}
    table["anonyme"] = anonymous
    table.update(overrides)
    return table
