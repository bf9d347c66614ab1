"""Where the plants' subproblems live: in this process, or on Dask workers as actors.

Both pools hold one :class:`~optimiser.fleet.pricer.PlantPricer` per plant and call the same
method on all of them at once (:meth:`InProcess.call`, :meth:`DaskPool.call`); a Dask pool's
calls run in parallel, one plant at a time on each worker (an actor's calls are serialised
on its worker), so a worker's memory holds only its own plants' models.
"""

from __future__ import annotations

from typing import Any, Protocol

from optimiser.fleet.plants import PlantSpec
from optimiser.fleet.pricer import PlantPricer


class Pool(Protocol):
    """Pricers by plant name, called together."""

    def call(self, method: str, args: dict[str, tuple[Any, ...]]) -> dict[str, Any]:
        """``pricer.method(*args[name])`` for every plant in ``args``."""
        ...

    @property
    def workers(self) -> int:
        """How many processes solve plants."""
        ...


class InProcess:
    """Every pricer in this process, called one after the other."""

    def __init__(self, specs: list[PlantSpec], time_limit: float | None = None,
                 method: str = "auto"):
        self._pricers = {s.name: PlantPricer(s, threads=None, time_limit=time_limit,
                                             method=method) for s in specs}

    @property
    def workers(self) -> int:
        """One: this process."""
        return 1

    def call(self, method: str, args: dict[str, tuple[Any, ...]]) -> dict[str, Any]:
        """Call ``method`` of each pricer named in ``args``, in turn."""
        return {name: getattr(self._pricers[name], method)(*a) for name, a in args.items()}


class DaskPool:
    """One actor per plant on the workers of a Dask cluster, placed round-robin in the
    fleet file's order, so each worker holds about as many plants."""

    def __init__(self, client: Any, specs: list[PlantSpec], time_limit: float | None = None,
                 method: str = "auto"):
        workers = sorted(client.scheduler_info()["workers"])
        if not workers:
            raise RuntimeError("the Dask cluster has no workers")
        self._n = len(workers)
        futures = {s.name: client.submit(PlantPricer, s, 1, time_limit, method, actor=True,
                                         workers=[workers[i % len(workers)]],
                                         allow_other_workers=False, pure=False)
                   for i, s in enumerate(specs)}
        self._futures = futures
        self._actors = {name: f.result() for name, f in futures.items()}

    def close(self) -> None:
        """Release the actors: their workers drop the plants' models."""
        self._actors.clear()
        for future in self._futures.values():
            future.release()
        self._futures.clear()

    @property
    def workers(self) -> int:
        """The cluster's workers when the pool was made."""
        return self._n

    def call(self, method: str, args: dict[str, tuple[Any, ...]]) -> dict[str, Any]:
        """Call ``method`` on every actor named in ``args`` at once; wait for all."""
        pending = {name: getattr(self._actors[name], method)(*a) for name, a in args.items()}
        return {name: f.result() for name, f in pending.items()}


