"""Numeric answers (tolerance, range) and partial-credit answers, from a draft to the rows,
the grade, the pages, the editor and every export format."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
import time_machine
from django.urls import reverse

from quizzes import grading
from quizzes.drafts import AnswerDraft, QuestionDraft, numeric_answer, range_answer, with_answers
from quizzes.exports.questions import export_file, export_report
from quizzes.formats.gift import read_gift
from quizzes.models import BlankAnswer, Question
from quizzes.selectors.attempts import attempt_review
from quizzes.selectors.exports import bank_export_items
from quizzes.services.attempts import attempt_finish, attempt_save_answer, attempt_start
from quizzes.services.banks import bank_create, question_create
from quizzes.services.imports import import_confirm, import_upload
from quizzes.services.quizzes import assignment_create, quiz_add_question, quiz_create
from quizzes.versions import canonical_draft, version_to_draft

from . import factories
from .test_imports import drafts_of

START = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)

PI = with_answers(
    QuestionDraft("blank", "Pi to three decimals is ____."),
    ((numeric_answer(Decimal("3.1415"), Decimal("0.0005")),),),
)
RANGE = with_answers(
    QuestionDraft("blank", "A number from −5 to 5: ____"),
    ((range_answer(Decimal(-5), Decimal(5)),),),
)
ANIMAL = with_answers(
    QuestionDraft("blank", "Which is the best animal? ____", explanation="Frogs, of course."),
    (
        (
            AnswerDraft("Frog", feedback="Good!"),
            AnswerDraft("Cat", Decimal(50), feedback="What is it with cats?"),
            AnswerDraft("*", Decimal(0), feedback="Completely wrong"),
        ),
    ),
)
GRANT = with_answers(
    QuestionDraft("blank", "When was Ulysses S. Grant born? ____"),
    (
        (
            numeric_answer(Decimal(1822), feedback="Right"),
            numeric_answer(
                Decimal(1822), Decimal(2), credit=Decimal(50), feedback="Close,\nbut not quite"
            ),
            AnswerDraft("*", Decimal(0), feedback="Not at all"),
        ),
    ),
)
DETAILED = [PI, RANGE, ANIMAL, GRANT]


# --- the draft ------------------------------------------------------------------------------


def test_detailed_drafts_are_sound_and_plain_ones_stay_plain() -> None:
    assert all(d.problems() == [] for d in DETAILED)
    plain = with_answers(QuestionDraft("blank", "x ____"), ((AnswerDraft("a"),),))
    assert plain.answers == () and plain.blanks == (("a",),)
    assert PI.blanks == (("3.1415 ± 0.0005",),)
    assert RANGE.blanks == (("\u22125 … 5",),)


@pytest.mark.parametrize(
    ("answers", "code"),
    [
        ((AnswerDraft("a", Decimal(50)),), "no_full_credit"),
        ((AnswerDraft("a"), AnswerDraft("b", Decimal(120))), "bad_credit"),
        ((AnswerDraft("1", number=Decimal(1), tolerance=Decimal(-1)),), "bad_tolerance"),
        (
            (AnswerDraft("5..1", number=Decimal(3), tolerance=Decimal(-2), is_range=True),),
            "bad_range",
        ),
        ((AnswerDraft("x", tolerance=Decimal(1)),), "bad_tolerance"),
    ],
)
def test_draft_problems_check_credit_tolerance_and_range(answers, code) -> None:
    texts = (tuple(a.text for a in answers),)
    draft = QuestionDraft("blank", "x ____", blanks=texts, answers=(answers,))
    assert code in draft.problems()


def test_answers_that_do_not_match_the_blanks_are_a_problem() -> None:
    draft = QuestionDraft("blank", "x ____", blanks=(("a",),), answers=((AnswerDraft("b"),),))
    assert "answers_mismatch" in draft.problems()


# --- grading ----------------------------------------------------------------------------------


def key(draft: QuestionDraft) -> list[list[grading.Accepted]]:
    return [
        [
            grading.accepted(
                a.text, credit=a.credit, number=a.number, tolerance=a.tolerance, feedback=a.feedback
            )
            for a in answers
        ]
        for answers in draft.blank_answers()
    ]


@pytest.mark.parametrize(
    ("response", "credit"),
    [
        ("3.1415", 1),
        ("3.141", 1),  # the edge of the tolerance
        ("3.142", 1),
        ("3.1405", 0),
        ("３．１４１５", 1),  # full-width
        ("3,1415", 1),  # a decimal comma that cannot be a thousands separator
        ("3.1415。", 1),
        ("pi", 0),
        ("", 0),
    ],
)
def test_a_numeric_blank_accepts_numbers_within_its_tolerance(response, credit) -> None:
    assert grading.grade_blanks([response], key(PI)) == credit


@pytest.mark.parametrize(
    ("response", "credit"), [("-5", 1), ("\u22125", 1), ("0", 1), ("5", 1), ("5.01", 0), ("五", 1)]
)
def test_a_range_accepts_its_ends_and_chinese_numerals(response, credit) -> None:
    assert grading.grade_blanks([response], key(RANGE)) == credit


def test_a_blank_earns_the_best_credit_it_matches_and_its_feedback() -> None:
    answers = key(GRANT)[0]
    assert grading.blank_credit("1822", answers) == 1  # matches 100 % and 50 %: the best
    assert grading.blank_credit("1823", answers) == Fraction(1, 2)
    assert grading.blank_match("1823", answers).feedback == "Close,\nbut not quite"
    assert grading.blank_credit("1900", answers) == 0
    assert grading.blank_match("1900", answers).feedback == "Not at all"
    animal = key(ANIMAL)[0]
    assert grading.blank_credit("cat", animal) == Fraction(1, 2)
    assert grading.blank_credit(" FROG ", animal) == 1
    assert grading.blank_match("dog", animal).feedback == "Completely wrong"


def test_a_thousands_separator_is_read_as_one() -> None:
    assert grading.read_number("1,822") == 1822
    assert grading.read_number("1,8") == Fraction(9, 5)
    assert grading.read_number("1e999999") is None


# --- rows, versions and the grade of an attempt ------------------------------------------------


@pytest.mark.django_db
def test_details_are_stored_in_rows_and_read_back_equal(organizer) -> None:
    bank = bank_create(owner=organizer, title="Numbers")
    for draft in DETAILED:
        question = question_create(bank=bank, draft=draft, created_by=organizer)
        version = question.versions.get()
        assert version_to_draft(version) == canonical_draft(draft) == draft
    cat = BlankAnswer.objects.get(text="Cat")
    assert (cat.credit, cat.feedback) == (Decimal(50), "What is it with cats?")
    grant = BlankAnswer.objects.get(text="1822 ± 2")
    assert (grant.number, grant.tolerance, grant.is_range) == (Decimal(1822), Decimal(2), False)
    ranged = BlankAnswer.objects.get(is_range=True)
    assert (ranged.number, ranged.tolerance) == (Decimal(0), Decimal(5))


@pytest.fixture
def assignment(organizer, group):
    bank = bank_create(owner=organizer, title="Numbers")
    quiz = quiz_create(owner=organizer, title="Numbers", attempts_allowed=3)
    for draft in (PI, ANIMAL, GRANT):
        question = question_create(
            bank=bank, draft=draft, created_by=organizer, status=Question.Status.PUBLISHED
        )
        quiz_add_question(quiz=quiz, question=question, points=2)
    return assignment_create(
        quiz=quiz,
        group=group,
        opens_at=START,
        due_at=START + timedelta(days=1),
        created_by=organizer,
    )


@pytest.mark.django_db
@time_machine.travel(START + timedelta(hours=1), tick=False)
def test_an_attempt_is_graded_by_tolerance_and_partial_credit(assignment, learner) -> None:
    attempt = attempt_start(assignment=assignment, user=learner)
    responses = {PI.stem: "3.1419", ANIMAL.stem: "Cat", GRANT.stem: "1821"}
    for item in attempt.items.select_related("question_version"):
        attempt_save_answer(
            attempt=attempt,
            position=item.position,
            sequence=1,
            blanks=[responses[item.question_version.stem]],
        )
    finished = attempt_finish(attempt=attempt)
    items = finished.items.select_related("question_version")
    scores = {i.question_version.stem: i.score for i in items}
    assert scores == {PI.stem: Decimal(2), ANIMAL.stem: Decimal(1), GRANT.stem: Decimal(1)}
    assert finished.score == Decimal(4)
    review = attempt_review(attempt=finished)
    cat = next(r for r in review if r.screen.stem == ANIMAL.stem).outcome.blanks[0]
    assert (cat.right, cat.credit, cat.verdict) == (False, Decimal(50), "partly")
    assert cat.feedback == "What is it with cats?"
    assert cat.accepted == ("Frog", "Cat (50 %)")  # the 0 % catch-all is not "accepted"


# --- the editor -----------------------------------------------------------------------------


@pytest.fixture
def organizer_client(client, organizer):
    client.force_login(organizer)
    return client


def _edit_data(question, **changes) -> dict:
    from quizzes.forms.banks import question_initial

    draft = version_to_draft(question.versions.order_by("-number").first())
    data = {
        k: ("on" if v is True else v)
        for k, v in question_initial(draft=draft, question=question, kind=draft.kind).items()
        if v is not False
    }
    data.update({"action": "save", **changes})
    return data


@pytest.mark.django_db
def test_the_editor_shows_numeric_and_partial_answers_and_keeps_them(organizer_client, organizer):
    bank = bank_create(owner=organizer, title="Numbers")
    question = question_create(bank=bank, draft=GRANT, created_by=organizer)
    url = reverse("quizzes:question_edit", kwargs={"pk": question.pk})
    html = organizer_client.get(url).content.decode()
    assert "1822 ± 0 # Right" in html and "1822 ± 2 (50 %) # Close, but not quite" in html
    assert "* (0 %) # Not at all" in html
    # Saving unchanged adds no version; a changed stem adds one that keeps every detail.
    organizer_client.post(url, _edit_data(question))
    assert question.versions.count() == 1
    organizer_client.post(url, _edit_data(question, stem="Grant was born in ____."))
    newest = question.versions.order_by("-number").first()
    assert newest.number == 2
    assert version_to_draft(newest).answers == GRANT.answers


@pytest.mark.django_db
def test_the_editor_reads_typed_tolerance_ranges_and_credit(organizer_client, organizer):
    bank = bank_create(owner=organizer, title="Numbers")
    data = {
        "action": "save",
        "kind": "blank",
        "stem": "Pi is ____ and the range ____ and the pet ____.",
        "blank-1": "3.1415 +- 0.0005",
        "blank-2": "-5..5 # inside",
        "blank-3": "Frog\nCat (50 %) # close\n* (0 %) # no",
        "explanation": "",
        "source_excerpt": "",
        "difficulty": "3",
        "key_point": "",
        "status": "draft",
    }
    organizer_client.post(reverse("quizzes:question_create", kwargs={"pk": bank.pk}), data)
    draft = version_to_draft(Question.objects.get().versions.get())
    assert draft.answers == (
        (numeric_answer(Decimal("3.1415"), Decimal("0.0005")),),
        (range_answer(Decimal(-5), Decimal(5), feedback="inside"),),
        (
            AnswerDraft("Frog"),
            AnswerDraft("Cat", Decimal(50), feedback="close"),
            AnswerDraft("*", Decimal(0), feedback="no"),
        ),
    )


@pytest.mark.django_db
def test_the_editor_refuses_a_credit_over_100_and_saves_nothing(organizer_client, organizer):
    bank = bank_create(owner=organizer, title="Numbers")
    data = {
        "action": "save",
        "kind": "blank",
        "stem": "The pet ____.",
        "blank-1": "Frog | Cat (150 %)",
        "difficulty": "3",
        "status": "draft",
    }
    response = organizer_client.post(
        reverse("quizzes:question_create", kwargs={"pk": bank.pk}), data
    )
    assert response.status_code == 200
    assert "the credit must be a percentage from 0 to 100" in response.content.decode()
    assert not Question.objects.exists()


# --- every export format ------------------------------------------------------------------------


@pytest.fixture
def detailed_bank(organizer):
    bank = factories.BankFactory(owner=organizer)
    for draft in DETAILED:
        question_create(bank=bank, draft=draft, created_by=organizer)
    return bank


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["gift", "xml"])
def test_gift_and_moodle_xml_round_trip_details_through_the_database(
    organizer, detailed_bank, fmt
) -> None:
    exported = export_file(items=bank_export_items(bank=detailed_bank), fmt=fmt, title="t")
    assert (exported.exported, exported.left_out) == (4, 0)
    target = factories.BankFactory(owner=organizer)
    batch = import_upload(
        bank=target, uploaded_by=organizer, data=exported.content, filename=f"t.{fmt}"
    )
    import_confirm(batch=batch, confirmed_by=organizer, publish=False)
    assert sorted(drafts_of(target), key=lambda d: d.stem) == sorted(DETAILED, key=lambda d: d.stem)


@pytest.mark.django_db
def test_moodle_xml_writes_numerical_with_tolerance_and_shortanswer_fractions(detailed_bank):
    xml = export_file(items=bank_export_items(bank=detailed_bank), fmt="xml", title="t").content
    text = xml.decode()
    assert text.count('<question type="numerical">') == 3
    assert "<text>3.1415</text>\n      <tolerance>0.0005</tolerance>" in text
    assert '<answer fraction="50" format="html">' in text  # Cat, a short answer
    assert '<answer fraction="0" format="moodle_auto_format">\n      <text>*</text>' in text


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["xlsx", "csv", "txt", "aiken"])
def test_formats_without_room_for_details_leave_them_out_and_say_why(detailed_bank, fmt):
    items = bank_export_items(bank=detailed_bank)
    exported, left_out, reasons = export_report(items)[fmt]
    assert (exported, left_out) == (0, 4)
    assert set(reasons) == {"not_single_choice" if fmt == "aiken" else "answer_details"}


@pytest.mark.django_db
def test_the_export_page_names_the_reason_in_the_readers_language(organizer, detailed_bank, client):
    client.force_login(organizer)
    url = reverse("quizzes:bank_export", kwargs={"pk": detailed_bank.pk})
    html = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "partial credit, a numeric answer (tolerance or range) or answer feedback" in html
    client.cookies["django_language"] = "zh-hans"
    html = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "部分得分" in html


def test_gift_writes_numeric_and_credit_answers_as_moodle_does() -> None:
    from quizzes.formats.gift import write_gift

    text = write_gift([GRANT, ANIMAL, RANGE])
    assert "{#=1822#Right =%50%1822:2#Close,\\nbut not quite ~#Not at all}" in text
    assert "{=Frog#Good! =%50%Cat#What is it with cats? =%0%*#Completely wrong" in text
    assert "{#=-5..5}" in text
    assert [q.draft for q in read_gift(text).questions] == [GRANT, ANIMAL, RANGE]
