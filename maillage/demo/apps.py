from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo territory (Eure-et-Loir): seeded by `maillage demo seed`, used by `make demo`."""

    name = "maillage.demo"
    label = "demo"
    verbose_name = "Démonstration"
