"""The sidebar's "Another data directory" opens only folders under allowed roots, with one refusal for the rest."""
from __future__ import annotations

import pytest

from lib.data import roots, upload
from tests.apptest import assert_no_exception, run_app
from tests.conftest import DEMO_DIR


@pytest.fixture(autouse=True)
def _no_operator_settings(monkeypatch):
    monkeypatch.delenv(roots.ALLOWED_ENV, raising=False)
    monkeypatch.delenv(roots.PUBLIC_ENV, raising=False)


@pytest.mark.parametrize("text", ["/root", "/nonexistent", "/etc", "~", "/", "data/../..", str(DEMO_DIR) + "/../..",
                                  "", "\0"])
def test_every_path_outside_the_roots_gets_the_same_refusal(text):
    assert roots.allowed_directory(text) == (None, roots.REFUSAL)


def test_folders_under_the_repositorys_data_are_allowed():
    assert roots.allowed_directory(str(DEMO_DIR)) == (DEMO_DIR.resolve(), None)


def test_a_missing_folder_under_a_root_gets_the_same_refusal():
    assert roots.allowed_directory(str(DEMO_DIR / "absent")) == (None, roots.REFUSAL)


def test_a_link_under_data_that_leads_outside_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv(roots.ALLOWED_ENV, str(tmp_path / "allowed"))
    (tmp_path / "allowed").mkdir()
    (tmp_path / "allowed" / "escape").symlink_to("/etc")
    assert roots.allowed_directory(str(tmp_path / "allowed" / "escape")) == (None, roots.REFUSAL)


def test_operator_roots_and_upload_folders_are_allowed(tmp_path, monkeypatch):
    first, second = tmp_path / "one", tmp_path / "two"
    (first / "inner").mkdir(parents=True)
    second.mkdir()
    monkeypatch.setenv(roots.ALLOWED_ENV, f"{first}:{second}")
    assert roots.allowed_directory(str(first / "inner")) == ((first / "inner").resolve(), None)
    assert roots.allowed_directory(str(second))[0] == second.resolve()
    assert roots.allowed_directory(str(tmp_path))[1] == roots.REFUSAL
    uploaded = upload.new_folder()
    try:
        assert roots.allowed_directory(str(uploaded)) == (uploaded.resolve(), None)
    finally:
        upload.discard(uploaded)


def test_the_public_switch_turns_the_field_off(monkeypatch):
    monkeypatch.setenv(roots.PUBLIC_ENV, "1")
    assert not roots.choosing_allowed()
    assert roots.allowed_directory(str(DEMO_DIR)) == (None, roots.REFUSAL)
    at = run_app(DEMO_DIR)
    assert_no_exception(at)
    assert not [t for t in at.text_input if t.key == "other_dir"]


@pytest.mark.parametrize("text", ["/root", "/nonexistent"])
def test_the_sidebar_refuses_with_one_message_and_keeps_the_data(text):
    at = run_app(DEMO_DIR)
    at.text_input(key="other_dir").set_value(text).run()
    next(b for b in at.sidebar.button if b.label == "Use this directory").click().run()
    assert_no_exception(at)
    assert [e.value for e in at.sidebar.error] == [roots.REFUSAL]
    assert "data_dir" not in at.session_state or not at.session_state["data_dir"]
