"""Turning opening hours written in French into OpenStreetMap syntax, where that is unambiguous.

"Du lundi au jeudi : 9h-12h 14h-17h Le vendredi : 9h-12h 14h-16h" becomes
"Mo-Th 09:00-12:00,14:00-17:00; Fr 09:00-12:00,14:00-16:00". Anything that cannot be converted
faithfully (no day given, exceptions such as "sauf", "semaine paire", appointment-only) returns
None: the importer then keeps the raw text and warns. Also tidies near-OSM strings written with
spaces ("Tu, Th 13:30-18:00" → "Tu,Th 13:30-18:00").
"""

import re
import unicodedata

from maillage.places import hours

DAYS = {"lundi": 0, "mardi": 1, "mercredi": 2, "jeudi": 3, "vendredi": 4, "samedi": 5, "dimanche": 6}
OSM_DAYS = ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"]
TIME = re.compile(r"(?<!\d)(\d{1,2})\s*(?:h|:)(\d{2})?(?!\d)")
DAY_WORD = re.compile(r"\b(lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)s?\b")
# Words that announce something the OSM rule built here would not say.
UNSAFE = re.compile(r"sauf|ferm|pair|rendez|planning|planif|semaine \d|mois|vacances|\bete\b|hiver|24h|7j|\bsur rdv")
RANGE_LINK = re.compile(r"^\s*(au|a|-)\s*$")


def _plain(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return ascii_text.replace("’", "'")


def tidy_osm(expression: str) -> str | None:
    """An almost-OSM string made valid by removing spaces inside lists (None if it still fails)."""
    tidy = re.sub(r"\s*,\s*", ",", expression.strip())
    tidy = re.sub(r"\s*;\s*", "; ", tidy)
    tidy = re.sub(r"(\d{2}:\d{2})\s*-\s*(\d{2}:\d{2})", r"\1-\2", tidy)
    return tidy if tidy != expression and hours.is_valid(tidy) else None


def _day_groups(text: str):
    """Split the text at day words: [(days, text_after_days)], or None when times come first."""
    matches = list(DAY_WORD.finditer(text))
    if not matches or text[: matches[0].start()].strip(" :.,;-") and TIME.search(text[: matches[0].start()]):
        return None
    groups, days, previous_end, pending_range = [], [], None, False
    for index, match in enumerate(matches):
        between = text[previous_end : match.start()] if previous_end is not None else ""
        day = DAYS[match.group(1)]
        if previous_end is not None and TIME.search(between):
            groups.append((days, between))
            days, pending_range = [], False
        elif pending_range is False and previous_end is not None and RANGE_LINK.match(between.replace("du", "")):
            pending_range = True
        if pending_range and days:
            start = days[-1]
            days.extend(range(start + 1, day + 1))
            pending_range = False
        else:
            days.append(day)
        previous_end = match.end()
        if index == len(matches) - 1:
            groups.append((days, text[previous_end:]))
    return groups


def _ranges(segment: str) -> list[str] | None:
    times = [(int(h), int(m or 0)) for h, m in TIME.findall(segment)]
    if not times or len(times) % 2 or any(h > 24 or m > 59 for h, m in times):
        return None
    ranges = []
    for (h1, m1), (h2, m2) in zip(times[::2], times[1::2], strict=True):
        if (h2, m2) <= (h1, m1):
            return None
        ranges.append(f"{h1:02d}:{m1:02d}-{h2:02d}:{m2:02d}")
    return ranges


def _day_spec(days: list[int]) -> str:
    days = sorted(set(days))
    if len(days) > 2 and days == list(range(days[0], days[-1] + 1)):
        return f"{OSM_DAYS[days[0]]}-{OSM_DAYS[days[-1]]}"
    return ",".join(OSM_DAYS[day] for day in days)


def french_to_osm(text: str) -> str | None:
    plain = _plain(text)
    if UNSAFE.search(plain):
        return None
    groups = _day_groups(plain)
    if not groups:
        return None
    rules = []
    for days, segment in groups:
        ranges = _ranges(segment)
        if not days or ranges is None:
            return None
        rules.append(f"{_day_spec(days)} {','.join(ranges)}")
    expression = "; ".join(rules)
    return expression if hours.is_valid(expression) else None


def half_days_to_osm(columns_by_day: list[tuple[str, list[str]]]) -> str | None:
    """Half-day columns ("8h30-12h", "13h30-17h") per OSM day into one expression."""
    by_ranges: dict[str, list[int]] = {}
    for day, cells in columns_by_day:
        ranges = []
        for cell in cells:
            if cell and cell.strip():
                parsed = _ranges(_plain(cell))
                if parsed is None:
                    return None
                ranges.extend(parsed)
        if ranges:
            by_ranges.setdefault(",".join(ranges), []).append(OSM_DAYS.index(day))
    if not by_ranges:
        return None
    rules = sorted((min(days), f"{_day_spec(days)} {ranges}") for ranges, days in by_ranges.items())
    expression = "; ".join(rule for _, rule in rules)
    return expression if hours.is_valid(expression) else None
