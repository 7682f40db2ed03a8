"""The Python API: one typed function per job, each a thin wrapper over the library.

Re-exported lazily by :mod:`mtalign` (``from mtalign import translate``). A path is
always given as ``str`` or ``os.PathLike``; texts are always a list of strings, so what a
function returns never depends on which was given. Errors are
:class:`~mtalign.errors.MtalignError` subclasses whose message says what to fix; nothing is
printed.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from mtalign.errors import InputError, LanguageError

if TYPE_CHECKING:
    from mtalign.evaluate import Evaluation
    from mtalign.glossary.model import Glossary
    from mtalign.langid import LangGuess
    from mtalign.types import Alignment

__all__ = ["align", "detect", "evaluate", "load_glossary", "segment", "translate"]

#: A file: a path as ``str`` or ``os.PathLike``.
StrPath = str | os.PathLike[str]


def _is_path(value: object) -> bool:
    return isinstance(value, (str, os.PathLike))


def translate(
    source: StrPath | Sequence[str],
    to: str | Sequence[str],
    *,
    src: str = "auto",
    models: Mapping[str, str] | None = None,
    glossary: StrPath | Sequence[StrPath] = (),
    out: StrPath | None = None,
    **settings: Any,
) -> dict[str, list[str]]:
    """Translate a file or a list of texts into each language of ``to``.

    ``source`` is a file (``str`` or ``Path``: txt, Markdown or JSONL) or the texts
    themselves (a list of strings; each is split into sentences). ``models`` maps a target
    language to a Marian folder, a hub id or a registry pair; ``glossary`` is one or more
    glossary files (checked by default, ``glossary_mode="enforce"`` repairs). Any other
    setting of :class:`mtalign.settings.TranslateSettings` (``beam=``, ``engine=``,
    ``unit=`` ...) is checked by its declaration. With ``out`` (files only) the outputs,
    aligned JSONL and report are written there too, as ``mtalign translate`` does.

    Returns, per target language, one string per input item: per text, or per block of
    the file (a line of a .txt file, a block of Markdown with its markup, a JSONL record's
    text), empty blocks included, so indexes match the input.

    >>> translate(["Talks ended."], to="tr", models={"tr": "models/en-tr"})["tr"]  # doctest: +SKIP
    ['...']
    """
    from mtalign.settings import TranslateSettings, build

    targets = (to,) if isinstance(to, str) else tuple(to)
    files = [str(g) for g in ([glossary] if _is_path(glossary) else glossary)]  # type: ignore[union-attr]
    values: dict[str, Any] = {
        "targets": targets,
        "src": src,
        "models": dict(models or {}),
        "glossary": tuple(files),
        "glossary_mode": settings.pop("glossary_mode", "check" if files else "off"),
        "progress": settings.pop("progress", False),
        **settings,
    }
    config = build(TranslateSettings, values)
    if isinstance(source, (str, os.PathLike)):
        return _translate_file(str(source), config, out)
    if out is not None:
        raise InputError("translate: out= writes files for a file input; texts are returned")
    return _translate_texts(list(source), config)


def _translate_file(path: str, settings: Any, out: StrPath | None) -> dict[str, list[str]]:
    from mtalign.pipeline import check_settings, load_inputs, translate_documents, translate_files

    settings = check_settings(settings)
    if out is not None:
        results = translate_files([path], settings, str(out))
    else:
        results = translate_documents(load_inputs([path], settings), settings)
    res = results[0]
    return {t: [p.render() for p in res.outputs[t].paragraphs] for t in settings.targets}


def _translate_texts(texts: list[str], settings: Any) -> dict[str, list[str]]:
    from mtalign.document import segment_document
    from mtalign.langid import LangGuess
    from mtalign.langid import detect as detect_lang
    from mtalign.pipeline import check_settings, translate_documents
    from mtalign.types import Document, Paragraph, Segment

    settings = check_settings(settings)
    if any(not isinstance(t, str) for t in texts):
        raise InputError("translate: texts must be strings (a file is a str or Path)")
    lang = settings.src
    guess = LangGuess(lang, 1.0)
    if lang == "auto":
        guess = detect_lang("\n".join(texts))
        if guess.lang == "und":
            raise LanguageError("translate: too little text to tell its language; pass src=")
        lang = guess.lang
    paras = tuple(
        Paragraph(index=i, segments=(Segment(id=f"texts:{i}:0", text=" ".join(t.split())),))
        if t.strip()
        else Paragraph(index=i, kind="blank", raw="")
        for i, t in enumerate(texts)
    )
    doc = segment_document(Document(id="texts", paragraphs=paras, lang=lang), lang)
    res = translate_documents([(doc, guess)], settings)[0]
    return {t: [p.text for p in res.outputs[t].paragraphs] for t in settings.targets}


def _sentences(
    value: StrPath | Sequence[str], lang: str, presegmented: bool, force: bool
) -> list[str]:
    if not isinstance(value, (str, os.PathLike)):
        return [str(s) for s in value]
    if presegmented:
        from mtalign.io.lines import read_lines
        from mtalign.langid import check_language

        lines = [x.strip() for x in read_lines(str(value), "input", allow_empty=True) if x.strip()]
        check_language("\n".join(lines), lang, str(value), force=force, flag="src_lang/tgt_lang")
        return lines
    from mtalign.document import load_document

    doc, _ = load_document(str(value), lang=lang, force=force, flag="src_lang/tgt_lang")
    return [" ".join(t.split()) for t in doc.segment_texts() if t.strip()]


def align(
    src: StrPath | Sequence[str],
    tgt: StrPath | Sequence[str],
    src_lang: str,
    tgt_lang: str,
    *,
    method: str = "auto",
    max_bead: int = 5,
    presegmented: bool = False,
    force: bool = False,
) -> Alignment:
    """Sentence-align a document with its translation into beads (1-1, 1-2, 2-1, 1-0 ...).

    ``src`` and ``tgt`` are files (``str`` or ``Path``: segmented on the fly, or one
    sentence per line with ``presegmented=True``; their language is checked unless
    ``force``) or lists of sentences. ``method``: ``auto``, ``length``, ``embedding`` or
    a ``+`` mix. Returns an :class:`~mtalign.types.Alignment`: ``.beads`` (each with
    ``.src``/``.tgt`` sentence indices, ``.kind`` and ``.score``), ``.src``, ``.tgt``.

    >>> al = align(["A.", "B."], ["A.", "B."], "en", "en", method="length")
    >>> [b.kind for b in al.beads]
    ['1-1', '1-1']
    """
    from mtalign.align import align as align_sentences
    from mtalign.langid import normalize_lang

    s_lang, t_lang = normalize_lang(src_lang), normalize_lang(tgt_lang)
    return align_sentences(
        _sentences(src, s_lang, presegmented, force),
        _sentences(tgt, t_lang, presegmented, force),
        s_lang,
        t_lang,
        method=method,
        max_bead=max_bead,
    )


def evaluate(
    hyp: StrPath | Sequence[str] | Mapping[str, StrPath | Sequence[str]],
    ref: StrPath | Sequence[str],
    lang: str,
    *,
    src: StrPath | None = None,
    src_lang: str = "en",
    glossary: StrPath | None = None,
    metrics: str | Sequence[str] = ("bleu", "chrf", "ter"),
    significance: str | None = None,
    realign: bool = False,
    tokenize: str | None = None,
    seed: int = 12345,
    n_bootstrap: int = 1000,
    n_trials: int = 10_000,
) -> Evaluation:
    """Score translations against a reference with sacrebleu (BLEU, chrF++, TER) and more.

    ``hyp`` is one system (a file, or its lines) or several (a mapping of name to file or
    lines; the first is the baseline of ``significance="paired-bs"``/``"paired-ar"``).
    ``ref`` is a file or its lines, in ``lang``. ``glossary`` (with ``src``) adds term
    accuracy. Different line counts are an :class:`InputError` unless ``realign=True``.

    Returns an :class:`~mtalign.evaluate.Evaluation`: ``ev.baseline.scores["bleu"].value``,
    ``.signature``; ``ev.systems`` in order.
    """
    from mtalign.evaluate import EvalOptions, evaluate_files, evaluate_texts
    from mtalign.evaluate.terms import glossary_checker
    from mtalign.io.lines import read_lines
    from mtalign.langid import check_language, normalize_lang

    systems = dict(hyp) if isinstance(hyp, Mapping) else {"": hyp}
    options = EvalOptions(
        metrics=metrics, significance=significance, tokenize=tokenize, seed=seed,
        n_bootstrap=n_bootstrap, n_trials=n_trials, aligner=realign,
    )  # fmt: skip
    if _is_path(ref) and all(_is_path(v) for v in systems.values()):
        names = list(systems) if isinstance(hyp, Mapping) else None
        paths = [str(v) for v in systems.values()]
        return evaluate_files(
            paths, [str(ref)], lang, src=src, src_lang=src_lang, glossary=glossary,
            names=names, options=options,
        )  # fmt: skip
    lang = normalize_lang(lang)
    ref_lines = read_lines(str(ref), "reference") if _is_path(ref) else list(ref)  # type: ignore[arg-type]
    check_language("\n".join(ref_lines), lang, "reference", flag="lang", force_flag="")
    lines = [
        (name or "system", read_lines(str(v), "hypothesis") if _is_path(v) else list(v))  # type: ignore[arg-type]
        for name, v in systems.items()
    ]
    srcs = read_lines(str(src), "source") if src is not None else None
    terms = glossary_checker(str(glossary), src_lang, lang) if glossary is not None else None
    return evaluate_texts(
        lines, [ref_lines], lang, srcs=srcs, src_lang=src_lang, terms=terms, options=options
    )


def segment(text: str, lang: str) -> list[str]:
    """Split ``text`` into sentences with the rules of ``lang`` (en, tr, ru, ar; others:
    generic rules). Blank lines always end a sentence.

    >>> segment("Dr. Smith left. He said no.", "en")
    ['Dr. Smith left.', 'He said no.']
    """
    from mtalign.segment import split_sentences

    return split_sentences(text, lang)


def detect(text: str) -> LangGuess:
    """The language of ``text`` and its probability (``und`` under ~20 letters); seeded, so
    the same text always gets the same answer.

    >>> detect("Türkiye ve Rusya Perşembe günü ateşkes konusunda anlaştı.").lang
    'tr'
    """
    from mtalign.langid import detect as detect_lang

    return detect_lang(text)


def load_glossary(*paths: StrPath, src_lang: str = "en", tgt_lang: str | None = None) -> Glossary:
    """A :class:`Glossary` from one or more files (TOML, TSV, CSV or TBX), merged in order.

    ``tgt_lang`` is needed only for a two-column TSV/CSV without a header line.

    >>> g = load_glossary("configs/glossaries/idlib.toml")
    >>> len(g) > 0, "tr" in g.languages
    (True, True)
    """
    from mtalign.glossary.formats import load_glossaries

    return load_glossaries([str(p) for p in paths], src_lang=src_lang, tgt_lang=tgt_lang)
