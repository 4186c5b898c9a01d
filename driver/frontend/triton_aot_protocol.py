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

PROTOCOL_VERSION = 4


def read_message(line):
    """One request: a JSON object (ValueError otherwise)."""
    message = json.loads(line)
    if not isinstance(message, dict):
        raise ValueError(f"a message must be a JSON object, not {type(message).__name__}")
    return message


# The fields whose strings are text for people: a byte that is not UTF-8
# there (a path from os.fsdecode) is shown escaped. Anywhere else a string
# is data, which the driver must get exactly or not at all.
_TEXT_FIELDS = {"message", "error", "file", "stale", "worker_ended"}


class NotUtf8(ValueError):
    """A string of a message that UTF-8 cannot carry: it holds a lone surrogate."""

    def __init__(self, field, value):
        super().__init__(f"'{field}' holds '{escaped(value)}', which is not valid UTF-8 ({not_utf8(value)})")
        self.field = field
        self.value = value


def not_utf8(text):
    """Why UTF-8 cannot carry `text` ("byte 0xe9 at offset 8"), or None when it can."""
    for i, c in enumerate(text):
        if 0xDC80 <= ord(c) <= 0xDCFF:  # a byte that was not UTF-8, as os.fsdecode() gives it
            return f"byte 0x{ord(c) - 0xDC00:02x} at offset {len(os.fsencode(text[:i]))}"
        if 0xD800 <= ord(c) <= 0xDFFF:
            return f"the lone surrogate U+{ord(c):04X} at character {i}"
    return None


def escaped(text):
    """`text` with each lone surrogate written as \\xNN (a byte of a path) or \\uNNNN."""
    return "".join(f"\\x{ord(c) - 0xDC00:02x}" if 0xDC80 <= ord(c) <= 0xDCFF else
                   f"\\u{ord(c):04x}" if 0xD800 <= ord(c) <= 0xDFFF else c for c in text)


def _carryable(value, field):
    if isinstance(value, dict):
        return {_carryable(k, field): _carryable(v, f"{field}.{k}" if field else str(k)) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_carryable(v, f"{field}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, str) and not_utf8(value):
        if field.rsplit(".", 1)[-1] in _TEXT_FIELDS:
            return escaped(value)
        raise NotUtf8(field, value)
    return value


def write_message(stream, message):
    """One message, as UTF-8 JSON: json.dumps would write a lone surrogate as \\udcNN, which is no UTF-8 text and
    which the driver refuses; a message that holds one as data becomes an error saying where."""
    try:
        message = _carryable(message, "")
    except NotUtf8 as e:
        message = error("not-utf8", f"what the module holds cannot reach the driver: {e}; TritonAOT passes paths and "
                        f"names as UTF-8 text: rename the folder, or change the string")
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
