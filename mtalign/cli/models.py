"""``mtalign models ...``: list, download and convert translation models."""

from __future__ import annotations

from typing import Any

from mtalign.errors import InputError


def _pairs(values: tuple[Any, ...]) -> list[str]:
    """Fire gives ``en-tr,en-ru`` as a tuple and ``en-tr`` as a str: flatten to strings."""
    out: list[str] = []
    for value in values:
        if isinstance(value, (tuple, list)):
            out.extend(_pairs(tuple(value)))
        else:
            out.extend(p.strip() for p in str(value).split(",") if p.strip())
    return out


def _check_plausible(registry: Any, src: str, tgt: str) -> None:
    """A pair outside the registry is guessed as a hub id only when both are languages."""
    from mtalign.errors import ModelError
    from mtalign.langs import ALIASES, ISO639_1

    bad = [c for c in (src, tgt) if c not in ISO639_1 and c not in ALIASES]
    if not bad:
        return
    near = [e.pair for e in registry if e.src == src or e.tgt == tgt]
    listed = (
        f"the registry's pairs from {src} or into {tgt}: {', '.join(near)}"
        if near
        else f"the registry has {', '.join(e.pair for e in registry)}"
    )
    raise ModelError(
        f"{src}-{tgt} is not in the model registry, and {' and '.join(map(repr, bad))} "
        f"{'is' if len(bad) == 1 else 'are'} not a language code, so no hub model can be "
        f"guessed; {listed} (mtalign models list shows them all)"
    )


class Models:
    """Translation models: which pair uses which model, download, convert."""

    def __init__(self, registry: str | None = None) -> None:
        """``--registry PATH`` overlays a registry file (default: $MTALIGN_MODELS if set)."""
        self._registry_path = None if registry is None else str(registry)

    def _registry(self) -> Any:
        from mtalign.models import load_registry

        return load_registry(self._registry_path)

    def list(self) -> None:
        """Show every registered pair: model id, licence, target token, downloaded or not."""
        from mtalign.models import is_cached

        rows = [("pair", "model", "licence", "token", "local")]
        for entry in self._registry():
            local = "yes" if is_cached(entry.model, entry.revision) else "no"
            rows.append(
                (entry.pair, entry.model, entry.licence or "?", entry.target_token or "-", local)
            )
        widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
        for row in rows:
            print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())

    def pull(self, *pairs: str) -> None:
        """Download the models of language pairs into the Hugging Face cache.

        Example: mtalign models pull en-tr en-ar
        """
        from mtalign.models import download_model, parse_pair

        wanted = _pairs(pairs)
        if not wanted:
            raise InputError(
                "models pull needs one or more pairs, e.g. `mtalign models pull en-tr`"
            )
        registry = self._registry()
        for pair in wanted:
            src, tgt = parse_pair(pair)
            entry = registry.get(src, tgt)
            if entry.fallback:
                _check_plausible(registry, src, tgt)
            path = download_model(entry.model, entry.revision, src=src, tgt=tgt)
            print(f"{entry.pair}\t{entry.model}\t{path}")

    def convert(self, path_or_id: str, quantization: str = "int8") -> None:
        """Convert a model (a pair, hub id or folder) to CTranslate2 and print where it is.

        Example: mtalign models convert en-tr --quantization float32
        """
        from mtalign.models import convert_to_ct2, ct2_quantization, resolve_model

        spec = str(path_or_id)
        model = resolve_model(spec, registry=self._registry())
        print(convert_to_ct2(model, ct2_quantization(str(quantization))))
