"""What the frontend and the compile service share: the protocol with the driver, and the few steps both take.

The messages are JSON objects, one a line; driver/protocol.h parses each into
a struct and docs/driver.md ("Protocol") lists them. PROTOCOL_VERSION is
kProtocolVersion there: a service greeted by an edge of another version
answers that it is stale, and the edge replaces it.
"""

import faulthandler
import json
import os
import signal
import sys

PROTOCOL_VERSION = 2


def read_message(line):
    """One request: a JSON object (ValueError otherwise)."""
    message = json.loads(line)
    if not isinstance(message, dict):
        raise ValueError(f"a message must be a JSON object, not {type(message).__name__}")
    return message


def write_message(stream, message):
    stream.write(json.dumps(message) + "\n")
    stream.flush()


def error(kind, message, file=None, line=0, col=0, **extra):
    """A failed answer: the error object the driver turns into a diagnostic at file:line:col."""
    return {"ok": False, "error": {"kind": kind, "message": message, "file": file, "line": line, "col": col, **extra}}


def worker_ended(how):
    """The service's line to an edge whose worker died before it answered."""
    return {"ok": False, "worker_ended": how}


def triton_import_error():
    """Why Triton cannot be imported, or None."""
    try:
        import triton  # noqa: F401
    except ImportError as e:
        return f"{sys.executable} cannot import triton: {e}"
    return None


def dump_stack_on_sigusr1():
    """The driver sends SIGUSR1 when loading a module takes too long, to learn which line it is stuck on."""
    faulthandler.register(signal.SIGUSR1, file=sys.stderr, all_threads=False)


def use_ptxas(path):
    """Hands a ptxas to Triton under both names: it reads the second one for arch >= 100."""
    os.environ["TRITON_PTXAS_PATH"] = path
    os.environ["TRITON_PTXAS_BLACKWELL_PATH"] = path


def compile_kernel(fn, signature, constexprs, arch, attrs=None, options=None):
    """One triton.compile call for an NVIDIA GPU of compute capability `arch`."""
    import triton
    from triton.backends.compiler import GPUTarget
    from triton.compiler import ASTSource
    source = ASTSource(fn=fn, signature=signature, constexprs=constexprs, attrs=attrs)
    return triton.compile(source, target=GPUTarget("cuda", arch, 32), options=options)


def describe_exit(status):
    """How a child process ended, as the edge is told ("killed by signal 9 (SIGKILL)")."""
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        try:
            name = signal.Signals(number).name
        except ValueError:
            name = "unknown"
        return f"killed by signal {number} ({name})"
    return f"exit code {os.WEXITSTATUS(status)}"
