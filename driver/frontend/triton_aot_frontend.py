"""The Python side of a triton-aot compile edge.

It is kept deliberately thin: load one kernel module, describe what it holds,
call triton.compile for the jobs the C++ driver sends, return data. Validation,
orchestration, packing, code generation and logging all live in the driver.

Protocol (triton_aot_protocol.py, docs/driver.md): one JSON object per line.
Requests arrive on stdin; responses leave on the file descriptor that was
stdout when the process started. Everything else Triton or the kernel module
prints goes to stderr, so stray prints can never corrupt the protocol.
"""

import ast
import errno
import itertools
import linecache
import os
import re
import signal
import sys
import tempfile
import time
import types

# The modules beside this script, also where PYTHONSAFEPATH keeps its folder off the path.
if os.path.dirname(os.path.realpath(__file__)) not in sys.path:
    sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))

import triton_aot_describe as describe  # noqa: E402
import triton_aot_imports as imports  # noqa: E402
import triton_aot_protocol as protocol  # noqa: E402
import triton_aot_prune as prune  # noqa: E402
import triton_aot_target as build_target  # noqa: E402
import triton_aot_versions as versions  # noqa: E402
from triton_aot_protocol import error as _error  # noqa: E402

# ptxas records each source file's mtime and size in the cubin's line table
# when the PTX's .file directive gives none (or gives 0), so touching a kernel
# module would change its cubins. A fixed timestamp and the file's size keep
# the outputs a function of the sources' contents.
_FILE_DIRECTIVE = re.compile(r'^(\s*\.file\s+\d+\s+"([^"]*)")\s*$', re.MULTILINE)


def _stamped(match):
    try:
        size = os.path.getsize(match.group(2))
    except OSError:
        size = 1
    return f"{match.group(1)}, 1, {max(size, 1)}"


def _pin_file_stamps(ptx):
    return _FILE_DIRECTIVE.sub(_stamped, ptx)


# Errors that mean the disk, a quota or a file-size limit stopped a write: no
# other variant can succeed either, so the whole request fails with them.
_DISK_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}


def _disk_error(exc):
    while exc is not None:
        if isinstance(exc, OSError) and exc.errno in _DISK_ERRNOS:
            return exc
        exc = exc.__cause__ or exc.__context__
    return None


class Frontend:

    def __init__(self):
        self.module = None
        self.kernels = {}
        self.pruner = None

    def load(self, request):
        import triton
        status, message = versions.support(triton.__version__)
        if status == "too-old":
            return _error("triton-version", message)
        path = os.path.abspath(request["module"])
        source_root = os.path.realpath(request.get("source_root") or os.path.dirname(path))
        try:
            with open(path, "rb") as f:
                source = f.read()
        except OSError as e:
            return _error("io", f"cannot read kernel module: {e.strerror}", path)
        imports.install_exact_loader()
        try:
            module_sha256 = imports.source_bytes(path, source)
            code = compile(source, path, "exec", dont_inherit=True)
            tree = ast.parse(source, path)
        except SyntaxError as e:
            return _error("syntax", e.msg, e.filename or path, e.lineno or 0, e.offset or 0)

        name = os.path.splitext(os.path.basename(path))[0]
        module = types.ModuleType(name)
        module.__file__ = path
        module.__triton_aot_key__ = path
        # Register under a private name so that dataclasses, pickling and Triton's
        # own look-ups through sys.modules work, without shadowing a real module.
        key = f"triton_aot_kernels.{name}"
        sys.modules[key] = module
        module_dir = os.path.dirname(path)
        sys.path.insert(0, module_dir)
        # Stays active for the compiles: a pruner or heuristic that asks sees the same target.
        target = build_target.activate(request["target_arch"], module.__dict__)
        before = set(sys.modules)
        try:
            exec(code, module.__dict__)
        except SyntaxError as e:  # in a helper it imports
            return _error("syntax", e.msg, e.filename or path, e.lineno or 0, e.offset or 0)
        except BaseException as e:  # the module's own code failed: report where
            return _module_failed(e, path, source_root)
        finally:
            sys.path.remove(module_dir)

        files, distributions, not_utf8 = _imported(path, tree, [(k, m) for k, m in list(sys.modules.items())
                                                                if k not in before], triton)
        if not_utf8 is not None:
            return not_utf8
        self.module = module
        self.kernels = {}
        self.pruner = prune.BuildTimePruner(target)
        described = {}
        for attr, value in vars(module).items():
            desc = describe.describe_kernel(value, triton)
            if desc is not None:
                described[attr] = desc
                self.kernels[attr] = value
        lines = describe.spec_lines(tree)
        try:
            spec_json = describe.plain_spec(module)
        except TypeError as e:
            return _error("spec", str(e), path, lines["line"] if lines else 0)
        return {
            "ok": True,
            "spec": spec_json,
            "has_spec": hasattr(module, describe.SPEC_NAME),
            "spec_lines": lines,
            "kernels": described,
            "module_sha256": module_sha256,
            "imports": files,
            "distributions": distributions,
            "triton_version": triton.__version__,
            "triton_file": os.path.abspath(triton.__file__),
            "triton_key": _triton_key(),
            "triton_files": _triton_files(os.path.dirname(os.path.abspath(triton.__file__))),
            "blackwell_ptxas_from": versions.blackwell_ptxas_from(triton.__version__),
            "target_asked": target.asked,
        }

    def compile(self, request):
        versions.transform_ptx(_pin_file_stamps)
        results = []
        for job in request["jobs"]:
            kernel, _, heuristics = describe.unwrap(self.kernels[job["kernel"]])
            protocol.use_ptxas(job["ptxas"])
            attrs = {(i, ): [["tt.divisibility", 16]] for i in job["divisible_by_16"]}
            # With full debug info (DISABLE_PTXAS_OPT=1) ptxas writes the names of Triton's temporary files
            # into the cubin: the same names in every compile (in the edge's private TMPDIR).
            tempfile._name_sequence = (f"triton_aot_{i}_" for i in itertools.count(1))
            started_us = time.time_ns() // 1000
            start = time.perf_counter_ns()
            pruned = self._prune(job, started_us, start)
            if pruned is not None:
                results.append(pruned)
                continue
            try:
                constexprs = describe.apply_heuristics(heuristics, describe.constexpr_values(job["constexprs"]))
                compiled = protocol.compile_kernel(kernel, job["signature"], constexprs, job["arch"], attrs,
                                                   job["options"])
                elapsed = (time.perf_counter_ns() - start) // 1000
                prefix = job["out_prefix"]
                with open(prefix + ".cubin", "wb") as f:
                    f.write(compiled.asm["cubin"])
                with open(prefix + ".ptx", "w") as f:
                    f.write(compiled.asm["ptx"])
                md = compiled.metadata
                results.append({
                    "id": job["id"],
                    "ok": True,
                    "start_us": started_us,
                    "elapsed_us": elapsed,
                    "metadata": {
                        "name": md.name,
                        "num_warps": md.num_warps,
                        "num_stages": md.num_stages,
                        "num_ctas": md.num_ctas,
                        "shared": md.shared,
                        "global_scratch_size": md.global_scratch_size,
                        "global_scratch_align": md.global_scratch_align,
                        "profile_scratch_size": md.profile_scratch_size,
                        "profile_scratch_align": md.profile_scratch_align,
                        "tmem_size": getattr(md, "tmem_size", 0),
                        # TRITON_DEFAULT_FP_FUSION sets it (3.9 warns that 3.10 flips its default).
                        "enable_fp_fusion": bool(getattr(md, "enable_fp_fusion", True)),
                        "launch_cooperative_grid": bool(getattr(md, "launch_cooperative_grid", False)),
                        "launch_pdl": bool(getattr(md, "launch_pdl", False)),
                    },
                })
            except BaseException as e:
                elapsed = (time.perf_counter_ns() - start) // 1000
                if isinstance(e, (KeyboardInterrupt, SystemExit)):
                    raise
                disk = _disk_error(e)
                if disk is not None:
                    what = f"'{disk.filename}'" if disk.filename else "the compiled kernel's files"
                    return _error("disk", f"cannot write {what}: {disk.strerror}", errno=disk.errno)
                result = {"id": job["id"], "ok": False, "start_us": started_us, "elapsed_us": elapsed,
                          "error": f"{type(e).__name__}: {e}"}
                where = _error_location(e, kernel)
                if where is not None:
                    result["error"] = where.pop("message")
                    result["where"] = where
                results.append(result)
        # @triton.jit reads sources through linecache; a long-lived worker must
        # not keep every module it ever compiled.
        linecache.clearcache()
        return {"ok": True, "results": results}

    def _prune(self, job, started_us, start):
        """The result of a job whose config the kernel's early_config_prune leaves out of the job's arch, or whose
        pruner fails; None when the job is to be compiled."""
        if job.get("prune_config") is None:
            return None
        kernel, autotuner, _ = describe.unwrap(self.kernels[job["kernel"]])
        result = {"id": job["id"], "start_us": started_us}
        try:
            if self.pruner.keeps(autotuner, kernel, job, describe.constexpr_values(job["constexprs"])):
                return None
            result.update(ok=True, pruned="the kernel's early_config_prune left it out")  # the driver adds the arch
        except prune.PrunerFailed as e:
            message, file, line = e.args
            result.update(ok=False, error=message, where={"file": file, "line": line, "col": 0})
        result["elapsed_us"] = (time.perf_counter_ns() - start) // 1000
        return result


def _module_failed(e, path, source_root):
    """The error for an exception the module's own code raised, at its innermost line in the module or the
    project's files: a helper that failed to import is no longer in sys.modules, but its frame is there."""
    module_file = os.path.realpath(path)
    where = describe.innermost_frame_in(e.__traceback__,
                                        lambda f: f == module_file or f.startswith(source_root + os.sep)) or (path, 0)
    kind = "import" if isinstance(e, ImportError) else "exception"
    message = f"{type(e).__name__}: {e}"
    if isinstance(e, ModuleNotFoundError):
        message = (f"{e}: install it for {sys.executable}, or, if it is a file of the project, "
                   f"put it where the module's folder or the Python path can find it")
    elif isinstance(e, ImportError):
        message = str(e)  # "cannot import name 'x' from 'helper' (path)"
    return _error(kind, message, where[0], where[1])


def _error_location(e, kernel):
    """Where in the user's source Triton's error is, or None; never an error of its own, which would hide
    Triton's (a release lacking something the look-up uses)."""
    try:
        return describe.compilation_error_location(e, [kernel])
    except Exception:  # noqa: BLE001 - the original error is what the user must see
        return None


def _imported(path, tree, new_modules, triton):
    """What the module imported (triton_aot_imports.what_was_imported), and the error for a path of it that
    UTF-8 cannot carry, or None."""
    files, distributions = imports.what_was_imported(m for _, m in new_modules)
    names = {os.path.realpath(m.__file__): k for k, m in new_modules if getattr(m, "__file__", None)}
    imported = {f["path"]: names.get(f["path"], "") for f in files}
    return files, distributions, _path_not_utf8(path, tree, imported, os.path.abspath(triton.__file__))


def _path_not_utf8(path, tree, imported, triton_file):
    """The error for a path of the load answer that UTF-8 cannot carry (a byte that is not UTF-8, which
    os.fsdecode made a lone surrogate): a project file the module imports, or Triton's own; None when all can."""
    for file in sorted(imported):
        if protocol.not_utf8(file):
            return _error("not-utf8", f"the module imports '{protocol.escaped(file)}', whose path is not valid "
                          f"UTF-8 ({protocol.not_utf8(file)}); TritonAOT passes the paths of the project's files "
                          f"as UTF-8 text: rename the folder", path, describe.import_line(tree, imported[file]))
    if protocol.not_utf8(triton_file):
        return _error("not-utf8", f"Triton is installed at '{protocol.escaped(triton_file)}', a path that is not "
                      f"valid UTF-8 ({protocol.not_utf8(triton_file)}); TritonAOT passes Triton's files to the "
                      f"build as UTF-8 text: install it (its virtual environment) under a folder whose path is UTF-8")
    return None


def _triton_key():
    """Triton's own identity of its compiler: version, sources and native library, hashed."""
    from triton.runtime.cache import triton_key
    return triton_key()


def _triton_files(package):
    """The files of the Triton package that compiling a kernel reads: its Python sources, its bitcode
    libraries (libdevice) and its native library."""
    found = []
    for folder, subfolders, files in os.walk(package):
        subfolders[:] = sorted(d for d in subfolders if d != "__pycache__")
        found += [os.path.join(folder, f) for f in files if f.endswith((".py", ".bc"))]
    found += [os.path.join(package, "_C", f) for f in os.listdir(os.path.join(package, "_C"))
              if f.startswith("libtriton.")]
    return sorted(found)


def serve(requests, responses):
    frontend = Frontend()
    for line in requests:
        if not line.strip():
            continue
        request = protocol.read_message(line)
        op = request.get("op")
        if op == "load":
            response = frontend.load(request)
        elif op == "compile":
            response = frontend.compile(request)
        elif op == "exit":
            return
        else:
            response = _error("protocol", f"unknown request {op!r}")
        protocol.write_message(responses, response)


def _end_with_driver():
    """Dies with the driver, so that a killed build leaves no Python behind."""
    driver = os.environ.get("TRITON_AOT_DRIVER_PID")
    if not driver or not sys.platform.startswith("linux"):
        return
    import ctypes
    pr_set_pdeathsig = 1
    ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)
    if os.getppid() != int(driver):  # it died before the line above
        os._exit(1)


def main():
    _end_with_driver()
    protocol.dump_stack_on_sigusr1()
    # Keep the protocol channel private: from here on fd 1 is stderr.
    responses = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    no_triton = protocol.triton_import_error()  # fail early and clearly
    if no_triton:
        protocol.write_message(responses, _error("no-triton", no_triton))
        return 1
    serve(sys.stdin, responses)
    return 0


if __name__ == "__main__":
    sys.exit(main())
