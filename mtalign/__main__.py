"""``python -m mtalign`` is the same as the ``mtalign`` command."""

from mtalign.cli import run

run()
