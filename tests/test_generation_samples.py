"""The question generator on the two real sample documents, raw as they come (metadata
lines, dateline, photo caption, NBSP and line separators): what issue 4 says it must show,
and exact evidence offsets for every key point and draft.

The English editorial ships with the demo; the Chinese report is read from
``../shared/samples/`` beside the project and its tests skip where that folder is absent.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from quizzes.generation import GenerationResult, generate
from quizzes.generation.candidates import fold

PROJECT = Path(__file__).resolve().parents[1]
EDITORIAL = PROJECT / "quizzes" / "demo" / "tianjin-12th-congress-editorial.en.txt"
REPORT = PROJECT.parent / "shared" / "samples" / "19th-national-congress-report.zh.txt"
BUILDERS = {"blank", "single", "true_false", "multiple", "not_one_of"}
CONCEPTS = {"innovation", "coordination", "green", "openness", "sharing"}


def read(path: Path) -> str:
    # Bytes decoded, so that no newline translation moves the offsets.
    return path.read_bytes().decode("utf-8")


@pytest.fixture(scope="module")
def editorial() -> tuple[str, GenerationResult]:
    text = read(EDITORIAL)
    return text, generate(text)


@pytest.fixture(scope="module")
def report() -> tuple[str, GenerationResult]:
    if not REPORT.exists():
        pytest.skip(f"the Chinese sample is not there: {REPORT} (it lives in ../shared/samples/)")
    text = read(REPORT)
    return text, generate(text)


def gap_answers(result: GenerationResult) -> list[tuple[str, str, str]]:
    """(builder, stem, answer) of every blank and gap single-choice draft."""
    found = []
    for draft in result.drafts:
        builder = draft.tags[1]
        if builder == "blank":
            found += [(builder, draft.stem, answer) for answer in draft.blanks[0]]
        elif builder == "single":
            found += [(builder, draft.stem, c.text) for c in draft.choices if c.correct]
    return found


def assert_exact_evidence(text: str, result: GenerationResult) -> None:
    ordinals = set()
    for point in result.key_points:
        assert text[point.start : point.end] == point.text
        assert point.score >= 0
        ordinals.add(point.ordinal)
    for draft in result.drafts:
        assert draft.problems() == []
        assert draft.key_point_ordinal in ordinals
        assert text[draft.source_start : draft.source_end] == draft.source_excerpt
        assert draft.tags[0] == "generated" and draft.tags[1] in BUILDERS
        assert 1 <= draft.difficulty <= 5


# --- the English editorial ----------------------------------------------------------------


def test_editorial_offsets_are_exact_for_every_key_point_and_draft(editorial):
    assert_exact_evidence(*editorial)


def test_editorial_gives_a_reviewable_bank_of_every_kind(editorial):
    """A short editorial gives a bank an organizer reads in minutes: every kind of
    question, at most two per key point, no more than the key points can carry."""
    _, result = editorial
    assert 8 <= len(result.drafts) <= 2 * len(result.key_points)
    assert {d.tags[1] for d in result.drafts} == BUILDERS
    assert result.language == "en"


def test_editorial_asks_for_one_base_and_three_districts(editorial):
    _, result = editorial
    assert any(answer == "one base and three districts" for _, _, answer in gap_answers(result))


def test_editorial_asks_for_the_five_years(editorial):
    _, result = editorial
    assert any(answer == "five" and "years" in stem for _, stem, answer in gap_answers(result))


def test_editorial_never_asks_for_the_congress_its_title_names(editorial):
    """Every reader knows the occasion from the title: "The ____ Municipal Party Congress"
    tests nothing (rubric line 1)."""
    _, result = editorial
    assert not any(answer == "12th" for _, _, answer in gap_answers(result))


def test_editorial_asks_which_is_not_one_of_the_new_development_concepts(editorial):
    _, result = editorial
    (draft,) = [
        d
        for d in result.drafts
        if d.tags[1] == "not_one_of" and "new development concept" in d.stem
    ]
    assert "NOT" in draft.stem and "(   )" in draft.stem and "…" not in draft.stem
    options = [c.text for c in draft.choices]
    assert len(options) == 4 and len(set(options) & CONCEPTS) == 3
    (outsider,) = [c.text for c in draft.choices if c.correct]
    assert outsider not in CONCEPTS and fold(outsider) not in fold(draft.source_excerpt)


def test_editorial_metadata_line_is_no_key_point(editorial):
    _, result = editorial
    assert not any(
        "Release time" in p.text or "Article source" in p.text for p in result.key_points
    )


# --- the Chinese report -------------------------------------------------------------------


def test_report_offsets_are_exact_for_every_key_point_and_draft(report):
    assert_exact_evidence(*report)


def test_report_gives_a_ranked_bank_across_all_kinds(report):
    """At most two drafts per key point, every builder used, best first."""
    _, result = report
    assert result.language == "zh-hans"
    assert 80 <= len(result.drafts) <= 2 * len(result.key_points)
    for builder in BUILDERS:
        assert sum(1 for d in result.drafts if d.tags[1] == builder) >= 5
    qualities = [d.quality for d in result.drafts]
    assert qualities == sorted(qualities, reverse=True)


def test_report_dateline_caption_and_site_footer_are_no_key_points(report):
    _, result = report
    for point in result.key_points:
        assert "新华社" not in point.text and "摄" not in point.text[-3:]
        assert "ICP" not in point.text and "中国政府网" not in point.text


def test_report_covers_most_paragraphs_with_few_duplicates(report):
    _, result = report
    # Quality before coverage: a paragraph with nothing worth asking gets no draft.
    assert result.stats["paragraphs"]["share"] >= 0.45
    # A term asked in one sentence is not asked again in another: some drafts go.
    assert result.stats["duplicate_rate"] <= 0.2


def test_report_asks_about_the_new_development_concept_not_the_congress_in_its_title(report):
    _, result = report
    answers = {answer for _, _, answer in gap_answers(result)}
    assert "十九" not in answers  # "第____次全国代表大会" is the title's occasion
    concepts = {"创新", "协调", "绿色", "开放", "共享"}
    (draft,) = [
        d
        for d in result.drafts
        if d.kind == "multiple" and len({c.text for c in d.choices} & concepts) >= 3
    ]
    right = {c.text for c in draft.choices if c.correct}
    wrong = {c.text for c in draft.choices if not c.correct}
    assert right <= concepts and wrong and not wrong & concepts
    assert "发展理念" in draft.stem and "（　　）" in draft.stem and "……" not in draft.stem


def test_report_wrong_options_never_come_from_the_key_sentence(report):
    _, result = report
    for draft in result.drafts:
        if draft.kind in {"single", "multiple"} and draft.tags[1] != "not_one_of":
            for choice in draft.choices:
                if not choice.correct:
                    assert fold(choice.text) not in fold(draft.source_excerpt)
