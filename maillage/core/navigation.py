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
    """The entries the user may open; the one whose URL is the longest prefix of the page is current."""
    user = getattr(request, "user", None)
    items = []
    for item in MENU:
        url = item.url
        rule = getattr(resolve(url).func, "access_rule", None)
        if user is None or rule is None or not rule.allows(user):
            continue
        items.append({"label": item.label, "url": url, "current": False})
    current = _current_url(request.path, [entry["url"] for entry in items])
    for entry in items:
        entry["current"] = entry["url"] == current
    return items


def _current_url(path: str, urls: list[str]) -> str | None:
    matching = [url for url in urls if path == url or (url != "/" and path.startswith(url))]
    return max(matching, key=len, default=None)
