"""String similarity of a source name and a target rendering (Jaro-Winkler on folded,
romanised forms).

Only a tie-breaker for the miner: co-occurrence decides first, because similar-looking
names are often different entities (Syria / Rusya).
"""

from __future__ import annotations

import unicodedata

_CYRILLIC = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
        "a b v g d e e zh z i i k l m n o p r s t u f kh ts ch sh shch _ y _ e yu ya".split(),
        strict=True,
    )
)


def fold(text: str) -> str:
    """Lower case, no diacritics, dotless i as i, Cyrillic romanised (others kept)."""
    t = text.replace("ı", "i").replace("İ", "I").casefold()
    t = "".join(_CYRILLIC.get(c, c) for c in t).replace("_", "")
    d = unicodedata.normalize("NFKD", t)
    return "".join(c for c in d if not unicodedata.combining(c))


def jaro_winkler(a: str, b: str) -> float:
    """Jaro-Winkler similarity in [0, 1] (prefix scale 0.1, up to 4 characters)."""
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    window = max(max(len(a), len(b)) // 2 - 1, 0)
    used = [False] * len(b)
    a_hits = []
    for i, ch in enumerate(a):
        for j in range(max(0, i - window), min(len(b), i + window + 1)):
            if not used[j] and b[j] == ch:
                used[j] = True
                a_hits.append(ch)
                break
    m = len(a_hits)
    if not m:
        return 0.0
    b_hits = [b[j] for j in range(len(b)) if used[j]]
    half_transpositions = sum(x != y for x, y in zip(a_hits, b_hits, strict=True))
    jaro = (m / len(a) + m / len(b) + (m - half_transpositions / 2) / m) / 3
    prefix = 0
    for x, y in zip(a[:4], b[:4], strict=False):
        if x != y:
            break
        prefix += 1
    return jaro + prefix * 0.1 * (1 - jaro)


def name_similarity(source: str, target: str) -> float:
    """Similarity of two names in possibly different scripts (0 when nothing compares)."""
    return jaro_winkler(fold(source), fold(target))
