"""Write the corpus's Excel files: `.venv/bin/python tests/data/bad/make_excel.py`.

A workbook is a zip that records when it was written (in its properties and in each zip
entry); those times are pinned so that running this again gives the same bytes
(tests/test_bad_input.py checks that the files are current).
"""

from __future__ import annotations

import io
import zipfile
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.writer.excel import ExcelWriter

ROW = ["C001", "2026-03-02T19:30:00-05:00", "email", "inbound", "2026-03-09T19:30:00-05:00"]
SHEETS = {
    "excel_repeated_column.xlsx": ["candidate_id", "timestamp", "channel", "direction", "timestamp"],
    "excel_repeated_column_case.xlsx": ["candidate_id", "timestamp", "channel", "direction", "Timestamp"],
    "excel_two_names_one_column.xlsx": ["candidate_id", "timestamp", "channel", "direction", "Start Time"],
}
WRITTEN = datetime(2026, 1, 1)


def workbook_bytes(header: list[str]) -> bytes:
    book = Workbook()
    book.properties.created = book.properties.modified = WRITTEN
    book.active.append(header)
    book.active.append(ROW)
    written = io.BytesIO()
    # Workbook.save would stamp the modification time with now; its writer alone does not.
    ExcelWriter(book, zipfile.ZipFile(written, "w", zipfile.ZIP_DEFLATED)).save()
    pinned = io.BytesIO()
    with zipfile.ZipFile(written) as source, zipfile.ZipFile(pinned, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(zipfile.ZipInfo(item.filename, WRITTEN.timetuple()[:6]), source.read(item),
                            zipfile.ZIP_DEFLATED)
    return pinned.getvalue()


def build(directory: Path) -> None:
    for name, header in SHEETS.items():
        (directory / name).write_bytes(workbook_bytes(header))


if __name__ == "__main__":
    build(Path(__file__).resolve().parent)
