"""Territory panels: apps add blocks to territory pages without the territories app knowing them.

An app registers, in its AppConfig.ready(), a function `(request, territory_ref) -> Panel | None`.
The territories views render every registered panel that returns something for the visitor.
"""

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Panel:
    title: str
    template: str
    context: dict = field(default_factory=dict)
    order: int = 100


_providers: list[Callable] = []


def register_territory_panel(provider: Callable) -> Callable:
    if provider not in _providers:
        _providers.append(provider)
    return provider


def territory_panels(request, ref) -> list[Panel]:
    panels = [provider(request, ref) for provider in _providers]
    return sorted((panel for panel in panels if panel is not None), key=lambda panel: panel.order)
