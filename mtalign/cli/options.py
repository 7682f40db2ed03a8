"""What the command line takes that is not a setting of the library: declared once, here.

Each class lists the arguments and options of one command (or of a few that share them),
one field per parameter of the command's method on :class:`mtalign.cli.Mtalign`, with the
same :func:`~mtalign.settings.setting` declarations as the library's settings: help text,
value form (``metavar``), default, bounds, choices. Options that *are* library settings
(``--beam``, ``--runner``, ``--seed`` ...) are not repeated here: :mod:`mtalign.cli.commands`
finds them on :class:`~mtalign.settings.TranslateSettings`, the job tables and the suite
tables. A field without a default is required.
"""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

from mtalign.settings import setting

TextFormat = Literal["txt", "jsonl"]
LogLevel = Literal["debug", "info", "warning", "error"]

_DOC = "txt, md or jsonl; - reads stdin"


class _Options(msgspec.Struct, frozen=True, kw_only=True):
    pass


class GlobalOptions(_Options, frozen=True, kw_only=True):
    """Options every command takes, before or after the command name."""

    quiet: Annotated[
        bool,
        setting("errors only: no progress bars, notes or warnings", cli="--quiet", short="-q"),
    ] = False
    verbose: Annotated[
        bool,
        setting(
            "stage timings and decisions: model resolved, cache hits, batches, retries",
            cli="--verbose",
            short="-v",
        ),
    ] = False
    log_level: Annotated[
        LogLevel,
        setting(
            "how much mtalign logs (overrides -q and -v)", metavar="{debug,info,warning,error}"
        ),
    ] = "warning"
    help: Annotated[bool, setting("show this help and exit", cli="--help", short="-h")] = False


class SegmentOptions(_Options, frozen=True, kw_only=True):
    path: Annotated[str, setting(f"the document ({_DOC})", metavar="FILE")]
    lang: Annotated[
        str, setting("language of the document (auto: detected)", metavar="LANG|auto")
    ] = "auto"
    format: Annotated[
        TextFormat,
        setting("output: id<TAB>sentence lines, or JSON records", metavar="{txt,jsonl}"),
    ] = "txt"
    force: Annotated[bool, setting("segment even when the text does not look like --lang")] = False


class DetectOptions(_Options, frozen=True, kw_only=True):
    paths: Annotated[tuple[str, ...], setting(f"documents ({_DOC})", metavar="FILE")]
    per_paragraph: Annotated[bool, setting("one line per paragraph, with its id")] = False
    format: Annotated[
        TextFormat,
        setting(
            "output: path<TAB>lang<TAB>probability lines, or JSON records", metavar="{txt,jsonl}"
        ),
    ] = "txt"


class TranslateOptions(_Options, frozen=True, kw_only=True):
    inputs: Annotated[tuple[str, ...], setting(f"documents to translate ({_DOC})", metavar="INPUT")]
    out: Annotated[
        str,
        setting(
            "output folder (- prints the translation of one input into one language)",
            metavar="DIR|-",
        ),
    ] = "out"


class AlignOptions(_Options, frozen=True, kw_only=True):
    paths: Annotated[
        tuple[str, ...],
        setting(
            "SRC, then one or more translations of it (txt, md or jsonl); none with --pairs",
            metavar="SRC TGT",
        ),
    ] = ()
    src_lang: Annotated[str | None, setting("language of SRC", metavar="LANG")] = None
    tgt_lang: Annotated[str | None, setting("language of the translation", metavar="LANG")] = None
    langs: Annotated[
        tuple[str, ...],
        setting(
            "one language per file, in order (instead of --src-lang/--tgt-lang)", metavar="LANG"
        ),
    ] = ()
    method: Annotated[
        str,
        setting(
            "similarity: auto, length, embedding, translation, or a mix such as translation+length",
            metavar="METHOD",
        ),
    ] = "auto"
    out: Annotated[str, setting("output file (- is stdout)", metavar="FILE|-")] = "-"
    format: Annotated[
        Literal["tsv", "jsonl", "tmx", "vecalign"],
        setting("output format", metavar="{tsv,jsonl,tmx,vecalign}"),
    ] = "tsv"
    max_bead: Annotated[
        int, setting("most sentences on the longer side of a bead", metavar="N", ge=1, le=8)
    ] = 5
    presegmented: Annotated[
        bool, setting("inputs hold one sentence per line (no segmentation)")
    ] = False
    force: Annotated[
        bool, setting("align even when a text does not look like its declared language")
    ] = False
    model: Annotated[
        dict[str, str],
        setting("model per target language, for --method translation", metavar="LANG=MODEL"),
    ] = {}
    keep_unaligned: Annotated[
        bool,
        setting("tmx: keep 1-0 and 0-1 beads as one-language units (many CAT tools reject them)"),
    ] = False
    report: Annotated[
        bool,
        setting(
            "report bead types, score spread and the least confident beads (stderr, and "
            "NAME.report.json beside each output file)"
        ),
    ] = False
    pairs: Annotated[
        str | None,
        setting(
            "align many pairs with one model load: SRC<TAB>TGT[<TAB>SRC_LANG<TAB>TGT_LANG"
            "[<TAB>NAME]] per line; --out is then a folder",
            metavar="PAIRS.tsv",
        ),
    ] = None
    resume: Annotated[bool, setting("--pairs: finish an interrupted run in the same --out")] = False


class EvaluateOptions(_Options, frozen=True, kw_only=True):
    """``mtalign evaluate``; metrics, tokenizer, seed and resamples are suite settings."""

    hyp: Annotated[
        tuple[str, ...],
        setting(
            "hypothesis files, one segment per line; the first is the baseline (- reads stdin)",
            metavar="FILE",
            form="several",
        ),
    ]
    ref: Annotated[
        tuple[str, ...],
        setting(
            "reference files, line-aligned with each other (without: only --metrics comet, "
            "reference-free)",
            metavar="FILE",
            form="several",
        ),
    ] = ()
    lang: Annotated[str, setting("language of the hypotheses and references", metavar="LANG")]
    src: Annotated[
        str | None,
        setting(
            "source file, line-aligned with the references (for --glossary and COMET)",
            metavar="FILE",
        ),
    ] = None
    src_lang: Annotated[str, setting("language of --src", metavar="LANG")] = "en"
    glossary: Annotated[
        str | None, setting("glossary for term accuracy (needs --src)", metavar="FILE")
    ] = None
    significance: Annotated[
        Literal["paired-bs", "paired-ar"] | None,
        setting(
            "paired test of each system against the first --hyp",
            metavar="{paired-bs,paired-ar}",
        ),
    ] = None
    report: Annotated[
        str | None,
        setting(
            "folder for report.json, report.md, report.html (- prints one --format to stdout)",
            metavar="DIR|-",
        ),
    ] = None
    format: Annotated[
        tuple[str, ...],
        setting(
            "what to write: text (the table), json, md, html; default: text, and json,md,html "
            "into --report",
            metavar="{text,json,md,html}[,...]",
        ),
    ] = ()
    names: Annotated[
        tuple[str, ...],
        setting(
            "system names, one per --hyp (default: file names)", metavar="NAME", form="several"
        ),
    ] = ()
    realign: Annotated[
        bool,
        setting(
            "score hypotheses with another line count by aligning them to the reference "
            "(default: different line counts are an error)"
        ),
    ] = False
    confidence: Annotated[
        bool,
        setting(
            "95% confidence intervals from --n-bootstrap resamples, as sacrebleu --confidence "
            "(default: none without --significance; paired-bs always has them)"
        ),
    ] = False


class EvalSuiteOptions(_Options, frozen=True, kw_only=True):
    """``mtalign eval-suite``; its other options override the suite's settings."""

    config: Annotated[
        str, setting("suite config (TOML), e.g. configs/eval/idlib.toml", metavar="CONFIG")
    ]


class BatchOptions(_Options, frozen=True, kw_only=True):
    """``mtalign batch``; --runner, --workers and --ray-address override the job's settings."""

    config: Annotated[
        str, setting("job config (TOML), e.g. configs/jobs/example.toml", metavar="JOB")
    ]
    resume: Annotated[bool, setting("finish an interrupted job")] = False


class GlossaryOptions(_Options, frozen=True, kw_only=True):
    """Shared by the ``glossary`` sub-commands."""

    src: Annotated[str, setting("source text, one segment per line", metavar="SRC")]
    hyp: Annotated[str, setting("translation, line-aligned with SRC", metavar="HYP")]
    glossary: Annotated[
        tuple[str, ...],
        setting("glossary file (TOML, TSV, CSV or TBX)", metavar="FILE", form="repeat"),
    ]
    tgt_lang: Annotated[str, setting("language of the translation", metavar="LANG")]
    src_lang: Annotated[str, setting("language of the source", metavar="LANG")] = "en"
    report: Annotated[str | None, setting("write the full report as JSON", metavar="FILE")] = None


class GlossaryCheckOptions(_Options, frozen=True, kw_only=True):
    strict: Annotated[bool, setting("exit 1 when a term occurrence is not ok")] = False


class GlossaryFixOptions(_Options, frozen=True, kw_only=True):
    out: Annotated[str, setting("where the repaired translation goes", metavar="FILE")]


class GlossaryShowOptions(_Options, frozen=True, kw_only=True):
    glossary: Annotated[
        tuple[str, ...], setting("glossary file (TOML, TSV, CSV or TBX)", metavar="FILE")
    ]
    langs: Annotated[
        tuple[str, ...],
        setting("languages to show (default: every language of the glossary)", metavar="LANG"),
    ] = ()


class GlossaryCldrOptions(_Options, frozen=True, kw_only=True):
    out: Annotated[str, setting("glossary file to write, e.g. countries.toml", metavar="FILE")]
    langs: Annotated[tuple[str, ...], setting("target languages", metavar="LANG")] = (
        "tr",
        "ru",
        "ar",
    )


class GlossaryMineOptions(_Options, frozen=True, kw_only=True):
    paths: Annotated[
        tuple[str, ...],
        setting(
            "SRC and its line-aligned TRANSLATION, or one alignment from mtalign align "
            "(.tsv or .jsonl)",
            metavar="SRC [TRANSLATION]",
        ),
    ]
    out: Annotated[str, setting("the glossary draft to write (TOML)", metavar="FILE")]
    tgt_lang: Annotated[
        str | None,
        setting("language of the translation (default: the one a .jsonl names)", metavar="LANG"),
    ] = None
    min_count: Annotated[
        int, setting("fewest occurrences of a name", metavar="N", ge=1, le=1_000_000)
    ] = 2


class ModelsOptions(_Options, frozen=True, kw_only=True):
    """Shared by the ``models`` sub-commands."""

    pairs: Annotated[tuple[str, ...], setting("language pairs, e.g. en-tr en-ar", metavar="PAIR")]
    path_or_id: Annotated[
        str, setting("a pair (en-tr), a hub model id or a checkpoint folder", metavar="MODEL")
    ]
    quantization: Annotated[
        Literal["int8", "int16", "float16", "bfloat16", "float32"],
        setting("CTranslate2 weights", metavar="{int8,int16,float16,bfloat16,float32}"),
    ] = "int8"
    to: Annotated[
        str | None,
        setting(
            "also copy the models into DIR, to carry offline (with a lock file)", metavar="DIR"
        ),
    ] = None
    folder: Annotated[str, setting("a folder written by models pull --to", metavar="DIR")]


class ModelsListOptions(_Options, frozen=True, kw_only=True):
    format: Annotated[
        Literal["table", "json"],
        setting("table for people, json for scripts", metavar="{table,json}"),
    ] = "table"


class ModelsCheckOptions(_Options, frozen=True, kw_only=True):
    """``mtalign models check``: which models, which engines, what output."""

    pairs: Annotated[
        tuple[str, ...],
        setting(
            "pairs to check, PAIR or PAIR:CHOICE (default: every registry model in the "
            "Hugging Face cache)",
            metavar="PAIR",
        ),
    ] = ()
    model: Annotated[
        dict[str, str],
        setting(
            "check this checkpoint folder (or cached hub id): tr=PATH for en-tr, "
            "tr-en=PATH for tr-en",
            metavar="LANG=MODEL",
        ),
    ] = {}
    engine: Annotated[
        Literal["both", "ctranslate2", "transformers"],
        setting("which engines to run", metavar="{both,ctranslate2,transformers}"),
    ] = "both"
    compute_type: Annotated[
        Literal["int8", "int8_float32", "int16", "float16", "bfloat16", "float32"] | None,
        setting("CTranslate2 precision (default: int8 on CPU)", metavar="TYPE"),
    ] = None
    format: Annotated[
        Literal["table", "json"],
        setting("table for people, json for scripts", metavar="{table,json}"),
    ] = "table"
    threads: Annotated[
        int,
        setting("CPU threads per engine (0: OMP_NUM_THREADS, else every core)", metavar="N",
                ge=0, le=1024),
    ] = 0  # fmt: skip
    max_length: (
        Annotated[
            int,
            setting(
                "most output tokens (random test models never stop by themselves)",
                metavar="N",
                ge=1,
                le=1024,
            ),
        ]
        | None
    ) = None


class ServeOptions(_Options, frozen=True, kw_only=True):
    """``mtalign serve``; its options override the service config's settings."""

    config: Annotated[
        str | None,
        setting(
            "service config (TOML: [server], [translate], [glossary]), e.g. configs/serve.toml",
            metavar="CONFIG",
        ),
    ] = None
    to: Annotated[
        tuple[str, ...],
        setting(
            "target languages (required unless the config's [translate] has targets)",
            metavar="LANG[,LANG...]",
            cli="--to",
        ),
    ] = ()
    glossary_mode: Annotated[
        Literal["off", "check", "enforce"] | None,
        setting(
            "what the glossary does when a request asks for it: off, check (report), enforce "
            "(fix); default: enforce",
            metavar="{off,check,enforce}",
            cli="--glossary-mode",
        ),
    ] = None
