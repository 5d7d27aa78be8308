"""Run Subflow as Studio runs it: the subflow's widgets run inside the parent's execution.

The subflow is another Flow JSON the user names (`--subflow SID=FILE`, `[subflows]` or `[fixtures]`
in the flow's config file, `subflows=`/`fixtures=` in Python). Entering it pushes the parent's context
(`Frame`) and starts the subflow at its trigger's `incomingParent` with the widget's parameters in
`trigger.parent.parameters`; steps and limits are the one execution's. When the subflow reaches a
transition without `next` it completes: the variables its Set Variables widgets stored come back as
`widgets.<run widget>.<key>` (not in the parent's `flow.variables`) and the parent goes on at its
`completed` transition; a `next` naming no widget of the subflow fails it (`failed`).

Widgets inside a subflow are named `run_widget/name` in URLs, steps and the map, so two flows may
use the same names.
"""

from __future__ import annotations

from twiml.studio.execution import Execution, Frame
from twiml.studio.model import State, StudioError, StudioFlow, from_data
from twiml.studio.widget_handlers import WidgetHandlers

__all__ = ["Subflows"]


class Subflows(WidgetHandlers):
    """Entering and leaving subflows; the base of `StudioTransport`."""

    flow: StudioFlow
    subflows: dict[str, StudioFlow]

    def subflow_for(self, state: State, name: str) -> StudioFlow | None:
        """The flow run-subflow widget `state` (named `name` in the run) runs, if the user gave one:
        a fixture that is a flow definition, else a subflow file by its flow_sid or widget name."""
        for key in dict.fromkeys((name, state.name)):
            value = self.fixtures.get(key)
            if isinstance(value, StudioFlow):
                return value
            if isinstance(value, dict) and isinstance(value.get("states"), list):
                try:
                    self.fixtures[key] = flow = from_data(value)
                except StudioError as exc:
                    self._note(f"{name}: the subflow given as its fixture is not a flow ({exc.message})")
                    return None
                return flow
        for key in (str(state.properties.get("flow_sid", "")), name, state.name):
            if key in self.subflows:
                return self.subflows[key]
        return None

    def locate(self, name: str) -> tuple[StudioFlow, State] | None:
        """The widget a run names `name` (`run_widget/inner` inside a subflow), and its flow."""
        flow, rest, trail = self.flow, name, ""
        for _ in range(name.count("/") + 1):
            state = flow.by_name.get(rest)
            if state is not None:
                return flow, state
            head, sep, tail = rest.partition("/")
            run = flow.by_name.get(head)
            if not sep or run is None or run.type != "run-subflow":
                return None
            trail = f"{trail}/{head}" if trail else head
            sub = self.subflow_for(run, trail)
            if sub is None:
                return None
            flow, rest = sub, tail
        return None

    def state_in(self, ex: Execution, name: str) -> State | None:
        """The widget `name` (as a URL names it) of the flow execution `ex` is in, if it is there."""
        prefix = ex.frames[-1].widget + "/" if ex.frames else ""
        if not name.startswith(prefix):
            return None
        return (ex.flow or self.flow).by_name.get(name[len(prefix) :])

    def enter(self, ex: Execution, state: State, sub: StudioFlow) -> str | None:
        """Start `sub` for run-subflow widget `state`: the subflow's first widget (None: it has none)."""
        name = ex.qualified(state.name)
        parameters = self._parameters(ex, state)
        parent = ex.context
        trigger = {k: v for k, v in parent.get("trigger", {}).items() if k != "parent"}
        trigger["parent"] = {"parameters": parameters}
        flow_sid = str(state.properties.get("flow_sid") or parent["flow"].get("flow_sid", ""))
        context = {
            "trigger": trigger,
            "flow": {
                "flow_sid": flow_sid,
                "sid": parent["flow"].get("sid", ""),
                "channel": dict(parent["flow"].get("channel", {})),
                "data": {},
                "variables": {},
            },
            "contact": parent.get("contact", {}),
            "widgets": {},
        }
        ex.frames.append(Frame(ex.flow, name, parent))
        ex.flow, ex.context = sub, context
        shown = ", ".join(f"{k}={v!r}" for k, v in parameters.items())
        self._note(
            f"{name}: runs subflow {sub.path.name if sub.path else sub.name} ({flow_sid})"
            + (f" with {shown}" if shown else "")
        )
        return sub.entry("incomingParent")

    def leave(self, ex: Execution, event: str, why: str) -> str | None:
        """The subflow ends with `event` (completed, failed): back in the parent, its next widget."""
        frame = ex.frames.pop()
        variables = dict(ex.variables) if event == "completed" else {}
        ex.flow, ex.context = frame.flow, frame.context
        plain = frame.widget[len(ex.frames[-1].widget) + 1 :] if ex.frames else frame.widget
        ex.widgets[plain] = variables
        returned = ", ".join(f"{k}={v!r}" for k, v in variables.items())
        self._note(f"{why}; {frame.widget}: {event}" + (f" (returns {returned})" if returned else ""))
        run = (ex.flow or self.flow).by_name.get(plain)
        return self._transition(run, event) if run is not None else None
