"""What the frontend finds in a kernel module: its kernels, its TRITON_AOT_KERNELS and their lines, and where an
error in it points.

Data only, in the shapes of the load answer (driver/protocol.h, LoadAnswer); the driver checks the spec.
"""

import ast
import inspect
import json
import math
import os
import traceback

import triton_aot_protocol as protocol
import triton_aot_versions as versions

SPEC_NAME = "TRITON_AOT_KERNELS"
DTYPE_KEY = "triton_dtype"


def plain_spec(module):
    """The module's TRITON_AOT_KERNELS as JSON data, or a TypeError naming what is not plain data or what
    JSON cannot carry exactly (the driver would compile another kernel than the module asks for)."""
    spec = getattr(module, SPEC_NAME, None)
    _check_exact(spec)
    return json.loads(json.dumps(spec, default=_not_plain_data))


def _check_exact(value):
    if isinstance(value, dict):
        for key, item in value.items():
            _check_exact(key)
            _check_exact(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _check_exact(item)
    elif isinstance(value, int) and not isinstance(value, bool) and not -2**63 <= value < 2**64:
        raise TypeError(f"{SPEC_NAME} holds the integer {value}, which does not fit in 64 bits: Triton's "
                        f"constexprs and the driver's numbers are 64-bit integers at most; use a smaller value")
    elif isinstance(value, str) and protocol.not_utf8(value):
        surrogate = next(c for c in value if 0xD800 <= ord(c) <= 0xDFFF)
        raise TypeError(f"{SPEC_NAME} holds the string {ascii(value)}, with the lone surrogate U+{ord(surrogate):04X}, "
                        f"which is not a character and which UTF-8 cannot carry: write the string with real characters")
    elif isinstance(value, float) and not math.isfinite(value):
        raise TypeError(f"{SPEC_NAME} holds {value!r}, which is not a finite number and cannot be carried "
                        f"exactly: use a finite float, or compute the value in the kernel")


def import_line(tree, module_name):
    """The line of the module's first import statement that imports `module_name` (a dotted name from
    sys.modules), or 0 when none of its own does (another of the project's files imported it)."""
    def names_it(name):
        return name == module_name or module_name.startswith(name + ".") or name.startswith(module_name + ".")
    for node in ast.walk(tree):
        if isinstance(node, ast.Import) and any(names_it(alias.name) for alias in node.names):
            return node.lineno
        if isinstance(node, ast.ImportFrom) and node.module and (
                names_it(node.module) or any(names_it(f"{node.module}.{a.name}") for a in node.names)):
            return node.lineno
    return 0


def compilation_error_location(exc, kernels):
    """File, line and column in the user's source of Triton's innermost CompilationError.

    The error's node is numbered within the failing @triton.jit function's
    source (which starts at its `def`); the function is found among the
    module's kernels and the helpers they call by that source.
    """
    from triton.compiler.errors import CompilationError
    from triton.runtime.jit import JITFunction
    innermost = None
    while exc is not None:
        if isinstance(exc, CompilationError):
            innermost = exc
        exc = exc.__cause__
    if innermost is None or not hasattr(innermost.node, "lineno") or innermost.src is None:
        return None
    functions = [k for k in kernels if isinstance(k, JITFunction)]
    seen = set()
    while functions:
        fn = functions.pop()
        if id(fn) in seen:
            continue
        seen.add(id(fn))
        if fn.src == innermost.src:
            file, begin_line = versions.jit_fn_file_line(fn)
            message = _with_cause(innermost.error_message or "", innermost.__cause__) or repr(innermost)
            return {"file": file, "line": begin_line + innermost.node.lineno - 1,
                    "col": innermost.node.col_offset + 1, "message": message}
        functions += [v for v in fn.__globals__.values() if isinstance(v, JITFunction)]
    return None


def _with_cause(message, cause):
    """Triton's message and the exception it chained, unless the message already says it: some of Triton's
    errors ('at 3:29:') carry their reason only in the cause."""
    if cause is None:
        return message
    said = f"{type(cause).__name__}: {cause}"
    if str(cause) and str(cause) in message:
        return message
    return f"{message.rstrip(': ')}: {said}" if message.strip() else said


def innermost_frame_in(tb, is_users):
    """The deepest traceback frame in one of the user's files."""
    found = None
    for frame, lineno in traceback.walk_tb(tb):
        if is_users(os.path.realpath(frame.f_code.co_filename)):
            found = (frame.f_code.co_filename, lineno)
    return found


def spec_lines(tree):
    """Line of the spec assignment and of each literal kernel entry and variant in it."""
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
        if not any(isinstance(t, ast.Name) and t.id == SPEC_NAME for t in targets):
            continue
        entries = []
        if isinstance(node.value, (ast.List, ast.Tuple)):
            for elt in node.value.elts:
                variants = []
                if isinstance(elt, ast.Dict):
                    for key, value in zip(elt.keys, elt.values):
                        if isinstance(key, ast.Constant) and key.value == "variants" and isinstance(
                                value, (ast.List, ast.Tuple)):
                            variants = [v.lineno for v in value.elts]
                entries.append({"line": elt.lineno, "variants": variants})
        return {"line": node.lineno, "entries": entries}
    return None


def _describe_jit(jit, triton):
    params = []
    for p in jit.params:
        default = p.default
        has_default = default is not inspect.Parameter.empty and isinstance(default, (int, float, bool, str))
        params.append({"name": p.name, "constexpr": bool(p.is_constexpr), "default": default if has_default else None})
    return {"params": params, "line": jit.starting_line_number if hasattr(jit, "starting_line_number") else 0}


def _users_hook(autotuner, which):
    """Whether the Autotuner's pre_hook or post_hook is the user's: Triton installs hooks of its own for
    reset_to_zero and restore_value. Its Autotuner says which with user_defined_pre_hook / _post_hook; a
    Triton without those flags is read by the hook itself: Triton's own are defined in Autotuner.__init__."""
    flag = getattr(autotuner, f"user_defined_{which}", None)
    if flag is not None:
        return bool(flag)
    hook = getattr(autotuner, which, None)
    return hook is not None and not getattr(hook, "__qualname__", "").startswith("Autotuner.__init__.")


def unwrap(obj):
    """The @triton.jit function under any @triton.autotune and @triton.heuristics, the Autotuner (or None),
    and the heuristics as (constexpr name, function) pairs in the order Triton evaluates them (outermost
    decorator first); None for the function when obj is none of these."""
    from triton.runtime.autotuner import Autotuner, Heuristics
    from triton.runtime.jit import JITFunction
    autotuner, heuristics = None, []
    while isinstance(obj, (Autotuner, Heuristics)):
        if isinstance(obj, Autotuner):
            autotuner = autotuner or obj
        else:
            heuristics.extend(obj.values.items())
        obj = obj.fn
    return (obj if isinstance(obj, JITFunction) else None), autotuner, heuristics


def describe_kernel(obj, triton):
    jit, autotuner, heuristics = unwrap(obj)
    if jit is None:
        return None
    desc = _describe_jit(jit, triton)
    if heuristics:
        desc["heuristics"] = [name for name, _ in heuristics]
    if autotuner is not None:
        desc["autotune"] = _describe_autotune(autotuner)
    return desc


def _describe_autotune(obj):
    return {
        "key": list(obj.keys),
        "configs": [{
            "kwargs": dict(c.kwargs),
            "num_warps": c.num_warps,
            "num_stages": c.num_stages,
            "num_ctas": c.num_ctas,
            "maxnreg": c.maxnreg,
            "pre_hook": getattr(c, "pre_hook", None) is not None,
        } for c in obj.configs],
        "reset_to_zero": [str(name) for name in getattr(obj, "reset_to_zero", None) or []],
        "restore_value": [str(name) for name in getattr(obj, "restore_value", None) or []],
        "pre_hook": _users_hook(obj, "pre_hook"),
        "post_hook": _users_hook(obj, "post_hook"),
        # top_k alone prunes nothing: Triton reads it only with a perf_model.
        "early_config_prune": getattr(obj, "early_config_prune", None) is not None,
        "perf_model": getattr(obj, "perf_model", None) is not None,
    }


class _KnownAtLaunch(Exception):
    pass


class _BuildTimeArgs(dict):
    """What a heuristic sees at build time: the job's constexprs; an argument is known only at launch."""
    def __missing__(self, key):
        raise _KnownAtLaunch(key)


def apply_heuristics(heuristics, constexprs):
    """The job's constexprs with the values @triton.heuristics computes from them, for those the spec
    leaves out, in Triton's order (each sees those before it)."""
    values = dict(constexprs)
    for name, function in heuristics:
        if name in constexprs:
            continue  # the spec's value wins
        try:
            values[name] = function(_BuildTimeArgs(values))
        except _KnownAtLaunch as e:
            raise ValueError(
                f"@triton.heuristics computes '{name}' from '{e.args[0]}', which is known only at launch: give "
                f"'{name}' in the variants' constexprs, each variant with a guard that says when it holds (e.g. "
                f"{{\"constexprs\": {{\"{name}\": True}}, \"guard\": \"...\"}}); see \"Triton heuristics\" "
                f"in docs/kernel-spec.md") from None
    return values


def _not_plain_data(value):
    import triton.language as tl
    if isinstance(value, tl.dtype):  # a constexpr such as compute_type=tl.float32
        return {DTYPE_KEY: value.name}
    raise TypeError(f"{SPEC_NAME} must hold plain data (dict, list, str, int, float, bool) or Triton dtypes "
                    f"(tl.float16); found a value of type {type(value).__name__}: {value!r}")


def constexpr_values(constexprs):
    """A job's constexprs as Triton takes them: a Triton dtype travels as {DTYPE_KEY: name}."""
    import triton.language as tl
    return {name: tl.dtype(value[DTYPE_KEY]) if isinstance(value, dict) and DTYPE_KEY in value else value
            for name, value in constexprs.items()}
