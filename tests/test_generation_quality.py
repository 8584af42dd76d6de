"""The causes of weak drafts that issue 9's readers found, each held by a test: verbatim
true statements, siblings, distractors of another class, trivial or ambiguous targets,
enumerations across sentences, fragment stems, framing; and an engine whose work grows
in step with the text.

Inputs are small made-up passages in the genre (so that each test states its case), plus
the two sample documents where a property must hold on real text.
"""

from __future__ import annotations

import cProfile
import pstats
import random
import re
from collections import Counter
from pathlib import Path

import pytest

from quizzes.generation import generate
from quizzes.generation.budget import Budget, BudgetExceeded
from quizzes.generation.candidates import fold
from quizzes.generation.drafting import role_class
from quizzes.generation.structures import find_definitions, find_series
from quizzes.generation.text import detect_language, prepare, split_sentences

PROJECT = Path(__file__).resolve().parents[1]
EDITORIAL = PROJECT / "quizzes" / "demo" / "tianjin-12th-congress-editorial.en.txt"
REPORT = PROJECT.parent / "shared" / "samples" / "19th-national-congress-report.zh.txt"

# Six paragraphs that open alike, then a sentence that sums them up: a list across
# sentences, as reports state their principles.
PRINCIPLES = (
    "我们要深刻把握新时代的要求。\n"
    "必须坚持人民至上。人民是历史的创造者，是决定党和国家前途命运的根本力量。\n"
    "必须坚持自信自立。中国的问题必须从中国基本国情出发，由中国人自己来解答。\n"
    "必须坚持守正创新。我们从事的是前无古人的伟大事业，守正才能不迷失方向。\n"
    "必须坚持问题导向。问题是时代的声音，回答并指导解决问题是理论的根本任务。\n"
    "必须坚持系统观念。万事万物是相互联系、相互依存的，只有用普遍联系的观点看事物。\n"
    "必须坚持胸怀天下。中国共产党是为中国人民谋幸福、为中华民族谋复兴的党。\n"
    "这六条，构成新时代推进理论创新的根本方法。\n"
    "创新是引领发展的第一动力，人才是实现民族振兴的战略资源。\n"
    "党的领导是人民当家作主的根本保证。国家安全是民族复兴的根基。\n"
    "人民代表大会制度是坚持党的领导的根本政治制度安排。统一战线是党的事业取得胜利的重要基石。\n"
    "社会主义制度是当代中国发展进步的根本保障。\n"
    "科技自立自强是国家强盛的战略支撑。我们坚持稳中求进，坚持依法治国，坚持改革开放。\n"
    "教育是国之大计、党之大计。法治是治国理政的基本方式。\n"
    "未来五年是全面建设社会主义现代化国家开局起步的关键时期。\n"
    "坚持人民至上，坚持自信自立，推动经济持续健康发展，实现更高质量的发展。\n"
)
FRAMING = (
    "现在，我代表第十九届中央委员会向大会作报告。\n"
    "中国式现代化是人口规模巨大的现代化，是全体人民共同富裕的现代化，是物质文明和精神文明"
    "相协调的现代化，是人与自然和谐共生的现代化，是走和平发展道路的现代化。\n"
    "我们坚决反对以资本为中心的现代化、两极分化的现代化、物质主义膨胀的现代化、对外扩张掠夺"
    "的现代化，这些都不是我们要走的路。\n"
    "中国式现代化的本质要求是实现高质量发展，中国式现代化的本质要求是丰富人民精神世界。\n"
    "中国式现代化是中国共产党领导的社会主义现代化，中国式现代化道路越走越宽广。\n"
    "健全劳动法律法规，完善劳动关系协商协调机制，完善劳动者权益保障制度，加强灵活就业和"
    "新就业形态劳动者权益保障。\n"
)


def read(path: Path) -> str:
    return path.read_bytes().decode("utf-8")


@pytest.fixture(scope="module")
def samples() -> list:
    results = [generate(read(EDITORIAL), seed=11)]
    if REPORT.exists():
        results.append(generate(read(REPORT), seed=11))
    return results


def _false(draft) -> bool:
    return any(c.correct and c.text in {"错误", "False"} for c in draft.choices)


def _squeeze(text: str) -> str:
    return re.sub(r"[\s，。；：,.;:“”\"'！？!?]+", "", text)


# --- true/false ----------------------------------------------------------------------


def test_true_statements_are_never_a_long_sentence_copied_whole(samples):
    for result in samples:
        zh = result.language == "zh-hans"
        for draft in result.drafts:
            if draft.kind != "true_false" or _false(draft):
                continue
            statement = _squeeze(draft.stem.removeprefix("According to the text, "))
            source = _squeeze(draft.source_excerpt)
            size = len(source) if zh else len(draft.source_excerpt.split())
            if statement.casefold() == source.casefold():
                assert size <= (40 if zh else 24), draft.stem


def test_between_two_and_three_fifths_of_the_statements_are_false(samples):
    for result in samples:
        indicators = result.stats["indicators"]["true_false"]
        if indicators["statements"] >= 5:
            assert 0.4 <= indicators["false_share"] <= 0.6, indicators


def test_a_false_statement_swaps_one_element_for_one_of_its_own_class():
    result = generate(PRINCIPLES, seed=3)
    false = [d for d in result.drafts if d.kind == "true_false" and _false(d)]
    for draft in false:
        said = draft.explanation.split("“")[1].split("”")[0]
        put = draft.explanation.split("“")[2].split("”")[0]
        assert said in draft.source_excerpt and put not in draft.source_excerpt
        assert put in draft.stem
        assert role_class(said) == role_class(put) or not role_class(said)


# --- siblings ------------------------------------------------------------------------


def test_a_key_point_keeps_at_most_two_drafts_about_different_things(samples):
    for result in samples:
        groups = Counter(d.key_point_ordinal for d in result.drafts)
        assert max(groups.values()) <= 2
        by_point: dict[int, list] = {}
        for draft in result.drafts:
            by_point.setdefault(draft.key_point_ordinal, []).append(draft)
        for pair in by_point.values():
            if len(pair) == 2:
                assert pair[0].kind != pair[1].kind


def test_the_same_answer_is_not_asked_twice_in_a_bank(samples):
    for result in samples:
        answers = Counter(
            (d.kind, fold(d.blanks[0][0]))
            for d in result.drafts
            if d.kind == "blank" and d.tags[1] == "blank"
        )
        assert max(answers.values(), default=1) == 1


# --- distractors ---------------------------------------------------------------------


def test_role_distractors_are_roles_of_the_same_kind():
    result = generate(PRINCIPLES, seed=5)
    roles = [d for d in result.drafts if d.tags[2] == "definition_role" and d.kind == "single"]
    assert roles
    for draft in roles:
        (key,) = [c.text for c in draft.choices if c.correct]
        for choice in draft.choices:
            assert role_class(choice.text) == role_class(key)
            # Said of people ("创造者") never stands for a role of things.
            assert not choice.text.endswith(("者", "兄弟")) or key.endswith(("者", "兄弟"))


def test_list_outsiders_share_the_pattern_every_item_has(samples):
    for result in samples:
        if result.language != "zh-hans":
            continue
        for draft in result.drafts:
            if draft.kind != "multiple":
                continue
            right = [c.text for c in draft.choices if c.correct]
            wrong = [c.text for c in draft.choices if not c.correct]
            for ends in (lambda t: t[:2], lambda t: t[-2:]):
                shared = {ends(t) for t in right if len(t) >= 3}
                if len(shared) == 1 and all(len(t) >= 3 for t in right):
                    (pattern,) = shared
                    assert all(ends(w) == pattern for w in wrong if len(w) >= 3), draft.stem


def test_single_choice_distractors_keep_the_keys_size_and_script(samples):
    for result in samples:
        zh = result.language == "zh-hans"
        for draft in result.drafts:
            if draft.tags[1] != "single":
                continue
            sizes = [len(c.text) if zh else len(c.text.split()) for c in draft.choices]
            assert max(sizes) - min(sizes) <= 4, draft.choices


# --- targets -------------------------------------------------------------------------


def test_blanks_never_cut_a_term_the_document_repeats_or_stand_on_generic_words():
    result = generate(FRAMING, seed=1)
    for draft in result.drafts:
        for answers in draft.blanks:
            answer = answers[0]
            assert answer not in {"现代化", "保障制度", "权益保障制度", "中国式现代化"}
        assert "中国式____" not in draft.stem and "中国式（　　）" not in draft.stem


def test_framing_sentences_are_never_key_points():
    result = generate(FRAMING, seed=1)
    assert not any("我代表" in p.text for p in result.key_points)


def test_english_blanks_are_one_or_two_words(samples):
    english = samples[0]
    for draft in english.drafts:
        if draft.kind == "blank" and draft.tags[2] in {"phrase", "enum_item"}:
            assert len(draft.blanks[0][0].split()) <= 2


def test_every_stem_reads_whole_without_an_ellipsis(samples):
    for result in [*samples, generate(PRINCIPLES), generate(FRAMING)]:
        for draft in result.drafts:
            assert "……" not in draft.stem and "…" not in draft.stem, draft.stem
        assert result.stats["indicators"]["fragment_stems"] == 0


def test_half_width_commas_between_chinese_characters_split_clauses_alike():
    full = generate(FRAMING, seed=2)
    half = generate(FRAMING.replace("，", ","), seed=2)
    assert [d.stem for d in half.drafts] == [d.stem for d in full.drafts]


# --- enumerations across sentences -----------------------------------------------------


def test_a_list_running_across_paragraphs_is_found_with_what_it_is():
    doc = prepare(PRINCIPLES)
    doc.language = detect_language(doc.clean)
    split_sentences(doc)
    (series,) = [s for s in find_series(doc) if s.level == "paragraph"]
    assert series.prefix == "必须坚持"
    assert [i.text for i in series.items] == [
        "人民至上",
        "自信自立",
        "守正创新",
        "问题导向",
        "系统观念",
        "胸怀天下",
    ]
    assert series.head == "新时代推进理论创新的根本方法"


def test_a_cross_sentence_enumeration_becomes_a_multiple_choice_question():
    result = generate(PRINCIPLES, seed=4)
    items = {"人民至上", "自信自立", "守正创新", "问题导向", "系统观念", "胸怀天下"}
    lists = [
        d
        for d in result.drafts
        if d.tags[1] in {"multiple", "not_one_of"}
        and {c.text.removeprefix("必须坚持") for c in d.choices} & items
    ]
    assert lists
    for draft in lists:
        texts = {c.text.removeprefix("必须坚持") for c in draft.choices}
        right = {c.text.removeprefix("必须坚持") for c in draft.choices if c.correct}
        if draft.kind == "multiple":
            assert right <= items and texts - items
        else:
            assert len(texts & items) == 3 and right.isdisjoint(items)
        assert "list_across_sentences" in draft.quality_reasons
    assert result.stats["indicators"]["enumerations"]["across_sentences_asked"] >= 1


def test_parallel_clauses_of_one_sentence_become_a_list_question():
    result = generate(FRAMING, seed=1)
    (draft,) = [d for d in result.drafts if d.stem.startswith("中国式现代化是（　　）的现代化")]
    features = {"人口规模巨大", "全体人民共同富裕", "物质文明和精神文明相协调"}
    features |= {"人与自然和谐共生", "走和平发展道路"}
    rejected = {"以资本为中心", "两极分化", "物质主义膨胀", "对外扩张掠夺"}
    texts = {c.text for c in draft.choices}
    if draft.kind == "multiple":
        right = {c.text for c in draft.choices if c.correct}
        assert right <= features and len(right) >= 3
    # Outsiders come from the text's own parallel list of what it rejects.
    assert texts - features and texts - features <= rejected


def test_definitions_are_found_with_their_roles():
    doc = prepare(PRINCIPLES)
    doc.language = detect_language(doc.clean)
    split_sentences(doc)
    found = {(d.subject.text, d.role.text) for d in find_definitions(doc)}
    assert ("创新", "第一动力") in found and ("人才", "战略资源") in found
    assert role_class("第一动力") == "force" and role_class("关键时期") == "time"


# --- ranking ---------------------------------------------------------------------------


def test_drafts_come_best_first_with_their_reasons(samples):
    for result in samples:
        qualities = [d.quality for d in result.drafts]
        assert all(q is not None and 0 <= q <= 1 for q in qualities)
        assert qualities == sorted(qualities, reverse=True)
        assert all(d.quality_reasons for d in result.drafts[:10])


# --- budget and growth -----------------------------------------------------------------


def test_a_text_over_the_character_budget_stops_at_once_with_the_reason():
    with pytest.raises(BudgetExceeded) as raised:
        generate("发展" * 60, budget=Budget(max_characters=100))
    assert raised.value.code == "characters"
    assert raised.value.params == {"limit": 100, "found": 120}


def test_a_run_over_its_time_budget_stops_with_the_reason():
    with pytest.raises(BudgetExceeded) as raised:
        generate(read(EDITORIAL), budget=Budget(max_seconds=0.0))
    assert raised.value.code == "seconds"


def _calls(text: str) -> int:
    """Python function calls one run makes: a measure of its work that does not depend
    on how busy the machine is."""
    profile = cProfile.Profile()
    profile.enable()
    generate(text, budget=Budget(max_characters=10**7, max_seconds=10**5))
    profile.disable()
    return pstats.Stats(profile).total_calls


@pytest.mark.parametrize("one_line", [False, True], ids=["lines", "one-line"])
def test_work_grows_in_step_with_the_text(one_line):
    """At 1×, 4× and 16× a passage (as separate lines, and as one 16× line with no line
    break, like the upload that once held a worker for two minutes), the work of a run
    grows about fourfold per fourfold text, never with its square."""
    base = read(REPORT)[:6000] if REPORT.exists() else PRINCIPLES * 8
    generate(base[:500])  # load the dictionaries first
    rng = random.Random(7)
    paragraphs = [p for p in base.split("\n") if p.strip()]

    def text(times: int) -> str:
        shuffled = [p for _ in range(times) for p in rng.sample(paragraphs, len(paragraphs))]
        return ("" if one_line else "\n").join(shuffled)

    small, medium, large = (_calls(text(n)) for n in (1, 4, 16))
    assert medium / small <= 4 * 1.6
    assert large / medium <= 4 * 1.6
