"""Read the logs people actually have: ATS, phone-system and mailbox exports.

Each input file is recognised from its content (:mod:`.detect`, overridable with ``--source``),
read by one adapter module into the project's raw event columns with ``source_file`` and
``source_row`` on every row, tied to candidates through the roster (:mod:`followup.roster`),
and then validated by :func:`followup.normalise.normalise_events` like any hand-made CSV.
Records an adapter cannot use (unmatched or ambiguous people, notes that are not contacts,
the second record of one call) arrive in the rejects with their reason, so every input row is
still accounted for. The same e-mail seen in two sources (the ATS feed and the mailbox) is
counted once.

=========================  ======================================================
source name                reads
=========================  ======================================================
``events``                 the project's own event CSV/JSON/Parquet/Excel
``interviews``             the project's own interview list
``greenhouse``             Harvest v1 activity feed (and v3 notes pages)
``greenhouse-interviews``  Harvest ``scheduled_interviews`` (an interview list)
``lever``                  Lever notes
``lever-interviews``       Lever interviews (an interview list)
``ringcentral``            RingCentral call-log JSON pages or admin CSV
``twilio``                 Twilio Calls API pages, BulkExport JSON Lines, console CSV
``mbox``                   an mbox file (Gmail Takeout, Thunderbird, …)
``eml``                    one ``.eml`` file or a folder of them
``map``                    any CSV/Excel read through ``--map mapping.toml``
(issue 13's systems)       see :mod:`.more`: ``msg``, ``graph``, ``aircall``, ``zoom``,
                           ``teams``, ``twilio-sms``, ``google-voice``, ``dialpad``,
                           ``vonage``, ``workable``, ``linkedin``, ``ics``,
                           ``ashby-interviews``, ``smartrecruiters-interviews``
=========================  ======================================================
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

import warnings

from ..encodings import checked as checked_encoding
from ..errors import FollowupError, InputWarning
from ..normalise import Normalised, normalise_events, normalise_interviews, raise_first_rejected, rows_per_file
from ..readers import using_encoding
from ..roster import Roster, email_key, load_roster
from ..schema import RejectCode
from ..timeparse import parse_times
from . import folders, greenhouse, lever, mailbox, mapping, ringcentral, twilio
from . import more
from .calls import CALL_KEY, OUTCOME_RANK
from .detect import detect
from .records import Adapted, reject_rows, stack_rejects

EVENT_READERS = {
    "greenhouse": greenhouse.read_feed,
    "lever": lever.read_notes,
    "ringcentral": ringcentral.read,
    "twilio": twilio.read,
    "mbox": mailbox.read,
    "eml": mailbox.read,
    "map": mapping.read,
    **more.EVENT_READERS,
}
INTERVIEW_READERS = {
    "greenhouse-interviews": greenhouse.read_interviews,
    "lever-interviews": lever.read_interviews,
    **more.INTERVIEW_READERS,
}
SOURCES = ("events", "interviews", *EVENT_READERS, *INTERVIEW_READERS)
# Rows that are not contacts at all are accounted for but do not stop a --strict run.
NOT_CONTACT_CODES = (RejectCode.NOT_A_CONTACT, RejectCode.NOT_DATA)
# Records tied to no single candidate: the accounting's "unmatched".
UNMATCHED_CODES = (RejectCode.UNMATCHED, RejectCode.AMBIGUOUS)
# The source named in the accounting for a file of a folder that was listed, not read.
UNREAD_SOURCE = "(not read)"
CROSS_SOURCE_WINDOW = pd.Timedelta(minutes=2)
# A file more than this share of whose rows match no candidate was almost surely given without
# the roster (or options) that ties it to people: every candidate would come out NO_CONTACT.
UNMATCHED_SHARE = 0.5
MAIL_SOURCES = ("mbox", "eml", "greenhouse")


@dataclass
class SourceOptions:
    """How to read vendor exports: the roster, the employer's mail domains, the default phone
    region, forced source names and a column-mapping file. ``origins`` is filled while reading:
    which input (file or folder) and source each ``source_file`` came from."""

    roster: Roster | None = None
    employer_domains: tuple[str, ...] = ()
    default_region: str | None = None
    forced: dict[str, str] = field(default_factory=dict)
    forced_all: str | None = None
    mapping: mapping.ColumnMap | None = None
    tz: str = "UTC"
    origins: dict[str, tuple[str, str]] = field(default_factory=dict)
    # Every file of the run, so that a reader can settle records split across files (Twilio
    # legs), and what such a reader keeps for the rest of the run.
    inputs: list[Path] = field(default_factory=list)
    memo: dict = field(default_factory=dict)
    # ``--encoding``: the text encoding of CSV and JSON inputs; None detects it per file.
    encoding: str | None = None
    # ``--allow-empty``: an input with no rows at all is meant (no contact yet), not an error.
    allow_empty: bool = False

    @classmethod
    def build(cls, candidates=None, employer_domains=(), default_region=None, source=(), map_file=None,
              encoding=None, allow_empty=False):
        """Options from CLI-style values; ``source`` items are ``NAME`` (every file) or
        ``FILE=NAME``."""
        forced, forced_all = {}, None
        for item in source:
            path, _, name = item.rpartition("=")
            if name not in SOURCES:
                raise FollowupError(f"unknown --source {name!r}; use one of {', '.join(SOURCES)}")
            if path:
                if not Path(path).exists():
                    raise FollowupError(f"--source {item}: there is no file or folder {path}")
                forced[str(Path(path).resolve())] = name
            else:
                forced_all = name
        domains = tuple(d.strip().lower().lstrip("@") for d in employer_domains if d.strip())
        return cls(
            roster=load_roster(candidates, default_region) if candidates else None,
            employer_domains=domains,
            default_region=default_region.upper() if default_region else None,
            forced=forced, forced_all=forced_all,
            mapping=mapping.load_map(map_file) if map_file else None,
            encoding=checked_encoding(encoding) if encoding else None, allow_empty=bool(allow_empty),
        )

    def source_for(self, path: Path, role: str, given: Path | None = None) -> str:
        """The source for ``path``, a file given on its own or found in the folder ``given``
        (a ``--source FOLDER=NAME`` applies to the folder's files)."""
        name = (self.forced.get(str(path.resolve())) or (given is not None and self.forced.get(str(given.resolve())))
                or self.forced_all)
        if name is None or (role == "interviews") != (name in ("interviews", *INTERVIEW_READERS)):
            name = detect(path, self.mapping, role)
        if name == "map" and self.mapping is None:
            raise FollowupError(f"{path}: --source map needs --map mapping.toml")
        return name


def understood_not_contacts(rejects: pd.DataFrame) -> pd.Series:
    """The rejects that are records read right and set aside because they are not contacts
    (notes, machine mail, drafts, a folder's non-data files) rather than bad rows: they do not
    stop a --strict run, and a file made only of them is not a file read as nothing."""
    return rejects["code"].isin(NOT_CONTACT_CODES)


def _adapt(path: Path, given: Path, options: SourceOptions, role: str, read_native) -> Adapted:
    """One file through its adapter; ``given`` is the input it came from (itself or its folder)."""
    name = options.source_for(path, role, given)
    readers = INTERVIEW_READERS if role == "interviews" else EVENT_READERS
    adapted = readers[name](path, options) if name in readers else Adapted(read_native(path), source=name)
    files = set(map(str, pd.unique(adapted.frame["source_file"]))) | set(adapted.rejects["source_file"].astype(str))
    for file in files or {str(path)}:
        options.origins[file] = (str(given), adapted.source)
    return adapted


def _adapt_input(given: Path, options: SourceOptions, role: str, read_native) -> list[Adapted]:
    """Every file of one input (a file, or a folder: see :mod:`followup.sources.folders`), the
    files a folder holds but cannot be read listed as rejects of their own."""
    files, unread = folders.expand(given)
    passed_over = unread[~understood_not_contacts(unread)]
    if len(passed_over):  # listed in the rejects too; said here so that nobody misses it
        more = f" (and {len(passed_over) - 1} more files in {given}; see --rejects)" if len(passed_over) > 1 else ""
        warnings.warn(f"{passed_over['source_file'].iloc[0]}: {passed_over['reason'].iloc[0]}{more}",
                      InputWarning, stacklevel=2)
    adapted = [_adapt(file, given, options, role, read_native) for file in files]
    for file in unread["source_file"]:
        options.origins[file] = (str(given), UNREAD_SOURCE)
    if len(unread):
        adapted.append(Adapted(pd.DataFrame({"source_file": pd.Series(dtype=object)}), unread, UNREAD_SOURCE))
    return adapted


def _with_rejects(loaded: Normalised, early: pd.DataFrame, strict: bool) -> Normalised:
    if strict:
        problems = early[~understood_not_contacts(early)]
        raise_first_rejected(problems)
    if not len(early):
        return loaded
    rejects = pd.concat([loaded.rejects, early], ignore_index=True).sort_values(
        ["source_file", "source_row"], kind="stable", ignore_index=True)
    return Normalised(loaded.frame, rejects, loaded.rows_read + len(early))


def cross_source_duplicates(adapted: list[Adapted], tz: str) -> list[Adapted]:
    """The same e-mail in two sources (the ATS feed and the mailbox): same candidate, direction,
    sender and subject within two minutes. The copy in the later-listed input is reported as a
    duplicate of the first."""
    parts = []
    for order, item in enumerate(adapted):
        frame = item.frame
        if "sender" in frame and len(frame):
            parts.append(pd.DataFrame({
                "order": order, "position": np.arange(len(frame)),
                "candidate_id": frame["candidate_id"].astype("string"),
                "direction": frame["direction"].astype("string"),
                "sender": email_key(frame["sender"]),
                "subject": frame["subject"].astype("string").fillna("").str.strip().str.casefold()
                .str.replace(r"\s+", " ", regex=True),
                "when": parse_times(frame["timestamp"], tz)[0].to_numpy(),
                "file": frame["source_file"].astype(str).to_numpy(),
                "row": frame["source_row"].to_numpy(),
            }))
    if len({p["order"].iloc[0] for p in parts}) < 2:
        return adapted
    mail = pd.concat(parts, ignore_index=True).dropna(subset=["when", "candidate_id"])
    mail = mail.sort_values(["candidate_id", "direction", "sender", "subject", "when", "order"], kind="stable")
    key = ["candidate_id", "direction", "sender", "subject"]
    same_key = (mail[key].fillna("") == mail[key].shift().fillna("")).all(axis=1)
    close = (mail["when"] - mail["when"].shift()) <= CROSS_SOURCE_WINDOW
    # An exact copy inside one source is the normaliser's business (Message-ID, identical rows).
    other_source = mail["order"] != mail["order"].shift()
    repeat = same_key & close & other_source
    first_file, first_row = mail["file"].shift(), mail["row"].shift()
    result = list(adapted)
    for order in mail.loc[repeat, "order"].unique():
        hits = mail[repeat & (mail["order"] == order)]
        frame = adapted[order].frame
        reasons = pd.Series(None, index=frame.index, dtype=object)
        reasons.iloc[hits["position"].to_numpy()] = (
            "the same e-mail as " + first_file[hits.index] + " row " + first_row[hits.index].astype(int).astype(str)
            + " (same sender, subject and candidate within 2 min)").to_numpy()
        kept, report = reject_rows(frame, reasons, "event_id", RejectCode.DUPLICATE, kind="duplicate",
                                   duplicate_of=_at_positions(frame, hits["position"], first_file[hits.index],
                                                              first_row[hits.index]))
        result[order] = Adapted(kept, stack_rejects(adapted[order].rejects, report), adapted[order].source)
    return result


def cross_file_calls(adapted: list[Adapted]) -> list[Adapted]:
    """The same call in several files (RingCentral logs pulled per extension hold a queue call
    once per recruiter; a Twilio BulkExport beside API pages): same vendor session / call id.
    The record with the best outcome (connected beats voicemail, busy, missed, hang_up) is kept,
    then the first listed; the others are reported as duplicates of it."""
    parts = [pd.DataFrame({"order": order, "position": np.arange(len(item.frame)),
                           "key": item.frame[CALL_KEY].astype("string"),
                           "rank": item.frame["outcome"].map(OUTCOME_RANK).fillna(9).to_numpy(),
                           "file": item.frame["source_file"].astype(str).to_numpy(),
                           "row": item.frame["source_row"].to_numpy()})
             for order, item in enumerate(adapted) if CALL_KEY in item.frame and len(item.frame)]
    result = [Adapted(a.frame.drop(columns=CALL_KEY, errors="ignore"), a.rejects, a.source) for a in adapted]
    if len(parts) < 2:
        return result
    calls = pd.concat(parts, ignore_index=True).dropna(subset=["key"])
    calls = calls.sort_values(["key", "rank", "order", "row"], kind="stable")
    repeat = calls.duplicated("key", keep="first")
    if not repeat.any():
        return result
    keeper = calls[~repeat].set_index("key")
    for order in calls.loc[repeat, "order"].unique():
        hits = calls[repeat & (calls["order"] == order)]
        frame = result[order].frame
        reasons = pd.Series(None, index=frame.index, dtype=object)
        reasons.iloc[hits["position"].to_numpy()] = (
            "the same call (" + hits["key"] + ") as " + hits["key"].map(keeper["file"])
            + " row " + hits["key"].map(keeper["row"]).astype(int).astype(str)
            + "; counted once, with its best outcome").to_numpy()
        kept, report = reject_rows(frame, reasons, "event_id", RejectCode.DUPLICATE, kind="duplicate",
                                   duplicate_of=_at_positions(frame, hits["position"], hits["key"].map(keeper["file"]),
                                                              hits["key"].map(keeper["row"])))
        result[order] = Adapted(kept, stack_rejects(result[order].rejects, report), result[order].source)
    return result


def _at_positions(frame: pd.DataFrame, positions: pd.Series, files: pd.Series, rows: pd.Series):
    """The (file, row) series that the rows of ``frame`` at ``positions`` repeat (empty elsewhere)."""
    first_file = np.full(len(frame), None, dtype=object)
    first_row = np.zeros(len(frame), dtype=np.int64)
    first_file[positions.to_numpy()] = files.astype(str).to_numpy()
    first_row[positions.to_numpy()] = rows.astype(int).to_numpy()
    return first_file, first_row


def _refuse_an_empty_interview_list(loaded: Normalised, early: pd.DataFrame, paths) -> None:
    """An ATS interview list none of whose rows its adapter could tie to a candidate (e.g.
    Greenhouse interviews without the roster that ties applications to candidates) would score
    nobody: say why, naming the first reason, rather than print an empty shortlist."""
    if len(loaded.frame) or not len(early):
        return
    first = early.iloc[0]
    others = len(early) + len(loaded.rejects) - 1
    raise FollowupError(f"{', '.join(map(str, paths))}: no interview can be used; row {first['source_row']}: "
                        f"{first['reason']}" + (f" (and {others} more rows)" if others else ""))


def unmatched_files(adapted: list[Adapted], options: SourceOptions) -> list[str]:
    """One sentence per file most of whose records (more than :data:`UNMATCHED_SHARE` of those
    that are contacts at all: not duplicates, not notes or failed calls) match no candidate,
    naming the file, the share and the option that fixes it."""
    messages = []
    for item in adapted:
        used = rows_per_file(item.frame["source_file"]) if "source_file" in item.frame else pd.Series(dtype=int)
        files = item.rejects["source_file"].astype(str)
        unmatched = files[item.rejects["code"].isin(UNMATCHED_CODES).to_numpy()].value_counts()
        read = used.add(unmatched, fill_value=0)
        share = (unmatched / read.reindex(unmatched.index)).dropna()
        for file, part in share[share > UNMATCHED_SHARE].items():
            if options.roster is None:
                fix = "give --candidates roster.csv to tie its rows to candidates"
            elif item.source == "linkedin":
                fix = "add the candidates' LinkedIn profile URLs (a profile_urls column) to --candidates"
            elif item.source in MAIL_SOURCES and not options.employer_domains:
                fix = "give --employer-domain to recognise the employer's mail"
            else:
                fix = ("check that --candidates lists these people's addresses and numbers "
                       "(and --default-region for numbers without a country code)")
            messages.append(f"{file}: {int(unmatched[file])} of {int(read[file])} contacts ({part:.0%}) match no "
                            f"candidate; {fix}")
    return messages


def load(paths, tz: str, strict: bool, options: SourceOptions, role: str, read_native) -> Normalised:
    """Read every input through its adapter (``read_native`` for the project's own format),
    merge them and normalise the whole log — or interview list — at once."""
    options.tz = tz
    options.inputs = [file for p in paths for file in folders.expand(Path(p))[0]]
    options.memo = {}
    with using_encoding(options.encoding):
        adapted = [item for p in paths for item in _adapt_input(Path(p), options, role, read_native)]
    if role == "interviews":
        loaded = normalise_interviews([a.frame for a in adapted], tz=tz, strict=strict)
        _refuse_an_empty_interview_list(loaded, stack_rejects(*[a.rejects for a in adapted]), paths)
    else:
        for message in unmatched_files(adapted, options):  # an error under strict (loading.warnings_as_errors)
            warnings.warn(message, InputWarning, stacklevel=2)
        adapted = cross_source_duplicates(cross_file_calls(adapted), tz)
        loaded = normalise_events([a.frame for a in adapted], tz=tz, strict=strict)
    return _with_rejects(loaded, stack_rejects(*[a.rejects for a in adapted]), strict)


COUNTS = ["rows_read", "rows_used", "duplicates", "unmatched", "rejected"]
COUNT_COLUMNS = ["input", "source", *COUNTS]


def row_accounting(options: SourceOptions, *tables: Normalised) -> pd.DataFrame:
    """Per file read (each ``.eml`` of a folder on its own): the input it came from, its source,
    and rows read, used, duplicated, unmatched (no or several candidates) and otherwise
    rejected; read = used + duplicates + unmatched + rejected."""
    rejects = pd.concat([t.rejects for t in tables], ignore_index=True)
    used = pd.concat([rows_per_file(t.frame["source_file"]) for t in tables]).groupby(level=0).sum()
    kind = np.where(rejects["kind"] == "duplicate", "duplicates",
                    np.where(rejects["code"].isin(UNMATCHED_CODES), "unmatched", "rejected"))
    rejected_in = pd.Series(rejects["source_file"].astype(str).to_numpy(dtype=object))
    table = pd.DataFrame({"rows_used": used, **{what: rejected_in[kind == what].value_counts()
                                                 for what in COUNTS[2:]}}).fillna(0).astype(np.int64)
    table.index.name = "source_file"
    # An input with no rows at all is still listed, with its zeros.
    files = table.index.union(pd.Index(list(options.origins), dtype=object)).rename("source_file")
    table = table.reindex(index=files, columns=COUNTS[1:], fill_value=0)
    table.insert(0, "rows_read", table.sum(axis=1))
    origin = table.index.map(lambda f: options.origins.get(f, (f, "events")))
    table.insert(0, "source", [o[1] for o in origin])
    table.insert(0, "input", [o[0] for o in origin])
    return table.reset_index()


def counts_by_source(accounting: pd.DataFrame) -> pd.DataFrame:
    """:func:`row_accounting` summed per input (a file, or a folder of .eml) and source."""
    return accounting.groupby(["input", "source"], as_index=False)[COUNTS].sum()[COUNT_COLUMNS]
