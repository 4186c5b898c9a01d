"""The build-time target: while a kernel module loads, Triton's active driver answers as the GPU being compiled
for, not as whatever GPU (or none) the build machine has.

Kernel libraries ask at import: `triton.runtime.driver.active.get_current_target()` to pick autotune configs,
`...utils.get_device_properties(device)["multiprocessor_count"]` to size persistent grids. On a build machine
without a GPU those fail ("0 active drivers"), and on one with a GPU they would describe that GPU, so the same
sources would give other kernels on another machine. Here they describe the edge's arch: the properties of a
representative part of that arch (ARCH_PROPERTIES), which a module overrides with TRITON_AOT_ARCH_PROPERTIES,
e.g. {90: {"multiprocessor_count": 114}} for an H100 PCIe. torch.cuda's device queries (is_available,
get_device_capability, get_device_properties, ...) answer the same way once torch is imported. The driver
records that it was asked, so that the edge loads such a module once per arch.
"""

import sys

SPEC_PROPERTIES = "TRITON_AOT_ARCH_PROPERTIES"

# What Triton's CUDA driver reports (cuDeviceGetAttribute: shared memory per block with opt-in, registers per
# block, SMs, warp size, clocks in kHz, memory bus width in bits), for one representative part of each arch. An
# arch not listed takes the nearest lower one's. Each max_shared_mem is the limit the build checks configs
# against (MaxSharedMemoryPerBlock in arch.cc; arch_test.cc holds them to it).
ARCH_PROPERTIES = {
    75: {"name": "Tesla T4", "max_shared_mem": 65536, "max_num_regs": 65536, "multiprocessor_count": 40,
         "warpSize": 32, "sm_clock_rate": 1590000, "mem_clock_rate": 5001000, "mem_bus_width": 256},
    80: {"name": "A100-SXM4-80GB", "max_shared_mem": 166912, "max_num_regs": 65536, "multiprocessor_count": 108,
         "warpSize": 32, "sm_clock_rate": 1410000, "mem_clock_rate": 1593000, "mem_bus_width": 5120},
    86: {"name": "RTX A6000", "max_shared_mem": 101376, "max_num_regs": 65536, "multiprocessor_count": 84,
         "warpSize": 32, "sm_clock_rate": 1800000, "mem_clock_rate": 8001000, "mem_bus_width": 384},
    87: {"name": "Jetson AGX Orin 64GB", "max_shared_mem": 166912, "max_num_regs": 65536, "multiprocessor_count": 16,
         "warpSize": 32, "sm_clock_rate": 1300000, "mem_clock_rate": 3200000, "mem_bus_width": 256},
    89: {"name": "L40S", "max_shared_mem": 101376, "max_num_regs": 65536, "multiprocessor_count": 142,
         "warpSize": 32, "sm_clock_rate": 2520000, "mem_clock_rate": 9001000, "mem_bus_width": 384},
    90: {"name": "H100-SXM5-80GB", "max_shared_mem": 232448, "max_num_regs": 65536, "multiprocessor_count": 132,
         "warpSize": 32, "sm_clock_rate": 1980000, "mem_clock_rate": 2619000, "mem_bus_width": 5120},
    100: {"name": "B200", "max_shared_mem": 232448, "max_num_regs": 65536, "multiprocessor_count": 148,
          "warpSize": 32, "sm_clock_rate": 1965000, "mem_clock_rate": 4000000, "mem_bus_width": 8192},
    120: {"name": "RTX 5090", "max_shared_mem": 101376, "max_num_regs": 65536, "multiprocessor_count": 170,
          "warpSize": 32, "sm_clock_rate": 2407000, "mem_clock_rate": 14001000, "mem_bus_width": 512},
}


def _part(capability):
    """The table's row for `capability`: its own, else the nearest lower arch's (the lowest's below them all)."""
    known = [c for c in ARCH_PROPERTIES if c <= capability] or [min(ARCH_PROPERTIES)]
    return ARCH_PROPERTIES[max(known)]


def properties(capability, overrides=None):
    """The device properties of `capability` (the table's, then the module's overrides for it), as Triton's
    get_device_properties gives them (without the part's name)."""
    result = {k: v for k, v in _part(capability).items() if k != "name"}
    for key, value in ((overrides or {}).get(capability) or {}).items():
        result[key] = value
    return result


class _Utils:

    def __init__(self, target):
        self._target = target

    def get_device_properties(self, device=0):
        self._target.asked = True
        return properties(self._target.capability, self._target.overrides())


class BuildTimeDriver:
    """Answers what kernel modules ask Triton's active driver at import, as the GPU of `capability`.
    `module_globals` is the namespace of the module being loaded, read for TRITON_AOT_ARCH_PROPERTIES when asked
    (so that a spec file defines it before importing the library that asks)."""

    def __init__(self, capability, module_globals):
        self.capability = capability
        self.asked = False
        self._globals = module_globals
        self.utils = _Utils(self)

    def overrides(self):
        return self._globals.get(SPEC_PROPERTIES) or {}

    @staticmethod
    def is_active():
        return True

    def get_current_target(self):
        from triton.backends.compiler import GPUTarget
        self.asked = True
        return GPUTarget("cuda", self.capability, 32)

    def get_device_capability(self, device=0):
        self.asked = True
        return divmod(self.capability, 10)

    def get_current_device(self):
        return 0

    def set_current_device(self, device):
        pass

    def get_current_stream(self, device=None):
        return 0

    def map_python_to_cpp_type(self, ty):
        from triton.backends.nvidia.driver import ty_to_cpp
        return ty_to_cpp(ty)

    def _no_gpu(self, what):
        raise RuntimeError(f"{what} needs a GPU, and kernels are built without one: while a module loads, Triton's "
                           f"driver answers only for the target (sm_{self.capability}): get_current_target() and "
                           f"utils.get_device_properties()")

    def get_active_torch_device(self):
        self._no_gpu("get_active_torch_device()")

    def get_device_interface(self):
        self._no_gpu("get_device_interface()")

    def get_benchmarker(self):
        self._no_gpu("benchmarking")

    def get_empty_cache_for_benchmark(self):
        self._no_gpu("benchmarking")


class _TorchDeviceProperties:
    """What torch.cuda.get_device_properties gives, for the fields kernel libraries read at import."""

    def __init__(self, capability, props):
        self.name = _part(capability)["name"]
        self.major, self.minor = divmod(capability, 10)
        self.multi_processor_count = props["multiprocessor_count"]
        self.warp_size = props["warpSize"]
        self.regs_per_multiprocessor = props["max_num_regs"]
        self.shared_memory_per_block_optin = props["max_shared_mem"]
        self.clock_rate = props["sm_clock_rate"]


def _answer_in_torch(torch, target):
    """torch.cuda's device queries answer as the target too (the edge's Python sees no GPU)."""
    cuda = torch.cuda

    def asked(answer):
        def query(*args, **kwargs):
            target.asked = True
            return answer()
        return query

    cuda.is_available = lambda: True
    cuda.device_count = lambda: 1
    cuda.current_device = lambda: 0
    cuda.get_device_capability = asked(lambda: divmod(target.capability, 10))
    cuda.get_device_properties = asked(
        lambda: _TorchDeviceProperties(target.capability, properties(target.capability, target.overrides())))
    cuda.get_device_name = asked(lambda: _part(target.capability)["name"])


class _OnTorchImport:
    """A finder that answers torch's device queries as the target once torch is imported: a module that
    imports torch pays for it, others do not."""

    def __init__(self, target):
        self.target = target

    def find_spec(self, name, path=None, target=None):
        if name != "torch":
            return None
        import importlib.util
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec("torch")
        if spec is None or spec.loader is None:
            return spec
        run = spec.loader.exec_module

        def exec_module(module):
            run(module)
            _answer_in_torch(module, self.target)
        spec.loader.exec_module = exec_module
        return spec


def activate(capability, module_globals):
    """Makes a BuildTimeDriver for `capability` Triton's active driver (and torch's, when torch is imported)
    and returns it."""
    from triton.runtime import driver
    target = BuildTimeDriver(capability, module_globals)
    driver.set_active(target)
    if "torch" in sys.modules:
        _answer_in_torch(sys.modules["torch"], target)
    else:
        sys.meta_path.insert(0, _OnTorchImport(target))
    return target
