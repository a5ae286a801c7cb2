"""Helpers for management commands organised as `maillage <app> <action> …`."""

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm


class SubcommandCommand(BaseCommand):
    """A command whose first argument picks an action, dispatched to `handle_<action>` methods."""

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        self.add_actions(actions)

    def add_actions(self, actions):
        raise NotImplementedError

    def handle(self, *args, action, **options):
        return getattr(self, f"handle_{action}")(**options)

    def progress(self, enabled: bool):
        """A tqdm-based progress reporter for services (or a no-op when disabled)."""

        def report(iterable, **kwargs):
            return tqdm(iterable, file=self.stderr._out, leave=False, **kwargs) if enabled else iterable

        return report


__all__ = ["CommandError", "SubcommandCommand"]
