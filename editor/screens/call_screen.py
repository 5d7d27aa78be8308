"""The Call panel (F5): the simulator's engine plays the flow as a caller would hear it.

The transcript is what `twiml call` prints; the tree on the left shows the document being
executed with the running verb highlighted; the keypad and the entry answer a waiting
<Gather> (an empty entry is the timeout). The session is `twiml.simulator.Session` over the
project's transport, so unsaved edits are what the caller hears.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Input, RichLog, Static

from twiml.simulator import GatherInput, Options, Session
from twiml.simulator.engine import Sent
from twiml.simulator.events import Ask, Event, Stop, Verb
from twiml.simulator.render import lines
from twiml_editor.flow_project import node_at_line
from twiml_editor.widgets.literal import VisibleInput, markup_escape, shown
from twiml_editor.widgets.verb_tree import VerbTree

if TYPE_CHECKING:
    from twiml.base import TwiML
    from twiml_editor.flow_project import FlowProject

KEYPAD = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "*", "0", "#")


class CallScreen(Screen[None]):
    """Call the flow from its `start`; escape goes back."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("f5", "restart", "Call again"),
    ]

    def __init__(self, project: FlowProject) -> None:
        super().__init__(id="call-screen")
        self.project = project
        self.session: Session | None = None
        self.document_name: str | None = None
        self.highlighted: TwiML | None = None
        self.transcript: list[str] = []

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="call-main"):
            yield VerbTree(id="call-tree")
            with Vertical(id="call-side"):
                yield RichLog(id="call-log", wrap=True, markup=False, highlight=False, min_width=20)
                yield Static("", id="call-prompt", markup=False)
                yield VisibleInput(id="call-input", placeholder="keys or words, Enter sends (empty: no input)")
                with Grid(id="call-keypad"):
                    for key in KEYPAD:
                        yield Button(key, id=f"key-{'star' if key == '*' else 'hash' if key == '#' else key}")
                with Horizontal(id="call-actions"):
                    yield Button("No input", id="call-timeout")
                    yield Button("Hang up", id="call-hangup", variant="error")
        yield Footer()

    @property
    def log_view(self) -> RichLog:
        return self.query_one("#call-log", RichLog)

    def on_mount(self) -> None:
        self.query_one("#call-tree", VerbTree).border_title = "Document"
        self.log_view.border_title = "Transcript"
        self.action_restart()

    # ------------------------------------------------------------------------------ running

    def action_restart(self) -> None:
        """Place a new call from `start`."""
        self.log_view.clear()
        self.transcript = []
        flow = self.project.flow
        if flow.start is None:
            self._say("flow.toml has no start: nothing to call.")
            return
        transport = self.project.transport()
        self.session = Session(transport, transport.url(flow.start), Options(), listener=self._event)
        self.session.start()
        self._after_step()
        self.query_one("#call-input", Input).focus()

    def _say(self, text: str) -> None:
        self.transcript.append(text)
        self.log_view.write(shown(text))

    def _event(self, event: Event | Sent | Ask | Stop) -> None:
        for line in lines(event):
            self._say(line)
        if isinstance(event, Verb) and event.source is not None and event.line is not None:
            self._highlight(event)

    def _highlight(self, verb: Verb) -> None:
        name = self.project.name_of(Path(verb.source)) if verb.source else None
        if name is None:
            return
        doc = self.project.document(name)
        tree = self.query_one("#call-tree", VerbTree)
        if name != self.document_name:
            self.document_name = name
            tree.load(doc.root)
        node = node_at_line(doc, verb.line or 0, verb.name)
        if node is None:
            return
        self.highlighted = node
        tree.border_title = markup_escape(f"{name} ▶ <{verb.name}> line {verb.line}")
        path = doc.path_of(node)
        tree.reveal([doc.node_at(path[:i]) for i in range(len(path))])
        tree_node = tree.tree_node(node)
        if tree_node is not None:
            self.call_after_refresh(tree.move_cursor, tree_node)

    def _after_step(self) -> None:
        session = self.session
        prompt = self.query_one("#call-prompt", Static)
        if session is None or session.ended is not None:
            prompt.update("The call has ended. F5 calls again, escape goes back.")
        elif session.waiting is not None:
            prompt.update(shown(f"{session.waiting.verb.name}: {session.waiting.prompt()}"))

    def answer(self, got: GatherInput) -> None:
        """Answer the waiting Gather (keys, words, or nothing)."""
        session = self.session
        if session is None or session.waiting is None:
            self.notify("No Gather is waiting. F5 calls again.")
            return
        session.answer(got)
        self._after_step()

    @on(Input.Submitted, "#call-input")
    def _entry(self, event: Input.Submitted) -> None:
        event.stop()
        self.answer(GatherInput.parse(event.value))
        event.input.value = ""

    @on(Button.Pressed)
    def _button(self, event: Button.Pressed) -> None:
        button = event.button.id or ""
        event.stop()
        if button.startswith("key-"):
            key = {"star": "*", "hash": "#"}.get(button[4:], button[4:])
            self.answer(GatherInput(digits=key))
        elif button == "call-timeout":
            self.answer(GatherInput())
        elif button == "call-hangup" and self.session is not None and self.session.ended is None:
            self.session.ended = Stop("hangup", "the caller hung up")
            self._say("== ended: hangup (the caller hung up)")
            self._after_step()
