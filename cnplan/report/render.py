"""Render the roadmap report of a plan run folder: report.html (self-contained) and report.pdf."""

from __future__ import annotations

import base64
import io
from html import escape
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from cnplan.outputs import atomic_write, atomic_write_text
from cnplan.report import figures
from cnplan.report.alternatives import alternatives_context
from cnplan.report.content import instruments_text, report_context
from cnplan.report.dispatch import dispatch_week
from cnplan.report.formatting import amount, change, money, number, per_tonne, percent
from cnplan.report.workplace_ev import embodied_context, workplace_ev_context
from cnplan.runfolder import (
    RunFolder,
    RunFolderError,
    read_json_object,
    read_run_folder,
)
from cnplan.wording import basis_text, counted_text, credits_sentence
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


def render_html(run: Path | RunFolder) -> str:
    """The report of a run folder (results.nc, summary.json, plan.json) as one HTML string;
    :class:`cnplan.runfolder.RunFolderError` if the folder cannot be read."""
    path = run.path if isinstance(run, RunFolder) else Path(run)
    folder = run if isinstance(run, RunFolder) and run.plan is not None else read_run_folder(
        path, with_plan=True)
    run_dir, ds, summary, plan = folder.path, folder.results, folder.summary, folder.plan
    assert ds is not None and plan is not None  # a plan run, read with its plan
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
    sweep = _sweep_section(run_dir, summary)
    return env.get_template("report.html.j2").render(
        **ctx, figures=figs, sweep=sweep, run_dir=str(run_dir), sweep_fuel=_sweep_fuel(plan),
        alternatives=alternatives_context(ds, summary), evs=workplace_ev_context(ds),
        embodied=embodied_context(ds))


def template_env() -> Environment:
    """The report templates with the number, money and wording filters."""
    env = Environment(loader=PackageLoader("cnplan.report", "templates"),
                      autoescape=select_autoescape(["html", "j2"]), undefined=StrictUndefined)
    env.filters.update(num=number, price=_price, opt=_optional, amount=amount, money=money,
                       per_tonne=per_tonne, percent=percent, change=change, basis=basis_text,
                       counted=counted_text, credits=credits_sentence,
                       instruments=instruments_text)
    return env


def _sweep_fuel(plan: Plan) -> str:
    """The fuel a sensitivity sweep is most worth running on: an SOFC's, else the first."""
    for tech in plan.technologies.values():
        fuel = getattr(tech, "fuel", None)
        if fuel and getattr(tech, "kind", "") == "sofc":
            return str(fuel)
    return next(iter(plan.fuels), "NAME")


def _sweep_section(run_dir: Path, summary: dict[str, Any]) -> str | None:
    """Break-even figures from a sweep, when one was run into ``run_dir/sweep``, with a
    warning when the sweep was run on another version of the plan than this run (or its
    sweep.json cannot be read)."""
    found = run_dir / "sweep" / "breakeven.html"
    if not found.is_file():
        return None
    html = found.read_text(encoding="utf-8", errors="replace")
    try:
        swept = read_json_object(run_dir / "sweep", "sweep.json").get("plan_sha256") if (
            run_dir / "sweep" / "sweep.json").exists() else None
    except RunFolderError as exc:
        return (f'<p class="missed">{escape(str(exc))}: whether this sweep belongs to this '
                "plan is unknown; run it again.</p>\n" + html)
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


def render_report(run: Path | RunFolder, *, pdf: bool = True) -> list[Path]:
    """Write ``report.html`` (and ``report.pdf``) into the run folder; return the paths.
    :class:`cnplan.runfolder.RunFolderError` if the folder cannot be read."""
    run_dir = run.path if isinstance(run, RunFolder) else Path(run)
    return write_report(run_dir, render_html(run), pdf=pdf)


def write_report(run_dir: Path, html: str, *, pdf: bool = True) -> list[Path]:
    """Write ``html`` as ``run_dir/report.html`` (and print it to ``report.pdf``)."""
    paths = [atomic_write_text(run_dir / "report.html", html, overwrite=True)]
    if pdf:
        paths.append(atomic_write(run_dir / "report.pdf", lambda p: write_pdf(html, p),
                                  overwrite=True))
    return paths
