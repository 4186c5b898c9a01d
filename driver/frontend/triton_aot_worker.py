"""A worker of the compile service (triton_aot_service.py): forked from the warm service for one edge, it greets
the edge, becomes the frontend that edge would have started (triton_aot_frontend.py) and serves it until the edge
closes the connection.
"""

import faulthandler
import os
import select
import signal
import sys
import tempfile
import threading

import triton_aot_frontend as frontend
import triton_aot_protocol as protocol
import triton_aot_versions as versions


def _forget_what_the_service_found():
    """What Python and Triton look up once and keep, looked up again for the edge: the temporary folder,
    Triton's knobs read at import, and what its NVIDIA backend found out about ptxas (path and version, per
    arch: the warm-up's ptxas need not be the edge's)."""
    tempfile.tempdir = None
    import triton
    versions.refresh_knobs()
    from triton.backends.nvidia import compiler as nvidia
    for module in (triton.knobs, nvidia):
        _clear_caches(module)


def _clear_caches(module):
    """Empties the functools caches of a module's functions and of its classes' methods."""
    for value in list(vars(module).values()):
        for member in list(vars(value).values()) if isinstance(value, type) else [value]:
            member = getattr(member, "__func__", member)  # a staticmethod's function
            if callable(getattr(member, "cache_clear", None)):
                member.cache_clear()


def _exit_when_edge_leaves(fd):
    """Ends the worker as soon as its edge closes the connection, even mid-compile."""
    poller = select.poll()
    poller.register(fd, select.POLLRDHUP)
    while True:
        for _, events in poller.poll():
            if events & (select.POLLRDHUP | select.POLLHUP | select.POLLERR):
                os._exit(0)


def serve_edge(conn, identity, stale, withdraw):
    """A worker: greet the edge, become its frontend, serve it.

    `withdraw` removes the service's socket, so that the next edge starts a
    new service at once instead of reaching this one while it stops.
    """
    threading.Thread(target=_exit_when_edge_leaves, args=(conn.fileno(),), daemon=True).start()
    requests = conn.makefile("r", encoding="utf-8")
    responses = conn.makefile("w", encoding="utf-8")

    def answer(message):
        protocol.write_message(responses, message)

    line = requests.readline()
    if not line:
        return 0  # an edge that only looked whether the service runs
    hello = protocol.read_message(line)
    op = hello.get("op")
    if op == "status":
        answer({"ok": True, "service_pid": os.getppid()})
        return 0
    if op == "stop":
        withdraw()
        os.kill(os.getppid(), signal.SIGTERM)
        answer({"ok": True, "service_pid": os.getppid()})
        return 0
    if op != "hello":
        answer(protocol.error("protocol", f"expected a greeting, got {op!r}"))
        return 0
    if hello.get("protocol") != protocol.PROTOCOL_VERSION:
        stale = (f"the edge speaks protocol version {hello.get('protocol')}, the service "
                 f"{protocol.PROTOCOL_VERSION}")
    elif hello.get("identity") != identity:
        stale = stale or "the edge's driver, Python, ptxas or Python environment differ from the service's"
    if stale:
        withdraw()
        os.kill(os.getppid(), signal.SIGTERM)
        answer({"ok": False, "stale": stale, "service_pid": os.getppid()})
        return 0
    # Become the frontend the edge would have started: its folder, its
    # environment (Triton reads its knobs from there), its stderr file.
    os.chdir(hello["cwd"])
    os.environ.clear()
    os.environ.update(hello["env"])
    _forget_what_the_service_found()
    log = os.open(hello["stderr"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.dup2(log, 1)
    os.dup2(log, 2)
    os.close(log)
    sys.stdout = sys.stderr
    faulthandler.enable(file=sys.stderr)
    protocol.dump_stack_on_sigusr1()
    answer({"ok": True, "pid": os.getpid(), "protocol": protocol.PROTOCOL_VERSION})
    frontend.serve(requests, responses)
    return 0
