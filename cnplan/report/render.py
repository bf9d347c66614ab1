"""Render the roadmap report of a plan run folder: report.html (self-contained) and report.pdf."""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import xarray as xr
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from cnplan.outputs import atomic_write, atomic_write_text
from cnplan.report import figures
from cnplan.report.content import report_context
from plant.schema import Plan


def _png(fig: Any) -> str | None:
    if fig is None:
        return None
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _num(value: float, digits: int = 0) -> str:
    """Thousands separators, and no "-0" for values that round to zero."""
    text = f"{value:,.{digits}f}"
    return text[1:] if text.startswith("-") and float(text[1:].replace(",", "")) == 0 else text


def _optional(value: float | None, fmt: str) -> str:
    """``value`` formatted (``"{:,.0f}"`` or ``"%.1f"`` style), or a dash where there is none
    (None, or NaN: e.g. a unit that did not run)."""
    if value is None or value != value:
        return "–"
    return fmt.format(value) if "{" in fmt else fmt % value


def _amount(value: float) -> str:
    """A plain number as people write it: thousands separators, no scientific notation,
    precision by size, no "-0"."""
    size = abs(value)
    digits = 0 if size >= 100 else 1 if size >= 10 else 2 if size >= 1 else 3 if size >= 0.01 \
        else 5
    return _num(value, digits)


def _price(lower: float | None, currency: str, upper: float | None = None) -> str:
    """An implied carbon price, or its two one-sided values where they differ."""
    if lower is None:
        return "–"
    text = f"{_num(lower)} {currency}/t"
    if upper is None or abs(upper - lower) <= 1e-4 * max(abs(lower), abs(upper), 1.0):
        return text
    return f"{_num(lower)}–{_num(upper)} {currency}/t"


def _day_of_year(month: int, day: int) -> int:
    import datetime as dt

    return dt.date(2023, month, day).timetuple().tm_yday - 1


def render_html(run_dir: Path) -> str:
    """The report of ``run_dir`` (results.nc, summary.json, plan.json) as one HTML string."""
    with xr.open_dataset(run_dir / "results.nc") as opened:
        ds = opened.load()
    summary = json.loads((run_dir / "summary.json").read_text(encoding="utf-8"))
    plan = Plan.model_validate_json((run_dir / "plan.json").read_text(encoding="utf-8"))
    ctx = report_context(ds, summary, plan)
    year = ctx["target_years"][0]
    figs = {
        "emissions": _png(figures.emissions_trajectory(ds)),
        "waterfall": _png(figures.abatement_waterfall(ds, ctx["levers"], ctx["lever_basis"])),
        "roadmap": _png(figures.investment_roadmap(ds)),
        "energy": _png(figures.energy_balance(ds)),
        "costs": _png(figures.cost_breakdown(ds)),
        "mac": _png(figures.marginal_abatement(ctx["mac"], ctx["currency"])) if ctx["mac"]
        else None,
        "winter": _png(figures.dispatch_week(ds, year, _day_of_year(1, 16),
                                             f"Winter week (16-22 January {year})")),
        "summer": _png(figures.dispatch_week(ds, year, _day_of_year(7, 10),
                                             f"Summer week (10-16 July {year})")),
        "sofc": _png(figures.sofc_curve(ds)),
    }
    env = Environment(loader=PackageLoader("cnplan.report", "templates"),
                      autoescape=select_autoescape(["html", "j2"]), undefined=StrictUndefined)
    env.filters["num"] = _num
    env.filters["price"] = _price
    env.filters["opt"] = _optional
    env.filters["amount"] = _amount
    sweep = _sweep_section(run_dir)
    return env.get_template("report.html.j2").render(**ctx, figures=figs, sweep=sweep)


def _sweep_section(run_dir: Path) -> str | None:
    """Break-even figures from a sweep, when one was run into ``run_dir/sweep``."""
    found = run_dir / "sweep" / "breakeven.html"
    return found.read_text(encoding="utf-8") if found.exists() else None


def write_pdf(html: str, path: Path) -> None:
    """Print the HTML to an A4 PDF with WeasyPrint."""
    import logging
    import warnings

    with warnings.catch_warnings():
        # WeasyPrint warns when the optional HarfBuzz-Subset library is absent (fonts are then
        # embedded whole); the PDF is complete either way.
        warnings.filterwarnings("ignore", message="HarfBuzz-Subset", category=DeprecationWarning)
        from weasyprint import HTML

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="HarfBuzz-Subset", category=DeprecationWarning)
        HTML(string=html).write_pdf(path)


def render_report(run_dir: Path, *, pdf: bool = True) -> list[Path]:
    """Write ``report.html`` (and ``report.pdf``) into ``run_dir``; return the paths."""
    html = render_html(run_dir)
    paths = [atomic_write_text(run_dir / "report.html", html, overwrite=True)]
    if pdf:
        paths.append(atomic_write(run_dir / "report.pdf", lambda p: write_pdf(html, p),
                                  overwrite=True))
    return paths
