"""Deadlines and bodies shared by the HTTP and the in-process transports: one worker thread that
runs a request until Twilio's deadline abandons it, and the capped gzip/deflate reader.
"""

from __future__ import annotations

import contextlib
import threading
import time
import zlib
from collections.abc import Callable
from typing import Any

from twiml.simulator.wire import T


class _Expired(Exception):
    """The deadline passed while the worker was still busy."""


class _Worker:
    """A daemon thread that runs one job at a time for a transport, so a deadline can be kept
    whatever the job does (an app that sleeps, a server that trickles): past the deadline the
    caller stops waiting and the worker is abandoned (a daemon thread never keeps the process
    alive); the transport starts a new one for its next request. One thread serves all requests
    until then (starting a thread per request would cost more than a small app's reply).
    """

    def __init__(self) -> None:
        import queue

        self.jobs: queue.SimpleQueue[Callable[[], None] | None] = queue.SimpleQueue()
        threading.Thread(target=self.serve, name="twiml-fetch", daemon=True).start()

    def serve(self) -> None:
        while True:
            job = self.jobs.get()
            if job is None:
                return
            job()
            del job  # holding the last job would keep its transport alive (and this thread with it)

    def stop(self) -> None:
        self.jobs.put(None)  # ends after the job it is running, if that ever returns

    def run(self, deadline: float, work: Callable[[], T], on_expiry: Callable[[], None] | None = None) -> T:
        """`work()` on the worker thread, waited for until `deadline` (time.monotonic()).

        Raises _Expired past the deadline (after `on_expiry`, which may close what the work is
        blocked on); whatever `work` raises, even SystemExit, is raised here.
        """
        done = threading.Event()
        result: list[T] = []
        error: list[BaseException] = []

        def job() -> None:
            try:
                result.append(work())
            except BaseException as exc:
                error.append(exc)
            finally:
                done.set()

        self.jobs.put(job)
        if not done.wait(max(0.0, deadline - time.monotonic())):
            self.stop()
            if on_expiry is not None:
                with contextlib.suppress(Exception):
                    on_expiry()
            raise _Expired
        if error:
            raise error[0]
        return result[0]


class _Workers:
    """The current worker of a transport; a new one after a deadline abandoned the last."""

    def __init__(self) -> None:
        self.current: _Worker | None = None

    def run(self, deadline: float, work: Callable[[], T], on_expiry: Callable[[], None] | None = None) -> T:
        worker = self.current or _Worker()
        self.current = worker
        try:
            return worker.run(deadline, work, on_expiry)
        except _Expired:
            self.current = None
            raise

    def close(self) -> None:
        if self.current is not None:
            self.current.stop()
            self.current = None


# ------------------------------------------------------------------------------------ decoding


_DECODABLE = {"gzip": zlib.MAX_WBITS | 16, "x-gzip": zlib.MAX_WBITS | 16, "deflate": zlib.MAX_WBITS}


class _TooLarge(Exception):
    """The decoded body passed the limit (11750)."""


class _Inflater:
    """Incremental decoding of a Content-Encoding list (`gzip, gzip` included) that never holds
    more than `limit` decoded bytes at any stage, so a small compressed bomb stays small."""

    def __init__(self, encodings: list[str], limit: int) -> None:
        self.limit = limit
        self.stages: list[tuple[int, Any]] = []
        for encoding in reversed(encodings):  # the last encoding applied is undone first
            if encoding in ("", "identity"):
                continue
            if encoding not in _DECODABLE:
                raise ValueError(encoding)
            self.stages.append((_DECODABLE[encoding], zlib.decompressobj(_DECODABLE[encoding])))
        # an intermediate stage holds compressed data: 64 KB of body never needs 4x that
        self.budgets = [4 * limit] * (len(self.stages) - 1) + [limit]
        self.produced = [0] * len(self.stages)

    def feed(self, data: bytes) -> bytes:
        for index, (wbits, decoder) in enumerate(self.stages):
            out: list[bytes] = []
            while data:
                room = self.budgets[index] - self.produced[index]
                try:
                    chunk = decoder.decompress(data, room)
                except zlib.error:
                    if wbits == zlib.MAX_WBITS and not self.produced[index] and not out:  # raw deflate
                        decoder = zlib.decompressobj(-zlib.MAX_WBITS)
                        self.stages[index] = (-zlib.MAX_WBITS, decoder)
                        continue
                    raise
                self.produced[index] += len(chunk)
                out.append(chunk)
                if self.produced[index] >= self.budgets[index]:
                    if index < len(self.stages) - 1 or decoder.unconsumed_tail:
                        raise _TooLarge
                    data = b""
                    break
                data = decoder.unconsumed_tail
                if decoder.eof and decoder.unused_data:  # concatenated gzip members
                    data = decoder.unused_data
                    decoder = zlib.decompressobj(wbits)
                    self.stages[index] = (wbits, decoder)
            data = b"".join(out)
        return data
