"""Pure helpers of the harness: percentiles, ratios, target checks and the printed table.

No Django, no timing: tests/test_bench_smoke.py runs these directly.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field


def percentile(values, p: float) -> float:
    """The p-th percentile (0–100) with linear interpolation between closest ranks."""
    if not values:
        raise ValueError("percentile of no values")
    if not 0 <= p <= 100:
        raise ValueError("p must be within 0..100")
    ordered = sorted(values)
    position = (len(ordered) - 1) * p / 100
    low = math.floor(position)
    high = math.ceil(position)
    if low == high:
        return float(ordered[low])
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def ratio(ours: float | None, floor: float | None) -> float | None:
    """ours / floor, or None when either is missing or the floor is zero."""
    if ours is None or floor is None or floor == 0:
        return None
    return ours / floor


def scaled_limit(limit: float, scale: float) -> float:
    """A size-proportional time limit for a run at `scale` of the full size (quick mode)."""
    return limit * scale


@dataclass
class Metric:
    """One row of the table: our figure, the floor's, their ratio and whether the target holds."""

    name: str
    ours: str
    floor: str = "—"
    ratio: float | None = None
    ratio_label: str = ""
    target: str = ""
    met: bool | None = None
    note: str = ""
    raw: dict = field(default_factory=dict)
    # 1-minute load average just before the metric was taken, and the machine's core count.
    load_at_start: float | None = None
    cores: int | None = None

    def as_dict(self) -> dict:
        return {**asdict(self), "noisy": self.noisy, "verdict": self.verdict}

    @property
    def noisy(self) -> bool:
        return noisy(self.load_at_start, self.cores)

    @property
    def verdict(self) -> str:
        """met / MISSED, or "noisy" when the machine was busier than its cores at the start:
        other work then decides the figure, so it is neither a pass nor a miss."""
        if self.met is not None and self.noisy:
            return "noisy"
        return verdict(self.met)


def noisy(load_at_start: float | None, cores: int | None) -> bool:
    """True when the load average at a metric's start was above the number of cores."""
    if load_at_start is None or not cores:
        return False
    return load_at_start > cores


def verdict(met: bool | None) -> str:
    return {True: "met", False: "MISSED", None: "—"}[met]


def fmt_ratio(value: float | None, label: str = "") -> str:
    if value is None:
        return "—"
    text = f"{value:.2f}×" if value >= 0.995 or value == 0 else f"{value * 100:.0f} %"
    return f"{text} {label}".strip()


def fmt_seconds(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f} s"


def fmt_ms(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f} ms"


def fmt_rate(value: float | None, unit: str = "/s") -> str:
    return "—" if value is None else f"{value:,.0f}{unit}"


def table(metrics: list[Metric]) -> str:
    """A fixed-width text table (Korean-free, so columns line up in any terminal)."""
    header = ("metric", "ours", "floor", "ratio", "target", "verdict")
    rows = [
        (
            m.name,
            m.ours,
            m.floor,
            fmt_ratio(m.ratio, m.ratio_label),
            m.target,
            m.verdict,
        )
        for m in metrics
    ]
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]

    def line(cells) -> str:
        return " | ".join(str(c).ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

    out = [line(header), "-+-".join("-" * w for w in widths)]
    out.extend(line(r) for r in rows)
    notes = [f"  {m.name}: {_note(m)}" for m in metrics if m.note or m.noisy]
    if notes:
        out.append("")
        out.append("notes:")
        out.extend(notes)
    return "\n".join(out)


def _note(m: Metric) -> str:
    if not m.noisy or m.met is None:
        return m.note
    reading = f"load {m.load_at_start:.1f} > {m.cores} cores at start, would read {verdict(m.met)}"
    return f"{m.note}; {reading}" if m.note else reading


def markdown_table(metrics: list[Metric]) -> str:
    """The same table as Markdown, for docs/performance.md."""
    out = [
        "| metric | ours | floor | ratio | target | verdict |",
        "|---|---|---|---|---|---|",
    ]
    for m in metrics:
        out.append(
            f"| {m.name} | {m.ours} | {m.floor} | {fmt_ratio(m.ratio, m.ratio_label)} | "
            f"{m.target} | {m.verdict} |"
        )
    return "\n".join(out)


def parse_wrk_summary(text: str) -> dict | None:
    """The JSON line our wrk Lua script prints at the end (see bench/load.py), or None."""
    import json

    for raw in reversed(text.splitlines()):
        raw = raw.strip()
        if raw.startswith("{") and '"requests"' in raw:
            data = json.loads(raw)
            seconds = data["duration_us"] / 1e6
            return {
                "requests": data["requests"],
                "seconds": seconds,
                "rps": data["requests"] / seconds if seconds else 0.0,
                "errors": data["errors"],
                "non2xx": data["non2xx"],
                "p50_ms": data["p50"] / 1000,
                "p90_ms": data["p90"] / 1000,
                "p99_ms": data["p99"] / 1000,
                "mean_ms": data["mean"] / 1000,
            }
    return None
