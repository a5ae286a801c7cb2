import io

import pytest
from django.core.management import CommandError, call_command

from maillage.structures.models import Membership, Structure
from maillage.users.models import User


def _run(*args, stdin=None):
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue().strip(), err.getvalue()


def test_structures_create_prints_id_and_is_idempotent_by_siret():
    first, _ = _run(
        "structures",
        "create",
        "--nom",
        "CCAS de Dreux",
        "--commune",
        "28134",
        "--siret",
        "13002526500013",
        "--type",
        "ccas",
    )
    again, err = _run("structures", "create", "--nom", "Autre", "--commune", "28134", "--siret", "13002526500013")
    assert first == again and Structure.objects.get(pk=int(first)).nom == "CCAS de Dreux"
    assert "déjà" in err


def test_structures_create_reports_unknown_commune_and_bad_siret():
    with pytest.raises(CommandError, match="Commune inconnue"):
        _run("structures", "create", "--nom", "X", "--commune", "99999")
    with pytest.raises(CommandError, match="SIRET"):
        _run("structures", "create", "--nom", "X", "--commune", "28134", "--siret", "12345678901234")


def test_users_create_with_structure_role_and_territorial_role():
    structure_id, _ = _run("structures", "create", "--nom", "France Services", "--commune", "28088")
    user_id, err = _run(
        "users", "create", "--email", "agent@exemple.fr", "--structure", structure_id, "--role", "mediateur"
    )
    assert "Lien pour choisir le mot de passe" in err
    again, _ = _run(
        "users", "create", "--email", "AGENT@exemple.fr", "--structure", structure_id, "--role", "mediateur"
    )
    assert again == user_id and User.objects.filter(email="agent@exemple.fr").count() == 1
    _run("users", "create", "--email", "coord@exemple.fr", "--structure", structure_id, "--role", "coordinateur")
    coordination = Membership.objects.get(user__email="coord@exemple.fr")
    assert (coordination.territory_level, coordination.territory_code) == ("departement", "28")
    with pytest.raises(CommandError, match="territoire"):
        _run("users", "create", "--email", "obs@exemple.fr", "--role", "observateur")
