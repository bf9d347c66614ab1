"""``cnplan export``: a plan run's result tables as one Excel workbook or a folder of CSVs.

The tables are :data:`cnplan.tables.TABLES` (capacities, builds, costs, emissions, targets,
fuels, dispatch of the representative days) plus ``about`` (site, scenario, plan hash,
version, the money's currency and price year, the present values' base year). Column headers
carry units. A workbook is written atomically and a CSV folder appears whole in one rename;
an existing one is replaced only when asked and only if ``cnplan export`` wrote it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from cnplan.out_checks import check_out_file, check_out_folder, is_export_workbook
from cnplan.outputs import atomic_write, not_written_as_error, write_run_dir
from cnplan.runfolder import RunFolder, as_run_folder, read_json_object
from cnplan.tables import TABLES, about

Format = Literal["xlsx", "csv"]


def result_tables(run: Path | RunFolder) -> dict[str, pd.DataFrame]:
    """Every table of the run (``about`` first); :class:`cnplan.runfolder.RunFolderError` if
    its folder cannot be read (:func:`cnplan.runfolder.read_run_folder`)."""
    folder = as_run_folder(run)
    ds = folder.results
    assert ds is not None  # a plan run always has results
    return {"about": about(ds, _finance(folder.path))} | {
        name: make(ds) for name, make in TABLES.items()}


def _finance(path: Path) -> dict[str, Any]:
    """plan.json's ``finance`` (price year, base year, discount rate); empty without it."""
    if not (path / "plan.json").exists():
        return {}
    finance = read_json_object(path, "plan.json").get("finance")
    return finance if isinstance(finance, dict) else {}


def export_run(run_dir: Path, fmt: Format, out: Path, *, overwrite: bool = False,
               folder: RunFolder | None = None) -> list[Path]:
    """Write the tables of ``run_dir`` to ``out``: a workbook (one sheet per table) for
    ``xlsx``, a folder of ``<table>.csv`` for ``csv``. Returns the files written. Raises
    :class:`cnplan.outputs.OutputRefusedError` before reading anything if ``out`` cannot be
    used (:mod:`cnplan.out_checks`). ``folder``: the run folder already read."""
    out = Path(out)
    if fmt == "xlsx":
        check_out_file(out, overwrite=overwrite, is_ours=is_export_workbook(out),
                       inputs=[run_dir])
        tables = result_tables(folder or run_dir)
        with not_written_as_error(out):
            return [atomic_write(out, lambda p: _write_xlsx(tables, p), overwrite=overwrite)]
    check_out_folder(out, overwrite=overwrite, inputs=[run_dir])
    tables = result_tables(folder or run_dir)

    def fill(folder: Path) -> None:
        for name, table in tables.items():
            _csv_writer(table)(folder / f"{name}.csv")

    with not_written_as_error(out):
        write_run_dir(out, fill, overwrite=overwrite)
    return [out / f"{name}.csv" for name in tables]


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
