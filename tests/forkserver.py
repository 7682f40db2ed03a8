"""A warm ``mtalign`` for the docs examples: one process imports everything once, then
forks a child per command.

The examples are shell scripts that call ``mtalign`` dozens of times; starting Python and
importing mtalign, CTranslate2, transformers and torch for each call was most of the docs
tests' time. Here ``tests/test_docs.py`` starts ``python -m tests.forkserver SOCKET`` once;
the ``mtalign`` shim on the examples' PATH runs ``python -m tests.forkserver --client``, a
small client that hands the server its arguments, working folder, environment and its own
stdin/stdout/stderr (file descriptors passed over the Unix socket), and exits with the
command's exit code. The server forks; the child takes those descriptors as 0/1/2, sets the
folder and environment, and runs ``python -m mtalign`` as a new process would. So pipes,
redirections, ``||`` and exit codes in the examples behave exactly as with a real process,
and no state passes from one command to the next (each is a fresh fork).

When the server cannot be reached, the client runs ``python -m mtalign`` itself.
"""

from __future__ import annotations

import json
import os
import socket
import struct
import sys

#: Imported before the first fork, so that no command pays for them.
PRELOAD = (
    "mtalign.cli",
    "mtalign.pipeline",
    "mtalign.engines.ct2",
    "mtalign.align",
    "mtalign.evaluate",
    "mtalign.glossary",
    "mtalign.batch",
    "ctranslate2",
    "sentencepiece",
    "sacrebleu",
    "transformers",
    "torch",
)
_HEADER = struct.Struct("!I")


def _run_mtalign(argv: list[str]) -> int:
    """``python -m mtalign ARGV`` in this process; returns the exit code."""
    import runpy

    sys.argv = ["mtalign", *argv]
    try:
        runpy.run_module("mtalign", run_name="__main__", alter_sys=True)
    except SystemExit as exc:
        if exc.code is None:
            return 0
        if isinstance(exc.code, int):
            return exc.code
        print(exc.code, file=sys.stderr)
        return 1
    return 0


def _recv_request(conn: socket.socket) -> tuple[dict, list[int]]:
    data, fds, _, _ = socket.recv_fds(conn, 1 << 16, 3)
    while len(data) < _HEADER.size:
        data += conn.recv(1 << 16)
    (size,) = _HEADER.unpack(data[: _HEADER.size])
    body = data[_HEADER.size :]
    while len(body) < size:
        chunk = conn.recv(1 << 20)
        if not chunk:
            break
        body += chunk
    return json.loads(body), list(fds)


def _child(conn: socket.socket) -> None:
    """Run one command with the client's descriptors, folder and environment; never returns."""
    code = 1
    try:
        req, fds = _recv_request(conn)
        # The client forwards the signals it gets (``kill $!`` in an example) to this pid.
        conn.sendall(_HEADER.pack(os.getpid()))
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
            os.close(fd)
        os.chdir(req["cwd"])
        os.environ.clear()
        os.environ.update(req["env"])
        code = _run_mtalign(req["argv"])
    except BaseException:  # noqa: BLE001 - report anything to the client's stderr
        import traceback

        traceback.print_exc()
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:  # noqa: BLE001 - a closed pipe must not hide the exit code
                pass
        try:
            conn.sendall(_HEADER.pack(code & 0xFF))
        except OSError:
            pass
        os._exit(code & 0xFF)


def serve(path: str) -> None:
    """Preload, listen on the Unix socket ``path``, fork a child per connection."""
    import importlib
    import signal

    for name in PRELOAD:
        try:
            importlib.import_module(name)
        except ImportError:
            pass
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped by the kernel
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    srv.listen(64)
    print("ready", flush=True)
    sys.stdout.flush()
    sys.stderr.flush()
    while True:
        conn, _ = srv.accept()
        if os.fork() == 0:
            srv.close()
            _child(conn)
        conn.close()


def client(argv: list[str]) -> int:
    """Send this command to the server; its exit code (or run it here without a server)."""
    path = os.environ.get("MTALIGN_FORKSERVER", "")
    try:
        conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        conn.connect(path)
    except OSError:
        return _run_mtalign(argv)
    import signal

    body = json.dumps({"argv": argv, "cwd": os.getcwd(), "env": dict(os.environ)}).encode()
    socket.send_fds(conn, [_HEADER.pack(len(body)) + body], [0, 1, 2])
    pid = _read_int(conn)
    if pid is None:
        return 1
    # A signal sent to this client (Ctrl-C, `kill $!` in an example) goes to the command.
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, lambda signum, _frame: os.kill(pid, signum))
    code = _read_int(conn)
    return 1 if code is None else code


def _read_int(conn: socket.socket) -> int | None:
    """One header-sized integer from the server, or None when the child died first."""
    reply = b""
    while len(reply) < _HEADER.size:
        chunk = conn.recv(_HEADER.size - len(reply))
        if not chunk:  # the child died without a word (a crash): as a killed process
            return None
        reply += chunk
    return int(_HEADER.unpack(reply)[0])


if __name__ == "__main__":
    if sys.argv[1:2] == ["--client"]:
        sys.exit(client(sys.argv[2:]))
    serve(sys.argv[1])
