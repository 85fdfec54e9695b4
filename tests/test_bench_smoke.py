"""The benchmark harness's pure helpers (bench/report.py): no timings, no servers."""

import json

import pytest

from bench.report import (
    Metric,
    markdown_table,
    parse_wrk_summary,
    percentile,
    ratio,
    scaled_limit,
    table,
)


def test_percentile_interpolates_between_closest_ranks():
    # given ten latencies 1..10 in any order
    values = [7, 1, 10, 3, 5, 2, 9, 4, 8, 6]

    # then the ends are the extremes and the middle falls between 5 and 6
    assert percentile(values, 0) == 1.0
    assert percentile(values, 100) == 10.0
    assert percentile(values, 50) == 5.5
    assert percentile(values, 95) == pytest.approx(9.55)


def test_percentile_refuses_no_values_and_out_of_range_p():
    with pytest.raises(ValueError):
        percentile([], 50)
    with pytest.raises(ValueError):
        percentile([1, 2], 101)


def test_ratio_is_ours_over_floor_and_none_without_a_floor():
    assert ratio(30.0, 10.0) == 3.0
    assert ratio(5.0, 0) is None
    assert ratio(None, 2.0) is None
    assert scaled_limit(30, 0.1) == pytest.approx(3.0)


def test_table_lists_every_metric_with_ratio_and_verdict():
    # given two metrics, one met and one missed, one with a note
    metrics = [
        Metric(name="engine throughput", ours="150,000/s", target="≥ 100,000/s", met=True),
        Metric(
            name="full rescore",
            ours="30.00 s",
            floor="10.00 s",
            ratio=3.0,
            target="≤ 20 s and ≤ 3×",
            met=False,
            note="floor: raw psycopg2",
        ),
    ]

    # when the table is printed
    lines = table(metrics).splitlines()

    # then the header, a rule, one row per metric and the note are there, in order
    assert lines[0].split(" | ")[0].strip() == "metric"
    assert lines[2].startswith("engine throughput")
    assert lines[2].endswith("met")
    assert lines[3].startswith("full rescore")
    assert "3.00×" in lines[3]
    assert lines[3].endswith("MISSED")
    assert lines[-1] == "  full rescore: floor: raw psycopg2"
    assert markdown_table(metrics).splitlines()[3] == (
        "| full rescore | 30.00 s | 10.00 s | 3.00× | ≤ 20 s and ≤ 3× | MISSED |"
    )


def test_share_of_floor_prints_as_a_percentage():
    metric = Metric(name="public home", ours="x", ratio=0.25, ratio_label="of floor req/s")

    assert "25 % of floor req/s" in table([metric])


def test_wrk_summary_line_is_parsed_into_rates_and_milliseconds():
    # given wrk's output ending with the JSON line our Lua `done` hook prints
    summary = {
        "requests": 3000,
        "duration_us": 30_000_000,
        "errors": 0,
        "non2xx": 2,
        "p50": 12_000,
        "p90": 30_000,
        "p99": 95_500,
        "mean": 15_000.0,
    }
    output = "Running 30s test @ http://127.0.0.1:8000/\n" + json.dumps(summary) + "\n"

    # when it is parsed
    parsed = parse_wrk_summary(output)

    # then rates and latencies come out in requests per second and milliseconds
    assert parsed == {
        "requests": 3000,
        "seconds": 30.0,
        "rps": 100.0,
        "errors": 0,
        "non2xx": 2,
        "p50_ms": 12.0,
        "p90_ms": 30.0,
        "p99_ms": 95.5,
        "mean_ms": 15.0,
    }
    assert parse_wrk_summary("wrk: connection refused\n") is None


def test_a_metric_started_above_the_core_count_reads_noisy_not_met_or_missed():
    # given the same missed figure taken on a quiet and on an overloaded 2-core machine
    quiet = Metric(name="queue drain", ours="40 s", met=False, load_at_start=1.5, cores=2)
    busy = Metric(name="queue drain", ours="40 s", met=False, load_at_start=3.2, cores=2)
    unjudged = Metric(name="engine", ours="x", met=None, load_at_start=9.0, cores=2)

    # then only the quiet one is judged; the busy one says what it would have read, and why
    assert quiet.verdict == "MISSED"
    assert busy.verdict == "noisy"
    assert unjudged.verdict == "—"
    lines = table([quiet, busy]).splitlines()
    assert lines[2].endswith("MISSED")
    assert lines[3].endswith("noisy")
    assert lines[-1] == "  queue drain: load 3.2 > 2 cores at start, would read MISSED"
    assert markdown_table([busy]).splitlines()[2].endswith("| noisy |")
    assert busy.as_dict()["verdict"] == "noisy"
    # at exactly the core count the figure is still judged
    assert Metric(name="m", ours="x", met=True, load_at_start=2.0, cores=2).verdict == "met"
