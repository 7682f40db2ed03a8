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
    glossary_term = {"type": "object", "additionalProperties": _STR,
                     "description": 'one term: {"en": "Idlib", "tr": "İdlib"}'}  # fmt: skip
    segment = _obj(
        {
            "id": _STR, "source": _STR, "text": _STR, "cached": {"type": "boolean"},
            "retried": {"type": "boolean"},
            "flags": {"type": "array", "items": _obj({"kind": _STR, "detail": _STR})},
        }
    )  # fmt: skip
    translated = _obj(
        {"text": _STR, "segments": {"type": "array", "items": segment},
         "terms": {"type": "array", "items": {"type": "object"}}}
    )  # fmt: skip
    translate_body = _obj(
        {
            "text": _STR,
            "texts": _STRS,
            "source": {"type": "string", "default": "auto"},
            "targets": {"type": "array", "items": langs},
            "format": {"type": "string", "enum": ["text", "md", "html"], "default": "text"},
            "glossary": {"oneOf": [{"type": "string", "enum": ["server", "none"]},
                                   {"type": "array", "items": glossary_term}]},
            "api_key": _STR,
        }
    )  # fmt: skip
    translate_reply = _obj(
        {"source": _STR, "detected_confidence": {"type": "number"},
         "translations": {"type": "object", "additionalProperties":
                          {"type": "array", "items": translated}},
         "models": {"type": "object"}}
    )  # fmt: skip
    align_body = _obj(
        {"source": _STR, "target": _STR, "source_lang": _STR, "target_lang": _STR,
         "method": {"type": "string", "enum": ["length", "embedding", "embedding+length", "auto"]},
         "max_bead": {"type": "integer", "minimum": 1, "maximum": 4}, "api_key": _STR},
        ("source", "target", "target_lang"),
    )  # fmt: skip
    bead = _obj({"src": {"type": "array", "items": {"type": "integer"}},
                 "tgt": {"type": "array", "items": {"type": "integer"}},
                 "kind": _STR, "score": {"type": "number"}, "source": _STR, "target": _STR})  # fmt: skip
    lt_body = _obj({"q": _TEXTS, "source": _STR, "target": _STR,
                    "format": {"type": "string", "enum": ["text", "html"]},
                    "api_key": _STR, "alternatives": {"type": "integer"}}, ("q", "target"))  # fmt: skip
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "mtalign",
            "version": __version__,
            "description": "Translation with glossaries, quality flags and alignment; "
            "LibreTranslate-compatible endpoints beside the versioned ones.",
        },  # fmt: skip
        "paths": {
            "/v1/translate": _post(
                "Translate into one or more languages", translate_body, translate_reply
            ),  # fmt: skip
            "/v1/align": _post(
                "Sentence-align two texts",
                align_body,
                _obj(
                    {
                        "beads": {"type": "array", "items": bead},
                        "source_sentences": _STRS,
                        "target_sentences": _STRS,
                    }
                ),
            ),  # fmt: skip
            "/v1/languages": {
                "get": {"summary": "Languages served", "responses": {"200": {"description": "ok"}}}
            },  # fmt: skip
            "/translate": _post(
                "LibreTranslate: translate", lt_body, _obj({"translatedText": _TEXTS})
            ),  # fmt: skip
            "/detect": _post(
                "LibreTranslate: detect the language",
                _obj({"q": _STR}),
                {
                    "type": "array",
                    "items": _obj({"language": _STR, "confidence": {"type": "number"}}),
                },
            ),  # fmt: skip
            "/languages": {
                "get": {
                    "summary": "LibreTranslate: languages",
                    "responses": {"200": {"description": "ok"}},
                }
            },  # fmt: skip
            "/translate_file": {
                "post": {
                    "summary": "LibreTranslate: translate a file (multipart: file, source, target)",
                    "responses": {"200": {"description": "translatedFileUrl"}, **_ERRORS},
                }
            },  # fmt: skip
            "/health": {
                "get": {
                    "summary": "Liveness and queue depth",
                    "responses": {
                        "200": {"description": "ok"},
                        "503": {"description": "not ready"},
                    },
                }
            },  # fmt: skip
            "/metrics": {
                "get": {
                    "summary": "Prometheus metrics (text format)",
                    "responses": {"200": {"description": "ok"}},
                }
            },  # fmt: skip
        },
    }
