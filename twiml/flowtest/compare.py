"""What changed between a recorded case and its replay, in the caller's terms.

The steps of both are walked side by side. A step reached at another document (or, for an app
without files, a reply with nothing in common) is a branch that now leads elsewhere; what follows
a branch is its consequence, not another change. Otherwise prompts are compared line by line
(old and new words), verbs by name and then attribute by attribute (a timeout, numDigits, an
action), and finally the number of steps and the end. Equal changes found in many cases are one
change that affects those paths.
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass, field

from twiml.flowtest.cases import Case, Step
from twiml.flowtest.change import Change

__all__ = ["Change", "Finding", "compare_case", "group_changes", "parse_verb", "trail"]

_SPOKEN = frozenset({"Say", "Play"})
_ATTR = re.compile(r'(\w+)=("(?:[^"\\]|\\.)*"|\S+)')


@dataclass
class Finding:
    """A change and the paths (case names) it affects, with what each path does now."""

    change: Change
    paths: list[str] = field(default_factory=list)
    outcomes: dict[str, str] = field(default_factory=dict)


def parse_verb(line: str) -> tuple[str, dict[str, str], str]:
    """A recorded verb line as (name, attributes, text)."""
    head, _, text = line.partition(" : ")
    name, _, rest = head.partition(" ")
    attrs: dict[str, str] = {}
    for key, value in _ATTR.findall(rest):
        attrs[key] = json.loads(value) if value.startswith('"') else value
    return name, attrs, text


def _describe(step: Step) -> str:
    if step.document:
        return step.document
    if step.status != 200:
        return f"HTTP {step.status} at {step.where}"
    said = (step.heard or step.sent or [""])[0]
    return f'"{said}"' if said else f"{step.where} ({', '.join(parse_verb(v)[0] for v in step.verbs) or 'nothing'})"


def _different_place(old: Step, new: Step) -> bool:
    if old.request.partition(" ")[2].split("?")[0] != new.request.partition(" ")[2].split("?")[0]:
        return True
    if old.document != new.document or old.status != new.status:
        return True
    if old.document is None:
        # no file names: a reply with nothing heard or done in common is another branch
        names_old = [parse_verb(v)[0] for v in old.verbs]
        names_new = [parse_verb(v)[0] for v in new.verbs]
        shared = set(old.heard) & set(new.heard) or set(old.sent) & set(new.sent)
        return names_old != names_new and not shared
    return False


def _lines(kind: str, where: str, old: list[str], new: list[str]) -> list[Change]:
    noun = "prompt" if kind == "prompt" else "message"
    out: list[Change] = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        a, b = old[i1:i2], new[j1:j2]
        for k in range(max(len(a), len(b))):
            was = a[k] if k < len(a) else ""
            now = b[k] if k < len(b) else ""
            if was and now:
                out.append(Change(kind, where, f"{noun} changed in {where}", was, now))
            elif now:
                out.append(Change(kind, where, f"{noun} added in {where}", "", now))
            else:
                out.append(Change(kind, where, f"{noun} removed in {where}", was, ""))
    return out


def _verbs(where: str, old: list[str], new: list[str]) -> list[Change]:
    """Verbs compared as whole lines first (an unchanged verb stays paired with itself), then,
    within each stretch that differs, by name: the same verb with other attributes, or verbs
    added and removed."""
    out: list[Change] = []
    lines = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for op, i1, i2, j1, j2 in lines.get_opcodes():
        if op != "equal":
            out += _verb_block(where, [parse_verb(v) for v in old[i1:i2]], [parse_verb(v) for v in new[j1:j2]])
    return out


def _verb_block(
    where: str, a: list[tuple[str, dict[str, str], str]], b: list[tuple[str, dict[str, str], str]]
) -> list[Change]:
    out: list[Change] = []
    matcher = difflib.SequenceMatcher(a=[v[0] for v in a], b=[v[0] for v in b], autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            for (name, attrs_a, text_a), (_, attrs_b, text_b) in zip(a[i1:i2], b[j1:j2], strict=True):
                verb = name.rpartition("/")[2]
                for key in sorted(set(attrs_a) | set(attrs_b)):
                    was, now = attrs_a.get(key, ""), attrs_b.get(key, "")
                    if was != now:
                        out.append(Change("attribute", where, f"<{verb}> {key} changed in {where}", was, now))
                if text_a != text_b:
                    out.append(Change("attribute", where, f"<{verb}> target changed in {where}", text_a, text_b))
            continue
        # a <Say> or <Play> that comes or goes is already a prompt added or removed
        for gone in a[i1:i2]:
            verb = gone[0].rpartition("/")[2]
            if verb not in _SPOKEN:
                out.append(Change("verb", where, f"<{verb}> removed from {where}", _line(gone)))
        for added in b[j1:j2]:
            verb = added[0].rpartition("/")[2]
            if verb not in _SPOKEN:
                out.append(Change("verb", where, f"<{verb}> added in {where}", "", _line(added)))
    return out


def _line(verb: tuple[str, dict[str, str], str]) -> str:
    """A parsed verb as its recorded line again (for was/now)."""
    name, attrs, text = verb
    head = " ".join([name, *(f"{k}={json.dumps(v) if ' ' in v else v}" for k, v in attrs.items())])
    return f"{head} : {text}" if text else head


def compare_case(old: Case, new: Case) -> tuple[list[Change], str]:
    """The changes from `old` to `new`, and the path's outcome now when it differs ("" if not)."""
    changes: list[Change] = []
    outcome = ""
    for i in range(max(len(old.steps), len(new.steps))):
        via = old.steps[i - 1].input if i and old.steps[i - 1].input else "the start" if not i else "the next request"
        origin = old.steps[i - 1].where if i else old.start
        if i >= len(new.steps):
            gone = old.steps[i]
            changes.append(
                Change("step", origin, f"{via} at {origin} no longer reaches {gone.where}", _describe(gone), "")
            )
            break
        if i >= len(old.steps):
            added = new.steps[i]
            changes.append(
                Change("step", origin, f"{via} at {origin} now goes on to {added.where}", "", _describe(added))
            )
            break
        a, b = old.steps[i], new.steps[i]
        if _different_place(a, b):
            changes.append(
                Change(
                    "branch",
                    origin,
                    f"{via} at {origin} now leads elsewhere ({b.request.partition(' ')[2]})",
                    _describe(a),
                    _describe(b),
                )
            )
            break
        changes += _lines("prompt", a.where, a.heard, b.heard)
        changes += _lines("message", a.where, a.sent, b.sent)
        changes += _verbs(a.where, a.verbs, b.verbs)
    if old.end != new.end:
        outcome = f"ended {old.end}, now {new.end}"
        if not changes:
            where = (new.steps or old.steps)[-1].where if (new.steps or old.steps) else old.start
            changes.append(Change("end", where, f"the call ends differently after {where}", old.end, new.end))
    elif changes and trail(old) != trail(new):
        outcome = f"was {trail(old)}; now {trail(new)}"
    return changes, outcome


def trail(case: Case) -> str:
    """The documents (or URLs) a case went through and how it ended."""
    return " → ".join(s.where for s in case.steps) + f" ({case.end})"


def group_changes(pairs: list[tuple[Case, Case]]) -> list[Finding]:
    """Changes of every (recorded, replayed) pair, equal ones merged, in order of first sight."""
    found: dict[Change, Finding] = {}
    for old, new in pairs:
        if old == new:
            continue
        changes, outcome = compare_case(old, new)
        for change in dict.fromkeys(changes):
            finding = found.setdefault(change, Finding(change))
            finding.paths.append(old.name)
            if outcome:
                finding.outcomes[old.name] = outcome
    return list(found.values())
