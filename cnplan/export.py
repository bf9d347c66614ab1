"""``cnplan export``: a plan run's result tables as one Excel workbook or a folder of CSVs.

The tables are :data:`cnplan.tables.TABLES` (capacities, builds, costs, emissions, targets,
fuels, dispatch of the representative days) plus ``about`` (site, scenario, plan hash,
version). Column headers carry units. Files are written atomically; an existing file or a
non-empty folder is replaced only when asked.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Literal

import pandas as pd
import xarray as xr

from cnplan.outputs import OutputExistsError, atomic_write
from cnplan.tables import TABLES, about

Format = Literal["xlsx", "csv"]


def result_tables(run_dir: Path) -> dict[str, pd.DataFrame]:
    """Every table of the run in ``run_dir`` (``about`` first)."""
    with xr.open_dataset(Path(run_dir) / "results.nc") as opened:
        ds = opened.load()
    return {"about": about(ds)} | {name: make(ds) for name, make in TABLES.items()}


def export_run(run_dir: Path, fmt: Format, out: Path, *, overwrite: bool = False) -> list[Path]:
    """Write the tables of ``run_dir`` to ``out``: a workbook (one sheet per table) for
    ``xlsx``, a folder of ``<table>.csv`` for ``csv``. Returns the files written."""
    tables = result_tables(run_dir)
    if fmt == "xlsx":
        return [atomic_write(out, lambda p: _write_xlsx(tables, p), overwrite=overwrite)]
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise OutputExistsError(f"{out} is a file; give a folder for --format csv")
    if out.exists() and any(out.iterdir()) and not overwrite:
        raise OutputExistsError(f"{out} exists and is not empty; pass --overwrite to replace "
                                "its tables, or choose another --out")
    return [atomic_write(out / f"{name}.csv", _csv_writer(table), overwrite=True)
            for name, table in tables.items()]


def _csv_writer(table: pd.DataFrame) -> Callable[[Path], None]:
    def write(path: Path) -> None:
        table.to_csv(path, index=False, encoding="utf-8")

    return write


def _write_xlsx(tables: dict[str, pd.DataFrame], path: Path) -> None:
    with pd.ExcelWriter(path, engine="openpyxl") as book:
        for name, table in tables.items():
            table.to_excel(book, sheet_name=name, index=False)
            sheet = book.sheets[name]
            sheet.freeze_panes = "A2"
            for column in sheet.columns:
                width = max(len(str(c.value)) if c.value is not None else 0
                            for c in column[:200])
                sheet.column_dimensions[column[0].column_letter].width = min(width + 2, 60)
