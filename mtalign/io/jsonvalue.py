"""One JSON value from one line of outside input, or an ``InputError`` naming ``path:line``.

``json.loads`` alone lets a single hostile record stop a whole run: nesting a thousand
levels deep raises ``RecursionError``, an integer of more than 4,300 digits a bare
``ValueError``, and ``1e400`` is read as ``inf`` and written back as ``Infinity`` (which
is not JSON). Here each is an input error for that record only.
"""

from __future__ import annotations

import json
import math
from typing import Any

from mtalign.errors import InputError
from mtalign.safetext import nesting_depth

#: Deepest nesting of arrays/objects accepted in a record (JSON Lines records are flat).
MAX_DEPTH = 100


class _OutOfRange(Exception):
    pass


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _OutOfRange(text)
    return value


def load_json_line(line: str, where: str) -> Any:
    """The JSON value of ``line``; any problem is an :class:`InputError` starting ``where``."""
    try:
        value = json.loads(line, parse_float=_finite_float)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{where}: not valid JSON ({exc.msg} at column {exc.colno}); "
            'each line must be one object like {"id": "a1", "text": "..."}'
        ) from None
    except RecursionError:
        raise InputError(too_deep(where)) from None
    except _OutOfRange as exc:
        raise InputError(
            f"{where}: the number {str(exc)[:40]} is too large for JSON tools to read back "
            "(it would be written as Infinity); write it as a string"
        ) from None
    except ValueError as exc:  # int() refuses more than sys.get_int_max_str_digits() digits
        raise InputError(
            f"{where}: a number with too many digits ({exc}); write it as a string"
        ) from None
    if (line.count("[") + line.count("{")) > MAX_DEPTH and nesting_depth(
        value, MAX_DEPTH
    ) > MAX_DEPTH:
        raise InputError(too_deep(where))
    return value


def too_deep(where: str) -> str:
    """The message for a record nested deeper than :data:`MAX_DEPTH`."""
    return (
        f"{where}: arrays or objects nested more than {MAX_DEPTH} deep; "
        "flatten the record (JSON Lines records hold flat fields)"
    )
