from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.db import transaction

from maillage.core import audit
from maillage.users.enums import AuditAction

User = get_user_model()


def user_get_or_create(
    *, actor, email: str, first_name: str = "", last_name: str = "", password: str | None = None
) -> tuple[User, bool]:
    """The account for `email` (case-insensitive), created without a usable password unless one is given."""
    email = User.objects.normalize_email(email).strip().lower()
    existing = User.objects.filter(email__iexact=email).first()
    if existing is not None:
        return existing, False
    user = User(email=email, first_name=first_name, last_name=last_name)
    if password:
        validate_password(password, user)
    with transaction.atomic():
        user.full_clean(exclude=["password"])
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save()
        audit.record(actor=actor, action=AuditAction.USER_CREATED, obj=user, personal_data=True)
    return user, True


def user_logged_in(*, user) -> None:
    audit.record(actor=user, action=AuditAction.LOGGED_IN, obj=user)


def user_password_changed(*, user) -> None:
    audit.record(actor=user, action=AuditAction.PASSWORD_CHANGED, obj=user)
