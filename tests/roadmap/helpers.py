"""Shared helpers of the roadmap tests: the project's roadmap file and small documents."""

import yaml

from maillage.roadmap.demo import roadmap_data
from maillage.roadmap.services import roadmap_import


def import_n28(actor=None):
    return roadmap_import(actor=actor, data=roadmap_data(), filename="numerique-28-ensemble.yaml").roadmap


def minimal_document(**overrides) -> dict:
    document = {
        "format": "maillage-feuille-de-route",
        "version": 1,
        "feuille_de_route": {
            "identifiant": "essai",
            "nom": "Essai",
            "territoire": "departement:28",
            "debut": 2025,
            "fin": 2026,
        },
        "thematiques": [{"code": "sante", "libelle": "Santé", "prioritaire": True}],
        "axes": [
            {
                "numero": 1,
                "titre": "Coordonner",
                "groupes": [
                    {
                        "titre": "Animer",
                        "actions": [{"numero": "1.1.1", "titre": "Cartographier", "thematiques": ["sante"]}],
                    }
                ],
            }
        ],
    }
    document.update(overrides)
    return document


def as_yaml(document: dict) -> bytes:
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False).encode()
