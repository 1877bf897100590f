"""Property tests and a bounded fuzz over hostile input.

Generated event logs mix good rows with every kind of bad value; raw bytes are thrown at the
readers under each file extension. Whatever comes in: nothing raises except a one-line
:class:`~followup.errors.FollowupError`, scores stay in 0–100, and every row read is used,
a duplicate or rejected with its file, row and reason. The runs are bounded (a few seconds)
and derandomised so they belong in every test run; to fuzz longer and on fresh examples, run
``FOLLOWUP_FUZZ_EXAMPLES=5000 pytest tests/test_fuzz.py``.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import followup
from followup.errors import FollowupError
from followup.loading import read_events
from followup.timeparse import EARLIEST, LATEST, parse_times

LONGER = int(os.environ.get("FOLLOWUP_FUZZ_EXAMPLES", "0"))
FUZZ = settings(max_examples=LONGER or 200, deadline=None, derandomize=not LONGER,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
# Scoring a whole log costs about 0.3 s an example: fewer of them in the default run.
SCORING = settings(FUZZ, max_examples=LONGER or 20)
CANDIDATES = ["A", "B", "C"]
AS_OF = "2026-03-20T00:00:00Z"

good_times = st.integers(0, 17 * 24 * 60).map(
    lambda minutes: (pd.Timestamp("2026-03-02T10:00:00Z") + pd.Timedelta(minutes=minutes)).isoformat())
times = st.one_of(
    good_times,
    good_times.map(lambda t: t[:19]),                         # no offset: read in the time zone
    good_times.map(lambda t: str(int(pd.Timestamp(t).timestamp()))),   # epoch seconds
    st.sampled_from(["", "1970-01-01T00:00:00Z", "2999-12-31T23:59:59Z", "0", "9" * 30,
                     "03/02/2026", "2026-02-30T10:00:00Z", "soon", "Tue, 03 Mar 2026 21:14:06 +0000"]),
    st.text(max_size=12),
)
channels = st.one_of(st.sampled_from(["email", "Phone Call", "sms", "letter", "E-mail", "linkedin", "",
                                      "carrier pigeon", "=cmd()"]), st.text(max_size=6))
directions = st.one_of(st.sampled_from(["inbound", "outbound", "Incoming", "sent", "", "sideways"]),
                       st.text(max_size=4))
outcomes = st.sampled_from(["", "connected", "voicemail", "Hang Up", "missed", "exploded"])
durations = st.one_of(st.sampled_from(["", "0", "5", "300", "-30", "inf", "nan", "abc", "1e400"]),
                      st.integers(-10, 10_000).map(str))
free_text = st.text(max_size=20)
FIELDS = ["candidate_id", "timestamp", "channel", "direction", "outcome", "duration_s", "contact",
          "event_id", "subject"]
rows = st.fixed_dictionaries({
    "candidate_id": st.one_of(st.sampled_from(CANDIDATES + ["", " A ", "Z"]), st.text(max_size=3)),
    "timestamp": times, "channel": channels, "direction": directions, "outcome": outcomes,
    "duration_s": durations, "contact": free_text, "event_id": st.sampled_from(["", "E1", "E2", "E3"]),
    "subject": free_text,
})


def write_csv(folder: Path, records: list[dict]) -> Path:
    path = folder / "events.csv"
    with open(path, "w", newline="", encoding="utf-8", errors="surrogatepass") as handle:
        writer = csv.DictWriter(handle, fieldnames=FIELDS)
        writer.writeheader()
        writer.writerows(records)
    return path


def interviews_file(folder: Path) -> Path:
    path = folder / "interviews.csv"
    path.write_text("candidate_id,interview_at,interview_end\n" + "".join(
        f"{c},2026-03-0{n + 2}T10:00:00Z,2026-03-0{n + 2}T11:00:00Z\n" for n, c in enumerate(CANDIDATES)))
    return path


def assert_accounted(counts: dict, rejects: pd.DataFrame, rows_read: int) -> None:
    assert counts["rows_read"] == rows_read
    assert counts["rows_used"] + counts["duplicates"] + counts["rejected"] == rows_read
    assert len(rejects) == counts["duplicates"] + counts["rejected"]
    assert rejects["source_row"].between(1, max(rows_read, 1)).all()
    assert rejects["reason"].map(lambda r: isinstance(r, str) and r != "").all()


@SCORING
@given(records=st.lists(rows, max_size=25), tz=st.sampled_from(["UTC", "America/New_York", "Asia/Kolkata"]))
def test_generated_logs_score_in_range_with_every_row_accounted_for(records, tz):
    records = [{k: v.replace("\x00", "") for k, v in r.items()} for r in records]
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        events = write_csv(folder, records)
        readable = pd.read_csv(events, dtype=str, keep_default_na=False, skip_blank_lines=True)
        loaded = read_events(events, tz=tz)
        known = int(loaded.frame["candidate_id"].isin(CANDIDATES).sum())  # the rest: no interview
        read_as_nothing = known == 0 and (len(loaded.frame) > 0 or (loaded.rejects["kind"] == "rejected").any())
        try:
            result = followup.score(events, interviews_file(folder), as_of=AS_OF, tz=tz)
        except FollowupError as refused:
            if not loaded.counts["rows_read"]:  # no row at all: refused unless --allow-empty
                assert "events.csv: no events rows at all" in str(refused)
                return
            # A file with rows and not one usable is refused, never scored as silence.
            assert read_as_nothing and "events.csv: no row can be used; row " in str(refused)
            return
        assert not read_as_nothing
    interview_rows = len(CANDIDATES)
    assert_accounted(result.counts, result.rejects, len(readable) + interview_rows)
    candidates = result.candidates
    assert sorted(candidates["candidate_id"]) == CANDIDATES
    scored = candidates["score"].dropna()
    assert scored.between(0, 100).all()
    for component in ("speed", "persistence", "restraint"):
        assert candidates[component].dropna().between(0, 100).all()
    assert set(candidates.loc[candidates["score"].notna(), "grade"]) <= {"A", "B", "C", "D"}
    assert set(candidates["status"].astype(str)) <= {"ok", "flagged", "pending", "upcoming"}


SUFFIXES = [".csv", ".tsv", ".txt", ".json", ".jsonl", ".xlsx", ".parquet"]
VALID_CSV = (b"candidate_id,timestamp,channel,direction,outcome,duration_s,contact,event_id,subject\n"
             b"A,2026-03-02T19:30:00-05:00,email,inbound,,,Dana Whitfield,E1,Thanks\n"
             b"B,2026-03-03T09:00:00,phone,inbound,connected,300,Raj Patel,E2,\"a, b\"\n")
VALID_JSON = (b'[{"candidate_id": "A", "timestamp": "2026-03-02T19:30:00Z", "channel": "email", '
              b'"direction": "inbound"}]')


def load_or_refuse(path: Path) -> None:
    """Reading must end in a table whose rows are all accounted for, or in one clear line."""
    try:
        loaded = read_events(path)
    except FollowupError as exc:
        message = str(exc)
        assert message.startswith(str(path)) and "\n" not in message.strip()
        return
    assert_accounted(loaded.counts, loaded.rejects, loaded.counts["rows_read"])


@FUZZ
@given(content=st.binary(max_size=400), suffix=st.sampled_from(SUFFIXES))
def test_raw_bytes_never_crash_a_reader(content, suffix):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"events{suffix}"
        path.write_bytes(content)
        load_or_refuse(path)


@FUZZ
@given(base=st.sampled_from([(VALID_CSV, ".csv"), (VALID_JSON, ".json"), (VALID_CSV, ".tsv")]),
       edits=st.lists(st.tuples(st.integers(0, 400), st.binary(min_size=0, max_size=4),
                                st.integers(0, 3)), min_size=1, max_size=4))
def test_mutated_files_never_crash_a_reader(base, edits):
    """Near-valid files reach deeper than random bytes: a few bytes inserted or overwritten."""
    content, suffix = bytearray(base[0]), base[1]
    for position, data, removed in edits:
        position = position % (len(content) + 1)
        content[position:position + removed] = data
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"events{suffix}"
        path.write_bytes(bytes(content))
        load_or_refuse(path)


@FUZZ
@given(values=st.lists(st.one_of(st.text(max_size=30), times, st.integers(-10**15, 10**15),
                                 st.floats(allow_nan=True, allow_infinity=True)), max_size=20),
       tz=st.sampled_from(["UTC", "Europe/London", "Pacific/Chatham"]))
def test_any_time_text_parses_in_range_or_gets_a_reason(values, tz):
    series = pd.Series(values, dtype=object)
    parsed, reasons = parse_times(series, tz)
    assert len(parsed) == len(series)
    inside = parsed.dropna()
    assert ((inside >= EARLIEST) & (inside < LATEST)).all()
    unparsed = parsed.isna() & series.map(lambda v: not (v is None or (isinstance(v, float) and v != v)
                                                       or (isinstance(v, str) and not v.strip())))
    assert reasons[unparsed].notna().all()


def test_a_wide_log_of_unicode_and_quotes_round_trips(tmp_path):
    """Values with quotes, separators and non-Latin scripts come back exactly as written."""
    awkward = ['Zoë "Z" Ångström', "Ж, ш; щ", "名前\t名", "a\nb", "  padded  ", "=1+1"]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["candidate_id", "timestamp", "channel", "direction", "subject"])
    for number, text in enumerate(awkward):
        writer.writerow(["A", f"2026-03-02T1{number}:00:00Z", "email", "inbound", text])
    path = tmp_path / "events.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    loaded = read_events(path)
    assert loaded.frame["subject"].tolist() == awkward
