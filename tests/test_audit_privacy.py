"""Evidence masks buyers' personal data, keeps the violation visible and every offset."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from guard.audit.privacy import Privacy, mask_private
from guard.audit.run import audit_to_report
from guard.cli import main


@pytest.mark.parametrize(("text", "masked"), [
    ("我住在北京市朝阳区建国路88号 电话13812345678",
     "我住在北京市朝阳区****** 电话138****5678"),
    ("收件人王小明，地址：上海市浦东新区张江镇科苑路399号3号楼502室",
     "收件人王**，地址：上海市浦东新区*****************"),
    ("能加微信吗 我138-1234-5678", "能加微信吗 我138-****-5678"),
    ("我叫李娜，身份证110101199003071234", "我叫李*，身份证1101************34"),
    ("我是张伟", "我是张*"),
    ("我是想问一下什么时候发货", "我是想问一下什么时候发货"),  # no name after 我是
    ("11月3号能到吗", "11月3号能到吗"),                          # a date, not an address
    ("邮箱 abc123@qq.com 固话 010-87654321", "邮箱 a*****@qq.com 固话 010-****4321"),
])
def test_buyer_lines(text: str, masked: str, guard) -> None:
    assert mask_private(text, "buyer", Privacy(guard)) == masked
    assert len(masked) == len(text)


@pytest.mark.parametrize(("text", "masked"), [
    # the agent hands out their own number: that IS the violation, it stays
    ("我手机 13812345678，有事打给我", "我手机 13812345678，有事打给我"),
    # the agent reads the buyer's data back: masked
    ("好的，收件人张三，您的手机号13812345678，地址杭州市西湖区文三路100号，对吗",
     "好的，收件人张*，您的手机号138****5678，地址杭州市西湖区*******，对吗"),
    ("收货电话 +86 138 1234 5678 已经改好了", "收货电话 +86 138 **** 5678 已经改好了"),
    ("亲 这个型号是 QX-30，和 V8 Pro 不通用哦", "亲 这个型号是 QX-30，和 V8 Pro 不通用哦"),
    ("北京东路的仓库发货", "北京东路的仓库发货"),
])
def test_agent_lines(text: str, masked: str, guard) -> None:
    assert mask_private(text, "agent", Privacy(guard)) == masked


def test_an_address_never_hides_an_agents_violation(guard) -> None:
    text = "去淘宝路88号店拍"
    span = (text.index("淘宝"), text.index("淘宝") + 2)
    masked = mask_private(text, "agent", Privacy(guard), [span])
    assert masked[span[0]:span[1]] == "淘宝"


def test_evidence_in_reports(tmp_path: Path, guard) -> None:
    rows = [
        {"role": "buyer",
         "text": "收件人王小明，电话13812345678，地址上海市浦东新区张江镇科苑路399号3号楼502室"},
        {"role": "agent", "text": "好的，收件人王小明，您的手机号13812345678，对吗"},
        {"role": "agent", "text": "我手机 13900001111，加我微信 wxabc123 聊"},
    ]
    path = tmp_path / "log.jsonl"
    with path.open("w", encoding="utf-8") as out:
        for index, row in enumerate(rows):
            out.write(json.dumps({"shop": "店铺A", "agent": "客服1", "conversation": "C1",
                                  "time": f"2026-11-01T10:0{index}:00+08:00", **row},
                                 ensure_ascii=False) + "\n")
    for role in ("agent", "all"):
        report = audit_to_report([str(path)], role=role, guard=guard)
        dumped = json.dumps(report.to_dict(), ensure_ascii=False)
        assert "13812345678" not in dumped and "王小明" not in dumped
        assert "科苑路" not in dumped
        assert "13900001111" in dumped and "wxabc123" in dumped  # the agent's own: evidence
        for finding in report.findings:
            assert finding.text == finding.message[finding.start:finding.end]
            assert len(finding.masked) == len(finding.message)
    buyer = [f for f in report.findings if f.role == "buyer"]
    assert buyer and all("138****5678" in f.message for f in buyer)


def test_a_buyers_phone_in_numerals_or_circled_digits_is_masked(tmp_path: Path, guard) -> None:
    """With --role all, the recognizers' registry says what is personal, whatever the spelling."""
    texts = ["我电话一三八一二三四五六七八，快点发货", "我手机①③⑨①②③④⑤⑥⑦⑧，到了打我",
             "号码前三位138，中间1234，最后5678"]
    path = tmp_path / "log.jsonl"
    with path.open("w", encoding="utf-8") as out:
        for index, text in enumerate(texts):
            out.write(json.dumps({"shop": "店铺A", "agent": "客服1", "conversation": "C1",
                                  "time": f"2026-11-01T10:0{index}:00+08:00", "role": "buyer",
                                  "text": text}, ensure_ascii=False) + "\n")
    report = audit_to_report([str(path)], role="all", guard=guard)
    buyer = [f for f in report.findings if f.role == "buyer"]
    assert len({f.message for f in buyer}) == 3
    dumped = json.dumps(report.to_dict(), ensure_ascii=False)
    for secret in ("一二三四", "②③④⑤", "1234"):
        assert secret not in dumped
    for finding in buyer:
        assert finding.text == finding.message[finding.start:finding.end]


@pytest.mark.parametrize(("text", "secret"), [
    ("我电话一三八一二三四五六七八", "一二三四"),
    ("我的号码①③⑧①②③④⑤⑥⑦⑧", "①②③④"),
    ("手机壹叁捌壹贰叁肆伍陆柒捌", "壹贰叁肆"),
    ("我手机前三位138，中间1234，后四位5678", "1234"),
    ("我邮箱 tony 艾特 163 点 com", "tony"),
    ("邮箱 abc123 at qq 点 com", "abc123"),
    # no finding (an order word is nearer), yet a buyer's mobile shape: still theirs
    ("订单号13812345678查一下", "13812345678"),
])
def test_a_buyers_number_is_masked_however_written(text: str, secret: str, guard) -> None:
    """The registry's personal units say what a phone or e-mail is (no second pattern)."""
    masked = mask_private(text, "buyer", Privacy(guard))
    assert secret not in masked and len(masked) == len(text)
    assert "*" in masked


def test_the_engine_and_privacy_agree_on_a_phone(guard) -> None:
    """Whatever the engine finds as a buyer's number, privacy masks (same registry)."""
    privacy = Privacy(guard)
    for text in ("电话幺三八幺二三四五六七八", "打我①③⑨①②③④⑤⑥⑦⑧",
                 "我手机前三位138，中间1234，后四位5678"):
        found = [f for f in guard.check(text).findings if f.rule in
                 ("phone", "assembled_number")]
        assert found, text
        masked = mask_private(text, "buyer", privacy)
        for f in found:
            assert "*" in masked[f.start:f.end]


def test_numbers_in_reports_json_html_and_neighbour_lines(tmp_path: Path, guard) -> None:
    """--role all: a buyer's phone or e-mail however written is masked in the JSON and the
    HTML evidence, and in the neighbour lines shown beside an agent's finding."""
    buyer = ["我电话一三八一二三四五六七八，快点发货", "我的号码①③⑧①②③④⑤⑥⑦⑧",
             "手机壹叁捌壹贰叁肆伍陆柒捌", "我手机前三位138，中间1234，后四位5678",
             "邮箱 abc123 at qq 点 com", "订单号13812345678查一下"]
    rows = [{"role": "buyer", "text": text} for text in buyer]
    rows.append({"role": "agent", "text": "加我微信 wxhello88 聊"})
    path = tmp_path / "log.jsonl"
    with path.open("w", encoding="utf-8") as out:
        for index, row in enumerate(rows):
            out.write(json.dumps({"shop": "店铺A", "agent": "客服1", "conversation": "C1",
                                  "time": f"2026-11-01T10:0{index}:00+08:00", **row},
                                 ensure_ascii=False) + "\n")
    secrets = ("一二三四", "①②③④", "壹贰叁肆", "1234", "abc123", "13812345678")
    page, data = tmp_path / "r.html", tmp_path / "r.json"
    assert main(["audit", str(path), "--quiet", "--role", "all", "--json", str(data),
                 "--html", str(page)]) == 1
    for role in ("agent", "all"):
        report = audit_to_report([str(path)], role=role, guard=guard)
        dumped = json.dumps(report.to_dict(), ensure_ascii=False)
        assert "wxhello88" in dumped  # the agent's own: evidence
        agent = [f for f in report.findings if f.role == "agent"]
        assert agent and agent[0].context  # the buyer's lines shown beside it
        for secret in secrets:
            assert secret not in dumped, (role, secret)
    for written in (page, data):
        shown = written.read_text(encoding="utf-8")
        assert "wxhello88" in shown
        for secret in secrets:
            assert secret not in shown, (written.name, secret)
