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


def test_a_person_never_available_round_trips_and_validates_against_the_schema():
    data = _example("hybrid-three-hubs.json")
    data["people"][0]["unavailable"] = True
    jsonschema.validate(data, schema("problem"))
    problem = load_problem(data)
    assert problem.people[0].unavailable and not problem.people[1].unavailable
    written = json.loads(dump_problem(problem))
    assert written["people"][0]["unavailable"] is True and "unavailable" not in written["people"][1]
    assert load_problem(written) == problem


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


def _mutated(change) -> dict:
    data = problem_to_dict(load_problem(EXAMPLES / "hybrid-three-hubs.json"))
    change(data)
    return data


def _set(path: str, value):
    """A change setting the field at a dotted path ("talks.0.audience") to `value`."""
    *parents, last = path.split(".")

    def change(data):
        target = data
        for key in parents:
            target = target[int(key)] if isinstance(target, list) else target[key]
        target[int(last) if isinstance(target, list) else last] = value

    return change


# Each problem the loader must refuse, with the start of the message that names the field.
REFUSED_PROBLEMS = [
    ("folder as person zone", _set("people.0.time_zone", "Europe"), 'people[0].time_zone: unknown IANA time zone "Europe"'),
    ("folder as room zone", _set("rooms.0.time_zone", "America"), 'rooms[0].time_zone: unknown IANA time zone "America"'),
    ("folder as audience zone", _set("audience_time_zones", {"Etc": 1.0}),
     'audience_time_zones.Etc: unknown IANA time zone "Etc"'),
    ("negative relaxed weight", _set("hard_rules.relaxed_weight", -1000),
     "hard_rules.relaxed_weight: must be between 0 and 10000000, not -1000"),
    ("negative similarity penalty", _set("similar_tracks.0.penalty", -5),
     "similar_tracks[0].penalty: must be between 0 and 10000000, not -5"),
    ("negative unsuitable-hour penalty", _set("people.0.unsuitable_penalty", -50),
     "people[0].unsuitable_penalty: must be between 0 and 10000000, not -50"),
    ("huge audience weights", _set("audience_time_zones", {"Asia/Tokyo": 1e308, "Europe/London": 1e308}),
     "audience_time_zones.Asia/Tokyo: weight must be between 0 and 10000000, not 1e+308"),
    ("talk audience weight beyond the cap", _set("talks.0.audience_time_zones", {"Asia/Tokyo": 2e7}),
     "talks[0].audience_time_zones.Asia/Tokyo: weight must be between"),
    ("room penalty beyond 64 bits", _set("talks.0.room_penalties", {"lon-1": 2**63}),
     "talks[0].room_penalties.lon-1: must be between 0 and 10000000, not 9223372036854775808"),
    ("weight beyond the cap", _set("weights.speaker_local_hours", 10**18),
     "weights.speaker_local_hours: must be a whole number between 0 and 10000000"),
    ("talk longer than a day", _set("talks.0.slots", 2**63), "talks[0].slots: must be between 1 and 1440"),
    ("capacity beyond the cap", _set("rooms.0.capacity", 10**8), "rooms[0].capacity: must be between 0 and 10000000"),
    ("priority beyond the cap", _set("talks.0.priority", -(10**8)), "talks[0].priority: must be between -10000000 and"),
    ("slot longer than a day", _set("slot_minutes", 10**12), "slot_minutes: must be between 1 and 1440 minutes"),
    ("block longer than a day", _set("blocks.0.slots", 10**18),
     "blocks[0].slots: 1000000000000000000 slots of 30 minutes last longer than a day"),
    ("block in year 9999", _set("blocks.3.start", "9999-12-31T20:00:00Z"),
     "blocks[3].start: the year must be between 1900 and 9000, not 9999"),
    ("block in year 1", _set("blocks.0.start", "0001-01-01T00:00:00Z"),
     "blocks[0].start: the year must be between 1900 and 9000, not 1"),
    ("speaker listed twice", _set("talks.0.speakers", ["s0", "s0"]), 'talks[0].speakers[1]: person "s0" is listed twice'),
    ("track similar to itself", _set("similar_tracks.0.tracks", ["ml", "ml"]),
     'similar_tracks[0].tracks: track "ml" cannot be similar to itself'),
    ("format version true", _set("format_version", True), "format_version: unsupported version True"),
    ("never available yet with a window",
     lambda data: data["people"][0].update(unavailable=True, availability=[
         {"start": "2026-06-10T12:00:00Z", "end": "2026-06-10T18:00:00Z"}]),
     "people[0].unavailable: a person who is never available has no availability windows"),
]


@pytest.mark.parametrize(("change", "message"), [case[1:] for case in REFUSED_PROBLEMS],
                         ids=[case[0] for case in REFUSED_PROBLEMS])
def test_load_problem_refuses_values_the_solver_cannot_use_naming_the_field(tmp_path, capsys, change, message):
    data = _mutated(change)
    with pytest.raises(ProblemError) as error:
        load_problem(data)
    assert any(line.startswith(message) for line in error.value.errors), error.value.errors
    path = tmp_path / "problem.json"
    path.write_text(json.dumps(data))
    solution = tmp_path / "solution.json"
    solution.write_text(dump_solution(solve(load_problem(EXAMPLES / "hybrid-three-hubs.json"), time_limit=2)))
    for command in (["solve", str(path), "-o", str(tmp_path / "out.json")], ["check", str(path), str(solution)],
                    ["explain", str(path)]):
        assert main(command) == 2
        err = capsys.readouterr().err
        assert f"{path}: {message}" in err and "Traceback" not in err


def test_load_problem_accepts_values_at_the_caps():
    data = _mutated(_set("weights.speaker_local_hours", 10_000_000))
    data["hard_rules"]["relaxed_weight"] = 10_000_000
    data["rooms"][0]["capacity"] = 10_000_000
    data["slot_minutes"] = 30
    last = max(range(len(data["blocks"])), key=lambda i: data["blocks"][i]["start"])
    data["blocks"][last]["slots"] = 48  # 24 hours
    data["audience_time_zones"] = {"Asia/Tokyo": 10_000_000, "Europe/London": 0}
    problem = load_problem(data)
    assert problem.weights.speaker_local_hours == 10_000_000 and problem.blocks[last].slots == 48


@pytest.mark.parametrize(("text", "message"), [
    ("[" * 100_000 + "]" * 100_000, "invalid JSON: nested too deeply"),
    ('{"slot_minutes": ' + "9" * 5000 + "}", "invalid JSON: Exceeds the limit (4300 digits)"),
    ('{"audience_time_zones": {"Asia/Tokyo": NaN}}', "invalid JSON: NaN is not a JSON number"),
    ('{"audience_time_zones": {"Asia/Tokyo": Infinity}}', "invalid JSON: Infinity is not a JSON number"),
])
def test_cli_refuses_json_that_python_parses_badly_with_exit_two(tmp_path, capsys, text, message):
    path = tmp_path / "problem.json"
    path.write_text(text)
    assert main(["explain", str(path)]) == 2
    assert main(["check", str(EXAMPLES / "dst-change.json"), str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count(f"{path}: {message}") == 2 and "Traceback" not in err


def test_load_problem_refuses_an_integer_too_large_for_a_float():
    data = _mutated(_set("audience_time_zones", {"Asia/Tokyo": 10**400}))
    with pytest.raises(ProblemError, match=r"audience_time_zones\.Asia/Tokyo: number too large"):
        load_problem(data)


@pytest.mark.parametrize("seed", [2**31, -(2**31) - 1, 2**64, -1])
def test_any_whole_seed_solves_and_a_seed_is_reproducible(tmp_path, seed):
    problem = load_problem(EXAMPLES / "dst-change.json")
    first = solve(problem, time_limit=5, workers=1, seed=seed)
    again = solve(problem, time_limit=5, workers=1, seed=seed)
    assert check(problem, first).ok and first.assignments == again.assignments
    output = tmp_path / "out.json"
    assert main(["solve", str(EXAMPLES / "dst-change.json"), "-o", str(output), "--seed", str(seed),
                 "--time-limit", "5"]) == 0


def test_solve_and_cli_refuse_a_seed_that_is_not_whole(tmp_path, capsys):
    with pytest.raises(ValueError, match="seed must be a whole number, not 1.5"):
        solve(load_problem(EXAMPLES / "dst-change.json"), seed=1.5)
    assert main(["solve", str(EXAMPLES / "dst-change.json"), "-o", str(tmp_path / "o.json"), "--seed", "x"]) == 2
    assert "argument --seed: not a whole number: 'x'" in capsys.readouterr().err


@pytest.mark.parametrize(("field", "value", "message"), [
    ("format_version", 2, "format_version: unsupported version 2 (expected 1)"),
    ("format_version", "x", "format_version: unsupported version 'x' (expected 1)"),
    ("status", "BOGUS", 'status: "BOGUS" is not one of OPTIMAL, FEASIBLE'),
    ("mode", "bogus", 'mode: "bogus" is not one of full, lns'),
])
def test_load_solution_refuses_values_outside_the_format(field, value, message):
    problem = load_problem(EXAMPLES / "dst-change.json")
    data = json.loads(dump_solution(solve(problem, time_limit=2, workers=1)))
    data[field] = value
    with pytest.raises(ProblemError) as error:
        load_solution(data)
    assert any(line.startswith(message) for line in error.value.errors), error.value.errors


def test_check_reports_a_written_start_that_contradicts_block_and_slot(tmp_path, capsys):
    problem = load_problem(EXAMPLES / "dst-change.json")
    data = json.loads(dump_solution(solve(problem, time_limit=2, workers=1)))
    assert check(problem, load_solution(data)).ok
    moved = data["assignments"][0]
    moved["starts_at"] = "2030-01-01T00:00:00Z"
    report = check(problem, load_solution(data))
    assert [v.rule for v in report.hard_violations] == ["talk-once"]
    assert report.hard_violations[0].message.startswith(
        f'talk "{moved["talk"]}" is written to start at 2030-01-01T00:00:00+00:00, but block "{moved["block"]}", '
        f'slot {moved["start_slot"]} starts at ')
    path = tmp_path / "solution.json"
    path.write_text(json.dumps(data))
    assert main(["check", str(EXAMPLES / "dst-change.json"), str(path)]) == 1


def test_check_reports_left_out_talks_that_are_unknown_or_scheduled():
    problem = load_problem(EXAMPLES / "dst-change.json")
    data = json.loads(dump_solution(solve(problem, time_limit=2, workers=1)))
    data["unscheduled"] = ["nope", data["assignments"][0]["talk"]]
    report = check(problem, load_solution(data))
    assert sorted(v.message for v in report.hard_violations) == sorted([
        'unknown talk "nope" in the list of left-out talks',
        f'talk "{data["assignments"][0]["talk"]}" is scheduled and also listed as left out',
    ])


@pytest.mark.parametrize("name", ["negative relaxed weight", "negative similarity penalty", "huge audience weights",
                                  "speaker listed twice", "track similar to itself",
                                  "room penalty beyond 64 bits", "weight beyond the cap", "talk longer than a day",
                                  "capacity beyond the cap", "priority beyond the cap", "slot longer than a day"])
def test_shipped_schema_refuses_the_values_the_loader_refuses(name):
    change = next(case[1] for case in REFUSED_PROBLEMS if case[0] == name)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(_mutated(change), schema("problem"))


def test_load_problem_takes_a_whole_float_as_an_integer_as_json_schema_does():
    data = _mutated(_set("talks.0.slots", 2.0))
    jsonschema.validate(data, schema("problem"))
    assert load_problem(data).talks[0].slots == 2
    with pytest.raises(ProblemError, match=r"talks\[0\]\.slots: expected an integer, got a number"):
        load_problem(_mutated(_set("talks.0.slots", 2.5)))


@pytest.mark.parametrize("text", [" 9:00", "9:00 ", "+9:00", "09:-1"])
def test_load_problem_refuses_a_local_time_that_is_not_two_digits_colon_two_digits(text):
    data = _mutated(_set("civilised_hours", {"start": text, "end": "20:00"}))
    with pytest.raises(ProblemError, match=r'civilised_hours\.start: expected a local time "HH:MM"'):
        load_problem(data)


def test_the_readme_example_problem_loads_and_passes_the_schema():
    readme = (EXAMPLES.parent / "README.md").read_text()
    text = readme.split("## JSON problem format", 1)[1].split("```json\n", 1)[1].split("```", 1)[0]
    data = json.loads(text)
    jsonschema.validate(data, schema("problem"))
    problem = load_problem(data)
    assert [t.id for t in problem.tracks] == ["ml", "data"] and problem.talks[0].track_order == 1
