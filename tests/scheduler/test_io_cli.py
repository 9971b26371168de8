"""JSON round trips, field-naming errors, schemas, CLI exit codes and the examples."""

import json
from pathlib import Path

import jsonschema
import pytest

from scheduler import (
    ProblemError,
    check,
    dump_problem,
    dump_solution,
    load_problem,
    load_solution,
    solve,
)
from scheduler.__main__ import main
from scheduler.io import problem_to_dict, schema

EXAMPLES = Path(__file__).resolve().parents[2] / "scheduler" / "examples"
FEASIBLE_EXAMPLES = ["hybrid-three-hubs.json", "dst-change.json"]


def _example(name: str) -> dict:
    return json.loads((EXAMPLES / name).read_text())


def test_problem_round_trips_through_json():
    problem = load_problem(EXAMPLES / "hybrid-three-hubs.json")
    assert load_problem(json.loads(dump_problem(problem))) == problem


@pytest.mark.parametrize("name", sorted(p.name for p in EXAMPLES.glob("*.json")))
def test_example_validates_against_shipped_schema(name):
    jsonschema.validate(_example(name), schema("problem"), format_checker=jsonschema.FormatChecker())
    jsonschema.Draft202012Validator.check_schema(schema("problem"))


@pytest.mark.parametrize("name", FEASIBLE_EXAMPLES)
def test_example_solves_and_checks_clean(name, tmp_path):
    problem = load_problem(EXAMPLES / name)
    solution = solve(problem, time_limit=10)
    assert solution.has_schedule
    written = tmp_path / "solution.json"
    dump_solution(solution, written)
    jsonschema.validate(json.loads(written.read_text()), schema("solution"))
    reloaded = load_solution(written)
    report = check(problem, reloaded)
    assert report.ok
    assert report.objective == solution.objective


def test_load_problem_names_unknown_speaker_field():
    data = _example("infeasible.json")
    data["talks"][3]["speakers"] = ["p9"]
    with pytest.raises(ProblemError) as error:
        load_problem(data)
    assert 'talks[3].speakers[0]: unknown person "p9"' in error.value.errors


def test_load_problem_names_wrong_type_and_bad_instant():
    data = _example("infeasible.json")
    data["rooms"][1]["capacity"] = "big"
    data["blocks"][0]["start"] = "2026-03-03 09:00"
    with pytest.raises(ProblemError) as error:
        load_problem(data)
    assert any(e.startswith("rooms[1].capacity: expected an integer") for e in error.value.errors)
    assert any(e.startswith("blocks[0].start: expected an ISO 8601 instant") for e in error.value.errors)


def test_load_problem_rejects_unknown_time_zone():
    data = problem_to_dict(load_problem(EXAMPLES / "dst-change.json"))
    data["people"][0]["time_zone"] = "Mars/Olympus"
    with pytest.raises(ProblemError, match=r'people\[0\]\.time_zone: unknown IANA time zone'):
        load_problem(data)


def test_cli_solve_then_check_exit_zero(tmp_path, capsys):
    output = tmp_path / "out.json"
    assert main(["solve", str(EXAMPLES / "dst-change.json"), "-o", str(output), "--time-limit", "5"]) == 0
    assert main(["check", str(EXAMPLES / "dst-change.json"), str(output)]) == 0
    assert "speaker-local-hours" in capsys.readouterr().out


def test_cli_check_reports_violations_with_exit_one(tmp_path, capsys):
    solution = tmp_path / "bad.json"
    solution.write_text(json.dumps({"status": "FEASIBLE", "assignments": [
        {"talk": "t0", "room": "stream", "block": "day1", "start_slot": 0},
        {"talk": "t1", "room": "stream", "block": "day1", "start_slot": 0}]}))
    assert main(["check", str(EXAMPLES / "dst-change.json"), str(solution)]) == 1
    out = capsys.readouterr().out
    assert "[room-double-booked]" in out and "[talk-once]" in out


def test_cli_infeasible_problem_exit_one(tmp_path, capsys):
    assert main(["solve", str(EXAMPLES / "infeasible.json"), "-o", str(tmp_path / "s.json"),
                 "--time-limit", "2"]) == 1
    assert main(["explain", str(EXAMPLES / "infeasible.json")]) == 1
    assert "missing-room-feature" in capsys.readouterr().out


def test_cli_largest_subset_exit_zero(tmp_path):
    out = tmp_path / "s.json"
    assert main(["solve", str(EXAMPLES / "infeasible.json"), "-o", str(out), "--largest-subset",
                 "--time-limit", "2"]) == 0
    assert "rec" in json.loads(out.read_text())["unscheduled"]


def test_cli_malformed_file_names_field_with_exit_two(tmp_path, capsys):
    data = _example("infeasible.json")
    data["talks"][3]["speakers"] = ["p9"]
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data))
    assert main(["explain", str(path)]) == 2
    assert 'talks[3].speakers[0]: unknown person "p9"' in capsys.readouterr().err


def test_cli_usage_error_and_invalid_json_exit_two(tmp_path, capsys):
    assert main(["solve"]) == 2
    path = tmp_path / "broken.json"
    path.write_text("{not json")
    assert main(["explain", str(path)]) == 2
    assert "invalid JSON at line 1" in capsys.readouterr().err


@pytest.mark.parametrize(("argument", "value", "message"), [
    ("--time-limit", "-3", "time limit must be a positive number of seconds, not -3.0"),
    ("--time-limit", "0", "time limit must be a positive number of seconds, not 0.0"),
    ("--time-limit", "nan", "time limit must be a positive number of seconds, not nan"),
    ("--time-limit", "inf", "time limit must be a positive number of seconds, not inf"),
    ("--time-limit", "soon", "not a number of seconds: 'soon'"),
    ("--workers", "0", "workers must be a whole number of at least 1, not 0"),
    ("--workers", "1.5", "not a whole number: '1.5'"),
])
def test_cli_rejects_run_settings_it_cannot_use_with_exit_two(tmp_path, capsys, argument, value, message):
    output = tmp_path / "solution.json"
    assert main(["solve", str(EXAMPLES / "dst-change.json"), "-o", str(output), argument, value]) == 2
    err = capsys.readouterr().err
    assert f"argument {argument}: {message}" in err
    assert not output.exists()
    if argument == "--time-limit":
        assert main(["explain", str(EXAMPLES / "infeasible.json"), argument, value]) == 2
        assert message in capsys.readouterr().err


@pytest.mark.parametrize("settings", [{"time_limit": 0}, {"time_limit": -1.5}, {"time_limit": float("nan")},
                                      {"time_limit": "30"}, {"workers": 0}, {"workers": 2.0}, {"workers": True}])
def test_solve_rejects_run_settings_it_cannot_use(settings):
    problem = load_problem(EXAMPLES / "dst-change.json")
    with pytest.raises(ValueError, match="time limit must be|workers must be"):
        solve(problem, **settings)


def test_explain_rejects_a_time_limit_it_cannot_use():
    from scheduler import explain

    with pytest.raises(ValueError, match="time limit must be a positive number of seconds, not 0"):
        explain(load_problem(EXAMPLES / "infeasible.json"), time_limit=0)


def test_cli_names_an_unreadable_file_once_and_a_non_utf8_one_without_a_traceback(tmp_path, capsys):
    missing = tmp_path / "missing.json"
    assert main(["solve", str(missing), "-o", str(tmp_path / "out.json")]) == 2
    err = capsys.readouterr().err
    assert f"{missing}: cannot read file (No such file or directory)" in err and err.count(str(missing)) == 1
    binary = tmp_path / "problem.json"
    binary.write_bytes(b'{"slot_minutes": 15, "title": "Caf\xe9"}')  # byte 34: a Latin-1 "é"
    assert main(["check", str(binary), str(EXAMPLES / "dst-change.json")]) == 2
    assert main(["explain", str(binary)]) == 2
    err = capsys.readouterr().err
    assert err.count(f"{binary}: not a UTF-8 text file (byte 34: invalid continuation byte)") == 2
    assert "Traceback" not in err
    with pytest.raises(ProblemError, match="not a UTF-8 text file"):
        load_solution(binary)


@pytest.mark.parametrize("where", ["no-such-folder/solution.json", "."])
def test_cli_refuses_an_unwritable_output_before_solving(tmp_path, capsys, where):
    output = tmp_path / where
    assert main(["solve", str(EXAMPLES / "dst-change.json"), "-o", str(output)]) == 2
    err = capsys.readouterr().err
    reason = "is a directory" if where == "." else f"no such directory: {tmp_path / 'no-such-folder'}"
    assert f"{output}: cannot write ({reason})" in err
    assert "solution 1" not in err and "status" not in err  # refused before any search


def test_solve_takes_numpy_numbers_as_settings():
    import numpy as np

    problem = load_problem(EXAMPLES / "dst-change.json")
    solution = solve(problem, time_limit=np.float64(5), workers=np.int64(1))
    assert solution.has_schedule and check(problem, solution).ok
