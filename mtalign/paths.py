"""Where mtalign keeps its caches: the one function that decides the root."""

from __future__ import annotations

import os
from pathlib import Path

from mtalign.errors import ConfigError

HOME_ENV = "MTALIGN_HOME"


def mtalign_home() -> Path:
    """Root of mtalign's caches: ``$MTALIGN_HOME``, else ``$XDG_CACHE_HOME/mtalign``, else
    ``~/.cache/mtalign``. Nothing is created here."""
    env = os.environ.get(HOME_ENV)
    if env:
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "mtalign"


TM_ENV = "MTALIGN_TM"


def tm_path() -> Path:
    """The default translation memory file: ``$MTALIGN_TM``, else ``tm.sqlite`` in the root."""
    env = os.environ.get(TM_ENV)
    if env:
        return Path(env).expanduser()
    return mtalign_home() / "tm.sqlite"


def ct2_cache_dir() -> Path:
    """Where converted CTranslate2 models live."""
    return mtalign_home() / "ct2"


def cache_dir_error(folder: str | os.PathLike[str], exc: OSError) -> ConfigError:
    """The one-line error for a cache folder under the cache root that cannot be used."""
    home = mtalign_home()
    reason = exc.strerror or type(exc).__name__
    where = f"{HOME_ENV}={home}" if os.environ.get(HOME_ENV) else f"the cache root {home}"
    return ConfigError(
        f"{folder}: the cache folder cannot be made or written ({reason}); {where} must be "
        f"a writable folder (or one that can be made): set {HOME_ENV} to one"
    )


def make_cache_dir(folder: str | os.PathLike[str]) -> Path:
    """``folder`` (under the cache root) made if missing; a :class:`ConfigError` naming
    ``MTALIGN_HOME`` when it cannot be (a file in the way, /dev/null, no permission)."""
    path = Path(folder)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise cache_dir_error(path, exc) from None
    if not path.is_dir():
        raise cache_dir_error(path, OSError(20, "Not a directory"))
    return path


def user_config_path() -> Path:
    """The user config file: ``$XDG_CONFIG_HOME/mtalign/config.toml``, else
    ``~/.config/mtalign/config.toml``. Nothing is created here."""
    xdg = os.environ.get("XDG_CONFIG_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".config"
    return base / "mtalign" / "config.toml"
