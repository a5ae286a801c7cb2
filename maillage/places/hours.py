"""Opening hours in OpenStreetMap syntax (`horaires`), evaluated in the place's local time.

French national public holidays come from opening-hours-py (`PH`); regional ones it does not know
(Alsace-Moselle's Good Friday and 26 December, the abolition-of-slavery days overseas) come from the
`holidays` package: on such a day an expression that closes on public holidays (`PH off`) is closed.
"""

import datetime as dt
import functools
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import holidays
from opening_hours import OpeningHours, ParserError, State

PARIS = ZoneInfo("Europe/Paris")
TIME_ZONES = {
    "971": ZoneInfo("America/Guadeloupe"),
    "972": ZoneInfo("America/Martinique"),
    "973": ZoneInfo("America/Cayenne"),
    "974": ZoneInfo("Indian/Reunion"),
    "976": ZoneInfo("Indian/Mayotte"),
}
# Départements with public holidays of their own (holidays' subdivisions of France).
REGIONAL_SUBDIVISIONS = {
    "57": "57",
    "67": "6AE",
    "68": "6AE",
    "971": "971",
    "972": "972",
    "973": "973",
    "974": "974",
    "976": "976",
}
CLOSED_ON_HOLIDAYS = re.compile(r"\bPH\s+(off|closed)\b")
DAY_NAMES = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]
# A week without any public holiday anywhere in France, to measure "hours per week".
REFERENCE_MONDAY = dt.date(2026, 1, 12)


def time_zone(departement: str | None) -> ZoneInfo:
    return TIME_ZONES.get(departement or "", PARIS)


@functools.lru_cache(maxsize=65_536)
def parse(expression: str, departement: str | None = None) -> OpeningHours | None:
    """The parsed expression, or None when it is empty or not in OSM syntax (free text)."""
    if not expression or not expression.strip():
        return None
    try:
        return OpeningHours(expression, country="FR", timezone=time_zone(departement))
    except (ParserError, SyntaxError, ValueError):
        return None


def is_valid(expression: str) -> bool:
    return parse(expression) is not None


@functools.lru_cache(maxsize=64)
def _regional_holidays(departement: str, year: int) -> frozenset[dt.date]:
    subdivision = REGIONAL_SUBDIVISIONS.get(departement)
    if subdivision is None:
        return frozenset()
    regional = holidays.France(subdiv=subdivision, years=year)
    national = holidays.France(years=year)
    return frozenset(day for day in regional if day not in national)


def is_open(expression: str, moment: dt.datetime, departement: str | None = None) -> bool | None:
    """Open at `moment`? None when the hours are unknown or unparseable."""
    hours = parse(expression, departement)
    if hours is None:
        return None
    local = (
        moment.astimezone(time_zone(departement)) if moment.tzinfo else moment.replace(tzinfo=time_zone(departement))
    )
    if departement and local.date() in _regional_holidays(departement, local.year):
        if CLOSED_ON_HOLIDAYS.search(expression):
            return False
    return hours.is_open(local)


@dataclass(frozen=True)
class DayHours:
    day: dt.date
    name: str
    ranges: list[tuple[dt.time, dt.time]]
    holiday: bool = False

    @property
    def label(self) -> str:
        if not self.ranges:
            return "fermé"
        return ", ".join(f"{format_time(start)} – {format_time(end)}" for start, end in self.ranges)


def format_time(value: dt.time) -> str:
    """9 h, 9 h 30, 18 h 30 (French, as read aloud)."""
    return f"{value.hour} h" if value.minute == 0 else f"{value.hour} h {value.minute:02d}"


def week(expression: str, monday: dt.date, departement: str | None = None) -> list[DayHours] | None:
    """Opening ranges of each day of the week that starts on `monday` (None when unparseable)."""
    hours = parse(expression, departement)
    if hours is None:
        return None
    zone = time_zone(departement)
    days = []
    regional = _regional_holidays(departement, monday.year) if departement else frozenset()
    for offset in range(7):
        day = monday + dt.timedelta(days=offset)
        start = dt.datetime.combine(day, dt.time(0, 0), tzinfo=zone)
        end = start + dt.timedelta(days=1)
        ranges = []
        if not (day in regional and CLOSED_ON_HOLIDAYS.search(expression)):
            for begin, finish, state, _ in hours.intervals(start, end):
                if state == State.OPEN:
                    finish_time = dt.time(23, 59) if finish >= end else finish.time()
                    ranges.append((begin.time(), finish_time))
        days.append(DayHours(day, DAY_NAMES[day.weekday()], ranges, holiday=day in regional))
    return days


def weekly_hours(expression: str) -> float | None:
    """Hours open in an ordinary week (no public holiday); None when the expression is unusable."""
    hours = parse(expression)
    if hours is None:
        return None
    start = dt.datetime.combine(REFERENCE_MONDAY, dt.time(0, 0), tzinfo=PARIS)
    end = start + dt.timedelta(days=7)
    seconds = sum(
        (min(finish, end) - max(begin, start)).total_seconds()
        for begin, finish, state, _ in hours.intervals(start, end)
        if state == State.OPEN
    )
    return round(seconds / 3600, 2)
