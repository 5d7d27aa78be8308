"""`twiml export-app` on hostile folders: untrusted text never becomes code, every export imports
and serves its routes, and a failure is exit 1 with a message, never a file (issue 19, case 1)."""

from __future__ import annotations

import importlib.util
import io
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from tests.flow.export_checker import check_exports
from tests.flow.hostile_folders import Folder, folders, import_all, write_folder
from twiml.cli import main
from twiml.flow import export_app as export_module
from twiml.flow import load_flow

FRAMEWORKS = ("flask", "fastapi")
INJECTION = '/x"""; open("PWNED", "w"); """'


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(list(argv), stdout=out, stderr=err)
    return status, out.getvalue(), err.getvalue()


def make(tmp_path: Path, routes: dict[str, object], documents: list[str], name: str = "flow") -> Path:
    return write_folder(tmp_path, Folder(name, documents, routes, next(iter(routes))))


def export(folder: Path, framework: str, out: Path) -> tuple[int, str]:
    status, _, err = run("export-app", str(folder), "--framework", framework, "-o", str(out))
    return status, err


def check_imports(tmp_path: Path, exports: list[tuple[Path, str, list[str]]]) -> None:
    """Import the exports here (fast), in a folder where injected code would leave its marker."""
    cwd = tmp_path / "cwd"
    cwd.mkdir(exist_ok=True)
    before = Path.cwd()
    os.chdir(cwd)
    try:
        results = check_exports([(str(p), fw, routes) for p, fw, routes in exports])
    finally:
        os.chdir(before)
    assert results == ["ok"] * len(exports)
    assert not list(cwd.iterdir()) and not list(tmp_path.rglob("PWNED"))


def check_imports_apart(tmp_path: Path, exports: list[tuple[Path, str, list[str]]]) -> None:
    """The same in a fresh interpreter (for the property run: nothing it imports stays here)."""
    cwd = tmp_path / "cwd"
    cwd.mkdir(exist_ok=True)
    assert import_all(exports, cwd) == ["ok"] * len(exports)
    assert not list(cwd.iterdir()) and not list(tmp_path.rglob("PWNED"))


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_a_route_path_cannot_inject_code_into_the_export(tmp_path: Path, framework: str) -> None:
    folder = make(tmp_path, {INJECTION: "a.xml", "/voice": "a.xml"}, ["a.xml"])
    status, err = export(folder, framework, tmp_path / "app.py")
    assert status == 0, err
    check_imports(tmp_path, [(tmp_path / "app.py", framework, [INJECTION, "/voice"])])


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_folder_and_file_names_with_triple_quotes_cannot_inject_code(tmp_path: Path, framework: str) -> None:
    hostile = '"""; open("PWNED", "w"); """'
    folder = make(tmp_path, {"/voice": hostile + ".xml"}, [hostile + ".xml"], name=hostile)
    status, err = export(folder, framework, tmp_path / "app.py")
    assert status == 0, err
    check_imports(tmp_path, [(tmp_path / "app.py", framework, ["/voice"])])


@pytest.mark.parametrize("route", ["/\\N", "/\\x", "/\x00", "/½", "/\u2028", "/caf\u00e9", "/ﬁle"])
def test_escapes_nuls_and_odd_characters_in_routes_give_valid_python(tmp_path: Path, route: str) -> None:
    folder = make(tmp_path, {route: "a.xml"}, ["a.xml"])
    status, err = export(folder, "flask", tmp_path / "app.py")
    assert status == 0, err
    check_imports(tmp_path, [(tmp_path / "app.py", "flask", [route])])


def test_colliding_identifiers_get_distinct_names_and_serve_their_own_documents(tmp_path: Path) -> None:
    routes: dict[str, object] = {"/a": "a-.xml", "/a/": "a_.xml", "/a_": "a-.xml", "/3": "a_.xml", "/4": "a-.xml"}
    folder = make(tmp_path, routes, ["a-.xml", "a_.xml"])
    status, err = export(folder, "flask", tmp_path / "collide.py")
    assert status == 0, err
    check_imports(tmp_path, [(tmp_path / "collide.py", "flask", list(routes))])
    spec = importlib.util.spec_from_file_location("collide", tmp_path / "collide.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    client = module.app.test_client()
    assert "<Say>a_.xml</Say>" in client.post("/3").get_data(as_text=True)
    assert "<Say>a-.xml</Say>" in client.post("/4").get_data(as_text=True)


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_routes_named_like_the_templates_names_do_not_shadow_them(tmp_path: Path, framework: str) -> None:
    names = ["/str", "/dict", "/abort", "/validate_signature", "/request", "/xml_response", "/normalize", "/app"]
    routes: dict[str, object] = dict.fromkeys(names, "a.xml")
    routes["/said"] = {"by": "xml_response", "match": "contains", "cases": {"x": "a.xml"}, "default": "/str"}
    folder = make(tmp_path, routes, ["a.xml"])
    status, err = export(folder, framework, tmp_path / "app.py")
    assert status == 0, err
    check_imports(tmp_path, [(tmp_path / "app.py", framework, list(routes))])  # every route answers < 500


@pytest.mark.parametrize(("framework", "route"), [("flask", "/<x>"), ("fastapi", "/{x}")])
def test_routes_the_framework_would_read_as_parameters_are_refused_without_a_file(
    tmp_path: Path, framework: str, route: str
) -> None:
    folder = make(tmp_path, {route: "a.xml"}, ["a.xml"])
    status, err = export(folder, framework, tmp_path / "app.py")
    assert status == 1 and "path parameter" in err and not (tmp_path / "app.py").exists()


def test_source_that_would_not_compile_is_exit_1_and_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = make(tmp_path, {"/voice": "a.xml"}, ["a.xml"])
    original = export_module._Writer.write
    monkeypatch.setattr(export_module._Writer, "write", lambda self: original(self) + "def (:\n")
    status, err = export(folder, "flask", tmp_path / "app.py")
    assert status == 1 and "would not compile" in err and not (tmp_path / "app.py").exists()


HOSTILE_COUNT = int(os.environ.get("TWIML_HOSTILE_FOLDERS", "8"))
"""Folders per run of the property test; a one-off run sets TWIML_HOSTILE_FOLDERS=2000 or more."""


def run_hostile(tmp_path: Path, count: int) -> tuple[int, int]:
    """Export `count` hostile folders (frameworks alternate), import them all; (exported, refused)."""
    exports: list[tuple[Path, str, list[str]]] = []
    refused = 0
    seen = 0

    @settings(max_examples=count, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(folders())
    def one(folder: Folder) -> None:
        nonlocal refused, seen
        seen += 1
        base = tmp_path / f"case{seen}"
        base.mkdir()
        root = write_folder(base, folder)
        framework = FRAMEWORKS[seen % 2]
        target = base / f"app{seen}.py"
        status, err = export(root, framework, target)
        if status == 0:
            compile(target.read_text(encoding="utf-8"), str(target), "exec")
            exports.append((target, framework, list(load_flow(root).routes)))
        else:
            assert status == 1 and err.strip(), err  # refused with a message ...
            assert not target.exists()  # ... and no file
            refused += 1

    one()
    for start in range(0, len(exports), 250):
        check_imports_apart(tmp_path, exports[start : start + 250])
    return len(exports), refused


def test_hostile_folders_export_to_apps_that_import_and_serve_every_route(tmp_path: Path) -> None:
    exported, refused = run_hostile(tmp_path, HOSTILE_COUNT)
    assert exported >= 1
    print(f"{exported} exported, {refused} refused")


def test_forwards_that_can_circle_are_refused_rather_than_recursing(tmp_path: Path) -> None:
    routes: dict[str, object] = {
        "/a": {"by": "Body", "cases": {"x": "a.xml"}, "default": "/b"},
        "/b": {"by": "Body", "cases": {"y": "a.xml"}, "default": "/a"},
    }
    folder = make(tmp_path, routes, ["a.xml"])
    status, err = export(folder, "flask", tmp_path / "app.py")
    assert status == 1 and "forward in a circle" in err and not (tmp_path / "app.py").exists()
