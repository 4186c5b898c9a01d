"""@triton.autotune(prune_configs_by={"early_config_prune": f}) at build time. Triton's autotuner calls
f(configs, named_args, **kwargs) before it times the configs, on the device it runs on, and times only those f
returns. Here f runs once per kernel, arch and variant of the build, and the configs it keeps are those built for
that arch; the others are left out of it, as a config too large for the arch is (config_fit.h).

f sees what a build knows: Triton's driver and torch.cuda answer as the arch (triton_aot_target.py); a pointer
argument is a stand-in tensor with the signature's dtype (its dtype and element_size()); a constexpr is its value.
An integer argument is known only at launch: a pruner that reads one fails with a message that says how to choose
the configs instead."""

import inspect
import sys

# Triton's names of element types, and torch's, for a module that imported torch (its pruner compares with
# torch.float16).
_TORCH_DTYPES = {
    "fp16": "float16", "bf16": "bfloat16", "fp32": "float32", "fp64": "float64", "i1": "bool", "i8": "int8",
    "i16": "int16", "i32": "int32", "i64": "int64", "u8": "uint8", "u16": "uint16", "u32": "uint32",
    "u64": "uint64", "fp8e4nv": "float8_e4m3fn", "fp8e5": "float8_e5m2",
}


class KnownAtLaunch(Exception):
    """What the pruner read is known only at launch (args[0] names it)."""


class PrunerFailed(Exception):
    """args: (message, file, line) for the compile's error."""


def _triton_dtype(type_name):
    """Triton's dtype for a signature's element type: "i32" is tl.int32, "u8" tl.uint8, "fp16" tl.float16."""
    import triton.language as tl
    for short, long in (("i", "int"), ("u", "uint")):
        if type_name[:1] == short and type_name[1:].isdigit():
            return tl.dtype(long + type_name[1:])
    return tl.dtype(type_name)


class BuildTimeTensor:
    """A pointer argument as a pruner sees it at build time: the dtype of the signature, not a buffer."""

    def __init__(self, name, type_name):
        self._name = name
        self._triton_dtype = _triton_dtype(type_name)
        torch = sys.modules.get("torch")
        torch_name = _TORCH_DTYPES.get(type_name)
        self.dtype = getattr(torch, torch_name) if torch is not None and torch_name else self._triton_dtype

    def element_size(self):
        return max(1, self._triton_dtype.primitive_bitwidth // 8)

    @property
    def itemsize(self):
        return self.element_size()

    def __getattr__(self, attr):
        if attr.startswith("__"):
            raise AttributeError(attr)
        raise KnownAtLaunch(f"{self._name}.{attr}")


class BuildTimeArgs(dict):
    """named_args at build time: the values a build knows; reading an integer argument is KnownAtLaunch."""

    def __init__(self, known, at_launch):
        super().__init__(known)
        self._at_launch = at_launch

    def __missing__(self, key):
        if key in self._at_launch:
            raise KnownAtLaunch(key)
        raise KeyError(key)

    def get(self, key, default=None):
        if key in self._at_launch:
            raise KnownAtLaunch(key)
        return super().get(key, default)

    def __contains__(self, key):
        return key in self._at_launch or super().__contains__(key)


def _named_args(jit, job, constexprs, tuned):
    """What Triton's autotuner passes as named_args, as a build knows it; the configs' own constexprs are not
    arguments of the call."""
    known, at_launch = {}, set()
    for name in jit.arg_names:
        kind = job["signature"].get(name)
        if name in tuned or kind is None:
            continue
        if kind == "constexpr":
            if name in constexprs:
                known[name] = constexprs[name]
        elif kind.startswith("*"):
            known[name] = BuildTimeTensor(name, kind[1:])
        else:
            at_launch.add(name)
    return BuildTimeArgs(known, at_launch)


def _fields(config):
    """What of a config the build compiles, as it was described at load."""
    return (dict(config.kwargs), config.num_warps, config.num_stages, config.num_ctas, config.maxnreg)


def _index_of(config, configs):
    for i, c in enumerate(configs):
        if c is config:
            return i
    return next((i for i, c in enumerate(configs) if _fields(c) == _fields(config)), None)


def _where(e, pruner):
    """The pruner's line that failed, else its definition."""
    code = pruner.__code__
    line = code.co_firstlineno
    tb = e.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == code.co_filename:
            line = tb.tb_lineno
        tb = tb.tb_next
    return code.co_filename, line


class BuildTimePruner:
    """Runs each kernel's early_config_prune once per arch and variant, and remembers what it kept."""

    def __init__(self, target):
        self._target = target
        self._kept = {}

    def keeps(self, autotuner, jit, job, constexprs):
        """Whether the pruner keeps config job["prune_config"] for the job's arch; PrunerFailed if it fails."""
        config = autotuner.configs[job["prune_config"]]
        tuned = set(config.kwargs)
        rest = {k: v for k, v in constexprs.items() if k not in tuned}
        memo = (job["kernel"], job["arch"], repr(sorted(job["signature"].items())), repr(sorted(rest.items())))
        if memo not in self._kept:
            try:
                self._kept[memo] = self._run(autotuner, jit, job, rest, tuned)
            except PrunerFailed as e:
                self._kept[memo] = e
        kept = self._kept[memo]
        if isinstance(kept, PrunerFailed):
            raise kept
        return job["prune_config"] in kept

    def _run(self, autotuner, jit, job, constexprs, tuned):
        pruner = autotuner.early_config_prune
        named_args = _named_args(jit, job, constexprs, tuned)
        takes_kwargs = any(p.kind == p.VAR_KEYWORD for p in inspect.signature(pruner).parameters.values())
        saved, self._target.capability = self._target.capability, job["arch"]
        sm = f"sm_{job['arch']}"
        described = [_fields(c) for c in autotuner.configs]
        try:
            kept = pruner(autotuner.configs, named_args, **(constexprs if takes_kwargs else {}))
        except KnownAtLaunch as e:
            raise PrunerFailed(
                f"its @triton.autotune early_config_prune reads '{e.args[0]}', which is known only at launch, while "
                f"the build runs it to choose each arch's configs: choose them in the entry with "
                f"\"configs\": [<indices>] (the pruner is then not run), or make the pruner read only dtypes, "
                f"constexprs and the device's properties", *_where(e, pruner)) from None
        except Exception as e:  # noqa: BLE001 - the user's code: say where it failed
            raise PrunerFailed(f"its @triton.autotune early_config_prune failed for {sm}: {type(e).__name__}: {e}",
                               *_where(e, pruner)) from None
        finally:
            self._target.capability = saved
        self._unchanged(described, autotuner.configs, pruner)
        return self._indices(kept, autotuner.configs, pruner, sm)

    @staticmethod
    def _unchanged(described, configs, pruner):
        """A pruner that edits the configs it is given would make Triton's JIT run other kernels than the
        build compiled (from the configs as the module loaded them): an error, not a silent difference."""
        for index, (before, config) in enumerate(zip(described, configs)):
            if before != _fields(config):
                raise PrunerFailed(f"its @triton.autotune early_config_prune changed config {index} ({config}) while "
                                   f"choosing: the build compiles the configs as the module defines them, so return "
                                   f"some of them unchanged, and list the changed ones in configs=[...] instead",
                                   pruner.__code__.co_filename, pruner.__code__.co_firstlineno)

    @staticmethod
    def _indices(kept, configs, pruner, sm):
        where = (pruner.__code__.co_filename, pruner.__code__.co_firstlineno)
        if not kept:
            raise PrunerFailed(f"its @triton.autotune early_config_prune kept none of its {len(configs)} configs for "
                               f"{sm}, and Triton's autotuner needs at least one: make it keep one there, or leave "
                               f"{sm} out of ARCHITECTURES", *where)
        indices = set()
        for config in kept:
            index = _index_of(config, configs)
            if index is None:
                raise PrunerFailed(f"its @triton.autotune early_config_prune returned a config that is not one of "
                                   f"its configs ({config}): a build compiles the listed configs, so return some of "
                                   f"those it is given", *where)
            indices.add(index)
        return indices
