"""The emulator's whole state: moto's backends, the extension's stores, config and clock.

One re-entrant lock (`World.lock`) guards every read and write of AWS state, moto's included,
because moto's backends are not thread-safe. Requests still run concurrently: latency sleeps,
throttling and admission happen outside the lock, and the work inside it takes milliseconds.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from .clock import Scheduler
from .settings import Settings

StoreT = TypeVar("StoreT")


class World:
    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.scheduler = Scheduler()
        self.settings = Settings()
        self._stores: dict[tuple[type, str, str], Any] = {}

    def store(self, kind: Callable[[str, str], StoreT], account: str, region: str) -> StoreT:
        """The extension store of one kind for one (account, region), created on first use."""
        key = (kind, account, region)
        found = self._stores.get(key)
        if found is None:
            found = self._stores[key] = kind(account, region)  # type: ignore[call-arg]
        return found

    def stores(self, kind: type[StoreT]) -> Iterator[tuple[str, str, StoreT]]:
        """Every (account, region, store) of one kind, for cross-account lookups."""
        for (store_kind, account, region), store in list(self._stores.items()):
            if store_kind is kind:
                yield account, region, store

    def settle(self) -> None:
        """Applies due state transitions. Caller holds the lock."""
        self.scheduler.run_due()

    def reset(self) -> None:
        """Forgets every object (moto's too), every scheduled transition and the config."""
        from moto.moto_api._internal.models import moto_api_backend

        with self.lock:
            self.scheduler.clear()
            self._stores.clear()
            self.settings.reset()
            moto_api_backend.reset()


WORLD = World()
