"""Workable candidate activities: ``GET https://{subdomain}.workable.com/spi/v3/candidates/
{id}/activities`` saved as one response per candidate (``{"activities": [...]}``), an array of
them or JSON Lines.

Follows Workable's API reference (*Candidate activities*): each activity has ``action``,
``stage_name``, ``created_at`` (ISO 8601 with offset), ``member`` (``{id, name}``: the Workable
user who acted), ``body`` (for ``comment``, ``rating``, ``message`` and ``disqualification``).
The response does not repeat the candidate id (it is in the URL), so each saved response —
or each record — must carry ``candidate_id`` (the export command in docs/sources.md adds it);
when ``--candidates`` is given, the id must be in it.

* ``message`` by a ``member`` ⇒ an outbound e-mail from that recruiter to the candidate.
  Workable does not say who sent a message with no member, so such a message is rejected
  naming that, never guessed to be the candidate's reply.
* Everything else (comments, ratings, stage moves, disqualifications, …) is ATS workflow
  written by the employer, not a contact: accounted for as "not a contact".

A Workable page shares the ``activities`` key with a Greenhouse activity feed; its records are
told apart by ``action``, which Greenhouse activities do not have.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..schema import RejectCode
from .records import coded, Adapted, column, load_documents, provenance, reject_rows, stack_rejects



def is_record(record) -> bool:
    return isinstance(record, dict) and "action" in record and "created_at" in record and (
        "member" in record or "stage_name" in record)


def is_page(document) -> bool:
    return (isinstance(document, dict) and isinstance(document.get("activities"), list)
            and any(is_record(r) for r in document["activities"][:20]))


def _records(documents: list) -> list[dict]:
    """Activities with the candidate they belong to, from the record or its saved response."""
    found: list[dict] = []
    for document in documents:
        if isinstance(document, list):
            found.extend(_records(document))
        elif isinstance(document, dict) and isinstance(document.get("activities"), list):
            owner = document.get("candidate_id")
            found.extend({**r, "candidate_id": r.get("candidate_id") or owner}
                         for r in document["activities"] if isinstance(r, dict))
        elif isinstance(document, dict):
            found.append(document)
    return found


def _known_ids(roster) -> set[str]:
    return set(roster.entries["candidate_id"].astype(str)) | set(roster.names.index.astype(str))


def read(path: Path, options) -> Adapted:
    records = _records(load_documents(path))
    raw = provenance(pd.json_normalize(records, max_level=1) if records else pd.DataFrame(), path)
    action = column(raw, "action").astype("string").str.strip().str.lower()
    member = column(raw, "member.name").astype("string")
    frame = pd.DataFrame({
        "candidate_id": column(raw, "candidate_id").astype("string"),
        "timestamp": column(raw, "created_at"),
        "channel": "email", "direction": "outbound",
        "contact": member,
        "event_id": "workable:" + column(raw, "id").astype("string"),
        "note": "Workable " + action.fillna("(no action)"),
        "source_file": raw["source_file"], "source_row": raw["source_row"],
    })
    reasons = pd.Series(None, index=frame.index, dtype=object)
    message = (action == "message").fillna(False)
    workflow = ~message
    reasons[workflow.to_numpy()] = ("not a contact: a Workable " + action[workflow].fillna("(no action)")
                                    + " activity is ATS workflow written by the employer")
    nobody = message & member.isna()
    reasons[nobody.to_numpy()] = ("a Workable message with no member: Workable does not say whether the "
                                  "candidate or the employer sent it")
    frame, not_contacts = reject_rows(frame, reasons, "note",
                                      coded((workflow, RejectCode.NOT_A_CONTACT), (nobody, RejectCode.UNKNOWN_DIRECTION)),
                                      value=action)
    who = pd.Series(None, index=frame.index, dtype=object)
    who[frame["candidate_id"].isna().to_numpy()] = ("unmatched: the activity names no candidate_id "
                                                    "(save each response with it: see docs/sources.md, Workable)")
    if options.roster is not None:
        stranger = frame["candidate_id"].notna() & ~frame["candidate_id"].isin(_known_ids(options.roster))
        who[stranger.to_numpy()] = "unmatched: candidate " + frame.loc[stranger, "candidate_id"] + " is not in the roster"
    frame, unmatched = reject_rows(frame, who, "candidate_id", RejectCode.UNMATCHED, value=frame["candidate_id"])
    return Adapted(frame, stack_rejects(not_contacts, unmatched), "workable")
