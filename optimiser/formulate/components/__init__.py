"""Technology components: one module per technology family adds its part of the model.

A component module decorates its ``add(ctx, name, tech)`` with ``@registers("<kind>")``; every
module of this package is imported here, so adding a technology kind is its schema class
(``plant/schema/technologies.py``, with its metadata), its component module here and its
catalogue data — three files. ``markets`` and ``ppa`` add what the site buys.

A technology component states each flow once: ``ctx.supply(name, carrier, term,
exportable=...)`` for what it supplies, ``ctx.draw(name, carrier, term)`` for what it draws
and ``ctx.add_fuel_use(name, fuel, year, expr)`` for what it burns
(:mod:`optimiser.formulate.context`); these fill the balances, ``output``, ``consumption``,
``local_generation`` and the fuel registers together. It never calls ``add_balance`` nor writes
those registers itself: after it runs, the builder checks its flows against its schema class's
``outputs()``, ``inputs()``, ``fuels_burned()`` and ``generates``
(:func:`~optimiser.formulate.context.check_flows`).
"""

from __future__ import annotations

import importlib
import pkgutil

from optimiser.formulate.components._registry import REGISTRY, registers

for _module in pkgutil.iter_modules(__path__):
    if not _module.name.startswith("_"):
        importlib.import_module(f"{__name__}.{_module.name}")

__all__ = ["REGISTRY", "registers"]
