"""Declarative index methods: YAML files shipped as presets (`methods/*.yaml`) or written by a user.

A method names its indicators (source column, level, direction, weight), how they are scored
(decile classes or base-100 index), how they are aggregated (population-weighted means) and how
they are combined (composites: weighted means of indicators or of other composites).
"""

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from django.core.exceptions import ValidationError

PRESETS_DIR = Path(__file__).resolve().parent / "methods"
SCORING_TYPES = ("deciles", "index100")
LEVELS = ("iris", "commune")
DIRECTIONS = ("up", "down")


@dataclass(frozen=True)
class Source:
    file: str
    code: str
    column: str
    transform: str = ""  # "" or "one_minus"
    sep: str = ""  # "" = detected from the header line
    skip: int = 0  # lines before the header
    optional: bool = False


@dataclass(frozen=True)
class Indicator:
    key: str
    label: str
    level: str = "commune"
    direction: str = "up"
    short: str = ""
    vintage: str = ""
    source: Source | None = None
    # Computed by maillage itself (e.g. "distance_nearest_place"); see variants.MAILLAGE_INDICATORS.
    computed: str = ""


@dataclass(frozen=True)
class Composite:
    key: str
    label: str
    of: dict[str, float]


@dataclass(frozen=True)
class Method:
    key: str
    version: str
    label: str
    description: str
    indicators: tuple[Indicator, ...]
    composites: tuple[Composite, ...]
    scoring: dict = field(default_factory=dict)
    scale: dict = field(default_factory=dict)
    missing: str = "available"
    geography: dict = field(default_factory=dict)
    text: str = ""  # the YAML as read: stored with every run

    @property
    def indicator_keys(self) -> list[str]:
        return [indicator.key for indicator in self.indicators]

    @property
    def composite_keys(self) -> list[str]:
        return [composite.key for composite in self.composites]

    @property
    def total_key(self) -> str:
        return self.composites[-1].key

    @property
    def columns(self) -> list[str]:
        """Output columns after `code`: every indicator, then every composite (the total last)."""
        return self.indicator_keys + self.composite_keys

    @property
    def labels(self) -> dict[str, str]:
        return {item.key: item.label for item in (*self.indicators, *self.composites)}

    @property
    def classes(self) -> int:
        return int(self.scoring.get("classes", 10))

    @property
    def is_deciles(self) -> bool:
        return self.scoring.get("type") == "deciles"

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.text.encode()).hexdigest()[:12]

    def indicator(self, key: str) -> Indicator:
        for indicator in self.indicators:
            if indicator.key == key:
                return indicator
        raise KeyError(key)


def preset_names() -> list[str]:
    return sorted(path.stem for path in PRESETS_DIR.glob("*.yaml"))


def preset_path(name: str) -> Path:
    return PRESETS_DIR / f"{name}.yaml"


def load_method(name_or_path: str | Path) -> Method:
    """A preset by name (`ifn-v3`) or a YAML file; ValidationError with a French message otherwise."""
    path = Path(name_or_path)
    if not path.suffix and preset_path(str(name_or_path)).exists():
        path = preset_path(str(name_or_path))
    if not path.is_file():
        raise ValidationError(
            "Méthode introuvable : %(name)s. Méthodes fournies : %(presets)s, ou le chemin d'un fichier YAML.",
            params={"name": name_or_path, "presets": ", ".join(preset_names())},
        )
    return parse_method(path.read_text(encoding="utf-8"), origin=str(path))


def parse_method(text: str, *, origin: str = "méthode") -> Method:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise ValidationError(f"{origin} : YAML illisible ({error}).") from error
    if not isinstance(data, dict):
        raise ValidationError(f"{origin} : le fichier doit décrire un objet (key, indicators…).")
    errors = []
    for required in ("key", "indicators", "scoring"):
        if required not in data:
            errors.append(f"{origin} : champ obligatoire absent : {required}")
    if errors:
        raise ValidationError(errors)
    scoring = dict(data["scoring"] or {})
    if scoring.get("type") not in SCORING_TYPES:
        errors.append(f"{origin} : scoring.type doit être l'un de {', '.join(SCORING_TYPES)}")
    indicators = []
    for position, raw in enumerate(data["indicators"] or [], start=1):
        where = f"{origin}, indicateur n° {position}"
        if not isinstance(raw, dict) or not raw.get("key"):
            errors.append(f"{where} : « key » manquant")
            continue
        source = raw.get("source")
        if source is None and not raw.get("computed"):
            errors.append(f"{where} ({raw['key']}) : il faut une « source » (file, code, column) ou « computed »")
        if source is not None and not all(source.get(name) for name in ("file", "code", "column")):
            errors.append(f"{where} ({raw['key']}) : la source doit nommer file, code et column")
            source = None
        if raw.get("level", "commune") not in LEVELS:
            errors.append(f"{where} ({raw['key']}) : level doit être iris ou commune")
        if raw.get("direction", "up") not in DIRECTIONS:
            errors.append(f"{where} ({raw['key']}) : direction doit être up ou down")
        indicators.append(
            Indicator(
                key=str(raw["key"]),
                label=str(raw.get("label") or raw["key"]),
                level=raw.get("level", "commune"),
                direction=raw.get("direction", "up"),
                short=str(raw.get("short") or raw.get("label") or raw["key"]),
                vintage=str(raw.get("vintage", "")),
                source=Source(**{k: v for k, v in source.items() if k in Source.__dataclass_fields__})
                if source
                else None,
                computed=str(raw.get("computed", "")),
            )
        )
    if not indicators:
        errors.append(f"{origin} : aucun indicateur")
    combination = data.get("combination") or {}
    raw_composites = combination.get("composites") or [
        {"key": "total", "label": "Score total", "of": {indicator.key: 1 for indicator in indicators}}
    ]
    known = {indicator.key for indicator in indicators}
    composites = []
    for raw in raw_composites:
        of = {str(k): float(v) for k, v in (raw.get("of") or {}).items()}
        unknown = set(of) - known
        if unknown:
            errors.append(f"{origin}, composite {raw.get('key')} : éléments inconnus {', '.join(sorted(unknown))}")
        if not of or sum(of.values()) <= 0:
            errors.append(f"{origin}, composite {raw.get('key')} : poids vides ou nuls")
        composites.append(Composite(key=str(raw["key"]), label=str(raw.get("label") or raw["key"]), of=of))
        known.add(str(raw["key"]))
    if errors:
        raise ValidationError(errors)
    return Method(
        key=str(data["key"]),
        version=str(data.get("version", "")),
        label=str(data.get("label") or data["key"]),
        description=str(data.get("description", "")).strip(),
        indicators=tuple(indicators),
        composites=tuple(composites),
        scoring=scoring,
        scale=dict(data.get("scale") or {}),
        missing=str(combination.get("missing", "available")),
        geography=dict(data.get("geography") or {}),
        text=text,
    )


def method_to_yaml(method: Method, *, drop=(), add=(), weights=None, key=None, label=None) -> str:
    """A derived method (local variant): drop indicators, add others, change the weights of the total."""
    data = yaml.safe_load(method.text)
    weights = weights or {}
    data["indicators"] = [item for item in data["indicators"] if item["key"] not in set(drop)]
    data["indicators"] += [dict(item) for item in add]
    remaining = {item["key"] for item in data["indicators"]}
    composites = (data.get("combination") or {}).get("composites") or [{"key": "total", "of": {}}]
    total = composites[-1]
    of = {k: v for k, v in (total.get("of") or {}).items() if k in remaining}
    for item in add:
        of.setdefault(item["key"], 1)
    for name, weight in weights.items():
        if name in of:
            of[name] = weight
    total["of"] = {k: v for k, v in of.items() if v}
    data.setdefault("combination", {})["composites"] = composites
    data["key"] = key or f"{method.key}-variante"
    data["label"] = label or f"{method.label} — variante locale"
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
