"""How each widget type runs: the TwiML it answers with when it needs the caller (say-play,
gather-input-on-call, connect-call-to, record-voicemail, enqueue-call, send-to-flex, messages), or
what it does on the server (split-based-on, set-variables); calls out go to twiml.studio.callouts.

`WidgetHandlers` is a base of `StudioTransport`: a handler `_w_<type>` gets the execution, the
widget, the reply being built and the contact, and returns its `Outcome`.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from twiml.studio.callouts import CallOuts
from twiml.studio.conditions import matches
from twiml.studio.execution import End, Execution, Outcome, Response
from twiml.studio.model import State
from twiml.studio.widgets import widget

__all__ = ["WidgetHandlers"]


class WidgetHandlers(CallOuts):
    """The widget handlers of `StudioTransport` (URLs and executions are the transport's)."""

    base_url: str
    executions: list[Execution]
    _waiting: dict[tuple[str, str], tuple[str, int]]

    def continuation(self, name: str, kind: str, ctx: int) -> str:
        """The URL a widget's TwiML comes back to (`kind`: input, done, dial ...) for execution `ctx`."""
        return f"{self.base_url}/{quote(name, safe='')}/{kind}?ctx={ctx}"

    def _widget(self, ex: Execution, state: State, out: Response, contact: tuple[str, str]) -> Outcome:
        """Run one widget: (True, None) when its TwiML waits for the caller; else (False, event)."""
        spec = widget(state.type)
        if spec is None:
            raise End(f"{ex.qualified(state.name)}: widget type {state.type!r} is unknown; the execution stops here")
        handler = getattr(self, "_w_" + state.type.replace("-", "_"), None)
        if handler is not None:
            result: Outcome = handler(ex, state, out, contact)
            return result
        if spec.kind == "fixture":
            return False, self._fixture(ex, state, spec.offline_event or "failed")
        if state.type == "trigger":
            raise End(f"{ex.qualified(state.name)}: a transition leads back to the trigger; the execution ends")
        self._note(f"{ex.qualified(state.name)}: {state.type} is not emulated offline; it takes {spec.offline_event!r}")
        return False, spec.offline_event

    def _cont(self, ex: Execution, state: State, kind: str) -> str:
        return self.continuation(ex.qualified(state.name), kind, len(self.executions))

    def _then(self, ex: Execution, state: State, out: Response, event: str, kind: str) -> None:
        """After a widget's verbs: back to Studio for `event`, or hang up when `event` ends the flow."""
        if self._transition(state, event) is None and not ex.frames:  # a subflow returns instead
            if event == "audioComplete":
                self._note(f"{ex.qualified(state.name)}: {event}: no next widget: the execution ends")
            out.doc.hangup()
        else:
            out.doc.redirect(self._cont(ex, state, kind))

    def _say_into(self, target: Any, ex: Execution, state: State) -> None:
        play = self._render(ex, state, self._prop(state, "play"), "play")
        digits = self._prop(state, "digits")
        loop = self._prop(state, "loop")
        voice = self._prop(state, "voice")
        language = self._prop(state, "language")
        voice = None if voice == "default" else voice
        language = None if language == "default" else language
        if play:
            target.play(play, loop=loop)
        elif digits:
            target.play(digits=str(digits))
        else:
            say = self._render(ex, state, self._prop(state, "say"), "say")
            if say:
                target.say(say, voice=voice, language=language, loop=loop)

    def _w_say_play(self, ex: Execution, state: State, out: Response, contact: tuple[str, str]) -> Outcome:
        if ex.kind != "voice":
            self._note(f"{ex.qualified(state.name)}: say-play outside a call does nothing; it takes audioComplete")
            return False, "audioComplete"
        self._say_into(out.doc, ex, state)
        self._then(ex, state, out, "audioComplete", "done")
        out.anchor = ex.qualified(state.name)
        return True, None

    def _w_gather_input_on_call(self, ex: Execution, state: State, out: Response, contact: tuple[str, str]) -> Outcome:
        if ex.kind != "voice":
            self._note(f"{ex.qualified(state.name)}: gather-input-on-call outside a call times out")
            return False, "timeout"
        finish = state.properties.get("finish_on_key", state.properties.get("finishOnKey"))
        speech_timeout = self._prop(state, "speech_timeout", "speechTimeout")
        gather = out.doc.gather(
            input="dtmf speech",
            action=self._cont(ex, state, "input"),
            method="POST",
            timeout=self._prop(state, "timeout"),
            num_digits=self._prop(state, "number_of_digits", "numDigits"),
            finish_on_key=finish if isinstance(finish, str) else None,
            speech_timeout=str(speech_timeout) if speech_timeout is not None else None,
            language=self._prop(state, "gather_language", "gatherLanguage"),
            hints=self._render(ex, state, self._prop(state, "hints"), "hints") or None,
            profanity_filter=self._prop(state, "profanity_filter"),
            speech_model=self._prop(state, "speech_model"),
        )
        self._say_into(gather, ex, state)
        self._then(ex, state, out, "timeout", "timeout")
        out.anchor = ex.qualified(state.name)
        return True, None

    def _w_split_based_on(self, ex: Execution, state: State, out: Response, contact: tuple[str, str]) -> Outcome:
        subject = self._render(ex, state, state.properties.get("input", ""), "input")
        for t in state.transitions:
            if t.event != "match" or not t.conditions:
                continue
            ok = True
            for c in t.conditions:
                args = c.get("arguments")
                arg = args[0] if isinstance(args, list) and args else state.properties.get("input", "")
                value = self._render(ex, state, c.get("value", ""), "a condition's value")
                if not matches(str(c.get("type", "")), self._render(ex, state, arg, "arguments"), value):
                    ok = False
                    break
            if ok:
                c0 = t.conditions[0]
                self._note(
                    f"{ex.qualified(state.name)}: {subject!r} {c0.get('type')} {c0.get('value')!r} -> {t.next or '(end)'}"
                )
                return False, t
        self._note(f"{ex.qualified(state.name)}: {subject!r} matches no condition -> noMatch")
        return False, "noMatch"

    def _w_set_variables(self, ex: Execution, state: State, out: Response, contact: tuple[str, str]) -> Outcome:
        items = state.properties.get("variables") or []
        for item in items if isinstance(items, list) else []:
            if isinstance(item, dict) and isinstance(item.get("key"), str):
                value = self._render(ex, state, item.get("value", ""), f"variable {item['key']}")
                ex.variables[item["key"]] = value
        return False, "next"

    def _w_connect_call_to(self, ex: Execution, state: State, out: Response, contact: tuple[str, str]) -> Outcome:
        if ex.kind != "voice":
            self._note(f"{ex.qualified(state.name)}: connect-call-to outside a call does nothing")
            return False, "hangup"
        to = self._render(ex, state, self._prop(state, "to"), "to")
        record = self._prop(state, "record")
        dial = out.doc.dial(
            action=self._cont(ex, state, "dial"),
            timeout=self._prop(state, "timeout"),
            caller_id=self._render(ex, state, self._prop(state, "caller_id"), "caller_id") or None,
            record="record-from-answer" if str(record).lower() == "true" else None,
            time_limit=self._prop(state, "time_limit"),
        )
        noun = self._prop(state, "noun") or "number"
        if noun == "number-multi":
            for number in to.split(","):
                if number.strip():
                    dial.number(number.strip())
        elif noun == "client":
            dial.client(to)
        elif noun == "sip":
            dial.sip(self._render(ex, state, self._prop(state, "sip_endpoint"), "sip_endpoint") or to)
        elif noun == "conference":
            dial.conference(to)
        elif noun == "queue":
            dial.queue(to)
        else:
            dial.number(to)
        out.anchor = ex.qualified(state.name)
        return True, None

    def _w_record_voicemail(self, ex: Execution, state: State, out: Response, contact: tuple[str, str]) -> Outcome:
        if ex.kind != "voice":
            return False, "noAudio"
        transcribe = self._prop(state, "transcribe")
        out.doc.record(
            action=self._cont(ex, state, "done"),
            max_length=self._prop(state, "max_length", "maxLength"),
            timeout=self._prop(state, "timeout"),
            finish_on_key=self._prop(state, "finish_on_key", "finishOnKey"),
            play_beep=self._prop(state, "play_beep"),
            trim=self._prop(state, "trim"),
            transcribe=transcribe,
            transcribe_callback=self._prop(state, "transcription_callback_url", "transcribeCallbackUrl"),
        )
        out.doc.redirect(self._cont(ex, state, "noaudio"))
        out.anchor = ex.qualified(state.name)
        return True, None

    def _enqueue(
        self,
        ex: Execution,
        state: State,
        out: Response,
        name: str | None,
        workflow: str | None,
        attributes: str,
        priority: Any,
        timeout: Any,
    ) -> None:
        wait_url = self._render(ex, state, self._prop(state, "wait_url", "waitUrl"), "wait_url") or None
        enqueue = out.doc.enqueue(
            name or None,
            action=self._cont(ex, state, "queue"),
            workflow_sid=workflow or None,
            wait_url=wait_url,
            wait_url_method=self._prop(state, "wait_url_method", "waitUrlMethod") if wait_url else None,
        )
        if workflow:
            enqueue.task(attributes or "{}", priority=priority, timeout=timeout)
        out.anchor = ex.qualified(state.name)

    def _w_enqueue_call(self, ex: Execution, state: State, out: Response, contact: tuple[str, str]) -> Outcome:
        if ex.kind != "voice":
            return False, "failedToEnqueue"
        self._enqueue(
            ex,
            state,
            out,
            self._render(ex, state, self._prop(state, "queue_name"), "queue_name"),
            self._prop(state, "workflow_sid"),
            self._render(ex, state, self._prop(state, "task_attributes"), "task_attributes"),
            self._prop(state, "priority"),
            self._prop(state, "timeout"),
        )
        return True, None

    def _w_send_to_flex(self, ex: Execution, state: State, out: Response, contact: tuple[str, str]) -> Outcome:
        attributes = self._render(ex, state, self._prop(state, "attributes"), "attributes")
        if ex.kind != "voice":
            raise End(
                f"{ex.qualified(state.name)}: the conversation is handed to Flex (not emulated); the execution ends"
            )
        self._enqueue(
            ex,
            state,
            out,
            None,
            self._prop(state, "workflow") or "WW00000000000000000000000000000000",
            attributes,
            self._render(ex, state, self._prop(state, "priority"), "priority") or None,
            self._prop(state, "timeout"),
        )
        return True, None

    def _message(self, ex: Execution, state: State, out: Response) -> None:
        body = self._render(ex, state, self._prop(state, "body"), "body")
        to = self._render(ex, state, self._prop(state, "to") or "{{contact.channel.address}}", "to")
        from_ = self._render(ex, state, self._prop(state, "from") or "{{flow.channel.address}}", "from")
        media = self._render(ex, state, self._prop(state, "media_url"), "media_url")
        if not body and self._prop(state, "content_sid"):
            body = f"[content template {self._prop(state, 'content_sid')}]"
        if ex.kind == "voice":
            out.doc.sms(body, to=to or None, from_=from_ or None)
        else:
            message = out.doc.message(body, to=to or None, from_=from_ or None)
            if media:
                message.media(media)
        out.anchor = ex.qualified(state.name)

    def _w_send_message(self, ex: Execution, state: State, out: Response, contact: tuple[str, str]) -> Outcome:
        self._message(ex, state, out)
        return False, "sent"

    def _w_send_and_wait_for_reply(
        self, ex: Execution, state: State, out: Response, contact: tuple[str, str]
    ) -> Outcome:
        self._message(ex, state, out)
        if ex.kind == "voice":
            self._note(f"{ex.qualified(state.name)}: a reply cannot arrive during a simulated call; it times out")
            return False, "timeout"
        self._waiting[contact] = (ex.qualified(state.name), len(self.executions))
        return True, None

    def _w_record_call(self, ex: Execution, state: State, out: Response, contact: tuple[str, str]) -> Outcome:
        self._note(
            f"{ex.qualified(state.name)}: call recording is switched by Studio's API (not emulated); it takes 'success'"
        )
        return False, "success"
