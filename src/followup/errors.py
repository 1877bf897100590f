"""Typed errors. Each one renders as a single line naming what a user must fix."""

from __future__ import annotations


class FollowupError(Exception):
    """Base class: anything the CLI turns into one line on stderr and exit code 1."""


class InputFileError(FollowupError):
    """A file that cannot be read at all (missing, unknown format, no usable columns)."""

    def __init__(self, path: object, reason: str):
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


class InvalidRowError(FollowupError):
    """A row that cannot be understood, raised in strict mode instead of rejecting it."""

    def __init__(self, path: object, row: int, column: str, reason: str):
        self.path = str(path)
        self.row = int(row)
        self.column = column
        self.reason = reason
        super().__init__(f"{self.path}: row {self.row}, column {column!r}: {reason}")


class PolicyError(FollowupError):
    """A policy that does not exist or does not validate."""


class InputWarning(UserWarning):
    """Something about the inputs a user must hear of though the run goes on (the CLI prints it
    as one ``warning:`` line on stderr; ``--strict`` turns it into an error)."""
