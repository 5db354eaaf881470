"""`GET /train` on `guard serve`: the training session in a browser, judged by the same code.

The page (static/train.html) only shows things: every round is judged on the
server by guard.train.judge.Trainer, exactly as `guard train` judges it, and
the summary is the session module's (guard.train.session). No scoring in
JavaScript. The server keeps no session state: the page sends its answers
back for the summary, and they are judged again.

    GET  /train                       the page (open without the API key; its calls carry it)
    GET  /v1/train/session?rounds=&seed=&scenario=   the buyer turns of a session
    POST /v1/train/judge   {"turn", "answer", "seconds"?}      one round judged
    POST /v1/train/summary {"rounds": [{"turn", "answer", "seconds"?}]}  the summary
"""

from __future__ import annotations

import random
from functools import lru_cache
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI, Query, Request
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool
from starlette.responses import HTMLResponse

from guard.engine import Guard
from guard.serve.limits import ApiError
from guard.serve.respond import JSONBody, read_body
from guard.serve.routes import config_of, current_engine
from guard.train.bank import Bank, Turn, load_bank, pick_turns, situation_labels
from guard.train.judge import RoundResult, Trainer
from guard.train.session import summarize

__all__ = ["mount", "router"]

PAGE = Path(__file__).parent / "static" / "train.html"
MAX_ROUNDS = 50

router = APIRouter()


class Answer(BaseModel):
    turn: int = Field(description="the turn's number in the buyer bank (from /v1/train/session)")
    answer: str
    seconds: float | None = Field(None, ge=0, description="time the trainee took")


class Answers(BaseModel):
    rounds: list[Answer] = Field(max_length=MAX_ROUNDS)


@lru_cache(maxsize=4)
def _trainer(guard: Guard) -> Trainer:
    """One Trainer per engine's Guard (a reload brings a new Guard, and so a new Trainer)."""
    return Trainer(guard)


@lru_cache(maxsize=1)
def _bank() -> Bank:
    return load_bank()


def _titles() -> dict[str, str]:
    from guard.replies.templates import default_templates

    return {s: t.title for s, t in default_templates().scenarios.items()}


def _turn(number: int) -> Turn:
    turns = _bank().turns
    if not 0 <= number < len(turns):
        raise ApiError(422, f"turn 应在 0 到 {len(turns) - 1} 之间（收到 {number}）")
    return turns[number]


def _shown(turn: Turn) -> dict[str, Any]:
    return {"turn": turn.index, "scenario": turn.scenario, "title": _titles()[turn.scenario],
            "buyer": turn.text, "situation": situation_labels(turn.situation)}


def _round(result: RoundResult) -> dict[str, Any]:
    data = result.to_report()
    data.update(turn=result.turn.index, full=result.full)
    return data


def _judge(request: Request, answers: list[Answer]) -> list[RoundResult]:
    limit = config_of(request).limits.max_chars
    for item in answers:
        if not item.answer.strip():
            raise ApiError(422, "回复不能为空")
        if len(item.answer) > limit:
            raise ApiError(413, f"回复过长：{len(item.answer):,} 字，上限 {limit:,} 字")
    trainer = _trainer(current_engine(request).guard)
    return [trainer.judge(_turn(a.turn), a.answer, a.seconds) for a in answers]


@router.get("/train", response_class=HTMLResponse, include_in_schema=False)
async def page() -> HTMLResponse:
    return HTMLResponse(PAGE.read_text("utf-8"))


@router.get("/v1/train/session", summary="培训：一组买家消息（同一个 seed 出同样的题）")
async def session(rounds: int = Query(5, ge=1, le=MAX_ROUNDS), seed: int | None = None,
                  scenario: str | None = None) -> JSONBody:
    from guard.replies.scenarios import SCENARIOS

    if scenario is not None and scenario not in SCENARIOS:
        raise ApiError(422, f"未知场景 {scenario!r}（可选：{', '.join(SCENARIOS)}）")
    seed = seed if seed is not None else random.SystemRandom().randrange(10**6)
    turns = pick_turns(_bank(), rounds, scenario, seed)
    return JSONBody({"seed": seed, "turns": [_shown(t) for t in turns]})


@router.post("/v1/train/judge", summary="培训：评判一轮回复（合规、事实、得分、参考回复）")
async def judge(request: Request) -> JSONBody:
    body = await read_body(request, Answer)
    (result,) = await run_in_threadpool(_judge, request, [body])
    request.state.verdict = result.verdict.verdict
    return JSONBody(_round(result))


@router.post("/v1/train/summary", summary="培训：整组回复的总结（逐轮重新评判）")
async def summary(request: Request) -> JSONBody:
    body = await read_body(request, Answers)
    results = await run_in_threadpool(_judge, request, body.rounds)
    total = summarize(results).total()
    total["titles"] = _titles()
    return JSONBody({"total": total})


def mount(app: FastAPI) -> None:
    """Called by guard.serve.app.create_app (PLUGGED_ROUTERS)."""
    app.include_router(router)
