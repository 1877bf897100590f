"""Local calendar days: the scorer's one notion of "the same day".

Day numbers are days since 1970-01-01 on the local calendar of ``tz``; a round's day 0 is the
local date of its anchor, so "day 3" in a reason, on a timeline and in ``explain`` is the same
day. NaT stays NaT's number (``np.iinfo(np.int64).min``), so a missing time never passes for a
day.

>>> import pandas as pd
>>> local_day(pd.Series(pd.to_datetime(["2026-03-03 03:30", None], utc=True)), "America/New_York").tolist()
[20514, -9223372036854775808]
"""

from __future__ import annotations

import numpy as np
import pandas as pd

NS_PER_DAY = 86_400 * 10**9
NS_PER_MINUTE = 60 * 10**9
NAT = np.iinfo(np.int64).min


def local_day(times: pd.Series, tz: str) -> np.ndarray:
    """Local calendar day number (days since 1970-01-01 in ``tz``) of each UTC time."""
    local = times if tz.upper() == "UTC" else times.dt.tz_convert(tz).dt.tz_localize(None)
    values = local.to_numpy(dtype="datetime64[ns]").view("int64")
    return np.where(values == NAT, NAT, np.floor_divide(values, NS_PER_DAY))


def day_position(times: pd.Series, origin_day, tz: str) -> np.ndarray:
    """Days since local midnight of day ``origin_day`` (a :func:`local_day` number, one for all
    or one per time) in ``tz``, with the time of day as the fraction: where a timeline draws
    the time. Integers fall on local midnights, so ``floor`` of it is the local day after
    ``origin_day`` even across a daylight-saving change; NaN for a missing time.

    >>> times = pd.Series(pd.to_datetime(["2026-03-09 14:30"], utc=True))  # 10:30 in New York
    >>> day_position(times, local_day(times, "America/New_York")[0] - 2, "America/New_York").tolist()
    [2.4375]
    """
    local = times if tz.upper() == "UTC" else times.dt.tz_convert(tz).dt.tz_localize(None)
    values = local.to_numpy(dtype="datetime64[ns]").view("int64")
    day = np.floor_divide(values, NS_PER_DAY)
    # The whole days and the fraction apart: nanoseconds since 1970 as one float would lose
    # a few hundred of them.
    position = (day - np.asarray(origin_day, dtype=np.int64)).astype(np.float64) + (values - day * NS_PER_DAY) / NS_PER_DAY
    return np.where(values == NAT, np.nan, position)


def minute_of_day(times: pd.Series, tz: str) -> np.ndarray:
    """The local minute of the day in ``tz`` (0 to 1439) of each UTC time: a timeline's clock."""
    local = times if tz.upper() == "UTC" else times.dt.tz_convert(tz).dt.tz_localize(None)
    return np.mod(local.to_numpy(dtype="datetime64[ns]").view("int64"), NS_PER_DAY) // NS_PER_MINUTE
