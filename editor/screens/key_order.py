"""Keys in the order they were typed: a burst acts exactly as if typed slowly.

Textual forwards a key to the widget focused when the app takes it from its queue, and takes
the next key at once. Keys a terminal delivers in one read (a paste, a macro, key repeat, a slow
machine) are therefore all queued on the widget focused before the first of them acts: `e`
opens the attribute picker, but the letters typed after it are already the tree's; Enter on the
Flow map opens a document, but the Down and Delete after it are already the map's. And a key
that also works in a text field (ctrl+q, ctrl+s, ctrl+o) is a priority binding: the app acts on
it as it takes it, before the keys typed just before it have acted.

`KeyRouter` (one per app, fed by `EditorApp.on_event`, so every app has it) hands the app one
key at a time. The next key waits until the one before has been handled: Textual's own dispatch
ran (priority bindings, or the forward to the focused widget), every widget of the screen on top
has handled what it had queued (the key bubbling to the bindings, the messages its action
posted) and the workers its action started on the app or a screen have finished. It then goes
where Textual sends it at that moment, so it reaches the screen or field the key before opened.

Waiting for the handler would deadlock when the handler itself waits for a later key: an action
that awaits a dialog needs the keys after it to reach that dialog. So as soon as a new screen is
on top, the waiting ends: once that screen has mounted and has its focus, the next keys go to it.
A key that is not handled within `PATIENCE` seconds (something awaited that never comes) lets
the next one go, as Textual would have, rather than freeze the keyboard.

`settle_keys` remains for actions that decide on the document's state (save, quit, undo, redo):
they also run from the command palette and from tests that post keys straight to widgets.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from textual import events
from textual.app import App
from textual.message_pump import MessagePump
from textual.screen import Screen
from textual.worker import Worker

__all__ = ["KeyRouter", "keys_pending", "settle_keys"]

ROUNDS = 8
"""`settle_keys`: at most this many passes (a key goes app -> focused widget -> its parents ->
screen -> app, and what it does may post more; a pass that finds every queue empty ends early)."""

KEY_ROUNDS = 40
"""The router: at most this many passes per key (every hop of a key and of the messages its
action posts takes one; a deep form and a chain of messages take a dozen)."""

PATIENCE = 3.0
"""Seconds a key may take before the next one goes anyway (a handler awaiting something that
is not a screen and never comes must not freeze the keyboard)."""

FOCUS_WAIT = 0.25
"""Seconds a screen just pushed may take to focus one of its widgets before keys go to the
screen itself (a screen with focusable widgets that focuses none)."""

POLL = 0.005
"""Seconds between looks at what sends no signal (a worker's end, a screen's mount)."""

Handler = Callable[[events.Event], Awaitable[None]]


async def _pump(target: MessagePump) -> None:
    """Wait until `target` has handled what was queued on it before now."""
    done = asyncio.Event()
    if target.call_later(done.set):
        await done.wait()


def _busy(app: App[Any]) -> list[MessagePump] | None:
    """The widgets of the screen on top with something queued (None: no screen)."""
    try:
        widgets = list(app.screen.walk_children(with_self=True))
    except Exception:  # no screen yet, or the app is stopping
        return None
    return [w for w in widgets if not w._message_queue.empty()]


def _after_paint(app: App[Any]) -> Screen[Any] | None:
    """The screen on top when it holds callbacks for after its next paint (`call_after_refresh`:
    the document screen places the tree's cursor there once its rows are laid out)."""
    try:
        screen = app.screen
    except Exception:
        return None
    return screen if screen._callbacks else None


def _painted(screen: Screen[Any]) -> bool:
    return not screen._callbacks


async def settle_keys(app: App[Any]) -> None:
    """Let the keys typed before this one be handled first: while a widget of the screen on top
    has something queued, the app, then each such widget, handle what they have, pass after
    pass. With no widget busy this returns at once, without giving the app a turn. Call it
    from a worker (an action that awaits it on a widget's own queue would wait for itself)."""
    for _ in range(ROUNDS):
        if not app.is_running:
            return
        busy = _busy(app)
        if not busy:
            return
        await _pump(app)
        for widget in busy:
            await _pump(widget)
        await _pump(app)  # keys the widgets left to the app's bindings


def keys_pending(app: App[Any]) -> bool:
    """True while the app holds keys back (a key is being handled and more wait behind it)."""
    router = getattr(app, "key_router", None)
    return isinstance(router, KeyRouter) and router.pending


@dataclass
class _Flight:
    """The key being handled: the screens and workers there were when the app took it."""

    screens: list[Screen[Any]]
    workers: set[Worker[Any]]
    deadline: float
    started: list[Worker[Any]] = field(default_factory=list)


class KeyRouter:
    """Hands the app its keys (and pastes) one at a time, each once the one before it has been
    handled; see the module's docstring."""

    def __init__(self, app: App[Any]) -> None:
        self.app = app
        self.waiting: deque[events.Key | events.Paste] = deque()
        self.busy = False
        self._released: events.Event | None = None
        self._wake = asyncio.Event()
        self._listening = False
        self._task: asyncio.Task[None] | None = None
        self._handle: Handler | None = None

    @property
    def pending(self) -> bool:
        """A key is being handled or waits."""
        return self.busy or bool(self.waiting)

    @staticmethod
    def routes(event: events.Event) -> bool:
        """The events the router orders: keys and pastes from the terminal (not yet forwarded)."""
        return isinstance(event, (events.Key, events.Paste)) and not event.is_forwarded

    async def take(self, event: events.Key | events.Paste, handle: Handler) -> None:
        """Called by the app for each key from the terminal; `handle` is Textual's own dispatch."""
        self._handle = handle
        if event is self._released:
            self._released = None
        elif self.busy or self.waiting:
            self.waiting.append(event)
            return
        self.busy = True
        try:
            flight = self._flight()
            await handle(event)
        except BaseException:
            self._next()
            raise
        self._task = asyncio.create_task(self._follow(flight))

    # ------------------------------------------------------------------ one key's handling

    def _flight(self) -> _Flight:
        app = self.app
        if not self._listening and app.is_running:
            app.screen_change_signal.subscribe(app, lambda _screen: self._wake.set(), immediate=True)
            self._listening = True
        loop = asyncio.get_running_loop()
        return _Flight(list(app.screen_stack), set(app.workers), loop.time() + PATIENCE)

    def _pushed(self, flight: _Flight) -> Screen[Any] | None:
        """The screen on top when it is one that was not on the stack as the key arrived."""
        try:
            top = self.app.screen
        except Exception:
            return None
        return None if any(top is s for s in flight.screens) else top

    async def _follow(self, flight: _Flight) -> None:
        """Wait until the key has been handled (or a new screen is on top), then let the next go;
        after a screen opened or closed, once the screen now on top is ready for keys."""
        try:
            await self._handled(flight)
            before = flight.screens[-1] if flight.screens else None
            screen = self._top()
            while screen is not None and screen is not before and self.app.is_running:
                before = screen
                flight = await self._focused(screen)
                screen = self._pushed(flight) or screen
        except Exception:  # the app is stopping (a widget or screen gone mid-way): keys go on
            pass
        finally:
            self._next()

    def _top(self) -> Screen[Any] | None:
        try:
            return self.app.screen
        except Exception:
            return None

    async def _handled(self, flight: _Flight, *, paint: bool = False) -> None:
        """Queues of the screen on top emptied (pass after pass), then the workers the key
        started; each wait ends early when a new screen comes on top. With `paint`, also what
        the screen holds for after its next paint (a screen just shown places the tree's cursor
        once its rows are laid out); not for every key: a paint per key would slow key repeat."""
        app = self.app
        for _ in range(KEY_ROUNDS):
            busy = _busy(app)
            if busy is None:
                break
            later = _after_paint(app) if paint else None
            if not busy and not later and app._message_queue.empty():
                break
            for target in (app, *busy, app):
                if not await self._pumped(target, flight):
                    return
            if (
                later is not None
                and later._callbacks
                and not _busy(app)
                and not await self._until(partial(_painted, later), flight, POLL)
            ):
                return
        flight.started = [w for w in app.workers if w not in flight.workers and self._acts(w)]
        while any(not w.is_finished for w in flight.started):
            if not await self._until(lambda: False, flight, POLL):
                return
        if flight.started:  # what the workers posted (a field focused, a document shown)
            await self._handled(_Flight(flight.screens, set(app.workers), flight.deadline), paint=paint)

    def _acts(self, worker: Worker[Any]) -> bool:
        """A worker of the app or of a screen: an action's (a widget's own loader is not)."""
        return worker.node is self.app or isinstance(worker.node, Screen)

    async def _pumped(self, target: MessagePump, flight: _Flight) -> bool:
        """Wait until `target` has handled what it has queued; False when a new screen came on
        top first, the key took too long or the app stopped."""
        done = asyncio.Event()

        def mark() -> None:
            done.set()
            self._wake.set()

        if not target.call_later(mark):
            return True  # closed: nothing more to wait for there
        return await self._until(done.is_set, flight, None)

    async def _until(self, ready: Callable[[], bool], flight: _Flight, poll: float | None) -> bool:
        loop = asyncio.get_running_loop()
        while True:
            self._wake.clear()
            if ready():
                return True
            remaining = flight.deadline - loop.time()
            if self._pushed(flight) is not None or remaining <= 0 or not self.app.is_running:
                return False
            try:
                await asyncio.wait_for(self._wake.wait(), min(remaining, poll or remaining))
            except TimeoutError:
                if poll is not None:
                    return True  # a poll: the caller looks again

    async def _focused(self, screen: Screen[Any]) -> _Flight:
        """Wait until a screen just shown (pushed, or uncovered) has mounted, handled its queued
        messages and what waits for its paint, and focused a widget (when it has one to focus);
        return the flight of what it did meanwhile."""
        app = self.app
        loop = asyncio.get_running_loop()
        flight = _Flight([*app.screen_stack], set(app.workers), loop.time() + PATIENCE)
        while not screen.is_mounted and app.screen is screen:
            if not await self._until(lambda: screen.is_mounted, flight, POLL):
                break
        await self._handled(flight, paint=True)
        focus_by = loop.time() + FOCUS_WAIT
        while app.screen is screen and screen.focused is None and screen.focus_chain and loop.time() < focus_by:
            await asyncio.sleep(POLL)
            await self._handled(flight, paint=True)
        return flight

    def _next(self) -> None:
        """Let the next waiting key go (through the app's queue, so it runs where keys run)."""
        self._task = None
        while self.waiting:
            event = self.waiting.popleft()
            self._released = event
            if self.app.call_later(self._release, event):
                return
        self._released = None
        self.busy = False

    async def _release(self, event: events.Key | events.Paste) -> None:
        if self._handle is not None:  # set by the take that queued the key
            await self.take(event, self._handle)
