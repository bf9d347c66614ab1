"""The ``cnplan sofc`` command line, tested on ``sofc.cli.app``."""

import json

import pytest
import yaml
from typer.testing import CliRunner

from sofc import read_cell_parameters
from sofc.cli import app

runner = CliRunner()


def test_reformer_json() -> None:
    result = runner.invoke(app, ["reformer", "--temperature-c", "700", "--steam-to-carbon", "2.0",
                                 "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert {"h2_per_ethanol", "mole_fractions", "carbon_deposition", "min_steam_to_carbon",
            "heat_duty_kj_per_mol_ethanol"} <= out.keys()
    assert out["carbon_deposition"] is False
    assert sum(out["mole_fractions"].values()) == pytest.approx(1.0)


def test_reformer_table() -> None:
    result = runner.invoke(app, ["reformer", "--temperature-c", "600", "--steam-to-carbon", "0.5"])
    assert result.exit_code == 0
    assert "carbon deposition" in result.stdout and "yes" in result.stdout


def test_cell_json() -> None:
    result = runner.invoke(app, ["cell", "--anode", "H2:0.97,H2O:0.03", "--cathode",
                                 "O2:0.21,N2:0.79", "--temperature-c", "700",
                                 "--current-density-a-cm2", "0.5", "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    losses = sum(out[k] for k in out if k.endswith("_loss_v") or "_loss_" in k)
    assert out["voltage_v"] == pytest.approx(out["nernst_v"] - losses, abs=1e-9)
    assert 0.5 < out["voltage_v"] < out["ocv_v"] < 1.3


def test_curve_csv_and_plot(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("CNPLAN_CACHE_DIR", str(tmp_path / "cache"))
    cfg = tmp_path / "cfg.yaml"
    cfg.write_text("n_segments: 10\nmin_load_fraction: 0.3\n")
    out, png = tmp_path / "curve.csv", tmp_path / "curve.png"
    result = runner.invoke(app, ["curve", "--config", str(cfg), "--out", str(out), "--plot",
                                 str(png), "--n-points", "8"])
    assert result.exit_code == 0, result.output
    header = out.read_text().splitlines()[0].split(",")
    assert {"load_fraction", "power_kw", "efficiency_lhv", "heat_kw", "fuel_kw"} <= set(header)
    assert png.stat().st_size > 1000
    assert "max relative error" in result.stdout


def _bad_params(tmp_path):
    data = read_cell_parameters().model_dump()
    data["anode"]["thickness_m"] = -2e-5
    path = tmp_path / "neg.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


@pytest.mark.parametrize("case", ["thickness", "uf", "temperature", "sum", "species", "nan"])
def test_bad_input_one_line_exit_2(case: str, tmp_path) -> None:
    """Bad parameters give one error line and exit code 2, no traceback and no NaN."""
    cell = ["cell", "--anode", "H2:0.97,H2O:0.03", "--cathode", "O2:0.21,N2:0.79",
            "--temperature-c", "700", "--current-density-a-cm2", "0.5"]
    if case == "thickness":
        args = [*cell, "--params", str(_bad_params(tmp_path))]
    elif case == "uf":
        cfg = tmp_path / "cfg.yaml"
        cfg.write_text("fuel_utilisation: 1.0\n")
        args = ["curve", "--config", str(cfg), "--out", str(tmp_path / "c.csv")]
    elif case == "temperature":
        args = ["cell", "--temperature-c", "1200"]
    elif case == "sum":
        args = ["cell", "--anode", "H2:0.5,H2O:0.1"]
    elif case == "species":
        args = ["cell", "--cathode", "O2:0.21,AIR:0.79"]
    else:
        args = ["reformer", "--temperature-c", "nan"]
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:")
    assert "Traceback" not in result.output and "nan" not in result.stdout.lower()
