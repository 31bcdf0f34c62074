"""How long the facilitator's kit takes: building docs/kit, and a cohort's summary and records.

Prints figures; asserts nothing. Run: python benchmarks/kit_bench.py [--participants 30 300]
"""
import argparse
import random
import tempfile
import time
from pathlib import Path

from gapkit.assessment import cohort_summary, save_ratings
from gapkit.completion import completion_records, write_records
from gapkit.content import load_course
from gapkit.handouts import documents
from gapkit.journal import Journal
from gapkit.kit import load_kit
from gapkit.participants import read_cohort

ROOT = Path(__file__).resolve().parents[1]


def timed(f):
    start = time.perf_counter()
    out = f()
    return out, time.perf_counter() - start


def make_cohort(folder: Path, kit, n: int, seed: int = 7):
    """n participants with everything done on the lesson pages, one journal each, 80% taking the post."""
    rng = random.Random(seed)
    text = "We will review how newcomers are placed in advanced courses with their families and teachers this term " \
           "and report back."
    for p in range(n):
        journal = Journal(folder / f"p{p:04d}" / "course-work" / "reflections.json")
        for m in kit.course.modules:
            for r in m.reflections:
                journal.save_reflection(r.id, text)
            for c in m.checks:
                journal.put("checks", c.id, {"chosen": [0], "correct": True, "saved_at": "2025-03-01T10:00:00+00:00"})
        save_ratings(journal, "course", "pre", {it.id: rng.choice([1, 2, 2, 3, 4]) for it in kit.items()})
        if rng.random() < 0.8:
            save_ratings(journal, "course", "post", {it.id: rng.choice([2, 3, 3, 4]) for it in kit.items()})


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--participants", type=int, nargs="+", default=[30, 300])
    args = parser.parse_args()
    kit, t = timed(lambda: load_kit(ROOT, course=load_course(ROOT)))
    print(f"load course and kit: {t:.2f} s")
    for d in documents(kit):
        data, t = timed(d.data)
        print(f"  build {d.name:<26} {t:6.2f} s  {len(data) / 1024:7.1f} KiB")
    for n in args.participants:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp) / "cohort"
            _, t = timed(lambda: make_cohort(folder, kit, n))
            cohort, t_read = timed(lambda: read_cohort(folder))
            _, t_phases = timed(lambda: cohort_summary(kit, cohort))
            _, t_changes = timed(lambda: cohort_summary(kit, cohort, mode="changes"))
            records, t_records = timed(lambda: completion_records(kit, cohort))
            _, t_write = timed(lambda: write_records(kit, records, Path(tmp) / "out"))
            print(f"{n} participants ({len(kit.items())} statements): read journals {t_read:.2f} s, summary "
                  f"{t_phases:.2f} s (phases) / {t_changes:.2f} s (changes), records {t_records:.2f} s, "
                  f"CSV + {n} certificates {t_write:.2f} s ({t_write / n * 1000:.0f} ms each)")


if __name__ == "__main__":
    main()
