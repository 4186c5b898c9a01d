"""What a kernel module was made of: the bytes of every file it ran, and the installed distributions it used.

A file of the user's is read once: Python compiles it from those bytes (never from a .pyc, whose timestamp
check can miss an edit), linecache holds the same bytes for @triton.jit to read its source from, and their
SHA-256 is what the driver keys and checks. A file of an installed distribution is known by the
distribution's name and version instead, and by its metadata file, which an upgrade rewrites.
"""

import functools
import hashlib
import importlib.machinery
import importlib.metadata
import importlib.util
import linecache
import os
import sys
import sysconfig

# The SHA-256 of each of the user's files compiled since the last reset, by real path.
_compiled = {}


def source_bytes(path, data):
    """Records `data` as the bytes of `path` that run, and makes linecache answer with them."""
    real = os.path.realpath(path)
    _compiled[real] = hashlib.sha256(data).hexdigest()
    try:
        lines = importlib.util.decode_source(data).splitlines(True)
    except (SyntaxError, UnicodeDecodeError):
        return _compiled[real]  # compile() reports it, at its line
    # No mtime: linecache.checkcache keeps the entry even if the file changes on disk now.
    linecache.cache[path] = (len(data), None, lines, path)
    return _compiled[real]


@functools.lru_cache(maxsize=None)
def _python_roots():
    """Python's own library, part of the interpreter's identity."""
    paths = sysconfig.get_paths()
    return tuple(sorted({os.path.realpath(paths[k]) for k in ("stdlib", "platstdlib") if k in paths}))


@functools.lru_cache(maxsize=None)
def _holds_distributions(folder):
    """Whether pip (or another installer) installed into `folder`: site-packages, `pip install --target`."""
    try:
        return any(name.endswith((".dist-info", ".egg-info")) for name in os.listdir(folder))
    except OSError:
        return False


def _install_folder(real):
    """The folder of sys.path that installed distributions live in and that holds `real`, or None."""
    folders = [os.path.realpath(p or os.curdir) for p in sys.path]
    found = [f for f in folders if _under(real, f) and real != f and _holds_distributions(f)]
    return max(found, key=len) if found else None


def _installed(real):
    return _install_folder(real) is not None or any(_under(real, root) for root in _python_roots())


def _under(path, root):
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


class _ExactSourceLoader(importlib.machinery.SourceFileLoader):
    """Compiles the user's files from the bytes it reads; installed packages load as usual (their .pyc)."""

    def get_code(self, fullname):
        path = self.get_filename(fullname)
        real = os.path.realpath(path)
        if _installed(real):
            return super().get_code(fullname)
        data = self.get_data(path)
        source_bytes(path, data)
        return compile(data, path, "exec", dont_inherit=True)


def install_exact_loader():
    """From now on, the user's Python files are imported through _ExactSourceLoader."""
    if getattr(sys, "_triton_aot_exact_loader", False):
        _compiled.clear()
        return
    loaders = [(importlib.machinery.ExtensionFileLoader, importlib.machinery.EXTENSION_SUFFIXES),
               (_ExactSourceLoader, importlib.machinery.SOURCE_SUFFIXES),
               (importlib.machinery.SourcelessFileLoader, importlib.machinery.BYTECODE_SUFFIXES)]
    hook = importlib.machinery.FileFinder.path_hook(*loaders)
    sys.path_hooks[:] = [h for h in sys.path_hooks if "FileFinder" not in getattr(h, "__qualname__", "")] + [hook]
    sys.path_importer_cache.clear()
    sys._triton_aot_exact_loader = True
    _compiled.clear()


def _file_sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def _metadata_file(dist):
    """The METADATA (or PKG-INFO) file of an installed distribution. From its .dist-info folder when it has
    one: dist.files would stat every file the distribution installed (torch and its CUDA libraries: tens of
    thousands)."""
    folder = getattr(dist, "_path", None)
    for name in ("METADATA", "PKG-INFO"):
        if folder is not None and os.path.isfile(os.path.join(str(folder), name)):
            return os.path.join(str(folder), name)
    metadata = [f for f in (dist.files or []) if f.name in ("METADATA", "PKG-INFO")
                and f.parent.name.endswith((".dist-info", ".egg-info"))]
    return str(dist.locate_file(metadata[0])) if metadata else folder


def _distribution_of(module, folder, owners, found):
    """(name, version, metadata file) of the distribution installed in `folder` that holds `module`'s file;
    `found` remembers each top-level package's answer (a package's modules all have the same)."""
    top = module.__name__.split(".")[0]
    if (top, folder) in found:
        return found[(top, folder)]
    answer = None
    for name in owners.get(top, []):
        try:
            dist = importlib.metadata.distribution(name)
        except importlib.metadata.PackageNotFoundError:
            continue
        if os.path.realpath(str(dist.locate_file(""))) != folder:
            continue  # another installation of it, elsewhere on the path
        where = _metadata_file(dist)
        if where:
            answer = (dist.metadata["Name"] or name, dist.version, os.path.realpath(str(where)))
            break
    found[(top, folder)] = answer
    return answer


def what_was_imported(modules):
    """The user's files among `modules`' (path, SHA-256 of the bytes that ran) and the installed distributions
    they come from. A file that no distribution owns counts as the user's, even inside site-packages."""
    files, distributions, owners, found = {}, {}, None, {}
    for module in modules:
        path = getattr(module, "__file__", None)
        if not path:
            continue
        real = os.path.realpath(path)
        folder = _install_folder(real)
        if folder is not None:
            owners = importlib.metadata.packages_distributions() if owners is None else owners
            owner = _distribution_of(module, folder, owners, found)
            if owner is not None:
                distributions[owner[0]] = owner
                continue
        elif any(_under(real, r) for r in _python_roots()):
            continue
        if os.path.isfile(real):
            files[real] = _compiled.get(real) or _file_sha256(real)
    return ([{"path": p, "sha256": h} for p, h in sorted(files.items())],
            [{"name": n, "version": v, "metadata": m} for n, v, m in sorted(distributions.values())])
