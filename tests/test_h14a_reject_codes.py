"""Rejects carry a stable code and, for a duplicate, the file and row it repeats, as columns:
what a script reads and what explain's timeline places duplicates by, whatever reader found
them and however its sentence is worded."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

import followup
from followup.cli import main
from followup.schema import REJECT_CODES, REJECT_COLUMNS
from followup.sources import SourceOptions

DATA = Path(__file__).parent / "data" / "sources"
BAD = Path(__file__).parent / "data" / "bad"
TZ = "America/New_York"
SAMPLE = ["sample_data/events.csv", "-i", "sample_data/interviews.csv", "--as-of", "2026-03-31T18:00:00-04:00",
          "--tz", TZ]


@pytest.fixture
def options():
    return SourceOptions.build(candidates=DATA / "roster.csv", employer_domains=["acme.com"], default_region="US")


def _interviews(tmp_path: Path, candidate_id: str, at: str) -> Path:
    path = tmp_path / "interviews.csv"
    pd.DataFrame({"candidate_id": [candidate_id], "interview_at": [at],
                  "interviewers": ["Kate Boone"]}).to_csv(path, index=False)
    return path


def _rc_call(record_id: str, result: str, duration: int, extension: int) -> dict:
    """One RingCentral call-log record (the documented call-log JSON) of a queue call from Ben."""
    return {"uri": f"https://platform.ringcentral.com/restapi/v1.0/account/~/extension/{extension}/call-log/{record_id}",
            "id": record_id, "sessionId": "90001", "telephonySessionId": "s-90001",
            "startTime": "2024-03-11T15:00:00.000Z", "duration": duration, "type": "Voice", "direction": "Inbound",
            "action": "Phone Call", "result": result, "to": {"phoneNumber": "+18662130006", "name": f"Ext {extension}"},
            "from": {"phoneNumber": "+14155550134"}}


def test_a_call_in_two_recruiters_logs_shows_in_the_timeline_as_a_duplicate_of_the_one_counted(options, tmp_path):
    kate, boone = tmp_path / "kate_call_log.json", tmp_path / "boone_call_log.json"
    kate.write_text(json.dumps({"records": [_rc_call("AAA1", "Missed", 0, 101)], "navigation": {}}))
    boone.write_text(json.dumps({"records": [_rc_call("BBB1", "Accepted", 240, 102)], "navigation": {}}))
    result = followup.score([kate, boone], _interviews(tmp_path, "102", "2024-03-11T09:00:00-04:00"),
                            as_of="2024-03-20T12:00:00Z", tz=TZ, sources=options)
    copy = result.rejects.iloc[0]
    assert (copy["kind"], copy["code"], Path(copy["source_file"]).name) == ("duplicate", "DUPLICATE", "kate_call_log.json")
    assert (Path(copy["duplicate_of_file"]).name, copy["duplicate_of_row"]) == ("boone_call_log.json", 1)

    timeline = followup.explain(result, "102").events
    assert [(e.kind, Path(e.source_file).name) for e in timeline] == [("contact", "boone_call_log.json"),
                                                                      ("duplicate", "kate_call_log.json")]
    assert timeline[1].counts_for == [f"duplicate of {boone} row 1: counted once"]  # the file it names


def test_the_same_email_in_the_ats_and_the_mailbox_shows_once_counted_once_duplicated(options, tmp_path):
    both = [DATA / "greenhouse_feed.json", DATA / "mailbox.mbox"]
    result = followup.score(both, _interviews(tmp_path, "101", "2024-03-04T10:00:00-05:00"),
                            as_of="2024-03-31T12:00:00Z", tz=TZ, sources=options)
    rejects = result.rejects
    same_mail = rejects[(rejects["code"] == "DUPLICATE")
                        & (rejects["duplicate_of_file"].astype(str) != rejects["source_file"].astype(str))]
    assert len(same_mail) and (same_mail["duplicate_of_file"].map(lambda f: Path(f).name) == "greenhouse_feed.json").all()

    card = followup.explain(result, "101")
    assert "1 note greeting no one by name" in card.missed  # a numpy count once broke this sentence
    events = card.events
    copies = {(e.source_file, e.source_row): e for e in events if e.kind == "duplicate"}
    originals = {(e.source_file, e.source_row): e for e in events if e.kind != "duplicate"}
    # Every duplicate in the timeline is one the rejects list, and the e-mail seen in both
    # exports is among them (before, only the normaliser's own wording was found).
    listed = rejects[rejects["code"] == "DUPLICATE"]
    assert set(copies) <= set(zip(listed["source_file"], listed["source_row"]))
    for _, dup in same_mail.iterrows():
        copy = copies[(dup["source_file"], dup["source_row"])]
        original = originals[(dup["duplicate_of_file"], dup["duplicate_of_row"])]
        assert not copy.counted and original.counted
        assert (original.timestamp, original.direction) == (copy.timestamp, copy.direction)


@pytest.mark.parametrize("suffix", [".csv", ".json", ".parquet"])
def test_the_rejects_file_has_the_code_and_duplicate_columns(suffix, tmp_path):
    path = tmp_path / f"rejects{suffix}"
    result = CliRunner().invoke(main, ["score", *SAMPLE, "--rejects", str(path), "--quiet"])
    assert result.exit_code == 0, result.output
    report = (pd.read_csv(path) if suffix == ".csv" else pd.read_parquet(path) if suffix == ".parquet"
              else pd.DataFrame(json.loads(path.read_text())))
    assert list(report.columns) == list(REJECT_COLUMNS)
    assert dict(zip(report["source_row"], report["code"])) == {
        86: "UNKNOWN_CHANNEL", 147: "DUPLICATE", 166: "DUPLICATE", 213: "UNKNOWN_CANDIDATE", 241: "MISSING_VALUE",
        265: "UNKNOWN_DIRECTION", 284: "BAD_TIME"}
    duplicates = report[report["code"] == "DUPLICATE"]
    assert duplicates["duplicate_of_row"].astype(int).tolist() == [146, 165]
    assert report.loc[report["code"] != "DUPLICATE", "duplicate_of_row"].isna().all()


def test_a_repeated_interview_names_the_row_it_repeats(tmp_path):
    path = tmp_path / "interviews.csv"
    path.write_text("candidate_id,interview_at\nC1,2026-03-02T10:00:00Z\nC2,2026-03-02T11:00:00Z\n"
                    "C1,2026-03-02T10:00:00Z\n")
    _, rejects = followup.load_interviews(path, with_rejects=True)
    copy = rejects.iloc[0]
    assert (copy["code"], copy["source_row"], copy["duplicate_of_file"], copy["duplicate_of_row"]) == (
        "DUPLICATE", 3, str(path), 1)


READ_CASES = [c for c in tomllib.loads((BAD / "MANIFEST.toml").read_text(encoding="utf-8"))["case"]
              if c["expect"] == "read"]


@pytest.mark.parametrize("case", READ_CASES, ids=lambda c: c["file"])
def test_every_reject_of_the_bad_input_corpus_has_a_known_code(case):
    path = BAD / case["file"]
    args = (["validate", str(BAD / "header_only.csv"), "--interviews", str(path)]
            if case.get("kind") == "interviews" else ["validate", str(path)])
    result = CliRunner().invoke(main, [*args, "--tz", case.get("tz", "UTC"), "--format", "json"])
    assert result.exit_code == 0, result.output
    rejects = json.loads(result.stdout)["rejects"]
    assert {r["code"] for r in rejects} <= set(REJECT_CODES)
    assert all((r["kind"] == "duplicate") == (r["duplicate_of_row"] is not None) for r in rejects)


def test_every_vendor_fixture_reject_has_a_code_and_accounting_reads_it(options):
    result = CliRunner().invoke(main, ["validate", *(str(DATA / name) for name in (
        "greenhouse_feed.json", "mailbox.mbox", "eml", "ringcentral_call_log.json", "twilio_calls.json",
        "lever_notes.json")), "--candidates", str(DATA / "roster.csv"), "--employer-domain", "acme.com",
        "--default-region", "US", "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    codes = pd.Series([r["code"] for r in report["rejects"]])
    assert set(codes) <= set(REJECT_CODES) and {"NOT_A_CONTACT", "UNMATCHED", "DUPLICATE"} <= set(codes)
    assert report["counts"]["unmatched"] == codes.isin(["UNMATCHED", "AMBIGUOUS"]).sum()
    assert report["counts"]["duplicates"] == (codes == "DUPLICATE").sum()


def test_a_result_scored_with_every_round_explains_the_shortlist_round_with_its_rank():
    result = followup.score("sample_data/events.csv", "sample_data/interviews.csv", all_rounds=True,
                            as_of="2026-03-31T18:00:00-04:00", tz=TZ)
    rows = result.candidates
    several = rows.loc[rows["candidate_id"].duplicated(), "candidate_id"].astype(str).unique()
    assert len(several)
    for candidate in several:
        card = followup.explain(result, candidate)  # once: ValueError, a Series of ranks is ambiguous
        latest = rows[(rows["candidate_id"] == candidate) & (rows["round_number"] == rows["rounds"])].iloc[0]
        assert card.rank == latest["rank"] and card.interview["round"] == latest["round_number"]
