"""The model's economic conventions as plain functions: discounting, spans, salvage, cohorts.

Everything here is documented with its formula in docs/optimiser.md ("Economic conventions")
and pinned by hand-computable tests (tests/economics/). Symbols: r the discount rate, v = 1/(1+r),
y₀ the base year, Y the modelled (investment) years, n_y the calendar years y stands for (its
span: to the next modelled year; 1 for the last), T = y_last + 1 the end of the horizon.

* A yearly cost in calendar year τ is discounted by v^(τ−y₀); a one-off cost in year y too.
  A modelled year's yearly cost counts for its whole span: δ_y = Σ_{τ=y}^{y+n_y−1} v^(τ−y₀).
* Prices in a span: the discount-weighted mean of the trajectory over the span's years,
  p̄_y = Σ_τ v^(τ−y₀) p(τ) / δ_y, so that δ_y·p̄_y is the span's exact present value.
* Capital: capex c paid once in the build year b; a cohort that outlives the horizon returns
  the present value of the level annuity-due it still owes, c·ä(b+L−T)/ä(L) at T, with
  ä(n) = Σ_{k=0}^{n−1} v^k. Net, a cohort costs exactly the annuity-due a = c/ä(L) in each
  calendar year it serves inside the horizon (no year is paid for and not served).
* Cohorts: a cohort built in b with life L serves the years b … b+L−1; in span y it counts
  with the discount-weighted share of the span's years it is alive (PV output further
  derated by (1 − d)^(τ−b) in each of them). Build limits hold in every calendar year.
"""

from __future__ import annotations

from dataclasses import dataclass

from plant.trajectory import Trajectory


def annuity_due_factor(rate: float, years: int) -> float:
    """ä(n) = Σ_{k=0}^{n−1} (1+r)^−k: present value of 1 paid at the start of n years."""
    return sum((1.0 + rate) ** -k for k in range(max(years, 0)))


def salvage_fraction(rate: float, life: int, remaining: int) -> float:
    """Share of capex a cohort is worth at the horizon end with ``remaining`` years of life
    left: ä(remaining)/ä(life), valued at the horizon end (0 if none remain).

    Examples
    --------
    >>> round(salvage_fraction(0.0, 20, 5), 12)   # no discounting: straight line
    0.25
    >>> round(salvage_fraction(0.07, 20, 19), 4)   # built in the last year of a horizon
    0.9756
    """
    if remaining <= 0:
        return 0.0
    return annuity_due_factor(rate, remaining) / annuity_due_factor(rate, life)


@dataclass(frozen=True)
class Spans:
    """Modelled years, the calendar years each stands for, and discounting."""

    years: tuple[int, ...]
    rate: float
    base_year: int

    @property
    def span(self) -> dict[int, int]:
        """n_y: calendar years modelled year y stands for (1 for the last)."""
        ys = self.years
        return {y: (ys[i + 1] - y if i + 1 < len(ys) else 1) for i, y in enumerate(ys)}

    @property
    def horizon_end(self) -> int:
        """T: the first calendar year after the horizon."""
        return self.years[-1] + self.span[self.years[-1]]

    def calendar(self, year: int) -> range:
        """The calendar years modelled year ``year`` stands for."""
        return range(year, year + self.span[year])

    def discount(self, calendar_year: float) -> float:
        """v^(τ − y₀) for a cost in calendar year τ."""
        return (1.0 + self.rate) ** -(calendar_year - self.base_year)

    @property
    def once(self) -> dict[int, float]:
        """Discount factor of a one-off cost in modelled year y."""
        return {y: self.discount(y) for y in self.years}

    @property
    def annual(self) -> dict[int, float]:
        """δ_y: discount factor of a yearly cost in modelled year y over its span."""
        return {y: sum(self.discount(t) for t in self.calendar(y)) for y in self.years}

    def mean(self, trajectory: Trajectory, year: int) -> float:
        """p̄_y: discount-weighted mean of ``trajectory`` over the span of ``year``.

        Examples
        --------
        >>> s = Spans((2030, 2032), 0.0, 2030)
        >>> s.mean(Trajectory({2030: 10.0, 2031: 20.0}), 2030)
        15.0
        """
        years = self.calendar(year)
        weights = [self.discount(t) for t in years]
        return sum(w * trajectory.at(t) for w, t in zip(weights, years, strict=True)) / sum(
            weights)

    def alive(self, build_year: int, life: int, year: int) -> list[int]:
        """Calendar years of the span of ``year`` in which a cohort built in ``build_year``
        with life ``life`` exists (b ≤ τ < b + L)."""
        return [t for t in self.calendar(year) if build_year <= t < build_year + life]

    def cohort_weight(self, build_year: int, life: int, year: int,
                      degradation: float = 0.0) -> float:
        """Weight of one MW built in ``build_year`` in modelled year ``year``.

        w = Σ_{τ ∈ span(y), b ≤ τ < b+L} v^(τ−y₀) (1 − d)^(τ − b) / δ_y: the discount-weighted
        share of the span the cohort is alive, each year derated by age when ``degradation``
        d > 0. Weighted like the span's prices, so that δ_y·w·(a yearly quantity) is the
        present value of the years the cohort really serves.

        Examples
        --------
        >>> s = Spans((2025, 2030, 2035, 2040, 2045), 0.0, 2025)
        >>> s.cohort_weight(2025, 16, 2040)    # alive 2040 only of 2040-2044
        0.2
        >>> round(Spans((2025, 2030, 2035, 2040, 2045), 0.07, 2025).cohort_weight(
        ...     2025, 16, 2040), 4)             # its first year weighs most: 1/ä(5)
        0.2279
        >>> s.cohort_weight(2025, 16, 2035)
        1.0
        """
        factor = 1.0 - degradation
        served = sum(self.discount(t) * factor ** (t - build_year)
                     for t in self.alive(build_year, life, year))
        return served / self.annual[year]
