"""Generate the figures of docs/sofc.md: ``python scripts/make_sofc_figures.py``.

Writes ``docs/img/sofc_iv.png`` (button-cell I-V and power curves of the default
metal-supported cell at 650 and 700 degC on reformed 45/55 blend) and
``docs/img/sofc_efficiency.png`` (net AC efficiency, stack efficiency and
recoverable heat versus load, new and after 20,000 and 40,000 h).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import sofc  # noqa: E402
from sofc.reformer import reform, steam_to_carbon_from_blend  # noqa: E402


def iv_figure(path: Path) -> None:
    """I-V and power density of the calibrated default cell (button cell, its contact ASR
    included), with the published anchors of scripts/calibrate_cell.py."""
    params = sofc.read_cell_parameters()
    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    ax2 = ax.twinx()
    for t_c, color in [(650, "tab:blue"), (700, "tab:red")]:
        t = t_c + 273.15
        x = reform(t, steam_to_carbon_from_blend(0.45)).mole_fractions
        i_lim = float(sofc.cell_performance(1.0, t, 101325.0, x["H2"], x["H2O"], 0.21,
                                            params).limiting_current)
        i = np.linspace(1.0, 0.98 * i_lim, 300)
        c = sofc.cell_performance(i, t, 101325.0, x["H2"], x["H2O"], 0.21, params)
        ok = c.voltage > 0.2
        ax.plot(i[ok] / 1e4, c.voltage[ok], color=color, label=f"{t_c} degC voltage")
        ax2.plot(i[ok] / 1e4, c.voltage[ok] * i[ok] / 1e4, "--", color=color,
                 label=f"{t_c} degC power")
    ax.axhline(0, color="k", lw=0.5)
    ax2.plot([], [])
    ax2.axhline(1.0, color="tab:blue", lw=0.6, ls=":", label="LBNL peak 1.0 W/cm2, 650 degC blend")
    ax.scatter([1.90], [0.60], marker="*", s=120, color="k",
               label="DTU 0.60 V at 1.90 A/cm2, 650 degC H2")
    ax.set_xlabel("current density [A/cm2]")
    ax.set_ylabel("cell voltage [V]")
    ax2.set_ylabel("power density [W/cm2]")
    ax.set_ylim(0.2, 1.15)
    ax2.set_ylim(0, 2.2)
    h1, l1 = ax.get_legend_handles_labels()
    h2, l2 = ax2.get_legend_handles_labels()
    ax.legend(h1 + h2, l1 + l2, loc="upper right", fontsize=8)
    ax.set_title("Default metal-supported cell, reformed 45/55 ethanol-water blend")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def efficiency_figure(path: Path) -> None:
    """Efficiency and heat versus net power fraction for three stack ages."""
    ds = sofc.system_curve(sofc.SystemConfig(), n_points=25,
                           operating_hours=(0.0, 20000.0, 40000.0), cache=False)
    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    rated = float(ds.rated_power_kw.sel(operating_hours=0.0))
    for h in ds.operating_hours.values:
        s = ds.sel(operating_hours=h)
        axes[0].plot(s.power_kw / rated, 100 * s.efficiency_lhv, label=f"net AC, {h:,.0f} h")
        axes[1].plot(s.power_kw / rated, s.heat_kw, label=f"{h:,.0f} h")
    s0 = ds.sel(operating_hours=0.0)
    axes[0].plot(s0.power_kw / rated, 100 * s0.stack_efficiency_lhv, "k--",
                 label="stack DC, 0 h")
    fit = sofc.piecewise_fit(ds, 4)
    x = np.linspace(fit.min_load_fraction, 1.0, 100)
    axes[0].plot(x, 100 * x / fit.fuel(x), ":", color="gray",
                 label=f"convex fit (max err {fit.max_error:.1%})")
    axes[0].set_xlabel("net AC power / rated power (new) [-]")
    axes[0].set_ylabel("efficiency, LHV of liquid ethanol [%]")
    axes[0].legend(fontsize=8)
    axes[1].set_xlabel("net AC power / rated power (new) [-]")
    cfg = sofc.SystemConfig()
    axes[1].set_ylabel(f"process heat, {cfg.heat_return_temperature_c:g} -> "
                       f"{cfg.heat_supply_temperature_c:g} degC [kW]")
    axes[1].legend(fontsize=8)
    fig.suptitle(f"Default system: {rated:.2f} kW net AC rated, 120 cells x 100 cm2")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main() -> None:
    out = ROOT / "docs" / "img"
    out.mkdir(parents=True, exist_ok=True)
    iv_figure(out / "sofc_iv.png")
    efficiency_figure(out / "sofc_efficiency.png")
    print(f"wrote {out / 'sofc_iv.png'} and {out / 'sofc_efficiency.png'}")


if __name__ == "__main__":
    main()
