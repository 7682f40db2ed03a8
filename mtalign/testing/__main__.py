"""``python -m mtalign.testing build DIR (--src en --tgt tr [--preset NAME] | --like PAIR[:CHOICE])``."""

from __future__ import annotations

import argparse
import sys

from mtalign.errors import MtalignError
from mtalign.testing import PRESETS, build_like, build_marian


def main(argv: list[str] | None = None) -> int:
    """Build a random-weight OPUS-MT-like checkpoint; prints its directory."""
    parser = argparse.ArgumentParser(
        prog="python -m mtalign.testing",
        description="Offline stand-ins for OPUS-MT checkpoints (random weights).",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    build = sub.add_parser("build", help="write a Marian checkpoint into DIR")
    build.add_argument("dir", help="output directory (created if missing)")
    build.add_argument("--src", help="source language, e.g. en")
    build.add_argument("--tgt", help="target language, e.g. tr")
    build.add_argument(
        "--like",
        metavar="PAIR[:CHOICE]",
        help="shape and labels of a registry model (en-ar, en-ar:small) instead of --preset",
    )
    build.add_argument("--size", default="tiny", choices=("tiny", "full"), help="with --like")
    build.add_argument("--preset", default="tiny", choices=sorted(PRESETS))
    build.add_argument("--seed", type=int, default=0)
    build.add_argument("--vocab-size", type=int, default=None, help="override the preset's")
    build.add_argument(
        "--lang-token",
        action="append",
        dest="lang_tokens",
        help="target-language token to put in the vocabulary (repeatable); default: registry's",
    )
    args = parser.parse_args(argv)
    if not args.like and not (args.src and args.tgt):
        parser.error("give --src and --tgt, or --like PAIR")
    try:
        if args.like:
            path = build_like(args.dir, args.like, args.size, args.seed, args.vocab_size)
        else:
            path = build_marian(
                args.dir,
                args.src,
                args.tgt,
                args.preset,
                args.seed,
                args.lang_tokens,
                args.vocab_size,
            )
    except MtalignError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
