"""The generator's budget: how much text, how many answer candidates and how many seconds
one run may take. A run that would exceed it stops with ``BudgetExceeded``, whose code and
parameters say which limit was reached, so that the caller can tell the organizer."""

from __future__ import annotations

from dataclasses import dataclass
from time import perf_counter

# Codes of ``BudgetExceeded``.
CHARACTERS = "characters"
CANDIDATES = "candidates"
SECONDS = "seconds"


@dataclass(frozen=True, slots=True)
class Budget:
    # About ten times the 19th Congress report (33,500 characters), which takes 2 s.
    max_characters: int = 400_000
    max_candidates: int = 250_000
    max_seconds: float = 90.0


class BudgetExceeded(Exception):
    """The run was stopped: ``code`` is one of ``CHARACTERS``, ``CANDIDATES``,
    ``SECONDS``; ``params`` holds ``limit`` and ``found`` for the message."""

    def __init__(self, code: str, *, limit: float, found: float) -> None:
        self.code = code
        self.params = {"limit": limit, "found": found}
        super().__init__(f"generation budget exceeded: {code} ({found} > {limit})")


class Meter:
    """Checks one run against its budget: call ``check_time`` between stages and inside
    long loops (it is cheap), ``count`` as candidates are found."""

    def __init__(self, budget: Budget) -> None:
        self.budget = budget
        self.started = perf_counter()
        self.candidates = 0

    def check_characters(self, size: int) -> None:
        if size > self.budget.max_characters:
            raise BudgetExceeded(CHARACTERS, limit=self.budget.max_characters, found=size)

    def count(self, candidates: int) -> None:
        self.candidates += candidates
        if self.candidates > self.budget.max_candidates:
            raise BudgetExceeded(
                CANDIDATES, limit=self.budget.max_candidates, found=self.candidates
            )

    def check_time(self) -> None:
        elapsed = perf_counter() - self.started
        if elapsed > self.budget.max_seconds:
            raise BudgetExceeded(SECONDS, limit=self.budget.max_seconds, found=round(elapsed, 1))
