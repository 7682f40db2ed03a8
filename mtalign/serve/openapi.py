"""The OpenAPI 3.1 schema of the service, served at ``/v1/openapi.json``."""

from __future__ import annotations

from typing import Any

from mtalign.version import __version__

_ERROR = {
    "description": "error",
    "content": {
        "application/json": {
            "schema": {"type": "object", "properties": {"error": {"type": "string"}}}
        }
    },
}
_ERRORS = {
    "400": _ERROR,
    "403": {**_ERROR, "description": "missing or invalid API key"},
    "413": {**_ERROR, "description": "too much text, too many texts, or a body over the limit"},
    "429": {**_ERROR, "description": "over the key's rate limit (Retry-After)"},
    "503": {**_ERROR, "description": "queue full, timed out or shutting down (Retry-After)"},
}


def _obj(props: dict[str, Any], required: tuple[str, ...] = ()) -> dict[str, Any]:
    return {"type": "object", "properties": props, "required": list(required)}


_STR = {"type": "string"}
_STRS = {"type": "array", "items": _STR}
_TEXTS = {"oneOf": [_STR, _STRS]}


def _post(summary: str, body: dict[str, Any], reply: dict[str, Any]) -> dict[str, Any]:
    return {
        "post": {
            "summary": summary,
            "requestBody": {"required": True, "content": {"application/json": {"schema": body}}},
            "responses": {
                "200": {"description": "ok", "content": {"application/json": {"schema": reply}}},
                **_ERRORS,
            },
        }
    }


def schema(service: Any) -> dict[str, Any]:
    """The schema, with the languages this server translates."""
    langs = {"type": "string", "enum": list(dict.fromkeys((*service.sources, *service.targets)))}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "mtalign",
            "version": __version__,
            "description": "Translation with glossaries, quality flags and alignment; "
            "LibreTranslate-compatible endpoints beside the versioned ones.",
        },
        "paths": {**_native(langs), **_libre(), **_service()},
    }


def _get(summary: str, **codes: str) -> dict[str, Any]:
    responses = {"200": {"description": "ok"}}
    responses.update({code.lstrip("_"): {"description": d} for code, d in codes.items()})
    return {"get": {"summary": summary, "responses": responses}}


def _native(langs: dict[str, Any]) -> dict[str, Any]:
    term = {
        "type": "object",
        "additionalProperties": _STR,
        "description": 'one term: {"en": "Idlib", "tr": "İdlib"}',
    }
    flag = _obj({"kind": _STR, "detail": _STR})
    segment = _obj(
        {"id": _STR, "source": _STR, "text": _STR, "cached": {"type": "boolean"},
         "retried": {"type": "boolean"}, "flags": {"type": "array", "items": flag}}
    )  # fmt: skip
    translated = _obj(
        {"text": _STR, "segments": {"type": "array", "items": segment},
         "terms": {"type": "array", "items": {"type": "object"}}}
    )  # fmt: skip
    body = _obj(
        {"text": _STR, "texts": _STRS, "source": {"type": "string", "default": "auto"},
         "targets": {"type": "array", "items": langs},
         "format": {"type": "string", "enum": ["text", "md", "html"], "default": "text"},
         "glossary": {"oneOf": [{"type": "string", "enum": ["server", "none"]},
                                {"type": "array", "items": term}]},
         "api_key": _STR}
    )  # fmt: skip
    reply = _obj(
        {"source": _STR, "detected_confidence": {"type": "number"},
         "translations": {"type": "object",
                          "additionalProperties": {"type": "array", "items": translated}},
         "models": {"type": "object"}}
    )  # fmt: skip
    align = _obj(
        {"source": _STR, "target": _STR, "source_lang": _STR, "target_lang": _STR,
         "method": {"type": "string", "enum": ["length", "embedding", "embedding+length", "auto"]},
         "max_bead": {"type": "integer", "minimum": 1, "maximum": 4}, "api_key": _STR},
        ("source", "target", "target_lang"),
    )  # fmt: skip
    ints = {"type": "array", "items": {"type": "integer"}}
    bead = _obj({"src": ints, "tgt": ints, "kind": _STR, "score": {"type": "number"},
                 "source": _STR, "target": _STR})  # fmt: skip
    aligned = _obj({"beads": {"type": "array", "items": bead},
                    "source_sentences": _STRS, "target_sentences": _STRS})  # fmt: skip
    return {
        "/v1/translate": _post("Translate into one or more languages", body, reply),
        "/v1/align": _post("Sentence-align two texts", align, aligned),
        "/v1/languages": _get("Languages served"),
    }


def _libre() -> dict[str, Any]:
    body = _obj(
        {"q": _TEXTS, "source": _STR, "target": _STR,
         "format": {"type": "string", "enum": ["text", "html"]},
         "api_key": _STR, "alternatives": {"type": "integer"}},
        ("q", "target"),
    )  # fmt: skip
    detected = {"type": "array",
                "items": _obj({"language": _STR, "confidence": {"type": "number"}})}  # fmt: skip
    return {
        "/translate": _post("LibreTranslate: translate", body, _obj({"translatedText": _TEXTS})),
        "/detect": _post("LibreTranslate: detect the language", _obj({"q": _STR}), detected),
        "/languages": _get("LibreTranslate: languages"),
        "/translate_file": {
            "post": {
                "summary": "LibreTranslate: translate a file (multipart: file, source, target)",
                "responses": {"200": {"description": "translatedFileUrl"}, **_ERRORS},
            }
        },
    }


def _service() -> dict[str, Any]:
    return {
        "/health": _get("Liveness and queue depth", _503="stopping"),
        "/metrics": _get("Prometheus metrics (text format)"),
    }
