"""Rule-based sentence segmentation with character offsets.

One pass over the text finds candidate ends (a run of ``. ! ? … ؟ ۔`` plus any closing
quotes or brackets, followed by whitespace); each candidate is then judged from the word
before it and the word after it, using per-language data files in
``mtalign/data/segment/<lang>.txt`` (abbreviation classes, sentence-starter words, options).
The data files are read lazily, once per language, on first use.

Line handling: a blank line (or U+2029) always ends a sentence, since it ends a paragraph;
a single newline is ordinary whitespace, except before a line that starts with a list
marker (``-``, ``*``, ``•``, ``—``, ``1.``, ``2)``, ``a)``, ``(3)``), which starts a new
sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from mtalign.errors import ConfigError, InputError, LanguageError
from mtalign.langs import canonical

__all__ = ["sentence_spans", "split_sentences", "supported_languages"]

_DEDICATED = ("en", "tr", "ru", "ar")
_FALLBACK = "und"

_PERIODS = ".۔"
_EXCLAIMS = "!?؟‼⁇⁈⁉"
_TERMINALS = _PERIODS + _EXCLAIMS + "…"
_CLOSERS = "\"'”’»)]}›」』“"
_OPENERS = "\"'“‘«([{‹„‚¿¡「『"
_DASHES = "-–—―"
_PUNCT_START = ",;:.!?)]}…%،؛"  # a "sentence" cannot start with these

_T = re.escape(_TERMINALS)
# The lookbehind makes a scan start only at the first character of a run, so a long run of
# dots not followed by a space costs linear, not quadratic, time.
_CANDIDATE = re.compile(rf"(?<![{_T}])[{_T}]++[{re.escape(_CLOSERS)}]*+(?=\s|\Z)")
_WS = re.compile(r"\s+")
_NL = r"(?:\r\n|[\n\r\x0b\x0c\x85\u2028])"
_HSPACE = r"[^\S\r\n\x0b\x0c\x85\u2028\u2029]"
_PARAGRAPH_BREAK = re.compile(rf"{_NL}{_HSPACE}*+{_NL}|\u2029")
_LIST_ITEM = re.compile(
    rf"{_NL}{_HSPACE}*+(?=(?:[-*•▪◦‣–—]|\(?\d{{1,3}}[.)]|\(?[^\W\d_]\)){_HSPACE})"
)
_WORD = re.compile(r"[^\W\d_]+")
_DIGITS = re.compile(r"\d+")
_ROMAN = re.compile(r"[IVXLCDM]+")
_NUMERIC = re.compile(r"\d[\d.,:/\u00a0\u202f–-]*(?:-[^\W\d_]{1,4})?|[IVXLCDM]+")
_ACRONYM = re.compile(r"(?:[^\W\d_]\.)+[^\W\d_]")
_LANG_TAG = re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*")

# Abbreviation classes, as named in the data files.
_NEVER = "never"  # never ends a sentence ("Dr.", "e.g.")
_UNLESS_STARTER = "unless_starter"  # ends one only before a sentence-starter word ("U.S.")
_BEFORE_NUMBER = "before_number"  # never ends one before a number ("No. 5"), else ordinary
_UNIT = "unit"  # after a number ordinary ("2020 г."), else unless_starter ("г. Москва")
_UNLESS_FOLLOWER = "unless_follower"  # ordinary, except before a [followers] word ("p.m. Friday")
_MAY_END = "may_end"  # an ordinary word ("и т. д."), listed to override a shorter entry
_CLASSES = (_NEVER, _UNLESS_STARTER, _UNLESS_FOLLOWER, _BEFORE_NUMBER, _UNIT, _MAY_END)
_WORD_LISTS = ("starters", "followers", "continuers")
_OPTIONS = ("ordinal_numbers",)

_WINDOW = 80  # characters looked at on each side of a candidate; longer words are not rules


@dataclass(frozen=True)
class _Rules:
    lang: str
    abbreviations: dict[str, str]
    starters: frozenset[str]
    followers: frozenset[str]
    continuers: frozenset[str]
    ordinal_numbers: bool


def supported_languages() -> tuple[str, ...]:
    """Language codes with dedicated rules; any other code uses the generic fallback."""
    return _DEDICATED


def split_sentences(text: str, lang: str) -> list[str]:
    """Split ``text`` into sentences (see :func:`sentence_spans`)."""
    return [text[a:b] for a, b in sentence_spans(text, lang)]


def sentence_spans(text: str, lang: str) -> list[tuple[int, int]]:
    """Character spans ``[start, end)`` of the sentences of ``text``, in order.

    Spans exclude surrounding whitespace, never overlap, and together cover every
    non-whitespace character. ``lang`` is an ISO 639-1 code (``en``, ``tr``, ``ru`` and
    ``ar`` have dedicated rules, others or ``und`` a generic fallback).
    """
    if not isinstance(text, str):
        raise InputError(f"expected the text as a str, got {type(text).__name__}; decode it first")
    rules = _load_rules(_normalise_lang(lang))
    cuts: list[int] = []
    start = 0
    for m in _PARAGRAPH_BREAK.finditer(text):
        _cut_paragraph(text, start, m.start(), rules, cuts)
        cuts.append(m.start())
        start = m.end()
    _cut_paragraph(text, start, len(text), rules, cuts)
    cuts.append(len(text))

    spans: list[tuple[int, int]] = []
    a = 0
    for b in cuts:
        if b > a:
            piece = text[a:b]
            stripped = piece.strip()
            if stripped:
                s = a + len(piece) - len(piece.lstrip())
                spans.append((s, s + len(stripped)))
        a = b
    return spans


def _normalise_lang(lang: str) -> str:
    if not isinstance(lang, str) or not (lang == "und" or _LANG_TAG.fullmatch(lang)):
        raise LanguageError(
            f"expected a language code such as 'en', 'tr', 'ru', 'ar' or 'und', got {lang!r}"
        )
    base = canonical(lang)
    return base if base in _DEDICATED else _FALLBACK


def _cut_paragraph(text: str, start: int, end: int, rules: _Rules, cuts: list[int]) -> None:
    """Append the sentence ends inside ``text[start:end]`` to ``cuts``, in order."""
    hard = [m.start() for m in _LIST_ITEM.finditer(text, start, end)]
    hi = 0
    sent_start = start
    for m in _CANDIDATE.finditer(text, start, end):
        ps, pe = m.span()
        while hi < len(hard) and hard[hi] <= ps:
            cuts.append(hard[hi])
            sent_start = hard[hi]
            hi += 1
        if pe >= end:
            break
        if _is_boundary(text, ps, pe, end, sent_start, rules):
            cuts.append(pe)
            sent_start = pe
    cuts.extend(hard[hi:])


def _next_token(text: str, pos: int, end: int) -> tuple[str, int]:
    """The whitespace-delimited token at or after ``pos`` and the position after it."""
    m = _WS.match(text, pos, end)
    s = m.end() if m else pos
    chunk = text[s : min(end, s + _WINDOW)]
    parts = chunk.split(None, 1)
    if not parts:
        return "", s
    return parts[0], s + len(parts[0])


def _char_kind(word: str) -> str:
    c = word[0]
    if c.isupper() or c.istitle():
        return "upper"
    if c.islower():
        # "iPhone", "eBay", "mRNA" start sentences like capitalised words do.
        return "upper" if any(ch.isupper() for ch in word[1:8]) else "lower"
    if c.isdigit():
        return "digit"
    if c.isalpha():
        return "caseless"
    if c in _PUNCT_START:
        return "punct"
    return "other"


def _start_kind(text: str, pos: int, end: int) -> tuple[str, str]:
    """How the text after a candidate starts, and its first token."""
    tok, after = _next_token(text, pos, end)
    if not tok:
        return "end", tok
    core = tok.lstrip(_OPENERS)
    if not core:
        nxt, _ = _next_token(text, after, end)
        core = nxt.lstrip(_OPENERS)
        if not core:
            return "other", tok
        return _char_kind(core), tok
    if core[0] in _DASHES:
        # "— сказал он": a dash then a lowercase word continues the sentence.
        rest = core.lstrip(_DASHES)
        if not rest:
            rest, _ = _next_token(text, after, end)
            rest = rest.lstrip(_OPENERS)
        if rest:
            kind = _char_kind(rest)
            return ("lower" if kind == "lower" else "other"), tok
        return "other", tok
    return _char_kind(core), tok


def _first_word(tok: str) -> tuple[str, bool]:
    """The leading word of a token and whether it is a dotted initial ("J.")."""
    core = tok.lstrip(_OPENERS)
    m = _WORD.match(core)
    if not m:
        return "", False
    w = m.group()
    return w, len(w) == 1 and core[1:2] == "."


def _is_starter(tok: str, rules: _Rules) -> bool:
    word, initial = _first_word(tok)
    return not initial and word in rules.starters


def _is_boundary(text: str, ps: int, pe: int, end: int, sent_start: int, rules: _Rules) -> bool:
    run_end = ps
    while run_end < pe and text[run_end] in _TERMINALS:
        run_end += 1
    run = text[ps:run_end]
    kind, nxt = _start_kind(text, pe, end)
    if kind in ("lower", "punct", "end"):
        return False

    if any(c in _EXCLAIMS for c in run):
        if ps > 0 and text[ps - 1] in "([":
            return False  # "(?)" or "(!)" inside a sentence
        if run_end < pe and rules.continuers:
            # «...؟» قال الوزير, "...!" Vega said: quoted speech, then its attribution.
            following = text[pe : min(end, pe + _WINDOW)].split(None, 3)[:3]
            return not any(_first_word(t)[0] in rules.continuers for t in following)
        return True
    if "…" in run or ".." in run:
        # An ellipsis ends a sentence only when a capitalised word follows or, in a script
        # without case, when a closing quote or bracket ends the quoted speech with it.
        return kind == "upper" or (kind == "caseless" and run_end < pe)
    return _period_is_boundary(text, ps, kind, nxt, sent_start, rules)


def _period_is_boundary(
    text: str, ps: int, kind: str, nxt: str, sent_start: int, rules: _Rules
) -> bool:
    if ps == 0 or text[ps - 1].isspace():
        return True
    lo = max(sent_start, ps - _WINDOW)
    toks = text[lo:ps].split()
    core = toks[-1].lstrip(_OPENERS)
    if not core or core[-1] in _CLOSERS:
        return True  # the period follows a closing quote or bracket: not an abbreviation
    prev = toks[-2].lstrip(_OPENERS) if len(toks) > 1 else ""
    first_words = lo == sent_start
    first = first_words and len(toks) == 1

    cls = None
    if prev:
        cls = rules.abbreviations.get(prev + " " + core)
    if cls is None:
        cls = rules.abbreviations.get(core)
    if cls is not None:
        if cls == _NEVER:
            return False
        if cls == _UNLESS_STARTER:
            return _is_starter(nxt, rules)
        if cls == _UNLESS_FOLLOWER:
            return _first_word(nxt)[0] not in rules.followers
        if cls == _BEFORE_NUMBER:
            return kind != "digit"
        if cls == _UNIT:
            opening_date = first_words and len(toks) <= 4 and _is_starter(toks[0], rules)
            if prev and _NUMERIC.fullmatch(prev) and not opening_date:
                return True
            # "г. Москва", and a sentence that opens with a date: "В 2020 г. Минфин ..."
            return _is_starter(nxt, rules)
        return True  # _MAY_END

    is_digits = _DIGITS.fullmatch(core) is not None
    # An initial: one letter ("J."), or in Arabic one letter after the conjunction
    # proclitic ("وج." = "and J."), since Arabic script has no capitals to tell names by.
    single = (len(core) == 1 and core.isalpha()) or (
        len(core) == 2 and core[0] in "وف" and "\u0621" <= core[1] <= "\u064a"
    )
    roman = _ROMAN.fullmatch(core) is not None
    if first and ((is_digits and len(core) <= 3) or single or roman):
        return False  # a list marker such as "1." or "IV." opening the sentence
    if single or _ACRONYM.fullmatch(core):
        return _is_starter(nxt, rules)  # initials ("J. R. R. Tolkien") and "U.S."
    if rules.ordinal_numbers and (is_digits or roman):
        return _is_starter(nxt, rules)  # Turkish "1. Dünya Savaşı", "II. Abdülhamit"
    return True


def _upper_first(word: str, lang: str) -> str:
    if lang == "tr" and word[0] in "iı":
        return ("İ" if word[0] == "i" else "I") + word[1:]
    return word[0].upper() + word[1:]


@cache
def _load_rules(lang: str) -> _Rules:
    name = f"{lang}.txt"
    resource = resources.files("mtalign").joinpath("data").joinpath("segment").joinpath(name)
    where = f"mtalign/data/segment/{name}"
    try:
        content = resource.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(
            f"cannot read segmentation data {where} ({exc}); reinstall mtalign"
        ) from exc
    return _parse_rules(lang, content, where)


def _parse_rules(lang: str, content: str, where: str) -> _Rules:
    abbreviations: dict[str, str] = {}
    lists: dict[str, set[str]] = {k: set() for k in _WORD_LISTS}
    options: dict[str, bool] = dict.fromkeys(_OPTIONS, False)
    section = None
    for lineno, raw in enumerate(content.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1].strip()
            if section not in _CLASSES + _WORD_LISTS + ("options",):
                raise ConfigError(f"{where}:{lineno}: unknown section [{section}]")
            continue
        if section is None:
            raise ConfigError(f"{where}:{lineno}: entry {line!r} before any [section] header")
        if section == "options":
            key, sep, value = (s.strip() for s in line.partition("="))
            if not sep or key not in _OPTIONS or value not in ("true", "false"):
                raise ConfigError(
                    f"{where}:{lineno}: expected 'name = true|false' with name in {_OPTIONS}, "
                    f"got {line!r}"
                )
            options[key] = value == "true"
        elif section in _WORD_LISTS:
            lists[section].add(line)
        else:
            entry = " ".join(line.split())
            forms = {entry}
            if entry[0].islower() and len(entry) > 1:
                # Sentence-initial "E.g.", "Т. е."; single letters stay as written, since
                # a capital single letter is an initial ("John P. Smith").
                forms.add(_upper_first(entry, lang))
            for form in forms:
                if abbreviations.get(form, section) != section:
                    raise ConfigError(
                        f"{where}:{lineno}: {form!r} is listed under both "
                        f"[{abbreviations[form]}] and [{section}]; keep one"
                    )
                abbreviations[form] = section
    return _Rules(
        lang=lang,
        abbreviations=abbreviations,
        starters=frozenset(lists["starters"]),
        followers=frozenset(lists["followers"]),
        continuers=frozenset(lists["continuers"]),
        ordinal_numbers=options["ordinal_numbers"],
    )
