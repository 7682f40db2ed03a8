"""Where mtalign keeps its caches: the one function that decides the root."""

from __future__ import annotations

import os
from pathlib import Path

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


def user_config_path() -> Path:
    """The user config file: ``$XDG_CONFIG_HOME/mtalign/config.toml``, else
    ``~/.config/mtalign/config.toml``. Nothing is created here."""
    xdg = os.environ.get("XDG_CONFIG_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".config"
    return base / "mtalign" / "config.toml"
