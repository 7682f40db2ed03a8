"""``mtalign serve``: the translation service (ASGI, on uvicorn).

A front end like :mod:`mtalign.cli`: it builds on the library and nothing in the library
imports it. Starlette and uvicorn are imported only when a service is made
(``pip install mtalign[serve]``).

- :mod:`~mtalign.serve.config`: the service config (``[server]``, ``[translate]``,
  ``[glossary]``) and command-line values over it.
- :mod:`~mtalign.serve.engine`: the engine thread that owns the models and coalesces
  requests into shared engine batches.
- :mod:`~mtalign.serve.service`: limits, languages, documents in and out.
- :mod:`~mtalign.serve.libre` (LibreTranslate-compatible) and :mod:`~mtalign.serve.native`
  (``/v1``) endpoints; :mod:`~mtalign.serve.app` puts them together; :mod:`~mtalign.serve.run`
  runs them on uvicorn.
"""
