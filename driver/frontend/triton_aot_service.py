"""The warm compile service of one build tree.

The first compile edge that finds no service starts this script
(driver/service_client.cc). It imports Triton and compiles one small kernel,
so that Triton's one-time set-up is done, then listens on a Unix socket. Each
connection is one edge: a worker forked from this warm process becomes that
edge's frontend (triton_aot_frontend.py: same protocol, same environment,
folder and stderr as a frontend the edge would have started itself) and exits
when the edge closes the connection. A worker that crashes fails its edge
alone: the service tells the edge how the worker ended.

The service serves its own user only, exits after --idle-timeout seconds with
no edge to serve, and exits when its Triton or Python changed on disk or an
edge comes with another identity (then that edge starts a new service).

Usage: python -s triton_aot_service.py --socket PATH --identity ID --idle-timeout S --build-tree DIR
"""

import argparse
import faulthandler
import gc
import json
import os
import select
import shutil
import signal
import socket
import struct
import sys
import tempfile
import threading
import time

import triton_aot_frontend as frontend


def _log(message):
    stamp = time.strftime("%Y-%m-%d %H:%M:%S")
    print(f"{stamp} triton-aot service[{os.getpid()}]: {message}", file=sys.stderr, flush=True)


def _watched_files():
    """Files whose change means this process no longer compiles what a fresh one would."""
    import triton
    package = os.path.dirname(os.path.realpath(triton.__file__))
    return [
        os.path.realpath(sys.executable),
        os.path.realpath(triton.__file__),
        os.path.join(package, "_C", "libtriton.so"),
        os.path.join(package, "backends", "nvidia", "bin", "ptxas"),
        os.path.join(package, "backends", "nvidia", "bin", "ptxas-blackwell"),
        os.path.realpath(frontend.__file__),
        os.path.realpath(__file__),
    ]


def _stamps(files):
    stamps = []
    for path in files:
        try:
            st = os.stat(path)
            stamps.append((path, st.st_size, st.st_mtime_ns))
        except OSError:
            stamps.append((path, None, None))
    return stamps


def _warm_up(archs, ptxas):
    """Small compiles: Triton's first compile in a process, and the first for each arch, set up what later ones reuse.

    With the ptxas the edges will use, so that its version is known to the workers too.
    """
    import triton
    import triton.language as tl
    from triton.backends.compiler import GPUTarget
    from triton.compiler import ASTSource

    @triton.jit
    def copy(src, dst, BLOCK: tl.constexpr):
        offsets = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
        tl.store(dst + offsets, tl.load(src + offsets))

    cache = tempfile.mkdtemp(prefix="triton-aot-warm-up-")
    saved = dict(os.environ)
    os.environ["TRITON_CACHE_DIR"] = cache
    if ptxas:
        os.environ["TRITON_PTXAS_PATH"] = os.environ["TRITON_PTXAS_BLACKWELL_PATH"] = ptxas
    started = time.perf_counter()
    try:
        for arch in archs or [80]:
            source = ASTSource(fn=copy, signature={"src": "*fp32", "dst": "*fp32", "BLOCK": "constexpr"},
                               constexprs={"BLOCK": 128})
            try:
                triton.compile(source, target=GPUTarget("cuda", arch, 32))
            except Exception as e:  # the service is still useful without it
                _log(f"warm-up compile for arch {arch} failed, continuing: {type(e).__name__}: {e}")
        _log(f"warm-up compiles for archs {archs or [80]} took {time.perf_counter() - started:.2f} s")
    finally:
        shutil.rmtree(cache, ignore_errors=True)
        os.environ.clear()
        os.environ.update(saved)


def _forget_what_the_service_found():
    """What Python and Triton look up once and keep, looked up again for the edge: the temporary folder,
    Triton's knobs read at import, and what its NVIDIA backend found out about ptxas (path and version, per
    arch: the warm-up's ptxas need not be the edge's)."""
    tempfile.tempdir = None
    import triton
    refresh = getattr(triton.knobs, "refresh_knobs", None)
    if refresh is not None:
        refresh()
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


def _peer_uid(conn):
    creds = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    return struct.unpack("3i", creds)[1]


def _exit_when_edge_leaves(fd):
    """Ends the worker as soon as its edge closes the connection, even mid-compile."""
    poller = select.poll()
    poller.register(fd, select.POLLRDHUP)
    while True:
        for _, events in poller.poll():
            if events & (select.POLLRDHUP | select.POLLHUP | select.POLLERR):
                os._exit(0)


def _serve_edge(conn, identity, stale, withdraw):
    """A worker: greet the edge, become its frontend, serve it.

    `withdraw` removes the service's socket, so that the next edge starts a
    new service at once instead of reaching this one while it stops.
    """
    threading.Thread(target=_exit_when_edge_leaves, args=(conn.fileno(),), daemon=True).start()
    requests = conn.makefile("r", encoding="utf-8")
    responses = conn.makefile("w", encoding="utf-8")

    def answer(message):
        responses.write(json.dumps(message) + "\n")
        responses.flush()

    line = requests.readline()
    if not line:
        return 0  # an edge that only looked whether the service runs
    hello = json.loads(line)
    op = hello.get("op") if isinstance(hello, dict) else None
    if op == "status":
        answer({"ok": True, "service_pid": os.getppid()})
        return 0
    if op == "stop":
        withdraw()
        os.kill(os.getppid(), signal.SIGTERM)
        answer({"ok": True, "service_pid": os.getppid()})
        return 0
    if op != "hello":
        answer({"ok": False, "error": {"kind": "protocol", "message": f"expected a greeting, got {op!r}"}})
        return 0
    if hello.get("identity") != identity:
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
    faulthandler.register(signal.SIGUSR1, file=sys.stderr, all_threads=False)
    answer({"ok": True, "pid": os.getpid()})
    frontend.serve(requests, responses)
    return 0


def _describe(status):
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        try:
            name = signal.Signals(number).name
        except ValueError:
            name = "unknown"
        return f"killed by signal {number} ({name})"
    return f"exit code {os.WEXITSTATUS(status)}"


class Service:

    def __init__(self, args):
        self.args = args
        self.workers = {}  # pid -> the edge's connection, kept to report a crash on it
        self.stopping = False
        self.listener = None
        self.socket_inode = None

    def listen(self):
        # Bound under a temporary name and renamed into place once listening,
        # so that an edge never finds a socket that refuses it.
        path = self.args.socket
        temporary = f"{path}.{os.getpid()}.tmp"
        if os.path.exists(temporary):
            os.unlink(temporary)
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(temporary)
        os.chmod(temporary, 0o600)
        self.listener.listen(128)
        os.rename(temporary, path)
        self.socket_inode = os.stat(path).st_ino

    def reap(self):
        while self.workers:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            conn = self.workers.pop(pid, None)
            if conn is None:
                continue
            if os.WIFSIGNALED(status) or os.WEXITSTATUS(status) != 0:
                how = _describe(status)
                _log(f"worker {pid} ended: {how}")
                try:
                    conn.sendall((json.dumps({"ok": False, "worker_ended": how}) + "\n").encode())
                except OSError:
                    pass  # the edge is gone too
            conn.close()

    def run(self, watched):
        idle_since = time.monotonic()
        while not self.stopping:
            try:
                readable, _, _ = select.select([self.listener], [], [], 0.05)
            except InterruptedError:
                readable = []
            self.reap()
            if self.workers:
                idle_since = time.monotonic()
            if readable:
                try:
                    conn, _ = self.listener.accept()
                except OSError:
                    continue
                idle_since = time.monotonic()
                if _peer_uid(conn) != os.getuid():
                    _log(f"refused a connection from user {_peer_uid(conn)}: this service serves user {os.getuid()} only")
                    conn.close()
                    continue
                changed = [path for (path, *old), (_, *new) in zip(watched, _stamps([w[0] for w in watched]))
                           if old != new]
                stale = f"{changed[0]} changed since the service started" if changed else None
                self.fork_worker(conn, stale)
            elif not self.workers and time.monotonic() - idle_since > self.args.idle_timeout:
                _log(f"idle for {self.args.idle_timeout:g} s: exiting")
                return

    def fork_worker(self, conn, stale):
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                self.listener.close()
                for other in self.workers.values():
                    other.close()
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                code = _serve_edge(conn, self.args.identity, stale, self.remove_socket)
            except BaseException as e:  # reported to the edge by the parent
                print(f"triton-aot service worker: {type(e).__name__}: {e}", file=sys.stderr, flush=True)
            finally:
                os._exit(code)
        self.workers[pid] = conn

    def remove_socket(self):
        try:
            if os.stat(self.args.socket).st_ino == self.socket_inode:
                os.unlink(self.args.socket)
        except OSError:
            pass


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--socket", required=True)
    parser.add_argument("--identity", required=True)
    parser.add_argument("--idle-timeout", type=float, default=900)
    parser.add_argument("--build-tree", default="")
    parser.add_argument("--warm-up-arch", type=int, action="append", default=[],
                        help="an arch to compile the warm-up kernel for (repeat for several)")
    parser.add_argument("--warm-up-ptxas", default="", help="the ptxas for the warm-up compiles")
    parser.add_argument("--lock-fd", type=int, default=-1,
                        help="the starting edge's lock on this build tree's service, held until listening")
    args = parser.parse_args()
    os.umask(0o077)
    service = Service(args)

    def stop(signum, frame):
        service.stopping = True

    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, stop)
    _log(f"starting for {args.build_tree or 'a build tree'} with {sys.executable}")
    try:
        import triton
    except ImportError as e:
        _log(f"{sys.executable} cannot import triton: {e}")
        return 1
    _warm_up(args.warm_up_arch, args.warm_up_ptxas)
    # Workers share the warm process's memory copy-on-write; kept out of the
    # garbage collector's reach, its objects are not touched (and so not
    # copied) by every worker's collections.
    gc.collect()
    gc.freeze()
    watched = _stamps(_watched_files())
    service.listen()
    if args.lock_fd >= 0:
        os.close(args.lock_fd)  # edges waiting to start a service connect to this one instead
    _log(f"listening on {args.socket} (Triton {triton.__version__}); exits after {args.idle_timeout:g} s idle")
    try:
        service.run(watched)
    finally:
        service.listener.close()
        service.remove_socket()
    if service.stopping:
        _log("asked to stop: exiting")
    return 0


if __name__ == "__main__":
    code = main()
    # Skip the interpreter's teardown: Triton's native libraries take over a
    # second to finalise, and `service stop` waits for the exit.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
