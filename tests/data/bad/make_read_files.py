"""Write the corpus's `read_*` files (the hostile reads of issue 12):
`.venv/bin/python tests/data/bad/make_read_files.py`.

Each is the kind of file a user or an attacker hands the scorer; MANIFEST.toml declares what
each must produce and docs/reliability.md ("Hostile reads") says why. Text files are written
byte for byte here, so that what is in them is readable in one place; the Parquet and Excel
files come from pyarrow and openpyxl.
"""

from __future__ import annotations

import gzip
import io
import zipfile
from datetime import datetime
from decimal import Decimal
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


def hostile_files() -> dict[str, bytes]:
    """Files of kinds found by probing as an attacker would (issue 12's second round)."""
    rows = ("C001,2026-03-02T19:30:00Z,email,inbound,José Müller,Merci\n"
            "C002,2026-03-03T10:00:00Z,sms,outbound,Zoë Ångström,Danke\n")
    record = '{"candidate_id": %s, "timestamp": "2026-03-02T19:3%d:00Z", "channel": "email", "direction": "inbound"}'
    stored = io.BytesIO()
    with zipfile.ZipFile(stored, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("events.csv", WRITTEN.timetuple()[:6]), (HEADER + rows).encode())
    return {
        # Excel's "Unicode Text" is tab-separated; this is a comma CSV saved as UTF-16 / UTF-32.
        "read_utf16_comma.csv": (HEADER + rows).encode("utf-16"),
        "read_utf32.csv": (HEADER + rows).encode("utf-32"),
        # Old Mac line ends (CR only), and all three kinds in one file.
        "read_cr_line_ends.csv": (HEADER + rows).replace("\n", "\r").encode(),
        "read_mixed_line_ends.csv": (HEADER.replace("\n", "\r\n") + rows.replace("\n", "\r", 1)).encode(),
        # What Excel writes for "CSV UTF-8" in a semicolon locale: a BOM, then a sep= line.
        "read_excel_sep_line.csv": b"\xef\xbb\xbf" + ("sep=;\n" + (HEADER + rows).replace(",", ";")).encode(),
        # Two exports joined with `cat`: the header comes again in the middle.
        "read_header_repeated.csv": (HEADER + rows.splitlines(True)[0] + HEADER + rows.splitlines(True)[1]).encode(),
        # A compressed or zipped export under a .csv name.
        "read_gzip_named_csv.csv": gzip.compress((HEADER + rows).encode(), mtime=0),
        "read_zip_named_csv.csv": stored.getvalue(),
        # A zero-width space pasted before the first column's name (and a soft hyphen in another).
        "read_header_zero_width.csv": ("\u200b" + HEADER.replace("channel", "chan\u00adnel") + rows).encode(),
        # A calendar whose line cannot be parsed: the parser's error quoted the line (a message).
        "read_ics_unparsable.ics": b"BEGIN:VCALENDAR\r\nDear Ann; thank you\r\nEND:VCALENDAR\r\n",
        # A byte-order mark and blank lines, nothing else.
        "read_bom_and_blank_lines.csv": b"\xef\xbb\xbf\r\n\r\n",
        # A JSON file that is one 1 MB string.
        "read_json_one_huge_string.json": b'"' + b"a" * (1 << 20) + b'"',
        # JSON with BOM in UTF-16, as some Windows tools save it.
        "read_json_utf16.json": ("[" + record % ('"C001"', 0) + "]").encode("utf-16"),
        # Half a UTF-16 pair as a JSON escape: JSON allows it, no UTF-8 writer can write it.
        "read_json_lone_surrogate.json": ("[" + record % ('"C\\ud800"', 0) + ", " + record % ('"C002"', 1)
                                          + "]").encode(),
        # JSON's non-standard constants, which Python's parser accepts, as ids.
        "read_json_nan_ids.json": ("[" + record % ("NaN", 0) + ", " + record % ("Infinity", 1) + ", "
                                   + record % ('"C003"', 2) + "]").encode(),
    }


def zip_bomb() -> bytes:
    """A 300 KB workbook whose sheet unpacks to 300 MB of spaces."""
    source = io.BytesIO(workbook_bytes({"Sheet": [["candidate_id", "timestamp", "channel", "direction"]]}))
    bomb = io.BytesIO()
    with zipfile.ZipFile(source) as small, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as big:
        for item in small.infolist():
            data = small.read(item)
            if item.filename.startswith("xl/worksheets/"):
                data = data.replace(b"</sheetData>", b" " * (300 << 20) + b"</sheetData>")
            big.writestr(zipfile.ZipInfo(item.filename, WRITTEN.timetuple()[:6]), data, zipfile.ZIP_DEFLATED, 9)
    return bomb.getvalue()


def parquet_tables() -> dict[str, pa.Table]:
    times = ["2026-03-02T19:30:00Z", "2026-03-02T19:31:00Z", "2026-03-02T19:32:00Z"]
    base = {"timestamp": times, "channel": ["email"] * 3, "direction": ["inbound"] * 3}
    return {
        "read_parquet_nullable_int_ids.parquet": pa.table(
            {"candidate_id": pa.array([123, None, 2 ** 53 + 1], pa.int64()), **base}),
        "read_parquet_float_ids.parquet": pa.table(
            {"candidate_id": pa.array([123.0, None, 124.5], pa.float64()), **base}),
        # Ids stored as bytes (one not UTF-8), and as decimals with a scale (123.0).
        "read_parquet_binary_ids.parquet": pa.table(
            {"candidate_id": pa.array([b"C001", b"C002", b"C\xff"], pa.binary()), **base}),
        "read_parquet_decimal_ids.parquet": pa.table(
            {"candidate_id": pa.array([Decimal("123.0"), None, Decimal("9007199254740993.0")], pa.decimal128(20, 1)),
             **base}),
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
    return {"read_excel_data_on_second_sheet.xlsx": workbook_bytes({"Summary": [], "Activity": data}),
            # A cover sheet with text, then the data; and numeric ids a spreadsheet rounds.
            "read_excel_cover_sheet_first.xlsx": workbook_bytes(
                {"Cover": [["Follow-up export"], ["prepared 2026-03-05"]], "Activity": data}),
            "read_excel_rounded_ids.xlsx": workbook_bytes({"Activity": [
                data[0], [123, *data[1][1:]], [12345678901234567890, *data[2][1:]], [2 ** 53 + 1, *data[2][1:]]]})}


def build(folder: Path) -> None:
    for name, content in {**text_files(), **hostile_files(), **workbooks(), "read_zip_bomb.xlsx": zip_bomb()}.items():
        (folder / name).write_bytes(content)
    for name, table in parquet_tables().items():
        pq.write_table(table, folder / name)


if __name__ == "__main__":
    build(Path(__file__).resolve().parent)
