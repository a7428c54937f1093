"""Settings that would break review are refused with one line naming the file and the key; fsrs-rs never
shows a panic."""

from __future__ import annotations

import json

import pytest

from conftest import run_cli
from flashcards.errors import FlashcardsError
from flashcards.settings import PARAMETER_COUNT, parameter_bounds


def one_error_line(result) -> str:
    lines = result.stderr.strip().splitlines()
    assert result.code == 1 and len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr and "panicked" not in result.stderr and "internal error" not in lines[0]
    return lines[0]


@pytest.mark.parametrize("key, value", [
    ("learning_steps_minutes", "1e10"),
    ("relearning_steps_minutes", "0"),
    ("parameters", " ".join(["0"] * PARAMETER_COUNT)),
    ("parameters", " ".join(["1e300"] * PARAMETER_COUNT)),
    ("desired_retention", "0.5"),
])
def test_config_refuses_values_outside_what_fsrs_accepts_and_saves_nothing(tmp_path, key, value):
    db = tmp_path / "fc.db"
    line = one_error_line(run_cli("config", key, value, "--db", str(db)))
    assert key.split("_")[0] in line
    assert not (tmp_path / "fc.settings.json").exists()


@pytest.mark.parametrize("content, named", [
    ({"parameters": [1e300] * PARAMETER_COUNT}, "parameters[0]"),
    ({"parameters": [0.0] * PARAMETER_COUNT}, "parameters[0]"),
    ({"learning_steps_minutes": [1e10]}, "learning_steps_minutes"),
    ('{"new_per_day": ' + "9" * 5000 + "}", "number too long"),
    ('{"new_per_day": 1' + "0" * 400 + "}", "new_per_day"),
    ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
])
def test_a_bad_settings_file_gives_one_line_naming_the_file_and_key_in_review_and_simulate(tmp_path, content, named):
    db = tmp_path / "fc.db"
    settings = tmp_path / "fc.settings.json"
    settings.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
    for args in (("simulate", "--deck-size", "10", "--days", "5"), ("config",)):
        line = one_error_line(run_cli(*args, "--db", str(db)))
        assert str(settings) in line and named in line, line


def test_parameters_at_fsrs_bounds_simulate_and_fsrs_rs_defaults_lie_within_them():
    from fsrs_rs_python import DEFAULT_PARAMETERS

    from flashcards.scheduling.simulation import simulate

    lower, upper = parameter_bounds()
    assert all(low <= value <= high for value, low, high in zip(DEFAULT_PARAMETERS, lower, upper, strict=True))
    for parameters in (lower, upper):
        assert simulate(list(parameters), [0.9], 20, 10)


def test_a_panic_inside_fsrs_rs_is_one_line_and_never_reaches_the_screen(capfd):
    from flashcards.scheduling.simulation import simulate

    with pytest.raises(FlashcardsError, match="simulate: fsrs-rs could not compute it"):
        simulate([1e300] * PARAMETER_COUNT, [0.9], 10, 10)
    assert "panicked" not in capfd.readouterr().err


def test_the_parameter_bounds_are_py_fsrs_own():
    from fsrs.scheduler import LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS

    assert parameter_bounds() == (tuple(LOWER_BOUNDS_PARAMETERS), tuple(UPPER_BOUNDS_PARAMETERS))
