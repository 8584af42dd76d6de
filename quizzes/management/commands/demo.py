"""``python manage.py demo``: load a small, complete demo into the database.

Idempotent: every object is looked up before it is created, so a second run creates
nothing and changes nothing (passwords of existing users are kept unless
``--reset-passwords``). All writes go through ``quizzes.services`` where a service exists.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from quizzes.demo import questions as demo
from quizzes.models import (
    Assignment,
    Attempt,
    GenerationJob,
    KeyPoint,
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
from quizzes.models.banks import text_checksum
from quizzes.selectors.quizzes import quiz_slot_rows
from quizzes.services.attempts import (
    AttemptError,
    attempt_finish,
    attempt_save_answer,
    attempt_start,
)
from quizzes.services.banks import (
    bank_create,
    bank_update,
    document_create,
    question_create,
    question_set_status,
)
from quizzes.services.documents import generation_run, review_decide
from quizzes.services.groups import group_create, membership_add
from quizzes.services.quizzes import (
    assignment_create,
    quiz_add_questions,
    quiz_create,
    quiz_update,
)

DEFAULT_PASSWORD = "studyapp-demo"
SITE_URL = "http://127.0.0.1:8000/"

# username, display name, role shown in the output
ADMIN = ("admin", "站点管理员 Site admin", "site admin (superuser)")
ORGANIZER = ("organizer", "王书记 Secretary Wang", "organizer")
LEARNERS = (
    ("learner1", "李明 Li Ming", "learner"),
    ("learner2", "张伟 Zhang Wei", "learner"),
    ("learner3", "刘芳 Liu Fang", "learner"),
)

PARENT_GROUP = "Municipal Party committee (demo)"
CHILD_GROUP = "第一党支部学习小组 / First Branch study group"
LEARNER_UNIT = "第一党支部 First Branch"
# Generated drafts approved into the demo quiz (one per key point); the rest wait for review.
GENERATED_APPROVED = 8


def _counted(n: int, noun: str) -> str:
    if n == 1:
        return f"1 {noun}"
    return f"{n} {noun}zes" if noun.endswith("quiz") else f"{n} {noun}s"


class Command(BaseCommand):
    help = (
        "Load demo data: users (admin, organizer, learner1-3), a study group tree, a question "
        "bank built from the Tianjin Daily editorial with hand-checked questions, a quiz "
        "assigned to the study group and one finished attempt. Safe to run again."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--password",
            default=DEFAULT_PASSWORD,
            help=f"Password of the demo users (default: {DEFAULT_PASSWORD}).",
        )
        parser.add_argument(
            "--site-url",
            default=SITE_URL,
            help=f"Address the site is served at, printed with the logins (default: {SITE_URL}).",
        )
        parser.add_argument(
            "--reset-passwords",
            action="store_true",
            help="Also set the password of demo users that already exist.",
        )

    def handle(self, *args, password: str, reset_passwords: bool, site_url: str, **options) -> None:
        if not password:
            raise CommandError("The demo password must not be empty.")
        problems = demo.problems()
        if problems:
            raise CommandError(f"The demo questions have problems: {problems}")
        self.password = password
        self.site_url = site_url if site_url.endswith("/") else f"{site_url}/"
        self.created: Counter[str] = Counter()
        self.password_set: set[str] = set()
        with transaction.atomic():
            users = self._users(reset_passwords)
            organizer = users[ORGANIZER[0]]
            learners = [users[username] for username, _name, _role in LEARNERS]
            child = self._groups(organizer, learners)
            bank, document = self._bank(organizer)
            self._generate(document, organizer)
            published = self._questions(bank, organizer, list(document.key_points.all()))
            quiz = self._quiz(organizer, published)
            self._approve_generated(bank, quiz)
            self._describe(quiz)
            assignment = self._assignment(quiz, child, organizer)
            self._demo_attempt(assignment, users["learner2"])
        self._report(users)

    # --- users and groups -------------------------------------------------------------

    def _users(self, reset_passwords: bool) -> dict[str, User]:
        users: dict[str, User] = {}
        for username, display_name, _role in (ADMIN, ORGANIZER, *LEARNERS):
            user = User.objects.filter(username=username).first()
            if user is None:
                # No user service exists; these are Django's own account helpers.
                create = (
                    User.objects.create_superuser
                    if username == ADMIN[0]
                    else User.objects.create_user
                )
                user = create(
                    username=username,
                    email=f"{username}@example.com",
                    password=self.password,
                    display_name=display_name,
                )
                self.created["user"] += 1
                self.password_set.add(username)
            elif reset_passwords:
                user.set_password(self.password)
                user.save(update_fields=["password"])
                self.password_set.add(username)
            users[username] = user
        return users

    def _groups(self, organizer: User, learners: list[User]) -> StudyGroup:
        parent = StudyGroup.objects.filter(name=PARENT_GROUP, parent__isnull=True).first()
        if parent is None:
            parent = group_create(
                name=PARENT_GROUP,
                created_by=organizer,
                description="Demo Party committee: its study groups report up to it.",
            )
            self.created["study group"] += 1
        child = StudyGroup.objects.filter(name=CHILD_GROUP, parent=parent).first()
        if child is None:
            child = group_create(
                name=CHILD_GROUP,
                created_by=organizer,
                parent=parent,
                description="Demo study group of the First Branch.",
            )
            self.created["study group"] += 1
        # Idempotent: an existing membership is returned unchanged.
        membership_add(group=parent, user=organizer, role=Membership.Role.ORGANIZER)
        membership_add(group=child, user=organizer, role=Membership.Role.ORGANIZER)
        for learner in learners:
            membership_add(
                group=child, user=learner, role=Membership.Role.MEMBER, unit=LEARNER_UNIT
            )
        return child

    # --- bank, document, key points, questions ------------------------------------------

    def _bank(self, organizer: User) -> tuple[QuestionBank, SourceDocument]:
        bank = QuestionBank.objects.filter(owner=organizer, title=demo.BANK_TITLE).first()
        if bank is None:
            bank = bank_create(
                owner=organizer, title=demo.BANK_TITLE, description=demo.BANK_DESCRIPTION
            )
            self.created["question bank"] += 1
        elif bank.description != demo.BANK_DESCRIPTION:  # written by an older demo
            bank_update(bank=bank, title=bank.title, description=demo.BANK_DESCRIPTION)
        text = demo.DOCUMENT_TEXT
        document = SourceDocument.objects.filter(bank=bank, checksum=text_checksum(text)).first()
        if document is None:
            document = document_create(
                bank=bank,
                title=demo.DOCUMENT_TITLE,
                text=text,
                language=demo.DOCUMENT_LANGUAGE,
                uploaded_by=organizer,
                original_filename=demo.DOCUMENT_FILENAME,
                source=demo.DOCUMENT_SOURCE,
            )
            self.created["source document"] += 1
        return bank, document

    def _generate(self, document: SourceDocument, organizer: User) -> None:
        """Key points and draft questions of the editorial, made by the generator through
        the same job an upload starts (run here, in-process). Once per document."""
        if GenerationJob.objects.filter(document=document).exists():
            return
        job = GenerationJob.objects.create(document=document, created_by=organizer)
        job = generation_run(job_id=job.pk, seed=0)
        if job.status != GenerationJob.Status.DONE:
            raise CommandError(f"Generating the demo questions failed: {job.error}")
        self.created["key point"] += document.key_points.count()
        self.created["generated draft"] += job.drafts_created

    @staticmethod
    def _key_point_of(draft, key_points: list[KeyPoint]) -> KeyPoint | None:
        """The generated key point whose passage holds the hand-written question's evidence."""
        for key_point in key_points:
            if key_point.start_offset <= draft.source_start < key_point.end_offset:
                return key_point
        return None

    def _questions(
        self, bank: QuestionBank, organizer: User, key_points: list[KeyPoint]
    ) -> list[tuple[Question, demo.DemoQuestion]]:
        """Create missing demo questions; return the published ones in quiz order.

        A demo question is recognised by the stem of its first version, which never
        changes: an organizer's later edits add versions and do not make it a stranger."""
        first_versions = {
            version.stem: version.question
            for version in QuestionVersion.objects.filter(
                question__bank=bank, number=1
            ).select_related("question")
        }
        published = []
        for item in demo.QUESTIONS:
            draft = item.draft
            question = first_versions.get(draft.stem.strip())
            if question is None:
                question = question_create(
                    bank=bank,
                    draft=draft,
                    created_by=organizer,
                    origin=Question.Origin.MANUAL,
                    status=Question.Status.DRAFT,
                    key_point=self._key_point_of(draft, key_points),
                )
                if item.publish:
                    question_set_status(question=question, status=Question.Status.PUBLISHED)
                self.created["published question" if item.publish else "draft question"] += 1
            if item.publish and question.status == Question.Status.PUBLISHED:
                published.append((question, item))
        return published

    # --- quiz, assignment, attempt ------------------------------------------------------

    def _quiz(self, organizer: User, published: list[tuple[Question, demo.DemoQuestion]]) -> Quiz:
        quiz = Quiz.objects.filter(owner=organizer, title=demo.QUIZ_TITLE).first()
        if quiz is None:
            quiz = quiz_create(
                owner=organizer,
                title=demo.QUIZ_TITLE,
                time_limit=timedelta(minutes=30),
                attempts_allowed=3,
                pass_mark=Decimal(60),
                shuffle_questions=False,
                shuffle_choices=True,
                grading_method=Quiz.GradingMethod.HIGHEST,
                feedback_timing=Quiz.FeedbackTiming.AFTER_SUBMIT,
            )
            self.created["quiz"] += 1
        # Published questions on the key point of an earlier one stay in the bank only: a
        # quiz holds one question per key point, so that none gives another away.
        added = quiz_add_questions(
            quiz=quiz, questions=[question for question, _item in published], points=1
        )
        if added.slots:
            self.created["quiz slot"] += len(added.slots)
        return quiz

    def _describe(self, quiz: Quiz) -> None:
        """Describe the quiz by its own figures, once its questions are in (an older demo's
        description is corrected)."""
        description = demo.quiz_description(
            questions=sum(row.questions_shown for row in quiz_slot_rows(quiz=quiz)),
            minutes=int(quiz.time_limit.total_seconds() // 60),
            attempts=quiz.attempts_allowed,
            pass_mark=quiz.pass_mark,
        )
        if quiz.description != description:
            quiz_update(quiz=quiz, description=description)

    def _approve_generated(self, bank: QuestionBank, quiz: Quiz) -> None:
        """Approve the best generated drafts into the quiz, as an organizer would after
        review; the rest stay in the review queue. At most one per key point, key points the
        quiz does not hold yet first (a quiz holds one question per key point), and the best
        draft of every kind the generator made among them. Once: skipped when any generated
        question was already decided."""
        generated = Question.objects.filter(bank=bank, origin=Question.Origin.GENERATED)
        if generated.exclude(status=Question.Status.DRAFT).exists():
            return
        taken = set(quiz.slots.values_list("question__key_point_id", flat=True))
        drafts = list(
            generated.filter(versions__number=1)
            .order_by("-quality", "pk")
            .values_list("pk", "key_point_id", "versions__kind")
        )
        # Fresh key points before those in the quiz; within each, best first.
        drafts.sort(key=lambda draft: draft[1] is not None and draft[1] in taken)
        chosen: list[int] = []
        points: set[int] = set()

        def take(pk: int, key_point_id: int | None) -> None:
            chosen.append(pk)
            if key_point_id is not None:
                points.add(key_point_id)

        for kind in QuestionKind.values:
            for pk, key_point_id, draft_kind in drafts:
                if draft_kind == kind and key_point_id not in points:
                    take(pk, key_point_id)
                    break
        for pk, key_point_id, _kind in drafts:
            if len(chosen) >= GENERATED_APPROVED:
                break
            if pk not in chosen and key_point_id not in points:
                take(pk, key_point_id)
        review_decide(bank=bank, question_ids=chosen, decision="approve")
        added = quiz_add_questions(
            quiz=quiz, questions=Question.objects.filter(pk__in=chosen).order_by("pk"), points=1
        )
        self.created["approved generated question"] += len(chosen)
        self.created["quiz slot"] += len(added.slots)

    def _assignment(self, quiz: Quiz, group: StudyGroup, organizer: User) -> Assignment:
        assignment = Assignment.objects.filter(quiz=quiz, group=group).first()
        if assignment is None:
            now = timezone.now()
            assignment = assignment_create(
                quiz=quiz,
                group=group,
                opens_at=now - timedelta(days=1),
                due_at=now + timedelta(days=14),
                created_by=organizer,
            )
            self.created["assignment"] += 1
        return assignment

    def _demo_attempt(self, assignment: Assignment, learner: User) -> None:
        """One finished attempt for learner2, some answers right and some wrong, so the
        admin's score review and the organizer's reports have something to show."""
        if Attempt.objects.filter(assignment=assignment, user=learner).exists():
            return
        # Started two hours ago, but inside the assignment's window even on a late re-run.
        started = timezone.now() - timedelta(hours=2)
        started = max(assignment.opens_at + timedelta(minutes=1), started)
        started = min(started, assignment.due_at - timedelta(minutes=30))
        try:
            # A savepoint: should a step be refused, no half-answered attempt stays behind.
            with transaction.atomic():
                self._answer_as_planned(assignment, learner, started)
        except AttemptError as error:
            self.stderr.write(f"No demo attempt for {learner.username}: {error.message}")
            return
        self.created["finished attempt"] += 1

    def _answer_as_planned(self, assignment: Assignment, learner: User, started: datetime) -> None:
        plan = {item.draft.stem.strip(): item for item in demo.QUESTIONS if item.publish}
        attempt = attempt_start(
            assignment=assignment, user=learner, now=started, rng=random.Random(12)
        )
        items = attempt.items.select_related("question_version").prefetch_related(
            "choices__choice", "question_version__blank_answers"
        )
        moment = started
        for item in items:
            moment += timedelta(seconds=40)
            version = item.question_version
            answer = plan.get(version.stem)
            how = answer.learner2 if answer else demo.RIGHT
            if version.kind == QuestionKind.BLANK:
                attempt_save_answer(
                    attempt=attempt,
                    position=item.position,
                    sequence=1,
                    blanks=self._blank_responses(version, answer, how),
                    now=moment,
                )
                continue
            shown = [c.choice for c in item.choices.all()]
            right = [c.pk for c in shown if c.is_correct]
            wrong = [c.pk for c in shown if not c.is_correct]
            if how == demo.WRONG and wrong:
                selected = wrong[:1]
            elif how == demo.PARTLY:
                selected = right[:1]
            else:
                selected = right if version.kind == QuestionKind.MULTIPLE else right[:1]
            attempt_save_answer(
                attempt=attempt,
                position=item.position,
                sequence=1,
                selected_choice_ids=selected,
                now=moment,
            )
        attempt_finish(attempt=attempt, now=moment + timedelta(seconds=30))

    @staticmethod
    def _blank_responses(
        version: QuestionVersion, answer: demo.DemoQuestion | None, how: str
    ) -> list[str]:
        if how == demo.WRONG and answer is not None and answer.learner2_blanks:
            return list(answer.learner2_blanks)
        accepted: dict[int, str] = {}
        for blank_answer in version.blank_answers.all():
            accepted.setdefault(blank_answer.blank, blank_answer.text)
        return [accepted[index] for index in sorted(accepted)]

    # --- output -------------------------------------------------------------------------

    def _report(self, users: dict[str, User]) -> None:
        out = self.stdout
        if self.created:
            out.write(
                "Created: " + ", ".join(_counted(n, what) for what, n in self.created.items())
            )
        else:
            out.write("Demo data already present: nothing created.")
        out.write("")
        out.write(self.style.SUCCESS("studyapp demo is ready."))
        out.write(f"  Open {self.site_url}")
        out.write(f"  Django admin: {self.site_url}{settings.ADMIN_URL}")
        out.write("")
        out.write(f"  {'username':<12}{'password':<22}role")
        for username, _name, role in (ADMIN, ORGANIZER, *LEARNERS):
            user = users[username]
            if username in self.password_set or user.check_password(self.password):
                shown = self.password
            else:
                shown = "(unchanged)"
            out.write(f"  {username:<12}{shown:<22}{role}")
