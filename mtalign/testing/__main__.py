"""``python -m mtalign.testing build DIR --src en --tgt tr [--preset tiny|opus-mt] [--seed 0]``."""

from __future__ import annotations

import argparse
import sys

from mtalign.errors import MtalignError
from mtalign.testing import PRESETS, build_marian


def main(argv: list[str] | None = None) -> int:
    """Build a random-weight OPUS-MT-like checkpoint; prints its directory."""
    parser = argparse.ArgumentParser(
        prog="python -m mtalign.testing",
        description="Offline stand-ins for OPUS-MT checkpoints (random weights).",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    build = sub.add_parser("build", help="write a Marian checkpoint into DIR")
    build.add_argument("dir", help="output directory (created if missing)")
    build.add_argument("--src", required=True, help="source language, e.g. en")
    build.add_argument("--tgt", required=True, help="target language, e.g. tr")
    build.add_argument("--preset", default="tiny", choices=sorted(PRESETS))
    build.add_argument("--seed", type=int, default=0)
    build.add_argument(
        "--lang-token",
        action="append",
        dest="lang_tokens",
        help="target-language token to put in the vocabulary (repeatable); default: registry's",
    )
    args = parser.parse_args(argv)
    try:
        path = build_marian(args.dir, args.src, args.tgt, args.preset, args.seed, args.lang_tokens)
    except MtalignError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
