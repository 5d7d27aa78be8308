"""Whatever `parse` is given (codecs, files, special files, deep nesting) it returns a document or
raises TwiMLParseError, never another exception and never blocks; and the library's recursive
walks work on the deepest document the parser accepts."""

from __future__ import annotations

import codecs
import copy
import encodings
import encodings.aliases
import os
import pkgutil
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from twiml import TwiML, TwiMLParseError, to_python, validate
from twiml.limits import MAX_DEPTH
from twiml.parser import parse

EXAMPLES = int(os.environ.get("TWIML_FUZZ_EXAMPLES", "300"))

CODEC_NAMES = sorted(
    {*encodings.aliases.aliases, *encodings.aliases.aliases.values()}
    | {m.name for m in pkgutil.iter_modules(encodings.__path__) if not m.name.startswith("_")}
    | {"hex", "base64", "rot13", "rot_13", "uu", "zlib", "bz2", "quopri", "punycode", "undefined", "idna", "nope"}
)
"""Every name Python's codec registry knows (aliases and codec modules), plus undefined ones."""


def parses_or_refuses(source: str | bytes | os.PathLike[str]) -> TwiML | TwiMLParseError:
    try:
        return parse(source)
    except TwiMLParseError as exc:
        assert exc.message
        assert exc.line is None or exc.line >= 1
        assert exc.column is None or exc.column >= 1
        return exc


@pytest.mark.parametrize("name", ["hex", "base64", "rot13", "uu", "zlib", "bz2", "quopri", "punycode", "undefined"])
def test_non_text_codecs_are_refused_at_the_declaration(name: str) -> None:
    data = f'<?xml version="1.0" encoding="{name}"?><Response/>'.encode()
    with pytest.raises(TwiMLParseError, match=f"unsupported encoding '{name}'") as info:
        parse(data)
    assert (info.value.line, info.value.column) == (1, 31)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=st.sampled_from(CODEC_NAMES),
    body=st.binary(max_size=40) | st.text(max_size=20).map(lambda t: t.encode("utf-8", "surrogatepass")),
)
def test_any_declared_codec_parses_or_raises_parse_error(name: str, body: bytes) -> None:
    data = b'<?xml version="1.0" encoding="' + name.encode() + b'"?><Response><Say>' + body + b"</Say></Response>"
    parses_or_refuses(data)


@pytest.mark.parametrize("name", ["latin-1", "iso-8859-15", "cp1252", "utf-8", "ascii", "utf-7"])
def test_real_charsets_still_decode(name: str) -> None:
    data = f'<?xml version="1.0" encoding="{name}"?><Response><Say>Hi</Say></Response>'.encode()
    assert parse(data).children[0].value == "Hi"


def test_every_ascii_compatible_charset_python_has_reads_a_plain_document() -> None:
    """No real charset is refused by mistake: any codec that reads ASCII as ASCII parses (names
    that XML's EncName production forbids, such as ``1250``, are malformed declarations)."""
    data_for = '<?xml version="1.0" encoding="{}"?><Response><Say>Hi</Say></Response>'.format
    refused = []
    for name in CODEC_NAMES:
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9._-]*", name):
            continue
        data = data_for(name).encode()
        try:
            same = data.decode(name) == data.decode("ascii")
        except Exception:
            continue
        if same and isinstance(parses_or_refuses(data), TwiMLParseError):
            refused.append(name)
    not_charsets = {"idna", "punycode", "unicode-escape", "raw-unicode-escape", "undefined"}
    assert [n for n in refused if codecs.lookup(n).name.replace("_", "-") not in not_charsets] == []


def test_unreadable_and_special_files(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.xml"
    os.mkfifo(fifo)
    cases = {
        str(tmp_path): "directory",
        str(fifo): "FIFO",
        "/dev/zero": "device",
        "/dev/null": "device",
    }
    if os.path.exists("/proc/self/mem"):
        cases["/proc/self/mem"] = "cannot read"
    for name, words in cases.items():
        for source in (name, Path(name)):
            with pytest.raises(TwiMLParseError, match=words) as info:
                parse(source)
            assert info.value.filename == name


def test_proc_kmsg_does_not_block() -> None:
    """A regular-looking /proc file that would block (root can open /proc/kmsg) is refused at once."""
    if not os.path.exists("/proc/kmsg") or not os.access("/proc/kmsg", os.R_OK):
        pytest.skip("/proc/kmsg is not readable here")
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import twiml,sys\ntry: twiml.parse('/proc/kmsg')\nexcept twiml.TwiMLParseError as e: print(e)",
        ],
        capture_output=True,
        text=True,
        timeout=30,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    assert result.returncode == 0, result.stderr
    assert "/proc/kmsg" in result.stdout


def test_proc_files_with_zero_st_size_are_read(tmp_path: Path) -> None:
    """The byte limit is counted while reading, not taken from st_size (0 for /proc files)."""
    if not os.path.exists("/proc/self/status"):
        pytest.skip("no /proc")
    with pytest.raises(TwiMLParseError, match=r"Start tag expected|neither|not proper"):
        parse(Path("/proc/self/status"))


def test_byte_limit_is_real(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from twiml import files

    big = tmp_path / "big.xml"
    big.write_text("<Response>" + "<Say>x</Say>" * 100 + "</Response>")
    monkeypatch.setattr(files, "MAX_FILE_BYTES", 200)
    with pytest.raises(TwiMLParseError, match="larger than 200 bytes") as info:
        parse(big)
    assert info.value.filename == str(big)


@pytest.mark.skipif(not hasattr(os, "fork") or os.geteuid() != 0, reason="needs root to drop to another user")
def test_permission_denied_is_a_parse_error(tmp_path: Path) -> None:
    secret = tmp_path / "secret.xml"
    secret.write_text("<Response/>")
    secret.chmod(0o600)
    tmp_path.chmod(0o755)
    assert as_nobody(lambda: str(parses_or_refuses(secret))) == f"{secret}: cannot read the file: Permission denied"


def as_nobody(job: Callable[[], str]) -> str:
    """Run `job` in a forked child that has dropped root for user `nobody`; its result."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - child
        status = 1
        try:
            os.close(read_end)
            os.setgid(65534)
            os.setuid(65534)
            os.write(write_end, job().encode())
            status = 0
        finally:
            os._exit(status)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        out = pipe.read().decode()
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    return out


def nested(depth: int, tag: str = "x") -> str:
    """A document whose deepest element is at `depth` (<Response> is level 1), with text in it."""
    inner = depth - 1
    return "<Response>" + f'<{tag} a="1">' * inner + "t" + f"</{tag}>" * inner + "</Response>"


def test_depth_limit_names_the_place() -> None:
    parse(nested(MAX_DEPTH))
    with pytest.raises(TwiMLParseError, match=f"depth limit is {MAX_DEPTH}") as info:
        parse("<Response>\n" + "<x>" * (MAX_DEPTH - 1) + "\n  <y/>" + "</x>" * (MAX_DEPTH - 1) + "</Response>")
    assert (info.value.line, info.value.column) == (3, 3)


def test_library_recursion_works_at_the_depth_limit() -> None:
    """Serializer, exporter, validator and copying handle the deepest accepted document, with
    a recursion limit well below Python's default (the editor adds its own frames on top)."""
    for source in (
        nested(MAX_DEPTH),
        "<Response><Say>" + "<prosody>" * (MAX_DEPTH - 2) + "t" + "</prosody>" * (MAX_DEPTH - 2) + "</Say></Response>",
    ):
        doc = parse(source)
        old = sys.getrecursionlimit()
        sys.setrecursionlimit(MAX_DEPTH * 2 + 150)
        try:
            xml = doc.to_xml()
            pretty = doc.to_xml(pretty=True)
            validate(doc)
            code = to_python(doc)
            clone = copy.deepcopy(doc)
        finally:
            sys.setrecursionlimit(old)
        assert clone.to_xml() == xml
        assert parse(pretty).to_xml() == xml
        namespace: dict[str, object] = {}
        exec(compile(code.replace("print(response)", ""), "<export>", "exec"), namespace)
        assert str(namespace["response"]) == xml


def test_deepcopy_is_independent_and_keeps_classes() -> None:
    doc = parse('<Response><Gather numDigits="1"><Say>a<break time="1s"/>b</Say></Gather><Foo x="1">t</Foo></Response>')
    clone = copy.deepcopy(doc)
    assert clone.to_xml() == doc.to_xml()
    for a, b in zip(doc.iter(), clone.iter(), strict=True):
        assert type(a) is type(b) and a is not b and a.attrs is not b.attrs
    clone.children[0].attrs["numDigits"] = "2"
    assert 'numDigits="1"' in doc.to_xml()


@pytest.mark.parametrize(
    "body", [b"Hi", "caf\u00e9 \u260e".encode(), b"\xff\xfe\x00\x01", b"+AGEAYgBj-", b"=41=42", b"\\u0041"]
)
def test_every_codec_name_with_several_bodies(body: bytes) -> None:
    """Deterministic companion of the hypothesis test: each of Python's codec names, in turn."""
    for name in CODEC_NAMES:
        data = b'<?xml version="1.0" encoding="' + name.encode() + b'"?><Response><Say>' + body + b"</Say></Response>"
        parses_or_refuses(data)


def test_from_xml_never_takes_a_string_for_a_file_name(tmp_path: Path) -> None:
    """Issue 19, case 10: a request body that names a file must not read that file."""
    from twiml.voice_response import VoiceResponse

    secret = tmp_path / "secret.xml"
    secret.write_text("<Response><Say>the secret</Say></Response>", encoding="utf-8")
    for source in (str(secret), str(secret).encode()):
        with pytest.raises(TwiMLParseError):
            VoiceResponse.from_xml(source)
    assert "the secret" in VoiceResponse.from_xml(secret).to_xml()  # a Path is read
    assert "hi" in VoiceResponse.from_xml("  <Response><Say>hi</Say></Response>").to_xml()
