"""Microsoft Teams PSTN usage reports (Teams admin center → Analytics & reports → PSTN and SMS
(preview) usage → Export to Excel): the ``PSTN.calls.*.csv`` of Calling Plans and the Direct
Routing CSV.

Follows ``MicrosoftDocs/OfficeDocs-SkypeForBusiness:Teams/teams-analytics-and-reports/
pstn-usage-report.md`` and the Graph ``pstnCallLogRow`` resource (the same records):
``UsageId``/``Call ID``, ``Call Type`` (``user_in``, ``user_out``, ``user_out_transfer``,
``user_out_forwarding``, ``conf_in``, ``conf_out``, ``ucap_in``, ``ucap_out``), ``Caller ID`` /
``Caller Number``, ``Destination Number`` / ``Callee Number`` (E.164), ``Start Time`` (UTC ISO
8601), ``Duration Seconds``/``Duration (seconds)``, ``UPN`` and ``User Display Name`` (the Teams
user). Direct Routing adds ``Final SIP code``, ``Final SIP phrase`` and ``Shared Correlation ID``.

Direction is the ``Call Type`` suffix (``_in``/``_out``, from the tenant's side). Microsoft's two
descriptions of the caller column disagree (who made the call, or the number that received an
inbound call), so the candidate is whichever of the two numbers is in the roster — the
direction's side first. Outcome: a Calling Plan row is a billed, connected call; a Direct
Routing row is read from its final SIP code (RFC 3261): 200 ⇒ connected, 487 Request
Terminated ⇒ hang_up (the caller gave up while it rang), 486/600 Busy ⇒ busy, 480, 408, 603
(unavailable, timeout, declined) ⇒ missed; any other code is a failed call, not a contact
attempt. Audio-conference legs (``conf_*``) and auto attendant / call queue legs (``ucap_*``)
are not calls with one person and are rejected with that reason. A ``Call ID`` twice is one
call.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..readers import read_records
from ..roster import phone_key
from .calls import OUTCOME_RANK, collapse, finish, rename_by_alias
from ..schema import RejectCode
from .records import Adapted, coded, column, headed_like, reject_rows

ALIASES = {
    "usage_id": ("usageid", "usage id"),
    "call_id": ("call id", "callid"),
    "call_type": ("call type", "calltype"),
    "caller": ("caller id", "caller number", "callernumber"),
    "callee": ("destination number", "callee number", "calleenumber"),
    "start": ("start time", "starttime", "start time (utc)"),
    "duration": ("duration seconds", "duration (seconds)", "duration, seconds", "duration"),
    "upn": ("upn", "user principal name"),
    "user_name": ("user display name", "display name"),
    "sip_code": ("final sip code", "finalsipcode"),
    "sip_phrase": ("final sip phrase",),
}
SIP_OUTCOMES = {"200": "connected", "487": "hang_up", "486": "busy", "600": "busy",
                "480": "missed", "408": "missed", "603": "missed"}


def csv_matches(headers: set[str]) -> bool:
    """``headers`` folded (lower case, spaces)."""
    return "call type" in headers and bool(headers & {"caller id", "caller number"}) and bool(
        headers & {"destination number", "callee number"})


def _candidate_side(frame: pd.DataFrame, options) -> tuple[pd.Series, pd.Series]:
    """(caller, callee) arranged so that resolve_calls finds the candidate on the side the
    direction says, swapping a row only where the other number is the one in the roster."""
    caller, callee = frame["caller"], frame["callee"]
    if options.roster is None:
        return caller, callee
    inbound = frame["direction"] == "inbound"
    expected = caller.where(inbound, callee)
    other = callee.where(inbound, caller)
    found_expected, _ = options.roster.match("phone", phone_key(expected, options.default_region)[0])
    found_other, _ = options.roster.match("phone", phone_key(other, options.default_region)[0])
    swap = (found_expected.isna() & found_other.notna()).to_numpy()
    return caller.where(~swap, callee), callee.where(~swap, caller)


def read(path: Path, options) -> Adapted:
    raw = rename_by_alias(read_records(path, {}, encoding=options.encoding, sheet_test=headed_like(csv_matches)), ALIASES)
    call_type = column(raw, "call_type").astype("string").str.strip().str.lower()
    direction = call_type.str.extract(r"_(in|out)(?:_|$)", expand=False).map({"in": "inbound", "out": "outbound"})
    sip = column(raw, "sip_code").astype("string").str.strip().str.replace(r"\.0$", "", regex=True)
    direct_routing = sip.notna() & (sip != "")
    outcome = sip.map(SIP_OUTCOMES).where(direct_routing, "connected")
    frame = pd.DataFrame({
        "timestamp": column(raw, "start"),
        "direction": direction,
        "outcome": outcome,
        "duration_s": pd.to_numeric(column(raw, "duration"), errors="coerce"),
        "caller": column(raw, "caller"), "callee": column(raw, "callee"),
        "caller_name": column(raw, "user_name"), "callee_name": column(raw, "user_name"),
        "call": column(raw, "call_id").astype("string"),
        "event_id": "teams:" + column(raw, "call_id").astype("string"),
        "note": ("Teams " + call_type.fillna("(no call type)")
                 + sip.map(lambda c: f", SIP {c}" if isinstance(c, str) and c else "")),
        "source_file": raw["source_file"].astype(str), "source_row": raw["source_row"],
    })
    reasons = pd.Series(None, index=frame.index, dtype=object)
    legs = call_type.str.startswith(("conf_", "ucap_")).fillna(False)
    reasons[legs.to_numpy()] = ("not a contact attempt: Teams " + call_type[legs]
                                + " is an audio-conference or auto-attendant/call-queue leg")
    failed = direct_routing & outcome.isna() & reasons.isna()
    reasons[failed.to_numpy()] = ("not a contact attempt: the call failed (final SIP code " + sip[failed]
                                  + " " + column(raw, "sip_phrase").astype("string").fillna("")[failed] + ")")
    odd = direction.isna() & reasons.isna()
    reasons[odd.to_numpy()] = ("unknown Teams call type " + call_type[odd].fillna("(empty)")
                               + "; expected user_in, user_out, …")
    frame, not_calls = reject_rows(frame, reasons, "outcome",
                                   coded((legs | failed, RejectCode.NOT_A_CONTACT), (odd, RejectCode.UNKNOWN_DIRECTION)),
                                   value=call_type)
    frame, repeats = collapse(frame, "call", frame["outcome"].map(OUTCOME_RANK), "call")
    caller, callee = _candidate_side(frame, options)
    frame = frame.assign(caller=caller, callee=callee, call_key=frame["event_id"])
    return finish(frame.drop(columns=["call"]), [not_calls, repeats], options, "teams")
