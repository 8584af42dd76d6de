"""English word classes, from lemminflect's dictionary of lemmas (which lists, for a
word form, the parts of speech it can be a form of: "maintain" only a verb, "history" only
a noun, "green" an adjective, a noun and a verb).

The generator uses them to ask only about *complete noun phrases* in English ("healthy
ecosystems", not "stay true", "fundamental guiding" or "maintain") and to keep a list's
outsiders of the items' own kind (an action among actions, a thing among things). Words
the dictionary does not know (names, coinages) have no class: the checks let them pass.
"""

from __future__ import annotations

from functools import lru_cache

# Number words that make a slogan a named count ("one base and three districts").
NUMBER_WORDS = frozenset(
    ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]
)

NOUN = "NOUN"
VERB = "VERB"
ADJ = "ADJ"
ADV = "ADV"


@lru_cache(maxsize=50_000)
def classes(word: str) -> frozenset[str]:
    """The parts of speech ``word`` can be ("NOUN", "VERB", "ADJ", "ADV"), or an empty
    set for a word the dictionary does not know."""
    from lemminflect import getAllLemmas

    lowered = word.lower().strip("'’")
    if not lowered.isalpha():
        parts = [p for p in lowered.replace("’", "'").split("-") if p.isalpha()]
        if len(parts) >= 2:
            # "high-quality", "cultural-ethical": a compound modifier; "opening-up": an act.
            return frozenset({ADJ}) if classes(parts[-1]) & {ADJ, NOUN} else frozenset()
        return frozenset()
    return frozenset(getAllLemmas(lowered).keys()) & {NOUN, VERB, ADJ, ADV}


def only(word: str, part: str) -> bool:
    """Whether the dictionary knows ``word`` as ``part`` and nothing else."""
    return classes(word) == {part}


def can_be(word: str, part: str) -> bool:
    return part in classes(word)


def noun_phrase(words: list[str]) -> bool:
    """Whether ``words`` read as a complete noun phrase: the last word can be a noun,
    none is only a verb or only an adverb, and the first is no bare verb form ("stay",
    "maintain") unless it can also be a modifier."""
    if not words:
        return False
    last = words[-1]
    if classes(last) and not can_be(last, NOUN):
        return False
    for word in words:
        if only(word, VERB) or only(word, ADV):
            return False
        if word.lower().endswith("ing") and classes(word) == {VERB} and word is not last:
            return False
    first = classes(words[0])
    return not (len(words) > 1 and first and VERB in first and not first & {ADJ, NOUN})


_DETERMINERS = frozenset(
    [
        "the",
        "a",
        "an",
        "our",
        "its",
        "their",
        "his",
        "her",
        "this",
        "that",
        "these",
        "those",
        "every",
        "each",
        "all",
        "more",
        "new",
    ]
)


def phrase_kind(words: list[str]) -> str:
    """ "action" for a phrase that opens with a verb ("adopt a problem-oriented approach",
    "check important plans"), "thing" for a noun phrase, "" when the words do not tell."""
    if not words:
        return ""
    if words[0].lower() in _DETERMINERS:
        return "thing" if noun_phrase(words[1:] or words) else ""
    first = classes(words[0])
    if len(words) > 1 and base_verb_form(words[0]):
        second = words[1].lower()
        if second in _DETERMINERS or classes(second) == {ADJ}:
            return "action"  # "check important plans": a verb and its object
    if first == {VERB} or (VERB in first and len(words) > 1 and not first & {ADJ}):
        if len(words) > 1 and not (first & {NOUN} and noun_phrase(words)):
            return "action"
        if first == {VERB}:
            return "action"
    if noun_phrase(words):
        return "thing"
    return ""


def phrase_shape(words: list[str]) -> str:
    """``phrase_kind`` with the verb's form: "act" ("deploy important reforms"), "act-ing"
    ("taking institution building as the main line"), "thing", or "". Items of one list
    share a shape, and so must its outsiders."""
    kind = phrase_kind(words)
    if kind != "action":
        return kind
    return "act-ing" if words[0].lower().endswith("ing") else "act"


@lru_cache(maxsize=20_000)
def base_verb(word: str) -> bool:
    """Whether ``word`` is a verb in its base form that is not mostly a noun or an
    adjective ("deepen", "build", "promote"; not "reform", "development", "green")."""
    from lemminflect import getAllLemmas

    lemmas = getAllLemmas(word.lower())
    verbs = lemmas.get(VERB, ())
    if word.lower() not in verbs:
        return False
    return not (set(lemmas) & {NOUN, ADJ})


@lru_cache(maxsize=20_000)
def base_verb_form(word: str) -> bool:
    """Whether ``word`` can be a verb in its base form ("check", "deploy", "build")."""
    from lemminflect import getAllLemmas

    return word.lower() in getAllLemmas(word.lower()).get(VERB, ())
