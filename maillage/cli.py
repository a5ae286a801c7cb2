"""The `maillage` console entry point: equivalent to `manage.py`."""

import sys

from config import setup_environment


def main() -> int:
    setup_environment()
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
    return 0
