"""Tie call and mail records to candidates through the roster, and decide mail direction.

Calls carry their direction (from the employer account's side: a candidate calling in is
inbound), so the candidate is the caller of an inbound call and the callee of an outbound one.
Mail carries none: a sender in the roster makes it inbound; a sender on an employer domain
(``--employer-domain``, subdomains included) makes it outbound, and the candidate is then the
one roster person among the recipients. Anything else is unmatched or ambiguous — never guessed.
"""

from __future__ import annotations

import pandas as pd

from ..roster import Roster, all_email_keys, email_domain, email_key, phone_key
from ..schema import RejectCode
from .records import column, reject_rows

NO_ROSTER = "unmatched: no roster to resolve {what} (give --candidates roster.csv)"


def on_domains(keys: pd.Series, domains: tuple[str, ...]) -> pd.Series:
    if not domains:
        return pd.Series(False, index=keys.index)
    domain = email_domain(keys).fillna("")
    hit = pd.Series(False, index=keys.index)
    for name in domains:  # a handful of employer domains, not rows
        hit |= (domain == name) | domain.str.endswith("." + name)
    return hit


def resolve_applications(frame: pd.DataFrame, key: str, roster: Roster | None, no_roster: str,
                         no_key: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Interview rows from an ATS, tied to candidates by their application (or opportunity) id
    in ``key``: (rows with ``candidate_id`` and the roster's ``name``, the rows that could not
    be tied — ``no_roster``, ``no_key`` or the roster's own unmatched / ambiguous reason)."""
    frame = frame.copy()
    codes = pd.Series(RejectCode.UNMATCHED, index=frame.index, dtype=object)
    if roster is None:
        frame["candidate_id"] = pd.Series(pd.NA, index=frame.index, dtype="string")
        reasons = pd.Series(no_roster, index=frame.index, dtype=object)
    else:
        ids, reasons, found = roster.matched("application", frame[key])
        reasons[frame[key].isna().to_numpy()] = no_key
        codes = found.where(frame[key].notna(), RejectCode.UNMATCHED)
        frame["candidate_id"] = ids
        frame["name"] = ids.map(roster.names)  # the interview list's name is the candidate's
    kept, unmatched = reject_rows(frame, reasons, "candidate_id", codes, value=frame[key])
    return kept.drop(columns=key), unmatched


def resolve_calls(frame: pd.DataFrame, roster: Roster | None, default_region: str | None):
    """(candidate_id, contact, reason, reject code) for call rows with canonical ``direction``
    and raw ``caller``/``callee`` numbers; ``contact`` is the employer-side party."""
    inbound = (frame["direction"] == "inbound").to_numpy()
    candidate_side = column(frame, "caller").where(inbound, column(frame, "callee"))
    employer_side = column(frame, "callee_name").where(inbound, column(frame, "caller_name"))
    employer_side = employer_side.where(employer_side.notna(),
                                        column(frame, "callee").where(inbound, column(frame, "caller")))
    numbers, why = phone_key(candidate_side, default_region)
    reasons = pd.Series(None, index=frame.index, dtype=object)
    reasons[candidate_side.isna().to_numpy()] = "unmatched: the call has no candidate-side number"
    reasons[why.notna()] = "unmatched: " + why[why.notna()]
    unmatched = pd.Series(RejectCode.UNMATCHED, index=frame.index, dtype=object)
    if roster is None:
        reasons[reasons.isna()] = NO_ROSTER.format(what="phone numbers")
        return pd.Series(pd.NA, index=frame.index, dtype="string"), employer_side, reasons, unmatched
    ids, match_why, match_codes = roster.matched("phone", numbers, shown=candidate_side)
    codes = unmatched.where(reasons.notna(), match_codes)
    reasons = reasons.where(reasons.notna(), match_why)
    return ids, employer_side, reasons, codes


def resolve_mail(frame: pd.DataFrame, roster: Roster | None, domains: tuple[str, ...],
                 known: pd.Series | None = None):
    """(candidate_id, direction, contact, reason, reject code) for mail rows with raw ``sender``,
    ``recipients`` (To and Cc text). ``known`` is a candidate id the export already gives
    (a Greenhouse feed saved with its candidate id), which then only needs the direction."""
    index = frame.index
    sender = email_key(column(frame, "sender"))
    recipients = all_email_keys(column(frame, "recipients"))
    from_employer = on_domains(sender, domains)
    known = known if known is not None else pd.Series(pd.NA, index=index, dtype="string")
    known = known.astype("string")

    if roster is not None:
        from_ids, from_why, from_codes = roster.matched("email", sender, shown=sender)
    else:
        from_ids = pd.Series(pd.NA, index=index, dtype="string")
        from_why = from_codes = pd.Series(None, index=index, dtype=object)
    from_ambiguous = (from_codes == RejectCode.AMBIGUOUS).to_numpy()
    # A feed that names its candidate holds only that candidate's mail: what the employer did
    # not send, the candidate did.
    inbound = from_ids.notna() | (known.notna() & ~from_employer & bool(domains))
    outbound = ~inbound & from_employer & ~from_ambiguous

    # Outbound: the candidate is the one roster person among the non-employer recipients.
    listed = pd.DataFrame({"row": index, "address": recipients}).explode("address").dropna()
    listed = listed[~on_domains(listed["address"].astype("string"), domains).to_numpy()]
    if roster is not None and len(listed):
        listed["candidate"], _ = roster.match("email", listed["address"].astype("string"))
        per_row = listed.dropna(subset=["candidate"]).groupby("row")["candidate"].agg(
            lambda ids: ";".join(sorted(set(ids))))
    else:
        per_row = pd.Series(dtype=object)
    to_ids = pd.Series(index.map(per_row), index=index, dtype="string")
    to_ambiguous = to_ids.str.contains(";", regex=False).fillna(False)

    candidate = known.where(known.notna(), from_ids.where(inbound, to_ids.mask(to_ambiguous)))
    first_recipient = recipients.map(lambda a: a[0] if a else pd.NA)
    employer_recipient = listed_employer(recipients, domains)
    contact = employer_recipient.where(inbound, sender).astype(object)
    contact = contact.where(contact.notna(), first_recipient.where(inbound, pd.NA))

    reasons = pd.Series(None, index=index, dtype=object)
    shown = sender.fillna("(none)")
    reasons[sender.isna().to_numpy()] = "unmatched: the message has no sender address"
    reasons[from_ambiguous] = from_why[from_ambiguous]
    neither = sender.notna() & ~inbound & ~from_employer & ~from_ambiguous
    hint = (" and not on an employer domain" if domains else
            "; give --employer-domain to recognise mail the employer sent")
    reasons[neither.to_numpy()] = ("unmatched: sender " + shown[neither] + " is not in the roster"
                                   + (hint if roster is not None else " (no --candidates roster given)"))
    missing_to = outbound & candidate.isna() & ~to_ambiguous
    reasons[missing_to.to_numpy()] = ("unmatched: mail from " + shown[missing_to]
                                      + " to no candidate in the roster")
    ambiguous_to = outbound & to_ambiguous
    reasons[ambiguous_to.to_numpy()] = ("ambiguous: one message to several candidates ("
                                        + to_ids[ambiguous_to].str.replace(";", ", ", regex=False) + ")")
    codes = pd.Series(RejectCode.UNMATCHED, index=index, dtype=object)
    codes[from_ambiguous | ambiguous_to.to_numpy(dtype=bool)] = RejectCode.AMBIGUOUS
    direction = pd.Series(None, index=index, dtype=object)
    direction[inbound.to_numpy()] = "inbound"
    direction[outbound.to_numpy()] = "outbound"
    return candidate, direction, contact, reasons, codes


def listed_employer(recipients: pd.Series, domains: tuple[str, ...]) -> pd.Series:
    """The first employer address among each row's recipients (the person the mail addressed)."""
    if not domains:
        return pd.Series(pd.NA, index=recipients.index, dtype=object)
    suffixes = tuple("@" + d for d in domains) + tuple("." + d for d in domains)
    return recipients.map(lambda addresses: next((a for a in addresses if a.endswith(suffixes)), pd.NA))
