"""The HTTP API's JSON bodies as pydantic models: they validate requests and document the API.

Responses are the library's own JSON forms (`Verdict.to_dict`, `Suggestion.to_dict`,
`Reply.to_dict`); the response models here only describe them for the OpenAPI docs,
and a test holds them to what the endpoints return.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class _Body(BaseModel):
    model_config = ConfigDict(extra="ignore", strict=True)


class CheckRequest(_Body):
    text: str = Field(description="客服要发出的消息")
    context: list[str] = Field(
        default_factory=list,
        description="本会话中该客服之前发出的消息，按时间从早到晚（可选；用于发现拆成几条发的违规）")
    shop: str | None = Field(default=None, description="店铺（可选，只用于调用方自己区分）")


class BatchRequest(_Body):
    messages: list[str | CheckRequest] = Field(
        description="要检查的消息：字符串，或带 context 的对象；按顺序返回结果")


class SuggestRequest(_Body):
    text: str = Field(description="买家的消息")


class SplitModel(BaseModel):
    context: list[int] = Field(description="涉及的之前消息（context 中的下标）")
    text: str = Field(description="涉及的消息按行拼起来的文本")
    start: int
    end: int


class FindingModel(BaseModel):
    rule: str
    category: Literal["contact_im", "contact_number", "link", "other_platform",
                      "offplatform_trade"]
    severity: Literal["warn", "block"]
    start: int = Field(description="在本条消息中的位置（原文下标）")
    end: int
    text: str = Field(description="等于 message[start:end]")
    reason: str
    split: SplitModel | None = Field(
        default=None, description="只在与之前的消息拼起来时才出现的违规（拆分违规）才有")


class VerdictModel(BaseModel):
    verdict: Literal["pass", "warn", "block"]
    findings: list[FindingModel]
    masked: str
    warning: str | None
    suggestion: str | None = Field(
        default=None, description="拦截时给出的改写建议（本身能通过检查）；只在 block 时出现")


class BatchResponse(BaseModel):
    results: list[VerdictModel]


class SuggestionModel(BaseModel):
    scenario: str | None
    reply: str | None
    confidence: float


class ReplyModel(BaseModel):
    scenario: str
    reply: str
    merchant_note: str
    params: dict[str, Any]


class ErrorModel(BaseModel):
    error: str = Field(description="出了什么问题（中文）")


class ReloadModel(BaseModel):
    reloaded: bool
    lexicon: dict[str, Any]


class HealthModel(BaseModel):
    status: Literal["ok"]
