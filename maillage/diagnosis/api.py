"""Diagnostic de fragilité numérique: API endpoints under /api/v1/."""

from ninja import Router

router = Router(tags=["diagnostic"])
