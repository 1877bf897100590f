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
