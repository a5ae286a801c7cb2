import csv
import io

from maillage.activity.validation import COLUMNS

VALID_INDIVIDUAL = {
    "date": "2025-03-14",
    "type": "individuel",
    "structure_siret": "",
    "mediateur_email": "",
    "lieu_id": "",
    "duree_minutes": "45",
    "thematiques": "aide_aux_demarches_administratives|social_sante",
    "type_lieu": "lieu_activite",
    "materiel": "ordinateur",
    "autonomie": "partiellement_autonome",
    "niveau_atelier": "",
    "titre_atelier": "",
    "participants": "",
    "beneficiaire_commune": "28085",
    "beneficiaire_tranche_age": "soixante_dix_plus",
    "beneficiaire_genre": "feminin",
    "beneficiaire_statut_social": "retraite",
    "oriente_vers_structure": "non",
    "structure_de_redirection": "",
}
VALID_COLLECTIVE = {
    **VALID_INDIVIDUAL,
    "type": "collectif",
    "duree_minutes": "120",
    "thematiques": "email|securite_numerique",
    "autonomie": "",
    "niveau_atelier": "debutant",
    "titre_atelier": "Messagerie",
    "participants": "8",
    "beneficiaire_commune": "",
    "beneficiaire_tranche_age": "",
    "beneficiaire_genre": "",
    "beneficiaire_statut_social": "",
    "oriente_vers_structure": "",
}


def csv_bytes(*rows, separator=",") -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, delimiter=separator, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
    return buffer.getvalue().encode("utf-8")
