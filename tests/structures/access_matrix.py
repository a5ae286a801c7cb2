from tests.access import MANAGERS, ROLES, everyone, only, signed_in

PAGES = {
    "structures:list": (lambda w: {}, signed_in(200)),
    "structures:create": (lambda w: {}, only({"coordinateur", "admin"})),
    "structures:detail": (lambda w: {"pk": w.structure.pk}, only(ROLES, aidant=404)),
    "structures:update": (lambda w: {"pk": w.structure.pk}, only(MANAGERS)),
    "structures:invite": (lambda w: {"pk": w.structure.pk}, only(MANAGERS)),
    "structures:member_revoke": (
        lambda w: {"pk": w.structure.pk, "membership_pk": w.membership.pk},
        only(MANAGERS),
    ),
    "structures:invitation_cancel": (
        lambda w: {"pk": w.structure.pk, "invitation_pk": w.invitation.pk},
        only(MANAGERS, code=302),
    ),
    "structures:territory_invite": (lambda w: {}, only({"coordinateur"})),
    "structures:invitation_accept": (lambda w: {"token": "inconnu"}, everyone(404)),
}
