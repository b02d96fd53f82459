"""Pictures of saved asv results, and one self-contained HTML page that shows them offline.

    python -m benchmarks.plots [RESULTS ...] [--out benchmarks/figures] [--bench CrossEntropy]

RESULTS are asv results files or folders (default: .asv/results, every machine's). For each
results file (one environment: `-E existing`, or one entry of asv.conf.json's matrix) and each
timed benchmark class (--bench: those named; default: every one with results), one figure per
dtype and device: time and fraction of the memory bandwidth, forward and forward+backward, per
adapter and mode, for each size. Where two environments ran the same benchmark with different
framework versions (the matrix: jax 0.9.2 and 0.10.2), one more figure puts them side by side.
Every figure is titled with its date, machine and versions, written as text: from the
environment's matrix entry, else from `Versions.track_framework_version` (asv keeps numbers only;
bench_machine.version_text reads them back).

`report.html` in the same folder embeds every figure and its numbers, so it opens from disk
without a server or the internet (asv publish's pages load jQuery, flot and Bootstrap from CDNs,
and their data through a web server: `asv preview`). Needs matplotlib (the `bench` extra).
"""
from __future__ import annotations

import argparse
import base64
import collections
import datetime
import glob
import html
import itertools
import json
import math
import os
import re
import sys
import textwrap
from dataclasses import dataclass, field

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODES = ("eager", "compiled")
SIZE_ORDER = ("small", "medium", "vocab_32k", "vocab_128k")
VERSIONS = "bench_machine.Versions.track_framework_version"
BANDWIDTH = "bench_machine.Machine.track_memory_bandwidth"


@dataclass
class Run:
    """One asv results file: one environment on one machine."""
    path: str
    machine: str
    env: str
    date: str
    versions: dict[str, str]
    # (benchmark name, parameters) -> value; parameters without quotes
    values: dict = field(default_factory=dict)

    @property
    def label(self) -> str:
        return ", ".join(f"{k} {v}" for k, v in sorted(self.versions.items())) or self.env


def _unquote(p):
    return p[1:-1] if isinstance(p, str) and len(p) > 1 and p[0] == p[-1] == "'" else p


def load(path: str) -> Run:
    from .bench_machine import version_text
    with open(path) as f:
        data = json.load(f)
    values, started = {}, []
    for name, row in data["results"].items():
        entry = dict(zip(data["result_columns"], row, strict=False))
        started.append(entry.get("started_at") or 0)
        results = entry["result"] if isinstance(entry["result"], list) else [entry["result"]]
        for combo, value in zip(itertools.product(*(entry.get("params") or [[]])), results,
                                strict=False):
            if value is not None and not (isinstance(value, float) and math.isnan(value)):
                values[(name, tuple(_unquote(p) for p in combo))] = value
    params = data.get("params", {})
    versions = {k: v for k, v in params.items() if k not in ("machine", "python", "arch", "cpu",
                                                             "os", "ram", "num_cpu") and v}
    for (name, combo), value in values.items():
        if name == VERSIONS and combo[0] not in versions:
            # the reference adapter's one framework is NumPy
            versions[combo[0]] = ("numpy " if combo[0] == "reference" else "") + \
                version_text(value)
    when = max(started) if any(started) else data.get("date", 0)
    date = datetime.datetime.fromtimestamp(when / 1000, datetime.timezone.utc)
    return Run(path, params.get("machine", "?"), data.get("env_name", "?"),
               date.strftime("%Y-%m-%d %H:%M UTC"), versions, values)


def find(paths: list[str]) -> list[Run]:
    files = []
    for p in paths:
        if os.path.isdir(p):
            files += [f for f in glob.glob(os.path.join(p, "**", "*.json"), recursive=True)
                      if os.path.basename(f) not in ("machine.json", "benchmarks.json")]
        else:
            files.append(p)
    return [load(f) for f in sorted(files)]


def _classes(run: Run, wanted) -> list[str]:
    """'bench_x.Class' of every timed benchmark class with results in `run`."""
    found = sorted({n.rsplit(".", 1)[0] for n, _ in run.values if ".time_forward" in n})
    return [c for c in found if not wanted or c.split(".")[-1] in wanted]


def _series(run: Run, cls: str, method: str, dtype: str, device: str):
    """{(adapter, mode): {size: value}} of one benchmark method."""
    out: dict = {}
    for (name, combo), value in run.values.items():
        if name == f"{cls}.{method}" and len(combo) == 6 and combo[3] == dtype \
                and combo[4] == device:
            out.setdefault((combo[0], combo[5]), {})[combo[2]] = value
    return out


def _bars(ax, series: dict, sizes: list[str], log: bool, fmt):
    keys = sorted(series, key=lambda k: (_natural(k[0]), MODES.index(k[1]) if k[1] in MODES
                                         else 9))
    width = 0.8 / max(len(keys), 1)
    colours = {name: f"C{i}" for i, name in enumerate(dict.fromkeys(k[0] for k in keys))}
    for i, key in enumerate(keys):
        xs = [j + (i - (len(keys) - 1) / 2) * width for j in range(len(sizes))]
        ys = [series[key].get(s, math.nan) for s in sizes]
        # one colour per adapter (or version); compiled hatched
        bars = ax.bar(xs, ys, width, label=f"{key[0]} {key[1]}".strip(), color=colours[key[0]],
                      hatch="//" if key[1] == "compiled" else None, edgecolor="white")
        ax.bar_label(bars, labels=[fmt(y) if not math.isnan(y) else "" for y in ys],
                     fontsize=6, rotation=90, padding=2)
    ax.set_xticks(range(len(sizes)), sizes)
    if not any(y > 0 for k in keys for y in series[k].values()):
        ax.text(0.5, 0.5, "no results", ha="center", transform=ax.transAxes)
    elif log:
        ax.set_yscale("log")
    ax.margins(y=0.25)


def _natural(text: str) -> list:
    """'jax 0.9.2' before 'jax 0.10.2': numbers compared as numbers."""
    return [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", text)]


def _time(seconds: float) -> str:
    for unit, scale in (("s", 1), ("ms", 1e-3), ("µs", 1e-6)):
        if seconds >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds / 1e-9:.3g} ns"


def _title(run: Run, what: str) -> str:
    # wrapped: a run of every library lists a dozen versions, wider than the figure
    return "\n".join([what, *textwrap.wrap(f"{run.date}, machine {run.machine}; {run.label}",
                                            150)])


def figure_run(run: Run, cls: str, dtype: str, device: str, out: str) -> str | None:
    import matplotlib.pyplot as plt
    methods = (("time_forward", "forward"), ("time_forward_backward", "forward+backward"))
    times = {m: _series(run, cls, m, dtype, device) for m, _ in methods}
    if not any(times.values()):
        return None
    fractions = {m: _series(run, cls, "track_bandwidth_fraction_" + m[5:], dtype, device)
                 for m, _ in methods}
    sizes = [s for s in SIZE_ORDER if any(s in v for t in times.values() for v in t.values())]
    fig, axes = plt.subplots(2, 2, figsize=(12, 8), squeeze=False)
    for col, (method, label) in enumerate(methods):
        _bars(axes[0][col], times[method], sizes, True, _time)
        axes[0][col].set_title(f"{label}: time per call (asv median, lower is better)")
        axes[0][col].set_ylabel("seconds")
        _bars(axes[1][col], fractions[method], sizes, False, lambda y: f"{y:.2g}")
        axes[1][col].set_title(f"{label}: fraction of memory bandwidth (higher is better)")
        axes[1][col].set_ylabel("minimum bytes / time / bandwidth")
    # one legend below the panels, where it hides no bar
    fig.legend(*axes[0][0].get_legend_handles_labels(), loc="lower center", ncol=6, fontsize=8)
    fig.suptitle(_title(run, f"{cls.split('.')[-1]}, {dtype}, {device}"), fontsize=10)
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    name = f"{cls.split('.')[-1]}-{dtype}-{device}-{_slug(run)}.png"
    fig.savefig(os.path.join(out, name), dpi=110)
    plt.close(fig)
    return name


def figure_versions(runs: list[Run], cls: str, dtype: str, device: str, out: str) -> str | None:
    """The same benchmarks in environments whose versions of an adapter's framework differ."""
    import matplotlib.pyplot as plt
    methods = (("time_forward", "forward"), ("time_forward_backward", "forward+backward"))
    # two runs of one version stay two series (labelled with their dates), never merged
    runs_of = collections.Counter(pair for r in runs for pair in r.versions.items())
    per_adapter, used = {}, {}
    for run in runs:
        for method, _ in methods:
            for (adapter, mode), sizes in _series(run, cls, method, dtype, device).items():
                version = run.versions.get(adapter)
                if version:
                    label = f"{adapter} {version}"
                    if runs_of[adapter, version] > 1:
                        label += f" ({run.date})"
                    per_adapter.setdefault(adapter, {}).setdefault(label, {}).setdefault(
                        method, {}).update({(size, mode): v for size, v in sizes.items()})
                    used.setdefault(adapter, set()).add(run.date)
    # only adapters whose versions differ between the runs
    compared = {a: v for a, v in per_adapter.items()
                if len({r.versions.get(a) for r in runs if a in r.versions}) > 1}
    if not compared:
        return None
    fig, axes = plt.subplots(len(compared), 2, figsize=(12, 4 * len(compared)), squeeze=False)
    for row, (adapter, by_version) in enumerate(sorted(compared.items())):
        for col, (method, label) in enumerate(methods):
            groups = sorted({g for v in by_version.values() for g in v.get(method, {})},
                            key=lambda g: (SIZE_ORDER.index(g[0]) if g[0] in SIZE_ORDER else 9,
                                           MODES.index(g[1]) if g[1] in MODES else 9))
            series = {(version, ""): {f"{s}\n{m}": v for (s, m), v in data.get(method, {}).items()}
                      for version, data in by_version.items()}
            _bars(axes[row][col], series, [f"{s}\n{m}" for s, m in groups], True, _time)
            axes[row][col].set_title(f"{adapter}, {label}: time per call (lower is better)")
    dates = sorted(set().union(*(used[a] for a in compared)))
    fig.suptitle(f"{cls.split('.')[-1]}, {dtype}, {device}: framework versions side by side\n"
                 f"{', '.join(dates)}, machine {runs[0].machine}", fontsize=10)
    # one legend below the panels, where it hides no bar
    labels = {}
    for row in axes:
        handles, names = row[0].get_legend_handles_labels()
        labels.update(zip(names, handles, strict=True))
    fig.legend(list(labels.values()), list(labels), loc="lower center", ncol=3, fontsize=8)
    fig.tight_layout(rect=(0, 0.08 / len(compared), 1, 1))
    name = f"{cls.split('.')[-1]}-{dtype}-{device}-versions.png"
    fig.savefig(os.path.join(out, name), dpi=110)
    plt.close(fig)
    return name


def _slug(run: Run) -> str:
    return "".join(c if c.isalnum() or c in ".-" else "_" for c in run.label)[:80] or "env"


def report(runs: list[Run], figures: list[tuple[str, str]], out: str) -> str:
    """report.html: every figure embedded, and each environment's numbers."""
    parts = ["<!doctype html><meta charset='utf-8'><title>lossconformance benchmarks</title>",
             "<style>body{font-family:sans-serif;max-width:1300px;margin:auto}"
             "table{border-collapse:collapse;font-size:12px}td,th{border:1px solid #ccc;"
             "padding:2px 6px;text-align:right}img{max-width:100%}</style>",
             "<h1>lossconformance benchmarks</h1>"]
    for run in runs:
        parts.append(f"<p>{html.escape(run.date)}, machine {html.escape(run.machine)}, "
                     f"environment {html.escape(run.env)}: {html.escape(run.label)} "
                     f"({html.escape(os.path.relpath(run.path, ROOT))})</p>")
    for title, name in figures:
        with open(os.path.join(out, name), "rb") as f:
            data = base64.b64encode(f.read()).decode()
        parts.append(f"<h2>{html.escape(title)}</h2><img alt='{html.escape(name)}' "
                     f"src='data:image/png;base64,{data}'>")
    for run in runs:
        parts.append(f"<h2>Numbers: {html.escape(run.label)}</h2><table><tr><th>benchmark"
                     "</th><th>parameters</th><th>value</th></tr>")
        for (name, combo), value in sorted(run.values.items(), key=lambda kv: str(kv[0])):
            shown = _time(value) if ".time_" in name else f"{value:.4g}"
            parts.append(f"<tr><td style='text-align:left'>{html.escape(name)}</td>"
                         f"<td style='text-align:left'>{html.escape(', '.join(map(str, combo)))}"
                         f"</td><td>{html.escape(shown)}</td></tr>")
        parts.append("</table>")
    path = os.path.join(out, "report.html")
    with open(path, "w") as f:
        f.write("\n".join(parts))
    return path


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", nargs="*", default=[os.path.join(ROOT, ".asv", "results")])
    parser.add_argument("--out", default=os.path.join(ROOT, "benchmarks", "figures"))
    parser.add_argument("--bench", action="append", default=None,
                        help="benchmark class to draw (CrossEntropy, ...); repeatable")
    args = parser.parse_args(argv)
    if ROOT not in sys.path:
        sys.path.insert(0, ROOT)
    import matplotlib
    matplotlib.use("Agg")
    runs = [r for r in find(args.results) if r.values]
    if not runs:
        raise SystemExit(f"no asv results under {', '.join(args.results)}")
    os.makedirs(args.out, exist_ok=True)
    figures = []
    classes = sorted({c for r in runs for c in _classes(r, args.bench)})
    for cls, dtype, device in itertools.product(classes, ("float32", "float64"), ("cpu", "cuda")):
        for run in runs:
            name = figure_run(run, cls, dtype, device, args.out)
            if name:
                figures.append((f"{cls.split('.')[-1]}, {dtype}, {device}: {run.label}", name))
        name = figure_versions(runs, cls, dtype, device, args.out)
        if name:
            figures.append((f"{cls.split('.')[-1]}, {dtype}, {device}: versions", name))
    for _, name in figures:
        print(os.path.join(args.out, name))
    print(report(runs, figures, args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
