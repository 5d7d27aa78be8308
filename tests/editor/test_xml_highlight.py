"""The preview's XML colours (`editor.xml_highlight`) equal Textual's tree-sitter XML query on the
text the preview shows, and carry comments across lines."""

from __future__ import annotations

from pathlib import Path

import pytest

from twiml_editor.document import Document
from twiml_editor.xml_highlight import highlight_rows, scan_line

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = sorted((ROOT / "sample_flows").glob("*.xml")) + sorted((ROOT / "tests" / "corpus").glob("*.xml"))


def _tree_sitter(text: str) -> dict[int, set[tuple[int, int | None, str]]]:
    from textual._tree_sitter import get_language
    from textual.document._syntax_aware_document import SyntaxAwareDocument
    from textual.widgets import TextArea

    language = get_language("xml")
    if language is None:
        pytest.skip("tree-sitter XML is not installed")
    document = SyntaxAwareDocument(text, language)
    query = document.prepare_query(TextArea._get_builtin_highlight_query("xml"))
    assert query is not None
    rows: dict[int, set[tuple[int, int | None, str]]] = {}
    for name, nodes in document.query_syntax_tree(query).items():
        for node in nodes:
            (first, start), (last, end) = node.start_point, node.end_point
            if first == last and name != "markup":  # plain text gets no colour in either
                rows.setdefault(first, set()).add((start, end, name))
    return rows


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.name)
def test_same_colours_as_tree_sitter(path: Path) -> None:
    try:
        text = Document.open(path).to_xml()
    except Exception as exc:  # a corpus document the preview cannot show is not this test's concern
        pytest.skip(str(exc))
    lines = text.split("\n")
    expected = _tree_sitter(text)
    found = highlight_rows(lines, 0, len(lines))
    for row in range(len(lines)):
        assert set(found.get(row, [])) == expected.get(row, set()), (row, lines[row])


def test_comment_over_lines_and_window_start() -> None:
    lines = ["<Response>", "  <!-- one", "  two <Say>", "  -->", '  <Say voice="x">Hi</Say>', "</Response>"]
    rows = highlight_rows(lines, 2, 6)  # the window starts inside the comment
    assert rows[2] == [(0, None, "comment")]
    assert rows[3] == [(0, 5, "comment")]
    assert (3, 6, "tag") in rows[4] and (13, 16, "string") in rows[4]


def test_offsets_are_utf8_bytes() -> None:
    rows = highlight_rows(['<Say voice="é">ü &amp;</Say>'], 0, 1)
    assert (11, 15, "string") in rows[0]  # "é" is two bytes
    assert (19, 24, "constant.builtin") in rows[0]


def test_states() -> None:
    assert scan_line('<Say voice="long', "")[1] == 'tag"'
    assert scan_line('value">text', 'tag"')[0][0] == (0, 6, "string")
    assert scan_line("<![CDATA[ a", "")[1] == "cdata"
    assert scan_line("b ]]> <Say/>", "cdata")[1] == ""


def test_unwrapped_rows_are_the_tables_textual_builds() -> None:
    from textual.document._document import Document as TextDocument
    from textual.document._wrapped_document import WrappedDocument

    from twiml_editor.widgets.xml_preview import _CachedHeight

    text = "<Response>\n\t<Say>\ta\tb</Say>\n\n  <Play>x</Play>\n</Response>\n"
    ours = _CachedHeight(TextDocument(text), 0, 4)
    theirs = WrappedDocument(TextDocument(text), 0, 4)
    for name in ("_wrap_offsets", "_offset_to_line_info", "_line_index_to_offsets", "_tab_width_cache"):
        assert getattr(ours, name) == getattr(theirs, name), name
    assert ours.height == theirs.height == 6


def test_line_widths_are_richs_cell_lengths_after_edits() -> None:
    from rich.cells import cell_len

    from twiml_editor.widgets.xml_preview import _SizedDocument

    plain = _SizedDocument("<Response>\n  <Say>a</Say>\n</Response>\n")  # the all-ASCII shortcut
    assert plain.get_size(4).width == 14 and plain._widths == [10, 14, 11, 0]
    lines = ["<Response>", "\t<Say>\ta</Say>", "  <Say>日本語</Say>", "<!-- \x01 -->", "  <Say>é</Say>", ""]
    doc = _SizedDocument("\n".join(lines))

    def expected() -> list[int]:
        return [cell_len(line.expandtabs(4)) for line in doc.lines]

    assert doc.get_size(4).width == max(expected())
    assert doc._widths == expected()
    doc.replace_range((1, 0), (2, 3), "<Say>中文中文中文中文</Say>\n\t\tx")
    assert doc._widths == expected() and doc.get_size(4).width == max(expected())
    doc.replace_range((1, 0), (2, len(doc.lines[2])), "")
    assert doc._widths == expected() and doc.get_size(4).width == max(expected())
