"""Quality of the question generator on the sample documents, for a person to judge.

    .venv/bin/python bench/generation_quality.py [--seed 0] [--show 20] [FILE ...]

For each document (by default the English editorial shipped with the demo and the Chinese
19th Congress report from ``../shared/samples/``, skipped with a message when absent)
prints the automatic indicators — drafts per kind and per builder, true/false balance and
verbatim true statements, drafts per key point (sibling groups), fragment stems,
distractor class agreement, list coverage (parallel series found / asked, across
sentences and within them) — the share of built drafts passing each quality gate, and
then, in full for a reviewer to judge against ``../shared/docs/QUESTION-RUBRIC.md``,
``--show`` drafts drawn at random with ``random.Random(seed).sample`` from the whole bank
and the first ``--show`` drafts of the review queue (best first). Use a new seed each
time you report.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

from quizzes.drafts import QuestionDraft  # noqa: E402
from quizzes.generation import GenerationResult, generate  # noqa: E402

SAMPLES = (
    BASE_DIR / "quizzes" / "demo" / "tianjin-12th-congress-editorial.en.txt",
    BASE_DIR.parent / "shared" / "samples" / "19th-national-congress-report.zh.txt",
)
LETTERS = "ABCDEFGH"


def share(part: int, whole: int) -> str:
    return f"{part / whole:6.1%}" if whole else "   n/a"


def show_draft(number: int, draft: QuestionDraft) -> list[str]:
    reasons = ", ".join(draft.quality_reasons)
    lines = [
        f"  [{number}] {draft.kind} / {draft.tags[1]} · key point {draft.key_point_ordinal} "
        f"· difficulty {draft.difficulty} · quality {draft.quality} ({reasons})"
    ]
    lines.append(f"      {draft.stem}")
    for letter, choice in zip(LETTERS, draft.choices, strict=False):
        lines.append(f"      {'✓' if choice.correct else ' '} {letter}. {choice.text}")
    for answers in draft.blanks:
        lines.append(f"      answer: {' / '.join(answers)}")
    explanation = (
        draft.explanation if len(draft.explanation) <= 240 else draft.explanation[:237] + "…"
    )
    lines.append(f"      why: {explanation}")
    return lines


def report(path: Path, result: GenerationResult, elapsed: float, seed: int, show: int) -> None:
    stats = result.stats
    print(f"== {path.name} ({result.language}, {stats['characters']} characters, {elapsed:.2f} s)")
    print(
        f"   {stats['sentences']} sentences, {len(result.key_points)} key points, "
        f"{len(result.drafts)} drafts"
    )
    print("   drafts per kind:    " + ", ".join(f"{k} {v}" for k, v in stats["kinds"].items()))
    print("   drafts per builder: " + ", ".join(f"{k} {v}" for k, v in stats["builders"].items()))
    paragraphs = stats["paragraphs"]
    print(
        f"   paragraphs covered: {paragraphs['covered']}/{paragraphs['total']} "
        f"= {paragraphs['share']:.1%}"
    )
    print("   gates (share of built drafts passing):")
    for gate, counts in stats["gates"].items():
        total = counts["passed"] + counts["failed"]
        print(f"     {gate:<17} {share(counts['passed'], total)}  ({counts['passed']}/{total})")
    print(
        f"   duplicate rate: {stats['duplicate_rate']:.1%} "
        f"({stats['duplicates_removed']} near-duplicates removed)"
    )
    ind = stats["indicators"]
    tf = ind["true_false"]
    share_false = "n/a" if tf["false_share"] is None else f"{tf['false_share']:.0%}"
    print(
        f"   true/false: {tf['statements']} statements, {tf['false']} false ({share_false}); "
        f"verbatim true copies of their sentence: {tf['verbatim_true']}"
    )
    groups = ind["sibling_groups"]
    print(
        f"   sibling groups (drafts per key point): {groups['groups']} groups, "
        f"mean {groups['drafts_per_group_mean']}, max {groups['drafts_per_group_max']}"
    )
    print(f"   fragment stems (with an ellipsis): {ind['fragment_stems']}")
    agree = ind["distractor_class_agreement"]
    agree_share = "n/a" if agree["share"] is None else f"{agree['share']:.0%}"
    print(
        f"   distractor class agreement: {agree['agreeing']}/{agree['choice_drafts']} "
        f"choice drafts ({agree_share})"
    )
    lists = ind["enumerations"]
    print(
        f"   enumerations: {lists['across_sentences_found']} across sentences found, "
        f"{lists['across_sentences_asked']} asked; {lists['series_found']} parallel series "
        f"in all, {lists['series_asked']} asked"
    )
    count = min(show, len(result.drafts))
    picked = sorted(random.Random(seed).sample(range(len(result.drafts)), count))
    print(f"   {count} drafts at random (seed {seed}), in queue order:")
    for number, index in enumerate(picked, start=1):
        for line in show_draft(number, result.drafts[index]):
            print(line)
    print(f"   the first {count} drafts of the review queue:")
    for number, draft in enumerate(result.drafts[:count], start=1):
        for line in show_draft(number, draft):
            print(line)
    print()


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("files", nargs="*", type=Path, help="documents (default: the two samples)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--show", type=int, default=20, help="drafts to print at random")
    args = parser.parse_args()
    for path in args.files or SAMPLES:
        if not path.exists():
            print(f"== {path.name}: skipped, not found at {path}")
            print("   (the samples live in ../shared/samples/ beside the project)\n")

            continue
        text = path.read_bytes().decode("utf-8-sig")
        started = time.perf_counter()
        result = generate(text, seed=args.seed)
        report(path, result, time.perf_counter() - started, args.seed, args.show)
    return 0


if __name__ == "__main__":
    sys.exit(main())
