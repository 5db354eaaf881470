"""The training session in a terminal (rich): a buyer writes, the trainee answers, guard judges.

Reads RoundResults and Verdicts; decides nothing (guard/train/judge.py does).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from guard.render import SPAN_STYLE, VERDICT_LABEL, VERDICT_STYLE, findings_table
from guard.train.bank import Turn, situation_labels
from guard.train.judge import RoundResult, Trainer
from guard.train.session import Summary, summarize

__all__ = ["excerpt", "play", "render_result", "render_summary", "render_turn"]

EXCERPT_LIMIT = 600
"""An answer longer than this is shown as an excerpt around what was flagged."""
WRONG_STYLE = "bold black on magenta"


def render_turn(console: Console, number: int, total: int, turn: Turn, title: str) -> None:
    parts: list[Any] = [Text(turn.text, style="bold")]
    labels = situation_labels(turn.situation)
    if labels:
        parts.append(Text("订单情况（后台可见）：" + "；".join(labels), style="dim"))
    console.print(Panel(Group(*parts), title=f"第 {number}/{total} 轮 · 买家 · {title}",
                        title_align="left", border_style="cyan"))


def excerpt(answer: str, spans: Sequence[tuple[int, int, str]], limit: int = EXCERPT_LIMIT) -> Text:
    """The answer with `spans` (start, end, style) highlighted; a long one cut to the parts
    around them, so a pasted book does not scroll the verdict away."""
    if len(answer) <= limit:
        text = Text(answer)
        for start, end, style in spans:
            text.stylize(style, start, end)
        return text
    margin = 60
    windows = [(0, min(len(answer), limit // 3))]
    for start, end, _ in sorted(spans)[:12]:
        windows.append((max(0, start - margin), min(len(answer), end + margin)))
    merged: list[list[int]] = []
    for start, end in sorted(windows):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    text = Text()
    shown = 0
    for start, end in merged:
        if start > shown:
            text.append(f" …（省略 {start - shown:,} 字）… ", style="dim")
        piece = Text(answer[start:end])
        for s, e, style in spans:
            if s < end and e > start:
                piece.stylize(style, max(s, start) - start, min(e, end) - start)
        text.append_text(piece)
        shown = end
    if shown < len(answer):
        text.append(f" …（省略 {len(answer) - shown:,} 字，共 {len(answer):,} 字）", style="dim")
    return text


def render_result(console: Console, result: RoundResult, category_labels: dict[str, str],
                  rule_labels: dict[str, str] | None = None) -> None:
    verdict = result.verdict
    spans = [(f.start, f.end, SPAN_STYLE[f.severity]) for f in verdict.findings]
    spans += [(w.start, w.end, WRONG_STYLE) for w in result.wrong]
    compliance: list[Any] = [Text("你的回答：", style="bold") + excerpt(result.answer, spans)]
    if verdict.findings:
        compliance.append(findings_table(verdict, category_labels, rule_labels))
    if verdict.warning:
        compliance.append(Text(verdict.warning, style="red" if verdict.blocked else "yellow"))
    if result.suggestion:
        compliance.append(Text("建议改成：", style="bold green") + Text(result.suggestion))
    style = VERDICT_STYLE[verdict.verdict]
    console.print(Panel(Group(*compliance), title=Text("合规 · " + VERDICT_LABEL[verdict.verdict],
                                                       style=style),
                        title_align="left", border_style=style.split()[-1]))
    facts = Table(show_header=False, box=None, padding=(0, 1))
    for fact in result.covered:
        facts.add_row(Text("✓ 讲到", style="green"), fact.shown)
    for wrong in result.wrong:
        label = wrong.fact.shown if wrong.fact else "政策里没有这个时长"
        facts.add_row(Text("✗ 说错", style="magenta"),
                      Text(f"「{wrong.said}」——政策：{label}"))
    for fact in result.missed:
        facts.add_row(Text("○ 漏了", style="yellow"), fact.shown)
    if not facts.row_count:
        facts.add_row(Text("—", style="dim"), "这个情况没有必须讲到的事实")
    console.print(Panel(facts, title="内容 · 政策要求讲到的事实", title_align="left",
                        border_style="blue"))
    console.print(Panel(Text(result.model_reply), title="参考回复", title_align="left",
                        border_style="green"))
    note = "（被拦截：合规不过关，本轮 0 分）" if verdict.blocked else ""
    style = "bold red" if verdict.blocked else ("bold green" if result.score == result.full
                                                else "bold yellow")
    console.print(Text(f"本轮得分：{result.score}/{result.full}{note}", style=style))
    console.print()


def render_summary(console: Console, summary: Summary, titles: dict[str, str]) -> None:
    total = summary.total()
    if summary.interrupted:
        console.print(Text("已中断：以下是到目前为止的总结。", style="bold yellow"))
    if not summary.rounds:
        console.print("还没有答完任何一轮。")
        return
    table = Table(title="培训总结", show_lines=False)
    table.add_column("场景")
    table.add_column("轮数", justify="right")
    table.add_column("平均分", justify="right")
    for scenario, row in total["scenarios"].items():
        table.add_row(titles.get(scenario, scenario), str(row["rounds"]), f"{row['score']:g}")
    table.add_row(Text("合计", style="bold"), str(total["rounds"]),
                  Text(f"{total['score']:g}/{total['full']}", style="bold"))
    console.print(table)
    console.print(f"被拦截的回答：{total['blocked']} 条；提醒：{total['warned']} 条；"
                  f"说错的事实：{total['wrong_facts']} 处")
    if total["most_missed"]:
        console.print(Text("最常漏掉或说错的事实：", style="bold"))
        for item in total["most_missed"]:
            console.print(f"  · {item['label']}（{item['times']} 次）")
    if total["seconds_per_answer"] is not None:
        console.print(f"平均每条回答用时：{total['seconds_per_answer']:g} 秒")


def play(trainer: Trainer, turns: Sequence[Turn], read: Callable[[], str], console: Console,
         titles: dict[str, str], category_labels: dict[str, str],
         on_round: Callable[[RoundResult], None] | None = None) -> Summary:
    """Play the rounds: show the buyer, read an answer (asked again while empty), judge, show.

    Ctrl-C (KeyboardInterrupt) or the end of input (EOFError) end the session;
    the summary then covers the rounds answered so far.
    """
    from guard.audit.labels import rule_labels

    rules = rule_labels(trainer.guard.lexicon)
    results: list[RoundResult] = []
    interrupted = False
    try:
        for number, turn in enumerate(turns, 1):
            render_turn(console, number, len(turns), turn, titles.get(turn.scenario, ""))
            started = time.monotonic()
            while True:
                console.print(Text("请输入你的回复（可以多行，空一行结束；Ctrl-C 结束培训）：",
                                   style="bold"))
                answer = read()
                if answer.strip():
                    break
                console.print(Text("回复不能为空，请重新输入。", style="yellow"))
            result = trainer.judge(turn, answer, seconds=time.monotonic() - started)
            results.append(result)
            render_result(console, result, category_labels, rules)
            if on_round:
                on_round(result)
    except (KeyboardInterrupt, EOFError):
        console.print()
        interrupted = len(results) < len(turns)
    summary = summarize(results, interrupted)
    render_summary(console, summary, titles)
    return summary
