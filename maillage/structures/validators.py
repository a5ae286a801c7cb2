from django.core.exceptions import ValidationError

PLACEHOLDER_SIRETS = frozenset({"00000000000000"})
# La Poste's establishments are numbered outside the Luhn rule (SIREN 356 000 000).
LA_POSTE_SIREN = "356000000"


def luhn_ok(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char) * (2 if position % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def validate_siret(value: str) -> None:
    """A SIRET is 14 digits with a valid Luhn key (La Poste's, whose digits add up to a multiple of 5)."""
    if len(value) != 14 or not value.isdigit():
        raise ValidationError("Un SIRET compte 14 chiffres : %(value)s.", params={"value": value}, code="format")
    if value in PLACEHOLDER_SIRETS:
        raise ValidationError("%(value)s n'est pas un vrai SIRET.", params={"value": value}, code="placeholder")
    if value.startswith(LA_POSTE_SIREN):
        if sum(int(char) for char in value) % 5 == 0:
            return
    elif luhn_ok(value):
        return
    raise ValidationError(
        "%(value)s n'est pas un SIRET valide (clé de contrôle incorrecte).", params={"value": value}, code="checksum"
    )
