"""Speed and memory of the question generator against bare jieba segmentation.

    .venv/bin/python bench/generation_speed.py [--rounds 5]

On the Chinese 19th Congress report (``../shared/samples/``; skipped with a message when
absent), after a warm-up run of each, times in alternating rounds the whole pipeline
(``generate``) and the bare segmentation of the same text (``jieba.lcut``), and prints the
median of each, their ratio and the peak memory. Goal (issue 4): pipeline under 2 s and at
most 4× the bare segmentation; peak memory under 300 MB.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

from quizzes.generation import generate  # noqa: E402
from quizzes.generation.segment import load_jieba  # noqa: E402

REPORT = BASE_DIR.parent / "shared" / "samples" / "19th-national-congress-report.zh.txt"
GOAL_SECONDS = 2.0
GOAL_RATIO = 4.0
GOAL_MEGABYTES = 300


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--file", type=Path, default=REPORT)
    args = parser.parse_args()
    if not args.file.exists():
        print(f"skipped: the Chinese sample is not at {args.file} (it lives in ../shared/samples/)")
        return 0
    text = args.file.read_bytes().decode("utf-8-sig")

    started = time.perf_counter()
    jieba = load_jieba()
    load_seconds = time.perf_counter() - started
    result = generate(text)  # warm-up: caches, lexicon, first-call costs
    jieba.lcut(text)

    pipeline: list[float] = []
    segmentation: list[float] = []
    for _ in range(args.rounds):
        started = time.perf_counter()
        generate(text)
        pipeline.append(time.perf_counter() - started)
        started = time.perf_counter()
        jieba.lcut(text)
        segmentation.append(time.perf_counter() - started)

    tracemalloc.start()
    generate(text)
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux

    median_pipeline = statistics.median(pipeline)
    median_segmentation = statistics.median(segmentation)
    ratio = median_pipeline / median_segmentation
    print(f"document: {args.file.name}, {len(text)} characters, {len(result.drafts)} drafts")
    print(f"jieba dictionary load (once per process): {load_seconds:.2f} s")
    print(
        f"pipeline (generate), median of {args.rounds}: {median_pipeline:.3f} s  "
        f"[{', '.join(f'{s:.3f}' for s in pipeline)}]"
    )
    print(
        f"bare jieba.lcut, median of {args.rounds}:    {median_segmentation:.3f} s  "
        f"[{', '.join(f'{s:.3f}' for s in segmentation)}]"
    )
    print(f"ratio pipeline / segmentation: {ratio:.2f}x")
    print(
        f"peak memory: {peak_rss:.0f} MB resident for the process (jieba's dictionary included), "
        f"{traced_peak / 2**20:.1f} MB allocated during one generate()"
    )
    verdicts = [
        ("pipeline < 2 s", median_pipeline < GOAL_SECONDS),
        ("ratio <= 4x", ratio <= GOAL_RATIO),
        ("peak memory < 300 MB", peak_rss < GOAL_MEGABYTES),
    ]
    print("goals: " + ", ".join(f"{name}: {'met' if ok else 'MISSED'}" for name, ok in verdicts))
    return 0


if __name__ == "__main__":
    sys.exit(main())
