"""Human-readable lists of the target forms a term accepts (``glossary show``)."""

from __future__ import annotations

from mtalign.glossary.model import Glossary, expected_forms
from mtalign.types import Term


def generated_forms(glossary: Glossary, term: Term, lang: str) -> list[str]:
    """Accepted forms of ``term`` in ``lang`` as a reader would write them.

    Turkish: the form and ``form'+suffix``; Russian: every case form; Arabic: the form
    and examples with proclitics; other languages: the explicit forms.
    """
    forms = list(expected_forms(glossary, term, lang))
    if term.keep:
        forms = [term.source[0], *forms]
    if not forms:
        return []
    out: list[str] = []
    for f in forms:
        if lang == "tr":
            out.append(f)
            out.append(f + "'…" + (" / " + f + "…" if glossary.opts(term.id).tr_attached else ""))
        elif lang == "ru":
            from mtalign.glossary.morph_ru import case_forms

            out.extend(x for _, x in case_forms(f))
        elif lang == "ar":
            art = f.startswith("ال")
            out.extend([f, "و" + f, "ب" + f, ("ل" + f[1:]) if art else "ل" + f])
        else:
            out.append(f)
    return list(dict.fromkeys(out))
