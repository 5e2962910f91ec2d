"""A real IMAP server on this machine, for the tests and the demo: pymap's in-memory dict backend
on 127.0.0.1, one login, no demo data, no TLS (a local test server only).

    with ImapServer(port, "hopthu", "mat-khau") as server:   # started, then stopped
        server.deliver(raw_message_bytes)                     # a mail arrives in INBOX
        server.connection_json()                              # AIRFLOW_CONN_ISPEED_RETURNS_MAILBOX

``python -m ispeed.devtools.imap_server --port 14300 --user U --password P`` runs one in the
foreground until it is stopped (the demo starts it in the background).
"""

from __future__ import annotations

import argparse
import asyncio
import imaplib
import json
import threading
import time
from contextlib import AsyncExitStack


class ImapServer:
    def __init__(self, port: int, user: str = "hopthu", password: str = "mat-khau-thu", host: str = "127.0.0.1"):
        self.port, self.user, self.password, self.host = port, user, password, host
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None

    def _args(self) -> argparse.Namespace:
        from pymap.backend.dict import DictBackend
        from pymap.imap import IMAPService

        parser = argparse.ArgumentParser()
        parser.add_argument("--debug", action="store_true")
        parser.set_defaults(skip_services=[], passlib_cfg=None, set_uid=None, set_gid=None, inherited_sockets=None)
        sub = parser.add_subparsers(dest="backend")
        DictBackend.add_subparser("dict", sub)
        IMAPService.add_arguments(parser)
        return parser.parse_args(
            ["--host", self.host, "--port", str(self.port), "--no-tls", "dict",
             "--demo-user", self.user, "--demo-password", self.password]
        )  # fmt: skip

    async def _serve(self, ready: threading.Event) -> None:
        from pymap.backend.dict import DictBackend
        from pymap.imap import IMAPService

        args = self._args()
        backend, config = await DictBackend.init(args)  # demo data off: --demo-data not given
        config.apply_context()
        self._stop = asyncio.Event()
        async with AsyncExitStack() as stack:
            await backend.start(stack)
            await IMAPService(backend, config).start(stack)
            ready.set()
            await self._stop.wait()

    def start(self) -> ImapServer:
        ready = threading.Event()

        def run() -> None:
            self._loop = asyncio.new_event_loop()
            try:
                self._loop.run_until_complete(self._serve(ready))
            except BaseException as exc:  # reported by start()
                self._error = exc
                ready.set()
            finally:
                self._loop.close()

        self._thread = threading.Thread(target=run, name=f"imap-{self.port}", daemon=True)
        self._thread.start()
        if not ready.wait(30) or self._error:
            raise RuntimeError(f"the IMAP server on {self.host}:{self.port} did not start: {self._error!r}")
        return self

    def stop(self) -> None:
        if self._loop and self._stop and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._stop.set)
        if self._thread:
            self._thread.join(10)

    def __enter__(self) -> ImapServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def client(self) -> imaplib.IMAP4:
        c = imaplib.IMAP4(self.host, self.port)
        c.login(self.user, self.password)
        return c

    def deliver(self, raw: bytes, folder: str = "INBOX") -> None:
        """A mail arrives (APPEND)."""
        c = self.client()
        try:
            typ, data = c.append(f'"{folder}"', None, None, raw)
            if typ != "OK":
                raise RuntimeError(f"APPEND to {folder}: {data}")
        finally:
            c.logout()

    def messages(self, folder: str = "INBOX") -> list[bytes]:
        """Every message of a folder (empty when the folder does not exist)."""
        c = self.client()
        try:
            typ, _ = c.select(f'"{folder}"')
            if typ != "OK":
                return []
            _, data = c.uid("SEARCH", None, "ALL")
            out = []
            for uid in (data[0] or b"").split():
                _, parts = c.uid("FETCH", uid, "(BODY.PEEK[])")
                out += [p[1] for p in parts if isinstance(p, tuple)]
            return out
        finally:
            c.logout()

    def connection_json(self) -> str:
        """The Airflow connection (AIRFLOW_CONN_<ID>) that points the pipeline at this server."""
        return json.dumps(
            {
                "conn_type": "imap",
                "host": self.host,
                "port": self.port,
                "login": self.user,
                "password": self.password,
                "extra": {"use_ssl": False},
            }
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ispeed.devtools.imap_server")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--user", default="hopthu")
    parser.add_argument("--password", default="mat-khau-thu")
    args = parser.parse_args(argv)
    with ImapServer(args.port, args.user, args.password):
        print(f"IMAP server on 127.0.0.1:{args.port} (user {args.user})", flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
