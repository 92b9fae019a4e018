"""Errors the CLI turns into one clear line and an exit status."""
from __future__ import annotations


class RedactorError(Exception):
    """Base class: `str()` is the one line shown to the user, naming the file."""

    exit_code = 1

    def __init__(self, path: str, problem: str):
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")


class BadInputError(RedactorError):
    """The input cannot be processed (missing, not a PDF, corrupt, encrypted, ...)."""

    exit_code = 2


class VerificationError(RedactorError):
    """Redacted content is still recoverable from an output: the release must stop."""

    exit_code = 1

    def __init__(self, path: str, leaks: list[str]):
        self.leaks = leaks
        shown = "; ".join(leaks[:5]) + (f"; ... {len(leaks) - 5} more" if len(leaks) > 5 else "")
        super().__init__(path, f"verification FAILED, redacted content recoverable: {shown}")
