"""Local-hour penalties follow each person's zone across daylight-saving changes."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from scheduler import Block, HourBand, Person, Problem, Room, Solution, Talk, check, solve
from scheduler.io import load_problem
from scheduler.timegrid import Grid

BANDS = (HourBand(time(9), time(17), 0),)


def _one_talk(day_start: datetime, zone: str) -> Problem:
    return Problem(blocks=(Block("day", day_start, 1),), rooms=(Room("r"),), slot_minutes=60,
                   talks=(Talk("t", speakers=("p",)),),
                   people=(Person("p", time_zone=zone, local_hour_bands=BANDS, unsuitable_penalty=7),))


def _penalty(problem: Problem) -> int:
    solution = Solution("FEASIBLE", assignments=(
        __import__("scheduler").Assignment("t", "r", "day", 0),))
    return check(problem, solution).soft_terms["speaker-local-hours"]


def test_london_talk_at_0830_utc_is_unsuitable_before_dst_change_and_fine_after():
    # 08:30 UTC is 09:30 BST on 24 Oct 2026 but 08:30 GMT on 26 Oct (clocks go back on the 25th).
    assert _penalty(_one_talk(datetime(2026, 10, 24, 8, 30, tzinfo=UTC), "Europe/London")) == 0
    assert _penalty(_one_talk(datetime(2026, 10, 26, 8, 30, tzinfo=UTC), "Europe/London")) == 7


def test_new_york_talk_follows_november_dst_change():
    # 13:30 UTC is 09:30 EDT on 31 Oct 2026 but 08:30 EST on 2 Nov (clocks go back on 1 Nov).
    assert _penalty(_one_talk(datetime(2026, 10, 31, 13, 30, tzinfo=UTC), "America/New_York")) == 0
    assert _penalty(_one_talk(datetime(2026, 11, 2, 13, 30, tzinfo=UTC), "America/New_York")) == 7


def test_solver_and_checker_agree_across_dst_days():
    problem = load_problem(__import__("pathlib").Path(__file__).resolve().parents[2]
                           / "scheduler" / "examples" / "dst-change.json")
    solution = solve(problem, time_limit=5)
    report = check(problem, solution)
    assert solution.status == "OPTIMAL"
    assert report.ok
    assert dict(report.soft_terms) == dict(solution.soft_terms)


def test_solver_picks_the_block_that_is_daytime_after_the_change():
    blocks = (Block("before", datetime(2026, 10, 24, 8, 30, tzinfo=UTC), 1),
              Block("after", datetime(2026, 10, 26, 8, 30, tzinfo=UTC), 1))
    problem = Problem(blocks=blocks, rooms=(Room("r"),), slot_minutes=60, talks=(Talk("t", speakers=("p",)),),
                      people=(Person("p", time_zone="Europe/London", local_hour_bands=BANDS),))
    assert solve(problem, time_limit=5).assignments[0].block == "before"


def test_a_block_start_given_in_a_zone_keeps_slots_an_hour_apart_across_the_change():
    # 00:00 London on 25 Oct 2026 is 23:00 UTC the day before; clocks go back at 02:00 BST.
    block = Block("night", datetime(2026, 10, 25, 0, 0, tzinfo=ZoneInfo("Europe/London")), 4)
    problem = Problem(blocks=(block,), rooms=(Room("r"),), talks=(Talk("t", slots=2),), slot_minutes=60)
    instants = Grid.of(problem).instants
    assert [i.astimezone(UTC).hour for i in instants] == [23, 0, 1, 2]
    solution = solve(problem, time_limit=2, workers=1)
    placed = solution.assignments[0]
    assert placed.ends_at - placed.starts_at == timedelta(hours=2)
    assert check(problem, solution).ok
