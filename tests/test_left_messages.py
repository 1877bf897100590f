"""A call the candidate left a message on is a voicemail — a contact — whatever word the phone
system logged for its result. Reading such a call as a missed call or a hang-up would flag a
candidate NO_CONTACT who did follow up: the worst kind of wrong result."""

from __future__ import annotations

import json

import followup
from followup.sources import SourceOptions

INTERVIEWS = ("candidate_id,name,interview_at,interview_end,interviewers\n"
              "C1,Ann Lee,2026-03-02T10:00:00-05:00,2026-03-02T11:00:00-05:00,Mei Chen\n")
ROSTER = "candidate_id,name,email,phone\nC1,Ann Lee,ann@example.com,+1 (415) 555-0101\n"
AS_OF = "2026-03-06T18:00:00-05:00"


def _score(tmp_path, name, document):
    (tmp_path / "interviews.csv").write_text(INTERVIEWS)
    (tmp_path / "roster.csv").write_text(ROSTER)
    path = tmp_path / name
    path.write_text(json.dumps(document))
    options = SourceOptions.build(candidates=tmp_path / "roster.csv", default_region="US")
    return followup.score(path, tmp_path / "interviews.csv", as_of=AS_OF, tz="America/New_York",
                          sources=options)


def test_a_ringcentral_missed_call_with_a_linked_voicemail_is_a_voicemail(tmp_path):
    # RingCentral call-log record shape (api.md CallLogRecord): `message` links the voicemail.
    record = {"uri": "u", "id": "A2", "sessionId": "101", "telephonySessionId": "s-101",
              "startTime": "2026-03-02T21:00:00.000Z", "duration": 41, "type": "Voice",
              "direction": "Inbound", "action": "Phone Call", "result": "Missed",
              "from": {"phoneNumber": "+14155550101"}, "to": {"phoneNumber": "+16505550000", "name": "Mei Chen"},
              "message": {"id": "9", "type": "VoiceMail", "uri": "m"}}
    result = _score(tmp_path, "rc.json", {"records": [record], "paging": {"page": 1}, "navigation": {}})
    assert result.events["outcome"].tolist() == ["voicemail"]
    row = result.candidates.iloc[0]
    assert row["flags"] == "" and row["inbound_contacts"] == 1


def test_a_ringcentral_missed_call_without_a_message_stays_missed(tmp_path):
    record = {"id": "A3", "sessionId": "102", "startTime": "2026-03-02T21:00:00.000Z", "duration": 20,
              "type": "Voice", "direction": "Inbound", "result": "Missed",
              "from": {"phoneNumber": "+14155550101"}, "to": {"phoneNumber": "+16505550000"}}
    result = _score(tmp_path, "rc.json", {"records": [record]})
    assert result.events["outcome"].tolist() == ["missed"]


def test_a_zoom_phone_busy_call_with_a_voicemail_is_a_voicemail(tmp_path):
    # Zoom Phone call history item: `has_voicemail` marks a message left.
    item = {"id": "z1", "call_id": "7001", "direction": "inbound", "start_time": "2026-03-02T21:00:00Z",
            "duration": 35, "result": "Busy", "has_voicemail": True,
            "caller_number": "+14155550101", "callee_number": "+16505550000", "callee_name": "Mei Chen"}
    result = _score(tmp_path, "zoom.json", {"call_logs": [item], "next_page_token": "", "page_size": 30})
    assert result.events["outcome"].tolist() == ["voicemail"]


def test_a_missed_call_is_not_reported_as_a_hang_up(tmp_path):
    """The reason counts every unanswered call, so it must not call a rung-out call a hang-up."""
    record = {"id": "A4", "sessionId": "104", "startTime": "2026-03-02T21:00:00.000Z", "duration": 25,
              "type": "Voice", "direction": "Inbound", "result": "Missed",
              "from": {"phoneNumber": "+14155550101"}, "to": {"phoneNumber": "+16505550000"}}
    reasons = _score(tmp_path, "rc.json", {"records": [record]}).candidates.iloc[0]["reasons"]
    assert "1 call unanswered without a voicemail" in reasons and "hung up" not in reasons
