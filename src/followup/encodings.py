"""Which text encoding a file is in: decided once per file, never by re-decoding good rows.

A file is read as UTF-8 whenever it mostly is: one stray byte from another program does not
turn every accented name in it into something else. Those few bytes become U+FFFD in their
rows, and the reader names the rows (:data:`REPLACING_UTF8`). A file that is not UTF-8 at all
is handed to ``charset-normalizer``: a Western export is read as Windows-1252 (what Excel on
Windows writes), a Japanese or Chinese one as Shift-JIS (code page 932) or GB18030 when the
detector is sure of it; anything else is refused with a line naming ``--encoding``.

>>> choose_encoding("Zoë Ångström\\n".encode("utf-8") + b"caf\\xe9 au lait\\n")
'followup-utf8-replace'
>>> choose_encoding("Zoë Müller, José".encode("cp1252"))
'cp1252'
>>> choose_encoding("山田太郎,面接のお礼,ありがとうございました".encode("shift_jis"))
'cp932'
"""

from __future__ import annotations

import codecs
import re

from .errors import FollowupError

# UTF-8 that puts U+FFFD for each byte that is not UTF-8 instead of stopping; registered as a
# codec so that Arrow's streaming transcoder and ``open`` both use it.
REPLACING_UTF8 = "followup-utf8-replace"
REPLACEMENT = "\ufffd"
# The detector's verdicts for files of East Asian exports, and the codec read for each: the
# Windows and GB supersets, which decode everything their older namesakes do.
MULTIBYTE = {
    "cp932": "cp932", "shift_jis": "cp932", "shift_jis_2004": "cp932", "shift_jisx0213": "cp932",
    "euc_jp": "euc_jp", "gb2312": "gb18030", "gbk": "gb18030", "gb18030": "gb18030",
    "big5": "big5", "big5hkscs": "big5hkscs", "cp949": "cp949", "euc_kr": "cp949",
}
NAMES = {"utf8": "UTF-8", "utf-8": "UTF-8", "utf-16": "UTF-16", "cp1252": "Windows-1252",
         "cp932": "Shift-JIS (code page 932)", "gb18030": "GB18030", REPLACING_UTF8: "UTF-8"}
# The detector's "chaos" (share of implausible characters) at most this for a sure verdict.
SURE_CHAOS = 0.05
SAMPLE_BYTES = 64 * 1024
_HIGH_BYTE = re.compile(rb"[\x80-\xff]")
# A JSON escape of half a UTF-16 pair (\ud800): JSON allows it, but it is not a character, and
# nothing can write it as UTF-8. A whole pair is one character once decoded; only halves stay.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")


class _ReplacingUtf8Decoder(codecs.BufferedIncrementalDecoder):
    def __init__(self, errors: str = "replace"):
        super().__init__("replace")

    @staticmethod
    def _buffer_decode(data, errors, final):
        return codecs.utf_8_decode(data, "replace", final)


def _search(name: str):
    if name != REPLACING_UTF8.replace("-", "_"):
        return None
    return codecs.CodecInfo(
        name=REPLACING_UTF8, encode=codecs.utf_8_encode,
        decode=lambda data, errors="replace": codecs.utf_8_decode(data, "replace", True),
        incrementalencoder=codecs.getincrementalencoder("utf-8"),
        incrementaldecoder=_ReplacingUtf8Decoder,
        streamreader=codecs.getreader("utf-8"), streamwriter=codecs.getwriter("utf-8"))


codecs.register(_search)


def name_of(encoding: str) -> str:
    """How a message names an encoding.

    >>> name_of("cp1252"), name_of("euc_jp")
    ('Windows-1252', 'euc_jp')
    """
    return NAMES.get(encoding, encoding)


def checked(encoding: str) -> str:
    """An ``--encoding`` value as Python knows it, or a one-line error.

    >>> checked("Shift-JIS")
    'shift_jis'
    """
    try:
        return codecs.lookup(encoding).name
    except LookupError:
        raise FollowupError(f"unknown --encoding {encoding!r}; use a name such as utf-8, cp1252, "
                            "shift_jis or gb18030") from None


def is_utf8(sample: bytes) -> bool:
    """Whether ``sample`` is UTF-8, forgiving a character cut at its very end."""
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start >= len(sample) - 4 and exc.reason == "unexpected end of data"
    return True


def choose_encoding(sample: bytes) -> str:
    """The codec to read a text whose ``sample`` (its lines holding non-ASCII bytes) is not
    all UTF-8; :class:`FollowupError` naming ``--encoding`` when no choice is safe."""
    if is_utf8(sample):
        return "utf8"
    # A line with non-ASCII bytes that is valid UTF-8: a UTF-8 file with a few lines holding
    # stray bytes (or pasted from another program). Text in another encoding almost never
    # makes a whole line of valid UTF-8 sequences by chance.
    if any(is_utf8(line) for line in sample.splitlines()):
        return REPLACING_UTF8
    from charset_normalizer import from_bytes  # imported only for a file that is not UTF-8

    matches = list(from_bytes(sample))
    best = matches[0] if matches else None
    if best is not None and best.encoding in MULTIBYTE and best.chaos <= SURE_CHAOS:
        codec = MULTIBYTE[best.encoding]
        if _decodes(sample, codec):
            return codec
    # Western text fits several code pages equally well; Windows-1252 is what Excel writes.
    if best is not None and any("cp1252" in m.could_be_from_charset and m.chaos <= best.chaos + 0.02
                                for m in matches):
        return "cp1252"
    if best is None and _decodes(sample, "cp1252") and not re.search(rb"[\x80-\x9f]", sample):
        return "cp1252"
    guess = f"; it looks most like {best.encoding}" if best is not None else ""
    raise FollowupError(f"cannot tell its text encoding (it is not UTF-8{guess}); "
                        "give it with --encoding, e.g. --encoding cp1252, shift_jis or gb18030")


def _decodes(sample: bytes, codec: str) -> bool:
    try:
        codecs.getincrementaldecoder(codec)().decode(sample, final=False)
    except UnicodeDecodeError:
        return False
    return True


def non_ascii_lines(path, limit: int = SAMPLE_BYTES, block_size: int = 16 << 20) -> bytes:
    """Up to ``limit`` bytes of the file's lines that tell one encoding from another, however
    late in the file they come: lines holding bytes that are not UTF-8 (up to half), then lines
    of other non-ASCII text. Blocks that are valid UTF-8 are passed over at the codec's speed."""
    invalid, valid = bytearray(), bytearray()
    half = limit // 2
    with open(path, "rb") as handle:
        carry = b""
        while len(invalid) < half:
            block = handle.read(block_size)
            if not block:
                _collect(carry, invalid, valid, half)
                break
            block = carry + block
            cut = block.rfind(b"\n") + 1
            lines, carry = (block[:cut], block[cut:]) if cut else (block, b"")
            _collect(lines, invalid, valid, half)
    return bytes(invalid[:half]) + bytes(valid[:limit - min(len(invalid), half)])


def _collect(lines: bytes, invalid: bytearray, valid: bytearray, half: int) -> None:
    position = 0
    view = memoryview(lines)
    while len(invalid) < half and position < len(lines):
        try:
            codecs.utf_8_decode(view[position:], "strict", True)
            break
        except UnicodeDecodeError as exc:
            at = position + exc.start
            start = lines.rfind(b"\n", 0, at) + 1
            end = lines.find(b"\n", at)
            end = len(lines) if end < 0 else end + 1
            invalid += lines[start:end]
            position = end
    position = 0
    while len(valid) < half and (high := _HIGH_BYTE.search(lines, position)) is not None:
        start = lines.rfind(b"\n", 0, high.start()) + 1
        end = lines.find(b"\n", high.end())
        end = len(lines) if end < 0 else end + 1
        valid += lines[start:end]
        position = end


def without_lone_surrogates(document, text: str):
    """``document`` (parsed from the JSON ``text``) with each half of a UTF-16 pair that stands
    alone replaced by U+FFFD, and how many strings held one. Only a text holding such an escape
    is walked, so a normal file costs one search."""
    if not _SURROGATE_ESCAPE.search(text):
        return document, 0
    count = 0

    def clean(value):
        nonlocal count
        if isinstance(value, str):
            if _SURROGATE.search(value):
                count += 1
                return _SURROGATE.sub(REPLACEMENT, value)
            return value
        if isinstance(value, dict):
            return {clean(key): clean(item) for key, item in value.items()}
        if isinstance(value, list):
            return [clean(item) for item in value]
        return value

    return clean(document), count


def lone_surrogates_message(path, count: int) -> str:
    return (f"{path}: {count} value{'s' * (count != 1)} hold{'s' * (count == 1)} half of a UTF-16 character pair "
            "(a \\ud800-style escape), which is not text; shown as \ufffd")
