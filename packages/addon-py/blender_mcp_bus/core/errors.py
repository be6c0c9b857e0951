"""The one exception a handler raises to fail its job with a message."""
from typing import Any


class JobFailed(Exception):
    """A job ends failed with this message; result carries partial output, if any."""

    def __init__(self, message: str, result: Any = None):
        super().__init__(message)
        self.result = result
