"""Access rows of the roadmap pages and API (see tests/core/test_access_matrix.py).

The world's structure (gestionnaire and médiateur) carries the test action: its members read the
roadmap and update that action; the aidant's structure carries nothing and is refused.
"""

from tests.access import everyone, only

SLUG = "matrice"
PORTEURS = {"coordinateur", "gestionnaire", "mediateur", "admin"}
READERS = {"coordinateur", "observateur", "gestionnaire", "mediateur", "admin"}
STEERING = {"coordinateur", "observateur", "admin"}
COORDINATION = {"coordinateur", "admin"}


def prepare(world):
    from tests.roadmap.factories import (
        ActionFactory,
        BodyFactory,
        BudgetLineFactory,
        FundFactory,
        IndicatorFactory,
        MilestoneFactory,
        RoadmapFactory,
    )

    roadmap = RoadmapFactory(slug=SLUG)
    action = ActionFactory(group__axis__roadmap=roadmap, code="1.1.1")
    action.porteurs.add(world.structure)
    indicator = IndicatorFactory(roadmap=roadmap, code="lieux", source_key="places.lieux")
    indicator.actions.add(action)
    world.extra["roadmap"] = roadmap
    world.extra["action"] = action
    world.extra["indicator"] = indicator
    world.extra["body"] = BodyFactory(roadmap=roadmap)
    world.extra["milestone"] = MilestoneFactory(action=action)
    world.extra["budget_line"] = BudgetLineFactory(action=action)
    world.extra["fund"] = FundFactory(roadmap=roadmap)


def _slug(w):
    return {"slug": SLUG}


def _action(w):
    return {"slug": SLUG, "code": "1.1.1"}


PAGES = {
    "roadmap:index": (lambda w: {}, everyone(200)),
    "roadmap:transparency": (_slug, everyone(200)),
    "roadmap:detail": (_slug, only(READERS)),
    "roadmap:matrix": (_slug, only(READERS)),
    "roadmap:calendar": (_slug, only(READERS)),
    "roadmap:indicators": (_slug, only(READERS)),
    "roadmap:indicator_value": (lambda w: {"slug": SLUG, "code": "lieux"}, only(READERS, code=302)),
    "roadmap:targets": (_slug, only(READERS)),
    "roadmap:governance": (_slug, only(READERS)),
    "roadmap:financing": (_slug, only(READERS)),
    "roadmap:financing_create": (_slug, only(COORDINATION)),
    "roadmap:workshop_create": (_slug, only(COORDINATION)),
    "roadmap:fund_movement": (lambda w: {"slug": SLUG, "fund_id": w.extra["fund"].pk}, only(COORDINATION)),
    "roadmap:meeting_create": (lambda w: {"slug": SLUG, "body_id": w.extra["body"].pk}, only(COORDINATION)),
    "roadmap:action": (_action, only(READERS)),
    "roadmap:action_status": (_action, only(PORTEURS, code=302)),  # GET goes back to the action
    "roadmap:action_edit": (_action, only(PORTEURS)),
    "roadmap:milestone_mark": (
        lambda w: {**_action(w), "milestone_id": w.extra["milestone"].pk},
        only(PORTEURS, code=302),  # GET goes back to the action
    ),
    "roadmap:budget_spent": (
        lambda w: {**_action(w), "line_id": w.extra["budget_line"].pk},
        only(PORTEURS, code=302),
    ),
    "roadmap:report": (_slug, only(STEERING)),
    "roadmap:report_pdf": (_slug, only(STEERING)),
    "roadmap:report_xlsx": (_slug, only(STEERING)),
    "roadmap:import": (lambda w: {}, only(COORDINATION)),
    "roadmap:export": (lambda w: {"slug": SLUG, "fmt": "yaml"}, only(COORDINATION)),
}

_MEMBERS_API = {**only(READERS, denied=403), "anonyme": 401}
# Signed-in users with a role get 422 (or 400: no JSON body at all) on writes without a body: access is
# granted, then the body is refused (object-level rights are checked once the body is valid: test_api.py).
_WRITE_NO_BODY = {**everyone(422), "anonyme": 401}
_POST_NO_BODY = {**everyone(400), "anonyme": 401}

API_OPERATIONS = {
    ("get", "/api/v1/feuilles-de-route"): (lambda w: {}, "", everyone(200)),
    ("get", "/api/v1/feuilles-de-route/{slug}"): (_slug, "", _MEMBERS_API),
    ("get", "/api/v1/feuilles-de-route/{slug}/actions"): (_slug, "", _MEMBERS_API),
    ("get", "/api/v1/feuilles-de-route/{slug}/actions/{code}"): (_action, "", _MEMBERS_API),
    ("patch", "/api/v1/feuilles-de-route/{slug}/actions/{code}"): (_action, "", _WRITE_NO_BODY),
    ("get", "/api/v1/feuilles-de-route/{slug}/indicateurs"): (_slug, "", _MEMBERS_API),
    ("post", "/api/v1/feuilles-de-route/{slug}/indicateurs/{code}/valeurs"): (
        lambda w: {"slug": SLUG, "code": "lieux"},
        "",
        _POST_NO_BODY,
    ),
    ("get", "/api/v1/feuilles-de-route/{slug}/financements"): (_slug, "", _MEMBERS_API),
    ("post", "/api/v1/feuilles-de-route/{slug}/financements"): (
        _slug,
        "",
        {**only(COORDINATION, code=400, denied=403), "anonyme": 401},
    ),
    ("get", "/api/v1/feuilles-de-route/{slug}/objectifs"): (_slug, "", everyone(200)),
}
