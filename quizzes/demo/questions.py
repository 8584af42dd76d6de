"""Demo content for ``manage.py demo``: the editorial, its key points and hand-checked questions.

Every question is answerable from ``tianjin-12th-congress-editorial.en.txt`` alone and quotes
its terms. Offsets are not typed in: they are computed here by locating each excerpt in the
document text, and a missing excerpt is an error at import time.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from quizzes.drafts import ChoiceDraft, QuestionDraft

DEMO_DIR = Path(__file__).resolve().parent
DOCUMENT_FILENAME = "tianjin-12th-congress-editorial.en.txt"
DOCUMENT_PATH = DEMO_DIR / DOCUMENT_FILENAME
# Read as bytes and decoded, so no platform newline translation touches the offsets.
DOCUMENT_TEXT = DOCUMENT_PATH.read_bytes().decode("utf-8")

BANK_TITLE = "Spirit of the 12th Tianjin Municipal Party Congress"
BANK_DESCRIPTION = (
    "Demo bank: hand-checked questions on the Tianjin Daily editorial about the spirit of the "
    "12th Municipal Party Congress, and the questions generated from it. The demo quiz holds "
    "published ones; generated drafts not yet approved wait for review."
)
DOCUMENT_TITLE = (
    "Fully Shaping New Advantages of High Quality Development — On Learning, Propaganda, and "
    "Implementing the Spirit of the 12th Municipal Party Congress"
)
DOCUMENT_SOURCE = (
    "Tianjin Daily (天津日报) editorial, 2022-07-04; English machine translation of a public "
    "press text, shipped as the studyapp demo document"
)
DOCUMENT_LANGUAGE = "en"


def locate(excerpt: str, text: str = DOCUMENT_TEXT) -> tuple[int, int]:
    """(start, end) of ``excerpt`` in the document; it must occur exactly once."""
    start = text.find(excerpt)
    if start < 0:
        raise ValueError(f"Demo excerpt not found in the document: {excerpt[:60]!r}")
    if text.find(excerpt, start + 1) >= 0:
        raise ValueError(f"Demo excerpt occurs more than once: {excerpt[:60]!r}")
    return start, start + len(excerpt)


@dataclass(frozen=True, slots=True)
class DemoKeyPoint:
    ordinal: int
    text: str
    score: float

    @property
    def span(self) -> tuple[int, int]:
        return locate(self.text)


# Hand-picked key sentences (or clauses of the editorial's long ";"-joined sentences),
# numbered in the order they appear, scored by weight.
KEY_POINTS: tuple[DemoKeyPoint, ...] = (
    DemoKeyPoint(
        1,
        "High quality development is the only way to comprehensively build a socialist "
        "modern metropolis.",
        1.0,
    ),
    DemoKeyPoint(
        2,
        "The new development concept of innovation, coordination, green, openness, and sharing "
        "provides theoretical guidance and practical guidance for shaping new development "
        "advantages and leading high-quality development.",
        0.95,
    ),
    DemoKeyPoint(
        3,
        'Based on the functional orientation of "one base and three districts", we will '
        "undertake high-quality relief of Beijing's non capital functions, support the "
        "construction of Xiong'an and Beijing's urban sub center, and promote greater progress "
        "in regional productivity layout and functional reconstruction.",
        0.9,
    ),
    DemoKeyPoint(
        4,
        "Adhering to the establishment of a manufacturing city, continuously improving the "
        "modern industrial system, promoting the construction of advanced manufacturing "
        "research and development bases in China to improve quality, efficiency, and upgrade, "
        "accelerating the construction of artificial intelligence pioneer cities and leading "
        "information and innovation industry bases in China, this is to plan a layout in "
        "consolidating the foundation of the real economy",
        0.85,
    ),
    DemoKeyPoint(
        5,
        "High quality development is not just an economic requirement, but an overall "
        "requirement for all aspects of economic and social development.",
        0.8,
    ),
    DemoKeyPoint(
        6,
        "Optimize urban spatial layout, accelerate the construction of a dual urban "
        'development pattern of "Jincheng" and "Bincheng", and build a scientific and '
        "reasonable urban system in a metropolis",
        0.75,
    ),
    DemoKeyPoint(
        7,
        "Adhere to the priority development of agriculture and rural areas, accelerate the "
        "modernization of agriculture and rural areas, and comprehensively promote rural "
        "revitalization",
        0.7,
    ),
    DemoKeyPoint(
        8,
        "We firmly adhere to the path of ecological priority and green development, adhere to "
        "the coordinated promotion of carbon reduction, pollution reduction, green expansion, "
        "and growth, and promote the comprehensive green transformation of economic and social "
        "development",
        0.65,
    ),
    DemoKeyPoint(
        9,
        "In the new era and new journey, only through struggle can we reach high and far.",
        0.6,
    ),
    DemoKeyPoint(
        10,
        "The 12th Party Congress of the city has determined the development blueprint for the "
        "next five years, and achieving the goals and tasks will not be easy.",
        0.55,
    ),
)
KEY_POINT_TEXT = {kp.ordinal: kp.text for kp in KEY_POINTS}

# How the demo learner (learner2) answers a published question in the demo attempt.
RIGHT, WRONG, PARTLY = "right", "wrong", "partly"


@dataclass(frozen=True, slots=True)
class DemoQuestion:
    draft: QuestionDraft
    publish: bool
    learner2: str = RIGHT
    # For a blank question answered wrongly: what learner2 typed, one string per blank.
    learner2_blanks: tuple[str, ...] = ()


def _draft(
    kind: str,
    stem: str,
    *,
    key_point: int,
    excerpt: str | None = None,
    explanation: str,
    difficulty: int,
    choices: tuple[tuple[str, bool], ...] = (),
    blanks: tuple[tuple[str, ...], ...] = (),
) -> QuestionDraft:
    """A draft whose source passage is ``excerpt`` (default: the key point's own text)."""
    excerpt = KEY_POINT_TEXT[key_point] if excerpt is None else excerpt
    start, end = locate(excerpt)
    return QuestionDraft(
        kind=kind,  # type: ignore[arg-type]
        stem=stem,
        choices=tuple(ChoiceDraft(text, correct) for text, correct in choices),
        blanks=blanks,
        explanation=explanation,
        source_excerpt=excerpt,
        source_start=start,
        source_end=end,
        difficulty=difficulty,
        key_point_ordinal=key_point,
    )


QUESTIONS: tuple[DemoQuestion, ...] = (
    # --- published: these twelve make up the demo quiz, in this order -------------------
    DemoQuestion(
        _draft(
            "single",
            'According to the editorial, what is "the only way to comprehensively build a '
            'socialist modern metropolis"?',
            key_point=1,
            difficulty=1,
            choices=(
                ("High quality development", True),
                ("Rapid expansion of the economy's size", False),
                ("Attracting foreign investment", False),
                ("Large-scale infrastructure construction", False),
            ),
            explanation=(
                'The editorial opens: "High quality development is the only way to '
                'comprehensively build a socialist modern metropolis."'
            ),
        ),
        publish=True,
    ),
    DemoQuestion(
        _draft(
            "single",
            "Which of the following is NOT one of the new development concepts named in the "
            "editorial?",
            key_point=2,
            difficulty=2,
            choices=(
                ("Innovation", False),
                ("Coordination", False),
                ("Openness", False),
                ("Sharing", False),
                ("Stability", True),
            ),
            explanation=(
                'The editorial names five: "The new development concept of innovation, '
                'coordination, green, openness, and sharing". Stability is not among them.'
            ),
        ),
        publish=True,
        learner2=WRONG,
    ),
    DemoQuestion(
        _draft(
            "single",
            "On which functional orientation does the editorial base Tianjin's work on relieving "
            "Beijing's non capital functions?",
            key_point=3,
            difficulty=3,
            choices=(
                ('"One base and three districts"', True),
                ('"One core and two wings"', False),
                ('"Two bases and one district"', False),
                ('"One city and three centers"', False),
            ),
            explanation=(
                'The editorial: "Based on the functional orientation of "one base and three '
                "districts\", we will undertake high-quality relief of Beijing's non capital "
                'functions".'
            ),
        ),
        publish=True,
    ),
    DemoQuestion(
        _draft(
            "multiple",
            "The editorial calls for the coordinated promotion of which of the following? "
            "Choose all that apply.",
            key_point=8,
            difficulty=3,
            choices=(
                ("Carbon reduction", True),
                ("Pollution reduction", True),
                ("Green expansion", True),
                ("Growth", True),
                ("Expansion of heavy industry", False),
                ("Population reduction", False),
            ),
            explanation=(
                'The editorial: "adhere to the coordinated promotion of carbon reduction, '
                'pollution reduction, green expansion, and growth".'
            ),
        ),
        publish=True,
    ),
    DemoQuestion(
        _draft(
            "multiple",
            'Based on the functional orientation of "one base and three districts", which of '
            "these does the editorial say Tianjin will do? Choose all that apply.",
            key_point=3,
            difficulty=4,
            choices=(
                ("Undertake high-quality relief of Beijing's non capital functions", True),
                ("Support the construction of Xiong'an and Beijing's urban sub center", True),
                (
                    "Promote greater progress in regional productivity layout and functional "
                    "reconstruction",
                    True,
                ),
                ("Move the municipal government to Xiong'an", False),
                ("Take over Beijing's capital functions", False),
            ),
            explanation=(
                "The editorial: \"we will undertake high-quality relief of Beijing's non capital "
                "functions, support the construction of Xiong'an and Beijing's urban sub center, "
                "and promote greater progress in regional productivity layout and functional "
                'reconstruction." It speaks of non capital functions only.'
            ),
        ),
        publish=True,
        learner2=PARTLY,
    ),
    DemoQuestion(
        _draft(
            "multiple",
            "In consolidating the foundation of the real economy, the construction of which of "
            "the following does the editorial call for? Choose all that apply.",
            key_point=4,
            difficulty=4,
            choices=(
                ("Artificial intelligence pioneer cities", True),
                ("Leading information and innovation industry bases in China", True),
                ("Advanced manufacturing research and development bases in China", True),
                ("An international financial center", False),
                ("A free trade port", False),
            ),
            explanation=(
                'The editorial: "promoting the construction of advanced manufacturing research '
                "and development bases in China ..., accelerating the construction of artificial "
                "intelligence pioneer cities and leading information and innovation industry "
                "bases in China, this is to plan a layout in consolidating the foundation of the "
                'real economy".'
            ),
        ),
        publish=True,
    ),
    DemoQuestion(
        _draft(
            "true_false",
            "According to the editorial, high quality development is just an economic requirement.",
            key_point=5,
            difficulty=2,
            choices=(("True", False), ("False", True)),
            explanation=(
                'False. The editorial: "High quality development is not just an economic '
                "requirement, but an overall requirement for all aspects of economic and social "
                'development."'
            ),
        ),
        publish=True,
        learner2=WRONG,
    ),
    DemoQuestion(
        _draft(
            "true_false",
            "The editorial says that in the new era and new journey, only through struggle can "
            "we reach high and far.",
            key_point=9,
            difficulty=1,
            choices=(("True", True), ("False", False)),
            explanation=(
                'True. The editorial: "In the new era and new journey, only through struggle can '
                'we reach high and far."'
            ),
        ),
        publish=True,
    ),
    DemoQuestion(
        _draft(
            "true_false",
            "The editorial calls for giving priority to the development of agriculture and rural "
            "areas and comprehensively promoting rural revitalization.",
            key_point=7,
            difficulty=2,
            choices=(("True", True), ("False", False)),
            explanation=(
                'True. The editorial: "Adhere to the priority development of agriculture and '
                "rural areas, accelerate the modernization of agriculture and rural areas, and "
                'comprehensively promote rural revitalization".'
            ),
        ),
        publish=True,
    ),
    DemoQuestion(
        _draft(
            "blank",
            "___ is the only way to comprehensively build a socialist modern metropolis.",
            key_point=1,
            difficulty=2,
            blanks=(("High quality development", "High-quality development", "高质量发展"),),
            explanation=(
                'The editorial opens: "High quality development is the only way to '
                'comprehensively build a socialist modern metropolis."'
            ),
        ),
        publish=True,
    ),
    DemoQuestion(
        _draft(
            "blank",
            "The 12th Party Congress of the city has determined the development blueprint for "
            "the next ___ years.",
            key_point=10,
            difficulty=1,
            blanks=(("five", "5", "五"),),
            explanation=(
                'The editorial: "The 12th Party Congress of the city has determined the '
                'development blueprint for the next five years".'
            ),
        ),
        publish=True,
        learner2=WRONG,
        learner2_blanks=("ten",),
    ),
    DemoQuestion(
        _draft(
            "blank",
            "The editorial calls for accelerating the construction of a dual urban development "
            'pattern of "___" and "___".',
            key_point=6,
            difficulty=3,
            blanks=(("Jincheng", "津城"), ("Bincheng", "滨城")),
            explanation=(
                'The editorial: "accelerate the construction of a dual urban development pattern '
                'of "Jincheng" and "Bincheng"".'
            ),
        ),
        publish=True,
    ),
    # --- drafts: left for the organizer to review ---------------------------------------
    DemoQuestion(
        _draft(
            "single",
            'The editorial says achieving the goals and tasks "will not be easy". What does it '
            'call "the only path"?',
            key_point=10,
            excerpt="The only path is to work hard and do hard.",
            difficulty=2,
            choices=(
                ("To work hard and do hard", True),
                ("To wait for favourable external conditions", False),
                ("To rely on investment from elsewhere", False),
                ("To lower the goals", False),
            ),
            explanation=(
                "Right after the blueprint for the next five years, the editorial says: "
                '"The only path is to work hard and do hard."'
            ),
        ),
        publish=False,
    ),
    DemoQuestion(
        _draft(
            "multiple",
            "Which of the following are part of the new development concept as the editorial "
            "lists it? Choose all that apply.",
            key_point=2,
            difficulty=2,
            choices=(
                ("Innovation", True),
                ("Coordination", True),
                ("Green", True),
                ("Openness", True),
                ("Sharing", True),
                ("Speed", False),
                ("Scale", False),
            ),
            explanation=(
                'The editorial: "The new development concept of innovation, coordination, '
                'green, openness, and sharing".'
            ),
        ),
        publish=False,
    ),
    DemoQuestion(
        _draft(
            "true_false",
            "According to the editorial, the 12th Party Congress of the city determined the "
            "development blueprint for the next ten years.",
            key_point=10,
            difficulty=1,
            choices=(("True", False), ("False", True)),
            explanation=(
                'False: five, not ten. The editorial: "The 12th Party Congress of the city has '
                'determined the development blueprint for the next five years".'
            ),
        ),
        publish=False,
    ),
    DemoQuestion(
        _draft(
            "blank",
            "The editorial calls for accelerating the construction of ___ pioneer cities.",
            key_point=4,
            excerpt="accelerating the construction of artificial intelligence pioneer cities",
            difficulty=2,
            blanks=(("artificial intelligence", "AI", "人工智能"),),
            explanation=(
                'The editorial: "accelerating the construction of artificial intelligence '
                'pioneer cities and leading information and innovation industry bases in China".'
            ),
        ),
        publish=False,
    ),
)

QUIZ_TITLE = "Spirit of the 12th Municipal Party Congress — check your understanding"


def quiz_description(*, questions: int, minutes: int, attempts: int, pass_mark: Decimal) -> str:
    """The demo quiz's description, from the quiz's own figures: the number of questions
    depends on how many generated drafts the demo approves, so it is never written by hand."""
    return (
        f"{questions} questions on the Tianjin Daily editorial about the spirit of the 12th "
        f"Municipal Party Congress. {minutes} minutes, up to {attempts} attempts, pass mark "
        f"{float(pass_mark):g}%."
    )


def problems() -> dict[int, list[str]]:
    """Problems of the demo data by question index (empty when everything is sound)."""
    found: dict[int, list[str]] = {}
    for index, question in enumerate(QUESTIONS):
        codes = list(question.draft.problems())
        if question.draft.key_point_ordinal not in KEY_POINT_TEXT:
            codes.append("unknown_key_point")
        if (
            question.learner2 == WRONG
            and question.draft.kind == "blank"
            and len(question.learner2_blanks) != len(question.draft.blanks)
        ):
            codes.append("learner2_blanks_mismatch")
        if codes:
            found[index] = codes
    return found
