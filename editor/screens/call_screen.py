"""The Call panel (F5): the simulator's engine plays the flow as a caller would hear it.

The transcript is what `twiml call` prints; the tree on the left shows the document being
executed with the running verb highlighted; the keypad (a phone's 3x4) and the entry answer a
waiting <Gather> (an empty entry is the timeout), whose prompt shows once, above the entry. A
<Dial>, <Record> or <Enqueue> waits too: the caller chooses how it turns out from the list
`twiml call` asks from at a terminal (`twiml.simulator.choices`), so a flow's busy, no-answer,
silence and queue-full branches can be walked. The session is `twiml.simulator.Session` over
the project's transport, so unsaved edits are what the caller hears.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Input, OptionList, Static
from textual.widgets.option_list import Option

from twiml.simulator import GatherInput, Options, Session, choices
from twiml.simulator.engine import Sent
from twiml.simulator.events import Ask, Event, Stop, Verb
from twiml.simulator.render import lines
from twiml_editor.flow_project import node_at_line
from twiml_editor.screens.flow_save import SAVE_BINDINGS, FlowSave
from twiml_editor.widgets.lists import PagedOptionList
from twiml_editor.widgets.literal import VisibleInput, markup_escape, shown
from twiml_editor.widgets.transcript import Transcript
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
        *SAVE_BINDINGS,
    ]
    saver: FlowSave | None = None
    """ctrl+s: the flow's save, as on the map (none on a Studio flow: its app saves)."""

    def __init__(self, project: FlowProject, *, saver: FlowSave | None = None) -> None:
        super().__init__(id="call-screen")
        self.project = project
        self.saver = saver
        self.session: Session | None = None
        self.document_name: str | None = None
        self.highlighted: TwiML | None = None
        self.transcript: list[str] = []

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="call-main"):
            yield VerbTree(id="call-tree")
            with Vertical(id="call-side"):
                yield Transcript(id="call-log")
                yield Static("", id="call-prompt", markup=False)
                yield PagedOptionList(id="call-outcomes")
                yield VisibleInput(id="call-input", placeholder="keys or words, then Enter")
                with Horizontal(id="call-pad"):
                    with Grid(id="call-keypad"):
                        for key in KEYPAD:
                            name = {"*": "star", "#": "hash"}.get(key, key)
                            yield Button(key, id=f"key-{name}", compact=True)
                    with Vertical(id="call-actions"):
                        yield Button("No input", id="call-timeout", compact=True)
                        yield Button("Hang up", id="call-hangup", variant="error", compact=True)
        yield Footer(compact=True)  # at 80 columns: add, delete, save, quit, help and the palette

    @property
    def log_view(self) -> Transcript:
        return self.query_one("#call-log", Transcript)

    def on_mount(self) -> None:
        self.query_one("#call-tree", VerbTree).border_title = "Document"
        self.log_view.border_title = "Transcript"
        self.action_restart()

    # ------------------------------------------------------------------------------ running

    @work(exclusive=True, group="file")
    async def action_save(self) -> None:
        if self.saver is not None:
            await self.saver.save(self)

    def action_restart(self) -> None:
        """Place a new call from `start`."""
        self.log_view.clear()
        self.transcript = []
        flow = self.project.flow
        if flow.start is None:
            self._say("flow.toml has no start: nothing to call.")
            return
        transport = self.project.transport()
        self.session = Session(
            transport, transport.url(flow.start), Options(), listener=self._event, wait_for_outcomes=True
        )
        self.session.start()
        self._after_step()
        self.query_one("#call-input", Input).focus()

    def _say(self, text: str) -> None:
        self.transcript.append(text)
        self.log_view.add(shown(text))

    def _event(self, event: Event | Sent | Ask | Stop) -> None:
        if isinstance(event, Ask):
            return  # the question shows once, above the entry (`_after_step`)
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
        """Show what the call waits for: a Gather's prompt with the entry and keypad, or the
        outcomes of a Dial, Record or queue to choose from."""
        session = self.session
        prompt = self.query_one("#call-prompt", Static)
        outcomes = self.query_one("#call-outcomes", OptionList)
        waiting = session.waiting if session is not None and session.ended is None else None
        choosing = waiting is not None and waiting.kind != "gather"
        self.set_class(choosing, "-choosing")
        outcomes.clear_options()
        if waiting is None:
            prompt.update("The call has ended. F5 calls again, escape goes back.")
        elif choosing:
            prompt.update(shown(choices.question(waiting)))
            outcomes.add_options(Option(f"{c.key:<10} {c.label}", id=c.key) for c in choices.choices(waiting))
            outcomes.highlighted = 0
            outcomes.focus()
        else:
            prompt.update(shown(f"{waiting.verb.name}: {waiting.prompt()}"))
            self.query_one("#call-input", Input).focus()

    def answer(self, got: GatherInput) -> None:
        """Answer the waiting Gather (keys, words, or nothing)."""
        session = self.session
        if session is None or session.waiting is None or session.waiting.kind != "gather":
            self.notify("No Gather is waiting. F5 calls again.")
            return
        session.answer(got)
        self._after_step()

    def choose(self, key: str) -> None:
        """Answer the waiting Dial, Record or queue with the outcome named `key` (busy, 0, ...)."""
        session = self.session
        waiting = session.waiting if session is not None else None
        if session is None or waiting is None or waiting.kind == "gather":
            self.notify("No Dial, Record or queue is waiting.")
            return
        chosen = choices.parse(waiting, key)
        if chosen is None:
            self.notify(f"{key}: not an outcome of <{waiting.verb.name}>.")
            return
        self._say(f"   outcome: {key or 'default'}")
        session.answer(chosen)
        self._after_step()

    @on(OptionList.OptionSelected, "#call-outcomes")
    def _outcome(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.choose(event.option.id or "")

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
        # the outcome list answers a Dial, Record or queue; the keypad and entry only a Gather
        elif button == "call-hangup" and self.session is not None and self.session.ended is None:
            self.session.ended = Stop("hangup", "the caller hung up")
            self._say("== ended: hangup (the caller hung up)")
            self._after_step()
