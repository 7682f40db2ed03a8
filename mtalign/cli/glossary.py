"""``mtalign glossary ...``: check, fix, show, cldr, mine (no model needed)."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any

from mtalign.cli import output
from mtalign.cli._args import as_bool, as_files, as_list, as_paths, as_str
from mtalign.errors import InputError, MtalignError

if TYPE_CHECKING:
    from mtalign.glossary.model import Glossary as GlossaryModel


class TermCheckFailed(MtalignError):
    """``glossary check --strict`` found occurrences that are not ok."""

    exit_code = 1


def _read_lines(path: str) -> list[str]:
    from mtalign.io.lines import read_lines

    return read_lines(path, "input", allow_empty=True)


def _write(path: str, text: str) -> None:
    """Write ``text`` to ``path`` atomically, or to stdout when ``path`` is ``-``."""
    if path == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    from mtalign.io.atomic import atomic_write_text

    atomic_write_text(path, text)


def _check_outputs(out: Any = None, report: Any = None, inputs: Any = ()) -> None:
    """Where the command will write, checked before anything is read: a file name in a
    folder that takes it, and none of the command's ``inputs`` (files, glossaries)."""
    from mtalign.io.outputs import check_not_inputs, check_output_file

    written: dict[str, str] = {}
    if out is not None and str(out) != "-":
        check_output_file(str(out), "--out")
        written[str(out)] = "--out"
    if report is not None:
        check_output_file(str(as_str(report, "report")), "--report")
        written[str(as_str(report, "report"))] = "--report"
    check_not_inputs(written, inputs)


def _glossary_files(glossary: Any) -> list[str]:
    return list(as_files(glossary, "glossary")) if glossary is not None else []


def _load(glossary: Any, src_lang: str, tgt_lang: str | None) -> GlossaryModel:
    from mtalign.glossary.formats import load_glossaries

    files = as_files(glossary, "glossary")
    return load_glossaries(files, src_lang=src_lang, tgt_lang=tgt_lang)


def _langs(src_lang: Any, tgt_lang: Any) -> tuple[str, str]:
    src = as_str(src_lang, "src-lang", "en") or "en"
    tgt = as_str(tgt_lang, "tgt-lang")
    if not tgt:
        raise InputError("--tgt-lang is required (the language of the translation, e.g. tr)")
    return src.lower(), tgt.lower()


def _mine_input(
    paths: tuple[Any, ...], out_path: str
) -> tuple[list[str], list[str], str, tuple[str, str]]:
    """Bead texts (source, target), the source name, and languages an alignment names."""
    if len(paths) not in (1, 2):
        raise InputError(
            f"expected SRC TRANSLATION or one alignment (.tsv/.jsonl), got {len(paths)} paths"
        )
    if len(paths) == 1:
        (path,) = as_paths(list(paths), "src")
        _check_outputs(out=out_path, inputs=[path])
        from mtalign.io.aligned import read_aligned_beads

        src_texts, tgt_texts, langs = read_aligned_beads(path)
        return src_texts, tgt_texts, path, langs
    src_path, tr_path = as_paths(list(paths), "src")
    _check_outputs(out=out_path, inputs=[src_path, tr_path])
    sources, targets = _read_lines(src_path), _read_lines(tr_path)
    if len(sources) != len(targets):
        raise InputError(
            f"{src_path} has {len(sources)} lines and {tr_path} {len(targets)}: give "
            "line-aligned files, or mine from an alignment (mtalign align ... --format tsv)"
        )
    return sources, targets, src_path, ("", "")


class Glossary:
    """Check and repair glossary terms in translations; inspect and build glossaries."""

    def check(
        self,
        src: Any,
        hyp: Any,
        glossary: Any = None,
        src_lang: Any = "en",
        tgt_lang: Any = None,
        report: Any = None,
        strict: Any = False,
    ) -> None:
        """Report every source term occurrence and how HYP renders it (ok/variant/missing).

        Example: mtalign glossary check en.txt tr.txt --glossary names.toml --tgt-lang tr
        """
        from mtalign.glossary.check import check_corpus
        from mtalign.glossary.report import format_table, format_totals, report_dict

        if glossary is None:
            raise InputError("--glossary FILE is required (TOML, TSV, CSV or TBX)")
        s, t = _langs(src_lang, tgt_lang)
        src_path, hyp_path = as_paths([src, hyp], "src")
        _check_outputs(report=report, inputs=[src_path, hyp_path, *_glossary_files(glossary)])
        g = _load(glossary, s, t)
        occ = check_corpus(_read_lines(src_path), _read_lines(hyp_path), g, s, t)
        output.block(format_table(occ))
        output.block(format_totals(occ))
        if report is not None:
            data = report_dict(
                occ, glossary=g.path, src_lang=s, tgt_lang=t, src=src_path, hyp=hyp_path
            )
            _write(
                str(as_str(report, "report")), json.dumps(data, ensure_ascii=False, indent=2) + "\n"
            )
        bad = sum(o.hit.status != "ok" for o in occ)
        if as_bool(strict, "strict") and bad:
            raise TermCheckFailed(f"{bad} of {len(occ)} term occurrences are not ok (--strict)")

    def fix(
        self,
        src: Any,
        hyp: Any,
        glossary: Any = None,
        src_lang: Any = "en",
        tgt_lang: Any = None,
        out: Any = None,
        report: Any = None,
    ) -> None:
        """Rewrite wrong variants of glossary terms in HYP (any MT system's output) to --out."""
        from mtalign.glossary.fix import fix_corpus
        from mtalign.glossary.report import format_table, format_totals, report_dict

        if glossary is None:
            raise InputError("--glossary FILE is required (TOML, TSV, CSV or TBX)")
        out_path = as_str(out, "out")
        if not out_path:
            raise InputError(
                "--out FIXED is required (where the repaired translation goes; - for stdout)"
            )
        s, t = _langs(src_lang, tgt_lang)
        src_path, hyp_path = as_paths([src, hyp], "src")
        _check_outputs(
            out=out_path, report=report, inputs=[src_path, hyp_path, *_glossary_files(glossary)]
        )
        g = _load(glossary, s, t)
        from mtalign.io.lines import encode_lines, read_lines_as_written

        hyp_lines, form = read_lines_as_written(hyp_path, "input", allow_empty=True)
        res = fix_corpus(_read_lines(src_path), hyp_lines, g, s, t)
        # In the input's encoding, BOM and line endings: a fix changes terms, nothing else.
        fixed = encode_lines(res.texts, form)
        if out_path == "-":
            sys.stdout.flush()
            sys.stdout.buffer.write(fixed)
            sys.stdout.buffer.flush()
        else:
            from mtalign.io.atomic import atomic_write_bytes

            atomic_write_bytes(out_path, fixed)
        # With --out -, stdout is the repaired text: the table goes to stderr.
        show = output.note_lines if out_path == "-" else output.block
        show(format_table(res.before, show_fix=True))
        show(format_totals(res.before, "before: "))
        show(format_totals(res.after, "after:  "))
        if report is not None:
            data = {
                "before": report_dict(res.before),
                "after": report_dict(res.after),
                "glossary": g.path,
                "src_lang": s,
                "tgt_lang": t,
            }
            _write(
                str(as_str(report, "report")), json.dumps(data, ensure_ascii=False, indent=2) + "\n"
            )

    def show(self, glossary: Any, langs: Any = None, src_lang: Any = "en") -> None:
        """Print the entries and the target forms generated for each language."""
        from mtalign.glossary.forms import generated_forms

        s = as_str(src_lang, "src-lang", "en") or "en"
        g = _load(glossary, s, None)
        wanted = [x.lower() for x in as_list(langs, "langs")] or list(g.languages)
        esc = output.one_line
        output.line(f"{g.path}: {len(g)} terms, languages {', '.join(g.languages) or '-'}")
        for term in g.terms:
            flags = [
                x
                for x in (
                    term.type,
                    "keep" if term.keep else "",
                    "" if term.case_sensitive else "ignore-case",
                )
                if x
            ]
            output.block("\n" + esc(term.id) + (f" [{esc(', '.join(flags))}]" if flags else ""))
            output.line("  source: " + " | ".join(term.source))
            for lang in wanted:
                forms = generated_forms(g, term, lang)
                output.line(f"  {lang}: " + (" | ".join(forms) if forms else "(no target form)"))

    def cldr(self, langs: Any = "tr,ru,ar", out: Any = None, src_lang: Any = "en") -> None:
        """Write a country/territory glossary (entity type LOC) from CLDR data via Babel."""
        from mtalign.glossary.cldr import cldr_glossary
        from mtalign.glossary.formats import dump_toml

        out_path = as_str(out, "out")
        if not out_path:
            raise InputError("--out FILE is required (e.g. configs/glossaries/countries.toml)")
        targets = [x.lower() for x in as_list(langs, "langs")]
        if not targets:
            raise InputError("--langs: give target languages, e.g. --langs tr,ru,ar")
        _check_outputs(out=out_path)
        g = cldr_glossary(targets, src_lang=as_str(src_lang, "src-lang", "en") or "en")
        _write(
            out_path,
            dump_toml(
                g, header={"description": "Countries and territories from Unicode CLDR (via Babel)"}
            ),
        )
        output.summary(f"wrote {len(g)} terms for {', '.join(targets)} to {out_path}")

    def mine(
        self,
        *paths: Any,
        tgt_lang: Any = None,
        out: Any = None,
        src_lang: Any = "en",
        min_count: Any = 2,
    ) -> None:
        """Draft a glossary from a translated document: source names -> their renderings.

        SRC TRANSLATION are two line-aligned files; a single SRC ending in .tsv or .jsonl
        is read as ``mtalign align`` output (one bead per row/record). Candidates the
        evidence does not single out are dropped and counted.
        """
        from mtalign.cli._args import as_int
        from mtalign.glossary.formats import dump_toml
        from mtalign.glossary.mine import mine_glossary

        out_path = as_str(out, "out")
        if not out_path:
            raise InputError("--out FILE is required (the glossary draft to review; - for stdout)")
        sources, targets, src_path, langs = _mine_input(paths, out_path)
        s, t = _langs(src_lang, tgt_lang or langs[1])
        g, comments, unsure = mine_glossary(
            sources, targets, s, t, min_count=as_int(min_count, "min-count", minimum=1)
        )
        _write(
            out_path,
            dump_toml(g, header={"description": f"draft mined from {src_path}"}, comments=comments),
        )
        dropped = f"; dropped {len(unsure)} unsure" if unsure else ""
        if out_path != "-":
            output.summary(
                f"wrote {len(g)} draft terms to {out_path}{dropped}; review them before use"
            )
        elif not output.LOUDNESS.quiet:  # stdout is the TOML
            print(
                f"wrote {len(g)} draft terms to stdout{dropped}; review them before use",
                file=sys.stderr,
            )
