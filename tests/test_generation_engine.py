"""The question generator on small crafted texts: text preparation, candidates, each
builder, each quality gate, determinism and the package's promises (no Django, jieba's
cache folder). Plain functions: nothing here needs the database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import asdict, replace
from pathlib import Path

import pytest

from quizzes.drafts import ChoiceDraft, QuestionDraft
from quizzes.generation import GenerationResult, KeyPointDraft, generate, numbers
from quizzes.generation.builders import Built
from quizzes.generation.candidates import fold
from quizzes.generation.gates import (
    key_in_source,
    near_duplicates,
    options_one_type,
    provenance,
    stem_hides_key,
)
from quizzes.generation.text import detect_language, prepare, split_sentences

PROJECT = Path(__file__).resolve().parents[1]

ENGLISH = (
    "Article source: Example Daily Release time: July 4th, 2022 17:30\n"
    "\n"
    "High quality development is the only way to build a modern metropolis.\n"
    "The new development concept of innovation, coordination, green, openness, and sharing "
    "must guide all our work in the coming period.\n"
    'We must adhere to the functional orientation of "one base and three districts" and '
    "support the construction of Xiong'an.\n"
    "The 12th Party Congress of the city has determined the development blueprint for the "
    "next five years, and achieving the goals will not be easy.\n"
    "We will promote carbon reduction, pollution reduction, green expansion, and growth in "
    "a coordinated way across the whole city.\n"
)

CHINESE = (
    "新华社北京10月27日电\n"
    "10月18日，大会在北京开幕。新华社记者 张三 摄\n"
    "中国共产党第十九次全国代表大会，是在关键时期召开的一次十分重要的大会。\n"
    "发展必须是科学发展，必须坚定不移贯彻创新、协调、绿色、开放、共享的发展理念。\n"
    "五年来，我们统筹推进“五位一体”总体布局、协调推进“四个全面”战略布局，党和国家事业全面开创新局面。\n"
    "全党必须增强政治意识、大局意识、核心意识、看齐意识，自觉维护党中央权威和集中统一领导。\n"
    "脱贫攻坚战取得决定性进展，六千多万贫困人口稳定脱贫，贫困发生率明显下降。\n"
    "我们要推动互联网、大数据、人工智能和实体经济深度融合，培育新增长点、形成新动能。\n"
    "要以培养担当民族复兴大任的时代新人为着眼点，强化教育引导、实践养成、制度保障。\n"
)


def builder_of(draft: QuestionDraft) -> str:
    return draft.tags[1]


def drafts_by(result: GenerationResult, builder: str) -> list[QuestionDraft]:
    return [d for d in result.drafts if builder_of(d) == builder]


def correct_texts(draft: QuestionDraft) -> list[str]:
    return [c.text for c in draft.choices if c.correct]


def wrong_texts(draft: QuestionDraft) -> list[str]:
    return [c.text for c in draft.choices if not c.correct]


@pytest.fixture(scope="module")
def english() -> GenerationResult:
    return generate(ENGLISH, seed=3)


@pytest.fixture(scope="module")
def chinese() -> GenerationResult:
    return generate(CHINESE, seed=3)


# --- text preparation ---------------------------------------------------------------------


def test_language_is_detected_from_the_script():
    assert detect_language(ENGLISH) == "en"
    assert detect_language(CHINESE) == "zh-hans"
    assert detect_language("The report (报告) says so.") == "en"


def test_an_unknown_language_is_refused():
    with pytest.raises(ValueError, match="Unsupported language"):
        generate(ENGLISH, language="fr")


def test_language_aliases_are_accepted():
    assert generate(CHINESE, language="zh").language == "zh-hans"
    assert generate(ENGLISH, language="EN").language == "en"


def test_english_sentences_split_at_terminal_punctuation_and_semicolons():
    doc = prepare("Mr. Wang spoke first. We must work hard; adhere to the plan. Then go!")
    doc.language = "en"
    split_sentences(doc)
    assert [s.text for s in doc.sentences] == [
        "Mr. Wang spoke first.",
        "We must work hard;",
        "adhere to the plan.",
        "Then go!",
    ]


def test_chinese_sentences_split_after_closing_quotes():
    doc = prepare("他说：“必须坚持。”我们照办！然后呢？")
    doc.language = "zh-hans"
    split_sentences(doc)
    assert [s.text for s in doc.sentences] == ["他说：“必须坚持。”", "我们照办！", "然后呢？"]


def test_metadata_lines_are_never_key_points(english, chinese):
    for result in (english, chinese):
        for point in result.key_points:
            assert "source" not in point.text.lower()
            assert "新华社" not in point.text and "摄" not in point.text


def test_odd_spaces_and_hard_wraps_keep_offsets_exact():
    words = (
        "High\u00a0quality development is the only way to build a modern metropolis and the "
        "new development concept of innovation, coordination, green, openness, and sharing "
        "must guide all our work in the coming period of five years without any exception "
        "at all. "
    )
    # Hard-wrapped at 60 columns, as a pasted e-mail would be, paragraphs apart.
    lines: list[str] = []
    for paragraph in [words * 2, words.replace("five", "ten") * 2]:
        line = ""
        for word in paragraph.split(" "):
            if len(line) + len(word) + 1 > 60:
                lines.append(line)
                line = word
            else:
                line = f"{line} {word}".strip()
        lines += [line, ""]
    text = "\r\n".join(lines)
    result = generate(text)
    assert result.key_points and result.drafts
    for point in result.key_points:
        assert text[point.start : point.end] == point.text
    for draft in result.drafts:
        assert text[draft.source_start : draft.source_end] == draft.source_excerpt
        assert "\n" not in draft.stem and "\u00a0" not in draft.stem


def test_empty_and_blank_text_give_an_empty_result():
    for text in ("", "   \n\n ", "新华社北京10月27日电"):
        result = generate(text)
        assert result.key_points == [] and result.drafts == []


# --- numbers ------------------------------------------------------------------------------


def test_numbers_are_written_back_in_their_own_style():
    assert numbers.render(numbers.read_chinese("十九"), 18) == "十八"
    assert numbers.render(numbers.read_chinese("二○二○"), 2035) == "二○三五"
    assert numbers.render(numbers.read_english("12th"), 13) == "13th"
    assert numbers.render(numbers.read_english("Five"), 10) == "Ten"
    assert numbers.chinese_numeral(540_000 * 10**8) == "五十四万亿"
    assert numbers.chinese_numeral(110) == "一百一十"


def test_near_values_are_plausible_and_never_the_value():
    assert numbers.near_values(19, "ordinal", durations=(), years=())[:2] == [18, 20]
    durations = numbers.near_values(30, "duration", durations=(5, 10, 15, 20, 30, 50), years=())
    assert 29 not in durations and 31 not in durations and 30 not in durations
    years = numbers.near_values(2020, "year", durations=(), years=(2035, 2050))
    assert years[0] == 2035 and 2020 not in years


# --- builders -----------------------------------------------------------------------------


def test_every_draft_is_sound_and_keeps_its_evidence(english, chinese):
    for text, result in ((ENGLISH, english), (CHINESE, chinese)):
        ordinals = {p.ordinal for p in result.key_points}
        for draft in result.drafts:
            assert draft.problems() == []
            assert draft.key_point_ordinal in ordinals
            assert text[draft.source_start : draft.source_end] == draft.source_excerpt
            assert draft.tags[0] == "generated" and builder_of(draft)
            assert 1 <= draft.difficulty <= 5
            assert draft.explanation


def test_blank_builder_blanks_the_key_and_accepts_its_spellings(english, chinese):
    blanks = drafts_by(english, "blank") + drafts_by(chinese, "blank")
    assert blanks
    for draft in blanks:
        assert draft.kind == "blank" and draft.stem.count("____") == 1
        answer = draft.blanks[0][0]
        assert fold(answer) in fold(draft.source_excerpt)
        assert fold(answer) not in fold(draft.stem.replace("____", " "))
    ordinal = [d for d in drafts_by(chinese, "blank") if "第____次" in d.stem]
    if ordinal:
        assert {"十九", "19"} <= set(ordinal[0].blanks[0])


def test_single_builder_offers_the_key_and_three_same_type_distractors(english, chinese):
    singles = drafts_by(english, "single") + drafts_by(chinese, "single")
    assert singles
    for draft in singles:
        assert len(draft.choices) == 4 and len(correct_texts(draft)) == 1
        key = correct_texts(draft)[0]
        assert fold(key) in fold(draft.source_excerpt)
        for wrong in wrong_texts(draft):
            assert fold(wrong) not in fold(draft.source_excerpt)
            assert fold(wrong) not in fold(key) and fold(key) not in fold(wrong)


def test_single_choice_on_a_numbered_slogan_uses_near_misses(chinese):
    slogans = [d for d in drafts_by(chinese, "single") if "“（　　）”" in d.stem]
    for draft in slogans:
        options = {c.text for c in draft.choices}
        assert options & {"五位一体", "四个全面"}
        assert len(options - {"五位一体", "四个全面"}) == 3


def test_multiple_builder_asks_for_the_items_of_a_real_list(english, chinese):
    multiples = drafts_by(english, "multiple") + drafts_by(chinese, "multiple")
    assert multiples
    for draft in multiples:
        assert draft.kind == "multiple"
        right, wrong = correct_texts(draft), wrong_texts(draft)
        assert len(right) >= 2 and wrong
        assert all(fold(text) in fold(draft.source_excerpt) for text in right)
        assert not any(fold(text) in fold(draft.source_excerpt) for text in wrong)


def test_not_one_of_builder_offers_three_real_items_and_one_outsider(english, chinese):
    items = drafts_by(english, "not_one_of") + drafts_by(chinese, "not_one_of")
    assert items
    for draft in items:
        assert draft.kind == "single" and len(draft.choices) == 4
        assert "NOT" in draft.stem or "不" in draft.stem
        (outsider,) = correct_texts(draft)
        assert fold(outsider) not in fold(draft.source_excerpt)
        assert all(fold(t) in fold(draft.source_excerpt) for t in wrong_texts(draft))


def test_list_question_on_the_new_development_concept_uses_plausible_outsiders(english):
    (draft,) = [
        d
        for d in english.drafts
        if builder_of(d) in {"multiple", "not_one_of"} and "new development concept" in d.stem
    ]
    concepts = {"innovation", "coordination", "green", "openness", "sharing"}
    outsiders = {"security", "stability", "efficiency", "fairness"}
    texts = {c.text for c in draft.choices}
    assert len(texts & concepts) >= 3 and texts - concepts and texts - concepts <= outsiders


def test_true_false_builder_makes_true_and_never_trivially_false_statements():
    editorial = (
        Path(__file__).resolve().parent.parent
        / "quizzes"
        / "demo"
        / "tianjin-12th-congress-editorial.en.txt"
    ).read_text(encoding="utf-8")
    statements = [
        d
        for seed in range(6)
        for text in (ENGLISH, CHINESE, editorial, ENGLISH + "\n\n" + editorial)
        for d in drafts_by(generate(text, seed=seed), "true_false")
    ]
    true = [d for d in statements if d.choices[0].correct]
    false = [d for d in statements if d.choices[1].correct]
    assert true and false
    for draft in statements:
        assert [c.text for c in draft.choices] in (["True", "False"], ["正确", "错误"])
    for draft in false:
        # The explanation names what the text says and what the statement put instead.
        said, swapped = (
            (
                draft.explanation.split("“")[1].split("”")[0],
                draft.explanation.split("“")[2].split("”")[0],
            )
            if "错误" in draft.explanation
            else (
                draft.explanation.split('"')[1],
                draft.explanation.split('"')[3],
            )
        )
        assert fold(said) in fold(draft.source_excerpt)
        assert fold(swapped) in fold(draft.stem)
        assert fold(swapped) not in fold(draft.source_excerpt)


def test_distractors_never_come_from_the_key_sentence(english, chinese):
    for result in (english, chinese):
        for draft in result.drafts:
            if draft.kind in {"single", "multiple"} and builder_of(draft) != "not_one_of":
                for wrong in wrong_texts(draft):
                    assert fold(wrong) not in fold(draft.source_excerpt)


def test_sensitive_terms_are_never_used():
    text = CHINESE + "坚决反对和遏制“台独”分裂势力，维护台海和平稳定，推进祖国和平统一进程。\n"
    for draft in generate(text).drafts:
        assert "台独" not in draft.stem + "".join(c.text for c in draft.choices)


# --- gates --------------------------------------------------------------------------------


def built(**changes) -> Built:
    text = "The new development concept of innovation, coordination, green, openness, and sharing."
    draft = QuestionDraft(
        kind="single",
        stem="The new development concept of (   ), coordination, green, openness, and sharing.",
        choices=(
            ChoiceDraft("innovation", True),
            ChoiceDraft("security"),
            ChoiceDraft("stability"),
            ChoiceDraft("efficiency"),
        ),
        explanation=f'The text says: "{text}"',
        source_excerpt=text,
        source_start=0,
        source_end=len(text),
        key_point_ordinal=1,
        tags=("generated", "single", "enum_item"),
    )
    base = Built(
        draft=draft,
        builder="single",
        sentence=0,
        present=("innovation",),
        absent=("security", "stability", "efficiency"),
        hidden=("innovation",),
        option_types=("enum_item",) * 4,
        score=1.0,
    )
    draft_changes = changes.pop("draft", {})
    return replace(base, draft=replace(draft, **draft_changes), **changes)


SOURCE = "The new development concept of innovation, coordination, green, openness, and sharing."


def test_gates_pass_a_sound_draft():
    sound = built()
    assert key_in_source(sound) and stem_hides_key(sound) and options_one_type(sound)
    assert provenance(sound, SOURCE)


def test_key_in_source_gate_rejects_a_key_the_passage_lacks():
    assert not key_in_source(built(present=("prosperity",)))
    assert not key_in_source(built(absent=("green",)))  # a "wrong" option the text does say


def test_stem_gate_rejects_a_stem_that_shows_the_key():
    assert not stem_hides_key(built(draft={"stem": SOURCE}))


def test_options_gate_rejects_duplicates_parts_mixed_types_and_scripts():
    def with_choices(*texts: str, **changes) -> Built:
        choices = tuple(ChoiceDraft(t, i == 0) for i, t in enumerate(texts))
        return built(draft={"choices": choices}, **changes)

    assert not options_one_type(with_choices("innovation", "Innovation", "security", "stability"))
    assert not options_one_type(
        with_choices("innovation", "innovation drive", "security", "fairness")
    )
    assert not options_one_type(with_choices("innovation", "创新", "security", "stability"))
    mixed = ("enum_item", "enum_item", "number", "enum_item")
    assert not options_one_type(
        with_choices("innovation", "security", "five", "fairness", option_types=mixed)
    )


def test_provenance_gate_checks_key_point_offsets_and_citation():
    assert not provenance(built(draft={"key_point_ordinal": None}), SOURCE)
    assert not provenance(built(draft={"source_start": 4}), SOURCE)
    assert not provenance(built(draft={"explanation": "Because it is so."}), SOURCE)
    assert not provenance(built(draft={"tags": ("generated",)}), SOURCE)


def test_gates_judge_chinese_drafts_too():
    source = "必须坚定不移贯彻创新、协调、绿色、开放、共享的发展理念。"
    draft = QuestionDraft(
        kind="single",
        stem="必须坚定不移贯彻（　　）、协调、绿色、开放、共享的发展理念。",
        choices=(
            ChoiceDraft("创新", True),
            ChoiceDraft("安全"),
            ChoiceDraft("稳定"),
            ChoiceDraft("高效"),
        ),
        explanation=f"原文：“{source}”",
        source_excerpt=source,
        source_start=0,
        source_end=len(source),
        key_point_ordinal=1,
        tags=("generated", "single", "enum_item"),
    )
    sound = Built(
        draft, "single", 0, ("创新",), ("安全", "稳定", "高效"), ("创新",), ("enum_item",) * 4, 1.0
    )
    assert key_in_source(sound) and stem_hides_key(sound) and options_one_type(sound)
    assert provenance(sound, source)
    assert not stem_hides_key(replace(sound, draft=replace(draft, stem=source)))
    assert not key_in_source(replace(sound, absent=("协调",)))
    mixed = (
        ChoiceDraft("创新", True),
        ChoiceDraft("安全"),
        ChoiceDraft("stability"),
        ChoiceDraft("高效"),
    )
    assert not options_one_type(replace(sound, draft=replace(draft, choices=mixed)))
    part = (
        ChoiceDraft("创新", True),
        ChoiceDraft("创新驱动"),
        ChoiceDraft("稳定"),
        ChoiceDraft("高效"),
    )
    assert not options_one_type(replace(sound, draft=replace(draft, choices=part)))
    assert not provenance(replace(sound, draft=replace(draft, explanation="见原文。")), source)


def test_duplicate_gate_drops_near_identical_drafts_and_keeps_distinct_ones():

    first = built()
    near = built(draft={"stem": first.draft.stem.replace("sharing.", "sharing!")}, sentence=1)
    other = built(
        draft={"stem": "Which of the following is NOT one of the concepts?"},
        sentence=2,
        present=("openness",),
    )
    kept, removed = near_duplicates([first, near, other])
    assert kept == [first, other] and removed == 1


def test_duplicate_gate_drops_a_second_question_with_the_same_answer_from_another_sentence():
    first = built()
    again = built(
        draft={"stem": "A different stem altogether about the same term ____."}, sentence=9
    )
    kept, removed = near_duplicates([first, again])
    assert kept == [first] and removed == 1


# --- determinism, progress, limits --------------------------------------------------------


def test_same_seed_same_result_and_another_seed_varies(english):
    again = generate(ENGLISH, seed=3)
    assert again.key_points == english.key_points and again.drafts == english.drafts
    untimed = {k: v for k, v in again.stats.items() if k != "timings"}
    assert untimed == {k: v for k, v in english.stats.items() if k != "timings"}

    others = [generate(ENGLISH, seed=seed) for seed in range(4, 8)]
    assert any([asdict(d) for d in o.drafts] != [asdict(d) for d in english.drafts] for o in others)


def _fingerprint(text_file: Path, hash_seed: str) -> str:
    code = (
        "import hashlib, json, sys; from dataclasses import asdict;"
        "from quizzes.generation import generate;"
        "text = open(sys.argv[1], encoding='utf-8').read();"
        "r = generate(text, seed=5);"
        "print(hashlib.sha256(json.dumps([asdict(d) for d in r.drafts], ensure_ascii=False)"
        ".encode()).hexdigest())"
    )
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    done = subprocess.run(
        [sys.executable, "-c", code, str(text_file)],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def test_results_do_not_depend_on_string_hashing(tmp_path):
    for name, text in (("en.txt", ENGLISH), ("zh.txt", CHINESE)):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        assert _fingerprint(path, "1") == _fingerprint(path, "2")


def test_progress_is_reported_from_zero_to_one():
    seen: list[tuple[float, str]] = []
    generate(CHINESE, progress=lambda fraction, stage: seen.append((fraction, stage)))
    fractions = [fraction for fraction, _ in seen]
    assert fractions[0] == 0.0 and fractions[-1] == 1.0
    assert fractions == sorted(fractions) and len(seen) >= 4


def test_max_drafts_keeps_the_best_of_every_kind(english):
    full = generate(ENGLISH, seed=3)
    kinds = {builder_of(d) for d in full.drafts}
    limited = generate(ENGLISH, seed=3, max_drafts=len(kinds))
    assert len(limited.drafts) == len(kinds)
    assert {builder_of(d) for d in limited.drafts} == kinds
    assert generate(ENGLISH, max_drafts=0).drafts == []


def test_statistics_report_kinds_gates_duplicates_coverage_and_timings(chinese):
    stats = chinese.stats
    assert sum(stats["kinds"].values()) == len(chinese.drafts)
    assert set(stats["gates"]) == {
        "key_in_source",
        "stem_hides_key",
        "options_one_type",
        "provenance",
        "not_duplicate",
    }
    assert 0 < stats["paragraphs"]["share"] <= 1
    assert stats["duplicates_removed"] >= 0
    assert set(stats["timings"]) >= {"prepare", "analyse", "key_points", "drafts", "gates"}
    json.dumps(stats)  # plain data, ready for a task result


def test_key_points_are_ordered_scored_and_exact(chinese):
    assert [p.ordinal for p in chinese.key_points] == list(range(1, len(chinese.key_points) + 1))
    assert all(isinstance(p, KeyPointDraft) and p.score >= 0 for p in chinese.key_points)
    assert max(p.score for p in chinese.key_points) == 1.0
    starts = [p.start for p in chinese.key_points]
    assert starts == sorted(starts)
    for point in chinese.key_points:
        assert CHINESE[point.start : point.end] == point.text


# --- the package's promises ---------------------------------------------------------------


def test_the_engine_imports_no_django():
    code = (
        "import sys, quizzes.generation, quizzes.generation.pipeline;"
        "print(sorted(m for m in sys.modules if m == 'django' or m.startswith('django.')))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=PROJECT, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"


def test_jieba_keeps_its_cache_in_the_configured_folder_quietly(tmp_path):
    code = (
        "from quizzes.generation import generate;"
        "print(len(generate('必须坚定不移贯彻创新、协调、绿色、开放、共享的发展理念。').key_points))"
    )
    env = {**os.environ, "STUDYAPP_CACHE_DIR": str(tmp_path / "cache")}
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.strip() == "1"
    assert (tmp_path / "cache" / "jieba.cache").exists()
    assert "Building prefix dict" not in done.stderr and "Loading model" not in done.stderr
