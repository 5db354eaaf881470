"""Privacy's words are data: `[privacy]` (lexicons/privacy.toml) — addresses, names and
the words presenting a number as the buyer's; a merchant adds to them; a typo fails
with file:line (tests/test_lexicon.py)."""

from __future__ import annotations

from pathlib import Path

from guard import Guard
from guard.audit.privacy import Privacy, mask_private
from guard.lexicon import load_lexicon


def _write(folder: Path, text: str) -> None:
    (folder / "mine.toml").write_text(text, encoding="utf-8")


def test_the_builtin_privacy_words_load() -> None:
    privacy = load_lexicon().privacy
    assert "收件人" in privacy.recipient_cues and "路" in privacy.street_words
    assert "王" in privacy.surnames and "手机号" in privacy.buyer_names


def test_a_merchant_adds_privacy_words(tmp_path: Path, guard: Guard) -> None:
    """A merchant's cue masks a name, their street word an address, their number word the
    buyer's number read back; the built-in words still hold."""
    _write(tmp_path, '[privacy]\nrecipient_cues = ["提货人"]\nstreet_words = ["厂房"]\n'
                     'surnames = "禤"\n\n[privacy.buyer_number]\nnames = ["座机"]\n')
    merchant = Guard([tmp_path])
    texts = {
        "提货人王小明": ("提货人王小明", "提货人王**"),
        "您的座机13812345678": ("您的座机13812345678", "您的座机138****5678"),
        "地址：宝安区二号厂房3号": ("地址：宝安区二号厂房3号", "地址：宝安区******"),
    }
    for text, (builtin, extended) in texts.items():
        role = "agent" if text.startswith("您") else "buyer"
        assert mask_private(text, role, Privacy(guard)) == builtin, text
        assert mask_private(text, role, Privacy(merchant)) == extended, text
    assert mask_private("我是禤小红", "buyer", Privacy(merchant)) == "我是禤**"
    assert mask_private("收件人王小明", "buyer", Privacy(merchant)) == "收件人王**"
