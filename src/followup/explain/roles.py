"""Per-event roles in words: what every event of a result counted for, in whole-column passes.

:func:`annotate_events` words, for the chosen candidates' events (all of them by default),
what the engine decided of each: ``ScoreResult.event_roles``
(:func:`followup.event_roles.event_roles`) says which event was the first contact, an
opening thank-you, part of a burst, after the decision …, as codes; this module only turns
those codes and the rounds' numbers into phrases, so an explanation can never disagree with
the score it explains. A duplicate dropped by the normaliser or an adapter is placed beside
the event it repeats, found by the rejects' ``duplicate_of_file``/``duplicate_of_row`` columns.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..event_roles import event_roles
from ..schema import EVENT_KINDS, ROLE_SEPARATOR
from ..textcolumns import cat, integer, sorted_codes, tenths_text, text_array
from .words import local_clock, short_dates

SHOWN_COLUMNS = ("candidate_id", "timestamp", "channel", "direction", "outcome", "duration_s", "contact",
                 "source_file", "source_row")
OUTCOME_WORDS = {"connected": "connected", "voicemail": "voicemail left", "hang_up": "hung up",
                 "missed": "missed, no message", "busy": "busy"}


def _numbers(values) -> pa.Array:
    """Whole numbers as text, in Arrow (a timeline can hold a million events)."""
    return integer(pd.Series(np.asarray(values, dtype=float)))


def _tenths(values) -> pa.Array:
    """Numbers to one decimal as text, in Arrow."""
    return tenths_text(pd.Series(np.round(np.asarray(values, dtype=float) * 10)))


def annotate_events(result, candidate_ids=None, described: int | None = None) -> pd.DataFrame:
    """Every event of ``candidate_ids`` (default: all), in time order, with what it counted for.

    Columns: ``candidate_id``, ``timestamp`` (UTC), ``day`` (local calendar day after the
    interview of the candidate's shortlist round; day 0 = interview day), ``day_position``
    (the same with the time of day as a fraction, for drawing), ``local_time`` (``HH:MM``),
    ``channel``, ``direction``, ``outcome``, ``duration_s``, ``contact``, ``description``
    (``"email → Dana Whitfield"``), ``kind`` (``contact``, ``unanswered``, ``employer``,
    ``not_counted``, ``duplicate``), ``counted`` (inbound follow-up of the scored round),
    ``in_window``, ``round_number``, ``cadence_period`` (the cadence period a counted contact
    falls in, 0 = the first; -1 for none), ``unanswered_run`` (the engine's run of
    back-to-back unanswered calls a counted one is part of: one number for each call of a run;
    -1 for none), ``roles`` (``"; "``-joined: first contact, opening
    thank-you, cadence week, part of a burst, after the decision, …), ``source_file`` and
    ``source_row``. Every fact is the engine's (``result.event_roles``); only the words are
    made here.

    With ``described``, only the first that many rows (in the order above) get their text
    (``local_time``, ``date``, ``description``, ``roles``; the rest have empty text but every
    other column): what a bounded timeline needs, at the cost of the text of those rows only.
    """
    policy, tz = result.policy, result.tz
    rounds, events, roles = _roles_of(result, candidate_ids)
    # Only the columns shown: a log's free-text columns are not copied a million rows at a time.
    events = events[[c for c in SHOWN_COLUMNS if c in events]].iloc[roles["event"].to_numpy()].reset_index(drop=True)
    n = len(events)
    m = n if described is None else min(int(described), n)
    shown = roles.iloc[:m]

    inbound = (events["direction"] == "inbound").to_numpy()
    outcome, channel, contact = events["outcome"], events["channel"], events["contact"]
    frame = pd.DataFrame({
        "candidate_id": _str(_arrow_text(events["candidate_id"])),
        "timestamp": events["timestamp"].array,
        "day": roles["day"].to_numpy(),
        "day_position": roles["day_position"].to_numpy(),
        "local_time": _str(_padded(local_clock(events["timestamp"].iloc[:m], tz), n)),
        "date": _str(_padded(short_dates(events["timestamp"].iloc[:m], tz), n)),
        "channel": _str(_arrow_text(channel)),
        "direction": _str(_arrow_text(events["direction"])),
        "outcome": _str(_arrow_text(outcome)),
        "duration_s": events["duration_s"].to_numpy(dtype=float),
        "contact": _str(_arrow_text(contact)),
        "description": _str(_padded(_describe(channel.iloc[:m], inbound[:m], outcome.iloc[:m], contact.iloc[:m],
                                              events["duration_s"].iloc[:m], shown["unanswered_call"].to_numpy()), n)),
        "kind": _str(_arrow_text(roles["kind"])),
        "counted": roles["counted"].to_numpy(),
        "in_window": roles["in_window"].to_numpy(),
        "round_number": roles["round_number"].array,
        "cadence_period": roles["cadence_period"].to_numpy(),
        "unanswered_run": roles["unanswered_run"].to_numpy(),
        "roles": _str(_padded(_role_words(shown, rounds, contact.iloc[:m], policy, tz), n)),
        "source_file": _str(_arrow_text(events["source_file"])),
        "source_row": events["source_row"].to_numpy(),
    })
    duplicates = _duplicates(result.rejects, frame)
    if len(duplicates):
        frame = pd.concat([frame, duplicates], ignore_index=True)
        # By candidate, time and kind (the duplicate beside what it repeats), stable, as integers.
        kind = pd.Categorical(frame["kind"], categories=sorted(EVENT_KINDS)).codes
        order = np.lexsort((kind, frame["timestamp"].to_numpy(dtype="datetime64[ns]").view("int64"),
                            sorted_codes(_arrow_text(frame["candidate_id"]))))
        frame = frame.iloc[order].reset_index(drop=True)
    return frame


def _roles_of(result, candidate_ids) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The rounds and events ``event_roles`` rows refer to, and those rows, for the candidates
    asked for: the result's own frame when it has made it (or all candidates are asked for),
    else the engine's function run on the few candidates' events only (each candidate's roles
    depend on its own events and rounds alone)."""
    rounds, events = result.rounds, result.events
    if candidate_ids is None:
        return rounds, events, result.event_roles
    wanted = [str(c) for c in candidate_ids]
    if "event_roles" in vars(result):
        roles = result.event_roles
        owner = events["candidate_id"].isin(wanted).to_numpy()[roles["event"].to_numpy()]
        return rounds, events, roles[owner].reset_index(drop=True)
    rounds = rounds[rounds["candidate_id"].astype(str).isin(wanted).to_numpy()]
    events = events[events["candidate_id"].isin(wanted).to_numpy()]
    return rounds, events, event_roles(events, rounds, result.policy, result.tz)


def _padded(texts, n: int) -> pa.Array:
    """``texts`` for the first rows, empty text for the rest up to ``n``, as Arrow strings."""
    texts = text_array(texts)
    if len(texts) == n:
        return texts
    return pa.concat_arrays([texts.cast(pa.string()), pa.repeat(pa.scalar("", pa.string()), n - len(texts))])


# What pandas makes of a column of Python strings: ``str`` (Arrow-backed) from pandas 3, object before.
TEXT_DTYPE = pd.DataFrame({"text": np.array(["text"], dtype=object)})["text"].dtype


def _str(values: pa.Array):
    """Arrow strings as the text column pandas would make, without a trip through Python
    objects where pandas keeps text in Arrow."""
    if TEXT_DTYPE == object:
        return values.to_numpy(zero_copy_only=False)
    return pd.array(values, dtype=TEXT_DTYPE)


def _arrow_text(values: pd.Series) -> pa.Array:
    """A text column as Arrow strings, nulls where missing; a categorical is decoded by Arrow."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        return pc.cast(pa.Array.from_pandas(values.reset_index(drop=True)), pa.string())
    if hasattr(values.array, "__arrow_array__"):  # Arrow-backed text: its own buffers
        arrow = pa.array(values.array)
        if isinstance(arrow, pa.ChunkedArray):
            arrow = arrow.combine_chunks()
        if pa.types.is_string(arrow.type) or pa.types.is_large_string(arrow.type):
            return arrow.cast(pa.string())
    return text_array(values.to_numpy(dtype=object, na_value=None))


def _describe(channel, inbound, outcome, contact, duration, unanswered) -> pa.Array:
    """``"email → Dana Whitfield"``, ``"phone, hung up"``, ``"email ← Sofia Reyes"``."""
    channel = _arrow_text(channel)
    who = pc.fill_null(_arrow_text(contact), "")
    arrow = pc.if_else(pa.array(np.asarray(inbound, dtype=bool)), " → ", " ← ")
    text = cat(channel, pc.if_else(pc.not_equal(who, ""), cat(arrow, who), ""))
    seconds = pd.to_numeric(duration, errors="coerce").to_numpy(dtype=float)
    said = pc.fill_null(_arrow_text(outcome.map(OUTCOME_WORDS)), "")
    words = pc.if_else(pc.not_equal(said, ""), said,
                       pc.if_else(pa.array(np.asarray(unanswered, dtype=bool)), "unanswered", ""))
    length = pc.if_else(pa.array(seconds >= 60), cat(_numbers(np.round(seconds / 60)), " min"),
                        cat(_numbers(seconds), " s"))
    length = pc.fill_null(cat(" (", length, ")"), "")
    phone_text = cat(pc.if_else(pc.not_equal(words, ""), cat(", ", words), ""), length)
    return pc.if_else(pc.equal(channel, "phone"), cat(text, phone_text), text)


def _role_words(roles: pd.DataFrame, rounds: pd.DataFrame, contacts_named: pd.Series, policy, tz: str) -> pa.Array:
    """The roles' phrases of the events whose codes are ``roles`` (rows of ``event_roles``,
    whose ``round_row`` are rows of ``rounds``), ``"; "``-joined, empty for none."""
    windows, restraint = policy.windows, policy.restraint
    period_word = windows.period_word
    why = roles["not_counted"].to_numpy(dtype=object)
    round_row = roles["round_row"].to_numpy()
    hours, period = roles["hours_after_anchor"].to_numpy(), roles["cadence_period"].to_numpy()
    round_number = roles["round_number"].to_numpy(dtype=float, na_value=np.nan)

    def of_round(texts: pa.Array):
        """The events' rounds' entries of ``texts`` (one per round): a round's words are made
        once, however many events it has."""
        return lambda rows: pc.take(texts, pa.array(round_row[rows]))

    decision = text_array(rounds["decision"].astype(object).to_numpy())
    decided_on = text_array(short_dates(rounds["decision_at"], tz))
    # (which events, the phrase: a text, or its texts for those events' rows), in the order
    # an event's roles are listed; then why an event did not count.
    phrases = [
        (roles["first_contact"], lambda rows: cat("first contact, ", _tenths(hours[rows]), " h after the interview")),
        (roles["opening_thank_you"], f"opening thank-you (days 0–{windows.opening_days}: expected, not over-contact)"),
        (roles["thanks_interviewer"],
         lambda rows: cat("thanks interviewer ", text_array(contacts_named.iloc[rows]), " individually")),
        (roles["cadence_counted"], lambda rows: cat(f"{period_word} ", _numbers(period[rows] + 1), " of the cadence")),
        (roles["cadence_incomplete"], lambda rows: cat(f"{period_word} ", _numbers(period[rows] + 1),
                                                       f" of the cadence (not a completed {period_word}: not counted)")),
        (roles["in_busiest_window"], lambda rows: cat("one of ", of_round(_numbers(rounds["max_contacts_7d"]))(rows),
                                                      f" contacts in {restraint.frequency_window_days} "
                                                      f"days (limit {restraint.max_contacts_per_window})")),
        (roles["unanswered_attempt"], "unanswered call: an attempt, not a contact"),
        (roles["in_burst"], lambda rows: cat("part of a burst of ", of_round(_numbers(rounds["burst_hangups"]))(rows),
                                             f" unanswered calls within {restraint.burst_minutes:g} min")),
        (roles["thanks_after_decision"], "thank-you after the decision (credited by the policy)"),
        (roles["checkin"], "check-in timed to the decision date"),
        (roles["early_contact"], "before the decision date, outside the check-ins (counts against restraint)"),
        (roles["before_cadence"], "contact before the cadence starts"),
        (why == "employer_message", "employer's message: not follow-up"),
        (why == "channel_not_counted", f"channel not counted by the {policy.name} policy"),
        (why == "before_interview", "before the interview"),
        (why == "earlier_round",
         lambda rows: cat("follow-up to round ", _numbers(round_number[rows]), " (only the latest round is scored)")),
        (why == "after_decision", lambda rows: cat("after the decision (", of_round(decision)(rows), " on ",
                                                   of_round(decided_on)(rows), "): the window had closed")),
        (why == "after_as_of", "after the as-of time: not yet counted"),
        (why == "during_next_interview", "during the next interview"),
    ]
    return _joined(len(roles), phrases, ROLE_SEPARATOR)


def _joined(n: int, phrases, separator: str) -> pa.Array:
    """Per row, the texts of the phrases whose mask holds, in the phrases' order, joined with
    ``separator`` (empty for none). Each phrase's text is made for its own rows only: most
    events have one or two roles of the nineteen."""
    rows, texts = [], []
    for mask, text in phrases:
        picked = np.flatnonzero(np.asarray(mask, dtype=bool))
        if len(picked):
            rows.append(picked)
            texts.append(pa.repeat(pa.scalar(text, pa.string()), len(picked)) if isinstance(text, str) else text(picked))
    if not rows:
        return pa.repeat(pa.scalar("", pa.string()), n)
    texts = pa.concat_arrays(texts)
    row = np.concatenate(rows)
    kept = np.flatnonzero(~np.asarray(texts.is_null().to_numpy(zero_copy_only=False)))  # a phrase with a gap says nothing
    # Stable: within a row, the phrases keep their order.
    order = kept[np.argsort(row[kept], kind="stable")]
    offsets = np.concatenate([[0], np.cumsum(np.bincount(row[order], minlength=n))]).astype(np.int32)
    return pc.binary_join(pa.ListArray.from_arrays(pa.array(offsets), texts.take(pa.array(order))), separator)


def _duplicates(rejects: pd.DataFrame, frame: pd.DataFrame) -> pd.DataFrame:
    """Rows dropped as duplicates, placed beside the event they repeated."""
    dups = rejects[(rejects["kind"] == "duplicate").to_numpy() & rejects["duplicate_of_row"].notna().to_numpy()]
    if not len(dups) or not len(frame):
        return frame.iloc[0:0]
    keys = pd.DataFrame({"source_file": dups["duplicate_of_file"].astype(str).to_numpy(dtype=object),
                         "source_row": dups["duplicate_of_row"].to_numpy(dtype=np.int64),
                         "dup_file": dups["source_file"].astype(str).to_numpy(dtype=object),
                         "dup_row": dups["source_row"].to_numpy()})
    keys["source_row"] = keys["source_row"].astype(frame["source_row"].dtype)
    found = frame[frame["kind"] != "duplicate"].merge(keys, on=["source_file", "source_row"])
    # The row it repeats, and its file when that is another one (as the reject's reason says it).
    other_file = found["source_file"].astype(str).where(found["source_file"] != found["dup_file"])
    found["roles"] = ("duplicate of " + (other_file + " ").fillna("") + "row " + found["source_row"].astype(str)
                      + ": counted once")
    found["kind"] = "duplicate"
    found["counted"] = False
    found["cadence_period"] = -1
    found["unanswered_run"] = -1  # in no run: listed beside the call it repeats, it ends the run there
    found["source_file"], found["source_row"] = found.pop("dup_file"), found.pop("dup_row")
    return found[frame.columns]
