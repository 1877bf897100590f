"""Reasons: one short sentence per component and flag, with the numbers behind it.

Sentences are assembled column-wise with Arrow's string kernels — a sentence that does not
apply to a row is null there, and joining skips nulls — so wording a million candidates
costs a few column passes, not a million format calls.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .policy import Policy

SEPARATOR = "; "
MONTHS = np.array(["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"])
NULL_TEXT = pa.scalar(None, pa.string())


def _arrow(values) -> pa.Array:
    if isinstance(values, pa.Array):
        return values
    return pa.array(np.asarray(values, dtype=object), type=pa.string(), from_pandas=True)


def integer(values: pd.Series) -> pa.Array:
    """Whole numbers as text; null where missing."""
    return pc.cast(pa.array(pd.to_numeric(values).round().astype("Int64"), type=pa.int64()), pa.string())


def one_decimal(values: pd.Series) -> pa.Array:
    """``4.0`` → ``"4.0"``, ``7.63`` → ``"7.6"``; null where missing."""
    tenths = pa.array((pd.to_numeric(values) * 10).round().astype("Int64"), type=pa.int64())
    return cat(pc.cast(pc.divide(tenths, 10), pa.string()), ".",
               pc.cast(pc.abs(pc.subtract(tenths, pc.multiply(pc.divide(tenths, 10), 10))), pa.string()))


def local_date(times: pd.Series, tz: str) -> pa.Array:
    """Short local date such as ``"12 Mar"``; null where missing.

    A million rows hold a few hundred distinct days: each day is worded once.
    """
    local = times.dt.tz_convert(tz).dt.tz_localize(None)
    present = local.notna().to_numpy()
    days = local.to_numpy(dtype="datetime64[ns]")[present].astype("datetime64[D]")
    distinct, which = np.unique(days, return_inverse=True)
    calendar = pd.DatetimeIndex(distinct)
    words = np.char.add(np.char.add(calendar.day.astype(str), " "), MONTHS[calendar.month - 1])
    codes = np.zeros(len(local), dtype=np.int32)
    codes[present] = which
    indices = pa.array(codes, mask=~present)
    return pa.DictionaryArray.from_arrays(indices, pa.array(words, pa.string())).cast(pa.string())


def plural(count: pd.Series, word: str) -> pa.Array:
    """``"1 call"``, ``"3 calls"``."""
    ones = (pd.to_numeric(count) == 1).fillna(False).to_numpy()
    return cat(integer(count), " " + word, _arrow(np.where(ones, "", "s")))


def cat(*parts) -> pa.Array:
    """Concatenate texts and arrays element-wise; null wherever any part is null."""
    return pc.binary_join_element_wise(*parts, "")


def when(mask, text: pa.Array) -> pa.Array:
    """``text`` where ``mask`` holds, null elsewhere."""
    return pc.if_else(pa.array(np.asarray(mask, dtype=bool)), text, NULL_TEXT)


def join(parts: list[pa.Array], separator: str) -> pa.Array:
    """Join the non-null texts of each row with ``separator``; null where all are null.

    The non-null texts are laid out row by row as one list array, and Arrow joins each list —
    one pass, whatever the number of parts.
    """
    rows, width = len(parts[0]), len(parts)
    stacked = pa.concat_arrays([p.cast(pa.string()) for p in parts])
    present = np.column_stack([~np.asarray(p.is_null().to_numpy(zero_copy_only=False)) for p in parts])
    # Present (row i, part j) in row-major order; part j's texts start at j * rows in ``stacked``.
    cells = np.flatnonzero(present)
    texts = stacked.take(pa.array(cells % width * rows + cells // width))
    offsets = np.concatenate([[0], np.cumsum(present.sum(axis=1))]).astype(np.int32)
    joined = pc.binary_join(pa.ListArray.from_arrays(pa.array(offsets), texts), separator)
    return pc.if_else(pc.equal(offsets[1:] - offsets[:-1], 0), NULL_TEXT, joined)


def first_of(parts: list[pa.Array]) -> pa.Array:
    """The first non-null text of each row."""
    return pc.coalesce(*parts)


def explain(scored: pd.DataFrame, flags: dict[str, pd.Series], uncapped_grade: pd.Series,
            silent_days: pd.Series, policy: Policy, tz: str) -> tuple[pd.Series, pd.Series]:
    """All reasons of each row, and a one-line headline (the first flag's reason, else how
    fast and how steadily the candidate followed up)."""
    windows, rules = policy.windows, policy.restraint
    held = scored["held"].to_numpy(bool)
    has_contact = (scored["inbound_contacts"].fillna(0) > 0).to_numpy()
    day = scored["first_contact_day"].astype("float64").to_numpy()
    n_days = windows.no_contact_days

    hours = one_decimal(scored["first_contact_hours"])
    first_day = integer(scored["first_contact_day"])
    speed = first_of([
        when(held & has_contact & (day == 0), cat("first contact ", hours, " h after the interview (same day)")),
        when(held & has_contact & (day > 0) & (day <= n_days),
             cat("first contact ", hours, " h after the interview (day ", first_day, ")")),
    ])
    pending_rows = held & ~has_contact & (scored["status"] == "pending").to_numpy()
    decided = (scored["window_closed_by"] == "decision").to_numpy()
    pending = first_of([
        when(pending_rows & decided,
             cat("no contact before the decision (", _arrow(scored["decision"].astype(object)), ") on day ",
                 integer(scored["window_end_day"]), ": too early to judge")),
        when(pending_rows, cat("no contact yet, ", plural((n_days - scored["window_end_day"]).clip(lower=0), "day"),
                               f" left of the {n_days}-day window")),
    ])
    upcoming = when(~held, cat("interview on ", local_date(scored["interview_at"], tz), " is after the as-of time"))

    period = "week" if windows.cadence_days == 7 else f"{windows.cadence_days}-day period"
    cadence = when(held & (scored["periods_completed"].fillna(0) > 0).to_numpy(),
                   cat(integer(scored["periods_with_contact"]), " of ",
                       plural(scored["periods_completed"], period), " with follow-up"))
    channels = when(held & has_contact,
                    cat(plural(scored["n_channels"], "channel"), " (",
                        pc.replace_substring(_arrow(scored["channels"].astype(object)), ",", ", "), ")"))
    several = (scored["interviewers_met"] >= 2).to_numpy() & scored["contact_data"].fillna(False).to_numpy(bool)
    thanked = when(held & several, cat("thanked ", integer(scored["interviewers_thanked"]), " of ",
                                       integer(scored["interviewers_met"]), " interviewers individually"))
    frequency = when(held & has_contact & ~flags["TOO_FREQUENT"].to_numpy(bool)
                     & (scored["max_contacts_7d"].fillna(0) > 0).to_numpy(),
                     cat("at most ", plural(scored["max_contacts_7d"], "contact"),
                         f" in any {rules.frequency_window_days} days (limit {rules.max_contacts_per_window})"))
    hangup_count = scored["hangups"].fillna(0)
    unanswered = when(held & (hangup_count > 0).to_numpy(),
                      cat(plural(hangup_count, "call"), " hung up without a voicemail"))
    burst = when(held & (scored["burst_hangups"].fillna(0) >= rules.burst_count).to_numpy(),
                 cat(plural(scored["burst_hangups"], "unanswered call"),
                     f" within {rules.burst_minutes:g} min on ", local_date(scored["burst_at"], tz)))
    capped = when(scored["grade"].notna().to_numpy() & (scored["grade"] != uncapped_grade).to_numpy(),
                  cat("grade capped at ", _arrow(scored["grade"]), " by the flags (the score alone gives ",
                      _arrow(uncapped_grade), ")"))
    courtesy = policy.courtesy
    every_round = when(held & (courtesy.every_round_weight > 0) & (scored["rounds_held"] >= 2).to_numpy(),
                       cat("thanked promptly after ", integer(scored["rounds_thanked"]), " of ",
                           plural(scored["rounds_held"], "round")))
    credited = (courtesy.after_decision_weight > 0) & (scored["window_closed_by"] == "decision").to_numpy() & \
        scored["decision"].astype(object).isin(courtesy.after_decision).to_numpy()
    thanked_after = (scored["thanks_after_decision"].fillna(0) > 0).to_numpy()
    after_decision = first_of([
        when(held & credited & thanked_after,
             cat("a thank-you after the decision (", _arrow(scored["decision"].astype(object)), ")")),
        when(held & credited & ~thanked_after & (scored["as_of"] >= scored["decision_at"]
                                                 + pd.Timedelta(days=courtesy.after_decision_days)).to_numpy(),
             cat("no thank-you in the ", str(courtesy.after_decision_days), " days after the decision (",
                 _arrow(scored["decision"].astype(object)), ")")),
    ])
    deadline = policy.deadline
    has_due = scored["due_day"].notna().to_numpy()
    checkins = first_of([
        when(held & has_contact & (deadline.checkins_weight > 0) & (scored["checkins_expected"].fillna(0) > 0).to_numpy(),
             cat(integer(scored["checkins_met"]), " of ", plural(scored["checkins_expected"], "check-in"),
                 " timed to the decision due on day ", integer(scored["due_day"]))),
        when(held & has_contact & (deadline.checkins_weight > 0) & ~has_due,
             "no decision date given: check-ins not judged"),
    ])
    early = when(held & (deadline.early_contact_penalty > 0)
                 & (scored["early_contacts"].fillna(0) > deadline.early_contacts_forgiven).to_numpy(),
                 cat(plural(scored["early_contacts"], "contact"),
                     " before the decision date outside the expected check-ins"))
    decision = when((scored["window_closed_by"] == "decision").to_numpy(),
                    cat("window closed by the decision (", _arrow(scored["decision"].astype(object)), ") on ",
                        local_date(scored["decision_at"], tz)))

    waited_for_due = pd.Series(deadline.wait_for_due & (pd.to_datetime(scored["decision_due"], utc=True)
                                                        > scored["last_contact_at"]).to_numpy(), index=scored.index)
    flag_reasons = [
        when(flags["NO_CONTACT"].to_numpy(bool) & has_contact,
             cat("NO_CONTACT: first contact only on day ", first_day, f", after the {n_days}-day window")),
        when(flags["NO_CONTACT"].to_numpy(bool) & ~has_contact,
             cat("NO_CONTACT: no contact in the ", integer(scored["window_end_day"]), " days since the interview")),
        when(flags["EXCESSIVE_HANGUPS"], cat("EXCESSIVE_HANGUPS: ", join([unanswered, burst], ", "))),
        when(flags["TOO_FREQUENT"], cat("TOO_FREQUENT: ", plural(scored["max_contacts_7d"], "contact"),
                                        f" in the {rules.frequency_window_days} days to ",
                                        local_date(scored["busiest_window_at"], tz),
                                        f" (limit {rules.max_contacts_per_window})")),
        when(flags["WENT_SILENT"] & ~waited_for_due, cat("WENT_SILENT: no contact for ", integer(silent_days),
                                                         " days since ", local_date(scored["last_contact_at"], tz))),
        when(flags["WENT_SILENT"] & waited_for_due,
             cat("WENT_SILENT: no contact in the ", integer(silent_days), " days since the decision was due (",
                 local_date(pd.to_datetime(scored["decision_due"], utc=True), tz), ")")),
    ]
    quiet_hangups = when(~flags["EXCESSIVE_HANGUPS"].to_numpy(bool), unanswered)
    everything = join(flag_reasons + [upcoming, pending, speed, checkins, cadence, channels, thanked, every_round,
                                      frequency, early, quiet_hangups, capped, decision, after_decision], SEPARATOR)
    headline = first_of(flag_reasons + [upcoming, pending, join([speed, cadence], ", ")])
    as_series = lambda text: pd.Series(pc.fill_null(text, "").to_numpy(zero_copy_only=False),
                                       index=scored.index, dtype=object)
    return as_series(everything), as_series(headline)
