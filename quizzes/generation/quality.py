"""Reason codes of a draft's quality score.

The generator scores every draft in 0..1 and keeps the codes of what raised or lowered the
score in ``QuestionDraft.quality_reasons``; the review queue shows the best drafts first,
with these reasons in words (the pages translate each code). Codes are stable: pages and
stored questions refer to them.
"""

from __future__ import annotations

# What makes a draft worth asking.
HEADLINE = "headline"
LIST = "list"
LIST_ACROSS_SENTENCES = "list_across_sentences"
QUOTED_TERM = "quoted_term"
NUMBER = "number"
REPEATED_TERM = "repeated_term"
DEFINITION = "definition"
PRINCIPLE = "principle"
PARALLEL_DISTRACTORS = "parallel_distractors"
LEXICON_DISTRACTORS = "lexicon_distractors"
SAME_HEAD_DISTRACTORS = "same_head_distractors"
FALSE_SWAP = "false_swap"
COMPACT = "compact"
# What holds it back.
LONG_STEM = "long_stem"
WEAK_DISTRACTORS = "weak_distractors"
COMMON_KEY = "common_key"

POSITIVE = (
    HEADLINE,
    LIST,
    LIST_ACROSS_SENTENCES,
    QUOTED_TERM,
    NUMBER,
    REPEATED_TERM,
    DEFINITION,
    PRINCIPLE,
    PARALLEL_DISTRACTORS,
    LEXICON_DISTRACTORS,
    SAME_HEAD_DISTRACTORS,
    FALSE_SWAP,
    COMPACT,
)
NEGATIVE = (LONG_STEM, WEAK_DISTRACTORS, COMMON_KEY)

# Each code in plain English, for documentation and for tools without Django; the pages
# use their own translatable labels of the same codes.
REASONS: dict[str, str] = {
    HEADLINE: "its key point is one of the document's most important",
    LIST: "asks for the items of a list the document makes",
    LIST_ACROSS_SENTENCES: "the list runs across several sentences",
    QUOTED_TERM: "asks for a slogan or term the document puts in quotation marks",
    NUMBER: "asks for a number that matters (a year, an ordinal, a count)",
    REPEATED_TERM: "asks for a term the document repeats",
    DEFINITION: "asks what the document defines (a task, a mission, an essence)",
    PRINCIPLE: "the passage states a principle or a requirement (must, adhere to)",
    PARALLEL_DISTRACTORS: "wrong options come from a parallel list of the same document",
    LEXICON_DISTRACTORS: "wrong options are known near-misses of the answer",
    SAME_HEAD_DISTRACTORS: "wrong options are the same kind of thing as the answer",
    FALSE_SWAP: "a false statement made by swapping one term for a plausible one",
    COMPACT: "a short stem of one clause",
    LONG_STEM: "a long stem",
    WEAK_DISTRACTORS: "some wrong options are only loosely related",
    COMMON_KEY: "the answer is a common word",
}
