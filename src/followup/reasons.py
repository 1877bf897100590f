"""Reasons: one short sentence per component and flag, with the numbers behind it.

A million candidates hold few distinct sentences: a sentence is worded once per distinct
combination of the values it quotes (with Arrow's string kernels), and each row carries only
an integer code into those words (:class:`Wording`) until a row's sentences are joined, by one
Arrow take. Wording a million candidates costs a few column passes, not a million format calls.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Union

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .days import local_day
from .policy import Policy
from .schema import (CHANNEL_SEPARATOR, FIRST_CONTACT_TIMING, FLAG_REASON_MARK, NAME_SEPARATOR, QUIET_SINCE,
                     REASON_SEPARATOR)
from .textcolumns import cat, choose, integer, join, tenths_text, text_array, when

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

    def as_texts(self) -> np.ndarray:
        """One Python string per row (each distinct word made once, rows share it), ``None``
        where there is none."""
        table = np.append(self.words.to_numpy(zero_copy_only=False), None)
        return table[self.codes]

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


@dataclass
class Sentences:
    """What every reason reads, worked out once: the scored rounds, their flags and the policy.

    Each reason is a small function of it (:data:`REASONS`); :meth:`texts` words a reason
    once, however many lists quote it (the unanswered calls are both a flag's detail and a
    reason of their own).
    """

    scored: pd.DataFrame
    flags: dict[str, pd.Series]
    uncapped_grade: pd.Series
    silent_days: pd.Series
    policy: Policy
    tz: str
    _texts: dict = field(default_factory=dict, repr=False)

    def __post_init__(self):
        scored = self.scored
        self.held = scored["held"].to_numpy(bool)
        self.has_contact = (scored["inbound_contacts"].fillna(0) > 0).to_numpy()
        self.day = scored["first_contact_day"].astype("float64").to_numpy()
        self.decided = (scored["window_closed_by"] == "decision").to_numpy()
        self.decision = scored["decision"]
        self.flagged = {flag: self.flags[flag].to_numpy(bool) for flag in self.flags}

    def texts(self, reason: "Callable[[Sentences], Wording | list[Wording]]") -> list[Wording]:
        """The texts of one reason (most are one; the notes are several), worded once."""
        if reason not in self._texts:
            made = reason(self)
            self._texts[reason] = made if isinstance(made, list) else [made]
        return self._texts[reason]


def _speed(s: Sentences) -> Wording:
    # Hours are quoted to a tenth: keyed by tenths, a million delays are a few thousand words.
    in_time = s.scored[FIRST_CONTACT_TIMING].isin(["same_day", "in_time"]).to_numpy()
    return worded(s.held & s.has_contact & in_time,
                  {"tenths": (s.scored["first_contact_hours"] * 10).round(), "day": s.day},
                  lambda d: cat("first contact ", tenths_text(d["tenths"]), " h after the interview ",
                                choose(d["day"] == 0, "(same day)", cat("(day ", integer(d["day"]), ")"))))


def _pending(s: Sentences) -> Wording:
    n_days = s.policy.windows.no_contact_days
    return worded(
        s.held & ~s.has_contact & (s.scored["status"] == "pending").to_numpy(),
        {"decided": s.decided, "decision": s.decision, "end_day": s.scored["window_end_day"]},
        lambda d: pc.coalesce(
            when(d["decided"], cat("no contact before the decision (", text_array(d["decision"].astype(object)),
                                   ") on day ", integer(d["end_day"]), ": too early to judge")),
            cat("no contact yet, ", plural((n_days - d["end_day"]).clip(lower=0), "day"),
                f" left of the {n_days}-day window")))


def _upcoming(s: Sentences) -> Wording:
    return worded(~s.held, {"day": local_day(s.scored["interview_at"], s.tz)},
                  lambda d: cat("interview on ", day_month(d["day"]), " is after the as-of time"))


def _cadence(s: Sentences) -> Wording:
    period = s.policy.windows.period_word
    return worded(s.held & (s.scored["periods_completed"].fillna(0) > 0).to_numpy(),
                  {"with": s.scored["periods_with_contact"], "completed": s.scored["periods_completed"]},
                  lambda d: cat(integer(d["with"]), " of ", plural(d["completed"], period), " with follow-up"))


def _channels(s: Sentences) -> Wording:
    return worded(s.held & s.has_contact, {"count": s.scored["n_channels"], "names": s.scored["channels"]},
                  lambda d: cat(plural(d["count"], "channel"), " (",
                                pc.replace_substring(text_array(d["names"].astype(object)), CHANNEL_SEPARATOR, ", "), ")"))


def _thanked(s: Sentences) -> Wording:
    scored = s.scored
    several = (scored["interviewers_met"] >= 2).to_numpy() & scored["contact_data"].fillna(False).to_numpy(bool)
    return worded(s.held & several,
                  {"thanked": scored["interviewers_thanked"], "met": scored["interviewers_met"]},
                  lambda d: cat("thanked ", integer(d["thanked"]), " of ", integer(d["met"]),
                                " interviewers individually"))


def _frequency(s: Sentences) -> Wording:
    rules = s.policy.restraint
    return worded(s.held & s.has_contact & ~s.flagged["TOO_FREQUENT"]
                  & (s.scored["max_contacts_7d"].fillna(0) > 0).to_numpy(),
                  {"most": s.scored["max_contacts_7d"]},
                  lambda d: cat("at most ", plural(d["most"], "contact"),
                                f" in any {rules.frequency_window_days} days (limit {rules.max_contacts_per_window})"))


def _unanswered(s: Sentences) -> Wording:
    hangup_count = s.scored["hangups"].fillna(0)
    return worded(s.held & (hangup_count > 0).to_numpy(), {"calls": hangup_count},
                  lambda d: cat(plural(d["calls"], "call"), " unanswered without a voicemail"))


def _burst(s: Sentences) -> Wording:
    rules = s.policy.restraint
    return worded(s.held & (s.scored["burst_hangups"].fillna(0) >= rules.burst_count).to_numpy(),
                  {"calls": s.scored["burst_hangups"], "day": local_day(s.scored["burst_at"], s.tz)},
                  lambda d: cat(plural(d["calls"], "unanswered call"), f" within {rules.burst_minutes:g} min on ",
                                day_month(d["day"])))


def _quiet_hangups(s: Sentences) -> Wording:
    """Unanswered calls that raised no flag are still said."""
    return s.texts(_unanswered)[0].where(~s.flagged["EXCESSIVE_HANGUPS"])


def _capped(s: Sentences) -> Wording:
    scored, uncapped = s.scored, s.uncapped_grade
    return worded(scored["grade"].notna().to_numpy() & (scored["grade"] != uncapped).to_numpy(),
                  {"grade": scored["grade"], "uncapped": uncapped},
                  lambda d: cat("grade capped at ", text_array(d["grade"]), " by the flags (the score alone gives ",
                                text_array(d["uncapped"]), ")"))


def _every_round(s: Sentences) -> Wording:
    courtesy = s.policy.courtesy
    return worded(s.held & (courtesy.every_round_weight > 0) & (s.scored["rounds_held"] >= 2).to_numpy(),
                  {"thanked": s.scored["rounds_thanked"], "held": s.scored["rounds_held"]},
                  lambda d: cat("thanked promptly after ", integer(d["thanked"]), " of ",
                                plural(d["held"], "round")))


def _after_decision(s: Sentences) -> Wording:
    scored, courtesy, decision = s.scored, s.policy.courtesy, s.decision
    credited = (courtesy.after_decision_weight > 0) & s.decided & decision.isin(courtesy.after_decision).to_numpy()
    thanked_after = (scored["thanks_after_decision"].fillna(0) > 0).to_numpy()
    waited = (scored["as_of"] >= scored["decision_at"] + pd.Timedelta(days=courtesy.after_decision_days)).to_numpy()
    return worded(
        s.held & credited & (thanked_after | waited), {"thanked": thanked_after, "decision": decision},
        lambda d: choose(d["thanked"],
                         cat("a thank-you after the decision (", text_array(d["decision"].astype(object)), ")"),
                         cat(f"no thank-you in the {courtesy.after_decision_days} days after the decision (",
                             text_array(d["decision"].astype(object)), ")")))


def _checkins(s: Sentences) -> Wording:
    scored, deadline = s.scored, s.policy.deadline
    expects_checkins = (scored["checkins_expected"].fillna(0) > 0).to_numpy()
    return worded(
        s.held & s.has_contact & (deadline.checkins_weight > 0) & (expects_checkins | scored["due_day"].isna().to_numpy()),
        {"met": scored["checkins_met"], "expected": scored["checkins_expected"], "due_day": scored["due_day"]},
        lambda d: pc.coalesce(
            when(d["expected"].fillna(0) > 0, cat(integer(d["met"]), " of ", plural(d["expected"], "check-in"),
                                                  " timed to the decision due on day ", integer(d["due_day"]))),
            when(d["due_day"].isna(), pa.scalar("no decision date given: check-ins not judged"))))


def _early(s: Sentences) -> Wording:
    deadline = s.policy.deadline
    return worded(s.held & (deadline.early_contact_penalty > 0)
                  & (s.scored["early_contacts"].fillna(0) > deadline.early_contacts_forgiven).to_numpy(),
                  {"early": s.scored["early_contacts"]},
                  lambda d: cat(plural(d["early"], "contact"), " before the decision date outside the expected check-ins"))


def _closed(s: Sentences) -> Wording:
    return worded(s.decided, {"decision": s.decision, "day": local_day(s.scored["decision_at"], s.tz)},
                  lambda d: cat("window closed by the decision (", text_array(d["decision"].astype(object)), ") on ",
                                day_month(d["day"])))


def _no_contact_late(s: Sentences) -> Wording:
    n_days = s.policy.windows.no_contact_days
    return worded(s.flagged["NO_CONTACT"] & s.has_contact, {"day": s.day},
                  lambda d: cat("first contact only on day ", integer(d["day"]),
                                f", after the {n_days}-day window"))


def _no_contact_at_all(s: Sentences) -> Wording:
    return worded(s.flagged["NO_CONTACT"] & ~s.has_contact, {"end_day": s.scored["window_end_day"]},
                  lambda d: cat("no contact in the ", integer(d["end_day"]), " days since the interview"))


def _excessive_hangups(s: Sentences) -> Wording:
    calls = joined_wording([s.texts(_unanswered)[0], s.texts(_burst)[0]], ", ")
    return calls.where(s.flagged["EXCESSIVE_HANGUPS"])


def _too_frequent(s: Sentences) -> Wording:
    rules = s.policy.restraint
    return worded(s.flagged["TOO_FREQUENT"],
                  {"most": s.scored["max_contacts_7d"], "day": local_day(s.scored["busiest_window_at"], s.tz)},
                  lambda d: cat(plural(d["most"], "contact"),
                                f" in the {rules.frequency_window_days} days to ", day_month(d["day"]),
                                f" (limit {rules.max_contacts_per_window})"))


def _waited_for_due(s: Sentences) -> np.ndarray:
    """Silence counted from the due date (``wait_for_due``, a due date after the last
    contact): the engine's ``quiet_since`` is then later than the last contact."""
    return (s.scored[QUIET_SINCE] > s.scored["last_contact_at"]).fillna(False).to_numpy(bool)


def _went_silent(s: Sentences) -> Wording:
    # Silent days are quoted whole: keyed by the rounded count, not the exact fraction.
    return worded(s.flagged["WENT_SILENT"] & ~_waited_for_due(s),
                  {"days": s.silent_days.round(), "day": local_day(s.scored["last_contact_at"], s.tz)},
                  lambda d: cat("no contact for ", integer(d["days"]), " days since ", day_month(d["day"])))


def _silent_since_due(s: Sentences) -> Wording:
    due = pd.to_datetime(s.scored["decision_due"], utc=True)
    return worded(s.flagged["WENT_SILENT"] & _waited_for_due(s),
                  {"days": s.silent_days.round(), "day": local_day(due, s.tz)},
                  lambda d: cat("no contact in the ", integer(d["days"]),
                                " days since the decision was due (", day_month(d["day"]), ")"))


def _speed_and_cadence(s: Sentences) -> Wording:
    return joined_wording([s.texts(_speed)[0], s.texts(_cadence)[0]], ", ")


def _notes(s: Sentences) -> list[Wording]:
    return _note_reasons(s.scored, s.held, s.policy)


#: Each flag's reason, without its code, in the order of FLAGS: the wordings of a flag exclude
#: each other (a late first contact or none at all), so a row has at most one per flag.
FLAG_REASONS = {"NO_CONTACT": (_no_contact_late, _no_contact_at_all), "EXCESSIVE_HANGUPS": (_excessive_hangups,),
                "TOO_FREQUENT": (_too_frequent,), "WENT_SILENT": (_went_silent, _silent_since_due)}
#: Every other reason of a row, in the order the ``reasons`` column lists them after the flags'.
REASONS = (_upcoming, _pending, _speed, _checkins, _cadence, _channels, _thanked, _notes,
           _every_round, _frequency, _early, _quiet_hangups, _capped, _closed, _after_decision)
#: The ``reason`` headline: the first flag's reason a row has, else the first of these (how fast
#: and how steadily the candidate followed up).
HEADLINE = (_upcoming, _pending, _speed_and_cadence)


@dataclass(frozen=True)
class Reasons:
    """What :func:`explain` words for each row: every reason joined (``reasons``), the headline
    (``reason``) and each flag's reason apart (``flags``: code -> a text column, ``None`` where the flag is not carried)."""

    reasons: pd.Series
    reason: pd.Series
    flags: dict[str, pd.Series]


def flag_sentence(code, detail):
    """How a flag's reason reads among the others: ``"WENT_SILENT: no contact for 18 days since
    13 Mar"`` (code and detail: strings, or pandas text columns)."""
    return code + FLAG_REASON_MARK + detail


def explain(scored: pd.DataFrame, flags: dict[str, pd.Series], uncapped_grade: pd.Series,
            silent_days: pd.Series, policy: Policy, tz: str) -> Reasons:
    """All reasons of each row (the flags' :data:`FLAG_REASONS`, then :data:`REASONS`), a one-line
    headline (:data:`HEADLINE`) and each flag's reason as a column of its own."""
    sentences = Sentences(scored, flags, uncapped_grade, silent_days, policy, tz)
    details = {code: [text for reason in wordings for text in sentences.texts(reason)]
               for code, wordings in FLAG_REASONS.items()}
    flagged = [text.prefixed(flag_sentence(code, "")) for code, texts in details.items() for text in texts]
    everything = joined(flagged + [text for reason in REASONS for text in sentences.texts(reason)], REASON_SEPARATOR)
    headline = first_of(flagged + [text for reason in HEADLINE for text in sentences.texts(reason)])
    return Reasons(
        reasons=pd.Series(everything.to_numpy(zero_copy_only=False), index=scored.index, dtype=object),
        reason=pd.Series(headline.as_objects(), index=scored.index, dtype=object),
        flags={code: pd.Series(first_of(texts).as_texts(), index=scored.index, dtype=object)
               for code, texts in details.items()})


def names_text(names: pa.Array) -> pa.Array:
    """Names joined with :data:`~followup.schema.NAME_SEPARATOR` as a reader says them:
    ``"Mei Chen and Raj Patel"``, ``"A, B and C"``."""
    listed = pc.replace_substring(names, NAME_SEPARATOR, ", ")
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
