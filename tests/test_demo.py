"""``manage.py demo``: what it creates, that it is idempotent, and that the demo questions
are sound against the shipped document."""

import re
from datetime import timedelta
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.utils import timezone

from quizzes.demo import questions as demo
from quizzes.drafts import BLANK_MARKER
from quizzes.management.commands.demo import GENERATED_APPROVED
from quizzes.models import (
    Assignment,
    AssignmentResult,
    Attempt,
    GenerationJob,
    Membership,
    Question,
    QuestionBank,
    QuestionKind,
    QuestionVersion,
    Quiz,
    SourceDocument,
    StudyGroup,
    User,
)
from quizzes.services.attempts import attempt_start

PASSWORD = "studyapp-demo"
USERNAMES = ["admin", "organizer", "learner1", "learner2", "learner3"]
LEARNERS = ["learner1", "learner2", "learner3"]


def run_demo(*args: str) -> str:
    out = StringIO()
    call_command("demo", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def row_counts() -> dict[str, int]:
    """Rows of every model of the project (and of auth's groups and permissions)."""
    counts = {
        model._meta.label: model.objects.count()
        for model in apps.get_app_config("quizzes").get_models()
    }
    counts["auth.Group"] = Group.objects.count()
    counts["auth.Permission"] = Permission.objects.count()
    return counts


def demo_bank() -> QuestionBank:
    return QuestionBank.objects.get(title=demo.BANK_TITLE, owner__username="organizer")


def demo_document() -> SourceDocument:
    return demo_bank().documents.get()


def demo_quiz() -> Quiz:
    return Quiz.objects.get(title=demo.QUIZ_TITLE)


def demo_quiz_size() -> int:
    """The published questions of the demo bank, one per key point (and each without one):
    the 12 hand-written and the approved generated questions, less their siblings."""
    published = demo_bank().questions.filter(status=Question.Status.PUBLISHED)
    with_point = published.exclude(key_point=None).values("key_point").distinct().count()
    return with_point + published.filter(key_point=None).count()


def current_versions() -> list[QuestionVersion]:
    return [q.current_version for q in demo_bank().questions.all()]


@pytest.fixture
def demo_output(db) -> str:
    return run_demo()


# --- the data module ------------------------------------------------------------------


def test_demo_drafts_are_sound():
    assert demo.problems() == {}
    for item in demo.QUESTIONS:
        assert item.draft.problems() == []
        assert item.draft.key_point_ordinal in demo.KEY_POINT_TEXT
    assert 6 <= len(demo.KEY_POINTS) <= 10
    assert len(demo.QUESTIONS) >= 14
    assert sum(item.publish for item in demo.QUESTIONS) == 12
    for kind in ("single", "multiple", "true_false", "blank"):
        assert sum(item.draft.kind == kind for item in demo.QUESTIONS) >= 3, kind


def test_demo_excerpts_occur_once_in_the_document():
    text = demo.DOCUMENT_TEXT
    for point in demo.KEY_POINTS:
        assert text.count(point.text) == 1, point.text
    for item in demo.QUESTIONS:
        draft = item.draft
        assert text.count(draft.source_excerpt) == 1, draft.source_excerpt
        assert text[draft.source_start : draft.source_end] == draft.source_excerpt


def test_not_one_of_question_is_included():
    stems = [item.draft.stem for item in demo.QUESTIONS if item.draft.kind == "single"]
    assert any("NOT one of the new development concepts" in stem for stem in stems)


def test_shipped_document_equals_the_shared_sample():
    sample = Path(settings.BASE_DIR).parent / "shared" / "samples" / demo.DOCUMENT_FILENAME
    if not sample.exists():
        pytest.skip(f"shared samples absent: {sample} not found")
    assert demo.DOCUMENT_PATH.read_bytes() == sample.read_bytes()
    assert (demo.DOCUMENT_PATH.parent / "SOURCE.md").exists()


# --- what the command creates ---------------------------------------------------------


def test_demo_creates_users(demo_output):
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff
    organizer = User.objects.get(username="organizer")
    assert not organizer.is_staff
    assert "Secretary Wang" in organizer.display_name
    for username in LEARNERS:
        learner = User.objects.get(username=username)
        assert learner.display_name
        assert not learner.is_staff
    for username in USERNAMES:
        assert User.objects.get(username=username).check_password(PASSWORD)


def test_demo_creates_the_group_tree(demo_output):
    parent = StudyGroup.objects.get(name="Municipal Party committee (demo)", parent=None)
    child = parent.children.get()
    assert "First Branch study group" in child.name
    organizer = User.objects.get(username="organizer")
    for group in (parent, child):
        membership = Membership.objects.get(group=group, user=organizer)
        assert membership.role == Membership.Role.ORGANIZER
    members = set(
        child.memberships.filter(role=Membership.Role.MEMBER).values_list(
            "user__username", flat=True
        )
    )
    assert members == set(LEARNERS)


def test_demo_creates_bank_document_and_key_points(demo_output):
    bank = demo_bank()
    document = bank.documents.get()
    assert document.text == demo.DOCUMENT_PATH.read_bytes().decode("utf-8")
    assert document.language == "en"
    assert document.original_filename == "tianjin-12th-congress-editorial.en.txt"
    assert "Tianjin Daily" in document.source and "2022-07-04" in document.source
    assert document.title
    # Key points come from the generator, through the job an upload would start.
    job = GenerationJob.objects.get(document=document)
    assert job.status == GenerationJob.Status.DONE and job.progress == 100
    key_points = list(document.key_points.order_by("ordinal"))
    assert len(key_points) >= 6
    assert [kp.ordinal for kp in key_points] == list(range(1, len(key_points) + 1))
    assert all(0 <= kp.score <= 1 for kp in key_points)
    for kp in key_points:
        assert document.text[kp.start_offset : kp.end_offset] == kp.text


def test_every_excerpt_matches_the_document(demo_output):
    text = demo_document().text
    versions = QuestionVersion.objects.filter(question__bank=demo_bank())
    assert versions.count() >= 14
    for version in versions:
        assert version.source_excerpt
        assert text[version.source_start : version.source_end] == version.source_excerpt
        assert version.explanation
        assert 1 <= version.difficulty <= 5


def test_questions_are_linked_to_the_key_point_holding_their_evidence(demo_output):
    """Generated questions always have their key point; a hand-written one is linked when
    a generated key point's passage holds its evidence, and never to another passage."""
    document = demo_document()
    linked = 0
    for question in demo_bank().questions.select_related("key_point"):
        point = question.key_point
        if question.origin == Question.Origin.GENERATED:
            assert point is not None
        if point is None:
            continue
        linked += 1
        assert point.document_id == document.pk
        version = question.current_version
        assert point.start_offset <= version.source_start < point.end_offset
    assert linked >= demo_bank().questions.count() - 4


def test_all_kinds_and_correct_choice_counts(demo_output):
    versions = current_versions()
    assert len(versions) >= 14
    kinds = [v.kind for v in versions]
    for kind in QuestionKind.values:
        assert kinds.count(kind) >= 3, kind
    for version in versions:
        choices = list(version.choices.all())
        correct = sum(c.is_correct for c in choices)
        if version.kind == QuestionKind.SINGLE:
            assert len(choices) >= 3 and correct == 1, version.stem
        elif version.kind == QuestionKind.TRUE_FALSE:
            assert len(choices) == 2 and correct == 1, version.stem
            assert {c.text for c in choices} == {"True", "False"}
        elif version.kind == QuestionKind.MULTIPLE:
            assert 1 <= correct < len(choices), version.stem
        else:
            assert choices == []
            blanks = {a.blank for a in version.blank_answers.all()}
            assert blanks == set(range(1, len(BLANK_MARKER.findall(version.stem)) + 1))


def test_quiz_holds_the_published_questions_and_drafts_stay_drafts(demo_output):
    quiz = demo_quiz()
    assert quiz.owner.username == "organizer"
    assert quiz.time_limit == timedelta(minutes=30)
    assert quiz.attempts_allowed == 3
    assert quiz.pass_mark == Decimal(60)
    assert quiz.shuffle_choices is True
    assert quiz.grading_method == Quiz.GradingMethod.HIGHEST
    assert quiz.feedback_timing == Quiz.FeedbackTiming.AFTER_SUBMIT
    slots = list(quiz.slots.select_related("question"))
    assert len(slots) >= 12
    assert all(slot.question.status == Question.Status.PUBLISHED for slot in slots)
    assert {s.question.current_version.kind for s in slots} == set(QuestionKind.values)
    bank = demo_bank()
    published = bank.questions.filter(status=Question.Status.PUBLISHED)
    assert published.filter(origin=Question.Origin.MANUAL).count() == 12
    # The best generated drafts were approved, one per key point, every kind the generator
    # made among them ...
    approved = published.filter(origin=Question.Origin.GENERATED)
    generated = bank.questions.filter(origin=Question.Origin.GENERATED)
    points = generated.values("key_point").distinct().count()
    assert approved.count() == min(GENERATED_APPROVED, points)
    assert approved.values("key_point").distinct().count() == approved.count()
    made = {q.current_version.kind for q in generated}
    assert {q.current_version.kind for q in approved} == made
    # The quiz holds one question per key point (siblings would give each other away);
    # every published question is in it, or a sibling of one that is.
    in_quiz = [s.question for s in slots]
    key_points = [q.key_point_id for q in in_quiz if q.key_point_id is not None]
    assert len(key_points) == len(set(key_points))
    for question in published:
        assert question in in_quiz or question.key_point_id in key_points
    assert len(slots) == demo_quiz_size()
    # ... and the rest wait in the review queue, beside the hand-written drafts.
    waiting = bank.questions.filter(status=Question.Status.DRAFT, origin=Question.Origin.GENERATED)
    assert waiting.count() == generated.count() - approved.count() > 0
    drafts = bank.questions.filter(status=Question.Status.DRAFT)
    assert not quiz.slots.filter(question__in=drafts).exists()


def test_the_quiz_description_states_the_quizs_own_figures(demo_output):
    quiz = demo_quiz()
    attempt_items = demo_quiz_size()

    description = quiz.description

    assert description.startswith(f"{attempt_items} questions on the Tianjin Daily editorial")
    assert f"{quiz.time_limit.total_seconds() / 60:g} minutes" in description
    assert f"up to {quiz.attempts_allowed} attempts" in description
    assert f"pass mark {float(quiz.pass_mark):g}%" in description
    # Every figure in the text is one of those.
    figures = {str(attempt_items), "12", "30", "3", "60"}
    assert set(re.findall(r"\d+", description)) <= figures


def test_the_bank_description_claims_no_count(demo_output):
    assert not re.search(r"\d+ (are|questions)|Twelve", demo_bank().description)


def test_a_rerun_corrects_the_descriptions_an_older_demo_wrote(db):
    run_demo()
    quiz, bank = demo_quiz(), demo_bank()
    Quiz.objects.filter(pk=quiz.pk).update(description="Twelve questions. 20 minutes.")
    QuestionBank.objects.filter(pk=bank.pk).update(description="Twelve are published.")

    run_demo()

    assert demo_quiz().description == quiz.description
    assert demo_bank().description == bank.description


def test_quiz_is_assigned_to_the_study_group(demo_output):
    assignment = Assignment.objects.get(quiz=demo_quiz())
    assert assignment.group.parent is not None
    assert "First Branch study group" in assignment.group.name
    now = timezone.now()
    assert now - timedelta(days=1, minutes=5) < assignment.opens_at < now
    assert now + timedelta(days=13, hours=23) < assignment.due_at < now + timedelta(days=14)


def test_learner2_has_a_finished_scored_attempt(demo_output):
    learner2 = User.objects.get(username="learner2")
    attempt = Attempt.objects.get(user=learner2)
    assert attempt.state == Attempt.State.FINISHED
    assert attempt.score is not None
    # Some right, some wrong.
    assert 0 < attempt.score < attempt.max_score
    assert attempt.max_score == Decimal(demo_quiz_size())
    scores = [item.score for item in attempt.items.all()]
    assert len(scores) == demo_quiz_size()
    assert Decimal(0) in scores and Decimal(1) in scores
    result = AssignmentResult.objects.get(user=learner2, assignment=attempt.assignment)
    assert result.attempts_finished == 1
    assert result.score == attempt.score
    assert not Attempt.objects.exclude(user=learner2).exists()


def test_another_learner_can_start_the_demo_quiz(demo_output):
    assignment = Assignment.objects.get(quiz=demo_quiz())
    attempt = attempt_start(assignment=assignment, user=User.objects.get(username="learner1"))
    assert attempt.items.count() == demo_quiz_size()


def test_learners_can_log_in_with_the_printed_password(demo_output, client):
    assert PASSWORD in demo_output
    for username in USERNAMES:
        assert client.login(username=username, password=PASSWORD), username
        client.logout()


def test_output_lists_the_logins(demo_output):
    assert "http://127.0.0.1:8000/" in demo_output
    rows = {line.split()[0]: line.split()[1:] for line in demo_output.splitlines() if line.strip()}
    for username in USERNAMES:
        assert rows[username][0] == PASSWORD, username
    assert "superuser" in " ".join(rows["admin"])
    assert rows["organizer"][1:] == ["organizer"]
    for username in LEARNERS:
        assert rows[username][1:] == ["learner"]


# --- idempotency and passwords --------------------------------------------------------


def test_running_twice_changes_nothing(db):
    run_demo()
    first = row_counts()
    hashes = dict(User.objects.values_list("username", "password"))
    assignment = Assignment.objects.values().get()
    output = run_demo()
    assert row_counts() == first
    assert dict(User.objects.values_list("username", "password")) == hashes
    assert Assignment.objects.values().get() == assignment
    assert "nothing created" in output
    # The second run still prints the working password.
    assert PASSWORD in output


def test_counts_after_a_run(db):
    run_demo()
    counts = row_counts()
    assert counts["quizzes.User"] == 5
    assert counts["quizzes.StudyGroup"] == 2
    assert counts["quizzes.Membership"] == 5
    assert counts["quizzes.QuestionBank"] == 1
    assert counts["quizzes.SourceDocument"] == 1
    job = GenerationJob.objects.get()
    assert counts["quizzes.GenerationJob"] == 1
    assert counts["quizzes.KeyPoint"] >= 6
    assert counts["quizzes.Question"] == len(demo.QUESTIONS) + job.drafts_created
    assert counts["quizzes.QuestionVersion"] == counts["quizzes.Question"]
    assert counts["quizzes.Quiz"] == 1
    assert counts["quizzes.QuizSlot"] == demo_quiz_size()
    assert counts["quizzes.Assignment"] == 1
    assert counts["quizzes.Attempt"] == 1
    assert counts["quizzes.AttemptItem"] == demo_quiz_size()
    assert counts["quizzes.AssignmentResult"] == 1
    assert counts["quizzes.ScoreChange"] == 0


def test_existing_passwords_are_kept_unless_reset(db, client):
    run_demo("--password", "first-secret")
    output = run_demo()
    assert client.login(username="learner1", password="first-secret")
    assert not User.objects.get(username="learner1").check_password(PASSWORD)
    assert "(unchanged)" in output
    assert PASSWORD not in output.split("role", 1)[1]

    output = run_demo("--reset-passwords")
    assert "(unchanged)" not in output
    for username in USERNAMES:
        assert User.objects.get(username=username).check_password(PASSWORD)


def test_no_second_attempt_when_learner2_already_has_one(db):
    run_demo()
    attempt = Attempt.objects.get()
    run_demo("--reset-passwords")
    assert list(Attempt.objects.all()) == [attempt]


def test_the_printed_address_is_the_one_served(db):
    output = run_demo("--site-url", "http://0.0.0.0:8711")

    assert "Open http://0.0.0.0:8711/" in output
    assert "Django admin: http://0.0.0.0:8711/admin/" in output
    assert ":8000" not in output
