"""The history keeps times to the microsecond, whatever precision the log was written in."""

from __future__ import annotations

import pandas as pd

import followup
from followup import history

from conftest import email, interview, make_events, make_interviews


def test_a_log_written_to_the_nanosecond_is_kept_in_the_history(tmp_path):
    """An export with nanoseconds (some phone systems write them) is recorded, the last contact
    cut to the microsecond, not refused with an internal error."""
    events = make_events(email("2026-03-03T10:00:00.123456789Z"))
    result = followup.score(events, make_interviews(interview("A")), as_of="2026-03-20T00:00:00Z")
    history.append(tmp_path, result)
    (run,) = history.read(tmp_path).runs
    assert run.rows["last_contact_at"].tolist() == [pd.Timestamp("2026-03-03T10:00:00.123456Z")]
    assert run.rows["status"].tolist() == result.candidates["status"].astype(str).tolist()
