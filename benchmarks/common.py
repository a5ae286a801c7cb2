"""Timing helpers and the report format shared by every benchmark."""

import json
import statistics
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

RESULTS_DIR = Path(__file__).resolve().parent / "results"


@dataclass
class Timing:
    label: str
    samples: int
    p50_ms: float
    p95_ms: float
    mean_ms: float
    total_s: float
    extra: dict = field(default_factory=dict)


def measure(label: str, function: Callable, inputs: Iterable, **extra) -> Timing:
    durations = []
    started = time.perf_counter()
    for item in inputs:
        t0 = time.perf_counter()
        function(item)
        durations.append((time.perf_counter() - t0) * 1000)
    total = time.perf_counter() - started
    durations.sort()
    return Timing(
        label=label,
        samples=len(durations),
        p50_ms=statistics.median(durations),
        p95_ms=durations[int(0.95 * (len(durations) - 1))],
        mean_ms=statistics.fmean(durations),
        total_s=total,
        extra=extra,
    )


@dataclass
class Comparison:
    name: str
    ours: Timing
    baseline: Timing
    notes: list[str] = field(default_factory=list)

    @property
    def ratio_p50(self) -> float:
        return self.baseline.p50_ms / self.ours.p50_ms

    @property
    def ratio_p95(self) -> float:
        return self.baseline.p95_ms / self.ours.p95_ms

    def lines(self) -> list[str]:
        rows = [f"== {self.name} =="]
        for timing in (self.ours, self.baseline):
            extra = " ".join(f"{k}={v}" for k, v in timing.extra.items())
            rows.append(
                f"  {timing.label:<34} n={timing.samples:<6} p50={timing.p50_ms:8.3f} ms  "
                f"p95={timing.p95_ms:8.3f} ms  total={timing.total_s:7.2f} s  {extra}"
            )
        rows.append(f"  ratio (baseline / maillage): p50 ×{self.ratio_p50:.1f}   p95 ×{self.ratio_p95:.1f}")
        rows += [f"  note: {note}" for note in self.notes]
        return rows


def save(comparisons: list[Comparison], context: dict) -> Path:
    RESULTS_DIR.mkdir(exist_ok=True)
    path = RESULTS_DIR / "latest.json"
    payload = {
        "context": context,
        "results": [
            {
                "name": c.name,
                "ours": asdict(c.ours),
                "baseline": asdict(c.baseline),
                "ratio_p50": c.ratio_p50,
                "ratio_p95": c.ratio_p95,
                "notes": c.notes,
            }
            for c in comparisons
        ],
    }
    path.write_text(json.dumps(payload, indent=2, ensure_ascii=False))
    return path
