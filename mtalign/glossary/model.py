"""The in-memory glossary: terms, per-term options, conflict checks, lookups."""

from __future__ import annotations

import logging
import typing
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property

from mtalign.errors import ConfigError
from mtalign.glossary.match import SourceMatcher
from mtalign.safetext import printable
from mtalign.settings.glossary import EntityType
from mtalign.types import Term

log = logging.getLogger(__name__)

#: Entity types a term may have (declared with the glossary format in mtalign.settings).
ENTITY_TYPES: tuple[str, ...] = typing.get_args(EntityType)


@dataclass(frozen=True)
class TermOptions:
    """What a term needs beyond :class:`mtalign.types.Term`.

    ``tr_attached``: Turkish suffixes may attach without an apostrophe (institution names:
    "Güvenlik Konseyine" is correct Turkish), so both spellings are accepted.
    ``ar_article``: the Arabic article ال may be prefixed to the target form.
    ``origin``: ``path:line`` of the entry, for error messages.
    """

    tr_attached: bool = False
    ar_article: bool = False
    note: str = ""
    origin: str = ""


_DEFAULT_OPTIONS = TermOptions()


@dataclass
class Glossary:
    """An ordered set of terms with their options; build with :func:`make_glossary`."""

    terms: tuple[Term, ...]
    options: Mapping[str, TermOptions] = field(default_factory=dict)
    name: str = ""
    source_lang: str = "en"
    path: str = ""

    def __post_init__(self) -> None:
        self.by_id: dict[str, Term] = {t.id: t for t in self.terms}
        self._matchers: dict[str, SourceMatcher] = {}

    def __len__(self) -> int:
        return len(self.terms)

    def __iter__(self) -> Iterator[Term]:
        return iter(self.terms)

    def get(self, term_id: str) -> Term:
        return self.by_id[term_id]

    def opts(self, term_id: str) -> TermOptions:
        return self.options.get(term_id, _DEFAULT_OPTIONS)

    @cached_property
    def languages(self) -> tuple[str, ...]:
        """Target languages that at least one term has a form for."""
        langs: set[str] = set()
        for t in self.terms:
            langs.update(t.targets)
        return tuple(sorted(langs))

    def matcher(self, src_lang: str | None = None) -> SourceMatcher:
        """The (cached) source-side matcher for ``src_lang``."""
        lang = src_lang or self.source_lang
        if lang not in self._matchers:
            self._matchers[lang] = SourceMatcher(self.terms, lang)
        return self._matchers[lang]

    def merge(self, other: Glossary) -> Glossary:
        """A glossary with the terms of both; conflicts raise ``ConfigError``."""
        opts = dict(self.options)
        opts.update(other.options)
        return make_glossary(
            [*self.terms, *other.terms],
            opts,
            name=self.name or other.name,
            source_lang=self.source_lang,
            path=self.path or other.path,
        )


def _where(options: Mapping[str, TermOptions], term_id: str) -> str:
    o = options.get(term_id)
    return f" ({o.origin})" if o is not None and o.origin else ""


def _visible(form: str) -> bool:
    """Whether ``form`` has a character that shows: not only spaces, zero-width or format
    characters (U+200B, U+FEFF, bidi marks) or other invisible code points."""
    return any(not unicodedata.category(c).startswith(("Z", "C")) for c in form)


def _check_visible(term: Term, options: Mapping[str, TermOptions]) -> None:
    """A ConfigError (naming ``path:line``) for a form that holds nothing visible."""
    forms = [("source", f) for f in term.source]
    forms += [(f"target {lang}", f) for lang, f in term.targets.items()]
    forms += [(f"form {lang}", f) for lang, fs in term.extra_forms.items() for f in fs]
    for what, form in forms:
        if not _visible(form):
            o = options.get(term.id)
            where = o.origin if o is not None and o.origin else f"term {term.id!r}"
            raise ConfigError(
                f"{where}: the {what} {printable(form)!r} has no visible character (only "
                "spaces, zero-width or format characters); write the term or delete it"
            )


def make_glossary(
    terms: Iterable[Term],
    options: Mapping[str, TermOptions] | None = None,
    name: str = "",
    source_lang: str = "en",
    path: str = "",
) -> Glossary:
    """Validate terms (ids unique, no source form with two different targets) and build.

    Two entries sharing a source form with the same targets are merged (the first
    wins, with a log line); different targets for one source form is a ``ConfigError``
    naming both entries.
    """
    options = dict(options or {})
    seen_ids: dict[str, Term] = {}
    by_form: dict[str, Term] = {}
    kept: list[Term] = []
    for term in terms:
        if not term.source:
            raise ConfigError(
                f"term {term.id!r}{_where(options, term.id)} has no source form; "
                'add source = ["..."]'
            )
        _check_visible(term, options)
        if term.id in seen_ids:
            raise ConfigError(
                f"two terms have the id {term.id!r}{_where(options, term.id)}; ids must be unique"
            )
        seen_ids[term.id] = term
        duplicate_of: Term | None = None
        for form in term.source:
            other = by_form.get(form)
            if other is None:
                continue
            clash = [
                lang
                for lang in set(other.targets) & set(term.targets)
                if other.targets[lang] != term.targets[lang]
            ]
            if clash or other.keep != term.keep:
                lang = clash[0] if clash else "keep"
                raise ConfigError(
                    f"source form {form!r} is in term {other.id!r}{_where(options, other.id)} "
                    f"and in term {term.id!r}{_where(options, term.id)} with different "
                    f"targets for {lang!r}; keep one entry or make the forms differ"
                )
            duplicate_of = other
        if duplicate_of is not None:
            log.info("term %r repeats term %r; merged", term.id, duplicate_of.id)
            merged = replace(
                duplicate_of,
                source=tuple(dict.fromkeys(duplicate_of.source + term.source)),
                targets={**term.targets, **duplicate_of.targets},
            )
            kept[kept.index(duplicate_of)] = merged
            for f in merged.source:
                by_form[f] = merged
            continue
        for form in term.source:
            by_form[form] = term
        kept.append(term)
    return Glossary(tuple(kept), options, name=name, source_lang=source_lang, path=path)


def expected_forms(glossary: Glossary, term: Term, lang: str) -> tuple[str, ...]:
    """Canonical form first, then the explicit extra forms; empty when there is none."""
    canonical = term.targets.get(lang)
    if not canonical:
        return ()
    return (canonical, *[f for f in term.extra_forms.get(lang, ()) if f != canonical])
