"""The language server's latency on a 10,000-node document (`python benchmarks/lsp.py [NODES]`).

A real client (pygls's) starts `python -m twiml lsp` as a subprocess, opens the document and then:

1. Diagnostics after a one-character edit (target: median < 50 ms): the wall time from sending
   `textDocument/didChange` (one character of an attribute value in the middle of the document,
   alternately making it invalid and valid again, so the findings change every time) until the
   `textDocument/publishDiagnostics` for it arrives; JSON-RPC both ways included.
2. Completion (target: median < 20 ms): the wall time of `textDocument/completion` requests for
   attribute names in a `<Gather ` start tag and for child elements in a `<Gather>`, in the middle
   of the document.

Beside them, the same work in process without a client (`TwimlFile.change` + `findings`,
`complete`), and a full parse + validate of the document for scale.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lsprotocol import types as T
from pygls.lsp.client import LanguageClient

from twiml.lsp.analysis import TwimlFile
from twiml.parser import parse
from twiml.validator import validate
from twiml.voice_response import VoiceResponse


def build(nodes: int) -> str:
    """Menus of Gather > Say x3 and a fallback Say (5 nodes each), then Pauses, then a Redirect."""
    r = VoiceResponse()
    count, menu = 2, 0
    while count + 5 <= nodes:
        g = r.gather(num_digits=1, action=f"/menu/{menu}", timeout=5)
        for i in range(3):
            g.say(f"For option {i} of menu {menu}, press {i}.", voice="Polly.Joanna-Neural")
        r.say(f"No input for menu {menu}.")
        count += 5
        menu += 1
    while count < nodes:
        r.pause(length=1)
        count += 1
    r.redirect("/start")
    return str(r.to_xml(xml_declaration=True, pretty=True))


def _stats(name: str, samples: list[float], target: float | None) -> str:
    ms = sorted(s * 1000 for s in samples)
    median = statistics.median(ms)
    p90 = ms[int(len(ms) * 0.9) - 1]
    text = f"{name}: median {median:.1f} ms, p90 {p90:.1f} ms, max {ms[-1]:.1f} ms (n={len(ms)}"
    if target is None:
        return text + ")"
    return text + f"; target median < {target:.0f} ms: {'ok' if median < target else 'OVER TARGET'})"


async def client_side(text: str, rounds: int) -> tuple[list[float], list[float]]:
    client = LanguageClient("bench", "1")
    published: asyncio.Queue[T.PublishDiagnosticsParams] = asyncio.Queue()

    @client.feature(T.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)  # type: ignore[untyped-decorator]  # pygls leaves it untyped
    def on_diagnostics(params: T.PublishDiagnosticsParams) -> None:
        published.put_nowait(params)

    await client.start_io(sys.executable, "-m", "twiml", "lsp")
    await client.initialize_async(T.InitializeParams(capabilities=T.ClientCapabilities()))
    client.initialized(T.InitializedParams())
    uri = "file:///tmp/bench-lsp.xml"
    client.text_document_did_open(T.DidOpenTextDocumentParams(T.TextDocumentItem(uri, "xml", 1, text)))
    await published.get()
    lines = text.split("\n")
    middle = len(lines) // 2
    line = next(i for i in range(middle, len(lines)) if 'timeout="5"' in lines[i])
    col = lines[line].index('timeout="5"') + len('timeout="')
    edits: list[float] = []
    for i in range(rounds):
        new = "x" if i % 2 == 0 else "5"
        start = time.perf_counter()
        client.text_document_did_change(
            T.DidChangeTextDocumentParams(
                T.VersionedTextDocumentIdentifier(uri=uri, version=i + 2),
                [T.TextDocumentContentChangePartial(T.Range(T.Position(line, col), T.Position(line, col + 1)), new)],
            )
        )
        params = await published.get()
        edits.append(time.perf_counter() - start)
        assert any(d.code == "13313" for d in params.diagnostics) == (new == "x")
    broken: list[float] = []
    say_col = lines[line + 1].index("<Say")
    for i in range(rounds // 2):
        at = T.Range(T.Position(line + 1, say_col), T.Position(line + 1, say_col + (i % 2)))
        start = time.perf_counter()
        client.text_document_did_change(
            T.DidChangeTextDocumentParams(
                T.VersionedTextDocumentIdentifier(uri=uri, version=rounds + i + 2),
                [T.TextDocumentContentChangePartial(at, "<" if i % 2 == 0 else "")],
            )
        )
        params = await published.get()
        broken.append(time.perf_counter() - start)
        assert any(d.code == "12100" for d in params.diagnostics) == (i % 2 == 0)
    completions: list[float] = []
    attr_at = T.Position(line, lines[line].index("<Gather") + len("<Gather "))
    child_at = T.Position(line + 1, 4)
    for i in range(rounds):
        start = time.perf_counter()
        result = await client.text_document_completion_async(
            T.CompletionParams(T.TextDocumentIdentifier(uri), attr_at if i % 2 == 0 else child_at)
        )
        completions.append(time.perf_counter() - start)
        assert isinstance(result, T.CompletionList) and result.items
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()  # type: ignore[no-untyped-call]  # pygls leaves it untyped
    print(_stats("client: diagnostics after an edit that breaks or mends the document", broken, None))
    return edits, completions


def in_process(text: str, rounds: int) -> tuple[list[float], list[float]]:
    from twiml.lsp.completion import complete

    f = TwimlFile(text)
    f.findings()
    lines = text.split("\n")
    line = next(i for i in range(len(lines) // 2, len(lines)) if 'timeout="5"' in lines[i])
    col = lines[line].index('timeout="5"') + len('timeout="')
    edits, completions = [], []
    for i in range(rounds):
        start = time.perf_counter()
        f.change((line, col), (line, col + 1), "x" if i % 2 == 0 else "5")
        f.findings()
        edits.append(time.perf_counter() - start)
    offset = f.offset(line, lines[line].index("<Gather") + len("<Gather "))
    for _ in range(rounds):
        start = time.perf_counter()
        complete(f, offset, "file:///tmp/bench-lsp.xml")
        completions.append(time.perf_counter() - start)
    assert f.full_parses == 1, "every edit should have taken the incremental path"
    return edits, completions


def main() -> None:
    nodes = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    rounds = 40
    text = build(nodes)
    start = time.perf_counter()
    validate(parse(text))
    full = time.perf_counter() - start
    print(f"document: {nodes} nodes, {len(text.encode()) // 1024} KB, {text.count(chr(10))} lines")
    print(f"for scale: parse + validate the whole document once: {full * 1000:.1f} ms")
    edits, completions = asyncio.run(client_side(text, rounds))
    print(_stats("client: diagnostics after a one-character edit", edits, 50))
    print(_stats("client: completion", completions, 20))
    edits, completions = in_process(text, rounds)
    print(_stats("in process: TwimlFile.change + findings", edits, 50))
    print(_stats("in process: complete()", completions, 20))


if __name__ == "__main__":
    main()
