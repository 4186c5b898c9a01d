#!/usr/bin/env python3
"""Checks the size limits of the code in driver/, runtime/ and cmake/modules/:
no source file over 400 lines and no function over 80 lines (tests and
generated code are elsewhere and not checked). Prints each breach as
file:line and exits 1 if there is any. See docs/testing.md."""
import os
import re
import sys

MAX_FILE_LINES = 400
MAX_FUNCTION_LINES = 80
FOLDERS = ("driver", "runtime", "cmake/modules")
CPP = (".h", ".cc", ".inc")


def strip_cpp(text):
    """The text with comments, string and character literals blanked (newlines kept)."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i)); i = j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j])); i = j
        elif text.startswith('R"', i):
            m = re.match(r'R"([^(]*)\(', text[i:])
            end = text.find(")" + m.group(1) + '"', i) if m else -1
            j = n if end < 0 else end + len(m.group(1)) + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j])); i = j
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            out.append(c + " " * (j - i - 1) + c); i = j + 1
        else:
            out.append(c); i += 1
    return "".join(out)


NOT_FUNCTIONS = re.compile(r"^\s*(namespace|class|struct|union|enum|extern)\b|=\s*$|^\s*(if|for|while|switch)\b")


def cpp_functions(text):
    """(name line, length) of every function body not inside another one."""
    code = strip_cpp(text)
    stack, head_start, found = [], 0, []
    line_of = lambda pos: code.count("\n", 0, pos) + 1
    for pos, c in enumerate(code):
        if c == "{":
            head = code[head_start:pos]
            inside_function = any(kind == "function" for kind, _ in stack)
            is_function = (not inside_function and ")" in head and not NOT_FUNCTIONS.search(head.strip())
                           and not re.search(r"\b(namespace|class|struct|enum)\b[^)]*$", head))
            stack.append(("function" if is_function else "block", pos))
            head_start = pos + 1
        elif c == "}":
            if stack:
                kind, start = stack.pop()
                if kind == "function":
                    found.append((line_of(start), line_of(pos) - line_of(start) + 1))
            head_start = pos + 1
        elif c == ";":
            head_start = pos + 1
    return found


def python_functions(lines):
    found = []
    for i, line in enumerate(lines):
        m = re.match(r"^(\s*)(async\s+)?def\s", line)
        if not m:
            continue
        indent, end = len(m.group(1)), i + 1
        for j in range(i + 1, len(lines)):
            stripped = lines[j].strip()
            if stripped and len(lines[j]) - len(lines[j].lstrip()) <= indent:
                break
            if stripped:
                end = j + 1
        found.append((i + 1, end - i))
    return found


def cmake_functions(lines):
    found, start = [], None
    for i, line in enumerate(lines):
        if re.match(r"^\s*(function|macro)\s*\(", line, re.I):
            start = i
        elif start is not None and re.match(r"^\s*end(function|macro)\s*\(", line, re.I):
            found.append((start + 1, i - start + 1))
            start = None
    return found


def check(root):
    breaches = []
    for folder in FOLDERS:
        for dirpath, _, files in os.walk(os.path.join(root, folder)):
            for name in sorted(files):
                path = os.path.join(dirpath, name)
                rel = os.path.relpath(path, root)
                if not name.endswith(CPP + (".py", ".cmake")):
                    continue
                with open(path, encoding="utf-8") as f:
                    text = f.read()
                lines = text.splitlines()
                if len(lines) > MAX_FILE_LINES:
                    breaches.append(f"{rel}:1: {len(lines)} lines; a file has at most {MAX_FILE_LINES}")
                if name.endswith(CPP):
                    functions = cpp_functions(text)
                elif name.endswith(".py"):
                    functions = python_functions(lines)
                else:
                    functions = cmake_functions(lines)
                for line, length in functions:
                    if length > MAX_FUNCTION_LINES:
                        breaches.append(f"{rel}:{line}: a function of {length} lines; at most {MAX_FUNCTION_LINES}")
    return breaches


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    breaches = check(root)
    for breach in breaches:
        print(breach)
    if breaches:
        print(f"check_sizes: {len(breaches)} breaches: split them into parts of one concept each", file=sys.stderr)
        return 1
    print("check_sizes: every file and function within its limit")
    return 0


if __name__ == "__main__":
    sys.exit(main())
