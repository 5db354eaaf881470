"""The rule language (lexicons/rules.toml): every rule's examples, its errors, its matching."""

from __future__ import annotations

import bisect
import itertools
import random
from pathlib import Path

import pytest

from guard import Guard, LexiconError
from guard.lexicon import load_lexicon
from guard.rulematch import ConceptHit, latin_counts, match_rule
from guard.rules import expand
from guard.verdict import RANK

LEXICON = load_lexicon()
REPORTING = [r for r in LEXICON.rules if r.effect == "report"]
EXAMPLES = [(rule, text) for rule in REPORTING for text in rule.examples]
NOT_EXAMPLES = [(rule, text) for rule in LEXICON.rules for text in rule.not_examples]
# an allow rule's examples: what it excuses (a finding lowered to a warning, nothing blocked)
EXCUSED = [(rule, text) for rule in LEXICON.rules if rule.effect == "allow"
           for text in rule.examples]


def _id(value: object) -> str:
    return value.id if hasattr(value, "id") else str(value)[:20]


@pytest.mark.parametrize(("rule", "text"), EXAMPLES, ids=_id)
def test_each_rule_finds_its_examples(guard: Guard, rule, text: str) -> None:  # type: ignore[no-untyped-def]
    verdict = guard.check(text)
    assert RANK[verdict.verdict] >= RANK[rule.severity], (rule.source, verdict.to_dict())
    assert any(f.category == rule.category and RANK[f.severity] >= RANK[rule.severity]
               for f in verdict.findings), (rule.source, verdict.to_dict())
    assert all(text[f.start:f.end] == f.text for f in verdict.findings)


@pytest.mark.parametrize(("rule", "text"), NOT_EXAMPLES, ids=_id)
def test_each_rule_leaves_its_not_examples_alone(guard: Guard, rule, text: str) -> None:  # type: ignore[no-untyped-def]
    verdict = guard.check(text)
    assert rule.id not in {f.rule for f in verdict.findings}, (rule.source, verdict.to_dict())
    assert verdict.verdict != "block", (rule.source, verdict.to_dict())


@pytest.mark.parametrize(("rule", "text"), EXCUSED, ids=_id)
def test_each_allow_rule_excuses_its_examples(guard: Guard, rule, text: str) -> None:  # type: ignore[no-untyped-def]
    verdict = guard.check(text)
    assert verdict.verdict == "warn", (rule.source, verdict.to_dict())
    # lowered by an allow rule (this one, or another that holds there too)
    allowed = guard.compiled.lexicon.messages.reasons["allowed"].split("{term}")[-1]
    assert any(f.reason.endswith(allowed) for f in verdict.findings), (
        rule.source, verdict.to_dict())


def test_every_reporting_rule_has_examples_and_not_examples() -> None:
    assert REPORTING
    assert all(rule.examples and rule.not_examples for rule in REPORTING)


def test_alternatives_spell_out_in_order() -> None:
    assert expand("(您|你)(的|)电话") == ["您的电话", "您电话", "你的电话", "你电话"]
    assert expand("电话") == ["电话"]


def write(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "mine.toml"
    path.write_text(text, encoding="utf-8")
    return path


_CONCEPT = '[[concept]]\nid = "gift"\nterms = ["小礼物"]\n\n'


@pytest.mark.parametrize(("content", "line", "what"), [
    ('[[concept]]\nid = "gift"\nterm = ["x"]\n', 3, "unknown key 'term'"),
    ('[[concept]]\nid = "Gift!"\nterms = ["x"]\n', 2, "'id' must be a name"),
    ('[[concept]]\nid = "gift"\nterms = ["(a|b"]\n', 3, "unbalanced parentheses"),
    (_CONCEPT + '[[rule]]\nid = "r"\ncategory = "link"\nall = ["gift"]\nexamples = ["x"]\n'
     'windw = 3\n', 10, "unknown key 'windw'"),
    (_CONCEPT + '[[rule]]\nid = "r"\ncategory = "link"\nall = ["gfit"]\nexamples = ["x"]\n', 8,
     "unknown concept 'gfit'"),
    (_CONCEPT + '[[rule]]\nid = "r"\ncategory = "linkk"\nall = ["gift"]\nexamples = ["x"]\n', 7,
     "'category' must be one of"),
    (_CONCEPT + '[[rule]]\nid = "r"\ncategory = "link"\nall = ["gift"]\n', 5, "no examples"),
    (_CONCEPT + '[[rule]]\nid = "r"\ncategory = "link"\nall = ["gift"]\nexamples = ["x"]\n'
     'scope = "page"\n', 10, "'scope' must be one of"),
    (_CONCEPT + '[[rule]]\nid = "r"\neffect = "allow"\nall = ["gift"]\ndemotes = ["wechatt"]\n',
     9, "'wechatt' in 'demotes'"),
    (_CONCEPT + '[[rule]]\nid = "r"\ncategory = "link"\nof = ["gift"]\nat_least = 2\n'
     'examples = ["x"]\n', 9, "'at_least' must be"),
    ('format = 7\n', 1, "format 7"),
    (_CONCEPT + '[[rule]]\nid = "r"\ncategory = "link"\nall = ["gift"]\nrefused = ["gfit"]\n'
     'examples = ["x"]\n', 9, "unknown concept 'gfit' in 'refused'"),
])
def test_a_wrong_rule_file_names_file_and_line(tmp_path: Path, content: str, line: int,
                                               what: str) -> None:
    path = write(tmp_path, content)
    with pytest.raises(LexiconError) as caught:
        load_lexicon([tmp_path])
    message = str(caught.value)
    assert message.startswith(f"{path}:{line}:"), message
    assert what in message


def test_a_merchant_writes_a_rule(tmp_path: Path) -> None:
    write(tmp_path, '''format = 1
[[concept]]
id = "my_gift"
terms = ["小礼品", "(送|给)(您|你)(个|一个)赠品"]

[[concept]]
id = "my_review"
terms = ["好评", "五星"]

[[rule]]
id = "gift_for_review"
label = "好评送礼品"
category = "offplatform_trade"
all = ["my_gift", "my_review"]
window = 20
negatable = true
examples = ["五星好评，送您个赠品"]
not_examples = ["赠品随货发出"]
''')
    guard = Guard([tmp_path], use_cache=False)
    verdict = guard.check("五星好评，送您个赠品")
    assert verdict.verdict == "block"
    assert [f.rule for f in verdict.findings if f.category == "offplatform_trade"] == [
        "gift_for_review"]
    assert guard.check("赠品随货发出").verdict == "pass"
    assert guard.check("我们不做五星好评送您个赠品的事").verdict == "warn"


def test_matching_is_one_sweep_over_the_hits() -> None:
    """A rule over thousands of hits: matches are found left to right, none overlapping."""
    rule = next(r for r in LEXICON.rules if r.id == "review_reward")
    hits = []
    for k in range(5000):
        hits.append(ConceptHit(10 * k, 10 * k + 2, "review"))
        hits.append(ConceptHit(10 * k + 3, 10 * k + 4, "reward"))
    calls = []

    def segment(scope: str, position: int) -> int:
        calls.append(position)
        return 0

    grouped = {"review": hits[0::2], "reward": hits[1::2]}
    matches = match_rule(rule, grouped, segment)
    assert len(matches) == 5000
    assert len(calls) <= 2 * len(hits)
    assert all(a.end <= b.start for a, b in itertools.pairwise(matches))


def test_a_window_counts_a_latin_concept_word_by_its_syllables() -> None:
    """dianhua fawo (电话发我) is eleven letters: a third of a character each, it fits
    the ten characters 电话发我 would fit; letters of no concept word count in full."""
    rule = next(r for r in LEXICON.rules if r.id == "ask_their_phone")
    dense = "dianhuafawo"
    grouped = {"phone_item": [ConceptHit(0, 7, "phone_item")],
               "hand_over": [ConceptHit(7, 11, "hand_over")]}

    def segment(scope: str, position: int) -> int:
        return 0

    assert match_rule(rule, grouped, segment) == []
    latin = latin_counts(dense, [(0, 7), (7, 11)])
    assert latin is not None and latin[-1] == 11
    assert [m.end for m in match_rule(rule, grouped, segment, latin)] == [11]
    assert latin_counts(dense, []) is None
    # an id between the words is no concept word: it counts in full
    far = "dianhuaabcdefghijkfawo"
    grouped = {"phone_item": [ConceptHit(0, 7, "phone_item")],
               "hand_over": [ConceptHit(18, 22, "hand_over")]}
    assert match_rule(rule, grouped, segment, latin_counts(far, [(0, 7), (18, 22)])) == []


@pytest.mark.parametrize(("text", "verdict"), [
    ("dian hua fa wo yi xia", "warn"), ("ni de shou ji hao duo shao", "warn"),
    ("Phone number 给一个", "warn"), ("dian hua ka duo shao qian", "pass"),
    ("ni hao, qing wen you shen me xu yao bang zhu de", "pass")])
def test_a_request_in_pinyin_or_english_is_one(guard: Guard, text: str, verdict: str) -> None:
    assert guard.check(text).verdict == verdict


def test_latin_text_of_no_concept_word_stretches_no_window(guard: Guard) -> None:
    """官网…更便宜 with an address between: the address keeps its own finding (a link, which
    site_tld_said — 官网 and DIAN com — may share), and 更便宜 stays out of every window."""
    findings = guard.check("官网 abcshop DIAN com 上更便宜").findings
    assert [f.category for f in findings] == ["link"]
    assert "abcshop DIAN com" in findings[0].text and "便宜" not in findings[0].text


def test_an_a_not_a_question_asks_and_refuses_nothing(guard: Guard) -> None:
    """`[negation] questions`: a refusal cue inside 方不方便 / 能不能 / 要不要 is none."""
    assert guard.check("方不方便加您微信").verdict == "block"
    assert guard.check("能不能留个您的微信").verdict == "block"
    assert guard.check("要不要加微信").verdict == "block"
    assert guard.check("不方便加您微信").verdict == "warn"
    assert guard.check("不能加微信哦").verdict == "warn"


def test_a_merchant_adds_a_question(tmp_path: Path) -> None:
    write(tmp_path, 'format = 1\n[negation]\nquestions = ["不加不加"]\n')
    lexicon = load_lexicon([tmp_path])
    assert "不加不加" in lexicon.negation_excuses and "方不方便" in lexicon.negation_excuses


def test_a_refused_request_lowers_the_rule(guard: Guard) -> None:
    """A refusal before a word of a `refused` concept, or reaching into the first word:
    a block becomes a warning, a warning is dropped."""
    assert guard.check("您的微信不用给我，在这里说就行").verdict == "warn"
    assert guard.check("我们不提供QQ，售后在这里处理").verdict == "warn"
    assert "ask_their_phone" not in {f.rule for f in guard.check("您的手机号不用告诉我").findings}
    assert guard.check("您的微信给我，我加您").verdict == "block"


def test_the_concepts_a_message_keeps_are_all_its_possible_rules_look_at(guard: Guard) -> None:
    """`RuleIndex.wanted` lets a message drop the words of concepts no rule it could
    start looks at: it must hold every concept of every rule `present` could give."""
    index = guard.compiled.rule_index
    names = sorted({n for rule in index.rules for n in rule.concepts})
    # every concept and pair, every rule's own concepts, and a fixed sample of a few
    # rules' concepts together with stray ones (all combinations of five grow as the
    # fifth power of the concepts: 46 million of 224)
    sample = random.Random(12)
    rules = [rule.concepts for rule in index.rules]
    sets = [*itertools.combinations(names, 1), *itertools.combinations(names, 2), *rules,
            *({c for chosen in sample.sample(rules, size) for c in chosen}
              | set(sample.sample(names, size)) for size in (1, 2, 3) for _ in range(2000))]
    made = 0
    for present in sets:
        wanted = index.wanted(set(present))
        for effect in ("report", "allow"):
            for rule in index.present(set(present), effect):
                made += 1
                assert set(rule.concepts) | set(rule.refused) <= wanted, rule.id
    assert made > 5000  # the sets do start rules


@pytest.mark.parametrize("text", [
    "加我vx：abc_123。去某宝拍！转账给我？好评返现5元\nwww.abc.cn",
    "。。好评返现，加我微信！！",
    "好评返现 5 元；   加 我 微 信。转账给我",
    "🐧号码在这。好评返🧧，微信🐱转我",
])
def test_sentences_read_on_the_dense_view_are_those_of_the_original(guard: Guard,
                                                                   text: str) -> None:
    """A rule's sentence scope is read by dense position against the sentence marks
    mapped into the dense view once: the same sentence as mapping each position back."""
    from guard.confirm import LazyTokenizer
    from guard.message_state import MessageState
    from guard.normalize import normalize
    from guard.rule_findings import _SENTENCE_END, _sentence_ends

    dense = normalize(text, guard.compiled.tables)
    message = MessageState(text, dense, guard.compiled, LazyTokenizer(()))
    marks = [m.start() for m in _SENTENCE_END.finditer(text)]
    ends = _sentence_ends(message)
    for position in range(len(dense)):
        original = message.offsets.span(position, position + 1)[0]
        assert (bisect.bisect_right(ends, position)
                == bisect.bisect_right(marks, original)), position


def test_a_masked_span_keeps_an_unless_word_in_reach(guard: Guard) -> None:
    """A masked span is wide in the dense view; the word that excused a rule before the
    span was masked still excuses it after (rulematch.mask_counts)."""
    from guard.rulematch import mask_counts

    assert mask_counts("ab") is None
    assert mask_counts("a██b") == [0, 0, 1, 2, 2]
    text = "惊喜包裹里扫二维码教程"
    masked = guard.check(text).masked
    assert "█" in masked and guard.check(masked).verdict == "pass"
    assert guard.check("惊喜包裹里扫一下").verdict == "block"  # no excuse: scan_card
