"""Times and dates as an explanation words them, on the local calendar of the run's zone."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..days import NAT, NS_PER_DAY, local_day, minute_of_day
from ..reasons import MONTHS

#: Every minute of a day as ``"HH:MM"``.
CLOCK = np.array([f"{minute // 60:02d}:{minute % 60:02d}" for minute in range(24 * 60)], dtype=object)


def short_dates(times: pd.Series, tz: str) -> np.ndarray:
    """``"11 Mar"`` for each UTC time (empty where missing), on the local calendar of ``tz``;
    each distinct local day is written once (a timeline's million events fall on a few days)."""
    days = local_day(pd.to_datetime(pd.Series(times).reset_index(drop=True), utc=True), tz)
    distinct, which = np.unique(days, return_inverse=True)
    known = distinct != NAT
    dates = pd.to_datetime(distinct[known] * NS_PER_DAY, unit="ns")
    words = np.full(len(distinct), "", dtype=object)
    words[known] = (pd.Series(dates.day).astype(str).to_numpy(dtype=object) + " " + MONTHS[dates.month - 1])
    return words[which.reshape(-1)] if len(days) else np.zeros(0, dtype=object)


def local_clock(times: pd.Series, tz: str) -> np.ndarray:
    """``"HH:MM"`` of each UTC time in ``tz``: from the minute of the local day, by table (a
    million times, formatted one by one, would take seconds)."""
    return CLOCK[minute_of_day(times, tz)]


def local_when(stamp, tz: str, with_time: bool = True) -> str:
    """``"Tue 3 Mar 2026 15:00"`` (or without the time), ``"—"`` for no time."""
    if stamp is None or pd.isna(stamp):
        return "—"
    local = pd.Timestamp(stamp).tz_convert(tz)
    return local.strftime("%a %-d %b %Y %H:%M" if with_time else "%a %-d %b %Y")
