"""What the server serves with: one `Engine` (Guard, pre-send check, reply router), swapped whole.

An `Engine` is built completely — lexicons compiled, tokenizers loaded, every
path run once — before anyone can use it. `Engines.reload()` builds a new one
beside the old (requests go on being answered by the old one meanwhile) and
then replaces the reference in one assignment: a request takes
`engines.current` once and uses that engine throughout, so it never sees half
a lexicon. A lexicon that fails to load leaves the old engine in place, and
the error says which file and line.
"""

from __future__ import annotations

import contextlib
import gc
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

from guard.engine import Guard
from guard.presend import Presend
from guard.replies.routing import Router
from guard.verdict import Verdict

__all__ = ["Engine", "Engines", "ReloadResult", "build_engine", "rebuild_engine"]

# How often (seconds) a reload's thread lets the event loop run (Python's default: 5 ms).
RELOAD_SWITCH_INTERVAL = 0.0005
# Verdicts remembered per engine (chat repeats itself), for texts up to CACHED_CHARS.
CACHE_SIZE = 8192
CACHED_CHARS = 512

# What an engine runs once before it serves: a clean message, blocked ones, one
# the tokenizer must read, a split over two messages, a buyer's question.
WARM_MESSAGES = ("亲，您的订单已经发货了，请注意查收哦", "加我微信详聊", "去南京东路买",
                 "手机 138 0013 8000", "复制 ￥Xk92LmQp￥ 打开", "好的，已经给您备注了")
WARM_SPLIT = (("用那个绿色软件",), "号是mm520")
WARM_QUESTION = "还没发货 我不想要了 怎么退款"


@dataclass(frozen=True)
class Engine:
    """Everything one request needs, built once and never changed."""

    guard: Guard
    presend: Presend
    router: Router
    lexicon_dirs: tuple[str, ...]
    built_at: float
    build_seconds: float
    info: dict[str, Any] = field(hash=False)

    def check(self, text: str, context: Sequence[str] = ()) -> Verdict:
        """The pre-send verdict (with its suggestion for a block)."""
        return self.presend.verdict(text, context)


def _cached(check: Callable[[str], Verdict]) -> Callable[[str], Verdict]:
    remembered = lru_cache(maxsize=CACHE_SIZE)(check)

    def cached_check(text: str) -> Verdict:
        return remembered(text) if len(text) <= CACHED_CHARS else check(text)

    return cached_check


def lexicon_info(guard: Guard) -> dict[str, Any]:
    """Version, lexicon fingerprint and what it holds (for /v1/info)."""
    from guard import __version__

    lexicon = guard.lexicon
    terms = sum(len(g.block) + len(g.mention) + len(g.needs_context) for g in lexicon.groups)
    recognizer_rules = len(guard.recognizers.reasons)
    return {
        "version": __version__,
        "lexicon": {
            "fingerprint": lexicon.fingerprint,
            "groups": len(lexicon.groups),
            "terms": terms,
            "spellings": guard.compiled.spellings,
            "allow": len(lexicon.allow),
            "rules": len(lexicon.groups) + recognizer_rules,
        },
    }


def build_engine(lexicon_dirs: Sequence[str] = (), guard: Guard | None = None) -> Engine:
    """A fully warm engine over the built-in lexicons plus `lexicon_dirs`.

    Raises LexiconError (file:line) for a broken lexicon.
    """
    started = time.perf_counter()
    guard = guard if guard is not None else Guard(lexicon_dirs)
    guard.preload()
    presend = Presend.for_guard(guard, _cached(guard.check))
    router = Router(guard=guard)
    for text in WARM_MESSAGES:
        presend.verdict(text)
    presend.verdict(WARM_SPLIT[1], WARM_SPLIT[0])
    router.suggest(WARM_QUESTION)
    return Engine(guard, presend, router, tuple(lexicon_dirs), time.time(),
                  time.perf_counter() - started, lexicon_info(guard))


# Niced: on a busy machine the requests come first, the new lexicon after.
_COMPILE = "import os, sys; os.nice(10); from guard.engine import Guard; Guard(sys.argv[1:])"


def compile_elsewhere(lexicon_dirs: Sequence[str]) -> None:
    """Compile the lexicon in a child process, which leaves it in the cache for this one.

    Compiling holds the GIL in long C calls (the automaton, pickling it for the
    cache): in the serving process that stalled requests for 200 ms. The child's
    outcome is not read: this process then loads the cached result, or, if the
    child failed (a broken lexicon), fails itself with the same file:line.
    """
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        subprocess.run([sys.executable, "-c", _COMPILE, *lexicon_dirs], timeout=300,
                       stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, check=False)


def rebuild_engine(lexicon_dirs: Sequence[str]) -> Engine:
    """A new engine for a reload: compiled in a child process, loaded and warmed here."""
    started = time.perf_counter()
    compile_elsewhere(lexicon_dirs)
    engine = build_engine(lexicon_dirs)
    return replace(engine, build_seconds=time.perf_counter() - started)


@dataclass(frozen=True)
class ReloadResult:
    ok: bool
    error: str | None
    engine: Engine


class Engines:
    """The current engine, and reloading it without a request noticing."""

    def __init__(self, engine: Engine, build: Callable[[], Engine] | None = None) -> None:
        self.current = engine
        self._build = build or (lambda: rebuild_engine(engine.lexicon_dirs))
        self._lock = threading.Lock()
        self.reloads = 0
        self.ready = True

    def reload(self) -> ReloadResult:
        """Build a new engine and swap it in; on any failure keep the old one and say why.

        Reloads run one at a time (a second waits for the first, then builds again:
        files may have changed meanwhile). The build runs beside requests in one
        process, so it is made gentle on them: building makes hundreds of
        thousands of long-lived objects, and each full collection of the cyclic
        garbage collector meanwhile walks them all holding the GIL (requests
        stalled up to 90 ms), so the collector pauses and the new engine is then
        frozen (gc.freeze: left to reference counting; a garbage cycle made while
        building is frozen with it, a few kilobytes); and the build thread hands
        the GIL back to the event loop every 0.5 ms instead of 5 (a request waits
        on it at each step: 5 ms a step added up to 30 ms).
        """
        with self._lock:
            collecting = gc.isenabled()
            interval = sys.getswitchinterval()
            gc.disable()
            sys.setswitchinterval(RELOAD_SWITCH_INTERVAL)
            try:
                engine = self._build()
            except Exception as exc:  # a broken lexicon, an unreadable folder: keep serving
                return ReloadResult(False, _describe(exc), self.current)
            finally:
                sys.setswitchinterval(interval)
                gc.freeze()
                if collecting:
                    gc.enable()
            self.current = engine
            self.reloads += 1
            return ReloadResult(True, None, engine)


def _describe(exc: Exception) -> str:
    from guard.lexicon import LexiconError

    if isinstance(exc, LexiconError):
        from guard.datamsg import data_error_in_chinese

        return data_error_in_chinese(str(exc))  # read by a person: the log, the 422 body
    return f"{type(exc).__name__}: {exc}"
