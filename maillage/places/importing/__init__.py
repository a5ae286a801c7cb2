"""Importing lieux: read a file (any encoding, separator, CSV/JSON/XLSX), convert its variant to the
standard, validate row by row, write accepted rows and quarantine rejected ones (see runner.py)."""
