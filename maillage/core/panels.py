"""Panels: apps add blocks to territory and structure pages without the page's app knowing them.

An app registers, in its AppConfig.ready(), a function `(request, territory_ref) -> Panel | None`
(territory pages) or `(request, structure) -> Panel | None` (a structure's page). The pages render
every registered panel that returns something for the visitor.
"""

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Panel:
    title: str
    template: str
    context: dict = field(default_factory=dict)
    order: int = 100


_providers: dict[str, list[Callable]] = {"territory": [], "structure": []}


def _register(page: str, provider: Callable) -> Callable:
    if provider not in _providers[page]:
        _providers[page].append(provider)
    return provider


def _panels(page: str, request, subject) -> list[Panel]:
    panels = [provider(request, subject) for provider in _providers[page]]
    return sorted((panel for panel in panels if panel is not None), key=lambda panel: panel.order)


def register_territory_panel(provider: Callable) -> Callable:
    return _register("territory", provider)


def register_structure_panel(provider: Callable) -> Callable:
    return _register("structure", provider)


def territory_panels(request, ref) -> list[Panel]:
    return _panels("territory", request, ref)


def structure_panels(request, structure) -> list[Panel]:
    return _panels("structure", request, structure)
