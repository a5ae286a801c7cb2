"""How a place is told to people: hours today and this week in words, a phone number as it is read,
what to bring, and the short summary a phone operator reads aloud."""

import datetime as dt
import functools
from dataclasses import dataclass

from django.utils import timezone

from maillage.places import hours
from maillage.places import standard as std

DEFAULT_TO_BRING = {
    "Aide aux démarches administratives": "une pièce d'identité, les courriers ou numéros de dossier concernés, "
    "vos identifiants (impots.gouv, Ameli, CAF, France Travail…) si vous en avez, et votre téléphone portable",
    "Maîtrise des outils numériques du quotidien": "votre téléphone, votre tablette ou votre ordinateur "
    "si vous en avez un, et ses codes",
    "Insertion professionnelle via le numérique": "votre CV si vous en avez un, et vos identifiants France Travail",
}
PLACEHOLDER_DATES = {dt.date(1970, 1, 1), dt.date(1969, 12, 31)}


def departement_of(commune_code: str | None) -> str | None:
    if not commune_code:
        return None
    return commune_code[:3] if commune_code.startswith("97") else commune_code[:2]


def phone_for_reading(number: str) -> str:
    """+33237451191 → 02 37 45 11 91; overseas numbers keep their international form."""
    if number.startswith("+33") and len(number) == 12:
        national = "0" + number[3:]
        return " ".join(national[i : i + 2] for i in range(0, 10, 2))
    return number


@dataclass
class Today:
    known: bool
    open_now: bool | None
    label: str  # "ouvert aujourd'hui de 9 h à 12 h et de 14 h à 17 h", "fermé aujourd'hui", "horaires non renseignés"


def week_schedule(place, *, monday: dt.date | None = None):
    """This week's days with their opening ranges (None when the hours are unknown or free text)."""
    today = timezone.localdate()
    monday = monday or today - dt.timedelta(days=today.weekday())
    return hours.week(place.horaires, monday, departement_of(place.commune_id))


def _ranges_in_words(ranges) -> str:
    parts = [f"de {hours.format_time(start)} à {hours.format_time(end)}" for start, end in ranges]
    return " et ".join(parts)


def today(place, *, now: dt.datetime | None = None) -> Today:
    now = now or timezone.now()
    departement = departement_of(place.commune_id)
    days = hours.week(place.horaires, timezone.localtime(now).date(), departement)
    if days is None:
        return Today(False, None, "horaires non renseignés" if not place.horaires else "horaires à vérifier")
    day = days[0]
    open_now = hours.is_open(place.horaires, now, departement)
    if not day.ranges:
        return Today(True, False, "fermé aujourd'hui")
    return Today(True, open_now, f"ouvert aujourd'hui {_ranges_in_words(day.ranges)}")


def to_bring(place) -> str:
    for service in place.services:
        if service in DEFAULT_TO_BRING:
            return DEFAULT_TO_BRING[service]
    return "une pièce d'identité et votre téléphone portable"


def access_in_words(place) -> str:
    if not place.modalites_acces:
        return "se présenter ou téléphoner avant de venir"
    return ", ".join(value[0].lower() + value[1:] for value in place.modalites_acces if value != std.NO_PUBLIC)


def summary_to_read(place, km: float | None = None, *, now: dt.datetime | None = None) -> str:
    """What a numéro vert operator reads to the caller, in plain words."""
    parts = [place.nom + (f", à {km:.0f} km" if km is not None and km >= 1 else "")]
    parts.append(today(place, now=now).label)
    if place.telephone:
        parts.append(f"téléphone {phone_for_reading(place.telephone)}")
    parts.append(f"adresse : {place.adresse}, {place.code_postal} {place.commune_nom}")
    parts.append(f"pour y accéder : {access_in_words(place)}")
    if place.frais_a_charge:
        parts.append("frais : " + ", ".join(value.lower() for value in place.frais_a_charge))
    if place.prise_en_charge_specifique:
        parts.append("accueil adapté : " + ", ".join(value.lower() for value in place.prise_en_charge_specifique))
    return ". ".join(part[0].upper() + part[1:] for part in parts) + "."


def date_known(place) -> bool:
    return place.date_maj not in PLACEHOLDER_DATES


def merge_value_text(place, item: str) -> str:
    """A merge item of a place, as the merge page shows it ("—" when empty)."""
    from maillage.places import dedup

    if item == dedup.LOCATION:
        parts = [place.adresse, place.complement_adresse, f"{place.code_postal} {place.commune_nom}".strip()]
        where = ", ".join(part for part in parts if part)
        precision = "position précise" if place.position_origin == "given" else "position approximative"
        return f"{where} ({precision})" if where else "—"
    value = dedup.item_value(place, item)
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "—"
    if item == "telephone" and value:
        return phone_for_reading(value)
    if item == "date_maj" and value in PLACEHOLDER_DATES:
        return "inconnue"
    if item == "date_maj" and isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if item == "pivot" and value and set(value) == {"0"}:
        return "inconnu (00000000000000)"
    return str(value) if value not in (None, "") else "—"


def merge_rows(places: list, defaults: dict) -> list[dict]:
    """One row per merge item: each place's value, which one the merge takes by default, and
    whether the places already agree (then there is nothing to choose)."""
    from maillage.places import dedup

    rows = []
    for item in dedup.MERGE_ITEMS:
        texts = [merge_value_text(place, item) for place in places]
        same = len({repr(dedup.item_value(place, item)) for place in places}) == 1
        rows.append(
            {
                "item": item,
                "label": dedup.MERGE_LABELS[item],
                "same": same,
                "options": [
                    {"pk": str(place.pk), "text": text, "checked": defaults[item] == str(place.pk), "index": i}
                    for i, (place, text) in enumerate(zip(places, texts, strict=True))
                ],
                "union": item in dedup.UNION_FIELDS and not same,
                "union_checked": defaults[item] == dedup.UNION,
            }
        )
    return rows


def _readable(value) -> str:
    """A journaled value as a person reads it: lists as items, yes/no, nothing as a dash."""
    if value is None or value == "" or value == [] or value == {}:
        return "—"
    if value is True or value is False:
        return "oui" if value else "non"
    if isinstance(value, list):
        return " · ".join(map(_readable, value))
    if isinstance(value, dict):
        return " ; ".join(f"{key} : {_readable(item)}" for key, item in value.items())
    return str(value)


@functools.cache
def _field_labels() -> dict[str, str]:
    """A place's field (name or column attribute) → its French label."""
    from maillage.places.models import Place

    labels = {field.name: field.verbose_name for field in Place._meta.get_fields() if hasattr(field, "verbose_name")}
    labels |= {field.attname: field.verbose_name for field in Place._meta.concrete_fields}
    return {name: str(label).capitalize() for name, label in labels.items()}


def change_rows(changes: dict) -> list[tuple[str, str, str]]:
    """(label, before, after) of a journal entry's changes ({model field: [old, new]})."""
    labels = _field_labels()
    return [
        (labels.get(name) or name.capitalize(), _readable(change[0]), _readable(change[1]))
        for name, change in changes.items()
    ]
