"""What twilio-node 6.3.1 has beyond twilio-python 9.13 (<MediaFilter>, ElevenLabs voices, the
conversation attributes), and `python -m twiml.drift`, which lists what an SDK has that the grammar
lacks: against the installed twilio 9.13 it finds nothing."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pytest

import twiml
from twiml.drift import Drift, main, node_drift, python_drift
from twiml.exporter import to_python
from twiml.validator import validate
from twiml.voice_response import VoiceResponse

NODE_MIRROR = Path("/work/.mirror/twilio+twilio-node/repo")


def test_media_filter_in_start_and_stop_with_parameters() -> None:
    r = VoiceResponse()
    f = r.start().media_filter(filter_type="noise-cancellation", model="m1", name="nc", track="inbound_track")
    f.parameter(name="level", value="high")
    r.stop().media_filter(name="nc")
    xml = str(r)
    assert (
        '<Start><MediaFilter filterType="noise-cancellation" model="m1" name="nc" track="inbound_track">'
        '<Parameter name="level" value="high" /></MediaFilter></Start><Stop><MediaFilter name="nc" /></Stop>'
    ) in xml
    assert validate(r) == []
    assert validate(twiml.parse(xml)) == []


def test_media_filter_outside_start_or_stop_is_reported() -> None:
    found = validate(twiml.parse("<Response><Connect><MediaFilter name='x'/></Connect></Response>"))
    assert [d.severity for d in found] == ["warning"] and "not allowed inside <Connect>" in found[0].message


def test_elevenlabs_voices_and_conversation_attributes_are_known() -> None:
    r = VoiceResponse()
    r.say("Hi", voice="ElevenLabs.Rachel")
    r.start().transcription(conversation_configuration="CC1", conversation_id="CO1")
    r.connect().conversation_relay(url="wss://x.example/ws", conversation_configuration="CC1", conversation_id="CO1")
    assert validate(r) == []
    assert [d.severity for d in validate(twiml.parse('<Response><Say voice="Eleven.Rachel">x</Say></Response>'))] == [
        "info"
    ]


def test_media_filter_exported_for_twilio_uses_add_child_and_rebuilds_the_same_xml() -> None:
    pytest.importorskip("twilio")
    doc = twiml.parse(
        '<Response><Start><MediaFilter name="nc"><Parameter name="a" value="b"/></MediaFilter></Start></Response>'
    )
    code = to_python(doc, import_root="twilio.twiml")
    assert 'add_child("MediaFilter"' in code
    scope: dict[str, object] = {}
    exec(compile(code.replace("print(response)", ""), "<export>", "exec"), scope)
    assert str(scope["response"]) == str(doc)


def test_drift_against_the_installed_twilio_finds_nothing_missing() -> None:
    pytest.importorskip("twilio")
    assert python_drift() == []
    err = io.StringIO()
    assert main([], out=io.StringIO(), err=err) == 0 and "0 missing" in err.getvalue()


# Our own small typings in twilio-node's shape: one new class and its method, a new attribute, a
# new enum value, a property spelled in another case, and what the grammar knows already.
TYPINGS = """
declare namespace VoiceResponse {
  type SayVoice = "man" | "woman" | "ElevenLabs.Adam" | "Polly.Zz-Generative";
  type GatherInput = "dtmf" | "speech";
  interface SayAttributes {
    voice?: SayVoice;
    loop?: number;
    loudness?: string;
  }
  interface GatherAttributes {
    input?: GatherInput[];
    numdigits?: number;
  }
  class Start extends TwiML {
    stream(attributes?: VoiceResponse.StreamAttributes): VoiceResponse.Stream;
    mediaFilter(attributes?: VoiceResponse.MediaFilterAttributes): VoiceResponse.MediaFilter;
    hologram(attributes?: VoiceResponse.HologramAttributes): VoiceResponse.Hologram;
  }
  class Hologram extends TwiML {
  }
}
"""


def test_node_drift_lists_classes_methods_attributes_and_values_the_grammar_lacks() -> None:
    assert node_drift(TYPINGS) == sorted(
        [
            Drift("VoiceResponse.d.ts", "class", "Hologram"),
            Drift("Start", "method", "hologram"),
            Drift("Say", "attribute", "loudness"),
            Drift("Say.voice", "value", "Polly.Zz-Generative"),
            Drift("Gather", "attribute", "numdigits", "spelled 'numDigits' in the grammar"),
        ]
    )


def test_drift_command_reads_a_typings_file_and_says_when_it_cannot(tmp_path: Path) -> None:
    (tmp_path / "VoiceResponse.d.ts").write_text(TYPINGS, encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    assert main(["--no-python", "--node", str(tmp_path / "VoiceResponse.d.ts")], out=out, err=err) == 1
    assert "class 'Hologram' missing" in out.getvalue() and "5 missing" in err.getvalue()
    err = io.StringIO()
    assert main(["--no-python", "--node", str(tmp_path / "absent.d.ts")], out=io.StringIO(), err=err) == 2
    assert "absent.d.ts: cannot read" in err.getvalue()


@pytest.mark.skipif(not NODE_MIRROR.is_dir(), reason=f"{NODE_MIRROR} (a fetched twilio-node mirror) is absent")
def test_drift_against_a_fetched_twilio_node_finds_nothing_missing() -> None:
    text = subprocess.run(
        ["git", "-C", str(NODE_MIRROR), "show", "HEAD:src/twiml/VoiceResponse.ts"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    found = node_drift(text)
    assert [d for d in found if d.note == "missing"] == []
    # twilio-node spells four <ConversationRelay> properties in lower case; the grammar keeps Twilio's docs
    assert {d.name for d in found} <= {
        "backgroundnoisereduction",
        "deepgramsmartformat",
        "ignorebackchannel",
        "speechtimeout",
    }
