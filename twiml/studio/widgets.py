"""Studio widget types as data: their transition events, property schemas, and how they run offline.

One table read by the loader, the validator (JSON Schema of each widget's properties, events a
type has), the runner (what each widget does offline) and the map. Property types follow what the
console writes and what real exports carry: numbers are often digit strings (`"timeout": "5"`), so
numeric properties accept both; a property the console never writes is reported as `info` only.
Facts come from Twilio's widget library documentation and the real flows in ../shared/studio.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["FLOW_SCHEMA", "OPERATORS", "WIDGETS", "Widget", "widget"]

_STR: dict[str, Any] = {"type": "string"}
_NUM: dict[str, Any] = {"type": ["integer", "number", "string"]}  # 5 or "5"
_BOOL: dict[str, Any] = {"type": ["boolean", "string"]}  # true or "true"
_ANY: dict[str, Any] = {}
_OFFSET: dict[str, Any] = {
    "type": "object",
    "properties": {"x": {"type": "number"}, "y": {"type": "number"}},
}
_PARAMS: dict[str, Any] = {
    "type": "array",
    "items": {"type": "object", "required": ["key"], "properties": {"key": _STR, "value": _ANY}},
}

OPERATORS = (
    "equal_to",
    "not_equal_to",
    "matches_any_of",
    "does_not_match_any_of",
    "contains",
    "does_not_contain",
    "starts_with",
    "does_not_start_with",
    "is_blank",
    "is_not_blank",
    "regex",
    "less_than",
    "greater_than",
    "is_before_date",
    "is_after_date",
    "is_before_time",
    "is_after_time",
)
"""The 17 condition types of a split-based-on transition."""


@dataclass(frozen=True)
class Widget:
    """One widget type: `events` its transitions may name; `properties` (name -> JSON Schema);
    `kind`: how it runs offline (`twiml` answers the caller, `server` runs inside Studio,
    `fixture` calls out and needs a reply, `none` is not emulated and takes `offline_event`)."""

    type: str
    events: tuple[str, ...]
    properties: dict[str, dict[str, Any]] = field(default_factory=dict)
    kind: str = "server"
    offline_event: str | None = None
    required: tuple[str, ...] = ()
    liquid: tuple[str, ...] = ()
    """Properties whose text is a Liquid template (checked by the validator)."""


_SAY = {"say": _STR, "play": _STR, "digits": _STR, "voice": _STR, "language": _STR, "loop": _NUM}

WIDGETS: dict[str, Widget] = {
    w.type: w
    for w in (
        Widget(
            "trigger",
            ("incomingMessage", "incomingCall", "incomingConversationMessage", "incomingRequest", "incomingParent"),
        ),
        Widget("say-play", ("audioComplete",), _SAY, "twiml", liquid=("say", "play", "digits")),
        Widget(
            "gather-input-on-call",
            ("keypress", "speech", "timeout"),
            {
                **_SAY,
                "timeout": _NUM,
                "number_of_digits": _NUM,
                "finish_on_key": _STR,
                "stop_gather": _BOOL,
                "gather_language": _STR,
                "speech_timeout": _STR | {"type": ["string", "integer"]},
                "speech_model": _STR,
                "hints": _STR,
                "profanity_filter": _BOOL,
                "enhanced": _BOOL,
            },
            "twiml",
            liquid=("say", "play", "hints"),
        ),
        Widget("split-based-on", ("match", "noMatch"), {"input": _STR}, required=("input",), liquid=("input",)),
        Widget(
            "set-variables",
            ("next",),
            {"variables": {"type": "array", "items": {"type": "object", "required": ["key"]}}},
        ),
        Widget(
            "connect-call-to",
            ("callCompleted", "hangup"),
            {
                "noun": {"enum": ["number", "number-multi", "client", "sip", "conference", "queue"]},
                "to": _STR | {"type": ["string", "integer"]},
                "caller_id": _STR,
                "timeout": _NUM,
                "record": _BOOL,
                "sip_endpoint": _STR,
                "sip_username": _STR,
                "sip_password": _STR,
                "time_limit": _NUM,
            },
            "twiml",
            liquid=("to", "caller_id", "sip_endpoint"),
        ),
        Widget(
            "record-voicemail",
            ("recordingComplete", "noAudio", "hangup", "recordingError"),
            {
                "max_length": _NUM,
                "timeout": _NUM,
                "finish_on_key": _STR,
                "play_beep": _BOOL,
                "trim": _STR,
                "transcribe": _BOOL,
                "transcription_callback_url": _STR,
                "recording_status_callback_url": _STR,
            },
            "twiml",
        ),
        Widget("record-call", ("success", "failed"), {"record_call": _BOOL, "trim": _STR}),
        Widget(
            "enqueue-call",
            ("callComplete", "failedToEnqueue", "callFailure"),
            {
                "queue_name": _STR,
                "workflow_sid": _STR,
                "task_attributes": _STR,
                "priority": _NUM,
                "timeout": _NUM,
                "wait_url": _STR,
                "wait_url_method": _STR,
            },
            "twiml",
            liquid=("queue_name", "task_attributes"),
        ),
        Widget(
            "send-message",
            ("sent", "failed"),
            {
                "body": _STR,
                "from": _STR,
                "to": _STR,
                "service": _STR,
                "channel": _STR,
                "media_url": _STR,
                "message_type": _STR,
                "content_sid": _STR,
                "content_variables": {"type": "array"},
                "shorten_urls": _BOOL,
                "attributes": _STR,
            },
            "twiml",
            liquid=("body", "to", "from", "media_url"),
        ),
        Widget(
            "send-and-wait-for-reply",
            ("incomingMessage", "timeout", "deliveryFailure"),
            {
                "body": _STR,
                "from": _STR,
                "to": _STR,
                "service": _STR,
                "channel": _STR,
                "timeout": _NUM,
                "media_url": _STR,
                "attributes": _STR,
                "content_sid": _STR,
                "content_variables": {"type": "array"},
            },
            "twiml",
            liquid=("body", "from", "media_url"),
        ),
        Widget(
            "make-http-request",
            ("success", "failed"),
            {
                "method": {"enum": ["GET", "POST", "PUT", "DELETE", "PATCH", "get", "post"]},
                "url": _STR,
                "content_type": _STR,
                "parameters": _PARAMS,
                "body": _STR,
                "timeout": _NUM,
                "add_twilio_auth": _BOOL,
            },
            "fixture",
            offline_event="failed",
            liquid=("url", "body"),
        ),
        Widget(
            "run-function",
            ("success", "fail"),
            {
                "url": _STR,
                "parameters": _PARAMS,
                "service_sid": _STR,
                "environment_sid": _STR,
                "function_sid": _STR,
                "timeout": _NUM,
            },
            "fixture",
            offline_event="fail",
        ),
        Widget(
            "run-subflow",
            ("completed", "failed"),
            {"flow_sid": _STR, "flow_revision": _STR, "parameters": _PARAMS},
            "fixture",
            offline_event="failed",
        ),
        Widget(
            "add-twiml-redirect",
            ("return", "timeout", "fail"),
            {"url": _STR, "method": _STR, "timeout": _NUM},
            "none",
            offline_event="fail",
        ),
        Widget(
            "capture-payments",
            ("success", "maxFailedAttempts", "providerError", "payInterrupted", "hangup", "validationError"),
            {
                "payment_connector": _STR,
                "payment_amount": _NUM,
                "currency": _STR,
                "language": _STR,
                "max_attempts": _NUM,
                "timeout": _NUM,
                "security_code": _BOOL,
                "postal_code": _BOOL,
                "payment_token_type": _STR,
                "valid_card_types": {"type": "array"},
                "payment_method": _STR,
                "description": _STR,
            },
            "none",
            offline_event="providerError",
        ),
        Widget(
            "fork-stream",
            ("next",),
            {"stream_action": _STR, "stream_url": _STR, "stream_name": _STR},
            "none",
            offline_event="next",
        ),
        Widget("connect-virtual-agent", ("hangup", "return"), {}, "none", offline_event="hangup"),
        Widget("connect-virtual-agent-v2", ("hangup", "return"), {}, "none", offline_event="hangup"),
        Widget("run-conversation-relay", ("hangup", "return", "failed"), {}, "none", offline_event="hangup"),
        Widget(
            "send-to-flex",
            ("callComplete", "failedToEnqueue", "callFailure"),
            {
                "workflow": _STR,
                "channel": _STR,
                "attributes": _STR,
                "priority": _NUM,
                "timeout": _NUM,
                "waitUrl": _STR,
                "waitUrlMethod": _STR,
            },
            "twiml",
            liquid=("attributes",),
        ),
        Widget(
            "make-outgoing-call-v2",
            ("answered", "busy", "noAnswer", "failed"),
            {"from": _STR, "to": _STR, "timeout": _NUM, "record": _BOOL, "machine_detection": _STR},
            "none",
            offline_event="failed",
        ),
    )
}


def widget(type_: str) -> Widget | None:
    return WIDGETS.get(type_)


_TRANSITION: dict[str, Any] = {
    "type": "object",
    "required": ["event"],
    "properties": {
        "event": _STR,
        "next": _STR,
        "conditions": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["type", "value", "arguments"],
                "properties": {
                    "friendly_name": _STR,
                    "arguments": {"type": "array", "items": _STR},
                    "type": {"enum": list(OPERATORS)},
                    "value": {"type": ["string", "number"]},
                },
            },
        },
    },
}

FLOW_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["states", "initial_state"],
    "properties": {
        "description": _STR,
        "initial_state": _STR,
        "flags": {"type": "object", "properties": {"allow_concurrent_calls": {"type": "boolean"}}},
        "states": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["name", "type", "transitions", "properties"],
                "properties": {
                    "name": {"type": "string", "minLength": 1},
                    "type": _STR,
                    "transitions": {"type": "array", "items": _TRANSITION},
                    "properties": {"type": "object", "properties": {"offset": _OFFSET}},
                },
            },
        },
    },
}
"""The flow definition's shape (Twilio's published Flow definition schema, v2)."""
