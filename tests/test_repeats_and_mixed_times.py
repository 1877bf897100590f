"""Repeated events and mixed time columns give the answer a value-by-value reading would.

Large logs take shortcuts here (event ids compared through a hash first, standard times cast
together); these tests pin down that the shortcuts never change what the user sees.
"""

from __future__ import annotations

import pandas as pd
import pytest

from followup.loading import read_events
from conftest import day, email, make_events

NY = "America/New_York"


def duplicates(loaded) -> dict[int, str]:
    rows = loaded.rejects[loaded.rejects["kind"] == "duplicate"]
    return dict(zip(rows["source_row"], rows["reason"]))


def test_event_ids_are_compared_in_full():
    long = "message-" + "m" * 300
    frame = make_events(email(day(1, "09:00"), event_id=long + "-1"),
                        email(day(1, "10:00"), event_id=long + "-2"),  # differs only in its last byte
                        email(day(1, "11:00"), event_id=long + "-1"),
                        email(day(1, "12:00"), event_id="é-7"),
                        email(day(1, "13:00"), event_id=" é-7 "),  # the same id, padded
                        email(day(1, "14:00"), event_id="é-70"))
    loaded = read_events(frame)
    assert duplicates(loaded) == {3: "duplicate of row 1", 5: "duplicate of row 4"}
    assert loaded.counts["rows_used"] == 4


def test_short_ids_that_are_prefixes_of_each_other_are_different_events():
    ids = ["a", "ab", "abcdefg", "abcdefgh", "abcdefghi", "abcdefghijklmnop", "abcdefghijklmnopq", "ab"]
    frame = make_events(*[email(day(1, f"{9 + i}:00"), event_id=i_d) for i, i_d in enumerate(ids)])
    loaded = read_events(frame)
    assert duplicates(loaded) == {8: "duplicate of row 2"}


def test_missing_event_ids_are_never_duplicates_of_each_other():
    frame = make_events(email(day(1, "09:00")), email(day(1, "10:00")), email(day(1, "11:00"), event_id="x"))
    assert duplicates(read_events(frame)) == {}


MIXED_TIMES = [
    day(1, "09:00"), day(2, "09:00", NY), "1772479800000", "1772566200", "2026-03-02 19:30",
    "Tue, 03 Mar 2026 21:14:06 +0000", "soon", "1950-01-01T00:00:00+00:00", "0001-01-01T00:00:00Z",
    "2026-03-02T19:30:00.250Z", "  " + day(3, "08:00"), "2026-02-30T10:00:00+00:00",
]


def reading(loaded) -> list:
    """Per input row: its UTC time, or the reason it was rejected."""
    times = dict(zip(loaded.frame["source_row"], loaded.frame["timestamp"]))
    reasons = dict(zip(loaded.rejects["source_row"], loaded.rejects["reason"]))
    return [times.get(r, reasons.get(r)) for r in range(1, len(times) + len(reasons) + 1)]


@pytest.mark.parametrize("with_impossible_date", [True, False])
def test_each_time_in_a_mixed_column_is_read_as_it_would_be_on_its_own(with_impossible_date):
    values = [v for v in MIXED_TIMES if with_impossible_date or not v.startswith("2026-02-30")]
    frame = make_events(*[email(v) for v in values])
    together = reading(read_events(frame, tz=NY))
    alone = [reading(read_events(make_events(email(v)), tz=NY))[0] for v in values]
    assert together == alone
    assert together[0] == pd.Timestamp(day(1, "09:00"))
    assert together[2] == pd.Timestamp("2026-03-02T19:30:00Z")
    assert "not a time" in together[6]
