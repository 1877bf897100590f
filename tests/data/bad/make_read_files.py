"""Write the corpus's `read_*` files (the hostile reads of issue 12):
`.venv/bin/python tests/data/bad/make_read_files.py`.

Each is the kind of file a user or an attacker hands the scorer; MANIFEST.toml declares what
each must produce and docs/reliability.md ("Hostile reads") says why. Text files are written
byte for byte here, so that what is in them is readable in one place; the Parquet and Excel
files come from pyarrow and openpyxl.
"""

from __future__ import annotations

import io
import zipfile
from datetime import datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from openpyxl import Workbook
from openpyxl.writer.excel import ExcelWriter

HEADER = "candidate_id,timestamp,channel,direction,contact,subject\n"
WRITTEN = datetime(2026, 1, 1)


def text_files() -> dict[str, bytes]:
    utf8_rows = ("C001,2026-03-02T19:30:00Z,email,inbound,José Müller,Merci\n"
                 "C001,2026-03-02T20:30:00Z,email,inbound,Zoë Ångström,Danke\n").encode("utf-8")
    japanese = (HEADER + "C001,2026-03-02T19:30:00Z,email,inbound,山田太郎,面接のお礼\n"
                "C002,2026-03-03T10:00:00Z,email,inbound,佐藤花子,ありがとうございました\n")
    chinese = (HEADER + "C001,2026-03-02T19:30:00Z,email,inbound,王小明,感谢面试机会\n"
               "C002,2026-03-03T10:00:00Z,email,inbound,李华,谢谢您的时间\n")
    big = 2 ** 53
    return {
        # A UTF-8 export with one byte (a Windows-1252 "é") pasted into row 2.
        "read_utf8_one_bad_byte.csv": HEADER.encode() + utf8_rows[:60] + b"C002,2026-03-03T10:00:00Z,email,"
        b"inbound,Caf\xe9 Owner,Hi\n" + utf8_rows[60:],
        "read_shift_jis.csv": japanese.encode("shift_jis"),
        "read_gb18030.csv": chinese.encode("gb18030"),
        # C1 control bytes that no code page the detector knows makes text of.
        "read_unknown_encoding.csv": HEADER.encode() + b"C001,2026-03-02T19:30:00Z,email,inbound,"
        b"\x81\x8d\x8f\x90\x9d\x81\x8d\x8f,\x9d\x90\x81\x8f\x8d\n",
        # JSON ids: numbers next to a null, and two ids above 2^53 one apart.
        "read_json_numeric_ids.json": (
            '[{"candidate_id": 123, "timestamp": "2026-03-02T19:30:00Z", "channel": "email", "direction": "inbound"},'
            '{"candidate_id": null, "timestamp": "2026-03-02T19:31:00Z", "channel": "email", "direction": "inbound"},'
            f'{{"candidate_id": {big + 1}, "timestamp": "2026-03-02T19:32:00Z", "channel": "email", '
            '"direction": "inbound"},'
            f'{{"candidate_id": {big + 2}, "timestamp": "2026-03-02T19:33:00Z", "channel": "email", '
            '"direction": "inbound"},'
            '{"candidate_id": 124.0, "timestamp": "2026-03-02T19:34:00Z", "channel": "email", "direction": "inbound"}]'
        ).encode(),
        # JSON Lines with a stray byte in one line: only that line is affected.
        "read_jsonl_one_bad_byte.jsonl": (
            '{"candidate_id": "C001", "timestamp": "2026-03-02T19:30:00Z", "channel": "email", '
            '"direction": "inbound", "contact": "José"}\n').encode() + (
            b'{"candidate_id": "C002", "timestamp": "2026-03-02T19:30:00Z", "channel": "email", '
            b'"direction": "inbound", "contact": "Caf\xe9"}\n'),
        # The same person as "José" written decomposed (e + combining acute), and with spaces.
        "read_nfd_ids.csv": (HEADER + "Jose\u0301,2026-03-02T19:30:00Z,email,inbound,,\n"
                             "  Jos\u00e9 ,2026-03-02T20:30:00Z,sms,inbound,,\n").encode("utf-8"),
        # A file whose own column is named like the reader's marker for unsplittable records.
        "read_spoofed_marker.csv": (
            "candidate_id,timestamp,channel,direction,_followup_read_error,source_row\n"
            "C001,2026-03-02T19:30:00Z,email,inbound,the record has 9 fields,999\n"
            "C002,2026-03-02T19:31:00Z,email,inbound,,\n").encode(),
        # A decision recorded before the interview it decides.
        "read_decision_before_interview.csv": (
            "candidate_id,interview_at,decision,decision_at\n"
            "C001,2026-03-02T15:00:00Z,offer,2026-03-01T09:00:00Z\n"
            "C002,2026-03-02T15:00:00Z,offer,2026-03-04T09:00:00Z\n").encode(),
        # 6,000 columns in a 24 KB header line.
        "read_wide_header.csv": ("candidate_id,timestamp,channel,direction,"
                                 + ",".join(f"q{n}" for n in range(6_000)) + "\n").encode(),
        # An interview list that is an empty JSON array: no rows, so no columns either.
        "read_interviews_empty_array.json": b"[]\n",
        "read_wide_record.json": ("[{" + ", ".join(f'"q{n}": 1' for n in range(6_000)) + "}]").encode(),
    }


def parquet_tables() -> dict[str, pa.Table]:
    times = ["2026-03-02T19:30:00Z", "2026-03-02T19:31:00Z", "2026-03-02T19:32:00Z"]
    base = {"timestamp": times, "channel": ["email"] * 3, "direction": ["inbound"] * 3}
    return {
        "read_parquet_nullable_int_ids.parquet": pa.table(
            {"candidate_id": pa.array([123, None, 2 ** 53 + 1], pa.int64()), **base}),
        "read_parquet_float_ids.parquet": pa.table(
            {"candidate_id": pa.array([123.0, None, 124.5], pa.float64()), **base}),
        "read_parquet_list_id.parquet": pa.table(
            {"candidate_id": pa.array([["C001"], None, ["C002", "C003"]], pa.list_(pa.string())), **base}),
        "read_parquet_struct_note.parquet": pa.table(
            {"candidate_id": ["C001", "C002", "C003"], **base,
             "note": pa.array([{"text": "hi"}, None, {"text": "x"}], pa.struct([("text", pa.string())]))}),
    }


def workbook_bytes(sheets: dict[str, list[list]]) -> bytes:
    """A workbook with these sheets, its times pinned so that the bytes do not change."""
    book = Workbook()
    book.properties.created = book.properties.modified = WRITTEN
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    written = io.BytesIO()
    ExcelWriter(book, zipfile.ZipFile(written, "w", zipfile.ZIP_DEFLATED)).save()
    pinned = io.BytesIO()
    with zipfile.ZipFile(written) as source, zipfile.ZipFile(pinned, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(zipfile.ZipInfo(item.filename, WRITTEN.timetuple()[:6]), source.read(item),
                            zipfile.ZIP_DEFLATED)
    return pinned.getvalue()


def workbooks() -> dict[str, bytes]:
    data = [["candidate_id", "timestamp", "channel", "direction"],
            ["C001", "2026-03-02T19:30:00Z", "email", "inbound"],
            ["C002", "2026-03-02T19:31:00Z", "sms", "outbound"]]
    return {"read_excel_data_on_second_sheet.xlsx": workbook_bytes({"Summary": [], "Activity": data})}


def build(folder: Path) -> None:
    for name, content in {**text_files(), **workbooks()}.items():
        (folder / name).write_bytes(content)
    for name, table in parquet_tables().items():
        pq.write_table(table, folder / name)


if __name__ == "__main__":
    build(Path(__file__).resolve().parent)
