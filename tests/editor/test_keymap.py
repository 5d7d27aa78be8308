"""Key bindings: defaults, TOML overrides, and errors that never stop the editor."""

from __future__ import annotations

from pathlib import Path

import pytest

from twiml_editor.keymap import (
    ACTIONS,
    DEFAULT_KEYS,
    ENV_VAR,
    FLOW_ACTIONS,
    FLOW_VIEW_ACTIONS,
    WHEN,
    KeyAction,
    KeymapError,
    default_config_path,
    load_keymap,
    markdown_table,
)

ROOT = Path(__file__).resolve().parents[2]

REQUIRED_IDS = {
    "switch_dialect",
    "reformat",
    "apply_fix",
    "save",
    "open",
    "new",
    "undo",
    "redo",
    "add_child",
    "add_sibling",
    "delete",
    "duplicate",
    "move_up",
    "move_down",
    "cut",
    "copy",
    "paste",
    "help",
    "command_palette",
    "quit",
    "save_as",
    "export_python",
    "new_from_template",
    "toggle_preview",
    "edit_attribute",
    "focus_tree",
    "switch_pane",
    "toggle_wrap",
    "maximize",
}


def keys(actions: tuple[KeyAction, ...]) -> dict[str, str]:
    return {a.id: a.key for a in actions}


@pytest.fixture(autouse=True)
def isolated_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_VAR, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_cover_every_action_once_with_issue_keys() -> None:
    ids = [a.id for a in DEFAULT_KEYS]
    assert set(ids) == REQUIRED_IDS and len(ids) == len(set(ids))
    k = keys(DEFAULT_KEYS)
    assert k["save"] == "ctrl+s" and k["open"] == "ctrl+o" and k["new"] == "ctrl+n,alt+n"
    assert k["undo"] == "ctrl+z" and k["redo"] == "ctrl+y" and k["add_child"] == "a"
    assert k["delete"] == "delete" and k["move_up"] == "alt+up" and k["move_down"] == "alt+down"
    assert k["help"] == "f1" and k["command_palette"] == "ctrl+p" and k["quit"] == "ctrl+q"
    assert k["save_as"].split(",") == ["ctrl+shift+s", "f12"]
    singles = [s for a in DEFAULT_KEYS for s in a.key.split(",")]
    assert len(singles) == len(set(singles)), "two default actions share a key"
    assert all(a.description for a in DEFAULT_KEYS)


def test_missing_default_file_means_defaults() -> None:
    assert load_keymap() == DEFAULT_KEYS


def test_default_location_follows_xdg_and_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert default_config_path() == tmp_path / "xdg" / "twiml-editor" / "config.toml"
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "elsewhere.toml"))
    assert default_config_path() == tmp_path / "elsewhere.toml"


def test_override_from_file(tmp_path: Path) -> None:
    path = write(tmp_path, '[keys]\nsave = "ctrl+w"\nsave_as = ["f5", "ctrl+shift+w"]\n')
    result = keys(load_keymap(path))
    assert result["save"] == "ctrl+w"
    assert result["save_as"] == "f5,ctrl+shift+w"
    assert result["open"] == "ctrl+o"


def test_xdg_file_is_read(tmp_path: Path) -> None:
    config = tmp_path / "xdg" / "twiml-editor" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text('[keys]\nhelp = "f9"\n')
    assert keys(load_keymap())["help"] == "f9"


def test_env_var_overrides_location(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, '[keys]\nquit = "ctrl+x"\n')
    monkeypatch.setenv(ENV_VAR, str(path))
    assert keys(load_keymap())["quit"] == "ctrl+x"


def test_env_var_pointing_nowhere_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "nope.toml"))
    with pytest.raises(KeymapError, match="not found") as info:
        load_keymap()
    assert info.value.keys == DEFAULT_KEYS


def test_other_tables_are_ignored(tmp_path: Path) -> None:
    path = write(tmp_path, '[theme]\nname = "nord"\n')
    assert load_keymap(path) == DEFAULT_KEYS


def test_bad_toml_names_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, '[keys]\nsave = "ctrl+w"\nopen = \n')
    with pytest.raises(ValueError) as info:
        load_keymap(path)
    message = str(info.value)
    assert str(path) in message and "line 3" in message
    assert isinstance(info.value, KeymapError) and info.value.keys == DEFAULT_KEYS


def test_unknown_id_reported_with_line_and_good_overrides_kept(tmp_path: Path) -> None:
    path = write(tmp_path, '[keys]\nsave = "ctrl+w"\n\nteleport = "ctrl+k"\n')
    with pytest.raises(KeymapError) as info:
        load_keymap(path)
    err = info.value
    assert len(err.problems) == 1
    assert "line 4" in err.problems[0] and "teleport" in err.problems[0]
    assert str(path) in str(err)
    assert keys(err.keys)["save"] == "ctrl+w"


@pytest.mark.parametrize("value", ['""', "3", '["ctrl+w", 4]', '"ctrl+ w"', "[]", '"a,,b"'])
def test_malformed_key_values(tmp_path: Path, value: str) -> None:
    path = write(tmp_path, f"[keys]\nsave = {value}\n")
    with pytest.raises(KeymapError, match="line 2") as info:
        load_keymap(path)
    assert keys(info.value.keys)["save"] == "ctrl+s"


def test_keys_must_be_a_table(tmp_path: Path) -> None:
    with pytest.raises(KeymapError, match="table"):
        load_keymap(write(tmp_path, 'keys = "ctrl+s"\n'))


def test_clash_keeps_default_and_reports_both_ids(tmp_path: Path) -> None:
    path = write(tmp_path, '[keys]\nsave = "a"\nhelp = "f9"\n')
    with pytest.raises(KeymapError) as info:
        load_keymap(path)
    err = info.value
    assert any("add_child" in p and "save" in p and "line 2" in p for p in err.problems)
    result = keys(err.keys)
    assert result["save"] == "ctrl+s" and result["add_child"] == "a" and result["help"] == "f9"


def test_clash_uncovered_by_dropping_an_override_is_resolved(tmp_path: Path) -> None:
    # open takes save's key (clash -> open back to ctrl+o), which then clashes with duplicate.
    path = write(tmp_path, '[keys]\nopen = "ctrl+s"\nduplicate = "ctrl+o"\n')
    with pytest.raises(KeymapError) as info:
        load_keymap(path)
    result = keys(info.value.keys)
    singles = [s for k in result.values() for s in k.split(",")]
    assert len(singles) == len(set(singles))
    assert result["open"] == "ctrl+o" and result["duplicate"] == "ctrl+d"


def test_swapping_two_keys_is_fine(tmp_path: Path) -> None:
    result = keys(load_keymap(write(tmp_path, '[keys]\nundo = "ctrl+y"\nredo = "ctrl+z"\n')))
    assert (result["undo"], result["redo"]) == ("ctrl+y", "ctrl+z")


def test_unreadable_encoding(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(b'[keys]\nsave = "\xff"\n')
    with pytest.raises(KeymapError):
        load_keymap(path)


def test_form_navigation_keys_are_remappable(tmp_path: Path) -> None:
    k = keys(load_keymap(write(tmp_path, '[keys]\nedit_attribute = "ctrl+b"\nfocus_tree = "f7"\n')))
    assert k["edit_attribute"] == "ctrl+b" and k["focus_tree"] == "f7"


# ---------------------------------------------------------------------------- the action records


def test_records_are_complete_and_letter_keys_never_fire_in_text_fields() -> None:
    for action in ACTIONS:
        assert action.help and action.description, action.id
        assert action.when in WHEN, action.id
        singles = action.key.split(",")
        if action.in_text:
            # A priority key pre-empts the focused field: it must not be something one types.
            assert all("+" in k or (k.startswith("f") and k[1:].isdigit()) for k in singles), action.id
        if any(len(k) == 1 for k in singles):
            assert not action.in_text, action.id


def test_readme_key_table_is_generated_from_the_records() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index("<!-- keys:")
    block = readme[readme.index("\n", start) + 1 : readme.index("<!-- /keys -->")]
    assert block == markdown_table(), "README key table is stale: paste twiml_editor.keymap.markdown_table()"
    start = readme.index("<!-- flow-keys:")
    block = readme[readme.index("\n", start) + 1 : readme.index("<!-- /flow-keys -->")]
    assert block == markdown_table(FLOW_ACTIONS + FLOW_VIEW_ACTIONS, fixed=False), "README flow key table is stale"


def test_flow_app_bindings_come_from_the_records(tmp_path: Path) -> None:
    from twiml_editor.flow_app import FlowEditorApp
    from twiml_editor.screens.document_screen import DocumentScreen

    bindings = {b.id: b for b in FlowEditorApp.BINDINGS + DocumentScreen.BINDINGS if not isinstance(b, tuple)}
    assert set(bindings) == {a.id for a in ACTIONS + FLOW_ACTIONS}
    assert (bindings["call"].key, bindings["flow_map"].key) == ("f5", "f6")
    config = tmp_path / "config.toml"
    config.write_text('[keys]\ncall = "f7"\n', encoding="utf-8")
    assert {k.id: k.key for k in load_keymap(config, ACTIONS + FLOW_ACTIONS)}["call"] == "f7"
    assert "call" not in {k.id for k in load_keymap(config)}  # known, but not the plain editor's


def test_app_bindings_footer_palette_and_help_come_from_the_records() -> None:
    from twiml_editor.app import EditorApp
    from twiml_editor.screens.document_screen import DocumentScreen

    app_bindings = {b.id: b for b in EditorApp.BINDINGS if not isinstance(b, tuple)}
    screen_bindings = {b.id: b for b in DocumentScreen.BINDINGS if not isinstance(b, tuple)}
    assert set(app_bindings) == {a.id for a in ACTIONS if a.scope == "app"}
    assert set(screen_bindings) == {a.id for a in ACTIONS if a.scope == "document"}
    bindings = app_bindings | screen_bindings
    for action in ACTIONS:
        binding = bindings[action.id]
        assert (binding.key, binding.action, binding.show, binding.priority) == (
            action.key,
            action.action,
            action.show,
            action.in_text,
        )
        owner = EditorApp if action.scope == "app" else DocumentScreen
        assert hasattr(owner, f"action_{action.action}"), action.id


def test_every_action_has_a_key_a_browser_leaves_to_the_page() -> None:
    """`twiml-editor --serve`: a browser keeps ctrl+n, ctrl+t ... for itself, so an action bound to
    one of them needs another key (the palette reaches it too)."""
    from twiml_editor.keymap import BROWSER_RESERVED_KEYS

    for action in ACTIONS + FLOW_ACTIONS:
        keys = set(action.key.split(","))
        assert keys - BROWSER_RESERVED_KEYS, f"{action.id}: only browser-reserved keys {sorted(keys)}"
    used = {key for action in ACTIONS + FLOW_ACTIONS for key in action.key.split(",")}
    assert {"ctrl+n", "ctrl+t"} <= used & BROWSER_RESERVED_KEYS
