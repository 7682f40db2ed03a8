"""Run Python with torch made unimportable: ``python tests/torchless.py -m MODULE ARGS...``
or ``python tests/torchless.py -c CODE``.

A meta-path finder raises ImportError for ``torch`` (and its submodules) before any other
finder is asked, as if torch were not installed; libraries that import it optionally
(ctranslate2, safetensors, transformers) take their torch-less paths.
"""

from __future__ import annotations

import runpy
import sys
from importlib.abc import MetaPathFinder
from typing import Any


class BlockTorch(MetaPathFinder):
    """Refuse ``torch`` and ``torch.*``."""

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> None:
        if fullname == "torch" or fullname.startswith("torch."):
            raise ModuleNotFoundError(
                f"No module named {fullname!r} (blocked by tests/torchless.py)"
            )
        return None


def main() -> None:
    sys.meta_path.insert(0, BlockTorch())
    mode, arg, *rest = sys.argv[1:]
    if mode == "-m":
        sys.argv = [arg, *rest]
        runpy.run_module(arg, run_name="__main__", alter_sys=True)
    elif mode == "-c":
        sys.argv = ["-c", *rest]
        exec(compile(arg, "<torchless>", "exec"), {"__name__": "__main__"})
    else:
        raise SystemExit("usage: torchless.py -m MODULE ARGS... | -c CODE")
    if any(name == "torch" or name.startswith("torch.") for name in sys.modules):
        raise SystemExit("torch was imported")


if __name__ == "__main__":
    main()
