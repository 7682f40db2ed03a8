"""Every setting declared once: types, bounds, defaults, help, and what shapes outputs.

The CLI, job configs, eval suites, the model registry and the Python API build the same
objects from these declarations (:mod:`~mtalign.settings.schema` explains how).
"""

from __future__ import annotations

from mtalign.settings.schema import (
    SettingError,
    Spec,
    build,
    check_value,
    did_you_mean,
    setting,
    shaping,
    specs,
)
from mtalign.settings.toml import ConfigContext, read_toml
from mtalign.settings.translate import (
    DEVICES,
    ENGINES,
    GLOSSARY_MODES,
    MAX_BEAM,
    UNITS,
    TranslateSettings,
    check_settings,
    output_fields,
)

__all__ = [
    "DEVICES",
    "ENGINES",
    "GLOSSARY_MODES",
    "MAX_BEAM",
    "UNITS",
    "ConfigContext",
    "SettingError",
    "Spec",
    "TranslateSettings",
    "build",
    "check_settings",
    "check_value",
    "did_you_mean",
    "output_fields",
    "read_toml",
    "setting",
    "shaping",
    "specs",
]
