"""Settings: defaults, what a person types, and refusals with one clear line."""

from __future__ import annotations

import json

import pytest

from conftest import run_cli
from flashcards.errors import FlashcardsError
from flashcards.settings import Settings, load_settings, save_settings, set_from_text, settings_path


def test_missing_file_gives_defaults(tmp_path):
    settings = load_settings(tmp_path / "none.settings.json")
    assert (settings.desired_retention, settings.new_per_day, settings.reviews_per_day) == (0.9, 20, 200)
    assert settings.uses_default_parameters


def test_set_save_and_load_round_trip(tmp_path):
    path = settings_path(tmp_path / "flashcards.db")
    assert path.name == "flashcards.settings.json"
    settings = Settings()
    set_from_text(settings, "desired_retention", "0.85")
    set_from_text(settings, "learning_steps_minutes", "1, 5, 30")
    set_from_text(settings, "fuzz", "off")
    set_from_text(settings, "new_per_day", "35")
    save_settings(settings, path)
    loaded = load_settings(path)
    assert loaded == settings
    assert (loaded.desired_retention, loaded.learning_steps_minutes, loaded.fuzz) == (0.85, [1.0, 5.0, 30.0], False)
    set_from_text(loaded, "desired_retention", "default")
    assert loaded.desired_retention == 0.9


@pytest.mark.parametrize(
    ("key", "text", "message"),
    [
        ("desired_retention", "1.5", "desired_retention must be between 0.7 and 0.99, not 1.5"),
        ("desired_retention", "lots", "desired_retention: expected a number, not 'lots'"),
        ("new_per_day", "2.5", "new_per_day must be a whole number, not 2.5"),
        ("parameters", "1 2 3", "parameters must be 21 numbers (FSRS-6), not 3"),
        ("fuzz", "maybe", "fuzz: expected true or false, not 'maybe'"),
        ("colour", "blue", "unknown setting 'colour'"),
    ],
)
def test_bad_values_are_refused_with_one_line(key, text, message):
    with pytest.raises(FlashcardsError) as error:
        set_from_text(Settings(), key, text)
    assert str(error.value).startswith(message)


def test_a_hand_edited_file_with_a_bad_value_names_the_file(tmp_path):
    path = tmp_path / "s.settings.json"
    path.write_text(json.dumps({"desired_retention": "high"}), encoding="utf-8")
    with pytest.raises(FlashcardsError, match=r"s\.settings\.json: desired_retention must be a number"):
        load_settings(path)
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(FlashcardsError, match="cannot read settings"):
        load_settings(path)


def test_config_shows_sets_refuses_and_restores_defaults(tmp_path):
    db = str(tmp_path / "fc.db")
    assert "desired_retention = 0.9" in run_cli("config", "--db", db).stdout
    assert run_cli("config", "desired_retention", "0.85", "--db", db).stdout.strip() == "desired_retention = 0.85"
    assert json.loads(run_cli("config", "--db", db, "--json").stdout)["desired_retention"] == 0.85
    bad = run_cli("config", "desired_retention", "1.5", "--db", db)
    assert bad.code == 1 and bad.stderr.strip() == "error: desired_retention must be between 0.7 and 0.99, not 1.5"
    unknown = run_cli("config", "colour", "--db", db)
    assert unknown.code == 1 and "unknown setting 'colour'" in unknown.stderr
    run_cli("config", "desired_retention", "default", "--db", db)
    assert load_settings(settings_path(tmp_path / "fc.db")).desired_retention == 0.9
