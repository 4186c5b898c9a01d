"""Runs Triton 3.6.0's `triton.tools.compile` (or `triton.tools.link`) unchanged, with two workarounds.

    python tools_shim.py compile <compile.py arguments, including --target cuda:ARCH:32>
    python tools_shim.py link <link.py arguments>

1. `--target cuda:80:32` is broken in 3.6.0: compile.py builds GPUTarget(*"cuda:80:32".split(":")), so the
   arch is the string "80", and the CUDA backend's `arch >= 100` raises TypeError.
2. compile.py calls JITFunction.create_binder() and driver.active.map_python_to_cpp_type(); Triton's CUDA
   driver counts as active only when torch is importable and sees a GPU, so without one compile.py stops
   with "0 active drivers".

The shim takes --target off the command line and sets a stand-in driver whose current target is that target
(arch and warp size as ints) and whose map_python_to_cpp_type is Triton's own ty_to_cpp. compile.py then
takes its "no --target: use the current target" path. Everything else (loading the file, parsing the
signature, triton.compile, the generated C) is Triton's code. Cost: the import of this file, nothing else.
"""
import runpy
import sys


def _take_target(argv):
    """Removes --target/-t from argv and returns its value (default cuda:80:32)."""
    target = "cuda:80:32"
    out = []
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg in ("--target", "-t") and i + 1 < len(argv):
            target = argv[i + 1]
            i += 2
            continue
        if arg.startswith("--target="):
            target = arg.split("=", 1)[1]
        else:
            out.append(arg)
        i += 1
    return target, out


def main():
    tool = sys.argv[1]
    argv = sys.argv[2:]
    if tool == "compile":
        from triton.backends.compiler import GPUTarget
        from triton.backends.nvidia.driver import ty_to_cpp
        from triton.runtime.driver import driver

        target, argv = _take_target(argv)
        backend, arch, warp_size = target.split(":")
        current = GPUTarget(backend, int(arch) if arch.isdigit() else arch, int(warp_size))

        class StandInDriver:
            def get_current_target(self):
                return current

            def map_python_to_cpp_type(self, ty):
                return ty_to_cpp(ty)

        driver.set_active(StandInDriver())
    elif tool != "link":
        sys.exit(f"tools_shim.py: unknown tool {tool!r} (compile or link)")
    sys.argv = [f"triton.tools.{tool}"] + argv
    runpy.run_module(f"triton.tools.{tool}", run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
