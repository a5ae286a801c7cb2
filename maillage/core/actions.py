"""The registry of audit actions: each app declares its actions (TextChoices) with `register_actions`."""

from django.db import models

_action_labels: dict[str, str] = {}


def register_actions(choices: type[models.TextChoices]) -> type[models.TextChoices]:
    """Class decorator: make an app's audit actions known to the journal (labels, filters)."""
    _action_labels.update({value: str(label) for value, label in choices.choices})
    return choices


def action_label(action: str) -> str:
    return _action_labels.get(action, action)


def action_choices() -> list[tuple[str, str]]:
    return sorted(_action_labels.items(), key=lambda item: item[1])
