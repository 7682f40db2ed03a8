"""Translation throughput on an OPUS-MT-sized model, output length fixed.

Every system translates the same English news sentences with beam 4 and exactly
``--length`` output tokens (min = max length), so the work per sentence is the same
everywhere and random weights do not matter. Each system runs in its own subprocess, so
the peak RSS printed is that system's alone.

    .venv/bin/python benchmarks/throughput.py                   # builds the model in a temp dir
    .venv/bin/python benchmarks/throughput.py --model-dir DIR   # reuse a checkpoint

Adding a system (e.g. ``mtalign translate`` end to end once the pipeline exists): append
``System(label, key, setup)`` to ``SYSTEMS``, where ``setup(ctx)`` loads what it needs
(untimed) and returns a callable ``run(sentences) -> output_token_count`` (timed).
``ctx`` holds ``model_dir``, ``ct2_dir``, ``beam``, ``length``, ``threads``, ``sentences``.
See ``setup_mtalign`` below: ``--systems a,b,c,d,e`` runs it once the pipeline exists.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

Runner = Callable[[list[str]], int]


@dataclass(frozen=True)
class System:
    label: str
    key: str
    setup: Callable[[dict[str, Any]], Runner]


def _threads(ctx: dict[str, Any]) -> None:
    import torch

    torch.set_num_threads(ctx["threads"])


def _hf_model(ctx: dict[str, Any]) -> tuple[Any, Any]:
    from transformers import MarianMTModel, MarianTokenizer

    _threads(ctx)
    tok = MarianTokenizer.from_pretrained(ctx["model_dir"])
    model = MarianMTModel.from_pretrained(ctx["model_dir"]).eval()
    return tok, model


def _hf_runner(ctx: dict[str, Any], batch_size: int) -> Runner:
    import torch

    tok, model = _hf_model(ctx)

    def run(sentences: list[str]) -> int:
        produced = 0
        for start in range(0, len(sentences), batch_size):
            batch = tok(sentences[start : start + batch_size], return_tensors="pt", padding=True)
            with torch.inference_mode():
                out = model.generate(
                    **batch,
                    num_beams=ctx["beam"],
                    do_sample=False,
                    min_new_tokens=ctx["length"],
                    max_new_tokens=ctx["length"],
                    max_length=None,
                    forced_eos_token_id=None,
                )
            produced += int(out.shape[0]) * (int(out.shape[1]) - 1)  # minus the start token
        return produced

    return run


def setup_hf_single(ctx: dict[str, Any]) -> Runner:
    return _hf_runner(ctx, 1)


def setup_hf_batch16(ctx: dict[str, Any]) -> Runner:
    return _hf_runner(ctx, 16)


def setup_ct2_raw(ctx: dict[str, Any]) -> Runner:
    import ctranslate2
    import sentencepiece as spm

    sp = spm.SentencePieceProcessor(model_file=str(Path(ctx["model_dir"]) / "source.spm"))
    translator = ctranslate2.Translator(
        ctx["ct2_dir"], device="cpu", compute_type="int8", intra_threads=ctx["threads"]
    )

    def run(sentences: list[str]) -> int:
        source = [sp.encode(s, out_type=str) + ["</s>"] for s in sentences]
        results = translator.translate_batch(
            source,
            beam_size=ctx["beam"],
            min_decoding_length=ctx["length"],
            max_decoding_length=ctx["length"],
            max_batch_size=16,
        )
        return sum(len(r.hypotheses[0]) for r in results)

    return run


def setup_mtalign(engine: str) -> Callable[[dict[str, Any]], Runner]:
    """mtalign's engine layer (d: ctranslate2 int8, e: transformers); swap in the pipeline later."""

    def setup(ctx: dict[str, Any]) -> Runner:
        from mtalign.engines import DecodeOptions, load_translator
        from mtalign.models import resolve_model

        if engine == "transformers":
            _threads(ctx)
        model = resolve_model(ctx["model_dir"], src="en", tgt="tr")
        tr = load_translator(engine, model, device="cpu", threads=ctx["threads"])
        options = DecodeOptions(
            beam_size=ctx["beam"], min_length=ctx["length"], max_length=ctx["length"]
        )

        def run(sentences: list[str]) -> int:
            produced = 0
            for start in range(0, len(sentences), 16):
                for res in tr.translate(sentences[start : start + 16], options):
                    produced += len(res.best.tokens)
            return produced

        return run

    return setup


def setup_pipeline(engine: str) -> Callable[[dict[str, Any]], Runner]:
    """``mtalign translate`` end to end: read a file, segment, batch, gate, write outputs.

    The quality gate runs (every flag is computed) but its retry is off: with random
    weights nearly every output repeats itself and would be decoded a second time, which
    would measure the test model's gibberish rather than the pipeline. The translation
    memory is off so every run decodes.
    """

    def setup(ctx: dict[str, Any]) -> Runner:
        from mtalign.pipeline import TranslateSettings, translate_files

        if engine == "transformers":
            _threads(ctx)
        work = Path(tempfile.mkdtemp(prefix="mtalign-bench-pipeline-"))
        settings = TranslateSettings(
            targets=("tr",), src="en", engine=engine, models={"tr": ctx["model_dir"]},
            beam=ctx["beam"], min_length=ctx["length"], max_length=ctx["length"],
            cache=False, retry=False, threads=ctx["threads"], progress=False,
        )  # fmt: skip
        calls = [0]

        def run(sentences: list[str]) -> int:
            calls[0] += 1
            src = work / f"news{calls[0]}.txt"
            src.write_text("\n".join(sentences) + "\n", encoding="utf-8")
            results = translate_files([str(src)], settings, work / "out")
            segs = results[0].stats["tr"].segments
            assert segs == len(sentences), (segs, len(sentences))
            return segs * ctx["length"]

        return run

    return setup


SYSTEMS: list[System] = [
    System("(a) transformers generate, 1 sentence at a time", "a", setup_hf_single),
    System("(b) transformers generate, batches of 16", "b", setup_hf_batch16),
    System("(c) ctranslate2 translate_batch, int8", "c", setup_ct2_raw),
    System(
        "(d) mtalign translate end to end, ctranslate2 int8", "d", setup_pipeline("ctranslate2")
    ),
    System("(e) mtalign translate end to end, transformers", "e", setup_pipeline("transformers")),
    System("(f) mtalign engine layer only, ctranslate2 int8", "f", setup_mtalign("ctranslate2")),
]


def peak_rss_mib() -> float:
    """This process's peak resident set (VmHWM), in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def sentences(n: int) -> list[str]:
    from mtalign.testing import corpus_lines

    lines = corpus_lines("en")
    while len(lines) < n:
        lines = lines + lines
    return lines[:n]


def run_child(key: str, ctx: dict[str, Any]) -> None:
    system = next(s for s in SYSTEMS if s.key == key)
    texts = sentences(ctx["sentences"])
    runner = system.setup(ctx)
    runner(texts[:2])  # warm-up: first-call allocations are not throughput
    start = time.perf_counter()
    produced = runner(texts)
    seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "tokens": produced, "rss": peak_rss_mib()}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model-dir", help="Marian checkpoint (default: build opus-mt preset)")
    parser.add_argument("--sentences", type=int, default=64)
    parser.add_argument("--beam", type=int, default=4)
    parser.add_argument("--length", type=int, default=40, help="output tokens per sentence")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--systems", default="a,b,c,d,e", help="keys to run, e.g. a,b,c,d,e,f")
    parser.add_argument("--run-system", help=argparse.SUPPRESS)
    parser.add_argument("--ct2-dir", help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    ctx = {
        "model_dir": args.model_dir,
        "ct2_dir": args.ct2_dir,
        "beam": args.beam,
        "length": args.length,
        "threads": args.threads,
        "sentences": args.sentences,
    }
    if args.run_system:
        run_child(args.run_system, ctx)
        return

    with tempfile.TemporaryDirectory(prefix="mtalign-bench-") as tmp:
        if not args.model_dir:
            from mtalign.testing import build_marian

            t0 = time.perf_counter()
            ctx["model_dir"] = str(build_marian(Path(tmp) / "opus-mt-en-tr", "en", "tr", "opus-mt"))
            print(f"built opus-mt preset in {time.perf_counter() - t0:.1f}s", file=sys.stderr)
        from ctranslate2.converters import TransformersConverter

        ctx["ct2_dir"] = str(Path(tmp) / "ct2-int8")
        TransformersConverter(ctx["model_dir"]).convert(ctx["ct2_dir"], quantization="int8")
        # mtalign's own conversion cache, filled here so no system pays for conversion.
        os.environ["MTALIGN_HOME"] = str(Path(tmp) / "mtalign-home")
        from mtalign.models import convert_to_ct2, resolve_model

        convert_to_ct2(resolve_model(ctx["model_dir"], src="en", tgt="tr"), "int8")
        params = _count_params(ctx["model_dir"])
        rows = []
        for key in [k.strip() for k in args.systems.split(",") if k.strip()]:
            system = next(s for s in SYSTEMS if s.key == key)
            cmd = [sys.executable, __file__, "--run-system", key]
            for name in ("model_dir", "ct2_dir", "beam", "length", "threads", "sentences"):
                cmd += [f"--{name.replace('_', '-')}", str(ctx[name])]
            print(f"running {system.label} ...", file=sys.stderr)
            done = subprocess.run(cmd, capture_output=True, text=True, check=False)
            if done.returncode != 0:
                print(done.stderr[-2000:], file=sys.stderr)
                continue
            result = json.loads(done.stdout.strip().splitlines()[-1])
            rows.append((system, result))
    _print_table(rows, args, params)


def _count_params(model_dir: str) -> int:
    from safetensors import safe_open

    total = 0
    with safe_open(str(Path(model_dir) / "model.safetensors"), framework="np") as fh:
        for name in fh.keys():  # noqa: SIM118 - safe_open has no __iter__
            shape = fh.get_slice(name).get_shape()
            n = 1
            for d in shape:
                n *= d
            total += n
    return total


def _print_table(rows: list[tuple[System, dict[str, Any]]], args: Any, params: int) -> None:
    by_key = {s.key: r for s, r in rows}

    def speed(r: dict[str, Any]) -> float:
        return args.sentences / r["seconds"]

    print(
        f"\nmachine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"python {platform.python_version()}; threads {args.threads}; model: opus-mt preset "
        f"({params / 1e6:.1f}M parameters, stored weights); {args.sentences} sentences, "
        f"beam {args.beam}, {args.length} output tokens each\n"
    )
    head = f"| {'system':<48} | sent/s | tok/s | peak RSS MiB | vs (b) | vs (c) |"
    print(head)
    print("|" + "|".join("-" * (len(c)) for c in head.split("|")[1:-1]) + "|")
    for system, r in rows:
        vs_b = f"{speed(r) / speed(by_key['b']):.2f}x" if "b" in by_key else "-"
        vs_c = f"{speed(r) / speed(by_key['c']):.2f}x" if "c" in by_key else "-"
        print(
            f"| {system.label:<48} | {speed(r):6.2f} | {r['tokens'] / r['seconds']:5.0f} "
            f"| {r['rss']:12.0f} | {vs_b:>6} | {vs_c:>6} |"
        )


if __name__ == "__main__":
    main()
