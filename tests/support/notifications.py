"""A real org.freedesktop.Notifications service on the session bus (dbus-fast), recording
every notification it is sent, in a thread with its own event loop.

No `from __future__ import annotations` here: dbus-fast reads D-Bus signatures from the
evaluated annotations (the S, U, ... constants below).
"""

import asyncio
import os
import threading
import time
from dataclasses import dataclass
from typing import Any

from dbus_fast import RequestNameReply
from dbus_fast.aio import MessageBus
from dbus_fast.service import ServiceInterface, method, signal

NAME = "org.freedesktop.Notifications"
PATH = "/org/freedesktop/Notifications"
S, U, I, AS, ASV, SSSS, UU, US = "s", "u", "i", "as", "a{sv}", "ssss", "uu", "us"  # noqa: E741


@dataclass(frozen=True)
class Received:
    app_name: str
    summary: str
    body: str
    urgency: int | None


class _Service(ServiceInterface):
    def __init__(self, sink: list[Received]) -> None:
        super().__init__(NAME)
        self.sink = sink
        self.next_id = 1

    @method()
    def Notify(
        self, app_name: S, replaces_id: U, app_icon: S, summary: S, body: S,
        actions: AS, hints: ASV, expire_timeout: I,
    ) -> U:  # fmt: skip
        urgency = hints["urgency"].value if "urgency" in hints else None
        self.sink.append(Received(app_name, summary, body, urgency))
        self.next_id += 1
        return self.next_id - 1

    @method()
    def GetCapabilities(self) -> AS:
        return ["body"]

    @method()
    def CloseNotification(self, notification_id: U) -> None:
        return None

    @method()
    def GetServerInformation(self) -> SSSS:
        return ["pandadmin-test", "pandadmin", "1.0", "1.2"]

    @signal()
    def NotificationClosed(self, notification_id: U, reason: U) -> UU:
        return [notification_id, reason]

    @signal()
    def ActionInvoked(self, notification_id: U, action_key: S) -> US:
        return [notification_id, action_key]


class NotificationReceiver:
    """`with NotificationReceiver() as receiver:` ... `receiver.received`."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._bus: Any = None
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> "NotificationReceiver":
        if not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
            raise RuntimeError("no D-Bus session bus: run the tests with `make test`")
        self._thread.start()
        if not self._ready.wait(20):
            raise RuntimeError("the notification receiver did not start within 20 s")
        if self._error is not None:
            raise self._error
        return self

    def __exit__(self, *exc: object) -> None:
        asyncio.run_coroutine_threadsafe(self._disconnect(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    async def _disconnect(self) -> None:
        self._bus.disconnect()
        await self._bus.wait_for_disconnect()

    def wait_for(self, count: int, timeout: float = 60.0) -> list[Received]:
        deadline = time.monotonic() + timeout
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.1)
        return list(self.received)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        try:
            self._loop.run_until_complete(self._register())
        except BaseException as exc:
            self._error = exc
        self._ready.set()
        if self._error is None:
            self._loop.run_forever()
        self._loop.close()

    async def _register(self) -> None:
        self._bus = await MessageBus().connect()
        self._bus.export(PATH, _Service(self.received))
        reply = await self._bus.request_name(NAME)
        if reply != RequestNameReply.PRIMARY_OWNER:
            raise RuntimeError(f"{NAME} is already owned on this session bus ({reply.name})")
