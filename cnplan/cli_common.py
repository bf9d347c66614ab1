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

# soft_wrap: one line per message however narrow the terminal (as in cnplan/cli.py)
err = Console(stderr=True, soft_wrap=True)
out = Console(soft_wrap=True)


def fail(message: str, code: int = EXIT_BAD_INPUT) -> NoReturn:
    """Print one ``error: PATH: what is wrong`` line (never read as markup), exit ``code``."""
    err.print("[bold red]error:[/] " + escape(message), highlight=False)
    raise typer.Exit(code)


def check_out_folder(out_dir: Path, overwrite: bool, inputs: list[Path]) -> None:
    """Before any work: exit 2 unless ``out_dir`` can be written as a run folder
    (:func:`cnplan.out_checks.check_out_folder`)."""
    from cnplan.out_checks import check_out_folder as check

    try:
        check(out_dir, overwrite=overwrite, inputs=inputs)
    except OutputRefusedError as exc:
        fail(str(exc))
