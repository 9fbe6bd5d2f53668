"""The one exception type the emulator raises for an AWS-shaped error answer.

Handlers raise `AwsError` with AWS's own error code; the gateway renders it in the caller's
protocol (EC2 XML, JSON 1.1, REST-JSON), so handlers never think about wire formats.
"""

from __future__ import annotations

from typing import Any

#: HTTP status AWS uses for an error code when the caller does not name one.
_DEFAULT_STATUS = {
    "RequestLimitExceeded": 503,
    "InternalError": 500,
    "InternalFailure": 500,
    "ServiceUnavailable": 500,
}


def default_status(code: str) -> int:
    """The HTTP status an injected or raised error gets when none is given."""
    return _DEFAULT_STATUS.get(code, 400)


class AwsError(Exception):
    """An error answer with AWS's code, message and HTTP status.

    `fields` are extra members of the error structure (for example `Reason` for Directory
    Service Data); JSON protocols put them into the body beside the message.
    """

    def __init__(
        self,
        code: str,
        message: str,
        status: int | None = None,
        fields: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status if status is not None else default_status(code)
        self.fields = dict(fields or {})


class AdminError(Exception):
    """A bad request to the emulator's own admin API (answered as JSON with status 400)."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
