"""The server's settings that bound work and access, and the error every refusal carries.

Every refusal is JSON `{"error": "…"}` with a 4xx status that says whose
mistake it was: 400 not JSON, 401 no key, 404 unknown, 413 too large, 422
well-formed but wrong. Nothing a client sends gives a 500.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["EXTENSION_ORIGIN", "ApiError", "Limits", "ServeConfig"]

# The browser extension's origin: its ID is fixed by the public key in
# extension/manifest.json (a test holds the two equal).
EXTENSION_ORIGIN = "chrome-extension://gphdgdhnmpoepcgcbbgdopgfhhffciab"


@dataclass(frozen=True)
class Limits:
    max_chars: int = 20_000  # one message (413 over it)
    max_body_bytes: int = 1 << 20  # one request body (413 over it)
    max_batch: int = 100  # messages in one /v1/check/batch (422 over it)
    max_context: int = 20  # earlier messages given with one message (422 over it)

    def to_dict(self) -> dict[str, int]:
        return {"max_chars": self.max_chars, "max_body_bytes": self.max_body_bytes,
                "max_batch": self.max_batch, "max_context": self.max_context}


@dataclass(frozen=True)
class ServeConfig:
    limits: Limits = Limits()
    api_key: str | None = None  # None: no key asked for
    allow_origins: tuple[str, ...] = (EXTENSION_ORIGIN,)
    access_log: bool = True


class ApiError(Exception):
    """A request refused: its status and a message for whoever sent it."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
