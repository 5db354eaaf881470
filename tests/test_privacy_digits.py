"""Privacy masks a buyer's number in every spelling the engine reads as digits.

What a digit is, the recognizers' registry says (`personal_digits`: the digit
view's numerals from lexicons/normalize.toml, unicodedata's circled, styled
and full-width digits, letters standing for digits and spoken digits from
lexicons/numbers.toml): one table of spellings, each masked in the evidence
of `guard audit --role all` (JSON and HTML) and in the neighbour lines beside
an agent's finding; and privacy and the engine agree on what is a number.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from guard import Guard
from guard.audit.privacy import Privacy, mask_private
from guard.audit.run import audit_to_report
from guard.cli import main
from guard.recognizers import PERSONAL

# (the number as written, as masked): the first three and last four digits stay.
SPELLINGS = [
    ("13812345678", "138****5678"),
    ("１３８２２３４５６７８", "１３８****５６７８"),
    ("一三八三二三四五六七八", "一三八****五六七八"),
    ("壹叁捌肆贰叁肆伍陆柒捌", "壹叁捌****伍陆柒捌"),
    ("幺三八幺五三四五六七八", "幺三八****五六七八"),
    ("一三八兩兩三四五六七八", "一三八****五六七八"),
    ("一三九洞拐三四五六七八", "一三九****五六七八"),
    ("一三八〇〇零〇五六七八", "一三八****五六七八"),
    ("①③⑧⑥②③④⑤⑥⑦⑧", "①③⑧****⑤⑥⑦⑧"),
    ("①③⑨⓪⓪⓪⓪⑤⑥⑦⑧", "①③⑨****⑤⑥⑦⑧"),
    ("❶❸❽❼❷❸❹❺❻❼❽", "❶❸❽****❺❻❼❽"),
    ("➀➂➇➇➁➂➃➄➅➆➇", "➀➂➇****➄➅➆➇"),
    ("⓵⓷⓼⓽⓶⓷⓸⓹⓺⓻⓼", "⓵⓷⓼****⓹⓺⓻⓼"),
    ("⑴⑶⑻⑴⑵⑶⑷⑸⑹⑺⑻", "⑴⑶⑻****⑸⑹⑺⑻"),
    ("⒈⒊⒏⒈⒉⒊⒋⒌⒍⒎⒏", "⒈⒊⒏****⒌⒍⒎⒏"),
    ("𝟏𝟑𝟖𝟏𝟐𝟑𝟒𝟓𝟔𝟕𝟖", "𝟏𝟑𝟖****𝟓𝟔𝟕𝟖"),
    ("𝟙𝟛𝟠𝟙𝟚𝟛𝟜𝟝𝟞𝟟𝟠", "𝟙𝟛𝟠****𝟝𝟞𝟟𝟠"),
    ("¹³⁸¹²³⁴⁵⁶⁷⁸", "¹³⁸****⁵⁶⁷⁸"),
    ("13８一二三四5678", "13８****5678"),
    ("一三八 九二三四 五六七八", "一三八 **** 五六七八"),
    ("138-１２３４-伍陆柒捌", "138-****-伍陆柒捌"),
    ("l38l2345678", "l38****5678"),
    ("１３８０Ｏ００５６７８", "１３８****５６７８"),
    ("yao san ba yao er san si wu liu qi ba", "yao san ba *** ** *** ** wu liu qi ba"),
    ("one three eight one two three four five six seven eight",
     "one three eight *** *** ***** **** five six seven eight"),
    # a word said for two or three digits is hidden whole where one of them is
    ("one three nine double zero triple four five six seven",
     "one three nine ****** **** ****** **** five six seven"),
]


def _line(number: str) -> str:
    return f"我电话 {number} ，到了打我"


@pytest.mark.parametrize(("written", "masked"), SPELLINGS)
def test_a_buyers_number_is_masked_in_every_spelling(written: str, masked: str,
                                                     guard: Guard) -> None:
    privacy = Privacy(guard)
    assert mask_private(_line(written), "buyer", privacy) == _line(masked)


@pytest.mark.parametrize(("written", "masked"), SPELLINGS)
def test_an_agent_reading_it_back_masks_it_too(written: str, masked: str, guard: Guard) -> None:
    text = f"好的，您的手机号 {written} ，对吗"
    assert mask_private(text, "agent", Privacy(guard)) == f"好的，您的手机号 {masked} ，对吗"


@pytest.mark.parametrize(("written", "masked"), SPELLINGS)
def test_privacy_and_the_engine_agree_on_a_number(written: str, masked: str,
                                                  guard: Guard) -> None:
    """Same inputs, same verdict: what the engine finds as a personal number, privacy
    recognizes at the same span under the same rule, and nothing else."""
    text = _line(written)
    found = sorted((f.start, f.end, f.rule) for f in guard.check(text).findings
                   if f.rule in PERSONAL)
    assert found and found == sorted(Privacy(guard).spans(text))


@pytest.mark.parametrize("text", [
    "一会儿就到，两个都要", "13:00-15:00都在", "手机 ١٣٨١٢٣٤٥٦٧٨", "价格1380元，三天内发",
    "第一二三四五六七八九十名", "电话 138 1234 5678 1", "我要一二三四号的", "yao一下",
    "one two three, go",
])
def test_privacy_and_the_engine_agree_on_no_number(text: str, guard: Guard) -> None:
    assert not [f for f in guard.check(text).findings if f.rule in PERSONAL]
    assert Privacy(guard).spans(text) == []


def test_only_privacy_is_broader_where_documented(guard: Guard) -> None:
    """A mobile shape beside an order word, a card failing Luhn: no finding, yet masked."""
    for text in ("订单号13812345678查一下", "卡号6222020200112233445"):
        assert not [f for f in guard.check(text).findings if f.rule in PERSONAL]
        assert Privacy(guard).spans(text)


def _write(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8") as out:
        for index, row in enumerate(rows):
            out.write(json.dumps({"shop": "店铺A", "agent": "客服1", "time":
                                  f"2026-11-01T10:{index // 60:02d}:{index % 60:02d}+08:00",
                                  **row}, ensure_ascii=False) + "\n")


def _hidden(written: str, masked: str) -> str:
    """The characters of `written` that masking hides (the digits between the ends)."""
    start = masked.index("*")
    end = masked.rindex("*") + 1
    return written[start:end]


def test_the_reports_mask_every_spelling(tmp_path: Path, guard: Guard) -> None:
    """`guard audit --role all`: each buyer line is a finding whose evidence (JSON, HTML)
    hides the middle digits; with --role agent, the same lines shown beside the agent's
    finding hide them as well."""
    rows: list[dict[str, str]] = []
    for index, (written, _) in enumerate(SPELLINGS):
        rows.append({"conversation": f"C{index}", "role": "buyer", "text": _line(written)})
        rows.append({"conversation": f"C{index}", "role": "agent", "text": "加我微信 wxhello88 聊"})
    path = tmp_path / "log.jsonl"
    _write(path, rows)
    page, data = tmp_path / "r.html", tmp_path / "r.json"
    assert main(["audit", str(path), "--quiet", "--role", "all", "--json", str(data),
                 "--html", str(page)]) == 1
    report = audit_to_report([str(path)], role="all", guard=guard)
    shown = {f.message for f in report.findings if f.role == "buyer"}
    assert shown == {_line(masked) for _, masked in SPELLINGS}
    for written_file in (page, data):
        content = written_file.read_text(encoding="utf-8")
        for written, masked in SPELLINGS:
            assert _hidden(written, masked) not in content, (written_file.name, written)
    agent = audit_to_report([str(path)], role="agent", guard=guard)
    dumped = json.dumps(agent.to_dict(), ensure_ascii=False)
    assert "wxhello88" in dumped
    assert len({f.line for f in agent.findings}) == len(SPELLINGS)
    assert all(f.context for f in agent.findings)  # the buyer's line shown beside it
    for written, masked in SPELLINGS:
        assert _hidden(written, masked) not in dumped, written
