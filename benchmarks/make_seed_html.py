"""Write ``seeds/idlib.html`` from ``seeds/idlib.txt``: the seed article as a news page.

The first line is the headline; the others are paragraphs. Names of people get ``<b>``,
places ``<a href>`` with a ``title``, so the page exercises inline placeholders and
translatable attributes. Run: ``python benchmarks/make_seed_html.py``.
"""

from __future__ import annotations

import html
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BOLD = ("Vladimir Putin", "Recep Tayyip Erdogan", "Bashar al-Assad")
LINKS = {"Idlib province": "https://en.wikipedia.org/wiki/Idlib_Governorate"}


def _inline(line: str) -> str:
    out = html.escape(line, quote=False)
    for name in BOLD:
        out = out.replace(name, f"<b>{name}</b>")
    for place, url in LINKS.items():
        out = out.replace(place, f'<a href="{url}" title="About {place}">{place}</a>')
    return out


def main() -> None:
    lines = (ROOT / "seeds/idlib.txt").read_text(encoding="utf-8").splitlines()
    title = html.escape(lines[0], quote=False)
    body = "\n".join(f"  <p>{_inline(line)}</p>" for line in lines[1:] if line.strip())
    page = f"""<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>{title}</title>
  <meta name="description" content="{html.escape(lines[0])}">
  <script>window.analytics = {{"section": "world", "tags": ["<b>not text</b>"]}};</script>
</head>
<body>
  <h1>{title}</h1>
  <p class="byline" translate="no">Wire staff &middot; 28 February 2020</p>
{body}
  <figure><img src="idlib-map.png" alt="Map of north-western Syria with Idlib province">
  <figcaption>Idlib province borders Turkey.</figcaption></figure>
</body>
</html>
"""
    (ROOT / "seeds/idlib.html").write_text(page, encoding="utf-8")


if __name__ == "__main__":
    main()
