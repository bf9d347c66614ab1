"""What the command modules beside ``cnplan/cli.py`` share: the consoles, one-line errors
and the ``--out`` check before any work."""

from __future__ import annotations

from pathlib import Path
from typing import NoReturn

import typer
from rich.console import Console
from rich.markup import escape

from cnplan.exitcodes import EXIT_BAD_INPUT
from cnplan.outputs import OutputRefusedError
from plant.errors import PlanError

# soft_wrap: one line per message however narrow the terminal (as in cnplan/cli.py)
err = Console(stderr=True, soft_wrap=True)
out = Console(soft_wrap=True)


def fail(message: str, code: int = EXIT_BAD_INPUT) -> NoReturn:
    """Print one ``error: PATH: what is wrong`` line (never read as markup), exit ``code``."""
    err.print("[bold red]error:[/] " + escape(message), highlight=False)
    raise typer.Exit(code)


def invalid_file(path: Path, what: str, exc: PlanError) -> NoReturn:
    """Exit 2 on an invalid input file: one line naming it, then its issues (file, line,
    key path, message), at most 25."""
    err.print(f"[bold red]error:[/] {escape(str(path))} is not a valid {what}:",
              highlight=False)
    for issue in exc.issues[:25]:
        err.print(f"  {issue}", highlight=False, markup=False)
    raise typer.Exit(EXIT_BAD_INPUT) from None


def check_out_folder(out_dir: Path, overwrite: bool, inputs: list[Path]) -> None:
    """Before any work: exit 2 unless ``out_dir`` can be written as a run folder
    (:func:`cnplan.out_checks.check_out_folder`)."""
    from cnplan.out_checks import check_out_folder as check

    try:
        check(out_dir, overwrite=overwrite, inputs=inputs)
    except OutputRefusedError as exc:
        fail(str(exc))
