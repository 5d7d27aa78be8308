"""`twiml lsp` end to end: a real LSP client (pytest-lsp) starts the server as a subprocess."""

from __future__ import annotations

import asyncio
import shutil
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

pytest_lsp = pytest.importorskip("pytest_lsp")
pytest.importorskip("pygls")

from lsprotocol import types as T  # noqa: E402
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "sample_flows"

GATHER = """<?xml version="1.0" encoding="UTF-8"?>
<Response>
  <Gather numdigits="1" action="/menu">
    <Say voice="Polly.Joanna">Press 1</Say>
  </Gather>
  <Say>Goodbye</Say>
</Response>
"""


pytestmark = pytest.mark.asyncio(loop_scope="module")  # one server for the module: each test opens its own files


@pytest_lsp.fixture(  # type: ignore[untyped-decorator]  # pytest-lsp ships no types for it
    scope="module",
    config=ClientServerConfig(server_command=[sys.executable, "-m", "twiml", "lsp"]),
)
async def client(lsp_client: LanguageClient, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[None]:
    await lsp_client.initialize_session(
        T.InitializeParams(
            capabilities=client_capabilities("visual-studio-code"),
            root_uri=tmp_path_factory.mktemp("workspace").as_uri(),
        )
    )
    yield
    await lsp_client.shutdown_session()


async def _open(client: LanguageClient, path: Path, text: str | None = None) -> str:
    uri = path.as_uri()
    client.text_document_did_open(
        T.DidOpenTextDocumentParams(
            T.TextDocumentItem(
                uri=uri, language_id="xml", version=1, text=text if text is not None else path.read_text()
            )
        )
    )
    await client.wait_for_notification(T.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    return uri


async def test_diagnostics_after_open_and_after_an_incremental_change(client: LanguageClient, tmp_path: Path) -> None:
    uri = await _open(client, tmp_path / "menu.xml", GATHER)
    found = client.diagnostics[uri]
    assert [(d.code, d.severity, d.range.start.line) for d in found] == [("12200", T.DiagnosticSeverity.Warning, 2)]
    assert "did you mean 'numDigits'?" in found[0].message
    line = GATHER.split("\n")[2]
    col = line.index("numdigits")
    assert (found[0].range.start.character, found[0].range.end.character) == (col, col + len("numdigits"))
    client.text_document_did_change(
        T.DidChangeTextDocumentParams(
            T.VersionedTextDocumentIdentifier(uri=uri, version=2),
            [
                T.TextDocumentContentChangePartial(
                    range=T.Range(T.Position(2, col + 3), T.Position(2, col + 4)), text="D"
                ),
                T.TextDocumentContentChangePartial(
                    range=T.Range(T.Position(5, 2), T.Position(5, 2)), text='<Pause length="0"/>\n  '
                ),
            ],
        )
    )
    await client.wait_for_notification(T.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    found = client.diagnostics[uri]
    assert [(d.code, d.range.start.line) for d in found] == [("13910", 5)]
    assert found[0].message.startswith("<Pause> length='0' is below the minimum 1")
    start = '  <Pause length="'.__len__()
    assert (found[0].range.start.character, found[0].range.end.character) == (start, start + 1)


async def test_a_malformed_file_publishes_each_syntax_error_at_its_place(
    client: LanguageClient, tmp_path: Path
) -> None:
    text = '<Response>\n  <Play>https://example.com/a?x=1&y=2</Play>\n  <Unknown x-[="1">hi</Unknown>\n</Response>\n'
    uri = await _open(client, tmp_path / "broken.xml", text)
    found = client.diagnostics[uri]
    assert [(d.code, d.severity, d.range.start.line, d.range.start.character) for d in found] == [
        ("12100", T.DiagnosticSeverity.Error, 1, 33),
        ("12100", T.DiagnosticSeverity.Error, 2, 13),
    ]
    assert "'&' must be written '&amp;'" in found[0].message
    assert found[1].message.startswith("Specification mandates value for attribute x-")


async def _labels(client: LanguageClient, uri: str, line: int, character: int) -> list[str]:
    result = await client.text_document_completion_async(
        T.CompletionParams(T.TextDocumentIdentifier(uri), T.Position(line, character))
    )
    assert isinstance(result, T.CompletionList)
    return [item.label for item in result.items]


async def test_completion_of_attributes_children_and_voices(client: LanguageClient, tmp_path: Path) -> None:
    text = '<Response>\n  <Gather >\n    \n  </Gather>\n  <Say voice=""></Say>\n</Response>\n'
    uri = await _open(client, tmp_path / "c.xml", text)
    attrs = await _labels(client, uri, 1, len("  <Gather "))
    assert "numDigits" in attrs and "action" in attrs and "voice" not in attrs
    kids = await _labels(client, uri, 2, 4)
    assert "Say" in kids and "Play" in kids and "Dial" not in kids
    voices = await _labels(client, uri, 4, len('  <Say voice="'))
    assert "Polly.Joanna" in voices and "man" in voices


async def test_hover_on_an_attribute_and_on_a_finding(client: LanguageClient, tmp_path: Path) -> None:
    text = '<Response>\n  <Gather numDigits="1" timeout="x"/>\n</Response>\n'
    uri = await _open(client, tmp_path / "h.xml", text)
    hover = await client.text_document_hover_async(
        T.HoverParams(T.TextDocumentIdentifier(uri), T.Position(1, len("  <Gather num")))
    )
    assert hover is not None and isinstance(hover.contents, T.MarkupContent)
    assert "numDigits" in hover.contents.value and "int" in hover.contents.value
    assert "https://www.twilio.com/docs/voice/twiml/gather" in hover.contents.value
    on_tag = await client.text_document_hover_async(
        T.HoverParams(T.TextDocumentIdentifier(uri), T.Position(1, len("  <Gat")))
    )
    assert on_tag is not None and isinstance(on_tag.contents, T.MarkupContent)
    assert (
        on_tag.contents.value.startswith("**<Gather>** (voice)")
        and "Children: Say, Pause, Play" in on_tag.contents.value
    )
    on_finding = await client.text_document_hover_async(
        T.HoverParams(T.TextDocumentIdentifier(uri), T.Position(1, len('  <Gather numDigits="1" timeout="')))
    )
    assert on_finding is not None and isinstance(on_finding.contents, T.MarkupContent)
    assert "13" in on_finding.contents.value and "Invalid" in on_finding.contents.value


async def test_code_action_fixes_numdigits(client: LanguageClient, tmp_path: Path) -> None:
    uri = await _open(client, tmp_path / "a.xml", GATHER)
    found = client.diagnostics[uri]
    actions = await client.text_document_code_action_async(
        T.CodeActionParams(T.TextDocumentIdentifier(uri), found[0].range, T.CodeActionContext(diagnostics=found))
    )
    assert actions
    fix = next(a for a in actions if isinstance(a, T.CodeAction) and a.title.startswith("Rename numdigits"))
    assert fix.edit is not None and fix.edit.changes is not None
    (edit,) = fix.edit.changes[uri]
    assert edit.new_text == "numDigits" and edit.range == found[0].range
    ignore = next(a for a in actions if isinstance(a, T.CodeAction) and a.title.startswith("Ignore 12200"))
    assert ignore.edit is not None and ignore.edit.changes is not None
    assert ignore.edit.changes[uri][0].new_text == "<!-- twiml: ignore[12200] -->\n  "


async def test_definition_from_an_action_url_to_its_route(client: LanguageClient, tmp_path: Path) -> None:
    folder = tmp_path / "flow"
    shutil.copytree(SAMPLES, folder)
    path = folder / "ivr_main_menu.xml"
    text = path.read_text()
    uri = await _open(client, path, text)
    at = text.index('action="/menu"') + len('action="/m')
    line = text.count("\n", 0, at)
    character = at - (text.rfind("\n", 0, at) + 1)
    result = await client.text_document_definition_async(
        T.DefinitionParams(T.TextDocumentIdentifier(uri), T.Position(line, character))
    )
    assert isinstance(result, list) and len(result) == 1
    config = (folder / "flow.toml").read_text().split("\n")
    assert result[0].uri == (folder / "flow.toml").as_uri()
    assert config[result[0].range.start.line].startswith('"/menu" = { by = "Digits"')


async def test_formatting_gives_the_canonical_form(client: LanguageClient, tmp_path: Path) -> None:
    uri = await _open(client, tmp_path / "f.xml", "<Response><Say   voice='man'>Hi</Say></Response>")
    edits = await client.text_document_formatting_async(
        T.DocumentFormattingParams(T.TextDocumentIdentifier(uri), T.FormattingOptions(tab_size=2, insert_spaces=True))
    )
    assert edits is not None and len(edits) == 1
    assert edits[0].new_text == (
        '<?xml version="1.0" encoding="UTF-8"?>\n<Response>\n  <Say voice="man">Hi</Say>\n</Response>\n'
    )


async def test_flow_folder_routes_completion_definition_and_new_routes(client: LanguageClient, tmp_path: Path) -> None:
    folder = tmp_path / "flow"
    shutil.copytree(SAMPLES, folder)
    (folder / "pyproject.toml").write_text('[tool.twiml]\nignore = ["13910"]\n')
    text = '<Response>\n  <Gather action="/" numDigits="1"/>\n  <Redirect>/nowhere</Redirect>\n</Response>\n'
    uri = await _open(client, folder / "new.xml", text.replace("<Response>", '<Response><Pause length="0"/>'))
    # 13910 is ignored by [tool.twiml] as `twiml validate` does
    assert list(client.diagnostics[uri]) == []
    routes = await _labels(client, uri, 1, len('  <Gather action="/'))
    assert "/menu" in routes and "/voice/incoming" in routes
    at = T.Position(2, len("  <Redirect>/no"))
    actions = await client.text_document_code_action_async(
        T.CodeActionParams(T.TextDocumentIdentifier(uri), T.Range(at, at), T.CodeActionContext(diagnostics=[]))
    )
    assert actions is not None
    (create,) = [a for a in actions if isinstance(a, T.CodeAction) and a.title.startswith("Create a route")]
    assert create.edit is not None and create.edit.document_changes is not None
    kinds = [type(c).__name__ for c in create.edit.document_changes]
    assert kinds == ["CreateFile", "TextDocumentEdit", "TextDocumentEdit"]
    config_edit = create.edit.document_changes[1]
    assert isinstance(config_edit, T.TextDocumentEdit)
    assert config_edit.text_document.uri == (folder / "flow.toml").as_uri()
    (entry,) = config_edit.edits
    assert isinstance(entry, T.TextEdit) and entry.new_text.strip() == '"/nowhere" = "nowhere.xml"'

    config = folder / "flow.toml"
    config_text = config.read_text()
    config_uri = config.as_uri()
    client.text_document_did_open(
        T.DidOpenTextDocumentParams(
            T.TextDocumentItem(config_uri, "toml", 1, config_text + '"/broken" = "missing.xml"\n')
        )
    )
    await client.wait_for_notification(T.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    problems = client.diagnostics[config_uri]
    assert any("missing.xml" in d.message and d.range.start.line == config_text.count("\n") for d in problems)
    at_target = config_text.index('"sales.xml"') + 3
    line = config_text.count("\n", 0, at_target)
    result = await client.text_document_definition_async(
        T.DefinitionParams(
            T.TextDocumentIdentifier(config_uri),
            T.Position(line, at_target - (config_text.rfind("\n", 0, at_target) + 1)),
        )
    )
    assert isinstance(result, list) and result[0].uri == (folder / "sales.xml").as_uri()


async def test_symbols_and_folding(client: LanguageClient, tmp_path: Path) -> None:
    text = '<Response>\n  <Gather action="/m">\n    <Say>Hi</Say>\n  </Gather>\n  <Hangup/>\n</Response>\n'
    uri = await _open(client, tmp_path / "s.xml", text)
    symbols = await client.text_document_document_symbol_async(T.DocumentSymbolParams(T.TextDocumentIdentifier(uri)))
    assert symbols is not None
    (root,) = symbols
    assert isinstance(root, T.DocumentSymbol) and root.children is not None
    assert [(c.name, c.detail) for c in root.children] == [("<Gather>", 'action="/m"'), ("<Hangup>", "")]
    folds = await client.text_document_folding_range_async(T.FoldingRangeParams(T.TextDocumentIdentifier(uri)))
    assert folds is not None
    assert sorted((r.start_line, r.end_line) for r in folds) == [(0, 4), (1, 2)]


async def _until(client: LanguageClient, uri: str, done: Callable[[list[T.Diagnostic]], bool]) -> list[T.Diagnostic]:
    """The diagnostics of `uri` once `done` holds, waiting for publications (the server publishes
    every open file on a save, in its own order)."""

    async def wait() -> list[T.Diagnostic]:
        while not done(list(client.diagnostics.get(uri, []))):
            await client.wait_for_notification(T.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        return list(client.diagnostics[uri])

    return await asyncio.wait_for(wait(), timeout=60)


async def test_a_flow_document_shows_the_maps_callback_finding_at_its_attribute(
    client: LanguageClient, tmp_path: Path
) -> None:
    folder = tmp_path / "flow"
    shutil.copytree(SAMPLES, folder)
    config = folder / "flow.toml"
    routed = config.read_text()
    route = '"/voicemail/transcription" = { status = 204 }\n'
    assert route in routed
    config.write_text(routed.replace(route, ""))
    (folder / "sub").mkdir()
    nested = folder / "sub" / "status.xml"  # a document in a subfolder belongs to the flow above it
    nested.write_text(
        '<Response>\n  <Dial>\n    <Number statusCallback="/sub/status">+15550100</Number>\n  </Dial>\n</Response>\n'
    )
    voicemail = folder / "voicemail.xml"
    text = voicemail.read_text()
    uri = await _open(client, voicemail)
    found = [d for d in client.diagnostics[uri] if d.code == "11200"]
    assert len(found) == 1 and found[0].severity == T.DiagnosticSeverity.Warning
    assert 'transcribeCallback="/voicemail/transcription" has no route in flow.toml' in found[0].message
    line = next(i for i, x in enumerate(text.split("\n")) if "transcribeCallback" in x)
    value = text.split("\n")[line].index('"/voicemail/transcription"') + 1
    assert (found[0].range.start.line, found[0].range.start.character) == (line, value)
    assert (found[0].range.end.line, found[0].range.end.character) == (line, value + len("/voicemail/transcription"))
    nested_uri = await _open(client, nested)
    (callback,) = [d for d in client.diagnostics[nested_uri] if d.code == "11200"]
    assert 'statusCallback="/sub/status"' in callback.message and callback.range.start.line == 2
    unreached = [d.message for d in client.diagnostics[nested_uri] if d.code == "FLOW-UNREACHABLE"]
    assert unreached == ["sub/status.xml is in the folder but no path reaches it"]
    # the route is back in flow.toml and saved: the finding goes
    config.write_text(routed)
    client.text_document_did_save(T.DidSaveTextDocumentParams(T.TextDocumentIdentifier(config.as_uri())))
    await _until(client, uri, lambda found: not any(d.code == "11200" for d in found))
    for done in (uri, nested_uri):
        client.text_document_did_close(T.DidCloseTextDocumentParams(T.TextDocumentIdentifier(done)))
