"""The Python API: one typed function per job, each a thin wrapper over the library.

``from mtalign.api import translate, align, evaluate, segment, detect, load_glossary``;
``translate``, ``detect`` and ``load_glossary`` are also re-exported lazily by
:mod:`mtalign` (``mtalign.align`` etc. are the sub-packages). A path is
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
from mtalign.settings import apiargs as check

if TYPE_CHECKING:
    from mtalign.evaluate import Evaluation
    from mtalign.glossary.model import Glossary
    from mtalign.langid import LangGuess
    from mtalign.types import Alignment

__all__ = ["align", "detect", "evaluate", "load_glossary", "segment", "translate", "translate_file"]

#: A file: a path as ``str`` or ``os.PathLike``.
StrPath = str | os.PathLike[str]


def _is_path(value: object) -> bool:
    return isinstance(value, (str, os.PathLike))


_DOC_SUFFIXES = (".txt", ".md", ".markdown", ".jsonl", ".html", ".htm", ".docx", ".xlf", ".xliff")


def _text_or_file(source: str) -> None:
    """Refuse a ``str`` that looks like a file name: ``translate`` reads a str as text."""
    name = source.strip()
    looks_like_file = (
        "\n" not in name
        and len(name) < 4096
        and (
            (not any(c.isspace() for c in name) and name.lower().endswith(_DOC_SUFFIXES))
            or os.path.isfile(name)
        )
    )
    if looks_like_file:
        raise InputError(
            f"translate: {source!r} looks like a file name, but a str is translated as text; "
            f"pass pathlib.Path({source!r}) or call translate_file({source!r}, ...) to translate "
            f"the file, or [{source!r}] to translate the string itself"
        )


def translate(
    source: str | os.PathLike[str] | Sequence[str],
    to: str | Sequence[str],
    *,
    src: str = "auto",
    models: Mapping[str, str] | None = None,
    glossary: StrPath | Sequence[StrPath] = (),
    out: StrPath | None = None,
    **settings: Any,
) -> dict[str, list[str]]:
    """Translate texts or a file into each language of ``to``.

    ``source`` is a text (``str``), a list of texts (each is split into sentences), or a
    file as a ``pathlib.Path`` (txt, Markdown, JSONL ...; :func:`translate_file` takes a
    ``str`` path). A ``str`` that looks like a file name (``"article.txt"``, or a file
    that exists) is refused with an :class:`InputError` saying which to use. ``models`` maps a target
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

    name = "translate"
    if not isinstance(source, (str, os.PathLike)):
        source = check.texts(name, "source", source)  # a list of strings, checked
    targets = check.langs(name, "to", to)
    check.lang(name, "src", src)
    model_map = check.mapping(name, "models", models)
    files = check.paths(name, "glossary", glossary)
    out = check.path(name, "out", out, optional=True)
    values: dict[str, Any] = {
        "targets": targets,
        "src": src,
        "models": model_map,
        "glossary": tuple(files),
        "glossary_mode": settings.pop("glossary_mode", "check" if files else "off"),
        "progress": settings.pop("progress", False),
        **settings,
    }
    config = build(TranslateSettings, values)
    from mtalign.pipeline import set_threads

    set_threads(config)
    if isinstance(source, os.PathLike):
        return _translate_file(os.fspath(source), config, out)
    if isinstance(source, str):
        _text_or_file(source)
        source = [source]
    if out is not None:
        raise InputError(
            "translate: out= writes files for a file input (a pathlib.Path or translate_file); "
            "texts are returned"
        )
    return _translate_texts(list(source), config)


def translate_file(
    path: StrPath,
    to: str | Sequence[str],
    *,
    src: str = "auto",
    models: Mapping[str, str] | None = None,
    glossary: StrPath | Sequence[StrPath] = (),
    out: StrPath | None = None,
    **settings: Any,
) -> dict[str, list[str]]:
    """Translate the file at ``path`` (``str`` or ``Path``): :func:`translate` of
    ``pathlib.Path(path)``, with the same arguments and result (one string per block)."""
    from pathlib import Path

    return translate(Path(path), to, src=src, models=models, glossary=glossary, out=out, **settings)


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
    value: str | os.PathLike[str] | list[str], lang: str, presegmented: bool, force: bool
) -> list[str]:
    if isinstance(value, os.PathLike):
        value = os.fspath(value)
    if not isinstance(value, str):
        return value
    if presegmented:
        from mtalign.io.lines import read_lines
        from mtalign.langid import check_language

        lines = [x.strip() for x in read_lines(str(value), "input", allow_empty=True) if x.strip()]
        check_language("\n".join(lines), lang, str(value), force=force, flag="src_lang/tgt_lang")
        return lines
    from mtalign.document import load_document
    from mtalign.types import without_placeholders

    doc, _ = load_document(str(value), lang=lang, force=force, flag="src_lang/tgt_lang")
    texts = (without_placeholders(t) for t in doc.segment_texts())
    return [" ".join(t.split()) for t in texts if t.strip()]


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

    name = "align"
    src_given = check.path_or_texts(name, "src", src)
    tgt_given = check.path_or_texts(name, "tgt", tgt)
    s_lang = normalize_lang(check.lang(name, "src_lang", src_lang))
    t_lang = normalize_lang(check.lang(name, "tgt_lang", tgt_lang))
    method = check.option(name, "method", method, optional=False)  # type: ignore[assignment]
    max_bead = check.integer(name, "max_bead", max_bead, 1, 2**31)
    presegmented = check.flag(name, "presegmented", presegmented)
    force = check.flag(name, "force", force)
    return align_sentences(
        _sentences(src_given, s_lang, presegmented, force),
        _sentences(tgt_given, t_lang, presegmented, force),
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
    confidence: bool = False,
) -> Evaluation:
    """Score translations against a reference with sacrebleu (BLEU, chrF, TER) and more.

    Metric names are sacrebleu's (``chrf`` is chrF, ``chrf++`` chrF++); ``confidence=True``
    adds bootstrap CIs (``n_bootstrap`` resamples).

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
    from mtalign.settings.suite import SuiteTable

    fn = "evaluate"
    systems = check.systems(fn, hyp)
    ref = check.path_or_texts(fn, "ref", ref)
    check.lang(fn, "lang", lang)
    src = check.path(fn, "src", src, optional=True)
    src_lang = check.lang(fn, "src_lang", src_lang)
    glossary = check.path(fn, "glossary", glossary, optional=True)
    metrics = check.names(fn, "metrics", metrics)
    significance = check.option(fn, "significance", significance)
    realign = check.flag(fn, "realign", realign)
    tokenize = check.option(fn, "tokenize", tokenize)
    seed = check.setting(fn, SuiteTable, "seed", seed)  # type: ignore[assignment]
    n_bootstrap = check.setting(fn, SuiteTable, "n_bootstrap", n_bootstrap)  # type: ignore[assignment]
    n_trials = check.setting(fn, SuiteTable, "n_trials", n_trials)  # type: ignore[assignment]
    options = EvalOptions(
        metrics=metrics, significance=significance, tokenize=tokenize, seed=seed,
        n_bootstrap=n_bootstrap, n_trials=n_trials, aligner=realign, confidence=confidence,
    )  # fmt: skip
    if _is_path(ref) and all(_is_path(v) for v in systems.values()):
        names = list(systems) if isinstance(hyp, Mapping) else None
        paths = [str(v) for v in systems.values()]
        return evaluate_files(
            paths, [str(ref)], lang, src=src, src_lang=src_lang, glossary=glossary,
            names=names, options=options,
        )  # fmt: skip
    lang = normalize_lang(lang)
    ref_lines = read_lines(str(ref), "reference") if _is_path(ref) else list(ref)
    check_language("\n".join(ref_lines), lang, "reference", flag="lang", force_flag="")
    lines = [
        (name or "system", read_lines(str(v), "hypothesis") if _is_path(v) else list(v))
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

    return split_sentences(check.text("segment", "text", text), check.lang("segment", "lang", lang))


def detect(text: str) -> LangGuess:
    """The language of ``text`` and its probability (``und`` under ~20 letters); seeded, so
    the same text always gets the same answer.

    >>> detect("Türkiye ve Rusya Perşembe günü ateşkes konusunda anlaştı.").lang
    'tr'
    """
    from mtalign.langid import detect as detect_lang

    return detect_lang(check.text("detect", "text", text))


def load_glossary(*paths: StrPath, src_lang: str = "en", tgt_lang: str | None = None) -> Glossary:
    """A :class:`Glossary` from one or more files (TOML, TSV, CSV or TBX), merged in order.

    ``tgt_lang`` is needed only for a two-column TSV/CSV without a header line.

    >>> g = load_glossary("configs/glossaries/idlib.toml")
    >>> len(g) > 0, "tr" in g.languages
    (True, True)
    """
    from mtalign.glossary.formats import load_glossaries

    name = "load_glossary"
    files = [check.path(name, f"path {i + 1}", p) for i, p in enumerate(paths)]
    if not files:
        raise InputError("load_glossary: no glossary file given; pass one or more paths")
    check.lang(name, "src_lang", src_lang)
    if tgt_lang is not None:
        check.lang(name, "tgt_lang", tgt_lang)
    return load_glossaries(files, src_lang=src_lang, tgt_lang=tgt_lang)  # type: ignore[arg-type]
