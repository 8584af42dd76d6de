"""A load-test data set, written with bulk inserts: ``manage.py seed_load``.

What it builds, for ``learners`` learners and ``quizzes`` quizzes:

- a four-level study-group tree, a Party committee → general branches (one per municipal
  department) → branches → study groups, with an organizer at every level and the learners
  spread unevenly over the study groups (about one in a hundred also belongs to a second
  study group, as happens when people are seconded);
- a question bank made by the question generator from a study document (the 19th Congress
  report in ``../shared/samples/`` when present, else the demo editorial shipped with the
  app): key points, generated questions of every kind with their choices and accepted
  answers, a few questions edited into a second version part-way through the year;
- quizzes of about twenty questions with varied settings, each assigned once over the past
  year: a few to the whole committee, the others to general branches or branches; the
  newest assignment opens in a few days, the one before it is open now;
- attempts in their final state — items pinned to the version current when the attempt
  started, shown choices in their shown order, selected choices and typed blanks drawn from
  a simple ability/difficulty model, scores computed by ``quizzes.grading`` — and learner
  results computed from them the way ``assignment_result_refresh`` does. The open
  assignment has unfinished attempts and learners who have not started.

The most recent closed committee assignment is finished by every learner (some twice): it
is the one ``bench/reports.py`` times.

Rows are written in their final state, so the database triggers of migration 0002 (which
guard UPDATEs) never fire and every CHECK constraint is checked on insert. On PostgreSQL
rows go in with ``COPY`` (psycopg), elsewhere with ``executemany`` of the values Django
would write; primary keys are allocated here, above the current maximum, and the sequences
are moved past them at the end. Run it on a database nobody else is writing to.
Deterministic for a given seed and clock, apart from join codes (secrets) and the password
hash (salted).
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone

from quizzes import grading
from quizzes.demo import questions as demo
from quizzes.drafts import QuestionDraft
from quizzes.generation import generate
from quizzes.grading import to_score
from quizzes.ingest import extract
from quizzes.loadgen.writer import BulkWriter
from quizzes.models import (
    Assignment,
    AssignmentResult,
    Attempt,
    AttemptBlank,
    AttemptChoice,
    AttemptItem,
    BlankAnswer,
    Choice,
    GenerationJob,
    KeyPoint,
    Membership,
    Question,
    QuestionBank,
    QuestionVersion,
    Quiz,
    QuizSlot,
    SourceDocument,
    StudyGroup,
    User,
)
from quizzes.models.banks import text_checksum
from quizzes.models.groups import new_join_code
from quizzes.services.attempts import result_figures

SAMPLE_DOCUMENT = (
    Path(settings.BASE_DIR).parent / "shared" / "samples" / "19th-national-congress-report.zh.txt"
)
# Rows kept in memory before they are written (attempt items; choices are ~3 per item).
FLUSH_ITEMS = 40_000

# Points per kind: 7 single × 5 + 3 multiple × 5 + 5 true/false × 4 + 5 blanks × 6 = 100.
KIND_QUOTA = {"single": 7, "multiple": 3, "true_false": 5, "blank": 5}
KIND_POINTS = {
    "single": Decimal(5),
    "multiple": Decimal(5),
    "true_false": Decimal(4),
    "blank": Decimal(6),
}

CITY = "滨江市"
COMMITTEE_NAME = f"中共{CITY}直属机关委员会"
DEPARTMENTS = (
    "市发展和改革委员会",
    "市财政局",
    "市教育局",
    "市科学技术局",
    "市民政局",
    "市人力资源和社会保障局",
    "市自然资源和规划局",
    "市生态环境局",
    "市住房和城乡建设局",
    "市交通运输局",
    "市水务局",
    "市农业农村局",
    "市商务局",
    "市文化和旅游局",
    "市卫生健康委员会",
    "市应急管理局",
    "市审计局",
    "市统计局",
    "市市场监督管理局",
    "市医疗保障局",
)
OFFICES = (
    "办公室",
    "综合处",
    "政策法规处",
    "规划处",
    "财务处",
    "人事处",
    "机关党委",
    "监督检查处",
    "信息中心",
    "行政审批处",
)
# The hundred most common surnames, most common first (weights fall off with rank).
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余"
    "杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史"
    "陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN_NAME_CHARACTERS = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国志红玉文辉力永健世广海云鹏飞"
    "晓宁波斌宇浩凯俊帆欣怡涵梓轩雨萱思远嘉佳琪瑶晨阳昊然子墨若溪婷慧颖博睿泽"
)
QUIZ_THEMES = (
    "新时代中国特色社会主义思想",
    "全面从严治党",
    "贯彻新发展理念",
    "坚持以人民为中心",
    "建设现代化经济体系",
    "社会主义民主政治",
    "文化自信",
    "保障和改善民生",
    "生态文明建设",
    "党的建设新的伟大工程",
)
_CN_DIGITS = "零一二三四五六七八九"


def _cn(n: int) -> str:
    """A number below a hundred in Chinese numerals (一, 十二, 三十五)."""
    if n < 10:
        return _CN_DIGITS[n]
    tens, units = divmod(n, 10)
    return ("" if tens == 1 else _CN_DIGITS[tens]) + "十" + (_CN_DIGITS[units] if units else "")


# --- What is built, kept in memory while attempts are generated --------------------------


@dataclass(slots=True)
class _Group:
    id: int
    name: str
    level: int
    parent: _Group | None
    department: str
    organizer_ids: list[int] = field(default_factory=list)
    children: list[_Group] = field(default_factory=list)
    learner_ids: list[int] = field(default_factory=list)  # members of this group itself
    skill: float = 0.0  # how well this group's members do, on average

    def leaves(self) -> Iterator[_Group]:
        if not self.children:
            yield self
        for child in self.children:
            yield from child.leaves()


@dataclass(slots=True)
class _Version:
    id: int
    number: int
    created_at: datetime
    kind: str
    hardness: float
    choice_ids: list[int]
    correct_ids: frozenset[int]
    wrong_ids: list[int]
    wrong_weights: list[float]
    blanks: list[list[str]]


@dataclass(slots=True)
class _Question:
    id: int
    kind: str
    versions: list[_Version]

    def version_at(self, when: datetime) -> _Version:
        """The newest version created before ``when`` (slots follow the newest version)."""
        current = self.versions[0]
        for version in self.versions[1:]:
            if version.created_at <= when:
                current = version
        return current


@dataclass(slots=True)
class _Slot:
    id: int
    question: _Question
    points: Decimal


@dataclass(slots=True)
class _Quiz:
    id: int
    title: str
    slots: list[_Slot]
    time_limit: timedelta | None
    attempts_allowed: int
    pass_mark: Decimal
    shuffle_questions: bool
    shuffle_choices: bool
    feedback_timing: str
    grading_method: str

    @property
    def max_score(self) -> Decimal:
        return sum((slot.points for slot in self.slots), Decimal(0))


@dataclass(slots=True)
class _Attempt:
    number: int
    started_at: datetime
    finished_at: datetime | None
    score: Decimal | None
    max_score: Decimal


@dataclass
class LoadSummary:
    """What ``seed_load`` built: rows per table, seconds per phase and the ids worth
    knowing (the fully finished committee assignment that ``bench/reports.py`` times)."""

    counts: dict[str, int]
    timings: list[tuple[str, float]]
    learners: int
    groups_per_level: list[int]
    committee_id: int
    bench_assignment_id: int
    staff_username: str
    organizer_username: str
    source: str
    seconds: float = 0.0


@lru_cache(maxsize=200_000)
def _blank_fraction(responses: tuple[str, ...], accepted: tuple[tuple[str, ...], ...]) -> Fraction:
    return grading.grade_blanks(list(responses), [list(a) for a in accepted])


@lru_cache(maxsize=4096)
def _score(fraction: Fraction, points: Decimal) -> Decimal:
    return to_score(fraction, points)


# --- The builder ------------------------------------------------------------------------


def tree_shape(learners: int) -> tuple[int, int, int]:
    """General branches, branches per general branch, study groups per branch: about
    25 learners per study group, the three fan-outs about equal."""
    leaves = max(4, round(learners / 25))
    general = max(2, round(leaves ** (1 / 3)))
    branches = max(2, round(math.sqrt(leaves / general)))
    groups = max(2, math.ceil(leaves / (general * branches)))
    return general, branches, groups


class _Builder:
    def __init__(
        self,
        *,
        learners: int,
        quizzes: int,
        questions_per_quiz: int,
        seed: int,
        prefix: str,
        password: str,
        now: datetime,
        source: Path | None,
        say: Callable[[str], None],
    ) -> None:
        self.n_learners = learners
        self.n_quizzes = quizzes
        self.questions_per_quiz = questions_per_quiz
        self.rng = random.Random(seed)
        self.prefix = prefix
        self.password_hash = make_password(password)
        self.now = now.replace(microsecond=0)
        self.start = self.now - timedelta(days=420)
        self.source = source
        self.say = say
        self.writer = BulkWriter()
        self.timings: list[tuple[str, float]] = []
        self._phase_started = time.perf_counter()
        self.skill: dict[int, float] = {}  # learner id → ability
        self.user_rows: list[tuple] = []

    def _phase(self, name: str) -> None:
        elapsed = time.perf_counter() - self._phase_started
        self.timings.append((name, elapsed))
        self.say(f"  {name}: {elapsed:.1f} s")
        self._phase_started = time.perf_counter()

    # --- users and groups ---------------------------------------------------------------

    def _name(self) -> str:
        rng = self.rng
        index = min(int(rng.expovariate(1 / 18)), len(SURNAMES) - 1)
        given = "".join(rng.choice(GIVEN_NAME_CHARACTERS) for _ in range(rng.choice((1, 2, 2))))
        return SURNAMES[index] + given

    def _user(self, username: str, *, staff: bool = False, joined: datetime) -> int:
        pk = self.writer.new_id(User)
        email = f"{username}@example.org" if staff or self.rng.random() < 0.7 else ""
        self.user_rows.append(
            (
                pk,
                self.password_hash,
                None,
                staff,
                f"{self.prefix}-{username}",
                "",
                "",
                email,
                staff,
                True,
                joined,
                "" if staff else self._name(),
            )
        )
        return pk

    def build_people(self) -> None:
        rng = self.rng
        general, branches, groups = tree_shape(self.n_learners)
        self.shape = (general, branches, groups)
        founded = self.start
        self.staff_id = self._user("admin", staff=True, joined=founded)
        group_rows: list[tuple] = []

        def add_group(name: str, level: int, parent: _Group | None, department: str) -> _Group:
            group = _Group(self.writer.new_id(StudyGroup), name, level, parent, department)
            group.skill = (parent.skill if parent else 0.0) + rng.gauss(0, 0.25)
            if parent:
                parent.children.append(group)
            group_rows.append(
                (
                    group.id,
                    name,
                    "",
                    parent.id if parent else None,
                    new_join_code(),
                    0,  # created_by: filled in once its organizer exists
                    founded + timedelta(minutes=len(group_rows)),
                )
            )
            return group

        self.committee = add_group(COMMITTEE_NAME, 1, None, "")
        for g in range(general):
            department = DEPARTMENTS[g % len(DEPARTMENTS)]
            if g >= len(DEPARTMENTS):
                department += f"（{_cn(g // len(DEPARTMENTS) + 1)}）"
            general_branch = add_group(f"{department}机关党总支", 2, self.committee, department)
            for b in range(branches):
                branch = add_group(
                    f"{department}第{_cn(b + 1)}党支部", 3, general_branch, department
                )
                for s in range(groups):
                    add_group(f"{branch.name}第{_cn(s + 1)}学习小组", 4, branch, department)

        # Organizers: two for the committee (secretary and organization member), one for
        # every other group.
        organizer_number = 0
        membership_rows: list[tuple] = []

        def organize(group: _Group) -> None:
            nonlocal organizer_number
            organizer_number += 1
            pk = self._user(f"org{organizer_number:04d}", joined=founded)
            group.organizer_ids.append(pk)
            membership_rows.append(
                (self.writer.new_id(Membership), group.id, pk, "organizer", "", founded)
            )

        def walk(group: _Group) -> Iterator[_Group]:
            yield group
            for child in group.children:
                yield from walk(child)

        all_groups = list(walk(self.committee))
        organize(self.committee)
        for group in all_groups:
            organize(group)
        self.organizer_username = f"{self.prefix}-org0001"
        by_id = {row[0]: row for row in group_rows}
        for group in all_groups:
            row = by_id[group.id]
            creator = (group.parent or group).organizer_ids[0]
            by_id[group.id] = (*row[:5], creator, row[6])
        group_rows = [by_id[row[0]] for row in group_rows]

        # Learners, spread unevenly over the study groups.
        leaves = list(self.committee.leaves())
        weights = [rng.uniform(0.6, 1.4) for _ in leaves]
        total = sum(weights)
        sizes = [int(self.n_learners * w / total) for w in weights]
        for index in range(self.n_learners - sum(sizes)):
            sizes[index % len(sizes)] += 1
        number = 0
        for leaf, size in zip(leaves, sizes, strict=True):
            offices = rng.sample(OFFICES, 3)
            for _ in range(size):
                number += 1
                joined = founded + timedelta(days=rng.uniform(1, 40))
                pk = self._user(f"learner{number:05d}", joined=joined)
                self.skill[pk] = rng.gauss(leaf.skill, 1.0)
                leaf.learner_ids.append(pk)
                unit = leaf.department + rng.choice(offices)
                membership_rows.append(
                    (self.writer.new_id(Membership), leaf.id, pk, "member", unit, joined)
                )
        # About one learner in a hundred also belongs to a second study group.
        for leaf in leaves:
            for pk in list(leaf.learner_ids):
                if rng.random() < 0.01 and len(leaves) > 1:
                    other = rng.choice([x for x in leaves if x is not leaf])
                    if pk not in other.learner_ids:
                        other.learner_ids.append(pk)
                        membership_rows.append(
                            (
                                self.writer.new_id(Membership),
                                other.id,
                                pk,
                                "member",
                                other.department + "（借调）",
                                self.now - timedelta(days=rng.uniform(60, 300)),
                            )
                        )
        self.writer.write(
            User,
            "id password last_login is_superuser username first_name last_name email is_staff "
            "is_active date_joined display_name",
            self.user_rows,
        )
        self.writer.write(
            StudyGroup,
            "id name description parent join_code created_by created_at",
            group_rows,
        )
        self.writer.write(Membership, "id group user role unit joined_at", membership_rows)
        self.groups = all_groups
        self.user_rows = []
        self._phase(
            f"{self.n_learners} learners and {organizer_number} organizers in "
            f"{len(all_groups)} groups"
        )

    # --- the bank -----------------------------------------------------------------------

    def _document(self) -> tuple[str, str, str, str, str]:
        """(title, file name, source, text, language) of the study document."""
        if self.source is not None and self.source.is_file():
            extracted = extract(self.source.read_bytes(), self.source.name)
            title = extracted.title or self.source.stem
            return (title, self.source.name, self.source.name, extracted.text, "")
        return (
            demo.DOCUMENT_TITLE,
            demo.DOCUMENT_FILENAME,
            demo.DOCUMENT_SOURCE,
            demo.DOCUMENT_TEXT,
            demo.DOCUMENT_LANGUAGE,
        )

    def build_bank(self, seed: int) -> None:
        rng = self.rng
        title, filename, source, text, language = self._document()
        result = generate(text, language=language or None, seed=seed)
        language = result.language
        self.source_label = f"{filename} ({len(text)} characters, {language})"
        owner = self.committee.organizer_ids[0]
        created = self.start + timedelta(days=2)
        bank_id = self.writer.new_id(QuestionBank)
        bank_title = f"{title[:60]}学习题库" if language == "zh-hans" else f"{title[:60]} — bank"
        self.writer.write(
            QuestionBank,
            "id title description owner created_at updated_at",
            [(bank_id, bank_title, "", owner, created, created)],
        )
        document_id = self.writer.new_id(SourceDocument)
        self.writer.write(
            SourceDocument,
            "id bank title original_filename source text language checksum uploaded_by created_at",
            [
                (
                    document_id,
                    bank_id,
                    title[:300],
                    filename,
                    source[:500],
                    text,
                    language,
                    text_checksum(text),
                    owner,
                    created,
                )
            ],
        )
        drafts = [draft for draft in result.drafts if not draft.problems()]
        self.writer.write(
            GenerationJob,
            "document status progress stage error drafts_created created_by created_at started_at "
            "finished_at",
            [
                (
                    document_id,
                    "done",
                    100,
                    "done",
                    "",
                    len(drafts),
                    owner,
                    created,
                    created,
                    created + timedelta(seconds=20),
                )
            ],
        )
        key_points = {}
        rows = []
        for point in result.key_points:
            key_points[point.ordinal] = pk = self.writer.new_id(KeyPoint)
            rows.append(
                (
                    pk,
                    document_id,
                    point.ordinal,
                    point.text,
                    point.start,
                    point.end,
                    max(0.0, point.score),
                )
            )
        self.writer.write(
            KeyPoint,
            "id document ordinal text start_offset end_offset score",
            rows,
        )

        question_rows, version_rows, choice_rows, answer_rows = [], [], [], []
        self.questions: list[_Question] = []
        # Answers of every blank: wrong answers to a blank are drawn from these.
        self.blank_pool: list[str] = []

        def add_version(question: _Question, draft: QuestionDraft, number: int, when) -> None:
            pk = self.writer.new_id(QuestionVersion)
            difficulty = min(5, max(1, draft.difficulty + (number - 1) * rng.choice((-1, 1))))
            explanation = draft.explanation.strip()
            if number > 1:
                explanation = (explanation + " 注：本题已根据原文核对修订。").strip()
            version_rows.append(
                (
                    pk,
                    question.id,
                    number,
                    draft.kind,
                    draft.stem.strip(),
                    explanation,
                    draft.source_excerpt,
                    draft.source_start,
                    draft.source_end,
                    difficulty,
                    owner,
                    when,
                )
            )
            choice_ids, correct = [], []
            for ordinal, choice in enumerate(draft.choices, start=1):
                choice_id = self.writer.new_id(Choice)
                choice_rows.append(
                    (choice_id, pk, ordinal, choice.text.strip(), choice.correct, choice.feedback)
                )
                choice_ids.append(choice_id)
                if choice.correct:
                    correct.append(choice_id)
            blanks = []
            for index, answers in enumerate(draft.blanks, start=1):
                kept = list(dict.fromkeys(a.strip() for a in answers if a.strip()))
                blanks.append(kept)
                self.blank_pool.extend(kept)
                answer_rows.extend(
                    (self.writer.new_id(BlankAnswer), pk, index, answer) for answer in kept
                )
            wrong = [c for c in choice_ids if c not in correct]
            question.versions.append(
                _Version(
                    id=pk,
                    number=number,
                    created_at=when,
                    kind=draft.kind,
                    hardness=(difficulty - 3) * 0.5 + rng.gauss(0, 0.6),
                    choice_ids=choice_ids,
                    correct_ids=frozenset(correct),
                    wrong_ids=wrong,
                    # One distractor usually fools more people than the others.
                    wrong_weights=[rng.random() ** 2 + 0.05 for _ in wrong],
                    blanks=blanks,
                )
            )

        for draft in drafts:
            status = rng.choices(("published", "draft", "archived"), (88, 9, 3))[0]
            question = _Question(self.writer.new_id(Question), draft.kind, [])
            when = created + timedelta(days=rng.uniform(1, 20))
            question_rows.append(
                (
                    question.id,
                    bank_id,
                    "generated",
                    status,
                    key_points.get(draft.key_point_ordinal),
                    owner,
                    when,
                    when,
                )
            )
            add_version(question, draft, 1, when)
            # A few published questions were corrected part-way through the year.
            if status == "published" and rng.random() < 0.04:
                add_version(question, draft, 2, self.now - timedelta(days=rng.uniform(60, 300)))
            if status == "published":
                self.questions.append(question)
        self.writer.write(
            Question,
            "id bank origin status key_point created_by created_at updated_at",
            question_rows,
        )
        self.writer.write(
            QuestionVersion,
            "id question number kind stem explanation source_excerpt source_start source_end "
            "difficulty created_by created_at",
            version_rows,
        )
        self.writer.write(Choice, "id version ordinal text is_correct feedback", choice_rows)
        self.writer.write(BlankAnswer, "id version blank text", answer_rows)
        if not self.questions:
            raise ValueError("The generator made no usable question from the document.")
        self._phase(
            f"bank: {len(result.key_points)} key points, {len(question_rows)} questions "
            f"({len(self.questions)} published) from {filename}"
        )

    # --- quizzes and assignments ----------------------------------------------------------

    def build_quizzes(self) -> None:
        rng = self.rng
        by_kind: dict[str, list[_Question]] = {}
        for question in self.questions:
            by_kind.setdefault(question.kind, []).append(question)
        quota_total = sum(KIND_QUOTA.values())
        quiz_rows, slot_rows = [], []
        # The assignment bench/reports.py times: the most recent closed one.
        self.bench_index = max(0, self.n_quizzes - 3)
        self.quizzes: list[_Quiz] = []
        owner = self.committee.organizer_ids[0]
        for index in range(self.n_quizzes):
            chosen: list[_Question] = []
            for kind, share in KIND_QUOTA.items():
                wanted = round(self.questions_per_quiz * share / quota_total)
                pool = by_kind.get(kind, [])
                chosen += rng.sample(pool, min(wanted, len(pool)))
            rest = [q for q in self.questions if q not in chosen]
            chosen += rng.sample(rest, min(len(rest), self.questions_per_quiz - len(chosen)))
            chosen = chosen[: self.questions_per_quiz]
            order = {kind: n for n, kind in enumerate(KIND_QUOTA)}
            chosen.sort(key=lambda q: order[q.kind])  # papers go by kind: 单选, 多选, 判断, 填空
            quiz = _Quiz(
                id=self.writer.new_id(Quiz),
                title=f"{QUIZ_THEMES[index % len(QUIZ_THEMES)]}专题测验（第{index + 1}期）",
                slots=[],
                time_limit=rng.choice((None, timedelta(minutes=20), timedelta(minutes=30))),
                # The benchmarked assignment allows a second try, so some take two.
                attempts_allowed=rng.choice((1, 1, 2, 2, 3, 0)) if index != self.bench_index else 2,
                pass_mark=rng.choice((Decimal(60), Decimal(60), Decimal(80))),
                shuffle_questions=rng.random() < 0.3,
                shuffle_choices=rng.random() < 0.8,
                feedback_timing=rng.choice(
                    ("after_submit", "after_submit", "after_due", "immediate")
                ),
                grading_method=rng.choice(("highest", "highest", "last", "first", "average")),
            )
            for position, question in enumerate(chosen, start=1):
                slot = _Slot(self.writer.new_id(QuizSlot), question, KIND_POINTS[question.kind])
                quiz.slots.append(slot)
                slot_rows.append(
                    (slot.id, quiz.id, position, question.id, None, slot.points, None, None, "")
                )
            self.quizzes.append(quiz)
        # The assignments are made over the past year: quiz i is assigned at step i.
        self.schedule = self._schedule()
        for quiz, (opens_at, _due, _group) in zip(self.quizzes, self.schedule, strict=True):
            created = opens_at - timedelta(days=rng.uniform(1, 5))
            quiz_rows.append(
                (
                    quiz.id,
                    quiz.title,
                    "",
                    owner,
                    quiz.time_limit,
                    quiz.attempts_allowed,
                    quiz.pass_mark,
                    quiz.shuffle_questions,
                    quiz.shuffle_choices,
                    quiz.feedback_timing,
                    quiz.grading_method,
                    created,
                    created,
                )
            )
        self.writer.write(
            Quiz,
            "id title description owner time_limit attempts_allowed pass_mark shuffle_questions "
            "shuffle_choices feedback_timing grading_method created_at updated_at",
            quiz_rows,
        )
        self.writer.write(
            QuizSlot,
            "id quiz position question pinned_version points draw_count draw_bank draw_kind",
            slot_rows,
        )
        assignment_rows = []
        self.assignments = []
        for quiz, (opens_at, due_at, group) in zip(self.quizzes, self.schedule, strict=True):
            pk = self.writer.new_id(Assignment)
            self.assignments.append((pk, quiz, group, opens_at, due_at))
            assignment_rows.append(
                (pk, quiz.id, group.id, opens_at, due_at, group.organizer_ids[0], opens_at)
            )
        self.writer.write(
            Assignment,
            "id quiz group opens_at due_at created_by created_at",
            assignment_rows,
        )
        self._phase(f"{len(self.quizzes)} quizzes and {len(assignment_rows)} assignments")

    def _schedule(self) -> list[tuple[datetime, datetime, _Group]]:
        """(opens, due, group) of each quiz's assignment. The last opens in a few days, the
        one before it is open now, the others closed over the past year. The most recent
        closed one, and the first, go to the whole committee; the open one too."""
        rng = self.rng
        n = self.n_quizzes
        generals = self.committee.children
        branches = [b for g in generals for b in g.children]
        upcoming, current = (n - 1, n - 2) if n >= 3 else (None, n - 1 if n == 2 else None)
        committee_at = {self.bench_index, 0, current}
        closed = [i for i in range(n) if i not in (upcoming, current)]
        schedule = []
        for i in range(n):
            if i == upcoming:
                opens = self.now + timedelta(days=3, hours=9)
            elif i == current:
                opens = self.now - timedelta(days=4, hours=3)
            else:
                step = closed.index(i) / max(1, len(closed) - 1)
                opens = self.now - timedelta(days=360 - step * 330)
            opens = opens.replace(minute=0, second=0)
            due = opens + timedelta(days=14)
            if i in committee_at:
                group = self.committee
            elif i % 3 == 0:
                group = rng.choice(generals)
            else:
                group = rng.choice(branches)
            schedule.append((opens, due, group))
        return schedule

    # --- attempts -----------------------------------------------------------------------

    def build_attempts(self) -> None:
        self.rows: dict[type[Model], list[tuple]] = {
            Attempt: [],
            AttemptItem: [],
            AttemptChoice: [],
            AttemptBlank: [],
            AssignmentResult: [],
        }
        total_attempts = 0
        for index, (pk, quiz, group, opens_at, due_at) in enumerate(self.assignments):
            learners = list(dict.fromkeys(pk for leaf in group.leaves() for pk in leaf.learner_ids))
            if opens_at > self.now:
                continue  # not open yet: nobody has started
            is_current = due_at > self.now
            if index == self.bench_index:
                starting = 1.0
            elif is_current:
                starting = self.rng.uniform(0.45, 0.6)
            else:
                starting = self.rng.uniform(0.75, 0.97)
            for user_id in learners:
                if self.rng.random() >= starting:
                    continue
                total_attempts += self._learner(
                    assignment_id=pk,
                    quiz=quiz,
                    user_id=user_id,
                    opens_at=opens_at,
                    due_at=due_at,
                    is_current=is_current,
                    retry_bias=0.25 if index == self.bench_index else 0.0,
                )
                if len(self.rows[AttemptItem]) >= FLUSH_ITEMS:
                    self._flush()
        self._flush()
        self._phase(f"{total_attempts} attempts with their items, answers and results")

    def _flush(self) -> None:
        columns = {
            Attempt: (
                "id assignment user number state started_at deadline finished_at score max_score"
            ),
            AttemptItem: (
                "id attempt position slot question question_version points score sequence "
                "answered_at checked_at"
            ),
            AttemptChoice: "item choice position selected",
            AttemptBlank: "item blank response",
            AssignmentResult: (
                "assignment user attempts_finished score max_score percent passed best_percent "
                "time_spent first_started_at last_finished_at updated_at"
            ),
        }
        for model, names in columns.items():
            self.writer.write(model, names, self.rows[model])
            self.rows[model] = []

    def _learner(
        self,
        *,
        assignment_id: int,
        quiz: _Quiz,
        user_id: int,
        opens_at: datetime,
        due_at: datetime,
        is_current: bool,
        retry_bias: float,
    ) -> int:
        """One learner's attempts at one assignment, and their result; returns how many."""
        rng = self.rng
        skill = self.skill[user_id]
        window_end = min(due_at, self.now) if is_current else due_at
        typical = timedelta(minutes=rng.uniform(6, 16))
        # Most start in the first days or just before the due time.
        if rng.random() < 0.6:
            offset = rng.expovariate(1 / 2.0) * 86400
        else:
            offset = (window_end - opens_at).total_seconds() - rng.expovariate(1 / 1.5) * 86400
        span = (window_end - opens_at).total_seconds()
        started = opens_at + timedelta(seconds=min(max(offset, 60), span - 3600))
        attempts: list[_Attempt] = []
        allowed = quiz.attempts_allowed or 4
        number = 0
        while number < allowed:
            number += 1
            open_now = is_current and (
                started > self.now - timedelta(hours=1) or rng.random() < 0.12
            )
            if open_now:
                # Still working: started a few minutes ago, well before any deadline.
                limit = quiz.time_limit or timedelta(minutes=40)
                started = self.now - timedelta(seconds=rng.uniform(60, limit.total_seconds() * 0.7))
            attempt = self._attempt(
                assignment_id=assignment_id,
                quiz=quiz,
                user_id=user_id,
                number=number,
                started=started,
                due_at=due_at,
                skill=skill + 0.35 * (number - 1),
                duration=typical * rng.uniform(0.7, 1.3),
                finished=not open_now,
            )
            attempts.append(attempt)
            if open_now:
                break
            percent = attempt.score * 100 / attempt.max_score
            retry = 0.5 if percent < quiz.pass_mark else 0.12
            if rng.random() >= retry + retry_bias:
                break
            started = attempt.finished_at + timedelta(seconds=rng.uniform(600, 3 * 86400))
            if started > window_end - timedelta(hours=1):
                break
        if any(a.finished_at is not None for a in attempts):
            figures = result_figures(
                finished=[a for a in attempts if a.finished_at is not None],
                first_started_at=min(a.started_at for a in attempts),
                grading_method=quiz.grading_method,
                pass_mark=quiz.pass_mark,
            )
            self.rows[AssignmentResult].append(
                (
                    assignment_id,
                    user_id,
                    figures["attempts_finished"],
                    figures["score"],
                    figures["max_score"],
                    figures["percent"],
                    figures["passed"],
                    figures["best_percent"],
                    figures["time_spent"],
                    figures["first_started_at"],
                    figures["last_finished_at"],
                    figures["last_finished_at"],
                )
            )
        return len(attempts)

    def _attempt(
        self,
        *,
        assignment_id: int,
        quiz: _Quiz,
        user_id: int,
        number: int,
        started: datetime,
        due_at: datetime,
        skill: float,
        duration: timedelta,
        finished: bool,
    ) -> _Attempt:
        rng = self.rng
        rows = self.rows
        new_id = self.writer.new_id
        attempt_id = new_id(Attempt)
        deadline = due_at if quiz.time_limit is None else min(due_at, started + quiz.time_limit)
        finished_at = min(started + duration, deadline) if finished else None
        slots = list(quiz.slots)
        if quiz.shuffle_questions:
            rng.shuffle(slots)
        immediate = quiz.feedback_timing == "immediate"
        # An open attempt has answered its first questions so far.
        answered_upto = len(slots) if finished else rng.randint(0, len(slots))
        step = ((finished_at if finished else self.now) - started) / (len(slots) + 1)
        total = Decimal(0)
        for position, slot in enumerate(slots, start=1):
            item_id = new_id(AttemptItem)
            version = slot.question.version_at(started)
            answered = position <= answered_upto and rng.random() > 0.02
            correct = rng.random() < 1 / (1 + math.exp(-(1.3 * (skill - version.hardness) + 0.6)))
            fraction = Fraction(0)
            if version.kind == "blank":
                responses = self._blank_responses(version, correct) if answered else []
                rows[AttemptBlank].extend(
                    (item_id, index, text) for index, text in enumerate(responses, start=1)
                )
                accepted = tuple(tuple(a) for a in version.blanks)
                fraction = _blank_fraction(tuple(responses), accepted)
            else:
                selected = self._selection(version, correct) if answered else set()
                shown = list(version.choice_ids)
                if quiz.shuffle_choices and version.kind != "true_false":
                    rng.shuffle(shown)
                rows[AttemptChoice].extend(
                    (item_id, choice_id, shown_at, choice_id in selected)
                    for shown_at, choice_id in enumerate(shown, start=1)
                )
                if version.kind == "multiple":
                    fraction = grading.grade_multiple(selected, version.correct_ids)
                else:
                    fraction = grading.grade_single(selected, next(iter(version.correct_ids)))
            score = None
            if finished:
                score = _score(fraction, slot.points)
                total += score
            answered_at = started + step * position if answered else None
            rows[AttemptItem].append(
                (
                    item_id,
                    attempt_id,
                    position,
                    slot.id,
                    slot.question.id,
                    version.id,
                    slot.points,
                    score,
                    (1 + (rng.random() < 0.1)) if answered else 0,
                    answered_at,
                    answered_at if immediate else None,
                )
            )
        max_score = quiz.max_score
        score = min(total, max_score) if finished else None
        rows[Attempt].append(
            (
                attempt_id,
                assignment_id,
                user_id,
                number,
                "finished" if finished else "in_progress",
                started,
                deadline,
                finished_at,
                score,
                max_score,
            )
        )
        return _Attempt(number, started, finished_at, score, max_score)

    def _selection(self, version: _Version, correct: bool) -> set[int]:
        rng = self.rng
        if version.kind != "multiple":
            if correct or not version.wrong_ids:
                return set(version.correct_ids)
            return {rng.choices(version.wrong_ids, version.wrong_weights)[0]}
        if correct:
            return set(version.correct_ids)
        # Choices in their written order (never a set's order, which follows the ids and
        # would make the data depend on where the keys start).
        chosen = {
            c
            for c in version.choice_ids
            if rng.random() < (0.6 if c in version.correct_ids else 0.35)
        }
        if chosen == version.correct_ids:  # meant to be wrong: add a wrong one or drop one
            if version.wrong_ids:
                chosen.add(rng.choice(version.wrong_ids))
            else:
                chosen.discard(min(chosen))
        return chosen

    def _blank_responses(self, version: _Version, correct: bool) -> list[str]:
        rng = self.rng
        responses = []
        for accepted in version.blanks:
            if correct or rng.random() < 0.25:
                text = rng.choice(accepted)
                if rng.random() < 0.1:
                    text = f" {text} "  # typed with spaces: still right once normalised
            elif rng.random() < 0.1:
                text = ""
            else:
                text = rng.choice(self.blank_pool)
            responses.append(text)
        return responses

    def finish(self) -> None:
        self.writer.reset_sequences()
        self._phase("sequences reset")

    def tidy(self) -> None:
        """On PostgreSQL, what autovacuum would do to a live database soon after: planner
        statistics for the new rows, and (outside a transaction) the visibility map that
        index-only scans need. The reports are timed right after this."""
        if connection.vendor != "postgresql":
            return
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)")
        self._phase("vacuumed and analysed")


def seed_load(
    *,
    learners: int,
    quizzes: int,
    questions_per_quiz: int = 20,
    seed: int = 1,
    prefix: str = "load",
    password: str,
    now: datetime | None = None,
    source: Path | None = SAMPLE_DOCUMENT,
    say: Callable[[str], None] = lambda message: None,
) -> LoadSummary:
    """Build the load-test data set described in this module's docstring, in one
    transaction. ``prefix`` starts every user name (``<prefix>-learner00001``,
    ``<prefix>-org0001``, ``<prefix>-admin``); all users get ``password``. ``source`` is the
    study document the bank is generated from (the demo editorial when it is absent).
    ``say`` receives a line per finished phase."""
    if learners < 1 or quizzes < 1 or questions_per_quiz < 1:
        raise ValueError("learners, quizzes and questions per quiz must be at least 1")
    began = time.perf_counter()
    builder = _Builder(
        learners=learners,
        quizzes=quizzes,
        questions_per_quiz=questions_per_quiz,
        seed=seed,
        prefix=prefix,
        password=password,
        now=now or timezone.now(),
        source=source,
        say=say,
    )
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # Check foreign keys row batch by row batch, not all at commit: the queue of
            # deferred checks for millions of rows would be large.
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        builder.build_people()
        builder.build_bank(seed)
        builder.build_quizzes()
        builder.build_attempts()
        builder.finish()
    builder.tidy()
    general, branches, groups = builder.shape
    bench_assignment_id = builder.assignments[builder.bench_index][0]
    return LoadSummary(
        counts=dict(builder.writer.counts),
        timings=builder.timings,
        learners=learners,
        groups_per_level=[1, general, general * branches, general * branches * groups],
        committee_id=builder.committee.id,
        bench_assignment_id=bench_assignment_id,
        staff_username=f"{prefix}-admin",
        organizer_username=builder.organizer_username,
        source=builder.source_label,
        seconds=time.perf_counter() - began,
    )
