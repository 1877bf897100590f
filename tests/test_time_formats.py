"""Every common time shape on the bulk path, with results identical to the value-by-value
path; and ``--time-format`` for the shapes that cannot be guessed (docs/performance.md)."""

from __future__ import annotations

import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import followup
from followup import timeparse
from followup.cli import main
from followup.errors import FollowupError

ZONES = ["America/New_York", "Europe/London", "UTC", "Asia/Kolkata"]

# Local times in and around the 2026 clock changes: skipped hours (gaps) and repeated ones (folds).
DST_EDGES = [
    "2026-03-08 01:59:59", "2026-03-08 02:00:00", "2026-03-08 02:30:00", "2026-03-08 03:00:00",
    "2026-11-01 00:59:59", "2026-11-01 01:00:00", "2026-11-01 01:30:00", "2026-11-01 02:00:00",
    "2026-03-29 00:59:59", "2026-03-29 01:00:00", "2026-03-29 01:30:00", "2026-03-29 02:00:00",
    "2026-10-25 00:59:59", "2026-10-25 01:00:00", "2026-10-25 01:30:00", "2026-10-25 02:00:00",
]


def _reference(values: pd.Series, tz: str):
    """The reading before the bulk path: a column Arrow casts whole (as written, then trimmed) is
    taken from Arrow; any other column is read value by value."""
    text = values.astype("string[pyarrow]")
    for attempt in (text, text.str.strip()):
        whole = timeparse._try_arrow_cast(attempt)
        if whole is not None:
            return timeparse._checked(whole, pd.Series(None, values.index, object))
    return timeparse._checked(*timeparse._parse_each(text.str.strip(), tz))


def _assert_same(values: pd.Series, tz: str):
    times, reasons = timeparse.parse_times(values, tz)
    expected_times, expected_reasons = _reference(values, tz)
    pd.testing.assert_series_equal(times, expected_times, check_names=False)
    assert _texts(reasons) == _texts(expected_reasons)


def _texts(reasons: pd.Series) -> list:
    return [None if pd.isna(r) else r for r in reasons]


@st.composite
def iso_times(draw):
    year = draw(st.sampled_from([1899, 1988, 1989, 1990, 2024, 2026, 2099, 2100, 2999]))
    month, day = draw(st.integers(1, 13)), draw(st.integers(0, 32))
    hour, minute, second = draw(st.integers(0, 25)), draw(st.integers(0, 60)), draw(st.integers(0, 61))
    text = f"{year:04d}-{month:02d}-{day:02d}"
    clock = draw(st.sampled_from(["", "hm", "hms", "fraction"]))
    if clock:
        text += draw(st.sampled_from(["T", " "])) + f"{hour:02d}:{minute:02d}"
        if clock != "hm":
            text += f":{second:02d}"
        if clock == "fraction":
            text += "." + "".join(draw(st.lists(st.sampled_from("0123456789"), min_size=1, max_size=10)))
    text += draw(st.sampled_from(["", "", "Z", "z", "+00:00", "-05:00", "+0530", "+01", " +01:00",
                                  "-24:00", "+05:60"]))
    return text


@st.composite
def rfc2822_times(draw):
    day = draw(st.integers(0, 32))
    month = draw(st.sampled_from(["Jan", "feb", "MAR", "Jun", "Sep", "Dec", "Foo"]))
    year = draw(st.sampled_from([1899, 1989, 2024, 2100]))
    clock = draw(st.sampled_from(["21:14:06", "23:59:60", "24:00:00", "09:05"]))
    zone = draw(st.sampled_from(["+0000", "-0500", "+0130", "GMT", "UT", "UTC", "Z", "+2400", "EST"]))
    weekday = draw(st.sampled_from(["", "Tue, ", "Tue,", "tue, "]))
    spacing = draw(st.sampled_from([" ", " ", "  "]))
    return weekday + spacing.join([f"{day:0{draw(st.sampled_from([1, 2]))}d}", month, str(year), clock, zone])


values = st.one_of(
    iso_times(),
    rfc2822_times(),
    st.sampled_from(DST_EDGES),
    st.integers(0, 10**14).map(str),
    st.sampled_from(["1772479800", "1772479800000", "0000000000", "9999999999", "4102444800000",
                     "", "   ", "soon", "03/02/2026", "2026-03-02 10", "2026-03-02T10", "٢٠٢٦-٠٣-٠٢", " 2026-03-02T10:00:00Z "]),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(values, min_size=1, max_size=40), st.sampled_from(ZONES), st.integers(1, 8))
def test_bulk_path_gives_the_value_by_value_results(column, tz, block_rows):
    # Tiny cast blocks, so a refused block next to good ones is exercised too.
    previous, timeparse.CAST_BLOCK_ROWS = timeparse.CAST_BLOCK_ROWS, block_rows
    try:
        _assert_same(pd.Series(column, dtype=object), tz)
    finally:
        timeparse.CAST_BLOCK_ROWS = previous


@pytest.mark.parametrize("tz", ["America/New_York", "Europe/London"])
def test_dst_gaps_and_folds_as_before(tz):
    for separator in (" ", "T"):
        column = pd.Series([t.replace(" ", separator) for t in DST_EDGES] + ["2026-03-02T10:00:00Z"])
        _assert_same(column, tz)
    times, _ = timeparse.parse_times(pd.Series(["2026-11-01 01:30:00", "2026-03-08 02:30:00"]),
                                     "America/New_York")
    # The repeated hour reads as daylight time (EDT, -4); the skipped one moves forward to 03:00 EDT.
    assert [str(t) for t in times] == ["2026-11-01 05:30:00+00:00", "2026-03-08 07:00:00+00:00"]


def test_each_shape_of_a_whole_column_takes_the_bulk_path(monkeypatch):
    def refuse(text, tz):
        raise AssertionError(f"value-by-value path used for {text.tolist()[:3]}")

    monkeypatch.setattr(timeparse, "_parse_each", refuse)
    for column in (["2026-03-02 10:00:00", "2026-03-02 10:00:01.5"], ["2026-03-02T10:00", "2026-03-02"],
                   ["1772479800000", "1772479800"], ["2026-03-02T10:00:00+01:00", "2026-03-02 10:00Z"],
                   ["Tue, 5 Mar 2024 21:14:06 +0000", "05 Mar 2024 21:14:06 GMT"]):
        times, reasons = timeparse.parse_times(pd.Series(column), "Europe/London")
        assert times.notna().all() and reasons.isna().all()


def test_long_columns_of_one_common_shape_are_cast_whole(monkeypatch):
    """Naive times (a space or a T), epoch seconds and milliseconds, empty cells among them,
    are each read in one cast per column, as ISO times with offsets are: the shape-by-shape
    path costs several times as much per value."""
    def refuse(text, tz):
        raise AssertionError(f"shape-by-shape path used for {text.tolist()[:3]}")

    stamps = pd.date_range("2026-03-07 23:00", periods=3000, freq="37min")  # over the 8 Mar clock change
    epoch = (stamps.tz_localize("UTC") - pd.Timestamp(0, tz="UTC")) // pd.Timedelta("1ms")
    shapes = {
        "naive space": stamps.strftime("%Y-%m-%d %H:%M:%S").tolist(),
        "naive T": stamps.strftime("%Y-%m-%dT%H:%M:%S.%f").tolist(),
        "epoch s": [str(n // 1000) for n in epoch],
        "epoch ms": [str(n) for n in epoch],
    }
    expected = {name: _reference(pd.Series(column, dtype=object), "America/New_York") for name, column in shapes.items()}
    monkeypatch.setattr(timeparse, "_parse_by_shape", refuse)
    for name, column in shapes.items():
        column = pd.Series(column, dtype=object)
        column.iloc[[5, 2000]] = None
        times, reasons = timeparse.parse_times(column, "America/New_York")
        want = expected[name][0].copy()
        want.iloc[[5, 2000]] = pd.NaT
        pd.testing.assert_series_equal(times, want, check_names=False)
        assert reasons.isna().all(), name


def test_time_format_reads_us_dates_in_the_zone():
    times, reasons = timeparse.parse_times(pd.Series(["12/23/2022 10:54", "13/23/2022 10:54", ""]),
                                           "America/New_York", time_format="%m/%d/%Y %H:%M")
    assert str(times.iloc[0]) == "2022-12-23 15:54:00+00:00"
    assert times.iloc[1:].isna().all()
    assert reasons.tolist() == [None, "does not match time format '%m/%d/%Y %H:%M'", None]


def test_time_format_lookup_per_column():
    formats = timeparse.time_formats(["%m/%d/%Y %H:%M", "interview_at=%d.%m.%Y"])
    assert formats == {None: "%m/%d/%Y %H:%M", "interview_at": "%d.%m.%Y"}
    with pytest.raises(FollowupError, match="no % directive"):
        timeparse.time_formats(["timestamp=soon"])
    with timeparse.using_time_formats(formats):
        times, _ = timeparse.parse_times(pd.Series(["02.03.2026"], name="interview_at"), "UTC")
        other, _ = timeparse.parse_times(pd.Series(["03/02/2026 09:00"], name="decision_at"), "UTC")
    assert str(times.iloc[0]) == "2026-03-02 00:00:00+00:00"
    assert str(other.iloc[0]) == "2026-03-02 09:00:00+00:00"


def test_time_format_on_every_reader_path(tmp_path):
    """Events and interviews written the US way score as their ISO twins do, CLI and API alike."""
    from followup import datasets

    events_path, interviews_path = datasets.write_followups(tmp_path / "iso", 200, seed=3)
    as_of = datasets.default_as_of(pd.read_csv(interviews_path, parse_dates=["interview_at"]))
    us = tmp_path / "us"
    us.mkdir()
    for path, columns in ((events_path, ["timestamp"]), (interviews_path, ["interview_at", "interview_end", "decision_at", "decision_due"])):
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        for column in columns:
            when = pd.to_datetime(frame[column].replace("", None), utc=True).dt.tz_convert("America/Chicago")
            frame[column] = when.dt.strftime("%m/%d/%Y %H:%M:%S").fillna("")
        frame.to_csv(us / path.name, index=False)
    expected = followup.score(events_path, interviews_path, as_of=as_of, tz="America/Chicago")
    got = followup.score(us / events_path.name, us / interviews_path.name, as_of=as_of,
                         tz="America/Chicago", time_format="%m/%d/%Y %H:%M:%S")
    pd.testing.assert_frame_equal(got.candidates, expected.candidates)
    assert got.counts == expected.counts

    run = CliRunner().invoke(main, ["score", str(us / events_path.name), "-i", str(us / interviews_path.name),
                                    "--as-of", as_of.isoformat(), "--tz", "America/Chicago", "-f", "csv",
                                    "--time-format", "%m/%d/%Y %H:%M:%S", "-q"])
    assert run.exit_code == 0, run.output
    unformatted = CliRunner().invoke(main, ["score", str(us / events_path.name), "-i",
                                            str(us / interviews_path.name), "--as-of", as_of.isoformat(),
                                            "-f", "csv", "-q"])
    assert run.output != unformatted.output  # without the format every US time is rejected
