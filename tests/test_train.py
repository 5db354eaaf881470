"""guard train: the buyer bank, the required facts, judging, and whole sessions via --answers."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from guard import Guard
from guard.cli import main
from guard.lexicon import LexiconError
from guard.replies.policy import PERIODS
from guard.replies.render import render_reply
from guard.replies.scenarios import SCENARIOS, ReplyParams
from guard.train.bank import bank_path, load_bank, pick_turns
from guard.train.command import SCENARIO_IDS
from guard.train.facts import facts_path, load_facts
from guard.train.judge import Trainer
from guard.train.numerals import chinese_number, said_periods
from guard.train.quiz import LETTERS, make_questions

ROUND_KEYS = ["scenario", "buyer", "answer", "verdict", "findings", "covered", "missed",
              "wrong", "score"]
BANK = load_bank()


@pytest.fixture(scope="module")
def trainer(guard: Guard) -> Trainer:
    return Trainer(guard)


def session(tmp_path: Path, answers: list[str], *args: str,
            capsys: pytest.CaptureFixture) -> dict:
    """A whole session through the command line: `guard train --answers FILE --json`."""
    path = tmp_path / "answers.txt"
    path.write_text("\n\n".join(answers) + "\n", "utf-8")
    assert main(["train", "--answers", str(path), "--json", *args]) == 0
    return json.loads(capsys.readouterr().out)


def edited(source: Path, tmp_path: Path, old: str, new: str) -> tuple[Path, str]:
    """A copy of a built-in data file with one edit, and its text."""
    text = source.read_text("utf-8")
    assert old in text, old
    text = text.replace(old, new, 1)
    path = tmp_path / source.name
    path.write_text(text, "utf-8")
    return path, text


def turn_where(scenario: str, **situation: object):  # type: ignore[no-untyped-def]
    for turn in BANK.turns:
        if turn.scenario == scenario and dict(turn.situation) == situation:
            return turn
    raise AssertionError(f"no turn for {scenario} {situation}")


def index_of(turn) -> int:  # type: ignore[no-untyped-def]
    """A seed and round count whose single-scenario session starts with `turn`."""
    for seed in range(500):
        if pick_turns(BANK, 1, turn.scenario, seed)[0] == turn:
            return seed
    raise AssertionError("no seed picks the turn")


# ------------------------------------------------------------------- the bank


def test_the_bank_has_at_least_15_varied_turns_per_scenario() -> None:
    counts = Counter(t.scenario for t in BANK.turns)
    assert set(counts) == set(SCENARIOS) and min(counts.values()) >= 15
    for scenario in SCENARIOS:
        styles = {s for t in BANK.of(scenario) for s in t.styles}
        assert len(styles) >= 4, (scenario, styles)
    tempting = [t for t in BANK.turns if "诱导" in t.styles]
    assert len(tempting) >= 20
    assert {t.scenario for t in tempting} > {"off-platform-request"}  # temptation mid-refund too


def test_the_cli_knows_the_spec_scenarios() -> None:
    assert tuple(SCENARIOS) == SCENARIO_IDS


def test_picking_is_repeatable_and_sees_every_scenario_first() -> None:
    picked = pick_turns(BANK, 7, None, seed=3)
    assert picked == pick_turns(BANK, 7, None, seed=3)
    assert {t.scenario for t in picked} == set(SCENARIOS)
    only = pick_turns(BANK, 40, "work-order", seed=1)
    assert {t.scenario for t in only} == {"work-order"} and len(only) == 40


@pytest.mark.parametrize(("old", "new", "what"), [
    ('scenario = "work-order"', 'scenario = "work-orders"', "unknown scenario 'work-orders'"),
    ('situation = { payment = "debit" }', 'situation = { payment = "visa" }',
     "payment cannot be 'visa'"),
    ('situation = { payment = "debit" }', 'situation = { paid = "debit" }',
     "unknown situation 'paid'"),
    ('situation = { platform_intervened = true }', 'situation = { platform_intervened = "yes" }',
     "must be true or false"),
    ('style = ["急躁"]', 'style = ["生气"]', "'style' must list styles"),
    ('style = ["急躁"]', 'styel = ["急躁"]', "unknown key 'styel'"),
])
def test_a_broken_bank_fails_with_file_and_line(tmp_path: Path, old: str, new: str,
                                                what: str) -> None:
    path, text = edited(bank_path(), tmp_path, old, new)
    line = text[: text.index(new)].count("\n") + 1
    with pytest.raises(LexiconError) as caught:
        load_bank(path)
    assert str(caught.value).startswith(f"{path}:{line}: ") and what in str(caught.value)


# ------------------------------------------------------------------- the facts


def test_periods_come_from_the_policy_module() -> None:
    """One place: a fact's period is the policy's own object, the one templates quote."""
    facts = load_facts()
    for fact in facts.facts:
        if fact.period is not None:
            assert fact.period is PERIODS[fact.period_name]  # type: ignore[index]
    debit = render_reply("refund-unshipped", ReplyParams(payment="debit"), strict=False).reply
    assert PERIODS["refund_debit"].text in debit


@pytest.mark.parametrize(("old", "new", "what"), [
    ('period = "refund_debit"', 'period = "refund_debt"', "unknown period 'refund_debt'"),
    ('when = { payment = "alipay" }', 'when = { paymnet = "alipay" }', "no fact 'paymnet'"),
    ('id = "group-after-formed"', 'id = "group-not-now"', "duplicate fact id 'group-not-now'"),
    ('negators = ["不"', 'negators = [1, "不"', "'negators' must be a list"),
    ('wrong_penalty = 25', 'wrong_penalty = -5', "'wrong_penalty' must be a whole number"),
    ('period = "evidence_period"', 'period = "evidence_period"\nsaid = [["举证"]]',
     "exactly one of: said, period, no_time"),
])
def test_broken_facts_fail_with_file_and_line(tmp_path: Path, old: str, new: str,
                                             what: str) -> None:
    path, text = edited(facts_path(), tmp_path, old, new)
    with pytest.raises(LexiconError) as caught:
        load_facts(path)
    message = str(caught.value)
    assert message.startswith(f"{path}:") and what in message, message
    line = int(message.split(":")[1])
    assert 1 <= line <= text.count("\n") + 1


# ----------------------------------------------------------------- numbers


@pytest.mark.parametrize("said", ["2-6天", "2～6天", "2~6天", "2–6天", "两到六天", "二至六天",
                                  "两天到六天", "2至6天", "２－６天"])
def test_every_spelling_of_2_to_6_days_reads_alike(said: str, guard: Guard) -> None:
    from guard.normalize import light_view

    light = light_view(said, guard.compiled.tables)[0]
    (found,) = said_periods(light)
    assert (found.low.days, found.high.days) == (2, 6)


@pytest.mark.parametrize(("text", "value"), [("二十四", 24), ("四十八", 48), ("两", 2),
                                             ("十", 10), ("一百零五", 105), ("48", 48),
                                             ("一二三", None), ("二四", None)])
def test_chinese_numbers(text: str, value: int | None) -> None:
    assert chinese_number(text) == value


def test_rough_ranges_and_dates() -> None:
    assert [(p.low.days, p.high.days) for p in said_periods("一两天或者两三天")] == [(1, 2), (2, 3)]
    assert said_periods("11月3日到账") == []
    assert [p.high.total_seconds() for p in said_periods("48h内")] == [48 * 3600]


# ------------------------------------------------------------------ judging


def test_the_model_reply_scores_full_marks_in_every_scenario_and_situation(
        tmp_path: Path, capsys: pytest.CaptureFixture, trainer: Trainer) -> None:
    """A whole session over the bank, every turn answered with its model reply."""
    rounds = 7 * max(Counter(t.scenario for t in BANK.turns).values())
    turns = pick_turns(BANK, rounds, None, seed=11)
    assert {t.index for t in turns} == {t.index for t in BANK.turns}  # every case in the bank
    data = session(tmp_path, [trainer.model_reply(t) for t in turns], "--seed", "11",
                   capsys=capsys)
    assert len(data["rounds"]) == rounds
    for turn, row in zip(turns, data["rounds"], strict=True):
        assert list(row) == ROUND_KEYS
        assert row["buyer"] == turn.text and row["scenario"] == turn.scenario
        assert (row["verdict"], row["missed"], row["wrong"], row["score"]) == \
            ("pass", [], [], 100), (turn.source, row)
        assert row["covered"], turn.source
    assert data["total"]["score"] == 100 and data["total"]["blocked"] == 0


def test_an_answer_that_invites_the_buyer_onto_wechat_scores_0(
        tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    answer = "加我微信发你优惠"
    data = session(tmp_path, [answer], "--seed", "4", capsys=capsys)
    (row,) = data["rounds"]
    assert row["verdict"] == "block" and row["score"] == 0
    spans = [(f["start"], f["end"], f["text"]) for f in row["findings"]]
    assert any(text == "微信" for _, _, text in spans)
    assert all(answer[start:end] == text for start, end, text in spans)
    assert data["total"]["blocked"] == 1


def test_a_blocked_answer_scores_0_even_when_it_states_every_fact(trainer: Trainer) -> None:
    turn = turn_where("refund-unshipped", payment="debit")
    result = trainer.judge(turn, trainer.model_reply(turn) + "有问题加我微信")
    assert result.verdict.blocked and result.score == 0


@pytest.mark.parametrize(("scenario", "situation", "answer", "left_out", "missing"), [
    ("refund-unshipped", {"payment": "debit"},
     "亲，还没发货可以直接申请退款，退款审核通过后2–6天退回您的储蓄卡。", "审核通过后",
     "unshipped-from-approval"),
    ("refund-shipped", {}, "亲，已经发货了，麻烦您拒收，我们通知快递拦截。包裹退回后就给您退款。",
     "包裹退回后就给您退款。", "shipped-refund-after-return"),
    ("return", {"quality": True, "wrong_item": False},
     "亲，抱歉！质量问题的来回运费我们承担。您以质量问题申请退货退款就行。",
     "您以质量问题申请退货退款就行。", "return-apply-quality"),
    ("work-order", {"platform_intervened": True},
     "亲，平台介入后，我们会在48小时内提交快递揽收底单等凭证，供平台核实。", "在48小时内",
     "order-evidence-period"),
])
def test_a_correct_answer_without_one_fact_loses_exactly_that_fact(
        tmp_path: Path, capsys: pytest.CaptureFixture, scenario: str, situation: dict,
        answer: str, left_out: str, missing: str) -> None:
    turn = turn_where(scenario, **situation)
    seed = index_of(turn)
    full = session(tmp_path, [answer], "--scenario", scenario, "--seed", str(seed),
                   capsys=capsys)["rounds"][0]
    assert full["buyer"] == turn.text
    assert (full["missed"], full["wrong"], full["score"]) == ([], [], 100), full
    short = session(tmp_path, [answer.replace(left_out, "")], "--scenario", scenario,
                    "--seed", str(seed), capsys=capsys)["rounds"][0]
    assert [m["fact"] for m in short["missed"]] == [missing]
    assert short["wrong"] == []
    assert {c["fact"] for c in full["covered"]} - {c["fact"] for c in short["covered"]} == {missing}
    required = len(full["covered"])
    assert short["score"] == round(100 * (required - 1) / required)


@pytest.mark.parametrize(("scenario", "situation", "answer", "said", "fact", "policy"), [
    ("refund-unshipped", {"payment": "debit"}, "亲，可以直接申请退款，审核通过后3–5天到账。",
     "3–5天", "refund-debit", "2–6天"),
    ("refund-unshipped", {"payment": "debit"}, "亲，可以直接申请退款，审核通过后三到五天到账。",
     "三到五天", "refund-debit", "2–6天"),
    ("refund-unshipped", {"payment": "wechat"},
     "亲，可以直接申请退款，审核通过后24小时内到账，节假日可能延迟；信用卡的话3-5天。",
     "3-5天", "refund-credit", "3–7天"),
    ("work-order", {"platform_intervened": True},
     "亲，我们会在72小时内提交凭证，供平台核实。", "72小时", "order-evidence-period", "48小时"),
    ("refund-shipped", {}, "亲，麻烦拒收，我们拦截退回，退回后3天内给您退款。", "3天",
     "shipped-no-time", None),
])
def test_a_wrong_number_is_reported_as_wrong(tmp_path: Path, capsys: pytest.CaptureFixture,
                                            scenario: str, situation: dict, answer: str,
                                            said: str, fact: str, policy: str | None) -> None:
    turn = turn_where(scenario, **situation)
    row = session(tmp_path, [answer], "--scenario", scenario, "--seed", str(index_of(turn)),
                  capsys=capsys)["rounds"][0]
    assert [(w["fact"], w["said"], w["policy"]) for w in row["wrong"]] == [(fact, said, policy)]
    (wrong,) = row["wrong"]
    assert answer[wrong["start"]:wrong["end"]] == said
    assert fact not in {m["fact"] for m in row["missed"]} | {c["fact"] for c in row["covered"]}
    assert row["score"] < 100


def test_a_wrong_statement_of_who_pays_is_wrong(trainer: Trainer) -> None:
    turn = turn_where("return", quality=True, wrong_item=False)
    result = trainer.judge(turn, "亲，退货的运费需要您自己承担哦，您以质量问题申请退货退款。")
    assert [w.fact.id for w in result.wrong if w.fact] == ["freight-merchant"]
    conditional = trainer.judge(turn, "亲，质量问题运费我们承担，您以质量问题申请退货退款；"
                                      "如果不是质量问题，运费您承担。")
    assert conditional.wrong == () and conditional.score == 100


def test_negated_phrasing_does_not_count(trainer: Trainer) -> None:
    turn = turn_where("refund-shipped")
    result = trainer.judge(turn, "亲，不用拒收，直接签收就行")
    assert "shipped-refuse" in {f.id for f in result.missed}


def test_a_warned_answer_loses_the_warn_penalty(trainer: Trainer) -> None:
    turn = turn_where("off-platform-request")
    result = trainer.judge(turn, "亲，不好意思，按平台规定不能加微信哦，有问题在这里跟我说就好")
    assert result.verdict.verdict == "warn"
    assert result.score == 100 - trainer.facts.scoring.warn_penalty


# ---------------------------------------------------------------- the command


def test_report_and_summary(tmp_path: Path, capsys: pytest.CaptureFixture,
                            trainer: Trainer) -> None:
    turns = pick_turns(BANK, 3, None, seed=2)
    answers = [trainer.model_reply(turns[0]), "加我微信发你优惠", "好的亲"]
    report = tmp_path / "report.json"
    data = session(tmp_path, answers, "--seed", "2", "--report", str(report), capsys=capsys)
    saved = json.loads(report.read_text("utf-8"))
    assert [r["score"] for r in saved["rounds"]] == [r["score"] for r in data["rounds"]]
    assert saved["rounds"][0]["model_reply"] == answers[0]
    assert saved["total"] == data["total"]
    total = data["total"]
    assert total["rounds"] == 3 and total["blocked"] == 1
    assert total["score"] == round(sum(r["score"] for r in data["rounds"]) / 3, 1)
    assert sum(row["rounds"] for row in total["scenarios"].values()) == 3
    assert total["most_missed"] and total["interrupted"] is False
    assert list(tmp_path.glob(".report.json-*")) == []  # no temporary file left


def test_terminal_rendering_of_a_replayed_session(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture) -> None:
    path = tmp_path / "a.txt"
    path.write_text("加我微信发你优惠\n", "utf-8")
    assert main(["train", "--answers", str(path), "--seed", "1"]) == 0
    out = capsys.readouterr().out
    assert "拦截" in out and "参考回复" in out and "本轮得分：0/100" in out and "培训总结" in out


@pytest.mark.parametrize(("content", "args", "message"), [
    (b"one\n\ntwo\n", ["--rounds", "3"], "2 个回答，却有 3 轮"),
    (b"\n\n  \n", [], "没有回答"),
    (b"ok\n\xff\n", [], ":2: 不是有效的 UTF-8"),
    (b"ok\n", ["--report", "/no/such/folder/r.json"], "没有这个目录"),
    (b"ok\n", ["--rounds", "0"], "--rounds"),
])
def test_mistakes_exit_2_in_one_line(tmp_path: Path, capsys: pytest.CaptureFixture,
                                     content: bytes, args: list[str], message: str) -> None:
    path = tmp_path / "a.txt"
    path.write_bytes(content)
    assert main(["train", "--answers", str(path), *args]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err


def test_json_needs_answers(capsys: pytest.CaptureFixture) -> None:
    assert main(["train", "--json"]) == 2
    assert "--answers" in capsys.readouterr().err


# --------------------------------------------------------------------- the quiz


def test_quiz_questions_follow_the_data(guard: Guard) -> None:
    from guard.replies.policy import return_freight_payer

    facts = load_facts()
    questions = make_questions(guard, facts, BANK, 24, seed=5)
    assert questions == make_questions(guard, facts, BANK, 24, seed=5)
    kinds = Counter(q.kind for q in questions)
    assert set(kinds) == {"period", "freight", "violation"}
    labels = {f.label: f for f in facts.facts}
    for question in questions:
        assert len(set(question.options)) == 4
        right = question.options[question.answer]
        if question.kind == "period":
            fact = next(f for label, f in labels.items() if f"「{label}」" in question.prompt)
            assert right == fact.period.text  # type: ignore[union-attr]
        elif question.kind == "freight":
            quality = "质量问题" in question.prompt and "非质量" not in question.prompt
            payer = return_freight_payer(quality_problem=quality,
                                         wrong_item="发错" in question.prompt)
            assert right == payer.phrase_zh
        else:
            verdicts = [guard.check(option).blocked for option in question.options]
            assert verdicts == [i == question.answer for i in range(4)], question


def test_quiz_from_answers_as_json(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    path = tmp_path / "a.txt"
    path.write_text("A\n\nb\n\nC\n", "utf-8")
    assert main(["train", "--quiz", "--answers", str(path), "--seed", "9", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert len(data["questions"]) == 3
    assert [q["given"] for q in data["questions"]] == ["A", "B", "C"]
    assert data["total"]["correct"] == sum(q["given"] == q["answer"] for q in data["questions"])
    assert all(q["answer"] in LETTERS for q in data["questions"])


def test_a_long_answer_is_shown_as_an_excerpt_around_what_was_flagged() -> None:
    from guard.train.terminal import EXCERPT_LIMIT, excerpt

    answer = "好" * 50_000 + "加我微信" + "好" * 50_000
    shown = excerpt(answer, [(50_002, 50_004, "red")])
    assert "加我微信" in shown.plain and len(shown.plain) < 2 * EXCERPT_LIMIT
    assert "省略" in shown.plain
    assert excerpt("短回答", []).plain == "短回答"


def test_answers_piped_into_the_session(tmp_path: Path) -> None:
    """No terminal: answers come from stdin, an empty one is asked again."""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "guard.cli", "train", "--rounds", "1",
                           "--seed", "1"], input="\n亲，这个问题\n我们马上处理\n\n".encode(),
                          capture_output=True, timeout=120)
    out = done.stdout.decode()
    assert done.returncode == 0, done.stderr
    assert out.count("回复不能为空") == 1 and "本轮得分" in out and "培训总结" in out
