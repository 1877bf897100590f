"""Typed errors. Each one renders as a single line naming what a user must fix."""

from __future__ import annotations


class FollowupError(Exception):
    """Base class: anything the CLI turns into one line on stderr and exit code 1.

    ``quoted`` holds the values from the data that the message quotes (a bad e-mail address
    in a roster, say), so that ``--redact`` can replace each of them with its pseudonym.

    >>> error = FollowupError("'dave@@example.com' is not an e-mail address", quoted=["dave@@example.com"])
    >>> error.quoted
    ('dave@@example.com',)
    """

    exit_code = 1

    def __init__(self, *args, quoted=()):
        super().__init__(*args)
        self.quoted = tuple(str(value) for value in quoted)


class InputFileError(FollowupError):
    """A file that cannot be read at all (missing, unknown format, no usable columns)."""

    def __init__(self, path: object, reason: str, quoted=()):
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}", quoted=quoted)


class InvalidRowError(FollowupError):
    """A row that cannot be understood, raised in strict mode instead of rejecting it."""

    def __init__(self, path: object, row: int, column: str, reason: str, quoted=()):
        self.path = str(path)
        self.row = int(row)
        self.column = column
        self.reason = reason
        super().__init__(f"{self.path}: row {self.row}, column {column!r}: {reason}", quoted=quoted)


class PolicyError(FollowupError):
    """A policy that does not exist or does not validate."""


class InputWarning(UserWarning):
    """Something about the inputs a user must hear of though the run goes on (the CLI prints it
    as one ``warning:`` line on stderr; ``--strict`` turns it into a :class:`StrictInputError`). Like
    :class:`FollowupError`, ``quoted`` holds the data values it quotes, for ``--redact``."""

    def __init__(self, *args, quoted=()):
        super().__init__(*args)
        self.quoted = tuple(str(value) for value in quoted)


class StrictInputError(FollowupError):
    """An :class:`InputWarning` raised while reading under ``strict`` (``--strict``): the
    same one line, as an error, exit code 2. Reading in strict mode means nothing about the
    files may be guessed or passed over, not even what a lenient run only warns about."""

    exit_code = 2
