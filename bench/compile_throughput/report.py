#!/usr/bin/env python3
"""The table, the goals and the doc section of a compile-throughput run (run.sh calls it last).

    report.py OUT [--write-doc FILE]

Reads what run.sh left under OUT: measurements.tsv (one "key<TAB>value" a line: times, versions, the
machine), suite/suite.json, floor.json, timing/<row>.jsonl (the records each of our builds appended to its
build tree's triton_aot_timing.jsonl), generated-a/ and build-ours/triton_aot/ (the generated files of rows
(a) and (b)). Prints the table and the goals; writes OUT/table.txt, goals.txt, table.md and results.json.
With --write-doc FILE, replaces the "## Compile throughput" section of FILE (up to the next "## " heading,
or the end) with this run's.

Triton compiles per row, from the timing log: records with "cache": "miss", plus records without "cache"
but with "compiler" (the driver writes no "cache" when the cache is off, and then every record is a
compile). Records with neither field come from a driver older than the cache: "n/a".
"""
import argparse
import filecmp
import json
import os
import re
import sys
import textwrap
from pathlib import Path

ROWS = ["a", "b", "c", "d", "d2", "e", "f", "g"]
NA = "n/a"


def read_measurements(out):
    m = {}
    for line in (out / "measurements.tsv").read_text().splitlines():
        key, _, value = line.partition("\t")
        m[key] = value
    return m


def timing_stats(path, module):
    """What one build's timing-log records say: compiles, cache hits, compiler, the module's compile time."""
    records = []
    if path.exists():
        for line in path.read_text().splitlines():
            try:
                r = json.loads(line)
            except ValueError:
                continue
            if isinstance(r, dict):
                records.append(r)
    stats = {"records": len(records), "compiles": 0, "hits": 0, "compiler": "-", "module_s": None}
    if not records:
        return stats
    if any("cache" not in r and "compiler" not in r for r in records):
        stats["compiles"] = stats["hits"] = None  # an older driver: no way to tell
    else:
        stats["compiles"] = sum(1 for r in records if r.get("cache", "miss") == "miss")
        stats["hits"] = sum(1 for r in records if r.get("cache") == "hit")
    compilers = {r.get("compiler") for r in records}
    if None in compilers or "" in compilers:
        stats["compiler"] = NA
    else:
        stats["compiler"] = compilers.pop() if len(compilers) == 1 else "mixed"
    own = [r for r in records if r.get("module") == module]
    if own:
        stats["module_s"] = sum(r.get("compile_us", 0) for r in own) / 1e6
    return stats


def compare_trees(a, b):
    """Files of a and b (relative paths): (number compared, [paths that differ or are in one only])."""
    def files(root):
        return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()} if root.is_dir() else set()
    fa, fb = files(a), files(b)
    differ = sorted(fa ^ fb)
    for rel in sorted(fa & fb):
        if not filecmp.cmp(a / rel, b / rel, shallow=False):
            differ.append(rel)
    return len(fa | fb), differ


def fmt_count(n):
    return NA if n is None else str(n)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path)
    parser.add_argument("--write-doc", type=Path)
    args = parser.parse_args()
    out = args.out.resolve()
    m = read_measurements(out)
    suite = json.loads((out / "suite" / "suite.json").read_text())
    floor_run = json.loads((out / "floor.json").read_text())

    jobs = int(m["jobs"])
    touched = m["touched"]
    n_modules = len(suite["modules"])
    n_variants = len({(j["module"], j["kernel"], j["variant"]) for j in suite["jobs"]})
    n_compiles = len(suite["jobs"])
    archs = ("arch " if len(suite["archs"]) == 1 else "archs ") + ", ".join(map(str, suite["archs"]))
    kinds = {}
    for name in suite["modules"]:
        kinds[suite["kinds"][name]] = kinds.get(suite["kinds"][name], 0) + 1

    floor = floor_run["compile_s"] / jobs + floor_run["startup_s"]
    secs = {row: float(m[f"seconds.{row}"]) for row in ROWS if f"seconds.{row}" in m}
    secs["g"] = floor
    stats = {row: timing_stats(out / "timing" / f"{row}.jsonl", touched) for row in ["a", "b", "c", "d", "d2", "e"]}
    stats["f"] = {"compiles": n_compiles, "compiler": "a process each"}
    stats["g"] = {"compiles": n_compiles, "compiler": "one process"}
    files_compared, differ = compare_trees(out / "generated-a", out / "build-ours" / "triton_aot")
    identical = files_compared > 0 and not differ
    module_s = stats["d2"]["module_s"]  # the edited module's compile time, all its variants and archs

    labels = {
        "a": "(a) cold build (ours; empty cache, no service running)",
        "b": "(b) rebuild after rm -rf build (ours; warm cache)",
        "c": "(c) no-op build (ours)",
        "d": f"(d) touch {touched}.py, rebuild (ours; edges run: {m.get('d_edges', '?')})",
        "d2": f"(d2) edit {touched}.py (a comment line added), rebuild (ours)",
        "e": "(e) ours, service and cache off (cold)",
        "f": "(f) triton.tools.compile + link, a process per variant",
        "g": f"(g) floor: 1 warm process, serial / {jobs} + startup",
    }
    table_rows = [(labels[r], secs[r], secs[r] / floor, fmt_count(stats[r]["compiles"]), stats[r]["compiler"])
                  for r in ROWS]

    # The goals: (text, status, measured).
    def goal(text, ok, measured):
        status = NA if ok is None else ("met" if ok else "NOT met")
        return {"goal": text, "status": status, "measured": measured}

    a, b, c, d, d2, f = (secs[r] for r in ["a", "b", "c", "d", "d2", "f"])
    b_compiles = stats["b"]["compiles"]
    if module_s is None:
        d_goals = [goal(f"(d2) edit one module <= its compile time + 0.3 s", None,
                        f"{d2:.2f} s; the timing log has no record of {touched}'s compiles"),
                   goal(f"(d) touch one module <= its compile time + 0.3 s", None, f"{d:.2f} s")]
    else:
        d_goals = [goal(f"(d2) edit one module <= its compile time {module_s:.2f} s + 0.3 s", d2 <= module_s + 0.3,
                        f"{d2:.2f} s ({d2 - module_s:+.2f} s over its compile time)"),
                   goal(f"(d) touch one module <= its compile time {module_s:.2f} s + 0.3 s", d <= module_s + 0.3,
                        f"{d:.2f} s")]
    goals = [
        goal("(a) <= 1.3x floor", a <= 1.3 * floor, f"{a / floor:.2f}x ({a:.2f} s, floor {floor:.2f} s)"),
        goal("(a) >= 3x faster than (f)", f >= 3 * a, f"{f / a:.2f}x ((f) {f:.2f} s)"),
        goal("(b) <= 10% of (a)", b <= 0.1 * a, f"{100 * b / a:.0f}% ({b:.2f} s)"),
        goal("(b) runs no Triton compile", None if b_compiles is None else b_compiles == 0,
             "unknown: the timing log has no cache field" if b_compiles is None else f"{b_compiles} compiles"),
        goal("(c) <= 50 ms", c <= 0.050, f"{1000 * c:.0f} ms"),
        *d_goals,
    ]

    notes = [
        f"floor = {floor_run['compile_s']:.2f} s serial compile of {n_compiles} compiles / {jobs} + "
        f"{floor_run['startup_s']:.2f} s startup (import triton + warm-up compile); in it {touched} took "
        f"{floor_run['per_module_s'].get(touched, 0.0):.2f} s.",
        "compiles run: Triton compiles each row ran (ours: from the build's timing log; (f), (g): every compile, "
        "from a fresh Triton cache). compiler: what compiled ours (service: the warm per-build-tree service; "
        "process: a Python started by the edge).",
        "(a) and (b) outputs: " + (f"byte-identical ({files_compared} generated files)." if identical else
                                   f"DIFFER: {len(differ)} of {files_compared} generated files ({', '.join(differ[:5])}"
                                   + (", ..." if len(differ) > 5 else "") + ")."),
        *([f"WARNING: (a), the cold build, ran {stats['a']['compiles']} Triton compiles; the suite has {n_compiles}."]
          if stats["a"]["compiles"] not in (None, n_compiles) else []),
        "Configure (not timed in the rows): " + ", ".join(
            f"{r} {float(m['seconds.configure_' + r]):.2f} s" for r in ["a", "b", "e", "f"]
            if "seconds.configure_" + r in m) + ".",
    ]

    # Plain text, for the terminal and table.txt / goals.txt.
    width = max(len(r[0]) for r in table_rows)
    lines = [f"{'row':<{width}} {'seconds':>9} {'x floor':>8} {'compiles run':>13}  compiler",
             f"{'-' * width} {'-' * 9} {'-' * 8} {'-' * 13}  {'-' * 14}"]
    lines += [f"{label:<{width}} {t:>9.3f} {x:>8.2f} {n:>13}  {comp}" for label, t, x, n, comp in table_rows]
    table_txt = "\n".join(lines) + "\n"
    gwidth = max(len(g["goal"]) for g in goals)
    goals_txt = "".join(f"{g['goal']:<{gwidth}}  {g['status']:<8} {g['measured']}\n" for g in goals)
    (out / "table.txt").write_text(table_txt)
    (out / "goals.txt").write_text(goals_txt)
    print()
    print(table_txt)
    print(goals_txt)
    print("\n".join(notes))

    # Markdown.
    md_table = ["| row | seconds | x floor | compiles run | compiler |", "| --- | ---: | ---: | ---: | --- |"]
    md_table += [f"| {label} | {t:.3f} | {x:.2f} | {n} | {comp} |" for label, t, x, n, comp in table_rows]
    md_goals = ["| goal | status | measured |", "| --- | --- | --- |"]
    md_goals += [f"| {g['goal']} | {g['status']} | {g['measured']} |" for g in goals]
    suite_text = (f"{n_modules} modules ({', '.join(f'{n} {k}' for k, n in kinds.items())}), {n_variants} variants, "
                  f"{n_compiles} compiles (variant x arch) for {archs}")
    machine = (f"{m['date']}, {m['card']}, {m['cores']} host cores ({m['cpu']}), ninja -j {jobs}; Triton {m['triton']}, "
               f"CMake {m['cmake']}, Ninja {m['ninja']}, ptxas {m['ptxas_version']} (`{m['ptxas']}`); TritonAOT {m['tritonaot']}")
    (out / "table.md").write_text(
        f"# Compile throughput ({suite_text}, ninja -j {jobs})\n\n{machine}.\n\n`{m['command']}`\n\n" +
        "\n".join(md_table) + "\n\n" + "\n".join(md_goals) + "\n\n" + "\n\n".join(notes) + "\n")

    results = {
        "suite": {"modules": n_modules, "variants": n_variants, "compiles": n_compiles, "archs": suite["archs"]},
        "machine": {k: m[k] for k in ["date", "card", "cores", "cpu", "jobs", "triton", "cmake", "ninja",
                                      "ptxas", "ptxas_version", "tritonaot", "command"]},
        "floor_s": floor,
        "rows": {r: {"seconds": secs[r], "x_floor": secs[r] / floor, "compiles": stats[r]["compiles"],
                     "compiler": stats[r]["compiler"], "hits": stats[r].get("hits"),
                     "records": stats[r].get("records")} for r in ROWS},
        "touched_module": touched, "touched_module_compile_s": module_s,
        "ab_outputs": {"files": files_compared, "differ": differ, "identical": identical},
        "goals": goals,
    }
    (out / "results.json").write_text(json.dumps(results, indent=1) + "\n")

    if args.write_doc:
        doc = args.write_doc.resolve()
        readme = os.path.relpath(Path(__file__).resolve().parent / "README.md", doc.parent)
        met = [g["goal"] for g in goals if g["status"] == "met"]
        missed = [f"{g['goal']}: measured {g['measured']}" for g in goals if g["status"] == "NOT met"]
        unknown = [f"{g['goal']} ({g['measured']})" for g in goals if g["status"] == NA]
        summary = f"{len(met)} of {len(goals)} goals met: {'; '.join(met)}." if met else "No goal met."
        if missed:
            summary += f" Not met: {'; '.join(missed)}."
        if unknown:
            summary += f" Not measurable in this run: {'; '.join(unknown)}."

        def para(text):
            """Wrapped at 110 columns; no line may start like a Markdown list, quote, heading or table."""
            lines = []
            for line in textwrap.wrap(text, width=110, break_long_words=False, break_on_hyphens=False):
                if lines and re.match(r"([-+*>#|=]|\d+[.)])(\s|$)", line):
                    lines[-1] += " " + line
                else:
                    lines.append(line)
            return "\n".join(lines)

        section = "\n".join([
            "## Compile throughput",
            "",
            para("`bench/compile_throughput/run.sh` builds a generated suite of Triton kernel modules (elementwise "
                 "ops, reductions, matmuls with explicit autotune-style configs) several ways, all with the same "
                 "`ninja -j`: with TritonAOT cold (empty artifact cache, no service running), after `rm -rf` of "
                 "the build folder with a warm cache, as a no-op, with one module touched and with one module "
                 "edited, and with the service and the cache off; with the usual alternative "
                 "(`triton.tools.compile` + `triton.tools.link`, one process per variant per arch); and a floor: "
                 "one warmed Python compiling every variant serially, divided by the jobs, plus one start-up. What "
                 f"each row measures, and how, is in [bench/compile_throughput/README.md]({readme})."),
            "",
            para(f"This run: the suite of {suite_text}. {machine}. Command:"),
            "",
            f"`{m['command']}`",
            "",
            *md_table,
            "",
            *md_goals,
            "",
            para(summary),
            "",
            *[para(n) + "\n" for n in notes],
            para("Row (f) runs `triton.tools.compile` through `tools_shim.py`, which works around two bugs of the "
                 "3.6.0 tool without a GPU (the README says which); `triton.tools.link` runs unchanged."),
            "",
            para("This section is written by `bench/compile_throughput/run.sh --write-doc docs/performance.md`; "
                 "rerun it rather than edit the numbers."),
            "",
        ])
        text = doc.read_text()
        match = re.search(r"^## Compile throughput[ \t]*\n", text, flags=re.M)
        if not match:
            sys.exit(f"report.py: {doc} has no '## Compile throughput' section")
        following = re.compile(r"^## ", flags=re.M).search(text, match.end())
        end = following.start() if following else len(text)
        rest = text[end:]
        doc.write_text(text[:match.start()] + section + ("\n" + rest if rest else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
