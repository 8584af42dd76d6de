"""Drafts for one key point: every question its sentence and structures allow, each judged
— what it asks for (a claim, a number, a definition, a list; never a fragment or a word
anyone could guess), how plausible its distractors are (the key's own class), how compact
its stem is — so that the pipeline can keep the best one or two.

Targets a blank or a single choice may ask for:

- numbers that matter, quoted slogans, places and names;
- a definition's role or subject ("创新是引领发展的第一动力");
- an item of a list, or a key phrase, only when it is a *complete term*: not a part of a
  longer term the document repeats ("中国式____" → 现代化), not made of generic words only
  ("劳动者权益____" → 保障制度), and (English) at most two words.
"""

from __future__ import annotations

import functools
import random
import re
from collections import defaultdict
from dataclasses import dataclass

from quizzes.generation import quality, wordclass
from quizzes.generation.builders import (
    EN_GAP,
    ZH_GAP,
    Built,
    Context,
    ListSpec,
    as_statement,
    build_blank,
    build_list_multiple,
    build_list_not_one_of,
    build_single,
    build_true_false,
    compact_span,
)
from quizzes.generation.candidates import (
    ENUM_ITEM,
    NAME,
    NUMERIC_TYPES,
    PHRASE,
    PLACE,
    QUOTED,
    Analysis,
    Candidate,
    Enumeration,
)
from quizzes.generation.distractors import (
    Distractors,
    Option,
    fits_letters,
    fits_shape,
    head_sizes,
    list_shape,
    shared_letters,
)
from quizzes.generation.lexicon import Lexicon
from quizzes.generation.structures import CLAUSE, ZH_OCCASIONS, Definition, Series, anchor_of
from quizzes.generation.text import ZH, Document, Sentence, is_cjk, present_year

# Words that say what kind of thing, never which one: a term made only of these (and the
# domain's stop words) has many defensible answers.
_ZH_GENERIC = frozenset(
    [
        "制度",
        "机制",
        "体系",
        "体制",
        "建设",
        "工作",
        "发展",
        "能力",
        "水平",
        "作用",
        "格局",
        "环境",
        "条件",
        "保障",
        "政策",
        "措施",
        "方式",
        "道路",
        "事业",
        "领域",
        "方面",
        "问题",
        "任务",
        "目标",
        "要求",
        "意识",
        "观念",
        "理念",
        "精神",
        "力量",
        "基础",
        "质量",
        "效益",
        "活动",
        "服务",
        "管理",
        "改革",
        "创新",
        "安全",
        "稳定",
        "和谐",
        "体系",
        "结构",
        "规模",
        "方向",
        "原则",
        "思想",
        "理论",
        "实践",
        "文化",
        "社会",
        "经济",
        "政治",
        "生态",
        "文明",
        "利益",
        "权益",
        "责任",
        "作风",
        "纪律",
        "队伍",
        "人才",
        "组织",
        "法治",
        "民主",
        "交流",
        "合作",
        "交往",
        "协作",
        "沟通",
        "对话",
        "党建",
        "群众",
        "干部",
        "企业",
        "市场",
        "政府",
        "地区",
        "全面",
        "深入",
        "重大",
        "重要",
        "主要",
        "基本",
        "根本",
        "突出",
        "有效",
        "长期",
        "持续",
        "进展",
        "成效",
        "成就",
        "成果",
        "突破",
        "进步",
        "实效",
        "新",
        "大",
        "高",
        "强",
        # Who is addressed, not what is claimed: "____要紧密团结在党中央周围".
        "全党",
        "全军",
        "全国",
        "各族人民",
        "全体人民",
        "人民群众",
        "广大党员",
        "党员",
        "领导干部",
        "各级",
        "我们党",
        "中国人民",
        "中国共产党",
        "共产党",
        "人民",
        "内容",
        "课题",
        "时代",
        "健康",
        "快速",
        "平稳",
        "良好",
        "积极",
        "协调",
        # The paper and the meeting themselves.
        "决定",
        "意见",
        "实施意见",
        "通知",
        "讨论稿",
        "说明",
        "全会",
        "会议",
    ]
)
# Sentences that report where someone went or spoke: the place is a passing detail.
_REPORTAGE = re.compile(
    r"考察|调研|视察|参加.{0,12}审议|出席|代表团|会见|\b(?:stressed|said|visited|inspected"
    r"|joining|joined|attended|met with|delegation|deliberations)\b",
    re.IGNORECASE,
)
# Bodies that act on a notice: "各级党委（党组）", "市委党校", "宣传部".
_ZH_INSTITUTIONS = (
    "党委",
    "党组",
    "党校",
    "政府",
    "部门",
    "单位",
    "机关",
    "学院",
    "办公室",
    "办公厅",
    "委员会",
    "组织部",
    "宣传部",
    "统战部",
    "纪委",
    "监委",
    "工委",
    "团组织",
    "团委",
)
_EN_GENERIC = frozenset(
    [
        "development",
        "system",
        "work",
        "construction",
        "level",
        "ability",
        "role",
        "way",
        "path",
        "mechanism",
        "policy",
        "measure",
        "field",
        "area",
        "aspect",
        "task",
        "goal",
        "requirement",
        "quality",
        "efficiency",
        "new",
        "high",
        "good",
        "important",
        "major",
        "comprehensive",
        "overall",
        # The bodies and meetings that frame a report, not what it claims.
        "congress",
        "committee",
        "session",
        "plenary",
        "national",
        "central",
        "party",
    ]
)
# English heads that name a set of things a list's items belong to.
_EN_LIST_HEADS = frozenset(
    [
        "concept",
        "principle",
        "task",
        "goal",
        "requirement",
        "area",
        "field",
        "measure",
        "value",
        "priority",
        "aspect",
        "direction",
        "idea",
        "pillar",
        "strategy",
        "step",
        "policy",
        "standard",
        "target",
        "mission",
        "theme",
        "advantage",
        "industry",
        "sector",
        "base",
        "zone",
        "district",
    ]
)
# Head nouns that a term before them only qualifies: a blank there has many answers.
_ZH_HEADS_AFTER = frozenset(
    [
        "需要",
        "需求",
        "体系",
        "制度",
        "机制",
        "体制",
        "能力",
        "水平",
        "格局",
        "战略",
        "工程",
        "理念",
        "思想",
        "道路",
        "方针",
        "政策",
        "建设",
        "工作",
        "发展",
        "改革",
        "任务",
        "目标",
        "要求",
        "问题",
        "领域",
        "方面",
        "事业",
        "作用",
        "地位",
    ]
)
# A blank target of these kinds is worth more than a phrase.
_TARGET_BASE = {
    "year": 0.62,
    "ordinal": 0.6,
    "duration": 0.58,
    "percent": 0.6,
    "number": 0.56,
    QUOTED: 0.6,
    PLACE: 0.5,
    NAME: 0.48,
    ENUM_ITEM: 0.5,
    PHRASE: 0.5,
    "definition_role": 0.64,
    "definition_subject": 0.62,
}


@dataclass(frozen=True, slots=True)
class Judged:
    """A candidate accepted as a target, with what the judge thought it worth; with
    ``choice_only`` it is asked by a choice or a statement, never a blank."""

    key: Candidate
    base: float
    reasons: tuple[str, ...]
    choice_only: bool = False


class Drafter:
    """Judges targets and finds distractors for one document; ``drafts`` builds a key
    point's drafts."""

    def __init__(
        self,
        doc: Document,
        analysis: Analysis,
        lexicon: Lexicon,
        distractors: Distractors,
        series: list[Series],
        definitions: list[Definition],
    ) -> None:
        self.doc = doc
        self.zh = doc.language == ZH
        self.analysis = analysis
        self.lexicon = lexicon
        self.distractors = distractors
        self.series = series
        self.definitions = definitions
        self._counts: dict[str, int] = {}
        self._hyphenless: str | None = None
        # The title and date lines before the first paragraph of body text: the occasion
        # ("第十九次全国代表大会", "the 12th Municipal Party Congress") every reader knows.
        title: list[str] = []
        for paragraph in doc.paragraphs:
            if not (paragraph.heading or paragraph.metadata):
                break
            title.append(doc.clean[paragraph.start : paragraph.end])
        self._title = "\n".join(title)
        self._present_year = present_year(doc)
        tokens = analysis.tokens
        self._token_starts: set[int] = set(tokens.starts) if tokens else set()
        self._token_ends: set[int] = (
            {s + len(w) for s, w in zip(tokens.starts, tokens.words, strict=True)}
            if tokens
            else set()
        )
        self._tokens = tokens
        from bisect import bisect_left

        self._bisect = bisect_left
        self.definitions_by_sentence: dict[int, list[Definition]] = defaultdict(list)
        for definition in definitions:
            self.definitions_by_sentence[definition.sentence].append(definition)
        # Series anchored at a sentence: clause series at their sentence, longer ones at
        # the sentence that introduces or sums them up, else their first.
        self.series_by_anchor: dict[int, list[Series]] = defaultdict(list)
        self.owned: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for item in series:
            anchor = self.anchor(item)
            self.series_by_anchor[anchor].append(item)
            for candidate in item.items:
                self.owned[candidate.sentence].append((candidate.start, candidate.end))
        self._prefix_objects: dict[tuple[str, str], list[str]] = {}
        self._options: dict[tuple[int, int, str], list[Option]] = {}
        self._words: dict[str, list[str]] = {}

    # --- structures --------------------------------------------------------------------

    def anchor(self, series: Series) -> int:
        return anchor_of(self.doc, series)

    def _word_in_title(self, key: Candidate) -> bool:
        """Whether the number, with the word it makes ("百年", "14th Five-Year"), stands in
        the document's title lines."""
        if not self._title:
            return False
        clean = self.doc.clean
        word = clean[key.start : key.end + (1 if self.zh else 0)]
        if not self.zh:
            following = re.match(r"\s*[\w-]+", clean[key.end : key.end + 20])
            word = key.text + (following.group() if following else "")
        return len(word) >= 2 and word.casefold() in self._title.casefold()

    def _in_brackets(self, key: Candidate) -> bool:
        clean = self.doc.clean
        before = clean[max(0, key.start - 40) : key.start]
        opened = max(before.rfind("("), before.rfind("（"))
        closed = max(before.rfind(")"), before.rfind("）"))
        return opened > closed

    def _short_enough(self, key: Candidate) -> bool:
        """A blank's answer short enough to be written one way: seven characters (eight
        quoted) in Chinese, three words (four quoted) in English."""
        if self.zh:
            return len(key.text) <= (8 if key.type == QUOTED else 7)
        words = key.text.split()
        if key.type == QUOTED and len(words) <= 5:
            # A named slogan ("one base and three districts") is written as it stands; a
            # quoted phrase of a translation ("adopt measures in light of local
            # conditions") is written many ways.
            counted = any(w.lower() in wordclass.NUMBER_WORDS for w in words)
            return len(words) <= 3 or counted or key.text.casefold() in self._en_known
        return len(words) <= 3

    def _echoed(self, sentence: Sentence, key: Candidate) -> bool:
        """Whether a telling word of the key stands elsewhere in its sentence ("五四" of
        "五四运动" in "伟大五四精神"; "productive forces" twice): the stem would hint it."""
        rest = sentence.text.replace(key.text, "\x00", 1)
        if self.zh:
            from quizzes.generation.segment import load_jieba

            known = load_jieba().dt.FREQ
            text = key.text.replace("“", "").replace("”", "")
            for size in (4, 3, 2):
                for start in range(len(text) - size + 1):
                    word = text[start : start + size]
                    if word in _ZH_GENERIC or word in _ZH_TASK_VERBS or not known.get(word):
                        continue
                    if word[0] in "一二两三四五六七八九十第":
                        continue  # "两个确立" beside "两个维护": a count, not a hint
                    if word in rest:
                        return True
            return False
        words = [
            w
            for w in re.findall(r"[A-Za-z][A-Za-z'-]{3,}", key.text)
            if w.lower() not in self.lexicon.stop_words and w.lower() not in _EN_GENERIC
        ]
        return any(re.search(rf"\b{re.escape(w)}\b", rest, re.I) for w in words)

    def _companions(self, sentence: Sentence, key: Candidate) -> int:
        """Other quoted terms of the key's sentence."""
        return sum(
            1
            for other in self.analysis.candidates[sentence.index]
            if other.type == QUOTED and other.start != key.start
        )

    def _count_shown(self, key: Candidate) -> bool:
        """Whether a quoted term that counts ("新三样", "new trio", "four consciousnesses")
        stands beside exactly that many listed items, which give the count away."""
        from quizzes.generation import numbers as numbers_module

        if self.zh:
            match = re.search(r"[一两二三四五六七八九十]", key.text)
            value = numbers_module.read_chinese(match.group()) if match else None
            if value is None:
                return False
            clean = self.doc.clean
            before = re.split(r"[，。；：！？]", clean[max(0, key.start - 40) : key.start])[-1]
            after = re.split(r"[，。；：！？]", clean[key.end : key.end + 40])[0]
            runs = [before.rstrip("“"), after.lstrip("”—（(")]
            return any(
                len([p for p in run.split("、") if p.strip()]) == value.value
                for run in runs
                if "、" in run
            )
        words = {"pair": 2, "trio": 3, "quartet": 4}
        value = None
        for word in key.text.lower().split():
            if word in words:
                value = words[word]
            elif word in numbers_module.EN_NUMBER_WORDS:
                value = numbers_module.EN_NUMBER_WORDS[word]
        if value is None:
            return False
        clean = self.doc.clean
        after = clean[key.end : key.end + 160].lstrip("\"”’' ")
        appositive = re.match(r"(?:--|—|–|:|\()\s*(.+?)(?:--|—|–|\)|[.;]|$)", after)
        if not appositive:
            return False
        items = [
            p for p in re.split(r",\s*(?:and\s+)?|\s+and\s+", appositive.group(1)) if p.strip()
        ]
        return len(items) == value and value >= 2
        return False

    def _mirrors_neighbour(self, key: Candidate) -> bool:
        """Whether a term listed right beside the key follows the key's own pattern so
        closely that it gives the key away: "港人治港" beside "澳人治澳" (a template "X人治X"),
        or one of a pair that end alike ("面子工程""形象工程")."""
        clean = self.doc.clean
        text = key.text
        neighbours = []
        left = re.search(
            r"“?([\u4e00-\u9fff]{2,8})”?[、，]?“?$", clean[max(0, key.start - 12) : key.start]
        )
        right = re.match(r"”?[、，]?“?([\u4e00-\u9fff]{2,8})”?", clean[key.end : key.end + 12])
        for match in (left, right):
            if match and match.group(1) != text:
                neighbours.append(match.group(1))
        for other in neighbours:
            if len(other) != len(text):
                continue
            differ = [i for i, (a, b) in enumerate(zip(text, other, strict=True)) if a != b]
            if not differ or len(differ) > len(text) // 2:
                continue
            mine = {text[i] for i in differ}
            theirs = {other[i] for i in differ}
            if len(mine) == 1 and len(theirs) == 1 and len(differ) >= 2:
                return True  # "港人治港" / "澳人治澳": the same character twice
        # A pair of quoted terms that end alike, with nothing else listed: "不搞“____”“形象工程”".
        quoted_pair = re.match(r"”“([\u4e00-\u9fff]{2,8})”(?![、“])", clean[key.end : key.end + 12])
        if quoted_pair and quoted_pair.group(1)[-2:] == text[-2:] and len(text) >= 3:
            before = clean[max(0, key.start - 3) : key.start]
            if not before.endswith("、“"):
                return True
        return False

    def _bounded(self, key: Candidate) -> bool:
        """A number given as a bound or an estimate ("超过126万亿元", "近30%", "5%左右",
        "more than 300", "nearly 100 million"): a smaller or a nearby value is true too."""
        if key.number is None:
            return False
        clean = self.doc.clean
        before = clean[max(0, key.start - 14) : key.start]
        after = clean[key.end : key.end + 8]
        if self.zh:
            return bool(
                re.search(
                    r"(?:超过|突破|超|逾|近|约|达到|达|将近|接近|不低于|不少于|以上)$", before
                )
                or re.match(r"[^，。；]{0,4}(?:以上|左右|多|余|上下|以内)", after)
            )
        return bool(
            re.search(
                r"\b(?:more than|over|above|nearly|almost|about|around|approximately|some"
                r"|surpass(?:ed|ing)?|exceed(?:ed|ing)?|at least|at most|up to|under|below"
                r"|close to)\s+$",
                before + " ",
                re.I,
            )
            or re.match(r"\s*(?:or more|plus|odd)\b", after, re.I)
        )

    def _listed_with_peer(self, sentence: Sentence, key: Candidate) -> bool:
        """Whether another place or name stands right beside ``key`` in a pair or a list
        ("香港、澳门", "Hong Kong and Macao")."""
        for other in self.analysis.candidates[sentence.index]:
            if other is key or other.type not in {PLACE, NAME}:
                continue
            first, second = sorted((key, other), key=lambda c: c.start)
            between = self.doc.clean[first.end : second.start].strip()
            if between in {"、", "和", "与", "及", ",", "and", "or", "&", ""}:
                return True
        return False

    def _other_roles(self, definition: Definition) -> set[str]:
        """The roles other sentences give the same subject."""
        return {
            other.role.text
            for other in self.definitions
            if other.subject.text == definition.subject.text
            and other.role.text != definition.role.text
        }

    def _en_count(self, text: str) -> int:
        """How often an English term occurs, in any case, with or without its hyphens
        ("High quality development", "high-quality development")."""
        key = "\x00" + text
        if key not in self._counts:
            if self._hyphenless is None:
                self._hyphenless = self.doc.clean.casefold().replace("-", " ")
            self._counts[key] = self._hyphenless.count(text.casefold().replace("-", " "))
        return self._counts[key]

    def count(self, text: str) -> int:
        """How often ``text`` occurs in the document (cached)."""
        if text not in self._counts:
            self._counts[text] = self.doc.index().count(text)
        return self._counts[text]

    # --- targets -----------------------------------------------------------------------

    def judge(self, sentence: Sentence, key: Candidate) -> Judged | None:
        """``key`` as the answer of a blank or single choice, or ``None`` when it makes a
        poor one."""
        if any(a < key.end and key.start < b for a, b in self.owned.get(sentence.index, ())):
            return None  # an item of a longer list: that list's question asks for it
        if self.lexicon.avoided(key.text):
            return None
        base = _TARGET_BASE.get(key.type, 0.45)
        reasons: list[str] = []
        if key.type in NUMERIC_TYPES:
            if key.type == "duration" and self.doc.clean[key.start - 1 : key.start] == "个":
                return None  # "第二个百年奋斗目标": a name, not a span of years
            if key.type == "ordinal" and not self._counted(key):
                return None  # "质量第一", "第一动力": a rank in a phrase, not a number
            if key.type == "ordinal" and (key.text in self._title or self._meeting(key)):
                return None  # "市第____次党代会", "The ____ Party Congress": a meeting's label
            if self._word_in_title(key):
                return None  # "____年奋斗" under the title "党的百年奋斗……": the title says it
            if self._in_brackets(key):
                return None  # "(about 458 billion U.S. dollars)": a conversion, an aside
            if self._time_frame(key):
                return None  # "____年来", "over the past ____ years": when, not what
            if key.type == "year" and self._present_year and key.number.value <= self._present_year:
                return None  # "In ____ alone", "the 19th Congress in ____": a date, no target
            if key.type == "year" and re.match(
                r"年\d{1,2}月|年[一二三四五六七八九十]{1,2}月",
                self.doc.clean[key.end : key.end + 4],
            ):
                return None  # "于2024年9月15日前报送": a date line, not a target year
            if self._counts_list_before(key):
                return None  # "帝国主义、封建主义、官僚资本主义____座大山": count them
            if any(
                other.type == key.type and other.start != key.start and self._paired(key, other)
                for other in self.analysis.candidates[sentence.index]
            ):
                return None  # "从____大到二十大": the other number gives this one away
            return Judged(key, base, (quality.NUMBER,))
        if key.type in {PLACE, NAME} and self._listed_with_peer(sentence, key):
            return None  # "香港、____": the place beside it gives it away
        if key.type in {PLACE, NAME} and _REPORTAGE.search(sentence.text):
            return None  # "joining deliberations with the ____ delegation": news, no claim
        if self.zh:
            if not self._zh_complete(key):
                return None
            if key.text.endswith(_ZH_INSTITUTIONS) or key.text in ZH_OCCASIONS:
                return None  # "各级党委（党组）要……", "市委党校": who acts, not what
            if self.doc.clean[key.end : key.end + 3] == "为核心" or key.text.startswith("习近平"):
                return None  # "以____为核心的党中央": a formula every member recites
            if self._mirrors_neighbour(key):
                return None  # "“一国两制”、“____”、“澳人治澳”": the pattern gives it away
            if self.doc.clean[key.start - 1 : key.start] == "《" and self._zh_generic(
                re.sub(r"[（(].*?[)）]", "", key.text)
            ):
                return None  # "《决定（讨论稿）》": the paper's name, not its content
            if self._zh_generic(key.text):
                return None
            if key.type in {PHRASE, ENUM_ITEM} and len(key.text) < 3 and not key.quoted:
                return None
            if key.type == PHRASE and self.doc.clean[key.start - 1 : key.start] in "在于向到从对":
                return None  # "在|内地发展": a place and an action, not a term
            if key.type in {PHRASE, ENUM_ITEM} and self._zh_verbal(key.text):
                return None  # "共同参与", "想问题": an action has many ways to be said
            if (
                key.type == ENUM_ITEM
                and key.enumeration is not None
                and self._examples(self.analysis.enumerations[key.enumeration])
            ):
                return None  # "集成电路、新能源汽车……等": examples, not the claim
            if key.type == ENUM_ITEM and key.enumeration is not None:
                items = self.analysis.enumerations[key.enumeration].items
                if any(abs(len(i.text) - len(key.text)) >= 2 for i in items):
                    return None  # "重视|青年、关心青年、信任|青年": the list was cut unevenly
                if any(
                    other.text != key.text
                    and len(other.text) == len(key.text)
                    and _only_numerals_differ(other.text, key.text)
                    for other in items
                ):
                    return None  # "____、十七大、十八大": the sequence gives it away
                if sum(1 for i in items if self._zh_verbal(i.text)) * 2 >= len(items):
                    return None  # a list of actions ("拼出来、干出来、奋斗出来")
        else:
            words = key.text.split()
            if key.type in {PHRASE, ENUM_ITEM} and len(words) > 2:
                return None  # three-word English blanks have too many ways to be written
            if all(w.lower() in _EN_GENERIC or w.lower() in self.lexicon.stop_words for w in words):
                return None
            if not self._en_complete(key):
                return None
            if key.type in {PHRASE, ENUM_ITEM} and not self._en_term(key, words):
                return None
        echo_types = {PHRASE, QUOTED, "definition_subject"} if self.zh else {PHRASE}
        if key.type in echo_types and self._echoed(sentence, key):
            return None  # "____孕育了……伟大五四精神" → 五四运动: the stem says it
        if key.type == QUOTED and self._companions(sentence, key) >= 2:
            # "增强“____”、坚定“四个自信”、做到“两个维护”": the companions recite it; the
            # sentence makes a true/false statement instead.
            return Judged(key, base, (quality.QUOTED_TERM,), choice_only=True)
        if key.type == QUOTED and self._count_shown(key):
            return None  # "电动汽车、锂电池、光伏产品“新____”": the three items count it
        if key.type == QUOTED:
            reasons.append(quality.QUOTED_TERM)
            if key.text.casefold() in self.lexicon.slogans:
                base += 0.06
        if key.type in {PHRASE, "definition_subject"}:
            repeats = self.count(key.text) if self.zh else self._en_count(key.text)
            if repeats >= 8:
                return None  # the document's own theme: anyone reading the stem knows it
            if repeats >= 3:
                base += 0.04
                reasons.append(quality.REPEATED_TERM)
        return Judged(key, base, tuple(reasons))

    def _paired(self, key: Candidate, other: Candidate) -> bool:
        """Whether two numbers of one kind make a range, a sequence or a comparison ("从十八
        大到二十大", "from 54 to 114 trillion yuan", "2020 through 2035"), so that one gives
        the other away; "15 parts and 60 articles" are two facts."""
        first, second = sorted((key, other), key=lambda c: c.start)
        between = self.doc.clean[first.end : second.start]
        if self.zh:
            return len(between) <= 6 and (
                re.search(r"[到至—~～-]|增加|提高|降低|上升|下降|由|从", between) is not None
                or len(between) <= 1
            )
        return len(between.split()) <= 5 and (
            (
                re.search(r"\b(?:to|through|until|from|and|or|than)\b|[-–—]", between) is not None
                and len(between.split()) <= 3
            )
            or re.search(r"\b(?:from|up|down|increase|rise|fall)\b", between) is not None
        )

    def _meeting(self, key: Candidate) -> bool:
        """An ordinal that numbers a congress or a plenary session ("第十四次党代会",
        "十八届三中全会", "the 19th National Congress"): which meeting, not what it said."""
        after = self.doc.clean[key.end : key.end + 12]
        if self.zh:
            return bool(
                re.match(r"(?:次|届)?(?:全国|全体|市|省|区|县)?(?:党|人民)?代(?:表大)?会", after)
                or re.match(r"(?:次|届)(?:[一二三四五六七八九]中)?全会|届", after)
                or re.match(r"[一二三四五六七八九]?中全会|大(?:以来|精神|报告|召开|胜利)", after)
            )
        return bool(
            re.match(
                r"\s+(?:[\w'’]+\s+){0,2}"
                r"(?:congress|plenary session|plenum|session|central committee|meeting)\b",
                after + self.doc.clean[key.end + 12 : key.end + 40],
                re.I,
            )
        )

    def _time_frame(self, key: Candidate) -> bool:
        """A number in the adverbial that dates the sentence's claim ("十年来", "五年前",
        "过去五年", "党的十八大以来", "over the past decade", "in the five years since the
        19th Congress"): the time frame of the report, not a figure to remember."""
        clean = self.doc.clean
        before = clean[max(0, key.start - 24) : key.start]
        after = clean[key.end : key.end + 12]
        if self.zh:
            return bool(
                re.match(r"(?:个)?(?:年|多年)(?:来|前|以来|间|里|中)", after)
                or re.match(r"(?:次|届)?(?:全国代表)?大(?:会)?以来", after)
                or re.search(r"(?:过去|近|这|此前|最近)$", before)
            )
        return bool(
            re.search(r"\b(?:past|last|recent|previous|since(?: the)?)\s*$", before, re.I)
            or re.match(r"\s*(?:years?|decades?)\s+(?:ago|since)\b", after, re.I)
        )

    def _counts_list_before(self, key: Candidate) -> bool:
        """A number that counts the items listed just before it in its clause: the stem
        itself holds the answer."""
        if key.number is None:
            return False
        sentence = self.doc.sentence_at(key.start)
        before = self.doc.clean[max(sentence.start, key.start - 80) : key.start]
        if self.zh:
            clause = re.split(r"[，。；：！？]", before)[-1]
            items = [part for part in clause.split("、") if part.strip()]
        else:
            clause = re.split(r"[;:.!?]", before)[-1]
            clause = re.sub(r"(?:,?\s*(?:the|these|all|of)\s*)+$", "", clause.strip(), flags=re.I)
            items = [p for p in re.split(r",\s*(?:and\s+)?|\s+and\s+", clause) if p.strip()]
        if len(items) >= 2 and len(items) == key.number.value:
            return True
        # "five national parks, namely A, B, C, D and E" / "五个方面：……": listed after.
        after = self.doc.clean[key.end : min(sentence.end, key.end + 160)]
        if self.zh:
            run = re.split(r"[。；]", re.sub(r"^[^，：（(]{0,12}[：（(，]", "", after))[0]
            listed = [p for p in re.split(r"[、，]", run) if p.strip()]
        else:
            run = re.split(
                r"[.;)]", re.sub(r"^[^,:(]{0,40}(?:[:(]|,\s*(?:namely|including)\b)", "", after)
            )[0]
            listed = [p for p in re.split(r",\s*(?:and\s+)?|\s+and\s+", run) if p.strip()]
        return 2 <= len(listed) == key.number.value and after[:60] != run[:60]

    def _counted(self, key: Candidate) -> bool:
        """An ordinal that counts something: "第十九次", "十九大", "19th Party Congress"."""
        following = self.doc.clean[key.end : key.end + 2]
        if self.zh:
            return (
                following[:1] in set("次届个年批轮期位条款项步阶季代大中") and following != "个人"
            )
        return (
            re.match(
                r"\s*(?:[A-Z]|party|plenary|session|congress|five-year)",
                following + self.doc.clean[key.end + 2 : key.end + 12],
                re.I,
            )
            is not None
        )

    def _token_before(self, offset: int) -> str:
        tokens = self._tokens
        if tokens is None:
            return ""
        index = self._bisect(tokens.starts, offset) - 1
        if index < 0:
            return ""
        word = tokens.words[index]
        return word if tokens.starts[index] + len(word) == offset else ""

    def _token_at(self, offset: int) -> str:
        tokens = self._tokens
        if tokens is None:
            return ""
        index = self._bisect(tokens.starts, offset)
        if index < len(tokens.starts) and tokens.starts[index] == offset:
            return tokens.words[index]
        return ""

    def _zh_complete(self, key: Candidate) -> bool:
        """A whole term: word boundaries at both ends, and no neighbouring word that the
        document repeats with it as one longer term."""
        from quizzes.generation.chinese import FUNCTION_WORDS, PREDICATE_WORDS

        if key.quoted or key.type in NUMERIC_TYPES:
            return True
        if key.start not in self._token_starts or key.end not in self._token_ends:
            return False
        left = self._token_before(key.start)
        right = self._token_at(key.end)
        if right in _ZH_HEADS_AFTER:
            return False  # "人民美好生活|需要", "____|建设": the key only qualifies the term
        from quizzes.generation.segment import word_frequency, word_tags

        tags = word_tags()
        for neighbour, joined in ((left, left + key.text), (right, key.text + right)):
            if not neighbour or not all(is_cjk(ch) for ch in neighbour):
                continue
            if neighbour in FUNCTION_WORDS or neighbour in PREDICATE_WORDS:
                continue
            if self.count(joined) >= 2:
                return False
            if len(joined) <= 8 and word_frequency(joined) >= 50:
                return False  # "路线|方针政策": the dictionary knows the whole phrase
            # A noun glued on either side makes one compound with the key ("应用|基础研究",
            # "马克思主义中国化|时代化", "全民族|文化"): the blank would cut a term.
            if tags.get(neighbour, "")[:1] in {"n", "b"} or tags.get(neighbour) == "vn":
                return False
        # "加强|应用|基础研究": a word between a verb and the key qualifies the key.
        before = self._token_before(key.start - len(left)) if left else ""
        if (
            left
            and tags.get(left, "").startswith("v")
            and (before in PREDICATE_WORDS or tags.get(before, "").startswith("v"))
        ):
            return False
        words = self._zh_tokens(key.text)
        # "交流合作": actions, said many ways.
        return not (words and all(tags.get(w, "").startswith("v") for w in words))

    def _zh_tokens(self, text: str) -> list[str]:
        cached = self._words.get(text)
        if cached is None:
            cached = self._words[text] = _longest_words(text)
        return cached

    def _zh_verbal(self, text: str) -> bool:
        """Whether a phrase is an action rather than a thing: its last word is a verb
        (and not one that heads terms: 建设, 发展, 改革 …), or its first word is one."""
        from quizzes.generation.chinese import _HEAD_OK
        from quizzes.generation.segment import word_tags

        tags = word_tags()
        words = self._zh_tokens(text)
        if not words:
            return False
        if text.endswith(("出来", "起来", "下去", "上去", "进去")):
            return True  # "拼出来": a verb with its complement
        from quizzes.generation.chinese import PREDICATE_WORDS

        if any(
            (w in PREDICATE_WORDS or w[:2] in PREDICATE_WORDS) and w not in _HEAD_OK for w in words
        ):
            return True  # "人民日益增长": a clause, not a term
        if len(text) >= 4:
            # A four-character word the dictionary does not tag well ("奋勇前进",
            # "修正错误"): its halves tell.
            head, tail = text[:2], text[-2:]
            if (tail in PREDICATE_WORDS and tail not in _HEAD_OK) or tags.get(tail) == "v":
                return True
            if tags.get(head, "") in {"v", "d", "p", "ad"} and not tags.get(text, "").startswith(
                "n"
            ):
                return True
        last = tags.get(words[-1], "")
        if last.startswith("v") and last != "vn" and words[-1] not in _HEAD_OK:
            return True
        first = tags.get(words[0], "")
        return len(words) > 1 and first in {"v", "d", "p", "ad"}

    def _zh_has_verb(self, text: str) -> bool:
        from quizzes.generation.chinese import _HEAD_OK
        from quizzes.generation.segment import word_tags

        tags = word_tags()
        return any(
            tags.get(word, "") == "v" and word not in _HEAD_OK for word in self._zh_tokens(text)
        )

    def _zh_generic(self, text: str) -> bool:
        """Only generic words: "保障制度", "发展环境"."""
        stop = self.lexicon.stop_words
        plain = text.replace("“", "").replace("”", "")
        position = 0
        pieces = 0
        while position < len(plain):
            for size in (4, 3, 2, 1):
                piece = plain[position : position + size]
                if len(piece) == size and (piece in _ZH_GENERIC or piece in stop):
                    position += size
                    pieces += 1
                    break
            else:
                return False
        return pieces > 0

    def _en_term(self, key: Candidate, words: list[str]) -> bool:
        """An English phrase worth a blank: a complete noun phrase ("healthy ecosystems",
        not "stay true" or "fundamental guiding"), of two words unless the document sets
        it apart (capitals, a known term, an item of a list of single nouns), and a term
        rather than a passing description: one the document uses more than once, or a
        known one, or an item of a list."""
        folded = key.text.casefold()
        known = folded in self._en_known
        if not wordclass.noun_phrase(words):
            return False
        clean = self.doc.clean
        after = re.match(r"\s+([A-Za-z][A-Za-z'-]*)", clean[key.end : key.end + 30])
        if after and wordclass.only(after.group(1), wordclass.NOUN):
            return False  # "common prosperity | goals": the blank would cut the term
        if key.type == ENUM_ITEM and key.enumeration is not None:
            items = self.analysis.enumerations[key.enumeration].items
            kinds = [wordclass.phrase_kind(i.text.split()) for i in items]
            if kinds.count("action") * 2 >= len(kinds):
                return False  # "maintain confidence in our history, exhibit …": acts
            for item in items:
                lead = re.search(
                    r"([A-Za-z]+)\s+(?:[A-Za-z]+\s+){0,2}$",
                    clean[max(0, item.start - 60) : item.start],
                )
                if lead and wordclass.only(lead.group(1), wordclass.VERB):
                    return False  # "exhibit greater historical initiative": the acts list
            if len(words) < 2:
                # One word of a list ("war, colonization, and plunder") is guessed from
                # the others, unless the list is a set the reader must know.
                return known or any(
                    folded in (t.casefold() for t in c.items) for c in self.lexicon.concept_sets
                )
            return True
        if len(words) < 2:
            return known or key.text.lower() in self.analysis.proper_words
        if known:
            return True
        return self.doc.index(folded=True).count(folded) >= 2

    @property
    def _en_known(self) -> frozenset[str]:
        cached = getattr(self, "_known_terms", None)
        if cached is None:
            terms = {p.casefold() for p in self.lexicon.phrases}
            terms |= {s.casefold() for s in self.lexicon.slogans}
            cached = self._known_terms = frozenset(terms)
        return cached

    def _en_complete(self, key: Candidate) -> bool:
        clean = self.doc.clean
        before = re.search(r"([A-Za-z-]+)\s+$", clean[max(0, key.start - 30) : key.start])
        after = re.match(r"\s+([A-Za-z-]+)", clean[key.end : key.end + 30])
        for joined in (
            f"{before.group(1)} {key.text}" if before else "",
            f"{key.text} {after.group(1)}" if after else "",
        ):
            if not joined:
                continue
            word = joined.split()[0 if joined.endswith(key.text) else -1].lower()
            if word in self.lexicon.stop_words or len(word) < 3:
                continue
            if self.doc.index(folded=True).count(joined.casefold()) >= 2:
                return False
        return True

    # --- distractors -------------------------------------------------------------------

    def options(self, key: Candidate, rng: random.Random) -> list[Option]:
        """Distractors of the key's own class, most plausible first: for a phrase the same
        head word (…战略 for a 战略), for a list item an outsider of the list's pattern, for
        a slogan its known near-misses."""
        cached = self._options.get((key.start, key.end, key.type))
        if cached is not None:
            return cached
        found = self.distractors.for_key(key, rng, k=6)
        minimum = {
            PHRASE: 4.0,
            ENUM_ITEM: 3.9,
            QUOTED: 3.6,
            PLACE: 4.0,
            NAME: 3.6,
        }.get(key.type, 0.0)
        kept = [o for o in found if o.score >= minimum and self._option_ok(o.text, key)]
        self._options[(key.start, key.end, key.type)] = kept
        return kept

    def _option_ok(self, text: str, key: Candidate) -> bool:
        if self.zh:
            if abs(len(text) - len(key.text)) > 2:
                return False
            if key.type == PHRASE:
                if self._zh_generic(text):
                    return False
                if self._zh_verbal(text) != self._zh_verbal(key.text):
                    return False  # "治理国家" beside "发展中国家"
                if self._zh_has_verb(text) and not self._zh_has_verb(key.text):
                    return False  # "国家走向现代化" beside "社会主义现代化"
                if text[:1] in "这那其既也都还又就才并而":
                    return False
                if re.search("[和与及]", text) and not re.search("[和与及]", key.text):
                    return False  # "党和国家": two things, not one of the key's kind
        return True

    def swap(self, key: Candidate, rng: random.Random) -> Option | None:
        """The best near-miss to put in the key's place for a false statement."""
        if key.type == PHRASE:
            # A near term swapped for a term ("社会主义现代化" for "中国式现代化") too often
            # makes a statement that is still true.
            return None
        if key.type == QUOTED:
            options = [o for o in self.options(key, rng) if o.origin == "lexicon"]
            return options[0] if options and options[0].score >= 4.5 else None
        if key.type == ENUM_ITEM:
            options = self.options(key, rng)
            return options[0] if options and options[0].score >= 4.0 else None
        if key.number is not None and (
            self._bounded(key)
            or (key.type == "number" and key.number.value <= 12)
            or key.type == "ordinal"
        ):
            # "超过126万亿元" stays true at 100; "八项规定" is a name, "九项规定" no
            # plausible claim: only a measured figure or a year is swapped.
            return None
        return self.distractors.swap(key, rng)

    # --- definitions -------------------------------------------------------------------

    def role_options(self, definition: Definition, rng: random.Random) -> list[Option]:
        """Roles other definitions of the document give, of about the key role's size:
        "根本目的" and "第一动力" are the same kind of thing."""
        key = definition.role
        sentence_text = self.doc.sentences[definition.sentence].text
        before = self.doc.clean[definition.clause_start : key.start]
        after = self.doc.clean[key.end : definition.clause_end]
        options: list[Option] = []
        seen = {key.text}
        for other in self.definitions:
            role = other.role.text
            if role in seen or role in sentence_text or key.text in role or role in key.text:
                continue
            seen.add(role)
            if abs(len(role) - len(key.text)) > 1:
                continue
            if self.lexicon.negative(role) != self.lexicon.negative(key.text):
                continue
            if _person(role) != _person(key.text):
                continue  # "骨肉兄弟" is said of people, "根本保证" of a thing
            if not role_class(key.text) or role_class(role) != role_class(key.text):
                # "关键时期" is a time, "必由之路" a way; a role of no known kind
                # ("创造者") has no fair stand-in.
                continue
            if (before[-4:] + role + after) in self.doc.index():
                continue
            score = 4.2
            if role[:2] == key.text[:2] or role[-1] == key.text[-1]:
                score += 0.4
            options.append(Option(role, score, "parallel"))
        rng.shuffle(options)
        options.sort(key=lambda o: -o.score)
        return options

    # --- lists -------------------------------------------------------------------------

    def _examples(self, enumeration: Enumeration) -> bool:
        """Whether a list only gives examples ("A、B、C等", "such as A, B and C",
        "including …"): its items are illustrations, not what the document claims."""
        clean = self.doc.clean
        after = clean[enumeration.end : enumeration.end + 6]
        before = clean[max(0, enumeration.start - 16) : enumeration.start]
        if self.zh:
            return after.startswith("等") or bool(re.search(r"(?:比如|例如|如|像)$", before))
        return bool(
            re.match(
                r",?\s*(?:etc\b|and so on|and the like|among others)",
                after + clean[enumeration.end + 6 : enumeration.end + 20],
            )
            or re.search(r"\b(?:such as|including|like|e\.g\.|for example)\s*$", before, re.I)
        )

    def enumeration_spec(self, sentence: Sentence, enumeration: Enumeration) -> ListSpec | None:
        if self._examples(enumeration):
            return None
        if self.zh and _frame_inside_items(self.doc, enumeration):
            return None  # "区域协调发展、区域重大战略、主体功能区战略、新型城镇化|战略"
        if self.zh and (
            _cut_last_item(self.doc, enumeration) or _last_item_modifies(self.doc, enumeration)
        ):
            return None  # "发展为了人民、发展依靠人民、发展成果|由人民共享": a cut item
        span = compact_span(self.doc, sentence, enumeration.start, enumeration.end)
        gap = ZH_GAP if self.zh else EN_GAP
        gap_stem = ""
        if span is not None:
            before = self.doc.clean[span.start : enumeration.start]
            after = self.doc.clean[enumeration.end : span.end]
            if len(before.strip()) + len(after.strip()) >= (4 if self.zh else 12):
                gap_stem = as_statement(self.doc, before + "\x00" + after).replace("\x00", gap)
        head = enumeration.head if len(enumeration.head) >= 2 else ""
        if not self.zh and head and head.split()[-1].lower().rstrip("s") not in _EN_LIST_HEADS:
            head = ""  # "the coordinated promotion" is not a set the items belong to
        if not gap_stem and not head:
            return None
        return ListSpec(enumeration.items, sentence, gap_stem, head, "", "", False, "enumeration")

    def series_spec(self, series: Series, anchor: Sentence) -> ListSpec | None:
        doc = self.doc
        gap = ZH_GAP if self.zh else EN_GAP
        first = series.items[0]
        gap_stem = ""
        head = series.head
        if series.level == CLAUSE:
            sentence = doc.sentences[first.sentence]
            span = compact_span(doc, sentence, series.start, series.end, limit=10_000)
            start = span.start if span else sentence.start
            before = doc.clean[start : first.start]
            # Only the opener of the first unit comes before the gap, and the shared ending
            # after it: "中国式现代化是（　　）的现代化".
            after = series.suffix
            context = before.strip(" ，")
            informative = len(series.lead) >= 2 or len(series.prefix) >= 4 or len(context) >= 6
            if not self.zh:
                informative = _en_frame_says_something(context)
            if informative and len(context) <= (30 if self.zh else 120):
                joined = context + "\x00" + after if self.zh else f"{context} \x00 {after}"
                gap_stem = as_statement(doc, joined).replace("\x00", gap)
        elif (
            not head
            and (len(series.prefix) >= 4 or (series.lead and series.prefix))
            and (self.zh or _en_frame_says_something(f"{series.lead} {series.prefix}"))
        ):
            if self.zh:
                joined = series.lead + series.prefix + "\x00" + series.suffix
            else:
                joined = " ".join(
                    p for p in (series.lead, series.prefix, "\x00", series.suffix) if p
                )
            gap_stem = as_statement(doc, joined).replace("\x00", gap)
        if head and not self.zh:
            gap_stem = ""  # 'the "six adheres"' names the list better than its frame
        heading_stem = ""
        if not gap_stem and not head and series.heading and series.numbered and self.zh:
            # A section's numbered sub-headings: the section title says what they are.
            heading_stem = f"根据原文，“{series.heading}”部分分条列出的有（　　）（多选）"
        if not gap_stem and not head and not heading_stem:
            return None
        if heading_stem:
            return ListSpec(
                series.items,
                anchor,
                heading_stem,
                "",
                "",
                "",
                True,
                series.level,
                negative_stem=f"根据原文，下列哪一项不是“{series.heading}”部分分条列出的内容？",
            )
        return ListSpec(
            series.items,
            anchor,
            gap_stem,
            head,
            series.prefix if head and not gap_stem else "",
            series.suffix if head and not gap_stem else "",
            series.level != CLAUSE,
            series.level,
        )

    def series_context(self, ctx: Context, series: Series) -> Context:
        """The context of a series' drafts: their evidence is the whole series, their
        explanation quotes the sentence they hang on."""
        from dataclasses import replace

        if series.level == CLAUSE:
            return ctx
        if series.intro < 0:
            # A section's sub-headings, or paragraphs that open alike: the explanation
            # quotes the opening of each (with its number), not the first sentence of the
            # first, which says nothing of the others.
            labelled = []
            for item in series.items:
                sentence = self.doc.sentence_at(item.start)
                labelled.append(self.doc.clean[sentence.start : item.end])
            quote = "……".join(labelled)
        else:
            quote = ""
        first = self.doc.sentences[series.sentences[0]]
        last = self.doc.sentences[series.sentences[-1]]
        anchor = self.doc.sentences[self.anchor(series)]
        start = min(first.start, anchor.start)
        end = max(last.end, anchor.end)
        raw_start, raw_end = self.doc.raw_span(start, end)
        quote = quote or re.sub(r"\s+", " ", anchor.text).strip()
        return replace(ctx, source=(raw_start, raw_end), quote=quote)

    def series_outsiders(self, series: Series, spec: ListSpec, rng: random.Random) -> list[Option]:
        """Outsiders of a series: items of the document's other series (of its opener
        first), then what follows the same opener elsewhere in the document; each of
        the items' size and shape, and never one that the text lists here."""
        items = [i.text for i in series.items]
        sizes = [len(t) if self.zh else len(t.split()) for t in items]
        low, high = min(sizes) * 0.6, max(sizes) * 1.4 + 1
        listed = self.doc.clean[series.start : series.end]
        with_pause = any("、" in t for t in items)
        pools: list[tuple[list[str], float]] = []
        same_prefix = [
            i.text
            for other in self.series
            if other.index != series.index
            and other.prefix == series.prefix
            and series.prefix
            and (other.level == CLAUSE) == (series.level == CLAUSE)
            for i in other.items
        ]
        pools.append((same_prefix, 4.4))
        same_level = [
            i.text
            for other in self.series
            if other.index != series.index
            and other.level == series.level
            # Another numbered run of the same section belongs to it too.
            and not (series.heading and other.heading == series.heading)
            for i in other.items
        ]
        pools.append((same_level, 4.0))
        if series.suffix:
            # Items of the document's other lists that end as this series' units do:
            # "以资本为中心的现代化" for "是……的现代化".
            ending = series.suffix
            pools.append(
                (
                    [
                        i.text[: -len(ending)]
                        for e in self.analysis.enumerations
                        for i in e.items
                        if i.text.endswith(ending) and len(i.text) > len(ending) + 1
                    ],
                    4.4,
                )
            )
            pools.append((self._before_suffix(ending), 4.3))
        if series.prefix:
            pools.append((self._after_prefix(series.prefix, series.suffix), 4.2))
            # "必须坚持人民至上" … : what the document says to adhere to elsewhere.
            bare = re.sub(r"^(?:必须|要|务必|始终|坚定不移)", "", series.prefix)
            if bare != series.prefix and len(bare) >= 2:
                pools.append((self._after_prefix(bare, series.suffix), 4.0))
        options: list[Option] = []
        seen = set(items)
        shared = _common_part(items) if self.zh else ""
        verbal = self.zh and sum(self._zh_verbal(t) for t in items) * 2 > len(items)
        # English: an act among acts, a thing among things ("adopt a problem-oriented
        # approach" is no "modernization of …").
        kinds = [] if self.zh else [wordclass.phrase_shape(t.split()) for t in items]
        kind = next((k for k in ("act", "act-ing", "thing") if kinds.count(k) * 2 > len(kinds)), "")
        allowed = set(kinds) - {""}
        # "在……上" five times: an outsider ends the same way.
        ends = {t[-1:] for t in items}
        one_end = ends.pop() if self.zh and len(ends) == 1 and items[0][-1:] in "上中下里" else ""
        if not self.zh:
            # English documents repeat few list frames: their other key phrases of the
            # items' shape stand in ("the people-centered approach" for a principle).
            pools.append((self._en_phrases(series), 3.9))
        shape = list_shape(items) if self.zh else ("", "")
        for texts, score in pools:
            for text in texts:
                if text in seen:
                    continue
                seen.add(text)
                if shared and shared not in text:
                    continue  # "进行伟大斗争、建设伟大工程": an outsider is a "伟大" thing too
                if self.zh and (
                    text[:1] in "也要还都就并而又这那其使让对把被从"
                    or self._zh_verbal(text) != verbal
                    or re.search(r"是|了|的一", text)
                    or (one_end and not text.endswith(one_end))
                ):
                    continue  # a word of the sentence, or an action among things
                if kind and wordclass.phrase_shape(text.split()) != kind:
                    continue
                if not self.zh and not kind and wordclass.phrase_shape(text.split()) not in allowed:
                    continue  # a mixed list: an outsider still has the shape of some item
                if self.zh and not (
                    fits_shape(text, shape, head_sizes(items, shape))
                    and fits_letters(text, shared_letters(items))
                ):
                    continue  # "物质文明和精神文明相协调" among "健全国家安全体系" …
                if (series.prefix and series.prefix in text) or (
                    series.suffix and series.suffix in text
                ):
                    continue
                size = len(text) if self.zh else len(text.split())
                if not low <= size <= high:
                    continue
                if ("、" in text) != with_pause:
                    continue
                if text in listed or any(text in i or i in text for i in items):
                    continue
                if self.zh and any(_bigrams(text) & _bigrams(i) for i in items):
                    continue  # "扩大高水平对外开放" beside "深化改革扩大开放": both could be right
                if self.lexicon.avoided(text):
                    continue
                if spec.gap_stem and not spec.negative_stem and self._said(series, text):
                    continue  # the text says this too: it could be right here
                options.append(Option(text, score, "parallel"))
        rng.shuffle(options)
        options.sort(key=lambda o: -o.score)
        return options

    def _en_phrases(self, series: Series) -> list[str]:
        """The document's key phrases of two to six words outside the series' sentences,
        with their article when the text gives one ("the systems concept")."""
        found: list[str] = []
        inside = set(series.sentences)
        for index, candidates in enumerate(self.analysis.candidates):
            if index in inside:
                continue
            for candidate in candidates:
                words = candidate.text.split()
                if candidate.type not in {PHRASE, ENUM_ITEM} or not 2 <= len(words) <= 6:
                    continue
                if not wordclass.noun_phrase(words):
                    continue
                before = self.doc.clean[max(0, candidate.start - 4) : candidate.start]
                article = re.search(r"\b(the|a|an)\s+$", before, re.I)
                found.append(
                    f"{article.group(1).lower()} {candidate.text}" if article else candidate.text
                )
        return found

    def _said(self, series: Series, text: str) -> bool:
        """Whether the document says ``text`` in the series' frame anywhere ("We must
        regard science and technology as …" in another paragraph)."""
        if self.zh:
            return (series.prefix + text + series.suffix) in self.doc.index()
        framed = " ".join(p for p in (series.prefix, text, series.suffix) if p)
        return framed.casefold() in self.doc.index(folded=True)

    def _before_suffix(self, suffix: str) -> list[str]:
        """What comes before ``suffix`` anywhere in the text ("两极分化" in
        "两极分化的现代化"), back to the last pause or copula."""
        key = ("", suffix)
        if key not in self._prefix_objects:
            if self.zh:
                pattern = re.compile(
                    r"([^，。；：！？、“”（）是了为在和与及]{2,14})" + re.escape(suffix)
                )
            else:
                pattern = re.compile(r"\b([a-z][a-z -]{2,40}?)" + re.escape(" " + suffix), re.I)
            self._prefix_objects[key] = [
                m.group(1).strip() for m in pattern.finditer(self.doc.clean)
            ]
        return self._prefix_objects[key]

    def _after_prefix(self, prefix: str, suffix: str = "") -> list[str]:
        """What follows ``prefix`` (and comes before ``suffix``) elsewhere in the text."""
        if (prefix, suffix) not in self._prefix_objects:
            body = r"([^，。；：！？、]{2,20}?)" if self.zh else r"\s+([^,.;:!?]{3,80}?)"
            end = (
                re.escape(suffix)
                if suffix
                else (r"(?=[，。；：！？]|$)" if self.zh else r"(?=[,.;:!?]|$)")
            )
            pattern = re.compile(re.escape(prefix) + body + end)
            self._prefix_objects[(prefix, suffix)] = [
                m.group(1).strip() for m in pattern.finditer(self.doc.clean)
            ]
        return self._prefix_objects[(prefix, suffix)]

    # --- one key point -----------------------------------------------------------------

    def drafts(self, ctx: Context, sentence: Sentence, rng: random.Random) -> list[Built]:
        """Every acceptable draft for the key point at ``sentence`` (not yet chosen)."""
        out: list[Built] = []

        def add(built: Built | None) -> None:
            if built is not None:
                out.append(built)

        # Lists: series anchored here, then the sentence's own enumerations.
        for series in self.series_by_anchor.get(sentence.index, ()):
            spec = self.series_spec(series, sentence)
            if spec is None:
                continue
            outsiders = self.series_outsiders(series, spec, rng)
            listed = self.series_context(ctx, series)
            # A long list asks best which is NOT one of it; a short one, which are.
            long = len(spec.items) >= 5
            add(build_list_multiple(listed, spec, outsiders, rng, 0.66))
            add(build_list_not_one_of(listed, spec, outsiders, rng, 0.72 if long else 0.6))
        for enumeration in self._enumerations_in(sentence):
            spec = self.enumeration_spec(sentence, enumeration)
            if spec is None:
                continue
            outsiders = self.distractors.outsiders(enumeration, rng, k=4)
            long = len(spec.items) >= 5
            add(build_list_multiple(ctx, spec, outsiders, rng, 0.6))
            add(build_list_not_one_of(ctx, spec, outsiders, rng, 0.66 if long else 0.56))
        # Definitions.
        for definition in self.definitions_by_sentence.get(sentence.index, ()):
            roles = self.role_options(definition, rng)
            role = definition.role
            # Another role the document gives the same subject ("康庄大道" here, "必由之路"
            # there) is right too: it never stands as a distractor, and no blank is made.
            also = self._other_roles(definition)
            roles = [r for r in roles if r.text not in also]
            if len(roles) >= 3:
                add(build_single(ctx, sentence, role, roles, rng, 0.66))
            if len(role.text) >= 3 and not self._zh_generic(role.text) and not also:
                add(build_blank(ctx, sentence, role, rng, 0.6))
            subject = definition.subject
            if self.zh and 3 <= len(subject.text) <= 8 and not self._zh_generic(subject.text):
                add(build_blank(ctx, sentence, subject, rng, 0.6))
            swaps = [r for r in roles if not set(r.text) & set(role.text)]
            if swaps:
                # "重要基础" for "重要保障" is nearly the same claim; "根本保证" for "重要基础"
                # is clearly another.
                add(build_true_false(ctx, sentence, role, swaps[0], rng, 0.6))
            add(build_true_false(ctx, sentence, role, None, rng, 0.56))
        # Candidates of the sentence.
        # Judged in the order of what a kind of target is worth, until enough pass: the
        # best four are asked, and a judge's bonus (a known slogan, a repeated term) moves
        # a target by less than the step between kinds.
        ordered = sorted(
            self.analysis.candidates[sentence.index],
            key=lambda c: (-_TARGET_BASE.get(c.type, 0.45), -c.weight, c.start),
        )
        judged: list[Judged] = []
        for candidate in ordered:
            if len(judged) >= 6:
                break
            item = self.judge(sentence, candidate)
            if (
                item is not None
                and self._once(sentence, candidate)
                and self._constrained(candidate)
            ):
                judged.append(item)
        judged.sort(key=lambda j: (-j.base, -j.key.weight, j.key.start))
        for item in judged[:4]:
            key = item.key
            if not item.choice_only and (
                key.type not in {PHRASE, QUOTED} or self._short_enough(key)
            ):
                # "扣好人生第一粒扣子", a six-word quotation: many ways to write it, so a
                # long term is asked as a choice only.
                built = build_blank(ctx, sentence, key, rng, item.base)
                add(_with_reasons(built, item.reasons))
            options = self.options(key, rng) if not self._bounded(key) else []
            if len(options) >= 3:
                add(
                    _with_reasons(
                        build_single(ctx, sentence, key, options, rng, item.base), item.reasons
                    )
                )
        for item in judged[:3]:
            key = item.key
            if key.type in {NAME, PLACE}:
                continue
            swap = self.swap(key, rng)
            if swap is not None:
                add(build_true_false(ctx, sentence, key, swap, rng, item.base))
                add(build_true_false(ctx, sentence, key, None, rng, item.base - 0.04))
        return out

    def _constrained(self, key: Candidate) -> bool:
        """Whether the clause around a phrase says enough to pin it down: "全面推进____"
        or "健全基本____" has many right answers; a quoted term, a number, a list item or a
        definition's parts are pinned by their own frame."""
        if key.type != PHRASE:
            return True
        clean = self.doc.clean
        stops = "，；。：！？、" if self.zh else ",;.:!?"
        start = key.start
        while start > 0 and clean[start - 1] not in stops and key.start - start < 60:
            start -= 1
        end = key.end
        while end < len(clean) and clean[end] not in stops and end - key.end < 60:
            end += 1
        context = (clean[start : key.start] + clean[key.end : end]).strip()
        if self.zh:
            return len(context) >= 6
        return len(re.findall(r"[A-Za-z]+", context)) >= 4

    def _enumerations_in(self, sentence: Sentence) -> list[Enumeration]:
        seen = {c.enumeration for c in self.analysis.candidates[sentence.index]}
        return [self.analysis.enumerations[i] for i in sorted(i for i in seen if i is not None)][:2]

    def _once(self, sentence: Sentence, key: Candidate) -> bool:
        """The key occurs once in its sentence (else the stem would show it anyway)."""
        if self.zh:
            return sentence.text.count(key.text) == 1
        pattern = rf"(?<![A-Za-z0-9]){re.escape(key.text)}(?![A-Za-z0-9])"
        return len(re.findall(pattern, sentence.text, re.IGNORECASE)) == 1


# Kinds of role a definition gives, by the role's last word.
_ROLE_CLASSES = {
    "time": ("时期", "阶段", "关口", "时刻", "节点", "年"),
    "way": ("之路", "道路", "方案", "方式", "途径", "办法", "路径", "形式", "举措"),
    "force": ("动力", "力量", "引擎", "源泉", "力"),
    "base": ("基础", "基石", "保证", "保障", "支撑", "根基", "前提", "条件", "基础和关键", "根本"),
    "aim": ("目标", "任务", "目的", "使命", "要务", "大计", "工程", "追求", "宗旨"),
    "nature": ("特征", "要求", "属性", "特色", "标志", "体现", "本质", "真谛", "灵魂", "品格"),
    "asset": ("法宝", "资源", "财富", "优势", "创造", "成果", "结晶"),
    "threat": ("威胁", "风险", "挑战", "危险"),
    # An institution is not a doctrine: "制度安排" and "正确理论" are not stand-ins.
    "institution": ("制度", "制度安排", "体制", "渠道", "机构"),
    "doctrine": ("理论", "思想", "学说", "主义"),
    "polity": ("政党", "国家", "民主"),
    "change": ("革命", "变革"),
}


@functools.lru_cache(maxsize=16_384)
def role_class(role: str) -> str:
    """The kind of role ("time", "way", "force" …), or "" when it is none of these."""
    best, size = "", 0
    for name, endings in _ROLE_CLASSES.items():
        for ending in endings:
            if role.endswith(ending) and len(ending) > size:
                best, size = name, len(ending)
    return best


_PERSON_ENDINGS = (
    "者",
    "兄弟",
    "人",
    "民族",
    "政党",
    "同胞",
    "队伍",
    "干部",
    "公仆",
    "人民",
    "人才",
)


def _person(text: str) -> bool:
    return text.endswith(_PERSON_ENDINGS)


_NUMERALS = set("零〇○一二两三四五六七八九十百千万0123456789")


def _only_numerals_differ(a: str, b: str) -> bool:
    differ = [(x, y) for x, y in zip(a, b, strict=True) if x != y]
    return bool(differ) and all(x in _NUMERALS and y in _NUMERALS for x, y in differ)


# Verbs that open a task in any section ("健全……", "加快……"): sharing one is no overlap.
_ZH_TASK_VERBS = frozenset(
    [
        "加强",
        "健全",
        "完善",
        "推进",
        "深化",
        "实施",
        "提高",
        "坚持",
        "推动",
        "加快",
        "扩大",
        "全面",
        "积极",
        "扎实",
        "着力",
        "大力",
        "深入",
        "构建",
        "建设",
        "发展",
        "促进",
        "优化",
        "强化",
        "增强",
        "提升",
        "落实",
        "坚决",
        "持续",
        "稳步",
        "更好",
        "统筹",
    ]
)


def _en_frame_says_something(context: str) -> bool:
    """Whether an English list's frame says more than a subject and its modal: "We will
    (   )." asks nothing; "Exports of the (   ) grew" does."""
    frame = re.sub(
        r"^(?:we|it|they|this|these|china|the party)\s+(?:will|must|should|shall|need to"
        r"|is|are)\s*",
        "",
        context.strip(),
        flags=re.I,
    )
    return len(frame.split()) >= 3


def _bigrams(text: str) -> set[str]:
    """The content words of a Chinese phrase ("扩大高水平对外开放" → 高水平, 对外, 开放),
    leaving out the verbs every task opens with and the generic nouns."""
    return {
        w
        for w in _longest_words(text)
        if len(w) >= 2 and w not in _ZH_TASK_VERBS and w not in _ZH_GENERIC
    }


def _frame_inside_items(doc: Document, enumeration: Enumeration) -> bool:
    """Whether the words around a list also stand inside some of its items, so that a gap
    in the list's place would read wrong: the text before the first item ("区域") opens
    another item too, or the word after the last ("战略") ends another."""
    items = [i.text for i in enumeration.items]
    before = doc.clean[max(0, enumeration.start - 2) : enumeration.start]
    after = doc.clean[enumeration.end : enumeration.end + 2]
    inner = items[1:-1] or items
    return bool(
        (len(after) == 2 and is_cjk(after) and any(t.endswith(after) for t in inner))
        or (len(before) == 2 and is_cjk(before) and any(t.startswith(before) for t in items[1:]))
    )


def _cut_last_item(doc: Document, enumeration: Enumeration) -> bool:
    """The last item is shorter than every other and the clause runs on after it with no
    pause: "发展为了人民、发展依靠人民、发展成果|由人民共享" lists three clauses, and the
    third was cut from its predicate."""
    items = [i.text for i in enumeration.items]
    if len(items) < 3 or len(items[-1]) + 2 > min(len(t) for t in items[:-1]):
        return False
    following = doc.clean[enumeration.items[-1].end : enumeration.items[-1].end + 1]
    return bool(following) and is_cjk(following) and following not in "的等和与"


def _last_item_modifies(doc: Document, enumeration: Enumeration) -> bool:
    """The list runs straight on into a noun ("青年突击队、青年文明号、青年安全|生产示范岗"):
    its last item is cut out of a longer name."""
    from quizzes.generation.distractors import opening_class

    end = enumeration.items[-1].end
    following = doc.clean[end : end + 4]
    if not following or not is_cjk(following[0]) or following[0] in "的等和与及":
        return False
    sizes = [len(i.text) for i in enumeration.items[:-1]]
    return (
        len(enumeration.items[-1].text) <= min(sizes) and opening_class(following + "之") == "noun"
    )


def _common_part(texts: list[str]) -> str:
    """The longest run of two or more characters that every text holds, or ""."""
    shortest = min(texts, key=len)
    for size in range(len(shortest), 1, -1):
        for start in range(len(shortest) - size + 1):
            part = shortest[start : start + size]
            if all(part in t for t in texts):
                return part
    return ""


def _longest_words(text: str) -> list[str]:
    from quizzes.generation.segment import dictionary_words

    return list(dictionary_words(text))


def _with_reasons(built: Built | None, reasons: tuple[str, ...]) -> Built | None:
    if built is None or not reasons:
        return built
    from dataclasses import replace

    merged = tuple(dict.fromkeys((*built.reasons, *reasons)))
    return replace(built, reasons=merged)
