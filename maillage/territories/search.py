"""Commune search: by name (accent- and case-insensitive, prefix and typo tolerant) or postal code.

The index lives in memory (about 35,000 communes and their former names, built in about a second
from the database) and is rebuilt when the reference is loaded again. Matching tiers, best first:

1. the written name, or one of its later words, equals or starts with the query ("chateau dun",
   "denis" for Saint-Denis, "lyon 3" for Lyon 3e Arrondissement);
2. the same on a French phonetic key ("chatodun", "sincyr", "nojan le rotrou");
3. fuzzy similarity (rapidfuzz) of phonetic keys, first among names that start with the same sound,
   then among all names when that gives nothing good ("drex" for Dreux).

Within a tier, larger communes come first. Former names (communes déléguées) lead to the commune
nouvelle. Postal codes and INSEE codes match exactly or by prefix.
"""

import bisect
import math
import re
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from maillage.core.memory import Rebuilt
from maillage.territories.models import Commune, FormerCommune, PostalCode, ReferenceLoad
from maillage.territories.normalize import compact, normalize, phonetic, phonetic_key

CODE_QUERY = re.compile(r"^\d[\dAB]\d{0,3}$", re.IGNORECASE)
FUZZY_CUTOFF = 70
# Approximate matches (phonetic, fuzzy) never outrank a written prefix match, and among them a
# larger commune gets a head start: people mostly look for places where many people live.
APPROXIMATE_CEILING = 84.0
POPULATION_WEIGHT = 3.0
# Words that start no useful search on their own ("le" in Nogent-le-Rotrou).
LINK_WORDS = frozenset({"le", "la", "les", "l", "de", "du", "des", "d", "sur", "sous", "en", "et", "aux", "au"})
RECHECK_SECONDS = 5.0


@dataclass(frozen=True)
class Hit:
    code: str
    score: float
    matched: str  # what matched: the name, a former name, a postal code


class PrefixTable:
    """Sorted keys for prefix lookups; each key points at (entry, word position)."""

    def __init__(self, items: list[tuple[str, int, int]]):
        items.sort()
        self.keys = [key for key, _, _ in items]
        self.refs = [(entry, word) for _, entry, word in items]

    def matches(self, prefix: str):
        start = bisect.bisect_left(self.keys, prefix)
        stop = bisect.bisect_right(self.keys, prefix + "\uffff")
        for position in range(start, stop):
            entry, word = self.refs[position]
            yield entry, word, self.keys[position] == prefix


class CommuneIndex:
    def __init__(self, rows, former_rows, postal_rows, version=None):
        self.version = version
        self.codes = [code for code, _, _ in rows]
        self.names = [name for _, name, _ in rows]
        self.populations = [population or 0 for _, _, population in rows]
        self.by_code = {code: i for i, code in enumerate(self.codes)}
        # Entries searched by name: every current name, then every former name.
        entries = [(name, i) for i, name in enumerate(self.names)]
        entries += [(name, self.by_code[code]) for name, code in former_rows if name and code in self.by_code]
        self.entry_label = [label for label, _ in entries]
        self.entry_owner = [owner for _, owner in entries]
        self.entry_is_former = [k >= len(self.names) for k in range(len(entries))]
        written, sounds = [], []
        for k, (label, _) in enumerate(entries):
            words = normalize(label).split()
            for w in range(len(words)):
                if w and words[w] in LINK_WORDS:
                    continue
                tail = "".join(words[w:])
                written.append((tail, k, w))
                sounds.append((phonetic_key(tail), k, w))
        self.written = PrefixTable(written)
        self.sounds = PrefixTable(sounds)
        self.phonetic_keys = [phonetic(label) for label in self.entry_label]
        # Fuzzy matching looks first among names that start with the same two sounds, then one.
        self.buckets: dict[str, list[int]] = {}
        for k, key in enumerate(self.phonetic_keys):
            self.buckets.setdefault(key[:2], []).append(k)
            self.buckets.setdefault(key[:1], []).append(k)
        self.bucket_keys = {start: [self.phonetic_keys[k] for k in ks] for start, ks in self.buckets.items()}
        self.by_postal: dict[str, list[int]] = {}
        for postal, code in postal_rows:
            if code in self.by_code:
                self.by_postal.setdefault(postal, []).append(self.by_code[code])
        self.postal_sorted = sorted(self.by_postal)

    @classmethod
    def build(cls, version=None) -> "CommuneIndex":
        rows = list(Commune.objects.filter(is_current=True).values_list("code", "nom", "population"))
        former = list(FormerCommune.objects.exclude(nom="").values_list("nom", "commune_id"))
        postal = list(PostalCode.objects.values_list("code", "commune_id"))
        return cls(rows, former, postal, version)

    def search(self, query: str, limit: int = 20) -> list[Hit]:
        query = (query or "").strip()
        if not query:
            return []
        if CODE_QUERY.match(query):
            return self._rank(self._code_hits(query.upper()), limit)
        key = compact(query)
        if not key:
            return []
        found: dict[int, Hit] = {}
        self._prefix_hits(self.written, key, found, exact=(100, 95), prefix=(90, 85))
        written_match = bool(found)
        sound = phonetic(query)
        if len(found) < limit and sound:
            self._prefix_hits(self.sounds, sound, found, exact=(80, 76), prefix=(74, 70), approximate=True)
        if not written_match and sound:
            self._fuzzy_hits(sound, found, limit)
        return self._rank(found, limit)

    def _rank(self, found: dict[int, Hit], limit: int) -> list[Hit]:
        ranked = sorted(found.items(), key=lambda item: (-item[1].score, -self.populations[item[0]], item[1].code))
        return [hit for _, hit in ranked[:limit]]

    def _prefix_hits(self, table: PrefixTable, key: str, found, *, exact, prefix, approximate=False) -> None:
        for entry, word, is_exact in table.matches(key):
            score = (exact if is_exact else prefix)[0 if word == 0 else 1]
            score -= 1 if self.entry_is_former[entry] else 0
            self._keep(found, entry, self._approximate(entry, score) if approximate else score)

    def _approximate(self, entry: int, score: float) -> float:
        population = self.populations[self.entry_owner[entry]]
        return round(min(APPROXIMATE_CEILING, score + POPULATION_WEIGHT * math.log10(population + 1)), 1)

    def _fuzzy_hits(self, sound: str, found, limit: int) -> None:
        """Similar names, widening the search (two first sounds, one, all) until one is close enough."""
        for start in (sound[:2], sound[:1], None):
            entries = self.buckets.get(start, []) if start is not None else None
            keys = self.bucket_keys.get(start, []) if start is not None else self.phonetic_keys
            results = process.extract(
                sound, keys, scorer=fuzz.ratio, processor=None, score_cutoff=FUZZY_CUTOFF, limit=limit
            )
            for _, score, i in results:
                entry = entries[i] if entries is not None else i
                self._keep(found, entry, self._approximate(entry, score * 0.7))
            if results:
                return

    def _keep(self, found: dict[int, Hit], entry: int, score: float) -> None:
        owner = self.entry_owner[entry]
        if owner not in found or found[owner].score < score:
            found[owner] = Hit(self.codes[owner], score, self.entry_label[entry])

    def _code_hits(self, query: str) -> dict[int, Hit]:
        found: dict[int, Hit] = {}
        if query in self.by_code:
            # People type postal codes far more often than INSEE codes: those come first.
            found[self.by_code[query]] = Hit(query, 99.0, query)
        start = bisect.bisect_left(self.postal_sorted, query)
        for postal in self.postal_sorted[start:]:
            if not postal.startswith(query):
                break
            for owner in self.by_postal[postal]:
                score = 100.0 if postal == query else 80.0
                if owner not in found or found[owner].score < score:
                    found[owner] = Hit(self.codes[owner], score, postal)
        return found


def _current_version():
    return ReferenceLoad.objects.order_by("-id").values_list("id", flat=True).first()


_index = Rebuilt(CommuneIndex.build, _current_version, RECHECK_SECONDS)


def get_index() -> CommuneIndex:
    """The shared index, rebuilt when a newer reference load is seen (checked every few seconds)."""
    return _index.get()


def invalidate_index() -> None:
    _index.invalidate()


def search_communes(query: str, limit: int = 20) -> list[Commune]:
    """Communes matching `query`, best first, as model instances (with département and EPCI)."""
    hits = get_index().search(query, limit=limit)
    communes = Commune.objects.select_related("departement", "epci").in_bulk([hit.code for hit in hits])
    return [communes[hit.code] for hit in hits if hit.code in communes]
