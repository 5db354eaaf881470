"""The registry of recognizers: every shape of contact detail or link guard knows.

Each recognizer is one registered unit (`unit.Recognizer`) in a module of
its own, declaring its rule (the finding's `rule`), its category, the view
it reads, its prefilter (a cheap test on the fast path), its finder (the
slow path), what validates a candidate, the characters that can continue
its shape across a message boundary (the audit's window shortcut joins
messages where they meet: boundary.py), and whether what it finds is a
person's own data (the audit masks that in a buyer's line). The engine, the
audit's window shortcut and the audit's privacy masking all read this
registry: there is no second model of what a phone number is.

The units: phone.py, landline.py, card.py (bank cards), account.py (an id
after an app's name), email.py, url.py, kouling.py (淘口令), assembled.py
(numbers given in pieces, spoken, or with letters for digits), obfuscated.py
(addresses whose dot or @ is disguised). What several share: numbers.py
(digit runs), context.py (context words near a number), links.py (the link
prefilter), positions.py (a piece's place in a number, for assembled.py),
digit_words.py (spoken digits and letters for digits read as digits, for
assembled.py and privacy masking); patterns.py holds what is compiled from the lexicon per Guard.
"""

from __future__ import annotations

from guard.lexicon import Lexicon
from guard.normalize import SpanMap, Tables, dense_spans, digit_view, light_view, normalize
from guard.recognizers import (
    account,
    assembled,
    card,
    email,
    kouling,
    landline,
    obfuscated,
    phone,
    positions,
    url,
)
from guard.recognizers.account import account_at, account_span, find_account
from guard.recognizers.assembled import find_assembled
from guard.recognizers.boundary import Continuations
from guard.recognizers.card import find_cards, luhn_valid
from guard.recognizers.context import words
from guard.recognizers.digit_words import read_digits
from guard.recognizers.email import EMAIL, email_spans, find_emails
from guard.recognizers.kouling import find_codes
from guard.recognizers.landline import find_landlines
from guard.recognizers.links import has_latin, link_patterns, may_hold_link
from guard.recognizers.numbers import (
    any_number_pattern,
    digit_runs,
    may_hold_number,
    number_candidate,
    number_views,
    shapes,
)
from guard.recognizers.obfuscated import find_obfuscated, may_hold_obfuscated
from guard.recognizers.patterns import Recognizers
from guard.recognizers.phone import find_phones
from guard.recognizers.piece_patterns import (
    eleven_pattern,
    join_cue_pattern,
    letter_digits,
    link_pattern,
    may_hold_assembled,
    piece_filter,
    spoken_patterns,
)
from guard.recognizers.unit import Detection, Recognizer
from guard.recognizers.url import find_urls

__all__ = [
    "EMAIL",
    "PERSONAL",
    "REGISTRY",
    "RULE_NAMES",
    "Continuations",
    "Detection",
    "Recognizer",
    "Recognizers",
    "account_at",
    "account_span",
    "build_recognizers",
    "continuations",
    "find_account",
    "find_assembled",
    "find_links",
    "find_numbers",
    "find_obfuscated",
    "has_latin",
    "luhn_valid",
    "may_hold_assembled",
    "may_hold_link",
    "may_hold_number",
    "may_hold_obfuscated",
    "may_hold_pieces",
    "personal_digits",
    "personal_spans",
]

REGISTRY: tuple[Recognizer, ...] = (
    phone.UNIT, landline.UNIT, card.UNIT, account.UNIT, email.UNIT, url.UNIT, kouling.UNIT,
    assembled.UNIT, obfuscated.UNIT,
)

RULE_NAMES: tuple[str, ...] = tuple(r.rule for r in REGISTRY)
# The rules whose findings may be a person's own data (privacy masking).
PERSONAL: frozenset[str] = frozenset(r.rule for r in REGISTRY if r.personal)


def build_recognizers(lexicon: Lexicon, tables: Tables,
                      numeral_source: str | None) -> Recognizers:
    """Every unit's patterns and reasons, compiled from the lexicon (once per Guard).

    `numeral_source`: the words whose numerals are no digits, as the compiled
    lexicon holds them (`numbers.numeral_words`, made once with the compiled cache).
    """
    rules = lexicon.numbers
    numerals = tables.digits
    link_punctuation, link_shape = link_patterns(rules.code_symbols, tables.light)
    places = positions.places(rules.positions, numerals)
    part_positions = tuple(w.translate(numerals) for w in rules.part_positions)
    labels = lexicon.messages.category_labels
    reasons = {
        key: lexicon.messages.reasons.get(key, "{category}").replace(
            "{category}", labels.get(category, category))
        for unit in REGISTRY for key, category in unit.reason_keys()
    }
    numeral_marks = dict(numerals)
    letters = letter_digits(rules)
    numeral_marks.update((ord(digit), "\x03") for digit in "0123456789")
    part_links = link_pattern(tuple(w.translate(numerals) for w in rules.part_links), places)
    eleven = eleven_pattern("".join(chr(cp) for cp in numerals))
    part_positions_pattern = positions.positions_pattern(part_positions, places)
    spoken = spoken_patterns(rules)
    join_cue, reverse_cue = join_cue_pattern(rules.join_cues, rules.disguise.reverse_cues)
    return Recognizers(
        rules, *number_candidate(numerals), url.url_pattern(rules), kouling.code_pattern(rules),
        account.fillers_pattern(rules, numerals), reasons,
        words(rules.phone_context), words(rules.landline_context),
        words(rules.bank_context), words(rules.not_contact_context), numeral_marks,
        eleven, part_positions_pattern, numeral_source, *spoken,
        disguises=obfuscated.compile_disguises(rules.disguise),
        link_punctuation=link_punctuation, link_shape=link_shape, places=places,
        letter_digits=letters,
        place_edges=positions.place_edges(part_positions, places),
        any_number=any_number_pattern(numerals, letters),
        pieces=piece_filter(eleven, tables.numeral, numerals, part_links, part_positions_pattern,
                            rules.repeat_words, letters, spoken[0], join_cue),
        join_cue=join_cue, reverse_cue=reverse_cue,
        digit_links=tuple(sorted({w.translate(numerals) for w in rules.part_links
                                  if w.translate(numerals) != w}, key=len, reverse=True)))


def continuations(recognizers: Recognizers, tables: Tables) -> Continuations:
    """What continues each registered shape across a message boundary, for this Guard."""
    return Continuations(REGISTRY, recognizers, tables.digits, tables.light)


def find_numbers(dense: str, digits: str, offsets: SpanMap,
                 recognizers: Recognizers) -> list[Detection]:
    """Mobile and landline phone numbers, bank cards (phone.py, landline.py, card.py)."""
    runs = digit_runs(dense, digits, recognizers)
    return [*find_phones(dense, digits, offsets, recognizers, runs),
            *find_landlines(dense, digits, offsets, recognizers, runs),
            *find_cards(dense, digits, offsets, recognizers, runs)]


def find_links(light: str, offsets: SpanMap, recognizers: Recognizers) -> list[Detection]:
    """E-mail addresses, URLs and short links, 淘口令 — on the light view
    (email.py, url.py, kouling.py)."""
    emails = email_spans(light)
    return [*find_emails(light, offsets, recognizers, emails),
            *find_urls(light, offsets, recognizers, emails),
            *find_codes(light, offsets, recognizers)]



def may_hold_pieces(dense: str, recognizers: Recognizers) -> bool:
    """The assembled-number prefilter with this Guard's compiled `PieceFilter` (for the
    engine's fast pass and privacy masking alike)."""
    return may_hold_assembled(dense, recognizers.pieces)


def personal_spans(text: str, tables: Tables,
                   recognizers: Recognizers) -> list[tuple[int, int, str]]:
    """(start, end, rule) in `text` of everything a personal unit recognizes — for
    privacy masking, which asks the registry what a phone, card or e-mail is.

    The number units (phone, landline, card) answer with their `shape`: the
    finder without its context veto, so a buyer's mobile beside 订单号 is still
    masked although it is no finding; the others (numbers in pieces or spoken,
    e-mails, disguised addresses) with their finder, as the engine runs it.
    """
    dense = normalize(text, tables)
    found: list[Detection] = []
    shaped = pieces = False
    if recognizers.any_number.search(dense) is not None:
        shaped = may_hold_number(dense, recognizers)
        pieces = may_hold_pieces(dense, recognizers)
    latin = has_latin(text)
    if not (shaped or pieces or latin):
        return []  # most lines: nothing a personal unit could find
    offsets = dense_spans(text, tables)
    if shaped or pieces:
        digits = digit_view(dense, tables)
        if shaped:
            runs = digit_runs(dense, digits, recognizers)
            for unit in REGISTRY:
                if unit.personal and unit.shape is not None:
                    found.extend(shapes(unit.rule, unit.category, unit.shape, dense, digits,
                                        offsets, recognizers, runs))
        if pieces:
            found.extend(find_assembled(dense, digits, offsets, recognizers))
    if latin:
        if may_hold_link(text, tables.light, recognizers):  # the e-mail unit's prefilter
            light, light_offsets = light_view(text, tables)
            found.extend(find_emails(light, light_offsets, recognizers))
        if may_hold_obfuscated(text, recognizers):
            found.extend(find_obfuscated(text, tables, offsets, recognizers))
    return [(d.start, d.end, d.rule) for d in found]


def personal_digits(text: str, tables: Tables,
                    recognizers: Recognizers) -> list[tuple[int, int, str]]:
    """(start, end, digits) in `text` of each character the number units read as a
    digit, in order — for privacy masking, which hides a number's digits however
    written: 1, １, 一, 壹, 幺, 兩, 洞, ①, ❶, ⓵, 𝟏, a letter standing for a digit inside
    a number (l38l…), a spoken digit (yao: three characters, one digit). A character
    read as two digits (⑩) is one entry. Words whose numerals are no digits (一下,
    二维码: `numbers.numeral_words`) hold none.
    """
    dense = normalize(text, tables)
    offsets = dense_spans(text, tables)
    digits = number_views(dense, digit_view(dense, tables), recognizers)[0]
    found: list[tuple[int, int, str]] = []
    for start, end, digit in read_digits(digits, offsets, recognizers):
        span = offsets.span(start, end)
        if found and found[-1][:2] == span:
            found[-1] = (*span, found[-1][2] + digit)
        else:
            found.append((*span, digit))
    return found
