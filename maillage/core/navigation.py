"""The main menu: each entry is shown only to those whose rule lets them open it."""

from dataclasses import dataclass

from django.urls import resolve, reverse


@dataclass(frozen=True)
class MenuItem:
    label: str
    url_name: str

    @property
    def url(self) -> str:
        return reverse(self.url_name)


MENU = [
    MenuItem("Accueil", "core:home"),
    MenuItem("Lieux", "places:search"),
    MenuItem("Territoires", "territories:index"),
    MenuItem("Diagnostic", "diagnosis:home"),
    MenuItem("Activité", "activity:dashboard"),
    MenuItem("Saisir une activité", "activity:record"),
    MenuItem("Feuille de route", "roadmap:index"),
    MenuItem("Structures", "structures:list"),
    MenuItem("Appels", "places:operator"),
    MenuItem("Imports", "places:imports"),
    MenuItem("Doublons", "places:duplicates"),
    MenuItem("Journal", "core:journal"),
]


def menu_for(request) -> list[dict]:
    user = getattr(request, "user", None)
    current = request.path
    items = []
    for item in MENU:
        url = item.url
        rule = getattr(resolve(url).func, "access_rule", None)
        if user is None or rule is None or not rule.allows(user):
            continue
        is_current = current == url or (url != "/" and current.startswith(url))
        items.append({"label": item.label, "url": url, "current": is_current})
    return items
