"""Review: the baseline of judged findings, written, marked in the HTML report, read back."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest

from guard.audit.baseline import finding_key, load_baseline, normalized
from guard.cli import main
from guard.errors import UsageError
from tests.chromium import headless_chromium

MESSAGES = [  # (shop, agent, text)
    ("店铺A", "客服1", "亲，加我微信聊吧"),
    ("店铺A", "客服2", "直接转账给我就行"),
    ("店铺B", "客服3", "加我 ｖ ｘ 发你图"),
]


def write_log(path: Path, messages: list[tuple[str, str, str]]) -> Path:
    lines = [json.dumps({"shop": shop, "agent": agent, "conversation": f"c{i}",
                         "time": f"2026-11-03T10:{i:02d}:00+08:00", "role": "agent",
                         "text": text}, ensure_ascii=False)
             for i, (shop, agent, text) in enumerate(messages)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def audit(*args: str) -> int:
    return main(["audit", *args, "--quiet"])


def test_keys_hold_no_text_and_see_through_spellings() -> None:
    assert normalized("Ｖ x") == normalized("vX") == "vx"
    assert normalized("138-1234-5678") == "13812345678"
    key = finding_key("wechat", "微信", "店铺A")
    assert key.startswith("wechat|") and key.endswith("|店铺A") and "微信" not in key
    assert finding_key("wechat", "ＶＸ", "店铺A") == finding_key("wechat", "v x", "店铺A")
    assert finding_key("wechat", "vx", "店铺A") != finding_key("wechat", "vx", "店铺B")


def test_write_baseline_then_reviews_decide_what_is_new(tmp_path: Path) -> None:
    log = write_log(tmp_path / "log.jsonl", MESSAGES)
    base = tmp_path / "baseline.json"
    assert audit(str(log), "--write-baseline", str(base)) == 1
    raw = base.read_text(encoding="utf-8")
    assert "微信" not in raw and "转账" not in raw and "ｖ" not in raw  # no message text
    data = json.loads(raw)
    assert data["kind"] == "guard-baseline"
    assert {e["review"] for e in data["entries"]} == {"pending"}
    assert len(data["entries"]) >= 3
    # pending entries are not reviews: everything is still new
    assert audit(str(log), "--baseline", str(base)) == 1
    for entry in data["entries"]:
        entry["review"] = "violation" if entry["shop"] == "店铺A" else "not_violation"
    base.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "report.json"
    assert audit(str(log), "--baseline", str(base), "--json", str(out)) == 0
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["baseline"]["new"] == {"block": 0, "warn": 0}
    assert sum(report["baseline"]["reviewed"].values()) == len(report["findings"])
    assert {f["review"] for f in report["findings"] if f["shop"] == "店铺B"} == {"not_violation"}
    # a new message is new again, whatever was reviewed
    write_log(log, [*MESSAGES, ("店铺A", "客服1", "好评返现5元")])
    assert audit(str(log), "--baseline", str(base)) == 1
    # the reviews travel on: a baseline written with --baseline keeps them
    again = tmp_path / "again.json"
    audit(str(log), "--baseline", str(base), "--write-baseline", str(again))
    reviews = {e["key"]: e["review"] for e in json.loads(again.read_text())["entries"]}
    assert sorted(set(reviews.values())) == ["not_violation", "pending", "violation"]


@pytest.mark.parametrize(("content", "message"), [
    ("{", "不是有效的 JSON"), ('{"entries": []}', "不是 guard 基线文件"),
    ('{"kind": "guard-baseline", "entries": [{"key": "k"}]}', "第 1 条不完整"),
    ('{"kind": "guard-baseline", "entries": [{"key": "k", "rule": "r", "shop": "s", '
     '"review": "ok"}]}', "review 应为"),
])
def test_a_broken_baseline_is_a_usage_error(tmp_path: Path, content: str, message: str,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    base = tmp_path / "b.json"
    base.write_text(content, encoding="utf-8")
    with pytest.raises(UsageError, match=message):
        load_baseline(str(base))
    log = write_log(tmp_path / "log.jsonl", MESSAGES)
    assert audit(str(log), "--baseline", str(base)) == 2
    assert message in capsys.readouterr().err


# ---------------------------------------------------------------- in a real browser


def test_the_round_trip_in_a_real_browser(tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    log = write_log(tmp_path / "log.jsonl", MESSAGES)
    base, page = tmp_path / "baseline.json", tmp_path / "report.html"
    assert audit(str(log), "--write-baseline", str(base), "--html", str(page)) == 1
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    driver, profile = headless_chromium("1400,1800", downloads)
    try:
        driver.get(page.as_uri())
        rows = driver.find_elements(By.CSS_SELECTOR, "tr.finding")
        wechat = [r for r in rows if r.get_attribute("data-rule") == "wechat"
                  and "店铺B" in r.text]
        assert wechat, [r.text for r in rows]
        wechat[0].find_element(By.CSS_SELECTOR, "button[data-review='not_violation']").click()
        assert wechat[0].get_attribute("data-review") == "not_violation"
        candidates = driver.find_element(By.ID, "allow-candidates").text
        assert "ｖ ｘ" in candidates and "微信" in candidates
        assert "phrases = [" in driver.find_element(By.ID, "allow-toml").text
        assert "不违规 1" in driver.find_element(By.ID, "review-counts").text
        driver.save_screenshot(str(tmp_path / "review.png"))
        driver.find_element(By.ID, "download-baseline").click()
        saved = downloads / "guard-baseline.json"
        deadline = time.monotonic() + 20
        while not saved.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert saved.exists(), list(downloads.iterdir())
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
    reviews = {e["key"]: e["review"] for e in json.loads(saved.read_text())["entries"]}
    assert list(reviews.values()).count("not_violation") == 1
    # re-audit: the marked finding is reviewed, not new; the others still are
    out = tmp_path / "report.json"
    assert audit(str(log), "--baseline", str(saved), "--json", str(out)) == 1
    findings = json.loads(out.read_text(encoding="utf-8"))["findings"]
    marked = [f for f in findings if f["shop"] == "店铺B" and f["rule"] == "wechat"]
    assert marked and {f["review"] for f in marked} == {"not_violation"}
    # --fail-on ignores it: a log of the marked message alone passes with the baseline
    alone = write_log(tmp_path / "alone.jsonl", [MESSAGES[2]])
    assert audit(str(alone)) == 1
    assert audit(str(alone), "--baseline", str(saved)) == 0


# ---------------------------------------------------------------- the manager's views


NEIGHBOURS = [  # a conversation: the buyer gives a phone number, the agent breaks a rule
    {"shop": "店铺A", "agent": "客服1", "conversation": "c9", "time": "2026-11-04T09:00:00",
     "role": "buyer", "text": "我电话13912345678，快点发货"},
    {"shop": "店铺A", "agent": "客服1", "conversation": "c9", "time": "2026-11-04T09:00:30",
     "role": "agent", "text": "好的亲"},
    {"shop": "店铺A", "agent": "客服1", "conversation": "c9", "time": "2026-11-05T09:01:00",
     "role": "agent", "text": "加我微信发你优惠"},
]


def test_the_html_views(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    log = tmp_path / "log.jsonl"
    log.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in NEIGHBOURS) + "\n"
                   + "\n".join(json.dumps({"shop": "店铺B", "agent": "客服3", "conversation":
                                           f"v{i}", "time": "2026-11-04T10:00:00",
                                           "role": "agent", "text": f"加 {v} 聊"},
                                          ensure_ascii=False)
                               for i, v in enumerate(["VX", "ｖ ｘ", "𝐯𝐱", "vx"])) + "\n",
                   encoding="utf-8")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1793500000")  # 2026-11-01 10:26 China time
    page = tmp_path / "r.html"
    assert audit(str(log.resolve()), "--html", str(page)) == 1
    html = page.read_text(encoding="utf-8")
    assert "聊天记录日期：2026-11-04 至 2026-11-05" in html
    assert "报告生成：2026-11-01 10:26" in html
    # rows name the file as given relative to here, not the absolute path
    assert html.count(str(log.resolve())) == 1  # the header only
    for table in ("shops-table", "agents-table", "rules-table", "terms-table", "evidence-table"):
        assert f"class='sortable' id='{table}'" in html
    # four spellings of one term: one row
    assert "<td class='msg'>VX</td><td class='msg'>VX ×1、vx ×1、ｖｘ ×1、𝐯𝐱 ×1</td>" in html
    # the violation among the lines before it; the buyer's phone number masked
    view = html[html.index("id='by-agent'"):]
    assert "第1行 买家" in view and "第2行 客服" in view and "好的亲" in view
    assert "13912345678" not in html and "我电话***********，快点发货" in view


def test_tables_sort_and_filter_in_a_real_browser(tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    page = tmp_path / "r.html"
    samples = Path(__file__).resolve().parent.parent / "samples" / "chat_log.jsonl"
    assert audit(str(samples), "--html", str(page)) == 1
    driver, profile = headless_chromium("1400,1800", tmp_path)
    try:
        driver.get(page.as_uri())
        table = driver.find_element(By.ID, "agents-table")
        driver.find_element(By.CSS_SELECTOR, "input[data-filter='agents-table']").send_keys(
            "店铺02")
        shown = [r for r in table.find_elements(By.CSS_SELECTOR, "tr")[1:] if r.is_displayed()]
        assert len(shown) == 3 and all("店铺02" in r.text for r in shown)
        heading = table.find_elements(By.CSS_SELECTOR, "th")[2]  # 消息
        heading.click()
        counts = [int(r.find_elements(By.CSS_SELECTOR, "td")[2].text)
                  for r in table.find_elements(By.CSS_SELECTOR, "tr")[1:] if r.is_displayed()]
        assert counts == sorted(counts)
        heading.click()
        counts = [int(r.find_elements(By.CSS_SELECTOR, "td")[2].text)
                  for r in table.find_elements(By.CSS_SELECTOR, "tr")[1:] if r.is_displayed()]
        assert counts == sorted(counts, reverse=True)
        evidence = driver.find_element(By.ID, "evidence-table")
        driver.find_element(By.CSS_SELECTOR, "input[data-filter='evidence-table']").send_keys(
            "提醒")
        shown = [r for r in evidence.find_elements(By.CSS_SELECTOR, "tr.finding")
                 if r.is_displayed()]
        assert shown and all("提醒" in r.text for r in shown)
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
