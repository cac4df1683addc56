"""`make bench`: speed measured and printed, never asserted (tests stay free of timing).

Each module listed in BENCHES defines `run(report)` and calls `report(name, value, unit, note="")`.
The benchmarks run against a fresh throw-away database (SQLite in memory, or the DATABASE_URL server's test database).
"""

import statistics
import time
import tracemalloc

BENCHES = [
    "tests.bench.bench_roster",
    "tests.bench.bench_before",  # R1–R3
    "tests.bench.bench_meeting",  # R4
    "tests.bench.bench_appraisal",  # R5
    "tests.bench.bench_rectification",  # R6
    "tests.bench.bench_overview",  # R7
    "tests.bench.bench_levels",  # issue 12: township and banner overviews on the scale dataset
    "tests.bench.bench_ops",  # backup/restore
    "tests.bench.bench_bulk",  # roster import and backup/restore against today's paths (issue 15 items 4, 5)
]


def median_ms(fn, *, repeat: int = 15, warmup: int = 2) -> float:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def peak_mb(fn) -> float:
    tracemalloc.start()
    try:
        fn()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / 1024 / 1024
