"""Times and dates as an explanation words them, on the local calendar of the run's zone."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..reasons import MONTHS


def short_dates(times: pd.Series, tz: str) -> np.ndarray:
    """``"11 Mar"`` for each UTC time (empty where missing), on the local calendar of ``tz``."""
    local = pd.to_datetime(times, utc=True).dt.tz_convert(tz)
    day = local.dt.day.to_numpy(dtype=float, na_value=np.nan)
    month = local.dt.month.to_numpy(dtype=float, na_value=np.nan)
    known = ~np.isnan(day)
    out = np.full(len(local), "", dtype=object)
    out[known] = (pd.Series(day[known].astype(int)).astype(str).to_numpy(dtype=object) + " "
                  + MONTHS[month[known].astype(int) - 1])
    return out


def local_when(stamp, tz: str, with_time: bool = True) -> str:
    """``"Tue 3 Mar 2026 15:00"`` (or without the time), ``"—"`` for no time."""
    if stamp is None or pd.isna(stamp):
        return "—"
    local = pd.Timestamp(stamp).tz_convert(tz)
    return local.strftime("%a %-d %b %Y %H:%M" if with_time else "%a %-d %b %Y")
