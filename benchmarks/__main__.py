"""Run every benchmark: `make bench` (or `python -m benchmarks [--full] [--only NAME]`).

Each module `benchmarks/bench_<name>.py` exposes `run(*, full: bool) -> list[Comparison]`; they are
discovered and run in name order. The benchmarks use their own database
(benchmarks/results/bench.sqlite3 unless BENCH_DATABASE_URL is set, e.g. to a PostgreSQL URL) with
the whole territory reference loaded.
"""

import argparse
import importlib
import os
import pkgutil
import platform
import sys
import time
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--full", action="store_true", help="run the naive baselines on every query")
    parser.add_argument("--only", help="run only the benchmarks whose name contains this text")
    args = parser.parse_args(argv)

    RESULTS.mkdir(exist_ok=True)
    os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{RESULTS / 'bench.sqlite3'}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    os.environ.setdefault("DEBUG", "false")
    import django

    django.setup()
    from django.core.management import call_command

    import benchmarks
    from benchmarks.common import save
    from maillage.territories.services import territories_load

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    load = territories_load()
    state = "already loaded" if load.skipped else "loaded"
    print(f"Territory reference: {state} in {time.perf_counter() - started:.1f} s")

    names = sorted(info.name for info in pkgutil.iter_modules(benchmarks.__path__) if info.name.startswith("bench_"))
    comparisons = []
    for name in names:
        if args.only and args.only not in name:
            continue
        module = importlib.import_module(f"benchmarks.{name}")
        for comparison in module.run(full=args.full):
            comparisons.append(comparison)
            print("\n".join(comparison.lines()), flush=True)
    context = {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "database": django.db.connection.vendor,
    }
    print(f"\nResults written to {save(comparisons, context)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
