"""Arabic-script folding: the one place that says which marks and letter variants are equal.

Alignment (``align.normalize``) and glossary matching (``glossary.textutil``,
``glossary.morph_ar``) compare Arabic text through these functions, so a name found by one
is found by the other. Folding is for comparison only; outputs keep the text as written.

* marks removed: harakat, tanwin, shadda, sukun, hamza marks above/below, the superscript
  (dagger) alef, Quranic annotation marks, tatweel;
* letters folded: alef forms (آ أ إ ٱ) -> ا, alef maqsura ى -> ي, ta marbuta ة -> ه,
  hamza carriers ؤ -> و and ئ -> ي, Persian ی -> ي and ک -> ك (common typing variants).

:func:`fold_with_offsets` keeps, for each output character, its index in the input, for
callers that must point back into the original text (glossary spans).
"""

from __future__ import annotations

#: Code points removed by folding (combining marks and tatweel).
MARKS: frozenset[int] = frozenset(
    [
        *range(0x0610, 0x061B),  # Quranic honorifics and small signs
        *range(0x064B, 0x0660),  # harakat, tanwin, shadda, sukun, hamza above/below, ...
        0x0670,  # superscript (dagger) alef
        *range(0x06D6, 0x06EE),  # Quranic annotation marks
        *range(0x08D3, 0x0900),  # extended Arabic marks
        0x0640,  # tatweel
    ]
)

#: Letter variants folded to one letter.
LETTERS: dict[str, str] = {
    "\u0622": "\u0627",  # alef madda -> alef
    "\u0623": "\u0627",  # alef hamza above -> alef
    "\u0625": "\u0627",  # alef hamza below -> alef
    "\u0671": "\u0627",  # alef wasla -> alef
    "\u0649": "\u064a",  # alef maqsura -> ya
    "\u0629": "\u0647",  # ta marbuta -> ha
    "\u0624": "\u0648",  # waw hamza -> waw
    "\u0626": "\u064a",  # ya hamza -> ya
    "\u06cc": "\u064a",  # Farsi ya -> ya
    "\u06a9": "\u0643",  # keheh -> kaf
}

_DROP = str.maketrans(dict.fromkeys(MARKS))
_FOLD = str.maketrans({**dict.fromkeys(MARKS), **{ord(k): v for k, v in LETTERS.items()}})


def is_mark(ch: str) -> bool:
    """Whether ``ch`` is one of the marks folding removes."""
    return ord(ch) in MARKS


def strip_marks(text: str) -> str:
    """``text`` without diacritics, Quranic marks and tatweel; letters unchanged."""
    return text.translate(_DROP)


def fold(text: str) -> str:
    """The comparison form: marks removed and letter variants folded."""
    return text.translate(_FOLD)


def fold_with_offsets(text: str) -> tuple[str, list[int]]:
    """:func:`fold` plus, for each output character, its index in ``text``."""
    out: list[str] = []
    index: list[int] = []
    for i, c in enumerate(text):
        if ord(c) in MARKS:
            continue
        out.append(LETTERS.get(c, c))
        index.append(i)
    return "".join(out), index
