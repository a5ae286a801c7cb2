"""Feuille de route: API endpoints under /api/v1/."""

from ninja import Router

router = Router(tags=["feuille de route"])
