"""The warm compile service of one build tree.

The first compile edge that finds no service starts this script
(driver/service_client.cc). It imports Triton and compiles one small kernel,
so that Triton's one-time set-up is done, then listens on a Unix socket. Each
connection is one edge: a worker forked from this warm process becomes that
edge's frontend (triton_aot_worker.py) until the edge closes the connection.
A worker that crashes fails its edge alone: the service tells it how it ended.

The service serves its own user only, exits after --idle-timeout seconds with
no edge to serve, and exits when Triton changed on disk or an edge comes with
another identity (ServiceIdentity in service_client.cc) or protocol version;
then that edge starts a new service. Only this side decides it is stale.

Usage: python -s triton_aot_service.py --socket PATH --identity ID --idle-timeout S --build-tree DIR
"""

import argparse
import gc
import os
import select
import shutil
import signal
import socket
import struct
import sys
import tempfile
import time

import triton_aot_protocol as protocol
import triton_aot_worker as worker


def _log(message):
    stamp = time.strftime("%Y-%m-%d %H:%M:%S")
    print(f"{stamp} triton-aot service[{os.getpid()}]: {message}", file=sys.stderr, flush=True)


def _watched_files():
    """Triton's files whose change means this process no longer compiles what a fresh one would (Python and the
    scripts are in the edge's identity)."""
    import triton
    package = os.path.dirname(os.path.realpath(triton.__file__))
    return [
        os.path.realpath(triton.__file__),
        os.path.join(package, "_C", "libtriton.so"),
        os.path.join(package, "backends", "nvidia", "bin", "ptxas"),
        os.path.join(package, "backends", "nvidia", "bin", "ptxas-blackwell"),
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

    @triton.jit
    def copy(src, dst, BLOCK: tl.constexpr):
        offsets = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
        tl.store(dst + offsets, tl.load(src + offsets))

    cache = tempfile.mkdtemp(prefix="triton-aot-warm-up-")
    saved = dict(os.environ)
    os.environ["TRITON_CACHE_DIR"] = cache
    if ptxas:
        protocol.use_ptxas(ptxas)
    started = time.perf_counter()
    try:
        for arch in archs or [80]:
            try:
                protocol.compile_kernel(copy, {"src": "*fp32", "dst": "*fp32", "BLOCK": "constexpr"}, {"BLOCK": 128},
                                        arch)
            except Exception as e:  # the service is still useful without it
                _log(f"warm-up compile for arch {arch} failed, continuing: {type(e).__name__}: {e}")
        _log(f"warm-up compiles for archs {archs or [80]} took {time.perf_counter() - started:.2f} s")
    finally:
        shutil.rmtree(cache, ignore_errors=True)
        os.environ.clear()
        os.environ.update(saved)


def _peer_uid(conn):
    creds = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    return struct.unpack("3i", creds)[1]


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
                how = protocol.describe_exit(status)
                _log(f"worker {pid} ended: {how}")
                try:
                    protocol.write_message(conn.makefile("w", encoding="utf-8"), protocol.worker_ended(how))
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
                code = worker.serve_edge(conn, self.args.identity, stale, self.remove_socket)
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
    no_triton = protocol.triton_import_error()
    if no_triton:
        _log(no_triton)
        return 1
    import triton
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
