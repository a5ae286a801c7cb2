"""Commune search: 10,000 queries made from real commune names with typos.

maillage's in-memory index (`search_communes`, database fetch of the results included) against the
naive `Commune.objects.filter(nom__icontains=q)` scan, both on the same database in the same run.
Besides speed, the share of queries whose intended commune (or a homonym) comes back is reported.
"""

import random
import unicodedata

from benchmarks.common import Comparison, measure
from maillage.territories.models import Commune
from maillage.territories.normalize import normalize
from maillage.territories.search import get_index, search_communes

QUERIES = 10_000
SEED = 20261123


def _strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _typo(name: str, rng: random.Random) -> str:
    """One realistic way of mistyping a name: accents dropped, a letter lost, swapped or wrong, cut short."""
    text = name
    kind = rng.choice(["accents", "drop", "swap", "replace", "prefix", "case", "hyphens"])
    letters = [i for i, c in enumerate(text) if c.isalpha()]
    if kind == "accents":
        text = _strip_accents(text).lower()
    elif kind == "drop" and len(letters) > 4:
        i = rng.choice(letters[1:])
        text = text[:i] + text[i + 1 :]
    elif kind == "swap" and len(letters) > 4:
        i = rng.choice(letters[1:-1])
        if i + 1 < len(text):
            text = text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    elif kind == "replace" and len(letters) > 4:
        i = rng.choice(letters[1:])
        text = text[:i] + rng.choice("aeioulnrst") + text[i + 1 :]
    elif kind == "prefix" and len(text) > 6:
        text = text[: rng.randint(max(4, len(text) // 2), len(text) - 1)]
    elif kind == "case":
        text = text.upper()
    elif kind == "hyphens":
        text = text.replace("-", " ").replace("'", " ")
    return text


def make_queries(count: int = QUERIES, seed: int = SEED) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    names = list(Commune.objects.filter(is_current=True).values_list("nom", flat=True))
    chosen = [rng.choice(names) for _ in range(count)]
    return [(_typo(name, rng), name) for name in chosen]


def _found(results, intended: str) -> bool:
    wanted = normalize(intended)
    return any(normalize(name) == wanted for name in results)


def run(*, full: bool) -> list[Comparison]:
    baseline_sample = QUERIES if full else 2_000
    queries = make_queries()
    get_index()  # built once per process, outside the timings (about a second)

    found_ours = 0

    def ours(item):
        nonlocal found_ours
        query, intended = item
        found_ours += _found([c.nom for c in search_communes(query, limit=10)], intended)

    found_naive = 0

    def naive(item):
        nonlocal found_naive
        query, intended = item
        found_naive += _found(
            list(Commune.objects.filter(nom__icontains=query).values_list("nom", flat=True)[:10]), intended
        )

    ours_timing = measure("maillage search_communes", ours, queries)
    index = get_index()
    index_only = measure("index only", lambda item: index.search(item[0], limit=10), queries)
    sample = queries[:baseline_sample]
    naive_timing = measure("naive nom__icontains", naive, sample)
    ours_timing.extra["found@10"] = f"{found_ours / len(queries):.1%}"
    naive_timing.extra["found@10"] = f"{found_naive / len(sample):.1%}"
    notes = [
        f"{len(queries)} queries from real names with one typo each (seed {SEED})",
        f"in-memory index alone, without fetching the results from the database: p50 {index_only.p50_ms:.3f} ms, "
        f"p95 {index_only.p95_ms:.3f} ms",
    ]
    if len(sample) < len(queries):
        notes.append(f"the naive scan runs on the first {len(sample)} queries (same distribution); --full for all")
    return [Comparison("Commune search (10,000 typed queries)", ours_timing, naive_timing, notes)]
