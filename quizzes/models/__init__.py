"""The domain model, one module per part of the domain, re-exported here."""

from .accounts import User
from .attempts import (
    AssignmentResult,
    Attempt,
    AttemptBlank,
    AttemptChoice,
    AttemptItem,
    Regrade,
    ScoreChange,
)
from .banks import (
    BlankAnswer,
    Choice,
    ImportBatch,
    KeyPoint,
    Language,
    Question,
    QuestionBank,
    QuestionKind,
    QuestionVersion,
    RejectionReason,
    SourceDocument,
)
from .generation import GenerationJob
from .groups import Assignment, Membership, Notice, StudyGroup
from .quizzes import Quiz, QuizSlot

__all__ = [
    "Assignment",
    "AssignmentResult",
    "Attempt",
    "AttemptBlank",
    "AttemptChoice",
    "AttemptItem",
    "BlankAnswer",
    "Choice",
    "GenerationJob",
    "ImportBatch",
    "KeyPoint",
    "Language",
    "Membership",
    "Notice",
    "Question",
    "QuestionBank",
    "QuestionKind",
    "QuestionVersion",
    "Quiz",
    "QuizSlot",
    "Regrade",
    "RejectionReason",
    "ScoreChange",
    "SourceDocument",
    "StudyGroup",
    "User",
]
