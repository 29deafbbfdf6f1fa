"""What every benchmark reports: figures, each next to a floor measured in the same run and to its
target, and the table they make together."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Figure:
    benchmark: str
    name: str
    value: float
    unit: str
    floor: float | None  # the same-run reference the figure is read against
    floor_what: str
    target: str  # as people say it: "<= 3 ms", ">= 10x the floor"
    met: bool | None  # None: informative, no target

    @property
    def ratio(self) -> float | None:
        return self.value / self.floor if self.floor else None


@dataclass(frozen=True)
class Failure:
    """A benchmark that raised instead of returning its figures."""

    benchmark: str
    error: str


Benchmark = Callable[[], list[Figure]]

COLUMNS = ("benchmark", "figure", "value", "floor (same run)", "value/floor", "target", "met")


def _number(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}" if abs(value) < 1 else f"{value:.2f}"


def row(figure: Figure | Failure) -> tuple[str, ...]:
    if isinstance(figure, Failure):
        return (figure.benchmark, "ERROR", figure.error, "", "", "", "MISSED")
    floor = (f"{_number(figure.floor)} {figure.unit} ({figure.floor_what})" if figure.floor is not None
             else figure.floor_what)
    ratio = f"{figure.ratio:.3g}" if figure.ratio is not None else ""
    met = "" if figure.met is None else "yes" if figure.met else "MISSED"
    return (figure.benchmark, figure.name, f"{_number(figure.value)} {figure.unit}", floor, ratio, figure.target, met)


def table(results: list[Figure | Failure]) -> str:
    """A Markdown table, in the order the benchmarks ran: readable as text, pasted as is into bench/README.md."""
    rows = [COLUMNS, *(row(r) for r in results)]
    widths = [max(len(r[i]) for r in rows) for i in range(len(COLUMNS))]
    lines = ["| " + " | ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)) + " |" for r in rows]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)
