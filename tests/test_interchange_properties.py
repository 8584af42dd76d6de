"""Export then import gives back exactly the same drafts, for any draft GIFT and Moodle XML
can hold: stems byte for byte (their gaps included), choices, answers, credits, tolerances,
ranges and feedback. Property-based (hypothesis); no database."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quizzes.drafts import (
    BLANK_MARKER,
    AnswerDraft,
    ChoiceDraft,
    QuestionDraft,
    numeric_answer,
    range_answer,
    with_answers,
)
from quizzes.formats.base import default_true_false_labels
from quizzes.formats.gift import gift_problem, read_gift, write_gift
from quizzes.formats.moodle_xml import read_moodle_xml, write_moodle_xml, xml_problem
from quizzes.formats.notation import format_answers, parse_answers

# Letters, digits, punctuation and symbols of any script (the syntax characters of both
# formats included), spaces and line breaks; no control characters, no other spacing.
_CHARS = st.characters(
    blacklist_categories=("Cc", "Cs", "Cn", "Co", "Zl", "Zp", "Zs"),
) | st.sampled_from(list(" \n~=#{}:\\%[]<>&\"'*/_|；"))
TEXT = (
    st.text(_CHARS, min_size=1, max_size=24)
    .map(lambda t: "\n".join(line.strip() for line in t.split("\n")).strip())
    .filter(lambda t: bool(t) and "\n\n" not in t and not BLANK_MARKER.search(t))
)
OPTIONAL = st.one_of(st.just(""), TEXT)
CREDIT = st.decimals(min_value=0, max_value=99, places=4)
NUMBER = st.decimals(min_value=-(10**6), max_value=10**6, places=4)
TOLERANCE = st.decimals(min_value=0, max_value=1000, places=4)


@st.composite
def choice_drafts(draft, kind: str):
    texts = draft(st.lists(TEXT, min_size=2, max_size=5, unique_by=str.casefold))
    if kind == "single":
        right = draft(st.integers(0, len(texts) - 1))
        marks = [i == right for i in range(len(texts))]
    else:
        marks = draft(st.lists(st.booleans(), min_size=len(texts), max_size=len(texts)))
        if not any(marks):
            marks[0] = True
    choices = tuple(ChoiceDraft(t, m, draft(OPTIONAL)) for t, m in zip(texts, marks, strict=True))
    return QuestionDraft(kind, draft(TEXT), choices=choices, explanation=draft(OPTIONAL))


@st.composite
def true_false_drafts(draft):
    stem = draft(TEXT)
    true_label, false_label = default_true_false_labels(stem)
    value = draft(st.booleans())
    choices = (
        ChoiceDraft(true_label, value, draft(OPTIONAL)),
        ChoiceDraft(false_label, not value, draft(OPTIONAL)),
    )
    return QuestionDraft("true_false", stem, choices=choices, explanation=draft(OPTIONAL))


@st.composite
def blank_drafts(draft):
    before, after = draft(OPTIONAL), draft(OPTIONAL)
    gap = "_" * draft(st.integers(3, 8))
    stem = f"{before} {gap} {after}".strip()
    if draft(st.booleans()):
        answers = [
            (
                range_answer(low, low + width, credit=draft(CREDIT), feedback=draft(OPTIONAL))
                if draft(st.booleans())
                else numeric_answer(low, width, credit=draft(CREDIT), feedback=draft(OPTIONAL))
            )
            for low, width in draft(st.lists(st.tuples(NUMBER, TOLERANCE), min_size=1, max_size=3))
        ]
        if draft(st.booleans()):
            answers.append(AnswerDraft("*", Decimal(0), feedback=draft(OPTIONAL)))
    else:
        texts = draft(st.lists(TEXT, min_size=1, max_size=4, unique=True))
        answers = [AnswerDraft(t, draft(CREDIT), feedback=draft(OPTIONAL)) for t in texts]
    first = answers[0]
    answers[0] = AnswerDraft(
        first.text,
        Decimal(100),
        *(getattr(first, f) for f in ("number", "tolerance", "is_range", "feedback")),
    )
    return with_answers(
        QuestionDraft("blank", stem, explanation=draft(OPTIONAL)), (tuple(answers),)
    )


DRAFTS = st.one_of(
    choice_drafts("single"), choice_drafts("multiple"), true_false_drafts(), blank_drafts()
)
SETTINGS = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.filter_too_much]
)


@SETTINGS
@given(DRAFTS)
def test_gift_round_trip_is_identity(draft: QuestionDraft) -> None:
    if draft.problems() or gift_problem(draft):
        return
    text = write_gift([draft])
    result = read_gift(text)
    assert [q.draft for q in result.questions] == [draft], text


@SETTINGS
@given(DRAFTS)
def test_moodle_xml_round_trip_is_identity(draft: QuestionDraft) -> None:
    if draft.problems() or xml_problem(draft):
        return
    xml = write_moodle_xml([draft])
    result = read_moodle_xml(xml)
    assert [q.draft for q in result.questions] == [draft], xml


def _one_line(answer: AnswerDraft) -> AnswerDraft:
    return replace(answer, feedback=" ".join(answer.feedback.split()))


@SETTINGS
@given(blank_drafts())
def test_the_editor_notation_reads_back_what_it_shows(draft: QuestionDraft) -> None:
    # The notation writes an answer's feedback on one line; the form keeps the stored
    # feedback when only its line breaks differ (tests/test_blank_answer_details.py).
    for answers in draft.blank_answers():
        back = with_answers(draft, (parse_answers(format_answers(answers)),))
        assert back.blank_answers()[0] == tuple(_one_line(a) for a in answers)


@pytest.mark.parametrize(
    "texts",
    [('"', "0"), ('"a', "b"), ('0"\n0',), ('"\n0',), ('a" | b', "c"), ('say "hi"',), ('""',)],
)
def test_answers_holding_double_quotes_read_back_as_they_were(texts):
    # Found by the property above: a leading '"' opened a quoted answer that swallowed the
    # next line, and a quote inside a quoted answer closed it early. Quotes inside a quoted
    # answer are now doubled, as in CSV.
    answers = (*(AnswerDraft(text, Decimal(100)) for text in texts), AnswerDraft("x", Decimal(0)))

    assert parse_answers(format_answers(answers)) == answers
