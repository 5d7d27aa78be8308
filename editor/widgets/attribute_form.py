"""The form for the selected node, built from its grammar entry (`twiml.grammar_types.Element`)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from textual import events, on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Button, Input, Label, Static, TextArea

from twiml.base import TwiML
from twiml.grammar_types import Element, element_of
from twiml_editor.widgets.attr_field import AttrField
from twiml_editor.widgets.literal import VisibleInput, VisibleTextArea, shown


def body_of(node: TwiML) -> str:
    """The node's own body text (`.value`) as the form shows it."""
    value = node.value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


ElementLookup = Callable[[TwiML], Element | None]
"""What a node is in the document's dialect (`Document.element_of`); the builder's own entry
(`twiml.grammar_types.element_of`) for Twilio."""


def has_body(node: TwiML, element: Element | None) -> bool:
    if element is None:
        return True  # unknown elements and comments: text is all we can offer
    return (element.body is not None and element.body.kind != "none") or node.value not in (None, "")


def pieces(node: TwiML) -> list[tuple[int, str]]:
    """(index, label) of the text pieces among the node's children: the text that follows a child
    element, e.g. `" my friend"` after `<emphasis>` in a <Say>."""
    found = []
    before = None
    for index, verb in enumerate(node.verbs):
        if isinstance(verb, str):
            found.append((index, f"Text after <{before}>" if before else "Text"))
        else:
            before = verb.name
    return found


class BodyEditor(VisibleTextArea):
    """Body text of the node (or, with `piece`, its text piece ``verbs[piece]``); posts TextEdited
    when the text differs from what was shown.  Like attribute fields it selects its text on
    focus, so typing replaces a default such as `/next`."""

    class TextEdited(Message):
        """The user changed the body text of `node` (None clears it), or with `piece` the text
        piece ``node.verbs[piece]`` that follows a child element."""

        def __init__(
            self, editor: BodyEditor, node: TwiML, text: str | None, piece: int | None = None, entry: int = 0
        ) -> None:
            super().__init__()
            self.editor = editor
            self.node = node
            self.text = text
            self.piece = piece
            self.entry = entry
            """The typing entry it came from (`TypingEntry`); 0 for a one-off edit."""

        @property
        def control(self) -> BodyEditor:
            """The body editor that posted it."""
            return self.editor

    class Done(Message):
        """Enter in the text: the user is done with it, like a form field."""

        def __init__(self, editor: BodyEditor) -> None:
            super().__init__()
            self.editor = editor

        @property
        def control(self) -> BodyEditor:
            """The body editor that posted it."""
            return self.editor

    def __init__(self, node: TwiML, piece: int | None = None) -> None:
        self.node = node
        self.piece = piece
        self.shown = self._text(node)
        super().__init__(self.shown, soft_wrap=True, show_line_numbers=False, classes="body-text", compact=True)

    def _text(self, node: TwiML) -> str:
        if self.piece is None:
            return body_of(node)
        verb = node.verbs[self.piece] if self.piece < len(node.verbs) else ""
        return verb if isinstance(verb, str) else ""

    def _on_focus(self, event: events.Focus) -> None:
        super()._on_focus(event)
        if not event.from_app_focus:  # not when the terminal window regains focus
            self.select_all()

    async def _on_key(self, event: events.Key) -> None:
        if event.key == "enter":  # done with the text, like a form field (paste keeps newlines)
            event.stop()
            event.prevent_default()
            self.post_message(self.Done(self))
            return
        await super()._on_key(event)

    @on(TextArea.Changed)
    def _changed(self, event: TextArea.Changed) -> None:
        event.stop()
        if self.text != self.shown:
            self.shown = self.text
            if self.piece is not None:
                self.post_message(self.TextEdited(self, self.node, self.text, piece=self.piece, entry=self.entry))
            else:
                self.post_message(
                    self.TextEdited(self, self.node, self.text if self.text != "" else None, entry=self.entry)
                )

    def fill(self, node: TwiML) -> None:
        text = self._text(node)
        if text != self.text:
            self.shown = text
            with self.prevent(TextArea.Changed):
                self.load_text(text)


class AttributeForm(VerticalScroll):
    """Fields for every grammar attribute of the node in the document's dialect (`element_for`:
    a TeXML <Dial> has no answerOnBridge field, a TeXML <AIGather> has its own), its unknown
    attributes, and its body."""

    class AttributeAdded(Message):
        """The new-attribute row set attribute `xml_name` of `node` (a name the user typed: an
        unknown attribute, or one that has a field, which then shows the value)."""

        def __init__(self, form: AttributeForm, node: TwiML, xml_name: str, value: str) -> None:
            super().__init__()
            self.form = form
            self.node = node
            self.xml_name = xml_name
            self.value = value

        @property
        def control(self) -> AttributeForm:
            """The form that posted it."""
            return self.form

    ALLOW_MAXIMIZE = True

    def __init__(self, *, id: str | None = None, element_for: ElementLookup = element_of) -> None:
        super().__init__(id=id)
        self.element_for = element_for
        self.node: TwiML | None = None
        self.fields: dict[str, AttrField] = {}
        self.body: BodyEditor | None = None
        self.piece_editors: list[BodyEditor] = []
        self.unknown: tuple[str, ...] = ()
        self.piece_layout: tuple[int, ...] = ()
        self.border_title = "Attributes"
        self.content = Vertical(Static("Select a node in the tree.", classes="form-hint"), classes="form-content")

    def compose(self) -> ComposeResult:
        yield self.content

    def show_node(self, node: TwiML | None) -> None:
        """Rebuild the form for another node (never called for edits of the same node).

        Everything lives in one container that is swapped whole, so the old form can finish
        unmounting while the new one mounts (no id clashes, no half-filled form)."""
        self.node = node
        self.fields = {}
        self.body = None
        self.piece_editors = []
        self.remove_children()
        if node is None:
            self.content = Vertical(Static("Select a node in the tree.", classes="form-hint"), classes="form-content")
        else:
            self.content = Vertical(*self._build(node), classes="form-content")
        self.mount(self.content)
        self.scroll_home(animate=False)

    def _build(self, node: TwiML) -> Iterator[Widget]:
        element = self.element_for(node)
        if node.name[:1] == "#":
            title = (
                "XML comment"
                if node.name == "#comment"
                else f"Processing instruction <?{getattr(node, 'target', '')}?>"
            )
            yield Label(shown(title), classes="form-title", markup=False)
            self.body = BodyEditor(node)
            yield self.body
            return
        title = node.name if element is not None else f"{node.name} (not in the grammar)"
        yield Label(shown(title), classes="form-title", markup=False)
        if element is not None and element.doc:
            yield Static(element.doc, classes="form-doc", markup=False)
        if has_body(node, element):
            meaning = element.body.meaning if element is not None and element.body is not None else ""
            kind = element.body.kind if element is not None and element.body is not None else "optional"
            yield Label(f"Text ({kind})" + (f": {meaning}" if meaning else ""), classes="section", markup=False)
            self.body = BodyEditor(node)
            yield self.body
        self.piece_layout = tuple(index for index, _ in pieces(node))
        for index, label in pieces(node):
            yield Label(shown(label), classes="section", markup=False)
            editor = BodyEditor(node, piece=index)
            self.piece_editors.append(editor)
            yield editor
        known = list(element.attrs) if element is not None else []
        if known:
            yield Label("Attributes", classes="section")
        for attr in known:
            field = AttrField(node, attr.xml, attr)
            self.fields[attr.xml] = field
            yield field
        unknown = tuple(k for k in node.attrs if element is None or element.attr(k) is None)
        self.unknown = unknown
        yield Label("Other attributes" if element is not None else "Attributes", classes="section")
        for name in unknown:
            field = AttrField(node, name, None)
            self.fields[name] = field
            yield field
        with_new = Horizontal(
            VisibleInput(placeholder="name", classes="new-attr-name", compact=True),
            VisibleInput(placeholder="value", classes="new-attr-value", compact=True),
            Button("Add", classes="new-attr-add", compact=True),
            classes="attr-row new-attr",
        )
        yield with_new

    def refill(self, node: TwiML) -> None:
        """Show the node's current values after undo/redo without rebuilding (unless the set
        of unknown attributes changed)."""
        if node is not self.node:
            return
        element = self.element_for(node)
        unknown = tuple(k for k in node.attrs if element is None or element.attr(k) is None)
        if unknown != self.unknown or tuple(index for index, _ in pieces(node)) != self.piece_layout:
            self.show_node(node)
            return
        for name, field in self.fields.items():
            field.fill(node.attrs.get(name))
        if self.body is not None:
            self.body.fill(node)
        for editor in self.piece_editors:
            editor.fill(node)

    def focus_first(self) -> None:
        for widget in self.content.query("Input, Select, TextArea"):
            if widget.focusable:
                widget.focus()
                return

    def focus_field(self, xml_name: str) -> bool:
        field = self.fields.get(xml_name)
        if field is None:
            return False
        field.input_widget.focus()
        return True

    def focus_body(self) -> bool:
        if self.body is None:
            return False
        self.body.focus()
        return True

    def focus_new_attribute(self) -> bool:
        found = self.content.query(".new-attr-name").results(Input)  # comments have none
        for name_input in found:
            name_input.focus()
            return True
        return False

    @on(Button.Pressed, ".new-attr-add")
    @on(Input.Submitted, ".new-attr-name, .new-attr-value")
    def _add_attribute(self, event: Button.Pressed | Input.Submitted) -> None:
        event.stop()
        if self.node is None:
            return
        name_input = self.content.query_one(".new-attr-name", Input)
        value_input = self.content.query_one(".new-attr-value", Input)
        name = name_input.value.strip()
        if not name:
            name_input.focus()
            return
        if isinstance(event, Input.Submitted) and event.input is name_input:
            value_input.focus()
            return
        self.post_message(self.AttributeAdded(self, self.node, name, value_input.value))
        if name in self.fields:
            self.fields[name].fill(value_input.value)
        name_input.value = value_input.value = ""
        name_input.focus()
