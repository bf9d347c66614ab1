"""Technology components: one module per technology family adds its part of the model.

A component module decorates its ``add(ctx, name, tech)`` with ``@registers("<kind>")``; every
module of this package is imported here, so adding a technology kind is its schema class
(``plant/schema/technologies.py``, with its metadata), its component module here and its
catalogue data — three files. ``markets`` and ``ppa`` add what the site buys.
"""

from __future__ import annotations

import importlib
import pkgutil

from optimiser.build.components._registry import REGISTRY, registers

for _module in pkgutil.iter_modules(__path__):
    if not _module.name.startswith("_"):
        importlib.import_module(f"{__name__}.{_module.name}")

__all__ = ["REGISTRY", "registers"]
