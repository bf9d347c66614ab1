"""Sweeps: same answers as independent runs, failures recorded, Dask, resume after a kill."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from cnplan.sweeps import Axis, SweepSpec, read_points, run_sweep
from cnplan.sweeps.breakeven import sweep_report
from optimiser import run_plan
from plant.loader import read_plan

from ..optimiser.helpers import write_plan

ROOT = Path(__file__).resolve().parents[2]
PRICES = "fuels.bioethanol.price_per_mwh"
GRID = "grid.import_price_scale"


def _spec(*sets: str, **kw) -> SweepSpec:
    return SweepSpec(tuple(Axis.parse(s) for s in sets), **kw)


def test_grid_sweep_matches_independent_runs(tmp_path):
    """Six points re-solved in one model give the objectives and SOFC capacities of six
    independent cold runs (1e-6 relative); the model is built once."""
    plan_file = write_plan(tmp_path, {}, base="sofc_plan.yaml")
    spec = _spec(f"{PRICES}=20:60:3", f"{GRID}=0.9:1.1:2")
    result = run_sweep(read_plan(plan_file), spec, tmp_path / "sweep", resolution="repdays:2")
    assert (result.total, result.ran, result.failed) == (6, 6, 0)
    records = read_points(tmp_path / "sweep")
    assert sorted(r["rebuilt"] for r in records.values()) == [False] * 5 + [True]
    ds = xr.open_dataset(tmp_path / "sweep" / "sweep.nc")
    sofc = ds["capacity_last"].sel(tech="sofc_bioethanol")
    assert float(sofc.max()) > 0.5 and float(sofc.min()) == 0.0  # the sweep moves the plan
    for price in (20.0, 40.0, 60.0):
        for scale in (0.9, 1.1):
            ref = run_plan(read_plan(write_plan(tmp_path, {
                "fuels": {"bioethanol": {"price_per_mwh": price}},
                "grid": {"import_price_per_mwh": 200 * scale}}, base="sofc_plan.yaml",
                name=f"ref_{price}_{scale}.yaml")), "repdays:2").results
            at = {PRICES: price, GRID: scale}
            assert float(ds["objective"].sel(at)) == pytest.approx(ref.attrs["objective"],
                                                                 rel=1e-6)
            assert float(sofc.sel(at)) == pytest.approx(
                float(ref["capacity"].sel(tech="sofc_bioethanol").isel(year=-1)), abs=1e-6)
    ds.close()


def test_failed_points_are_recorded_not_fatal(tmp_path):
    """A target nothing can meet and a negative price scale fail with their reasons; the
    other points are solved."""
    target = {"name": "half", "year": 2025, "reduction": 0.0}
    plan_file = write_plan(tmp_path, {"targets": [target]})
    spec = _spec("targets.0.reduction=0:0.5:2", f"{GRID}=-1:1:2")
    result = run_sweep(read_plan(plan_file), spec, tmp_path / "out", resolution="repdays:1")
    assert (result.total, result.failed) == (4, 3)
    ds = xr.open_dataset(tmp_path / "out" / "sweep.nc")
    status = ds["status"].to_series().to_dict()
    assert status[(0.0, 1.0)] == "optimal"
    assert status[(0.5, 1.0)] == "targets_missed"
    assert status[(0.0, -1.0)] == status[(0.5, -1.0)] == "invalid"
    reason = ds["reason"].to_series().to_dict()
    assert "target 'half' cannot be met in 2025" in reason[(0.5, 1.0)]
    assert "must not be negative" in reason[(0.0, -1.0)]
    assert np.isnan(float(ds["objective"].sel({"targets.0.reduction": 0.5, GRID: 1.0})))
    assert float(ds["objective"].sel({"targets.0.reduction": 0.0, GRID: 1.0})) == (
        pytest.approx(8760 * 100))
    ds.close()


def test_dask_local_cluster_gives_the_in_process_results(tmp_path):
    """The same lhs sweep on a real two-worker LocalCluster and in process."""
    from distributed import Client, LocalCluster

    plan_file = write_plan(tmp_path, {}, base="sofc_plan.yaml")
    spec = _spec(f"{PRICES}=20:60", f"{GRID}=0.8:1.2", sample="lhs", n=6, seed=3)
    loaded = read_plan(plan_file)
    # worker processes: Pyomo redirects file descriptors while HiGHS runs, which two solver
    # threads in one process would fight over
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        dask = run_sweep(loaded, spec, tmp_path / "dask", resolution="repdays:2",
                         scheduler=client)
        workers = len(client.scheduler_info()["workers"])
    local = run_sweep(loaded, spec, tmp_path / "local", resolution="repdays:2")
    assert workers == 2
    assert (dask.ran, dask.failed, local.ran) == (6, 0, 6)
    with xr.open_dataset(tmp_path / "dask" / "sweep.nc") as a, \
            xr.open_dataset(tmp_path / "local" / "sweep.nc") as b:
        assert a.sizes["point"] == 6
        np.testing.assert_allclose(a["objective"], b["objective"], rtol=1e-6)
        np.testing.assert_allclose(a[PRICES], b[PRICES])


def test_resume_after_kill_loses_and_repeats_nothing(tmp_path):
    """Kill a sweep (SIGKILL) once some points are saved; the rerun (on two worker
    processes) runs only the rest and leaves the saved files untouched."""
    plan_file = write_plan(tmp_path, {}, base="sofc_plan.yaml")
    out = tmp_path / "sweep"
    # demand changes the model's structure, so every point is a (slow enough) new build
    cmd = [str(Path(sys.executable).parent / "cnplan"), "sweep", str(plan_file), "--set",
           "demand.electricity.annual_mwh=8000:9000:10", "--out", str(out),
           "--resolution", "repdays:1"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            if len(list((out / "points").glob("*.json"))) >= 3 if out.exists() else False:
                break
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait()
    before = {p.name: (p.stat().st_mtime_ns, p.read_text()) for p in
              (out / "points").glob("*.json")}
    assert 3 <= len(before) < 10, "the sweep was not interrupted mid-way"
    assert not (out / "sweep.nc").exists()
    rerun = subprocess.run([*cmd, "--workers", "2"], cwd=ROOT, env=env, capture_output=True,
                           text=True, timeout=120)
    assert rerun.returncode == 0, rerun.stderr
    assert f"{10 - len(before)} run, {len(before)} already done, 0 failed" in rerun.stdout
    after = {p.name: (p.stat().st_mtime_ns, p.read_text()) for p in
             (out / "points").glob("*.json")}
    assert len(after) == 10
    assert all(after[name] == value for name, value in before.items())
    assert not list((out / "points").glob(".*"))  # no temporary files left
    records = [json.loads(v[1]) for v in after.values()]
    assert all(r["ok"] for r in records)
    assert len({r["values"]["demand.electricity.annual_mwh"] for r in records}) == 10


def test_report_finds_the_ethanol_breakeven(tmp_path):
    """SOFC is built up to 60 GBP/MWh of ethanol, not at 70 (grid at 200 GBP/MWh on
    average; the twin's life-average unit, 52.7 % at full load, docs/sofc.md): the
    break-even is bracketed by 60 and 70, and the HTML fragment embeds a plot."""
    plan_file = write_plan(tmp_path, {}, base="sofc_plan.yaml")
    run_sweep(read_plan(plan_file), _spec(f"{PRICES}=30:70:5"), tmp_path / "s",
              resolution="repdays:2")
    written = sweep_report(tmp_path / "s")
    assert any(p.suffix == ".png" for p in written)
    data = json.loads((tmp_path / "s" / "breakeven.json").read_text())
    (found,) = [b for b in data["breakevens"] if b["technology"] == "sofc_bioethanol"]
    assert found["direction"] == "no longer built above"
    assert found["bracket"] == [60.0, 70.0]
    assert 60.0 <= found["value"] <= 70.0
    assert found["year"] == 2025 and found["unit"] == "GBP/MWh"  # the plan's only year
    assert found["price"] == found["value"]  # a price set directly is already money
    assert found["price_bracket"] == [60.0, 70.0]
    assert data["resolution"] == "repdays:2"
    html = (tmp_path / "s" / "breakeven.html").read_text()
    assert "<table>" in html and "data:image/png;base64," in html
    assert "GBP/MWh" in html and "repdays:2" in html


def test_breakeven_of_a_price_scale_in_money_and_per_litre(tmp_path):
    """A scale of the plan's 100 GBP/MWh ethanol: the break-even bracket [0.6, 0.7] is
    60-70 GBP/MWh, and with 0.00589 MWh/L (21.2 MJ/L LHV) 0.3534-0.4123 GBP/L."""
    plan_file = write_plan(tmp_path, {"fuels": {"bioethanol": {
        "price_per_mwh": 100.0, "energy_mwh_per_litre": 0.00589, "label": "bio-ethanol"}}},
        base="sofc_plan.yaml")
    run_sweep(read_plan(plan_file), _spec("fuels.bioethanol.price_scale=0.3:0.7:5"),
              tmp_path / "s", resolution="repdays:2")
    sweep_report(tmp_path / "s")
    data = json.loads((tmp_path / "s" / "breakeven.json").read_text())
    (found,) = [b for b in data["breakevens"] if b["technology"] == "sofc_bioethanol"]
    assert found["bracket"] == pytest.approx([0.6, 0.7])
    assert found["price_bracket"] == pytest.approx([60.0, 70.0])
    assert found["unit_per_litre"] == "GBP/L"
    assert found["price_per_litre_bracket"] == pytest.approx([0.3534, 0.4123])
    assert found["price_per_litre"] == pytest.approx(found["price"] * 0.00589)
    assert found["parameter_label"] == "bio-ethanol price"
    plots = {p.name for p in (tmp_path / "s" / "plots").iterdir()}
    assert "capacity_sofc_bioethanol_2025__fuels.bioethanol.price_scale.png" in plots


def test_axis_meaning_of_the_tochigi_ethanol_price():
    """fuels.bioethanol.price_scale on Tochigi: 20,400 JPY/MWh in every year, so a scale of
    0.5 is 10,200 JPY/MWh in 2030 and 2050, i.e. 60.08 JPY/L at 0.00589 MWh/L."""
    from cnplan.sweeps.axes import axis_meaning, axis_value_in_money, per_litre_unit

    plan = read_plan(ROOT / "sites" / "tochigi.yaml").plan
    meaning = axis_meaning(plan, "fuels.bioethanol.price_scale")
    assert (meaning["field"], meaning["unit"], meaning["scale"]) == (
        "fuels.bioethanol.price_per_mwh", "JPY/MWh", True)
    assert meaning["label"] == "bio-ethanol price"
    for year in (2030, 2050):
        assert axis_value_in_money(meaning, 0.5, year) == pytest.approx(10200.0)
    assert per_litre_unit(meaning) == "JPY/L"
    assert 10200.0 * meaning["mwh_per_litre"] == pytest.approx(60.078)
    direct = axis_meaning(plan, "grid.import_price_per_mwh")
    assert axis_value_in_money(direct, 25000.0, 2030) == 25000.0
    assert per_litre_unit(direct) is None


def test_breakeven_counts_capacity_above_the_existing_assets():
    """An existing 3 kW unit still in service (0.0025 MW time-weighted, 0.003 MW nameplate
    floor) is not a reason to say the SOFC is built everywhere: 6.41 MW at a scale of 0.2 and
    only the existing unit at 0.6 and 1.0 is a break-even between 0.2 and 0.6, and the
    estimate stays inside its bracket."""
    from cnplan.sweeps.breakeven import _changes

    meaning = {"key": "k", "field": "k", "scale": True, "label": "bio-ethanol price",
               "unit": "JPY/MWh", "base": {2030: 20400.0}, "mwh_per_litre": 0.00589}
    (found,) = _changes(np.array([0.2, 0.6, 1.0]), np.array([6.41, 0.0025, 0.0025]), "k", "",
                        2030, "sofc", meaning, "bio-ethanol SOFC", floor=0.003)
    assert found["direction"] == "no longer built above"
    assert found["bracket"] == [0.2, 0.6] and 0.2 <= found["value"] <= 0.6
    assert found["price_bracket"] == pytest.approx([4080.0, 12240.0])
    assert found["price_per_litre_bracket"] == pytest.approx([24.03, 72.09], abs=0.01)
    (up,) = _changes(np.array([0.2, 0.6, 1.0]), np.array([0.0, 0.0, 6.0]), "k", "", 2030,
                     "wind", meaning, "onshore wind")
    assert up["direction"] == "built above" and up["bracket"] == [0.6, 1.0]
    # a technology built at every price, only more or less of it, has no break-even
    assert _changes(np.array([0.2, 0.6, 1.0]), np.array([5.16, 12.0, 19.13]), "k", "", 2030,
                    "pv", meaning, "rooftop PV") == []


def test_chunks_keep_a_model_on_one_worker(tmp_path):
    """Points that differ in prices only go to one worker (one build, warm re-solves); a
    price group is split only into parts of at least WARM_POINTS_PER_BUILD points; every
    structural point is a chunk of its own; an invalid point is a chunk of its own."""
    from cnplan.sweeps.runner import WARM_POINTS_PER_BUILD, chunks

    loaded = read_plan(write_plan(tmp_path, {}, base="sofc_plan.yaml"))

    def sizes(*sets: str, workers: int = 2, **kw) -> list[int]:
        parts, invalid = chunks(loaded, _spec(*sets, **kw).points(), workers)
        return sorted([len(c) for c in parts] + [1] * len(invalid))

    assert sizes(f"{PRICES}=20:60:{2 * WARM_POINTS_PER_BUILD - 1}") == [
        2 * WARM_POINTS_PER_BUILD - 1]
    assert sizes(f"{PRICES}=20:60:{2 * WARM_POINTS_PER_BUILD + 1}") == [
        WARM_POINTS_PER_BUILD, WARM_POINTS_PER_BUILD + 1]
    assert sizes(f"{PRICES}=20:60:{2 * WARM_POINTS_PER_BUILD + 1}", workers=1) == [
        2 * WARM_POINTS_PER_BUILD + 1]
    n = 3 * WARM_POINTS_PER_BUILD + 1  # balanced: no part below the least
    assert sizes(f"{PRICES}=20:60:{n}", workers=3) == [
        WARM_POINTS_PER_BUILD, WARM_POINTS_PER_BUILD, WARM_POINTS_PER_BUILD + 1]
    assert sizes("finance.discount_rate=0.03:0.1:6") == [1] * 6
    assert sizes("finance.discount_rate=0.03:0.1:3", f"{PRICES}=20:60:5") == [5, 5, 5]
    # two structures on two workers: one each, however many prices (no idle worker to fill)
    assert sizes("finance.discount_rate=0.03:0.1:2",
                 f"{PRICES}=20:60:{4 * WARM_POINTS_PER_BUILD}") == [
        4 * WARM_POINTS_PER_BUILD] * 2
    # -1 and -0.5 are invalid (apart, shown as 1 each here); at 0 the objective's unit
    # changes (another build); 0.5 and 1 share one model
    assert sizes(f"{GRID}=-1:1:5") == [1, 1, 1, 2]
    # invalid points do not count as structures: a large valid group is still split
    n = 2 * WARM_POINTS_PER_BUILD + 2
    parts, invalid = chunks(loaded, _spec(f"{PRICES}=-2:{n - 3}:{n}").points(), 2)
    assert len(invalid) == 2 and sorted(len(c) for c in parts) == [
        WARM_POINTS_PER_BUILD, WARM_POINTS_PER_BUILD]
