"""The curated distractor lexicon shipped with the app, one JSON file per language
(``en.json``, ``zh.json``): slogans with near-misses, concept sets with near-misses,
place names of the region, names, milestone numbers, the domain stop list, and terms
never to use in a question.

Loaded once per language and process; read-only afterwards.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from quizzes.generation.text import EN, ZH

LEXICON_DIR = Path(__file__).resolve().parent
_FILES = {EN: "en.json", ZH: "zh.json"}


@dataclass(frozen=True, slots=True)
class ConceptSet:
    name: str
    items: tuple[str, ...]
    near_misses: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Lexicon:
    language: str
    stop_words: frozenset[str]
    # Slogan (case-folded) -> its near-misses, in the file's order.
    slogans: dict[str, tuple[str, ...]]
    slogan_terms: tuple[str, ...]
    concept_sets: tuple[ConceptSet, ...]
    places: tuple[str, ...]
    # Place -> its group ("municipalities", "新区" …): a place's best stand-ins are its peers.
    place_groups: dict[str, str]
    names: tuple[str, ...]
    phrases: tuple[str, ...]
    milestone_years: tuple[int, ...]
    durations: tuple[int, ...]
    avoid: tuple[str, ...]
    avoid_pattern: re.Pattern[str] | None
    # Terms of blame (恐怖主义, corruption): an option only for a key of the same kind.
    negative_pattern: re.Pattern[str] | None

    def negative(self, text: str) -> bool:
        return self.negative_pattern is not None and self.negative_pattern.search(text) is not None

    def avoided(self, text: str) -> bool:
        """Whether ``text`` holds a term never to use in a question."""
        return self.avoid_pattern is not None and self.avoid_pattern.search(text) is not None


def _pattern(terms: list[str]) -> re.Pattern[str] | None:
    if not terms:
        return None
    return re.compile(
        "|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True)), re.IGNORECASE
    )


@cache
def load_lexicon(language: str) -> Lexicon:

    data = json.loads((LEXICON_DIR / _FILES[language]).read_text(encoding="utf-8"))
    avoid = data.get("avoid", [])
    slogans = {entry["term"].casefold(): tuple(entry["near_misses"]) for entry in data["slogans"]}
    return Lexicon(
        language=language,
        stop_words=frozenset(word.casefold() for word in data["domain_stop_words"]),
        slogans=slogans,
        slogan_terms=tuple(entry["term"] for entry in data["slogans"]),
        concept_sets=tuple(
            ConceptSet(entry["name"], tuple(entry["items"]), tuple(entry["near_misses"]))
            for entry in data["concept_sets"]
        ),
        places=tuple(place for group in data["places"].values() for place in group),
        place_groups={place: name for name, group in data["places"].items() for place in group},
        names=tuple(data["names"]),
        phrases=tuple(data["phrases"]),
        milestone_years=tuple(data["numbers"]["milestone_years"]),
        durations=tuple(data["numbers"]["durations"]),
        avoid=tuple(avoid),
        avoid_pattern=_pattern(avoid),
        negative_pattern=_pattern(data.get("negative", [])),
    )
