"""Every use of a Triton internal that differs between the releases TritonAOT supports (3.5 to 3.9).

One function per difference, each saying which versions do what and why. Nothing here is imported at
module level from Triton, and nothing raises for a name a release lacks: the callers' error paths use
these functions too, and whatever fails while an error is reported must not hide that error.
"""

import hashlib
import re

# The supported range, read by configure (cmake/modules/TritonAOT.cmake) and checked again at every load,
# since the interpreter's Triton may be changed after configure. TESTED are the releases the `compat` tests
# build with; a newer minor version than the last is tried, with a warning.
OLDEST = (3, 5)
TESTED = ("3.5.1", "3.6.0", "3.7.1", "3.8.0", "3.9.0")


def parse(version):
    """(major, minor, patch) of a version string such as '3.9.0' or '3.10.0+git1234'; missing parts are 0."""
    match = re.match(r"(\d+)(?:\.(\d+))?(?:\.(\d+))?", str(version))
    return tuple(int(part or 0) for part in match.groups()) if match else (0, 0, 0)


def support(version):
    """('ok' | 'too-old' | 'untested', message) for a Triton version."""
    newest = parse(TESTED[-1])[:2]
    tested = f"{OLDEST[0]}.{OLDEST[1]} to {newest[0]}.{newest[1]}"
    minor = parse(version)[:2]
    if minor < OLDEST:
        return ("too-old", f"Triton {version} is older than TritonAOT supports: it works with Triton {tested} "
                           f"(tested: {', '.join(TESTED)}); install one of those, e.g. pip install "
                           f"'triton=={TESTED[-1]}', or the one your PyTorch pins")
    if minor > newest:
        return ("untested", f"Triton {version} is newer than the versions TritonAOT was tested with "
                            f"({tested}: {', '.join(TESTED)}); building with it anyway")
    return ("ok", f"Triton {version}")


def jit_fn_file_line(fn):
    """(file, line of its `def`) of a @triton.jit function.

    3.8 and later keep both on the function (file_name, def_file_line_number) and dropped
    triton.runtime.jit.get_jit_fn_file_line, which 3.5 to 3.7 compute them with.
    """
    if hasattr(fn, "def_file_line_number") and hasattr(fn, "file_name"):
        return fn.file_name, fn.def_file_line_number
    from triton.runtime import jit
    get = getattr(jit, "get_jit_fn_file_line", None)
    if get is not None:
        return get(fn)
    return fn.fn.__code__.co_filename, fn.fn.__code__.co_firstlineno


def blackwell_ptxas_from(version):
    """The compute capability from which Triton runs its second bundled ptxas ('ptxas-blackwell', which
    TRITON_PTXAS_BLACKWELL_PATH overrides), or None when it has one ptxas for every arch.

    3.5 bundles one ptxas; 3.6 to 3.8 use ptxas-blackwell from sm_100; 3.9 from sm_90 (its ptxas is CUDA
    12.9, its ptxas-blackwell 13.4), as backends/nvidia/compiler.py's get_ptxas says. Newer releases are
    taken to keep 3.9's split.
    """
    minor = parse(version)[:2]
    if minor < (3, 6):
        return None
    return 100 if minor < (3, 9) else 90


_ptx_transform = None


def transform_ptx(transform):
    """Makes every later compile pass its PTX through `transform(ptx) -> ptx` before ptxas.

    3.6 and later call knobs.runtime.add_stages_inspection_hook(backend, stages, options, language,
    capability) as the backend adds its stages; 3.7 and later also call it with no arguments while computing
    the compile's cache key, and add the (key, hash) it returns to that key. 3.5 has no such hook: there the
    NVIDIA backend's add_stages is wrapped instead.
    """
    global _ptx_transform
    _ptx_transform = transform
    import triton
    runtime = triton.knobs.runtime
    if hasattr(runtime, "add_stages_inspection_hook"):
        runtime.add_stages_inspection_hook = _inspect_stages
        return
    from triton.backends.nvidia.compiler import CUDABackend
    if not getattr(CUDABackend.add_stages, "triton_aot_wrapped", False):
        CUDABackend.add_stages = _add_stages_then_transform(CUDABackend.add_stages)


def _transform_stages(stages):
    make_ptx, transform = stages["ptx"], _ptx_transform
    stages["ptx"] = lambda src, metadata: transform(make_ptx(src, metadata))


def _inspect_stages(*args):
    if not args:  # 3.7+: what the hook adds to Triton's cache key
        identity = "triton_aot_ptx:" + getattr(_ptx_transform, "__qualname__", "")
        return identity, hashlib.sha256(identity.encode()).hexdigest()
    _transform_stages(args[1])
    return None


def _add_stages_then_transform(add_stages):
    def add_stages_then_transform(self, stages, *rest):
        add_stages(self, stages, *rest)
        _transform_stages(stages)
    add_stages_then_transform.triton_aot_wrapped = True
    return add_stages_then_transform


def refresh_knobs():
    """Makes Triton read its environment variables again (a service worker runs for another edge than the
    one it was started for). knobs.refresh_knobs exists from 3.5; without it there is nothing to refresh."""
    import triton
    refresh = getattr(getattr(triton, "knobs", None), "refresh_knobs", None)
    if refresh is not None:
        refresh()


def main():
    """For configure: three lines, the support status, the version and the message; exit status 1 (and
    Python's error on stderr) when Triton cannot be imported."""
    import triton
    status, message = support(triton.__version__)
    print(status, triton.__version__, message, sep="\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
