"""The registry of technology components: ``kind`` (the schema class's tag) -> ``add``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

#: kind -> add(ctx, name, tech)
REGISTRY: dict[str, Callable[..., Any]] = {}


def registers(*kinds: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorate a component's ``add(ctx, name, tech)`` as the one for ``kinds``."""

    def mark(add: Callable[..., Any]) -> Callable[..., Any]:
        for kind in kinds:
            if kind in REGISTRY:
                raise ValueError(f"technology kind {kind!r} is registered twice")
            REGISTRY[kind] = add
        return add

    return mark
