"""The record of every AWS call, so tests and benchmarks can count and inspect them.

Throttled, faulted and dropped calls are recorded too: they are calls the client made.
"""

from __future__ import annotations

import itertools
import threading
import time
from dataclasses import dataclass
from typing import Any


@dataclass
class CallRecord:
    seq: int
    service: str
    action: str
    account: str
    region: str
    params: dict[str, Any]
    start: float
    end: float | None = None
    status: int | None = None
    error: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "service": self.service,
            "action": self.action,
            "account": self.account,
            "region": self.region,
            "params": self.params,
            "start": self.start,
            "end": self.end,
            "status": self.status,
            "error": self.error,
        }


class CallLog:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._records: list[CallRecord] = []
        self._seq = itertools.count(1)

    def start(self, service: str, action: str, account: str, region: str, params: dict[str, Any]) -> CallRecord:
        with self._lock:
            record = CallRecord(next(self._seq), service, action, account, region, params, time.time())
            self._records.append(record)
            return record

    def finish(self, record: CallRecord, status: int, error: str | None) -> None:
        with self._lock:
            record.end = time.time()
            record.status = status
            record.error = error

    def list(self, account: str | None = None) -> list[dict[str, Any]]:
        with self._lock:
            return [r.as_json() for r in self._records if account is None or r.account == account]

    def clear(self) -> None:
        with self._lock:
            self._records.clear()
