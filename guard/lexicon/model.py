"""What a loaded lexicon is: frozen values, built once and read everywhere.

`Lexicon` holds every section of `lexicons/*.toml` (+ a merchant's folder)
after loading and validation (builder.py, sections.py); nothing here reads a
file.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from guard.rules import Concept, Rule

TERM_KINDS = ("block", "mention", "needs_context")
GENERATED_KINDS = (*TERM_KINDS, "none")


@dataclass(frozen=True)
class TermGroup:
    """One platform, app or trading practice and every way of writing it.

    `block` terms block on sight (evasive spellings: 薇信, 绿泡泡, 某宝);
    `mention` terms warn when bare and block with a context word (微信, 淘宝);
    `needs_context` terms count only with a context word (卫星, 企鹅, 二维码).
    `pinyin` / `initials`: the kind given to generated pinyin spellings of the
    mention terms ("weixin", "wx"); `whole_token`: mention and needs_context
    terms in Chinese count only where the tokenizer sees a whole word;
    `refusable`: a refusal ("请勿私下交易") excuses even its `block` terms —
    set for practices, never for evasive spellings.
    """

    id: str
    label: str
    category: str
    block: tuple[str, ...] = ()
    mention: tuple[str, ...] = ()
    needs_context: tuple[str, ...] = ()
    pinyin: str = "none"
    initials: str = "none"
    whole_token: bool = False
    refusable: bool = False
    source: str = ""


@dataclass(frozen=True)
class ContextRule:
    """Words that turn a mention into guidance, before or after it, in one clause."""

    category: str
    before: tuple[str, ...]
    after: tuple[str, ...]
    near_before: tuple[str, ...]
    near_after: tuple[str, ...]
    window: int


@dataclass(frozen=True)
class DisguiseRules:
    """`[disguise]`: how a web or e-mail address's dot or @ is disguised (obfuscated.py).

    `dot` / `at`: the words and symbols written for them (a word of Latin
    letters alone only between spaces, in capitals or in brackets);
    `bracketed`: those also read alone inside brackets; an instruction to swap
    a symbol back is `swap_leads` … symbol … `swap_verbs` … one of
    `swap_targets`; `symbols`: a symbol's name → the characters it stands for;
    `reverse_cues`: an instruction to read an address backwards (倒过来读);
    `lookalike_dots`: symbols that look like a dot (·, ∙), read as one but, in a
    web address of one dot with capitals in it, left to a brand's name (Apple·TV).
    """

    dot: tuple[str, ...] = ()
    at: tuple[str, ...] = ()
    bracketed: tuple[str, ...] = ()
    swap_leads: tuple[str, ...] = ()
    swap_verbs: tuple[str, ...] = ()
    swap_targets: tuple[str, ...] = ()
    symbols: tuple[tuple[str, str], ...] = ()
    reverse_cues: tuple[str, ...] = ()
    lookalike_dots: tuple[str, ...] = ()


@dataclass(frozen=True)
class PositionRules:
    """`[numbers.positions]`: a piece's place in a number told in pieces (assembled.py).

    A place is one of `heads`, alone or with one of `units` and a count between
    (前3位, 后八位 on the digit view); the tail given first is one of
    `tail_words`, or one of `tail_heads` with a count and a unit, then maybe one
    of `tail_links`.
    """

    heads: tuple[str, ...] = ()
    units: tuple[str, ...] = ()
    tail_words: tuple[str, ...] = ()
    tail_heads: tuple[str, ...] = ()
    tail_links: tuple[str, ...] = ()

    def words(self) -> tuple[str, ...]:
        """Every word of the table (the dense view must keep their characters)."""
        return (*self.heads, *self.units, *self.tail_words, *self.tail_heads, *self.tail_links)


@dataclass(frozen=True)
class NumberRules:
    """Settings of the contact-number recognizers (see guard/recognizers/)."""

    phone_context: tuple[str, ...]
    landline_context: tuple[str, ...]
    bank_context: tuple[str, ...]
    not_contact_context: tuple[str, ...]
    account_fillers: tuple[str, ...]
    bank_prefixes: tuple[str, ...]
    context_window: int
    url_tlds: tuple[str, ...]
    allowed_domains: tuple[str, ...]
    code_symbols: str
    units: str
    courier_prefixes: tuple[str, ...] = ()
    part_links: tuple[str, ...] = ()  # words between the parts of a number given in pieces
    part_positions: tuple[str, ...] = ()  # words naming a piece's place (后面, 尾号, 剩下)
    numeral_words: tuple[str, ...] = ()  # words whose numerals are no digits (二维码, 一下)
    repeat_words: tuple[str, ...] = ()  # a digit said N times: 八个八 = 88888888
    join_cues: tuple[str, ...] = ()  # 连起来: join a message's digit groups into one number
    mailbox_words: tuple[str, ...] = ()  # QQ邮箱: the app's mailbox, its number before it
    spoken_digits: tuple[tuple[str, str], ...] = ()  # ("yao", "1"): digits said in words
    spoken_repeats: tuple[tuple[str, int], ...] = ()  # ("double", 2): double eight = 88
    letter_digits: tuple[tuple[str, str], ...] = ()  # ("l", "1"): l38l… inside a number
    disguise: DisguiseRules = DisguiseRules()  # `[disguise]`: a dot or @ written as a word
    positions: PositionRules = PositionRules()  # `[numbers.positions]`: 前3位, 尾号 …


@dataclass(frozen=True)
class PrivacyRules:
    """`[privacy]`: what the audit's masking knows of addresses, names and the words
    that present a number as the buyer's (guard/audit/privacy.py; lexicons/privacy.toml)."""

    house_units: tuple[str, ...] = ()  # 号, 栋, 单元 …: a house number anchors an address
    street_words: tuple[str, ...] = ()  # 路, 小区 …: a bare N号 is an address after one
    province_suffixes: tuple[str, ...] = ()  # what stays visible of an address
    city_suffixes: tuple[str, ...] = ()
    district_suffixes: tuple[str, ...] = ()
    address_reach: int = 24  # characters an address reaches back from its house number
    recipient_cues: tuple[str, ...] = ()  # a name follows (收件人, 姓名)
    self_cues: tuple[str, ...] = ()  # in a buyer's line, a name with a common surname follows
    surnames: str = ""
    name_stops: str = ""  # characters no name holds
    # `[privacy.buyer_number]`: owner, link?, kind?, name, fillers — 您的手机号 …
    buyer_owners: tuple[str, ...] = ()
    buyer_links: tuple[str, ...] = ()
    buyer_kinds: tuple[str, ...] = ()
    buyer_names: tuple[str, ...] = ()
    buyer_fillers: tuple[str, ...] = ()


@dataclass(frozen=True)
class Messages:
    """Texts agents read: the penalty warning, the reminder, reasons."""

    block_warning: str
    warn_reminder: str
    category_labels: dict[str, str]
    reasons: dict[str, str]


@dataclass(frozen=True)
class Lexicon:
    groups: tuple[TermGroup, ...]
    allow: tuple[str, ...]
    context: dict[str, ContextRule]
    negation: tuple[str, ...]
    negation_after: tuple[str, ...]
    negation_anywhere: tuple[str, ...]
    negation_window: int
    negation_after_window: int
    symbols: dict[str, str]
    numeral_extras: dict[str, str]
    boundaries: str
    numbers: NumberRules
    messages: Messages
    # soft cues (不方便) negate only the guidance verb they stand right before;
    # excuses (说话不方便) are no refusal at all, nor are `[negation] questions`
    # (A-not-A: 方不方便), read in among them
    negation_soft: tuple[str, ...] = ()
    negation_excuses: tuple[str, ...] = ()
    # refusals of a verb (不走, 不用): only right before the term or its one guidance word
    negation_verbs: tuple[str, ...] = ()
    # words after such a refusal that make it a condition (不加微信的话…)
    negation_conditions: tuple[str, ...] = ()
    # words that join the items a refused verb governs (不在抖音和快手卖)
    negation_list_joins: tuple[str, ...] = ()
    # words between a list and the refusal after it (红包、转账这些我们都不收)
    negation_list_fillers: tuple[str, ...] = ()
    # words that close a list of two or more items, after which a clause mark may come
    # before its refusal (加微信、加QQ这些，我们都不做)
    negation_list_ends: tuple[str, ...] = ()
    # what may close a clause after such a refusal (…都不收的哦)
    negation_closings: tuple[str, ...] = ()
    # context words that only place a name (抖音上, 在淘宝): such a mention is refused
    # where the message refuses the same app elsewhere
    negation_place_words: tuple[str, ...] = ()
    concepts: tuple[Concept, ...] = ()
    rules: tuple[Rule, ...] = ()
    # a character → the ways of writing it split into components (信 → 亻言)
    components: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # an emoji → the syllable it stands for inside an app's name (🐱 → 猫: 天🐱)
    syllables: dict[str, str] = field(default_factory=dict)
    privacy: PrivacyRules = PrivacyRules()
    fingerprint: str = field(default="", compare=False)
