#!/usr/bin/env python
"""Django's command-line utility; `maillage` (maillage/cli.py) is the same entry point, installed."""

import sys

from maillage.cli import main

if __name__ == "__main__":
    sys.exit(main())
