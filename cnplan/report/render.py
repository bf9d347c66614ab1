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
from cnplan.report.content import basis_text, instruments_text, report_context
from cnplan.report.dispatch import dispatch_week
from cnplan.report.formatting import amount, change, money, number, per_tonne, percent
from plant.schema import Plan


def png(fig: Any) -> str | None:
    if fig is None:
        return None
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _optional(value: float | None, fmt: str) -> str:
    """``value`` formatted (``"{:,.0f}"`` or ``"%.1f"`` style), or a dash where there is none
    (None, or NaN: e.g. a unit that did not run)."""
    if value is None or value != value:
        return "–"
    return fmt.format(value) if "{" in fmt else fmt % value


def _price(lower: float | None, currency: str, upper: float | None = None) -> str:
    """An implied carbon price, or its two one-sided values where they differ."""
    if lower is None:
        return "–"
    if upper is None or abs(upper - lower) <= 1e-4 * max(abs(lower), abs(upper), 1.0):
        return per_tonne(lower, currency)
    return f"{per_tonne(lower, currency).removesuffix('/t')}–{number(upper)}/t"


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
    calendar = plan.profiles.resources.profile_year
    figs = {
        "emissions": png(figures.emissions_trajectory(ds)),
        "waterfall": png(figures.abatement_waterfall(ds, ctx["levers"], ctx["lever_basis"])),
        "roadmap": png(figures.investment_roadmap(ds)),
        "energy": png(figures.energy_balance(ds)),
        "costs": png(figures.cost_breakdown(ds)),
        "mac": png(figures.marginal_abatement(ctx["mac"], ctx["currency"])) if ctx["mac"]
        else None,
        "winter": png(dispatch_week(ds, year, _day_of_year(1, 16), f"Winter week in {year}",
                                     calendar)),
        "summer": png(dispatch_week(ds, year, _day_of_year(7, 10), f"Summer week in {year}",
                                     calendar)),
        "sofc": png(figures.sofc_curve(ds)),
    }
    env = template_env()
    sweep = _sweep_section(run_dir)
    return env.get_template("report.html.j2").render(
        **ctx, figures=figs, sweep=sweep, run_dir=str(run_dir), sweep_fuel=_sweep_fuel(plan))


def template_env() -> Environment:
    """The report templates with the number, money and wording filters."""
    env = Environment(loader=PackageLoader("cnplan.report", "templates"),
                      autoescape=select_autoescape(["html", "j2"]), undefined=StrictUndefined)
    env.filters.update(num=number, price=_price, opt=_optional, amount=amount, money=money,
                       per_tonne=per_tonne, percent=percent, change=change, basis=basis_text,
                       instruments=instruments_text)
    return env


def _sweep_fuel(plan: Plan) -> str:
    """The fuel a sensitivity sweep is most worth running on: an SOFC's, else the first."""
    for tech in plan.technologies.values():
        fuel = getattr(tech, "fuel", None)
        if fuel and getattr(tech, "kind", "") == "sofc":
            return str(fuel)
    return next(iter(plan.fuels), "NAME")


def _sweep_section(run_dir: Path) -> str | None:
    """Break-even figures from a sweep, when one was run into ``run_dir/sweep``, with a
    warning when the sweep was run on another version of the plan than this run."""
    found = run_dir / "sweep" / "breakeven.html"
    if not found.exists():
        return None
    html = found.read_text(encoding="utf-8")
    manifest = run_dir / "sweep" / "sweep.json"
    summary = json.loads((run_dir / "summary.json").read_text(encoding="utf-8"))
    swept = json.loads(manifest.read_text(encoding="utf-8")).get("plan_sha256") if (
        manifest.exists()) else None
    if swept and swept != summary.get("plan_sha256"):
        html = (f'<p class="missed">This sweep was run on another version of the plan (plan '
                f'{swept[:12]}, this run {str(summary.get("plan_sha256"))[:12]}): run it again '
                "for break-evens that belong to this plan.</p>\n" + html)
    return html


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
    return write_report(run_dir, render_html(run_dir), pdf=pdf)


def write_report(run_dir: Path, html: str, *, pdf: bool = True) -> list[Path]:
    """Write ``html`` as ``run_dir/report.html`` (and print it to ``report.pdf``)."""
    paths = [atomic_write_text(run_dir / "report.html", html, overwrite=True)]
    if pdf:
        paths.append(atomic_write(run_dir / "report.pdf", lambda p: write_pdf(html, p),
                                  overwrite=True))
    return paths
