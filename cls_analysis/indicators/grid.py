"""Populations and events by zone, period, sex and age band, on dense arrays.

The standardised indicators of the engine (directly standardised rates, ICM, life expectancy)
need, for every zone and period, the events and the population of each age band (and sex).
Populations are dense by nature (every commune has every band), so they are held as arrays of
shape (zones × periods, sexes, bands) rather than as tables with one row per cell: an
indicator's events are added into the cells by integer codes, and the sums over bands are
sums over an axis (or products with a vector of rates), without joins nor tables of
millions of rows. Where the data are irregular (a zone without some band), the engine goes
back to the tables and to :mod:`cls_analysis.stats`, whose checks say what is wrong.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from cls_analysis._keys import among, factorize, label_positions, used_codes
from cls_analysis.stats._poisson import poisson_method
from cls_analysis.stats.isr import isr_from_sums

__all__ = ["BandGrid", "BandPair"]


class BandGrid:
    """The population of every zone by period, sex and band, for the periods of some events.

    Each event period gets the population of its matching period times the years it spans
    (``periods``: ``(event period, population period, factor)``). Arrays are indexed by
    ``zone × len(periods) + period``, then sex (one axis entry, all sexes, unless ``by_sex``),
    then band:

    - ``present``: the cell has population rows;
    - ``n``: their sum (known values), 0 where the cell has none, NaN where none is known;
    - ``secret``: per zone and period, the withheld rows among its cells.

    Parameters
    ----------
    rows : DataFrame
        Observations of the population measure(s): ``zone`` (number, -1: none), ``period``,
        ``sex``, ``age``, ``value``, ``status``.
    selected : ndarray
        Positions of the rows summed (:func:`~cls_analysis.indicators.select.selected_rows`).
    periods : sequence of (str, str, float)
    bands : sequence of str
        The age bands, in order.
    by_sex : bool
    zone_count : int

    Examples
    --------
    >>> rows = pd.DataFrame({"zone": [0, 0, 1], "period": "2021", "sex": "all", "age": ["0-64", "65+", "0-64"],
    ...                      "value": [90.0, 10.0, 50.0], "status": "ok"})
    >>> grid = BandGrid(rows, np.arange(3), [("2019-2021", "2021", 3.0)], ["0-64", "65+"], False, 2)
    >>> grid.n[:, 0].tolist(), grid.present[:, 0].tolist()
    ([[270.0, 30.0], [150.0, 0.0]], [[True, True], [True, False]])
    """

    def __init__(self, rows: pd.DataFrame, selected: np.ndarray, periods: Sequence[tuple[str, str, float]],
                 bands: Sequence[str], by_sex: bool, zone_count: int):
        self.periods = [p for p, _, _ in periods]
        self.bands = list(bands)
        if by_sex:
            codes, labels = factorize(rows["sex"])
            self.sexes = [str(s) for s in labels[used_codes(codes[selected], len(labels))]]
        else:
            self.sexes = None
        source_periods = list(dict.fromkeys(source for _, source, _ in periods))
        self.zone_count = zone_count
        shape = (zone_count, len(source_periods), self.n_sexes, len(self.bands))
        cell = self._cells(rows, selected, source_periods)[0]
        inside = cell >= 0
        cell = cell[inside]
        value = rows["value"].to_numpy(dtype=float)[selected][inside]
        known = ~np.isnan(value)
        size = int(np.prod(shape))
        count = np.bincount(cell, minlength=size)
        total = np.bincount(cell, weights=np.where(known, value, 0.0), minlength=size)
        n_known = np.bincount(cell, weights=known, minlength=size)
        status, labels = factorize(rows["status"])
        withheld = among(status[selected][inside], labels, ["secret"])
        by_source = np.where(n_known > 0, total, np.where(count > 0, np.nan, 0.0)).reshape(shape)
        count = count.reshape(shape)
        # each event period, from its population period (a copy per event period)
        position = [source_periods.index(source) for _, source, _ in periods]
        factor = np.array([f for _, _, f in periods], dtype=float)
        grid = (zone_count * len(self.periods), shape[2], shape[3])
        self.n = (by_source[:, position] * factor[None, :, None, None]).reshape(grid)
        self.present = (count[:, position] > 0).reshape(grid)
        #: withheld rows per cell (None: none) and per zone and period
        self.secret_count = None
        self.secret = np.zeros(grid[0])
        if withheld.any():
            secret = np.bincount(cell[withheld], minlength=size).reshape(shape)
            self.secret_count = secret[:, position].reshape(grid).astype(np.int32)
            self.secret = self.secret_count.sum(axis=(1, 2)).astype(float)
        #: cells of no usable population (none known, or none): events there are inconsistent
        self.unusable = np.isnan(self.n) | (self.n <= 0)
        self.n_filled = np.nan_to_num(self.n)
        self.negative = bool((self.n_filled < 0).any())
        self.has_rows = self.present.any(axis=(1, 2))
        self.complete = self.present.all(axis=(1, 2))

    @property
    def n_sexes(self) -> int:
        return 1 if self.sexes is None else len(self.sexes)

    def _zone_periods(self, rows: pd.DataFrame, selected: np.ndarray, periods: Sequence[str]) -> np.ndarray:
        """The zone and period (``zone × len(periods) + period``) of each ``selected`` row, -1
        for a zone or period outside the grid."""
        zone = rows["zone"].to_numpy(dtype=np.int64)[selected]
        period = label_positions(rows["period"], periods, selected)
        zone_period = zone * len(periods) + period
        zone_period[(zone < 0) | (zone >= self.zone_count) | (period < 0)] = -1
        return zone_period

    def _cells(self, rows: pd.DataFrame, selected: np.ndarray, periods: Sequence[str]
               ) -> tuple[np.ndarray, np.ndarray]:
        """The cell (zone, period, sex, band) of each ``selected`` row, and its zone and period
        (:meth:`_zone_periods`); -1 outside the grid."""
        zone_period = self._zone_periods(rows, selected, periods)
        sex = (np.zeros(len(selected), dtype=np.int64) if self.sexes is None
               else label_positions(rows["sex"], self.sexes, selected))
        band = label_positions(rows["age"], self.bands, selected)
        cell = zone_period * self.n_sexes
        cell += sex
        cell *= len(self.bands)
        cell += band
        cell[(zone_period < 0) | (sex < 0) | (band < 0)] = -1
        return cell, zone_period

    def paired(self, events: pd.DataFrame, rows: np.ndarray, known_rows: np.ndarray | None = None) -> BandPair:
        """The events of the ``rows`` of ``events`` (observations by band), summed by cell in
        the rows' order (values missing count 0; events in a cell without population are left
        out), for the zones and periods having population and events there or known events at
        other ages (``known_rows``)."""
        cell, zone_period = self._cells(events, rows, self.periods)
        has_events = np.zeros(len(self.has_rows), dtype=bool)
        # a row counts for its zone and period whatever its sex and band
        has_events[zone_period[zone_period >= 0]] = True
        if known_rows is not None and len(known_rows):
            known = self._zone_periods(events, known_rows, self.periods)
            has_events[known[known >= 0]] = True
        hit = cell >= 0
        hit[hit] = self.present.reshape(-1)[cell[hit]]
        value = events["value"].to_numpy(dtype=float)[rows[hit]]
        x = np.bincount(cell[hit], weights=np.where(np.isnan(value), 0.0, value), minlength=self.n.size)
        status, labels = factorize(events["status"])
        withheld = among(status[rows[hit]], labels, ["secret"])
        secret_cells = cell[hit][withheld]
        return BandPair(self, x.reshape(self.n.shape), has_events & self.has_rows, secret_cells)


class BandPair:
    """An indicator's events in a :class:`BandGrid`: ``x`` (same shape as the grid's ``n``)
    for the zones and periods ``kept`` (a mask over ``zone × periods + period``)."""

    def __init__(self, grid: BandGrid, x: np.ndarray, kept: np.ndarray, secret_cells: np.ndarray):
        self.grid, self.x, self.kept = grid, x, kept
        self._secret_cells = secret_cells

    def drop_inconsistent(self) -> None:
        """Leave out the zones and periods with events in a band of zero or unknown population
        (inconsistent data). Bands with no population and no events stay."""
        bad = (self.grid.unusable & (self.x > 0)).any(axis=(1, 2))
        self.kept &= ~bad

    @property
    def regular(self) -> bool:
        """Whether every zone and period kept has every sex and band of the grid."""
        return bool(self.grid.complete[self.kept].all())

    def secret(self, cells: np.ndarray | None = None) -> np.ndarray:
        """Withheld rows (population or events) per zone and period, of the cells where
        ``cells`` (a mask of the grid's shape; None: every cell)."""
        width = self.x.shape[1] * self.x.shape[2]
        events = self._secret_cells
        if cells is None:
            return self.grid.secret + np.bincount(events // width, minlength=len(self.kept))
        events = events[cells.reshape(-1)[events]]
        secret = np.bincount(events // width, minlength=len(self.kept)).astype(float)
        if self.grid.secret_count is not None:
            secret += np.where(cells, self.grid.secret_count, 0).sum(axis=(1, 2))
        return secret

    def keys(self, zone_periods: np.ndarray | None = None) -> pd.DataFrame:
        """``zone`` and ``period`` of the zones and periods kept (or of ``zone_periods``)."""
        at = np.flatnonzero(self.kept) if zone_periods is None else zone_periods
        n_periods = len(self.grid.periods)
        period = pd.Categorical.from_codes(at % n_periods, categories=pd.Index(self.grid.periods, dtype=object))
        return pd.DataFrame({"zone": at // n_periods, "period": period})

    def frame(self) -> pd.DataFrame:
        """One row per cell with population of the zones and periods kept: ``zone``,
        ``period``, (``sex``), ``age``, ``n``, ``x``, ``n_secret`` (withheld rows of the cell)."""
        grid = self.grid
        present = grid.present & self.kept[:, None, None]
        zone_period, sex, band = np.nonzero(present)
        flat = np.flatnonzero(present.reshape(-1))
        out = self.keys(zone_period)
        if grid.sexes is not None:
            out["sex"] = pd.Categorical.from_codes(sex, categories=pd.Index(grid.sexes, dtype=object))
        out["age"] = pd.Categorical.from_codes(band, categories=pd.Index(grid.bands, dtype=object))
        out["n"] = grid.n.reshape(-1)[flat]
        out["x"] = self.x.reshape(-1)[flat]
        secret = np.bincount(self._secret_cells, minlength=grid.n.size)[flat].astype(float)
        if grid.secret_count is not None:
            secret += grid.secret_count.reshape(-1)[flat]
        out["n_secret"] = secret
        return out

    def indirect(self, france: np.ndarray, reference_value: float, levels: Sequence[float]) -> pd.DataFrame | None:
        """ICM of every zone and period kept, France's rates by period, sex and band (the sums
        of the zones ``france``) as reference, in wide form (limits of ``levels[0]`` in
        ``lower_ci``/``upper_ci``, of ``levels[1]`` with the suffix ``_998``).

        The method and figures of :func:`cls_analysis.stats.isr` (observed over expected deaths,
        exact limits below 10, Byar's from 10); bands of a period absent from France are left
        out. None when ``stats.isr`` would refuse the data (a sex or band of a zone missing
        from France, deaths in a reference band of no population, a zone with no expected
        death): the caller then goes through it, and its error says why.
        """
        grid, n_periods = self.grid, len(self.grid.periods)
        reference = self.kept & np.isin(np.arange(len(self.kept)) // n_periods, france)
        if not reference.any() or grid.negative or (self.x < 0).any():
            return None
        width = self.x.shape[1] * self.x.shape[2]
        x = self.x.reshape(-1, n_periods, width)
        n = grid.n_filled.reshape(-1, n_periods, width)
        present = grid.present.reshape(-1, n_periods, width)
        observed = np.zeros(len(self.kept))
        expected = np.zeros(len(self.kept))
        for p in range(n_periods):
            rows = reference[p::n_periods]
            x_ref, n_ref = x[rows, p].sum(axis=0), n[rows, p].sum(axis=0)
            ref_rows = present[rows, p].sum(axis=0)
            # bands present in France (any sex): the others are left out
            band_kept = np.repeat((ref_rows.reshape(self.x.shape[1:]) > 0).any(axis=0)[None, :],
                                  self.x.shape[1], axis=0).reshape(-1)
            kept = self.kept[p::n_periods]
            refused = band_kept & ((ref_rows == 0) | ((n_ref == 0) & (x_ref > 0)))
            if refused.any() and present[kept, p][:, refused].any():
                return None
            with np.errstate(divide="ignore", invalid="ignore"):
                rate = np.where(n_ref > 0, x_ref / n_ref, 0.0) * band_kept
            expected[p::n_periods] = n[:, p] @ rate
            observed[p::n_periods] = x[:, p] @ band_kept.astype(float)
        at = np.flatnonzero(self.kept)
        observed, expected = observed[at], expected[at]
        if (expected <= 0).any():
            return None
        value, lower, upper, statistic = isr_from_sums(observed, expected, levels, reference_value)
        out = self.keys()
        out["numerator"], out["denominator"], out["value"] = observed, expected, value
        out["lower_ci"], out["upper_ci"], out["lower_ci_998"], out["upper_ci_998"] = (
            lower[:, 0], upper[:, 0], lower[:, 1], upper[:, 1])
        out["confidence"] = levels[0]
        out["statistic"] = statistic
        codes, labels = poisson_method(observed)
        out["method"] = pd.Categorical.from_codes(codes, categories=pd.Index(labels, dtype=object))
        return out
