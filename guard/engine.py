"""`Guard`: owns the compiled lexicons and runs the pipeline on one message.

normalize → scan → (recognize, confirm, decide) → Verdict. Built once,
immutable afterwards (the lazily loaded tokenizer is built under a lock and
never changed), so one instance is shared by threads; each worker process
builds its own.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from guard.compiled import (
    CompiledLexicon,
    compile_lexicon,
    tokenizer_words,
)
from guard.compiled_cache import cached_compiled, compile_to_cache
from guard.confirm import LazyTokenizer
from guard.decide import decide, drop_unsupported
from guard.lexicon import Lexicon, lexicon_fingerprint, lexicon_sources, load_lexicon
from guard.normalize import normalize
from guard.recognizers import (
    Recognizers,
    build_recognizers,
    has_latin,
    may_hold_link,
    may_hold_number,
    may_hold_obfuscated,
    may_hold_pieces,
)
from guard.scan import ContextScan, TermHit, scan_terms
from guard.verdict import Verdict, pass_verdict


@dataclass(frozen=True, slots=True)
class Candidates:
    """What the fast pass saw in one message: normalize → scan → the recognizers' shapes.

    `quiet` means nothing needs judging: the verdict is a pass. Tools that
    combine messages (the audit's conversation windows) read where the
    candidates lie; `Guard.judge` turns these into the message's verdict.
    """

    text: str
    dense: str  # the normalized view the automaton scanned
    hits: Sequence[TermHit]  # every term hit outside allow-listed phrases
    supported: Sequence[TermHit]  # those that need judging (the rest nothing could support)
    numbers: bool  # a number shape that may be a contact number
    links: bool  # a link shape
    context: ContextScan | None = None  # the context pass, if the fast pass made it

    @property
    def quiet(self) -> bool:
        return not (self.supported or self.numbers or self.links)


class Guard:
    """The compliance checker. `Guard().check(text) -> Verdict`."""

    def __init__(self, lexicon_dirs: Iterable[str | Path] = (), *, use_cache: bool = True,
                 builtin: str | Path | None = None):
        """`builtin`: a copy of the built-in lexicon folder to use instead (`load_lexicon`)."""
        # on a cache hit the files are only hashed, not parsed: the cached form holds
        # the lexicon parsed from the same bytes (a changed file is a miss, then
        # parsed and checked in full, file:line on any mistake)
        compiled = cached_compiled(lexicon_fingerprint(lexicon_sources(lexicon_dirs, builtin))
                                   ) if use_cache else None
        if compiled is None:  # a miss: parse, check and compile (then cached)
            lexicon = load_lexicon(lexicon_dirs, builtin)
            compiled = compile_to_cache(lexicon) if use_cache else compile_lexicon(lexicon)
        self._compiled: CompiledLexicon = compiled
        lexicon = compiled.lexicon
        self._recognizers = build_recognizers(lexicon, compiled.tables, compiled.numeral_words)
        self._tokenizer = LazyTokenizer(tokenizer_words(lexicon))

    @property
    def lexicon(self) -> Lexicon:
        return self._compiled.lexicon

    @property
    def compiled(self) -> CompiledLexicon:
        return self._compiled

    @property
    def recognizers(self) -> Recognizers:
        """The compiled number / link recognizers (for tools that mirror the fast path)."""
        return self._recognizers

    def preload(self) -> Guard:
        """Load now what is otherwise loaded on first need (the tokenizer, the terms'
        entries, the context words, the dictionary words that could cross a term's edge).

        For a process about to fork workers: loaded once, its pages are shared.
        """
        self._tokenizer.load()
        self._compiled.preload()
        return self

    @property
    def tokenizer_loaded(self) -> bool:
        """Whether jieba has been loaded (it is, only once a candidate needed it)."""
        return self._tokenizer.loaded

    def check(self, text: str) -> Verdict:
        """Judge one outgoing message.

        `judge(inspect(text))`, written out: the fast path, taken by nine
        messages in ten, builds no `Candidates` (a property test holds the
        two equal).
        """
        if not isinstance(text, str):
            raise TypeError(f"check() takes a str, not {type(text).__name__}")
        compiled = self._compiled
        recognizers = self._recognizers
        dense = normalize(text, compiled.tables)
        hits = scan_terms(dense, compiled, text)
        numbers, links = _shapes(text, dense, compiled, recognizers)
        context = None
        if hits:
            hits, context = drop_unsupported(hits, dense, compiled, recognizers)
        if not (hits or numbers or links):
            return pass_verdict(text)
        return decide(text, dense, hits, numbers, links, compiled, recognizers, self._tokenizer,
                      context)

    def inspect(self, text: str) -> Candidates:
        """The fast pass alone (what `check` does before deciding), for tools needing its facts."""
        compiled = self._compiled
        dense = normalize(text, compiled.tables)
        hits = scan_terms(dense, compiled, text)
        numbers, links = _shapes(text, dense, compiled, self._recognizers)
        supported, context = (drop_unsupported(hits, dense, compiled, self._recognizers)
                              if hits else (hits, None))
        return Candidates(text, dense, hits, supported, numbers, links, context)

    def judge(self, candidates: Candidates) -> Verdict:
        """The verdict on an inspected message: `judge(inspect(t)) == check(t)`."""
        if candidates.quiet:
            return pass_verdict(candidates.text)
        return decide(candidates.text, candidates.dense, list(candidates.supported),
                      candidates.numbers, candidates.links, self._compiled, self._recognizers,
                      self._tokenizer, candidates.context)

    def check_without_shortcuts(self, text: str) -> Verdict:
        """`check` with every fast-path shortcut off: each candidate is judged.

        Slower; it exists so tests can show the shortcuts change no verdict.
        """
        compiled = self._compiled
        dense = normalize(text, compiled.tables)
        hits = scan_terms(dense, compiled, text)
        return decide(text, dense, hits, True, True, compiled, self._recognizers,
                      self._tokenizer)


def _shapes(text: str, dense: str, compiled: CompiledLexicon, recognizers: Recognizers
            ) -> tuple[bool, bool]:
    """Whether a number recognizer's prefilter and a link recognizer's passes.

    Every shape of either needs what `any_number` finds in the dense view (a Latin
    letter, or two digits side by side): one scan settles most messages for all of
    them (a property test holds the links' side)."""
    if recognizers.any_number.search(dense) is None:
        return False, False
    return _numbers(dense, recognizers), _links(text, compiled, recognizers)


def _numbers(dense: str, recognizers: Recognizers) -> bool:
    """The number recognizers' prefilters (registry: phone, landline, card, assembled)."""
    return (may_hold_number(dense, recognizers)
            or may_hold_pieces(dense, recognizers))


def _links(text: str, compiled: CompiledLexicon, recognizers: Recognizers) -> bool:
    """The link recognizers' prefilters (registry: e-mail, URL, 口令, obfuscated addresses)."""
    if not has_latin(text):  # both need a Latin letter
        return False
    return (may_hold_link(text, compiled.tables.light, recognizers)
            or may_hold_obfuscated(text, recognizers))


def build_guard(lexicon_dirs: Sequence[str | Path]) -> Guard:
    """A Guard over the built-in lexicons plus a merchant's folders, each checked first.

    A folder that does not exist is the user's mistake (`--lexicons DIR`):
    a `UsageError` naming it, before anything is built.
    """
    from guard.errors import UsageError

    for directory in lexicon_dirs:
        if not Path(directory).is_dir():
            raise UsageError(f"--lexicons {directory}：没有这个目录")
    return Guard(lexicon_dirs)
