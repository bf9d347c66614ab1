"""Rich rendering of plan summaries for the terminal."""

from __future__ import annotations

from typing import Any

from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.table import Table


def _num(value: float, digits: int = 0) -> str:
    return f"{value:,.{digits}f}"


def _mw(value: float) -> str:
    return f"{value:,.2f}" if value >= 1 else f"{value:.3g}"


def summary_renderable(s: dict[str, Any]) -> Group:
    """Tables for ``plant.summary.plan_summary`` output."""
    years = sorted(next(iter(s["demand_mwh"].values())))
    energy = Table(title=f"{s['site']}: annual demand, MWh (before efficiency measures)")
    energy.add_column("carrier")
    for y in years:
        energy.add_column(str(y), justify="right")
    for carrier, by_year in s["demand_mwh"].items():
        energy.add_row(carrier, *(_num(by_year[y]) for y in years))
    energy.add_row("vehicles", *(_num(s["vehicles"][y]) for y in years), style="dim")
    if "onsite_renewable_share" in s:
        energy.add_row("existing on-site renewables, share of electricity",
                       *(f"{s['onsite_renewable_share'].get(y, 0):.1%}" for y in years))

    b = s["baseline"]
    base = Table(title=f"Baseline {b['year']} emissions, t CO2e ({_num(b['vehicles'])} vehicles)")
    for col in ("scope 1", "scope 2 location", "scope 2 market", "biogenic (outside scopes)",
                "upstream (scope 3)", "t/vehicle (1+2m)"):
        base.add_column(col, justify="right")
    e = b["emissions_t"]
    base.add_row(_num(e["scope1"]), _num(e["scope2_location"]), _num(e["scope2_market"]),
                 _num(e["biogenic"]), _num(e["upstream"]), _num(b["intensity_t_per_vehicle"], 3))

    targets = Table(title="Targets")
    for col in ("name", "year", "basis", "scopes", "reduction", "limit", "credits up to"):
        targets.add_column(col, overflow="fold")
    for t in s["targets"]:
        limit = (f"{t['limit_t_per_vehicle']:.3f} t/vehicle" if t["limit_t_per_vehicle"]
                 is not None else f"{_num(t['limit_t'])} t")
        targets.add_row(t["name"], str(t["year"]), t["basis"].replace("_", " "),
                        " + ".join(t["scopes"]),
                        f"-{t['reduction']:.0%}", limit, f"{t['max_credit_share']:.0%}")

    assets = Table(title="Existing assets")
    for col in ("name", "technology", "MW", "built", "retires", f"MWh in {years[-1]}"):
        assets.add_column(col)
    for name, a in s["existing_assets"].items():
        gen = a.get("generation_mwh", {}).get(years[-1])
        assets.add_row(name, a["technology"], _mw(a["capacity_mw"]), str(a["build_year"]),
                       str(a["retires"]), "-" if gen is None else _num(gen))

    ppas = Table(title="Power purchase agreements (bought, not owned)")
    for col in ("name", "follows", "MW", "from", "to", f"MWh in {years[-1]}"):
        ppas.add_column(col)
    for name, p in s.get("ppas", {}).items():
        gen = p.get("generation_mwh", {}).get(years[-1])
        ppas.add_row(name, p["technology"], _mw(p["capacity_mw"]), str(p["from"]), str(p["to"]),
                     "-" if gen is None else _num(gen))

    cands = Table(title="Technologies (candidates)")
    cands.add_column("name")
    cands.add_column("kind")
    for name, kind in s["candidates"].items():
        cands.add_row(name, kind)
    parts: list[RenderableType] = [energy, base, targets, assets,
                                   *([ppas] if s.get("ppas") else []), cands,
                                   MoneyTables(s["money"])]
    return Group(*parts)


#: The widest the item column of the money table is drawn (longer items fold).
ITEM_WIDTH = 32


class MoneyTables:
    """The money table (:func:`money_tables`) at the width it is printed at."""

    def __init__(self, money: dict[str, Any]) -> None:
        self.money = money

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield from money_tables(self.money, options.max_width)


def money_tables(money: dict[str, Any], width: int = 120) -> list[Table]:
    """Resolved money values by investment year (site currency, plan price year), as one
    table, or as several with as many year columns as ``width`` characters hold: a table
    wider than the console would squeeze the year columns to nothing."""
    prices = f", {money['price_year']} prices" if money.get("price_year") else ""
    title = f"Costs and prices by investment year, {money['currency']}{prices}"
    rows, years = money["rows"], list(money["years"])
    cells = [_money(r["values"][y]) for r in rows for y in years]
    year_width = max([len(str(y)) for y in years] + [len(c) for c in cells])
    unit_width = max([len("unit")] + [len(r["unit"]) for r in rows])
    item_width = min(ITEM_WIDTH, max([len("item.field")] + [
        len(f"{r['item']}.{r['field']}") for r in rows]))
    room = width - (item_width + unit_width + 2 * 3 + 1)  # 3: padding and a rule per column
    per_table = max(1, room // (year_width + 3))
    chunks = [years[i:i + per_table] for i in range(0, len(years), per_table)] or [[]]
    return [_money_table(title if i == 0 else f"{title}, continued", rows, chunk, item_width)
            for i, chunk in enumerate(chunks)]


def _money_table(title: str, rows: list[dict[str, Any]], years: list[int],
                 item_width: int) -> Table:
    """One money table with the year columns ``years``."""
    table = Table(title=title, caption="capex at the build year; running costs and prices: "
                  "the mean of each span")
    table.add_column("item.field", overflow="fold", max_width=item_width)
    table.add_column("unit", no_wrap=True)
    for y in years:
        table.add_column(str(y), justify="right", no_wrap=True)
    for row in rows:
        table.add_row(f"{row['item']}.{row['field']}", row["unit"],
                      *(_money(row["values"][y]) for y in years))
    return table


def _money(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.3g}"


def print_summary(s: dict[str, Any], console: Console | None = None) -> None:
    """Print a plan summary."""
    (console or Console(soft_wrap=True)).print(summary_renderable(s))


def alternatives_table(table: dict[str, Any]) -> Table:
    """The least-cost plan and its alternatives (summary.json ``alternatives``), one line
    each: its cost over the least cost and the total its direction pushed (a mean over the
    horizon) against the least-cost plan's."""
    rooms = {f"{r['subject']}.{r['measure']}": r for r in table["room_to_choose"]}
    out = Table(title=f"Alternatives within {table['slack']:.1%} of the least cost "
                f"(totals: discounted means over the horizon)")
    for col in ("plan", "cost", "what it pushes", "least cost"):
        out.add_column(col, justify="left" if col in ("plan", "what it pushes") else "right")
    for r in table["plans"]:
        if "net_present_cost" not in r:
            out.add_row(r["name"], f"no plan ({r['status']})", "", "")
            continue
        over = r["over_least_cost"] if abs(r["over_least_cost"]) >= 5e-5 else 0.0
        cost = (f"{over:+.2%}" if r["name"] != "least-cost" else
                f"{_money(r['net_present_cost'])} {table['currency']}")
        key = r["direction"].rpartition(":")[0]
        room = rooms.get(key)
        same = f" (same as {r['same_as']})" if r.get("same_as") else ""
        if room is None:
            out.add_row(r["name"] + same, cost, "mixed" if r["direction"] else "", "")
            continue
        out.add_row(r["name"] + same, cost,
                    f"{room['subject']} {_total(r['totals'][key])} {room['unit']}",
                    _total(room["least_cost"]))
    return out


def _total(value: float) -> str:
    return _num(value) if abs(value) >= 100 else _mw(abs(value) if abs(value) < 5e-7 else value)


def print_alternatives(table: dict[str, Any], console: Console) -> None:
    """:func:`alternatives_table` on ``console``."""
    console.print(alternatives_table(table))
