import io

from django.core.management import call_command

from maillage.core.roles import Role
from maillage.structures.models import Membership, Structure
from maillage.users.models import User


def test_demo_seed_creates_one_account_per_role_and_is_idempotent():
    out = io.StringIO()
    call_command("demo", "seed", stdout=out)
    counts = (User.objects.count(), Structure.objects.count(), Membership.objects.count())
    assert set(Membership.objects.values_list("role", flat=True)) == set(Role.values)
    assert "coordinateur@demo.maillage.fr" in out.getvalue() and "mot de passe" in out.getvalue()
    call_command("demo", "seed", stdout=io.StringIO())
    assert (User.objects.count(), Structure.objects.count(), Membership.objects.count()) == counts
    assert User.objects.get(email="coordinateur@demo.maillage.fr").check_password("maillage-demo-28")
