"""Reasons: one short sentence per component and flag, with the numbers behind it.

A million candidates hold few distinct sentences: a sentence is worded once per distinct
combination of the values it quotes (with Arrow's string kernels), and each row carries only
an integer code into those words (:class:`Wording`) until a row's sentences are joined, by one
Arrow take. Wording a million candidates costs a few column passes, not a million format calls.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Union

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .days import local_day
from .policy import Policy
from .textcolumns import cat, choose, integer, join, tenths_text, text_array, when

SEPARATOR = "; "
MONTHS = np.array(["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"])


def day_month(days: pd.Series) -> pa.Array:
    """Short date such as ``"12 Mar"`` of :func:`local_day` numbers; null where missing."""
    dates = days.to_numpy(dtype=np.int64).view("datetime64[D]")
    present = ~np.isnat(dates)
    calendar = pd.DatetimeIndex(dates[present])
    words = np.full(len(dates), None, dtype=object)
    words[present] = np.char.add(np.char.add(calendar.day.astype(str), " "), MONTHS[calendar.month - 1])
    return text_array(words)


def plural(count: pd.Series, word: str) -> pa.Array:
    """``"1 call"``, ``"3 calls"``."""
    ones = (pd.to_numeric(count) == 1).fillna(False).to_numpy()
    return cat(integer(count), " " + word, text_array(np.where(ones, "", "s")))


@dataclass(frozen=True)
class Wording:
    """A text per row, kept as ``codes`` into a few distinct ``words``; code -1 is no text.

    The codes of a row always point at a non-null word, so "has a text" is ``codes >= 0``.
    """

    codes: np.ndarray
    words: pa.Array

    def where(self, mask) -> "Wording":
        """This text where ``mask`` holds, none elsewhere."""
        return Wording(np.where(np.asarray(mask, dtype=bool), self.codes, -1), self.words)

    def prefixed(self, text: str) -> "Wording":
        """``text`` in front of every word."""
        return Wording(self.codes, cat(text, self.words))

    def as_objects(self) -> np.ndarray:
        """One Python string per row, ``""`` where there is none."""
        # Each distinct word becomes a Python string once; rows share it.
        table = np.append(self.words.to_numpy(zero_copy_only=False), "")
        return table[self.codes]


Keys = dict[str, Union[pd.Series, np.ndarray]]


def worded(applies, keys: Keys, word: Callable[[pd.DataFrame], pa.Array]) -> Wording:
    """``word`` of each row's ``keys`` where ``applies``; no text elsewhere or where it is null.

    ``word`` gets one row per distinct combination of the keys among the rows that apply
    (columns named as ``keys``) and returns their texts, so each combination is worded once
    however many rows share it.
    """
    applies = np.asarray(applies, dtype=bool)
    rows = np.flatnonzero(applies)
    columns = {name: pd.Series(values).take(rows).reset_index(drop=True) for name, values in keys.items()}
    combination, count = np.zeros(len(rows), dtype=np.int64), 0
    for column in columns.values():
        level, distinct = pd.factorize(column, use_na_sentinel=False)
        # Re-numbering after each key keeps the combined code below rows², however many keys.
        combination, combined = pd.factorize(combination * len(distinct) + level)
        count = len(combined)
    example = np.empty(count, dtype=np.int64)
    # All rows of a combination hold the same keys, so any one of them can stand for it.
    example[combination] = np.arange(len(rows))
    words = word(pd.DataFrame({name: column.take(example).reset_index(drop=True)
                               for name, column in columns.items()})).cast(pa.string())
    codes = np.full(len(applies), -1, dtype=np.int64)
    codes[rows] = np.where(words.is_valid().to_numpy(zero_copy_only=False)[combination], combination, -1)
    return Wording(codes, words)


def joined(parts: list[Wording], separator: str) -> pa.Array:
    """Each row's texts joined with ``separator`` in the order of ``parts``; ``""`` where it has none."""
    present = [part.codes >= 0 for part in parts]
    counts = np.sum(present, axis=0, dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(counts)])
    plain = pa.concat_arrays([part.words for part in parts])
    # Each word also with the separator in front, for a text that follows another in its row.
    # 64-bit offsets once the words are taken: the reasons of tens of millions of rows pass 2 GB.
    words = pa.concat_arrays([plain, cat(separator, plain)]).cast(pa.large_string())
    picks = np.empty(starts[-1], dtype=np.int64)
    slot, base = starts[:-1].copy(), 0
    for part, here in zip(parts, present):
        rows = np.flatnonzero(here)
        # Each row's next free place: its texts keep the order of the parts.
        follows = slot[rows] > starts[rows]
        picks[slot[rows]] = part.codes[rows] + base + follows * len(plain)
        slot[rows] += 1
        base += len(part.words)
    texts = words.take(pa.array(picks))
    # A row's texts lie side by side in ``texts``, separators included, so the joined row is
    # their span of bytes: only the offsets are new, no text is copied again.
    offsets = np.frombuffer(texts.buffers()[1], dtype=np.int64)[texts.offset:]
    spans = offsets[starts]
    return pa.LargeStringArray.from_buffers(len(counts), pa.py_buffer(spans), texts.buffers()[2])


def first_of(parts: list[Wording]) -> Wording:
    """The first text of each row among ``parts``."""
    starts = np.cumsum([0] + [len(part.words) for part in parts])
    first = np.full(len(parts[0].codes), -1, dtype=np.int64)
    for part, start in zip(reversed(parts), reversed(starts[:-1])):
        first = np.where(part.codes >= 0, part.codes + start, first)
    return Wording(first, pa.concat_arrays([part.words for part in parts]))


def joined_wording(parts: list[Wording], separator: str) -> Wording:
    """:func:`joined` for a few parts with few words each: worded once per combination."""
    def word(distinct: pd.DataFrame) -> pa.Array:
        return join([part.words.take(pa.array(codes, mask=codes < 0))
                     for part, codes in zip(parts, distinct.to_numpy().T)], separator)

    return worded(np.any([part.codes >= 0 for part in parts], axis=0),
                  {str(i): part.codes for i, part in enumerate(parts)}, word)


def explain(scored: pd.DataFrame, flags: dict[str, pd.Series], uncapped_grade: pd.Series,
            silent_days: pd.Series, policy: Policy, tz: str) -> tuple[pd.Series, pd.Series]:
    """All reasons of each row, and a one-line headline (the first flag's reason, else how
    fast and how steadily the candidate followed up)."""
    windows, rules = policy.windows, policy.restraint
    held = scored["held"].to_numpy(bool)
    has_contact = (scored["inbound_contacts"].fillna(0) > 0).to_numpy()
    day = scored["first_contact_day"].astype("float64").to_numpy()
    n_days = windows.no_contact_days
    decided = (scored["window_closed_by"] == "decision").to_numpy()
    decision = scored["decision"]

    # Hours are quoted to a tenth: keyed by tenths, a million delays are a few thousand words.
    speed = worded(held & has_contact & (day >= 0) & (day <= n_days),
                   {"tenths": (scored["first_contact_hours"] * 10).round(), "day": day},
                   lambda d: cat("first contact ", tenths_text(d["tenths"]), " h after the interview ",
                                 choose(d["day"] == 0, "(same day)", cat("(day ", integer(d["day"]), ")"))))
    pending = worded(
        held & ~has_contact & (scored["status"] == "pending").to_numpy(),
        {"decided": decided, "decision": decision, "end_day": scored["window_end_day"]},
        lambda d: pc.coalesce(
            when(d["decided"], cat("no contact before the decision (", text_array(d["decision"].astype(object)),
                                   ") on day ", integer(d["end_day"]), ": too early to judge")),
            cat("no contact yet, ", plural((n_days - d["end_day"]).clip(lower=0), "day"),
                f" left of the {n_days}-day window")))
    upcoming = worded(~held, {"day": local_day(scored["interview_at"], tz)},
                      lambda d: cat("interview on ", day_month(d["day"]), " is after the as-of time"))

    period = windows.period_word
    cadence = worded(held & (scored["periods_completed"].fillna(0) > 0).to_numpy(),
                     {"with": scored["periods_with_contact"], "completed": scored["periods_completed"]},
                     lambda d: cat(integer(d["with"]), " of ", plural(d["completed"], period), " with follow-up"))
    channels = worded(held & has_contact, {"count": scored["n_channels"], "names": scored["channels"]},
                      lambda d: cat(plural(d["count"], "channel"), " (",
                                    pc.replace_substring(text_array(d["names"].astype(object)), ",", ", "), ")"))
    several = (scored["interviewers_met"] >= 2).to_numpy() & scored["contact_data"].fillna(False).to_numpy(bool)
    thanked = worded(held & several,
                     {"thanked": scored["interviewers_thanked"], "met": scored["interviewers_met"]},
                     lambda d: cat("thanked ", integer(d["thanked"]), " of ", integer(d["met"]),
                                   " interviewers individually"))
    notes = _note_reasons(scored, held, policy)
    frequency = worded(held & has_contact & ~flags["TOO_FREQUENT"].to_numpy(bool)
                       & (scored["max_contacts_7d"].fillna(0) > 0).to_numpy(),
                       {"most": scored["max_contacts_7d"]},
                       lambda d: cat("at most ", plural(d["most"], "contact"),
                                     f" in any {rules.frequency_window_days} days (limit {rules.max_contacts_per_window})"))
    hangup_count = scored["hangups"].fillna(0)
    unanswered = worded(held & (hangup_count > 0).to_numpy(), {"calls": hangup_count},
                        lambda d: cat(plural(d["calls"], "call"), " unanswered without a voicemail"))
    burst = worded(held & (scored["burst_hangups"].fillna(0) >= rules.burst_count).to_numpy(),
                   {"calls": scored["burst_hangups"], "day": local_day(scored["burst_at"], tz)},
                   lambda d: cat(plural(d["calls"], "unanswered call"), f" within {rules.burst_minutes:g} min on ",
                                 day_month(d["day"])))
    capped = worded(scored["grade"].notna().to_numpy() & (scored["grade"] != uncapped_grade).to_numpy(),
                    {"grade": scored["grade"], "uncapped": uncapped_grade},
                    lambda d: cat("grade capped at ", text_array(d["grade"]), " by the flags (the score alone gives ",
                                  text_array(d["uncapped"]), ")"))
    courtesy = policy.courtesy
    every_round = worded(held & (courtesy.every_round_weight > 0) & (scored["rounds_held"] >= 2).to_numpy(),
                         {"thanked": scored["rounds_thanked"], "held": scored["rounds_held"]},
                         lambda d: cat("thanked promptly after ", integer(d["thanked"]), " of ",
                                       plural(d["held"], "round")))
    credited = (courtesy.after_decision_weight > 0) & decided & decision.isin(courtesy.after_decision).to_numpy()
    thanked_after = (scored["thanks_after_decision"].fillna(0) > 0).to_numpy()
    waited = (scored["as_of"] >= scored["decision_at"] + pd.Timedelta(days=courtesy.after_decision_days)).to_numpy()
    after_decision = worded(
        held & credited & (thanked_after | waited), {"thanked": thanked_after, "decision": decision},
        lambda d: choose(d["thanked"],
                         cat("a thank-you after the decision (", text_array(d["decision"].astype(object)), ")"),
                         cat(f"no thank-you in the {courtesy.after_decision_days} days after the decision (",
                             text_array(d["decision"].astype(object)), ")")))
    deadline = policy.deadline
    expects_checkins = (scored["checkins_expected"].fillna(0) > 0).to_numpy()
    checkins = worded(
        held & has_contact & (deadline.checkins_weight > 0) & (expects_checkins | scored["due_day"].isna().to_numpy()),
        {"met": scored["checkins_met"], "expected": scored["checkins_expected"], "due_day": scored["due_day"]},
        lambda d: pc.coalesce(
            when(d["expected"].fillna(0) > 0, cat(integer(d["met"]), " of ", plural(d["expected"], "check-in"),
                                                  " timed to the decision due on day ", integer(d["due_day"]))),
            when(d["due_day"].isna(), pa.scalar("no decision date given: check-ins not judged"))))
    early = worded(held & (deadline.early_contact_penalty > 0)
                   & (scored["early_contacts"].fillna(0) > deadline.early_contacts_forgiven).to_numpy(),
                   {"early": scored["early_contacts"]},
                   lambda d: cat(plural(d["early"], "contact"), " before the decision date outside the expected check-ins"))
    closed = worded(decided, {"decision": decision, "day": local_day(scored["decision_at"], tz)},
                    lambda d: cat("window closed by the decision (", text_array(d["decision"].astype(object)), ") on ",
                                  day_month(d["day"])))

    due = pd.to_datetime(scored["decision_due"], utc=True)
    waited_for_due = deadline.wait_for_due & (due > scored["last_contact_at"]).to_numpy()
    no_contact, silent = flags["NO_CONTACT"].to_numpy(bool), flags["WENT_SILENT"].to_numpy(bool)
    excessive = flags["EXCESSIVE_HANGUPS"].to_numpy(bool)
    # Silent days are quoted whole: keyed by the rounded count, not the exact fraction.
    silent_whole = silent_days.round()
    flag_reasons = [
        worded(no_contact & has_contact, {"day": day},
               lambda d: cat("NO_CONTACT: first contact only on day ", integer(d["day"]),
                             f", after the {n_days}-day window")),
        worded(no_contact & ~has_contact, {"end_day": scored["window_end_day"]},
               lambda d: cat("NO_CONTACT: no contact in the ", integer(d["end_day"]), " days since the interview")),
        joined_wording([unanswered, burst], ", ").where(excessive).prefixed("EXCESSIVE_HANGUPS: "),
        worded(flags["TOO_FREQUENT"].to_numpy(bool),
               {"most": scored["max_contacts_7d"], "day": local_day(scored["busiest_window_at"], tz)},
               lambda d: cat("TOO_FREQUENT: ", plural(d["most"], "contact"),
                             f" in the {rules.frequency_window_days} days to ", day_month(d["day"]),
                             f" (limit {rules.max_contacts_per_window})")),
        worded(silent & ~waited_for_due, {"days": silent_whole, "day": local_day(scored["last_contact_at"], tz)},
               lambda d: cat("WENT_SILENT: no contact for ", integer(d["days"]), " days since ", day_month(d["day"]))),
        worded(silent & waited_for_due, {"days": silent_whole, "day": local_day(due, tz)},
               lambda d: cat("WENT_SILENT: no contact in the ", integer(d["days"]),
                             " days since the decision was due (", day_month(d["day"]), ")")),
    ]
    quiet_hangups = unanswered.where(~excessive)
    everything = joined(flag_reasons + [upcoming, pending, speed, checkins, cadence, channels, thanked, *notes, every_round,
                                        frequency, early, quiet_hangups, capped, closed, after_decision], SEPARATOR)
    headline = first_of(flag_reasons + [upcoming, pending, joined_wording([speed, cadence], ", ")])
    return (pd.Series(everything.to_numpy(zero_copy_only=False), index=scored.index, dtype=object),
            pd.Series(headline.as_objects(), index=scored.index, dtype=object))


def names_text(names: pa.Array) -> pa.Array:
    """``;``-separated names as a reader says them: ``"Mei Chen and Raj Patel"``,
    ``"A, B and C"``."""
    listed = pc.replace_substring(names, ";", ", ")
    return pc.replace_substring_regex(listed, r", ([^,]*)$", r" and \1")


def _note_reasons(scored: pd.DataFrame, held: np.ndarray, policy: Policy) -> list[Wording]:
    """What the thank-you notes' text showed (followup.notes), quoting only the interview
    list's names — and the greeted name, to show a misspelling."""
    rules = policy.notes
    if policy.weights.notes <= 0 or "notes_judged" not in scored:
        return []
    judged = held & (scored["notes_judged"].fillna(0) > 0).to_numpy()
    count = {column: scored[column].fillna(0).to_numpy() for column in
             ("notes_judged", "notes_copied", "notes_misspelled", "notes_wrong_person", "notes_no_name",
              "notes_template", "notes_stock", "template_matches")}
    copied = worded(judged & scored["notes_copied_to"].notna().to_numpy(), {"to": scored["notes_copied_to"]},
                    lambda d: cat("the same note went to ", names_text(text_array(d["to"]))))
    greeting = worded(judged & scored["greeting_name"].notna().to_numpy(),
                      {"name": scored["greeting_name"], "who": scored["greeting_interviewer"],
                       "issue": scored["greeting_issue"]},
                      lambda d: cat("greets '", text_array(d["name"]), "' — ",
                                    choose(d["issue"] == "misspelled", "the interviewer is ", "the note went to "),
                                    text_array(d["who"])))
    nameless = worded(judged & (count["notes_no_name"] > 0), {"count": scored["notes_no_name"]},
                      lambda d: cat(plural(d["count"], "note"), " greeting no one by name"))
    matched = worded(judged & (count["template_matches"] >= rules.template_candidates),
                     {"others": scored["template_matches"]},
                     lambda d: cat("note matches ", integer(d["others"]), " other ",
                                   choose(d["others"] == 1, "candidate's", "candidates'"), " text"))
    stock = worded(judged & (count["notes_stock"] > 0), {"count": scored["notes_stock"]},
                   lambda d: cat(plural(d["count"], "note"), " mostly a greeting and a stock phrase"))
    fine = judged & (count["notes_copied"] + count["notes_misspelled"] + count["notes_wrong_person"]
                     + count["notes_no_name"] + count["notes_template"] == 0)
    personal = worded(fine, {"count": scored["notes_judged"]},
                      lambda d: cat(plural(d["count"], "thank-you note"), " of their own, names spelled right"))
    return [personal, copied, greeting, nameless, matched, stock]
