"""Chinese analysis: keyword weights from jieba's dictionary, key phrases mined from
repeated word n-grams, enumerations joined by "、", numbers, quoted terms, places and
names — each sentence's typed answer candidates."""

from __future__ import annotations

import math
import re
from bisect import bisect_left
from collections import defaultdict

from quizzes.generation import numbers
from quizzes.generation.candidates import (
    DURATION,
    ENUM_ITEM,
    NAME,
    NUMBER,
    ORDINAL,
    PERCENT,
    PHRASE,
    PLACE,
    QUOTED,
    YEAR,
    Analysis,
    Candidate,
    Enumeration,
    add_candidate,
    overlaps,
)
from quizzes.generation.lexicon import Lexicon
from quizzes.generation.segment import Tokens, dictionary_total, load_jieba, segment_chinese
from quizzes.generation.text import CJK_CHAR, Document, is_cjk

FUNCTION_WORDS = frozenset(
    [
        "的",
        "地",
        "得",
        "了",
        "着",
        "过",
        "和",
        "与",
        "及",
        "以及",
        "或",
        "或者",
        "并",
        "并且",
        "而",
        "而且",
        "是",
        "在",
        "把",
        "被",
        "对",
        "向",
        "从",
        "于",
        "以",
        "为",
        "为了",
        "由",
        "将",
        "要",
        "就",
        "都",
        "也",
        "又",
        "还",
        "更",
        "很",
        "最",
        "等",
        "之",
        "其",
        "这",
        "那",
        "这些",
        "那些",
        "我们",
        "他们",
        "它",
        "上",
        "中",
        "下",
        "里",
        "个",
        "一",
        "不",
        "没有",
        "有",
        "使",
        "让",
        "同",
        "跟",
        "给",
        "所",
        "各",
        "每",
        "以上",
        "以下",
        "之间",
        "一系列",
        "进一步",
        "不断",
        "更加",
        "上述",
        "通过",
        "按照",
        "根据",
        "对于",
        "关于",
        "作为",
        "以来",
        "一切",
        "任何",
        "所有",
        "一些",
        "一大批",
        "这样",
        "那样",
        "已经",
        "正在",
        "仍",
        "仍然",
        "依然",
        "尚",
        "才",
        "能",
        "能够",
        "可以",
        "应",
        "应当",
        "应该",
        "会",
        "得到",
        "来",
        "去",
        "起来",
        "使得",
        "成为",
        "我国",
        "全党",
        "我们党",
        "同时",
        "既",
        "又",
        "也要",
        "要求",
        "加以",
        "之中",
        "当中",
        "方面",
        "问题",
        "一道",
        "着眼",
        "每时每刻",
        "那时",
        "到那时",
        "不能",
        "不想",
        "不敢",
        "进行",
    ]
)
# Verbs and adverbs that open a predicate: a term does not start (or end) with them.
PREDICATE_WORDS = frozenset(
    [
        "坚持",
        "推进",
        "推动",
        "加强",
        "实现",
        "贯彻",
        "增强",
        "提高",
        "深化",
        "完善",
        "健全",
        "构建",
        "建立",
        "促进",
        "保障",
        "统筹",
        "加快",
        "落实",
        "坚定不移",
        "大力",
        "积极",
        "深入",
        "努力",
        "全力",
        "切实",
        "着力",
        "必须",
        "坚决",
        "始终",
        "牢牢",
        "充分",
        "持续",
        "更好",
        "广泛",
        "严格",
        "扎实",
        "有效",
        "认真",
        "高度",
        "形成",
        "发挥",
        "支持",
        "提升",
        "维护",
        "开展",
        "实施",
        "培育",
        "巩固",
        "坚守",
        "弘扬",
        "树立",
        "增进",
        "满足",
        "取得",
        "作出",
        "提出",
        "明确",
        "把握",
        "确保",
        "引导",
        "鼓励",
        "加大",
        "强化",
        "优化",
        "打造",
        "营造",
        "创造",
        "解决",
        "推行",
        "推出",
        "不忘",
        "牢记",
        "决胜",
        "夺取",
        "带领",
        "团结",
        "领导",
        "保持",
        "显著",
        "明显",
        "日益",
        "逐步",
        "基本",
        "初步",
        "全面贯彻",
        "坚定",
        "奋力",
        "勇于",
        "善于",
        "敢于",
        "进入",
        "迈进",
        "走向",
        "朝着",
        "围绕",
        "聚焦",
        "立足",
        "面向",
        "依靠",
        "紧紧",
        "更为",
        "较大",
        "深刻",
        "稳步",
        "不懈",
        "建成",
        "解放",
        "开创",
        "完成",
        "迈出",
        "召开",
        "发出",
        "走",
        "转化",
        "转变",
        "执行",
        "制定",
        "贯穿",
        "发扬",
        "继承",
        "传承",
        "统揽",
        "激发",
        "激励",
        "凝聚",
        "汇聚",
        "扩大",
        "缩小",
        "降低",
        "减少",
        "增加",
        "遏制",
        "防范",
        "化解",
        "打赢",
        "打好",
        "赢得",
        "筑牢",
        "织密",
        "补齐",
        "加快推进",
        "深入推进",
        "稳步推进",
        "全面推进",
        "积极推进",
        "大力推进",
        "协调推进",
        "统筹推进",
        "不断推进",
        "全面加强",
        "切实加强",
        "进一步加强",
        "不断增强",
        "显著增强",
        "明显提高",
        "不断提高",
        "全面提高",
        "充分发挥",
        "面临",
        "存在",
        "屹立",
        "流动",
        "提供",
        "发生",
        "作为",
        "达到",
        "超过",
        "下降",
        "上升",
        "集聚",
        "聚集",
        "高举",
        "举起",
        "树立起",
        "更好发挥",
        "坚定不移",
        "毫不动摇",
        "始终坚持",
        "必须坚持",
        "继续",
        "努力实现",
        "奋斗",
        "前进",
        "迈向",
        "担负",
        "肩负",
        "承担",
        "出台",
        "推出",
    ]
)
# Inside a term only these function words may stand ("党的领导", "人民之间" are terms;
# "解放和发展社会" is not).
_INNER_OK = frozenset(["的", "之"])
# Words that qualify but never head a term ("党的基本" is not a term).
_NOT_HEAD = frozenset(
    [
        "基本",
        "根本",
        "重要",
        "重大",
        "主要",
        "全面",
        "准确",
        "全面准确",
        "巨大",
        "深刻",
        "广泛",
        "充分",
        "显著",
        "有效",
        "积极",
        "坚强",
        "良好",
        "一致",
        "存在",
        "屹立",
        "重视",
        "前进",
        "结合",
        "相结合",
        "依法",
        "那时",
        "起",
        "因",
    ]
)
# Single characters that do end terms (科学发展观, 系统性, 现代化, 参与者 …).
_SUFFIXES = frozenset(
    "观 性 化 者 力 权 制 业 区 国 党 法 论 界 网 链 群 带 圈 点 线 面 局 库 会 院 部 委 军 案"
)
# Predicates that may open a longer phrase only as a verb: "发展中国特色社会主义".
_VERB_OPENERS = frozenset(
    [
        "发展",
        "建设",
        "坚持",
        "实现",
        "保证",
        "付出",
        "担负",
        "担负起",
        "贯彻",
        "高度",
        "广泛",
        "到",
        "为",
    ]
)
# Heads of terms may be these words (生态文明建设, 高质量发展) though they are predicates too.
_HEAD_OK = frozenset(
    ["建设", "发展", "改革", "治理", "开放", "创新", "保护", "振兴", "脱贫", "攻坚"]
)
CUES = {
    "必须": 1.0,
    "坚持": 0.8,
    "坚定不移": 0.8,
    "根本": 0.7,
    "唯一": 0.7,
    "核心": 0.6,
    "关键": 0.6,
    "首要": 0.6,
    "总目标": 0.8,
    "总任务": 0.8,
    "主要矛盾": 0.8,
    "战略": 0.4,
    "要": 0.4,
    "目标": 0.5,
    "到二": 0.5,
    "是": 0.3,
}
_NUM = "零〇○一二两三四五六七八九十百千万亿"
_ORDINAL = re.compile(f"第([{_NUM}]+)")
_CONGRESS = re.compile(
    f"(?<![{_NUM}第])(十[一二三四五六七八九]|二十[一二三四五六七八九]?)(?=大|届)"
    f"|(?<![{_NUM}第])([一二三四五六七])(?=中全会)"
)
_YEAR = re.compile(f"(?<![{_NUM}\\d])([零〇○一二三四五六七八九]{{4}}|\\d{{4}})(?=年)")
_PERCENT = re.compile(f"百分之([{_NUM}]+)(?!点)")
# Not the years of a plan's name ("五年规划").
_DURATION = re.compile(f"(?<![{_NUM}第\\d])([{_NUM}]{{1,3}})(?=多?年)(?!年规划|年计划)")
_COUNT = re.compile(
    f"(?<![{_NUM}第\\d几])([{_NUM}]+)(?=多?(?:万|亿)?(?:元|人|项|斤|倍|公里|吨|家|名|所|座|岁"
    f"|平方公里|个百分点)|多万|多亿)"
)
_QUOTED = re.compile(r"“([^“”\n]{1,24})”|《([^《》\n]{1,30})》")
_CLAUSE = re.compile(r"[^，。；：！？（）()!?;:,]+")
_CONJUNCTION = re.compile(r"以及|和|及|与")
_PUNCT_INSIDE = re.compile(r"[，。；！？、：]")


def analyse(doc: Document, lexicon: Lexicon) -> Analysis:
    load_jieba()
    tokens = segment_chinese(doc.clean)
    sentences = doc.sentences
    content = [not s.excluded for s in sentences]
    # Token index range of each sentence.
    ranges = [
        (bisect_left(tokens.starts, s.start), bisect_left(tokens.starts, s.end)) for s in sentences
    ]
    stop = lexicon.stop_words
    idf = _idf_table(tokens, ranges, content)
    weights = _keyword_weights(tokens, ranges, content, idf, stop)
    phrases = _mine_phrases(tokens, ranges, content, idf, stop, lexicon)

    keyword_score: list[float] = []
    cue_score: list[float] = []
    candidates: list[list[Candidate]] = []
    enumerations: list[Enumeration] = []
    gazetteer = _gazetteer(lexicon)
    names = frozenset(lexicon.names)
    for sentence, (first, last) in zip(sentences, ranges, strict=True):
        words = tokens.words[first:last]
        top = sorted({weights.get(w, 0.0) for w in words}, reverse=True)[:5]
        keyword_score.append(sum(top) / 5)
        cue_score.append(min(2.0, sum(v for cue, v in CUES.items() if cue in sentence.text)))
        if sentence.excluded or lexicon.avoided(sentence.text):
            candidates.append([])
            continue

        found: list[Candidate] = []
        quoted_spans = _quoted(sentence, found, lexicon)
        _numbers(sentence, found, quoted_spans)
        _places(sentence, found, quoted_spans, gazetteer, names)
        for enumeration in _enumerations(sentence, tokens, len(enumerations), lexicon):
            enumerations.append(enumeration)
            for item in enumeration.items:
                add_candidate(found, item)
        for start, end, weight in phrases.get(sentence.index, ()):
            phrase = Candidate(PHRASE, doc.clean[start:end], start, end, sentence.index, weight)
            if not any(overlaps(phrase, c) and c.type != PHRASE for c in found):
                add_candidate(found, phrase)
        candidates.append(found)
    vocabulary = tuple(
        sorted(
            {w for w in weights if 2 <= len(w) <= 6 and w not in stop and not lexicon.avoided(w)}
        )
    )
    return Analysis(
        keyword_score, cue_score, candidates, enumerations, vocabulary=vocabulary, tokens=tokens
    )


def _idf_table(tokens: Tokens, ranges, content) -> dict[str, float]:
    """Rarity of each word of the document in jieba's dictionary (log inverse frequency);
    words the dictionary does not know get a middling value, not the highest."""
    freq = load_jieba().dt.FREQ
    total = dictionary_total()
    table: dict[str, float] = {}
    for (first, last), keep in zip(ranges, content, strict=True):
        if not keep:
            continue
        for word in tokens.words[first:last]:
            if word not in table:
                count = freq.get(word) or 0
                table[word] = math.log(total / count) if count else 12.0
    return table


def _keyword_weights(tokens, ranges, content, idf, stop) -> dict[str, float]:
    counts: dict[str, int] = defaultdict(int)
    for (first, last), keep in zip(ranges, content, strict=True):
        if keep:
            for word in tokens.words[first:last]:
                counts[word] += 1
    weights: dict[str, float] = {}
    for word, count in counts.items():
        if (
            len(word) < 2
            or word in stop
            or word in FUNCTION_WORDS
            or word in PREDICATE_WORDS
            or not is_cjk(word[0])
        ):
            continue
        weights[word] = (1 + math.log(count)) * idf.get(word, 12.0)
    return weights


_ALL_CJK = re.compile(f"[{CJK_CHAR}]+")


def _good_word(word: str) -> bool:
    return _ALL_CJK.fullmatch(word) is not None


def _mine_phrases(
    tokens, ranges, content, idf, stop, lexicon
) -> dict[int, list[tuple[int, int, float]]]:
    """Key phrases: word n-grams (1–3 words, 3–10 characters) that the document repeats,
    that neither start nor end with a function word or a predicate, that are not only
    generic words, and that are not just part of a longer phrase repeated as often.

    Returns, per sentence index, the (start, end, weight) of each phrase occurrence."""
    words = tokens.words
    inside_stop = _stop_spans(tokens, ranges, content, stop)
    occurrences: dict[tuple[str, ...], list[tuple[int, int]]] = defaultdict(list)
    good = [_good_word(w) for w in words]
    opening = [
        g and w not in FUNCTION_WORDS and w not in PREDICATE_WORDS
        for g, w in zip(good, words, strict=True)
    ]
    closing = [
        g
        and w not in FUNCTION_WORDS
        and w not in _NOT_HEAD
        and (w not in PREDICATE_WORDS or w in _HEAD_OK)
        and (len(w) >= 2 or w in _SUFFIXES)
        and not w.endswith(("基本", "根本"))
        and not (len(w) == 3 and w[-1] in "出起到着了过")  # "展现出": a verb, not a term
        for g, w in zip(good, words, strict=True)
    ]
    for sentence_index, ((first, last), keep) in enumerate(zip(ranges, content, strict=True)):
        if not keep:
            continue
        for i in range(first, last):
            if not opening[i]:
                continue
            length = 0
            for j in range(i, min(i + 3, last)):
                if not good[j]:
                    break
                length += len(words[j])
                if length > 10:
                    break
                if length >= 3 and closing[j]:
                    occurrences[tuple(words[i : j + 1])].append((sentence_index, i))
    # A phrase seen once is as often a chance run of words as a term: twice at least.
    minimum = 2
    kept: dict[tuple[str, ...], int] = {}
    for gram, places in occurrences.items():
        count = len(places)
        if count < minimum:
            continue
        head, tail = gram[0], gram[-1]
        if head in FUNCTION_WORDS or head in PREDICATE_WORDS:
            continue
        if tail in FUNCTION_WORDS or (tail in PREDICATE_WORDS and tail not in _HEAD_OK):
            continue
        if all(w in stop or w in FUNCTION_WORDS or len(w) < 2 for w in gram):
            continue
        if any(w in FUNCTION_WORDS and w not in _INNER_OK for w in gram[1:-1]):
            continue
        if "的" in gram and (
            sum(len(w) for w in gram) > 5 or (len(gram[0]) < 2 and gram[0] != "党")
        ):
            continue  # "伟大复兴的中国" spans two terms; "党的领导" is one
        if len(gram) > 1 and (gram[0] in _VERB_OPENERS or gram[0].startswith("不")):
            continue

        text = "".join(gram)
        if text in stop or lexicon.avoided(text):
            continue
        if len(gram) == 1 and len(text) < 3:
            continue
        if _always_continued(gram, places, words, ranges):
            continue  # "群众性精神文明" is always "群众性精神文明创建活动": a part, not a term
        kept[gram] = count
    # A phrase mostly seen inside a longer kept phrase is that phrase's part, not a term.
    subsumed: set[tuple[str, ...]] = set()
    for gram, count in kept.items():
        if len(gram) < 2:
            continue
        for part in (gram[1:], gram[:-1]):
            if part in kept and count >= 0.7 * kept[part]:
                subsumed.add(part)
    found: dict[int, list[tuple[int, int, float]]] = defaultdict(list)
    for gram, count in kept.items():
        if gram in subsumed:
            continue
        rarity = sum(idf.get(w, 12.0) for w in gram if w not in stop) / len(gram)
        weight = round(min(1.3, 0.35 + 0.06 * rarity + 0.1 * math.log(count)), 4)
        length = sum(len(w) for w in gram)
        for sentence_index, i in occurrences[gram]:
            if _cuts_stop_phrase(inside_stop, i, i + len(gram)):
                continue  # "建成小康社会" inside "全面建成小康社会" is not a term of its own
            start = tokens.starts[i]
            found[sentence_index].append((start, start + length, weight))
    return found


def _always_continued(gram: tuple[str, ...], places, words: list[str], ranges) -> bool:
    """Whether every occurrence (two or more) is followed by the same content word."""
    if len(places) < 2:
        return False
    following: set[str] = set()
    for sentence_index, i in places:
        j = i + len(gram)
        if j >= ranges[sentence_index][1]:
            return False
        following.add(words[j])
        if len(following) > 1:
            return False
    (word,) = following
    return _good_word(word) and word not in FUNCTION_WORDS and len(word) >= 2


def _stop_spans(tokens: Tokens, ranges, content, stop) -> dict[int, tuple[int, int]]:
    """Token index -> (first, end) token span of the generic multi-word phrase it is part
    of (中国特色社会主义 is segmented 中国 特色 社会主义 and must not lend its parts)."""
    phrases = [w for w in stop if len(w) >= 3]
    prefixes = {w[:n] for w in phrases for n in range(1, len(w) + 1)}
    words = tokens.words
    spans: dict[int, tuple[int, int]] = {}
    for (first, last), keep in zip(ranges, content, strict=True):
        if not keep:
            continue
        for i in range(first, last):
            text = words[i]
            j = i
            while text in prefixes:
                if j > i and text in stop:
                    for k in range(i, j + 1):
                        spans[k] = (i, j + 1)
                j += 1
                if j >= last:
                    break
                text += words[j]
    return spans


def _cuts_stop_phrase(spans: dict[int, tuple[int, int]], first: int, end: int) -> bool:
    """Whether tokens [first, end) take part of a generic phrase but not all of it."""
    for index in (first, end - 1):
        span = spans.get(index)
        if span and (span[0] < first or span[1] > end):
            return True
    return False


def _quoted(sentence, found: list[Candidate], lexicon: Lexicon) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for match in _QUOTED.finditer(sentence.text):
        group = 1 if match.group(1) is not None else 2
        inner = match.group(group)
        start = sentence.start + match.start(group)
        spans.append((sentence.start + match.start(), sentence.start + match.end()))
        if _PUNCT_INSIDE.search(inner) or lexicon.avoided(inner) or not inner.strip():
            continue
        if not any(is_cjk(ch) for ch in inner):
            continue
        add_candidate(
            found,
            Candidate(QUOTED, inner, start, start + len(inner), sentence.index, 1.5, quoted=True),
        )
    return spans


def _inside(start: int, spans: list[tuple[int, int]]) -> bool:
    return any(a <= start < b for a, b in spans)


def _numbers(sentence, found: list[Candidate], quoted: list[tuple[int, int]]) -> None:
    text = sentence.text

    def add(
        kind: str, match: re.Match[str], group: int, weight: float, low: int, high: int
    ) -> None:
        numeral = match.group(group)
        start = sentence.start + match.start(group)
        if _inside(start, quoted):
            return
        number = numbers.read_chinese(numeral)
        if number is None or not low <= number.value <= high:
            return
        candidate = Candidate(
            kind, numeral, start, start + len(numeral), sentence.index, weight, number=number
        )
        if not any(overlaps(candidate, other) for other in found):
            found.append(candidate)

    for match in _YEAR.finditer(text):
        add(YEAR, match, 1, 1.3, 1900, 2100)
    for match in _ORDINAL.finditer(text):
        add(ORDINAL, match, 1, 1.4, 1, 100)
    for match in _CONGRESS.finditer(text):
        add(ORDINAL, match, 1 if match.group(1) else 2, 1.4, 1, 40)
    for match in _PERCENT.finditer(text):
        add(PERCENT, match, 1, 1.0, 1, 100)
    for match in _DURATION.finditer(text):
        add(DURATION, match, 1, 1.2, 2, 100)
    for match in _COUNT.finditer(text):
        add(NUMBER, match, 1, 1.0, 2, 10**16)


def _gazetteer(lexicon: Lexicon) -> re.Pattern[str]:
    terms = sorted({*lexicon.places, *lexicon.names}, key=len, reverse=True)
    return re.compile("|".join(re.escape(t) for t in terms))


def _places(sentence, found: list[Candidate], quoted, gazetteer: re.Pattern[str], names) -> None:
    for match in gazetteer.finditer(sentence.text):
        start = sentence.start + match.start()
        if _inside(start, quoted):
            continue
        kind = NAME if match.group() in names else PLACE
        if kind == NAME and sentence.text[match.end() : match.end() + 1] in set("主思理同新列"):
            # "马克思主义", "毛泽东思想": another name there makes a doctrine that is not.
            continue
        candidate = Candidate(
            kind, match.group(), start, start + len(match.group()), sentence.index, 0.9
        )
        if not any(overlaps(candidate, other) for other in found):
            found.append(candidate)


def _enumerations(sentence, tokens: Tokens, next_index: int, lexicon: Lexicon) -> list[Enumeration]:
    """Lists of three or more items joined by "、" (the last may follow 和/及/与)."""
    found: list[Enumeration] = []
    for clause in _CLAUSE.finditer(sentence.text):
        text = clause.group()
        if text.count("、") < 2:
            continue
        base = sentence.start + clause.start()
        parts = text.split("、")
        interior = parts[1:-1]
        if any(not 1 <= len(_unquoted(p)) <= 8 for p in interior):
            continue
        spans: list[tuple[int, int]] = []
        position = base + len(parts[0]) + 1
        for part in interior:
            spans.append((position, position + len(part)))
            position += len(part) + 1
        sizes = [len(_unquoted(p)) for p in interior]
        first = _first_item(tokens, base, parts[0], sizes)
        if first is None:
            continue
        sizes.append(first[1] - first[0])
        last_start = position
        last_text = parts[-1]
        tail: list[tuple[int, int]] = []
        conjunction = _CONJUNCTION.search(last_text)
        if conjunction and 1 <= conjunction.start() <= max(sizes) + 1:
            tail.append((last_start, last_start + conjunction.start()))
            last_start += conjunction.end()
            last_text = last_text[conjunction.end() :]
        endings = {_unquoted(p)[-2:] for p in interior}
        suffix = endings.pop() if len(endings) == 1 and len(interior) >= 2 else ""
        last = _last_item(tokens, last_start, last_text, sizes, suffix)

        if last is None:
            continue
        items = _items(sentence, [first, *spans, *tail, last], next_index + len(found), lexicon)
        if items is None:
            continue
        head = _head(sentence, items, lexicon)
        found.append(
            Enumeration(
                next_index + len(found), sentence.index, items, items[0].start, items[-1].end, head
            )
        )
    return found


def _first_item(tokens: Tokens, base: int, text: str, sizes: list[int]) -> tuple[int, int] | None:
    """The first item of a list: its quoted term, or as many characters as every other item
    has when they all have the same number ("增强政治意识、大局意识" → 政治意识), or else
    whole words back to a predicate, closest in length to the others."""
    end = base + len(text)
    if text.endswith("”") and "“" in text:
        opening = text.rindex("“")
        return base + opening, end
    uniform = len(set(sizes)) == 1
    if uniform and len(text) >= sizes[0] and all(is_cjk(ch) for ch in text[-sizes[0] :]):
        start = end - sizes[0]
        index = bisect_left(tokens.starts, start)
        if _at_word_start(tokens, start) and tokens.words[index] not in PREDICATE_WORDS:
            return start, end
    return _edge_item(tokens, base, end, sizes, from_end=True)


def _last_item(
    tokens: Tokens, start: int, text: str, sizes: list[int], suffix: str = ""
) -> tuple[int, int] | None:
    """The last item: up to 等/的 when one follows closely ("大飞机等", "共享的发展理念"),
    else the common length, else whole words."""
    if text.startswith("“") and "”" in text:
        return start, start + text.index("”") + 1
    stop = re.search(r"等|的", text)
    if stop and max(1, min(sizes) - 1) <= stop.start() <= max(sizes) + 2:
        return start, start + stop.start()
    size = sizes[0]
    if len(set(sizes)) == 1 and len(text) >= size and all(is_cjk(ch) for ch in text[:size]):
        if suffix and not text[:size].endswith(suffix):
            # "经济建设、政治建设……生态文明建设": the shared ending marks the item's end.
            found = text.find(suffix, 0, size + len(suffix) + 2)
            if found > 0:
                return start, start + found + len(suffix)
        if size == len(text) or _at_word_start(tokens, start + size):
            return start, start + size
    return _edge_item(tokens, start, start + len(text), sizes, from_end=False)


def _unquoted(text: str) -> str:
    return text.replace("“", "").replace("”", "")


def _at_word_start(tokens: Tokens, offset: int) -> bool:

    index = bisect_left(tokens.starts, offset)
    return index < len(tokens.starts) and tokens.starts[index] == offset


def _edge_item(tokens: Tokens, start: int, end: int, sizes: list[int], *, from_end: bool):
    """The first (``from_end``) or last item of a list: whole words taken from the list's
    side of the segment, as many as make its length closest to the other items'."""
    lengths = sorted(sizes)
    target = lengths[(len(lengths) - 1) // 2]
    lo = bisect_left(tokens.starts, start)
    hi = bisect_left(tokens.starts, end)
    words = list(range(lo, hi))
    if not words:
        return None
    if from_end:
        words.reverse()
    best: tuple[int, int] | None = None
    best_gap = 99
    length = 0
    for index in words:
        word = tokens.words[index]
        if word == "的" and length:
            length += 1  # "党的领导": 的 may stand inside an item, never at its edge
            continue
        if word in FUNCTION_WORDS or word in PREDICATE_WORDS or not _good_word(word):
            break
        length += len(word)
        span = (
            (tokens.starts[index], end) if from_end else (start, tokens.starts[index] + len(word))
        )
        gap = abs(length - target)
        if gap < best_gap:
            best, best_gap = span, gap
        if length >= target:
            break
    if best is None or best_gap > max(2, target // 2):
        return None
    return best


def _items(sentence, spans, index: int, lexicon: Lexicon):
    items: list[Candidate] = []
    seen: set[str] = set()
    offset = sentence.start
    for start, end in spans:
        text = sentence.text[start - offset : end - offset]
        stripped = text.strip("“” ")
        start += text.index(stripped[:1]) if stripped else 0
        text = stripped
        if not 1 <= len(text) <= 12 or text in FUNCTION_WORDS or text in seen:
            return None
        if text[0] in "的和与及等之了在对把从向以为被将" or text[-1] in "的和与及了在对把从向":
            return None
        if len(text) > 8 or ("的" in text[1:-1] and len(text) > 5):
            return None
        if not all(is_cjk(ch) or ch in "“”" for ch in text) or lexicon.avoided(text):
            return None
        seen.add(text)
        items.append(
            Candidate(
                ENUM_ITEM, text, start, start + len(text), sentence.index, 1.2, enumeration=index
            )
        )
    lengths = [len(i.text) for i in items]
    if max(lengths) > 3 * min(lengths) + 2:
        return None
    return tuple(items)


def _head(sentence, items: tuple[Candidate, ...], lexicon: Lexicon) -> str:
    texts = {item.text for item in items}
    for concept in lexicon.concept_sets:
        if texts <= set(concept.items) and len(texts) >= 3:
            return concept.name
    after = sentence.text[items[-1].end - sentence.start :]
    match = re.match(r"的([\u4e00-\u9fff]{2,6}?)(?=[，。；、]|$|和|与|及|是|为|作为)", after)
    if match is None:
        return ""
    head = match.group(1)
    if head in {"方面", "领域", "工作", "问题", "要求", "需要", "地位"}:
        return ""
    if "进行" in head or any(head.endswith(word) for word in PREDICATE_WORDS if len(word) >= 2):
        return ""  # "实践来进行" is what is done, not what the items are
    return head
