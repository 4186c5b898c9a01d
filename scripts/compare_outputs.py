#!/usr/bin/env python3
"""Compares the outputs of two builds (or two copies of their output folders):
every fatbin and metadata .json under OLD must have the same bytes under NEW.
A fatbin that differs is taken apart into its cubins (by architecture) and
PTX, to say which part differs: ptxas for sm_100a is known not to give the
same cubin for the same PTX every time (docs/reliability.md), and a change
confined to such a cubin, with the PTX and every other cubin identical, is
reported as that. Exits 1 if anything else differs or is missing.

  scripts/compare_outputs.py OLD_DIR NEW_DIR [--sources]   (--sources: .h and .cpp too)
"""
import os
import re
import struct
import sys


def parts(fatbin):
    """{'sm_80': bytes, ..., 'ptx': bytes}: each ELF found in the fatbin by its
    header, named by the architecture in its flags; the rest as one part."""
    found, rest, position = {}, b"", 0
    for match in re.finditer(rb"\x7fELF", fatbin):
        start = match.start()
        if start < position:
            continue  # inside the ELF before
        # A 64-bit ELF ends with its section headers (or program headers).
        phoff, shoff = struct.unpack_from("<QQ", fatbin, start + 0x20)
        flags, _, phentsize, phnum, shentsize, shnum = struct.unpack_from("<IHHHHH", fatbin, start + 0x30)
        end = start + max(shoff + shentsize * shnum, phoff + phentsize * phnum)
        arch = (flags >> 8) & 0xFF if flags >> 24 else flags & 0xFF
        found[f"cubin sm_{arch}"] = fatbin[start:end]
        rest += fatbin[position:start]
        position = end
    found["the rest (PTX, headers)"] = rest + fatbin[position:]
    return found


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    if len(args) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    old_dir, new_dir = args
    suffixes = (".fatbin", ".json") + ((".h", ".cpp") if "--sources" in sys.argv else ())
    compared = same = known = 0
    failed = False
    for root, _, files in os.walk(old_dir):
        for name in sorted(f for f in files if f.endswith(suffixes)):
            rel = os.path.relpath(os.path.join(root, name), old_dir)
            compared += 1
            new_path = os.path.join(new_dir, rel)
            if not os.path.exists(new_path):
                print(f"MISSING {rel}")
                failed = True
                continue
            old, new = open(os.path.join(root, name), "rb").read(), open(new_path, "rb").read()
            if old == new:
                same += 1
                continue
            if name.endswith(".fatbin") and len(old) == len(new):
                a, b = parts(old), parts(new)
                differing = [p for p in a if a[p] != b.get(p)]
                if differing and all(p == "cubin sm_100" for p in differing):
                    print(f"ptxas sm_100a only: {rel} (its PTX and other cubins identical)")
                    known += 1
                    continue
                print(f"DIFFERS {rel}: {', '.join(differing)}")
            else:
                print(f"DIFFERS {rel}")
            failed = True
    print(f"compare_outputs: {compared} files, {same} identical, {known} differing only in an sm_100a cubin, "
          f"{compared - same - known} otherwise different or missing")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
