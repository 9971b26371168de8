"""The plateau harness runs each half of the solver alone and prints figures that add up."""

from bench import solver_parts
from bench.generate import generate
from scheduler import check, solve


def test_annealing_alone_improves_the_constructed_schedule_with_a_fixed_budget(capsys):
    assert solver_parts.main(["anneal", "--talks", "50", "--seed", "3", "--moves", "20000"]) == 0
    line = capsys.readouterr().out
    start, final = (int(x) for x in line.split(": ")[1].split(" in ")[0].split(" -> "))
    assert final < start
    # Same seed and budget: the same schedule, whatever the clock says.
    again = solver_parts.anneal(50, 3, 20000)
    assert (again["start"], again["final"]) == (start, final)


def test_lagrangian_alone_stays_below_a_checked_schedule():
    result = solver_parts.lagrangian(50, 2, 10.5, marks=(1, 10))
    marks = [b for b in result["at"].values() if b is not None]
    assert marks == sorted(marks) and marks
    solution = solve(generate(50, 2), time_limit=10, workers=2, seed=2)
    assert check(generate(50, 2), solution).ok
    assert result["final"] <= solution.objective
    assert result["final"] <= result["target"]


def test_step_timing_reports_both_forms(capsys):
    assert solver_parts.main(["steps", "--talks", "50", "--seed", "1"]) == 0
    line = capsys.readouterr().out
    assert "rooms form" in line and "counting form" in line
    timings = solver_parts.steps(50, 1, repeats=3)
    assert set(timings) == {"rooms", "counting"} and all(ms > 0 for ms in timings.values())


def test_small_compares_both_solve_modes_on_one_instance(capsys):
    threshold = solver_parts.solver.HYBRID_MIN_TALKS
    assert solver_parts.main(["small", "--talks", "24", "--seed", "2", "--seconds", "3"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in lines] == ["full model", "hybrid"]
    problem = generate(24, 2)
    for line in lines:
        objective = int(line.split(" objective ")[1].split()[0])
        bound = float(line.split(" bound ")[1].split()[0])
        assert bound <= objective
    # The patched threshold is restored.
    assert threshold == solver_parts.solver.HYBRID_MIN_TALKS
    assert check(problem, solve(problem, time_limit=2, workers=2, seed=1)).ok


def test_gap_split_is_consistent_with_the_schedule_and_its_bounds(capsys):
    assert solver_parts.main(["gap", "--talks", "50", "--seed", "3", "--moves", "30000", "--seconds", "2"]) == 0
    assert "coupling credited beyond the fixed part" in capsys.readouterr().out
    r = solver_parts.gap(50, 3, 30000, 2.0)
    assert r["placement"] + r["coupling"] == r["objective"]
    # The schedule is feasible without coupling too, where it costs its placement terms.
    assert r["cheapest"] <= r["placement_bound"] <= r["placement"]
    assert r["cheapest"] <= r["bound"] <= r["objective"]
    assert 0 <= r["fixed_coupling"] <= r["coupling"]


def test_lagrangian_and_steps_take_the_largest_exact_part(capsys):
    assert solver_parts.main(["lagrangian", "--talks", "50", "--seed", "2", "--seconds", "2", "--tracks", "0"]) == 0
    assert solver_parts.main(["steps", "--talks", "50", "--seed", "2", "--tracks", "3"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "exact parts of <= 0 tracks" in lines[0] and "exact parts of <= 3 tracks" in lines[1]
    relaxed = solver_parts.lagrangian(50, 2, 2.0, marks=(2,), exact_tracks=0)
    exact = solver_parts.lagrangian(50, 2, 2.0, marks=(2,))
    # Both are bounds on the schedule the steps aim at.
    assert relaxed["final"] <= relaxed["target"] and exact["final"] <= exact["target"]


def test_moves_reports_both_kernel_forms(capsys):
    assert solver_parts.main(["moves", "--talks", "30", "--seed", "2", "--moves", "16000", "--rounds", "1"]) == 0
    line = capsys.readouterr().out
    compiled = float(line.split("compiled ")[1].split()[0])
    plain = float(line.split("plain Python ")[1].split()[0])
    assert compiled > 0 and plain > 0 and "ratio" in line


def test_terms_switches_each_subset_of_the_coupling_terms(capsys):
    rows = solver_parts.terms(40, 2, 20000, 1.0)
    assert [row["on"] for row in rows][0] == () and rows[-1]["on"] == solver_parts.COUPLING
    assert len({row["on"] for row in rows}) == 2 ** len(solver_parts.COUPLING)
    for row in rows:
        assert row["bound"] <= row["objective"]
    # With every term on, the problem is the generated one: the same schedule as `anneal`.
    assert rows[-1]["objective"] == solver_parts.anneal(40, 2, 20000)["final"]
    # Alone the three terms add 10, 20 and 1 to 100; together they add 50, 19 more than 31.
    att, sim, coh = solver_parts.COUPLING
    made = [{"on": (), "x": 100}, {"on": (att,), "x": 110}, {"on": (sim,), "x": 120}, {"on": (coh,), "x": 101},
            {"on": (att, sim), "x": 140}, {"on": solver_parts.COUPLING, "x": 150}]
    assert solver_parts.interaction(made, "x") == 19
    assert solver_parts.main(["terms", "--talks", "40", "--seed", "2", "--moves", "20000", "--seconds", "1"]) == 0
    out = capsys.readouterr().out
    assert "no coupling" in out and "beyond the sum of each alone" in out
