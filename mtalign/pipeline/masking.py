"""Protected spans (inline code, URLs) kept away from the model behind ``[n]`` markers."""

from __future__ import annotations

from collections.abc import Sequence


def mask_protected(text: str, spans: Sequence[tuple[int, int]]) -> tuple[str, list[str]]:
    """Replace protected spans (inline code, URLs) with ``[n]`` markers the model copies."""
    if not spans:
        return text, []
    out, kept, pos = [], [], 0
    for k, (a, b) in enumerate(sorted(spans)):
        out.append(text[pos:a])
        out.append(f"[{k}]")
        kept.append(text[a:b])
        pos = b
    out.append(text[pos:])
    return "".join(out), kept


def unmask(text: str, kept: Sequence[str]) -> str:
    """Put protected spans back; any marker the model lost is appended, never dropped."""
    for k, span in enumerate(kept):
        marker = f"[{k}]"
        if marker in text:
            text = text.replace(marker, span, 1)
        else:
            text = f"{text} {span}".strip()
    return text
