#!/usr/bin/env python3
"""Draw a build trace of `triton-aot report --trace` as an SVG timeline, for the docs.

Perfetto's UI needs a browser and the network; this draws the same picture from the trace file alone, in the
style of Perfetto's track view: a time axis in seconds with gridlines, one row per lane, each Ninja edge a
slice spanning its time, and the variants of a Triton edge as thinner slices nested inside it (blue: compiled,
green: cache hit, red: failed). Python's standard library only; the same trace gives the same bytes.

    python3 scripts/trace-picture.py build.json out.svg [--title TEXT] [--width PX] [--png out.png]

--png also takes a screenshot of the SVG with headless Chromium (`chromium` on PATH).
"""
import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
from xml.sax.saxutils import escape

FONT = "Roboto, Helvetica, Arial, 'DejaVu Sans', sans-serif"
CHAR_EM = 0.62  # a generous average glyph width: names are cut short rather than spill out
LABEL_W, MARGIN, AXIS_H = 84, 16, 30  # lane-label column, right margin, axis height
ROW_H = {0: 22, 1: 15}  # slice height by nesting depth (deeper slices use the depth-1 height)
STROKE = ' stroke="#ffffff" stroke-width="0.5"'  # a hairline between touching slices, where it leaves colour
GAP = 3  # between depth rows, and above and below each lane's slices
COLORS = {  # (fill, text)
    "edge": ("#7d8ca3", "#ffffff"),      # C++ compiles, links, other edges: grey-blue
    "triton": ("#d9d3c7", "#3c3a36"),    # Triton edges: neutral sand
    "miss": ("#3f7fd9", "#ffffff"),      # variant compiled
    "hit": ("#2e9e5b", "#ffffff"),       # variant from the cache
    "fail": ("#d63b3b", "#ffffff"),      # variant that failed to compile
}
LEGEND = [("edge", "C++ / other edge"), ("triton", "Triton edge"), ("miss", "variant compiled"),
          ("hit", "variant: cache hit"), ("fail", "variant failed")]


def kind(ev):
    """Which colour a slice gets."""
    args = ev.get("args") or {}
    if ev.get("cat") == "variant" or "kernel" in args:
        if "error" in args or ev.get("cname") == "terrible":
            return "fail"
        return "hit" if args.get("cache") == "hit" or ev["name"].endswith(" (cache hit)") else "miss"
    return "triton" if ev.get("cat") == "triton" else "edge"


def load(path):
    """Lanes (tid -> name) and slices (tid, depth, ts, dur, name, kind), from the trace's events."""
    with open(path, encoding="utf-8") as f:
        events = json.load(f)["traceEvents"]
    names = {e["tid"]: e["args"]["name"] for e in events if e.get("ph") == "M" and e.get("name") == "thread_name"}
    slices = [e for e in events if e.get("ph") == "X"]
    # Outer before inner, as Perfetto nests them: by start, then longest first.
    slices.sort(key=lambda e: (e["tid"], e["ts"], -e.get("dur", 0), e["name"]))
    out, stack, tid = [], [], None
    for e in slices:
        if e["tid"] != tid:
            stack, tid = [], e["tid"]
        end = e["ts"] + e.get("dur", 0)
        while stack and not (stack[-1][0] <= e["ts"] and end <= stack[-1][1]):
            stack.pop()
        out.append((tid, len(stack), e["ts"], e.get("dur", 0), e["name"], kind(e), e.get("args") or {}))
        stack.append((e["ts"], end))
    for t in {s[0] for s in out} - names.keys():
        names[t] = f"lane {t}"
    return names, out


def tick_step(span_s, width_px):
    """A 1-2-5 step in seconds that puts a tick every 70 px or more."""
    raw = span_s * 70 / max(width_px, 1)
    base = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1
    return next(m * base for m in (1, 2, 5, 10) if m * base >= raw)


def fmt_s(t, step):
    decimals = max(0, -math.floor(math.log10(step) + 1e-9))
    return f"{t:.{decimals}f} s"


def fit(text, width_px, size):
    """The text cut with an ellipsis to fit width_px, or '' when not even two characters fit."""
    n = int((width_px - 6) / (size * CHAR_EM))
    if n >= len(text):
        return text
    return text[: n - 1] + "\u2026" if n >= 4 else ""


def draw(names, slices, title, width):
    end_us = max([s[2] + s[3] for s in slices] + [1])
    lanes = sorted(names)
    depth = {t: max([s[1] for s in slices if s[0] == t] + [0]) for t in lanes}
    lane_h = {t: GAP * 2 + sum(ROW_H[min(d, 1)] + (GAP if d else 0) for d in range(depth[t] + 1)) for t in lanes}
    top = (34 if title else 10) + AXIS_H
    lane_y, y = {}, top
    for t in lanes:
        lane_y[t], y = y, y + lane_h[t]
    tracks_bottom = y
    height = tracks_bottom + 44
    plot_w = width - LABEL_W - MARGIN
    x_of = lambda us: LABEL_W + us * plot_w / end_us  # noqa: E731
    o = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
         f'viewBox="0 0 {width} {height}" font-family="{FONT}">',
         f'<rect width="{width}" height="{height}" fill="#ffffff"/>']
    if title:
        o.append(f'<text x="12" y="24" font-size="15" font-weight="bold" fill="#202124">{escape(title)}</text>')
    # Lanes: alternating background, a label column like Perfetto's track shells.
    for i, t in enumerate(lanes):
        o.append(f'<rect x="0" y="{lane_y[t]}" width="{width}" height="{lane_h[t]}" '
                 f'fill="{"#f7f8fa" if i % 2 else "#ffffff"}"/>')
        o.append(f'<text x="10" y="{lane_y[t] + GAP + ROW_H[0] / 2 + 4:.1f}" font-size="12" '
                 f'fill="#3c4043">{escape(names[t])}</text>')
    o.append(f'<line x1="{LABEL_W - 0.5}" y1="{top - AXIS_H}" x2="{LABEL_W - 0.5}" y2="{tracks_bottom}" '
             f'stroke="#c8ccd2"/>')
    # Time axis with gridlines through the lanes.
    step = tick_step(end_us / 1e6, plot_w)
    for k in range(int(end_us / 1e6 / step) + 1):
        x = x_of(k * step * 1e6)
        o.append(f'<line x1="{x:.1f}" y1="{top - 8}" x2="{x:.1f}" y2="{tracks_bottom}" stroke="#e1e4e8"/>')
        anchor = "start" if k == 0 else "middle"
        o.append(f'<text x="{x + (3 if k == 0 else 0):.1f}" y="{top - 12}" font-size="11" fill="#5f6368" '
                 f'text-anchor="{anchor}">{fmt_s(k * step, step)}</text>')
    o.append(f'<line x1="{LABEL_W}" y1="{top - 0.5}" x2="{width - MARGIN}" y2="{top - 0.5}" stroke="#9aa0a6"/>')
    # Slices: a rounded rectangle each, the name centred and cut to fit, the full name and time as a tooltip.
    for tid, d, ts, dur, name, k, args in slices:
        x0, x1 = x_of(ts), x_of(ts + dur)
        w = max(x1 - x0, 1.0)
        h = ROW_H[min(d, 1)]
        y = lane_y[tid] + GAP + sum(ROW_H[min(i, 1)] + GAP for i in range(d))
        fill, ink = COLORS[k]
        tip = f"{name}: {dur / 1000:.1f} ms" + (f" ({args['error']})" if "error" in args else "")
        o.append(f'<g><title>{escape(tip)}</title><rect x="{x0:.2f}" y="{y}" width="{w:.2f}" height="{h}" '
                 f'rx="{min(3, w / 2):.1f}" fill="{fill}"{STROKE if w > 4 else ""}/>')
        size = 11 if d == 0 else 9.5
        label = fit(name, w, size)
        if label:
            o.append(f'<text x="{x0 + w / 2:.2f}" y="{y + h / 2 + size * 0.35:.2f}" font-size="{size}" '
                     f'fill="{ink}" text-anchor="middle">{escape(label)}</text>')
        o.append('</g>')
    # Legend.
    x, y = LABEL_W, tracks_bottom + 22
    for k, text in LEGEND:
        o.append(f'<rect x="{x}" y="{y - 10}" width="14" height="12" rx="2" fill="{COLORS[k][0]}"/>')
        o.append(f'<text x="{x + 19}" y="{y}" font-size="12" fill="#3c4043">{escape(text)}</text>')
        x += 19 + len(text) * 12 * 0.58 + 22
    o.append("</svg>")
    return "\n".join(o) + "\n", width, height


def screenshot(svg_path, png_path, width, height):
    """A PNG of the SVG, taken by headless Chromium from a page that embeds it."""
    chromium = shutil.which("chromium")
    if chromium is None:
        sys.exit(f"trace-picture: chromium is not on PATH: wrote {svg_path}, but no PNG ({png_path})")
    with tempfile.TemporaryDirectory(prefix="trace-picture-") as tmp:
        page = os.path.join(tmp, "page.html")
        with open(svg_path, encoding="utf-8") as f:
            svg = f.read()
        with open(page, "w", encoding="utf-8") as f:
            f.write(f"<!DOCTYPE html><html><head><meta charset='utf-8'><style>html,body{{margin:0;padding:0;"
                    f"overflow:hidden;background:#fff}}</style></head><body>{svg}</body></html>\n")
        run = subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                              f"--user-data-dir={os.path.join(tmp, 'profile')}",
                              f"--screenshot={os.path.abspath(png_path)}", f"--window-size={width},{height}",
                              "file://" + page], capture_output=True, text=True)
        if run.returncode != 0 or not os.path.exists(png_path):
            sys.exit(f"trace-picture: chromium failed (exit status {run.returncode}):\n{run.stderr.strip()}")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("trace", help="the trace file of `triton-aot report --trace`")
    p.add_argument("svg", help="the SVG file to write")
    p.add_argument("--title", default="", help="a title above the timeline")
    p.add_argument("--width", type=int, default=1200, help="width of the picture in pixels (default 1200)")
    p.add_argument("--png", help="also write this PNG, with headless Chromium")
    a = p.parse_args()
    names, slices = load(a.trace)
    svg, width, height = draw(names, slices, a.title, max(a.width, LABEL_W + MARGIN + 100))
    with open(a.svg, "w", encoding="utf-8", newline="\n") as f:
        f.write(svg)
    if a.png:
        screenshot(a.svg, a.png, width, height)


if __name__ == "__main__":
    main()
