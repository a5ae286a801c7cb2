"""Normalising French place names for search: accents, case, punctuation, saint/sainte."""

import functools
import re
import unicodedata

_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_ABBREVIATIONS = {"st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes"}
_LIGATURES = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ß": "ss"})


def normalize(text: str) -> str:
    """ "Saint-Étienne-du-Rouvray" and "St Etienne du rouvray" both give "saint etienne du rouvray"."""
    decomposed = unicodedata.normalize("NFKD", (text or "").translate(_LIGATURES))
    ascii_text = decomposed.encode("ascii", "ignore").decode("ascii").lower()
    words = _NON_ALNUM.sub(" ", ascii_text).split()
    return " ".join(_ABBREVIATIONS.get(word, word) for word in words)


def compact(text: str) -> str:
    """The normalised name without spaces: "Chateau dun" and "Châteaudun" meet here."""
    return normalize(text).replace(" ", "")


# A light French phonetic key, applied to a compact name, so that names typed as they sound
# ("chatodun", "drex", "sincyr") meet the written ones ("Châteaudun", "Dreux", "Saint-Cyr").
_PHONETIC_RULES = [
    (re.compile(pattern), replacement)
    for pattern, replacement in [
        (r"sch", "X"),
        (r"ch", "X"),
        (r"ph", "f"),
        (r"qu", "k"),
        (r"gu(?=[eiy])", "g"),
        (r"c(?=[eiy])", "s"),
        (r"c", "k"),
        (r"eau", "o"),
        (r"au", "o"),
        (r"[ae]i(?=[nm])", "i"),
        (r"[ae]i", "e"),
        (r"g(?=[eiy])", "j"),
        (r"(?<=[aeiou])s(?=[aeiou])", "z"),
        (r"y", "i"),
        (r"w", "v"),
        (r"h", ""),
        (r"e(?=[nm](?:[^aeiou]|$))", "a"),
        (r"(?<=[nm])[td](?=[^aeiou])", ""),
        (r"(.)\1+", r"\1"),
        (r"(?<=.)[stdxz]+$", ""),
    ]
]


def phonetic(text: str) -> str:
    return phonetic_key(compact(text))


@functools.lru_cache(maxsize=200_000)
def phonetic_key(key: str) -> str:
    """The phonetic key of an already compact name."""
    for pattern, replacement in _PHONETIC_RULES:
        key = pattern.sub(replacement, key)
    return key
