"""Bench fixtures written in SQL, and the raw psycopg2 floor of the full rescore.

Putting 100,000 proposals into the fund's pipeline through the referral service would take
longer than every benchmark together, so the pipeline is filled here with the rows that
service and the intake would write: a referral packet per proposal (acknowledged), the fund
inbox row, the FundReview at a stage, and the proposal's status and stage. The queue drain
does not use these: its referrals go through KEIT's bulk referral service and the real worker.
"""

from __future__ import annotations

import io
import os

STAGES_BY_TENTH = (
    # proposal id % 10 -> stage: most of a pipeline is early, a tenth is decided.
    "received",
    "received",
    "received",
    "received",
    "prescreen",
    "prescreen",
    "committee",
    "committee",
    "council",
    "decided",
)

_BEST = """
CREATE TEMP TABLE bench_best ON COMMIT DROP AS
SELECT DISTINCT ON (mr.proposal_id) mr.proposal_id, mr.channel_code, mr.score
FROM matching_matchresult mr
WHERE mr.rule_set_id = %(rule_set)s AND mr.proposal_id BETWEEN %(lo)s AND %(hi)s
ORDER BY mr.proposal_id, mr.eligible DESC, mr.score DESC, mr.channel_code
"""

_MATCHES = """
CREATE TEMP TABLE bench_matches (proposal_id bigint PRIMARY KEY, results jsonb NOT NULL)
ON COMMIT DROP
"""

# The stored results of the proposals that get a packet. Two single-table reads (their plans
# do not depend on fresh statistics after the bulk load); joined and ordered in Python.
_MATCH_PROPOSALS = """
SELECT id FROM alliance_proposal WHERE id BETWEEN %(lo)s AND %(hi)s AND status = 'submitted'
"""
_MATCH_ROWS = """
SELECT proposal_id, channel_code, eligible, score, trace FROM matching_matchresult
WHERE rule_set_id = %(rule_set)s AND proposal_id BETWEEN %(lo)s AND %(hi)s
"""

_PACKETS = """
INSERT INTO fund_coordinationpacket (
  id, sequence, kind, direction, payload, state, attempts, next_attempt_at, last_sent_at,
  delivered_at, acknowledged_at, last_error, created_at, acknowledged_by_id, created_by_id,
  proposal_id)
SELECT gen_random_uuid(), nextval('fund_coordinationpacket_sequence_seq'), 'referral',
  'keit_to_kdb',
  jsonb_build_object(
    'proposal', jsonb_build_object('id', p.id, 'title', p.title,
                                   'requested_krw', p.requested_krw, 'region', p.region),
    'match_results', COALESCE(m.results, '[]'::jsonb),
    'rule_version', CASE WHEN m.results IS NULL THEN NULL ELSE %(version)s END,
    'note', '',
    'proposed_channel', COALESCE(b.channel_code, NULLIF(p.preferred_channel, ''), 'loan'),
    'referred_by', 'keit',
    'referred_at', now()),
  %(state)s, 1,
  CASE WHEN %(state)s = 'pending' THEN now() + interval '1 hour' END,
  now(),
  CASE WHEN %(state)s = 'pending' THEN NULL ELSE now() END,
  CASE WHEN %(state)s = 'acknowledged' THEN now() END,
  '', now(),
  CASE WHEN %(state)s = 'acknowledged' THEN %(kdb)s::bigint END,
  %(keit)s, p.id
FROM alliance_proposal p
LEFT JOIN bench_best b ON b.proposal_id = p.id
LEFT JOIN bench_matches m ON m.proposal_id = p.id
WHERE p.id BETWEEN %(lo)s AND %(hi)s AND p.status = 'submitted'
"""

_INBOX = """
INSERT INTO fund_fundinbox (packet_id, proposal_id, received_at)
SELECT id, proposal_id, now() FROM fund_coordinationpacket
WHERE kind = 'referral' AND proposal_id BETWEEN %(lo)s AND %(hi)s
"""

_REVIEWS = """
INSERT INTO fund_fundreview (
  proposal_id, referral_id, channel, score, rule_version, requested_krw, stage,
  stage_entered_at, keit_note, decision, decided_channel, approved_krw, conditions,
  decided_at, info_question, received_at, decided_by_id, reviewer_id, decision_results)
SELECT c.proposal_id, c.id, c.payload->>'proposed_channel', COALESCE(b.score, 0),
  CASE WHEN b.score IS NULL THEN NULL ELSE %(version)s END,
  COALESCE(p.requested_krw, 0), s.stage,
  now() - (p.id %% 97) * interval '1 day' - (p.id %% 1440) * interval '1 minute',
  '',
  CASE WHEN s.stage = 'decided' THEN
    CASE WHEN p.id %% 20 = 9 THEN 'deferred' ELSE 'rejected' END ELSE '' END,
  '', NULL, '',
  CASE WHEN s.stage = 'decided' THEN now() END,
  '', now(), NULL, NULL, '[]'::jsonb
FROM fund_coordinationpacket c
JOIN alliance_proposal p ON p.id = c.proposal_id
LEFT JOIN bench_best b ON b.proposal_id = c.proposal_id
CROSS JOIN LATERAL (
  SELECT (%(stages)s::text[])[(p.id %% 10) + 1] AS stage
) s
WHERE c.kind = 'referral' AND c.proposal_id BETWEEN %(lo)s AND %(hi)s
"""

_PROPOSALS_IN_REVIEW = """
UPDATE alliance_proposal p
SET status = CASE WHEN r.stage = 'decided' THEN 'decided' ELSE 'in_review' END,
    stage = r.stage, version = p.version + 2, updated_at = now()
FROM fund_fundreview r
WHERE r.proposal_id = p.id AND p.id BETWEEN %(lo)s AND %(hi)s
"""


def _params(lo, hi, rule_set, version, keit, kdb, state):
    return {
        "lo": lo,
        "hi": hi,
        "rule_set": rule_set,
        "version": version,
        "keit": keit,
        "kdb": kdb,
        "state": state,
        "stages": list(STAGES_BY_TENTH),
    }


def _load_matches(conn, cur, params: dict) -> None:
    """`bench_matches`: per proposal, the `match_results` list a real referral would carry.

    The reasons are rendered from each result's trace with the rule set's compiled rules, as
    MatchResult.breakdown / .hints render them for fund.coordination.match_snapshot, then
    copied in a few thousand proposals at a time (each proposal's list is a few kilobytes).
    """
    import json
    from itertools import groupby

    from fund.capacity.models import Channel
    from matching.models import RuleSet, compiled_rule_set
    from matching.scoring import render

    rule_set = RuleSet.objects.get(pk=params["rule_set"])
    compiled = {channel.code: channel for channel in compiled_rule_set(rule_set).channels}
    order = dict(Channel.objects.values_list("code", "order"))
    cur.execute(_MATCHES)
    cur.execute(_MATCH_PROPOSALS, params)
    submitted = {row[0] for row in cur.fetchall()}

    def flush(buffer: io.StringIO) -> io.StringIO:
        buffer.seek(0)
        cur.copy_expert("COPY bench_matches (proposal_id, results) FROM STDIN", buffer)
        return io.StringIO()

    buffer, pending = io.StringIO(), 0
    with conn.cursor(name="bench_match_rows") as rows:
        rows.itersize = 20_000
        rows.execute(_MATCH_ROWS + " ORDER BY proposal_id", params)
        for proposal_id, group in groupby(rows, key=lambda row: row[0]):
            if proposal_id not in submitted:
                continue
            results = []
            for _pid, channel, eligible, score, trace in sorted(
                group, key=lambda row: order[row[1]]
            ):
                if isinstance(trace, str):
                    trace = json.loads(trace)
                # Rows stored before traces existed keep their reasons under "text".
                reasons = trace["text"] if "text" in trace else render(compiled[channel], trace)
                results.append(
                    {
                        "channel": channel,
                        "eligible": eligible,
                        "score": score,
                        "breakdown": reasons["breakdown"],
                        "hints": reasons["hints"],
                        "rule_version": rule_set.version,
                    }
                )
            text = json.dumps(results, ensure_ascii=False).replace("\\", "\\\\")
            buffer.write(f"{proposal_id}\t{text}\n")
            pending += 1
            if pending == 5000:
                buffer, pending = flush(buffer), 0
    flush(buffer)
    cur.execute("ANALYZE bench_matches")


def fill_pipeline(conn, *, lo, hi, rule_set, version, keit, kdb) -> int:
    """Put the submitted proposals with ids lo..hi into the fund's pipeline; returns how many."""
    params = _params(lo, hi, rule_set, version, keit, kdb, "acknowledged")
    with conn, conn.cursor() as cur:
        cur.execute(_BEST, params)
        _load_matches(conn, cur, params)
        cur.execute(_PACKETS, params)
        cur.execute(_INBOX, params)
        cur.execute(_REVIEWS, params)
        count = cur.rowcount
        cur.execute(_PROPOSALS_IN_REVIEW, params)
    with conn.cursor() as cur:
        conn.autocommit = True
        cur.execute("VACUUM ANALYZE fund_fundreview")
        cur.execute("VACUUM ANALYZE fund_coordinationpacket")
        cur.execute("VACUUM ANALYZE alliance_proposal")
        conn.autocommit = False
    return count


# ---------------------------------------------------------------------------------------------
# The rescore floor: the same input columns read, the same result rows written with COPY, and
# nothing else (no engine, no explanations, no upsert, no batching, no broker).

INPUT_SQL = """
SELECT p.id, i.code, p.fund_uses, p.structure, p.region, p.trl, p.ai_related,
       p.total_cost_krw, p.requested_krw, p.private_coinvest_krw,
       p.expected_value_added_krw, p.expected_jobs, f.size_class,
       COALESCE(pp.n, 0), COALESCE(pp.sme, 0)
FROM alliance_proposal p
JOIN alliance_firm f ON f.id = p.firm_id
LEFT JOIN alliance_industry i ON i.id = p.industry_id
LEFT JOIN (
  SELECT x.proposal_id, count(*) AS n,
         count(*) FILTER (WHERE y.size_class IN ('sme', 'startup')) AS sme
  FROM alliance_proposalpartner x JOIN alliance_firm y ON y.id = x.firm_id
  GROUP BY x.proposal_id
) pp ON pp.proposal_id = p.id
WHERE p.status IN ('submitted', 'info_requested', 'referred', 'in_review', 'decided')
ORDER BY p.id
"""

RESULT_COLUMNS = (
    "eligible, score, trace, fingerprint, computed_at, channel_code, proposal_id, rule_set_id"
)


def result_rows(conn, rule_set: int) -> io.StringIO:
    """The rows the worker wrote for `rule_set`, in COPY text format (not timed)."""
    buffer = io.StringIO()
    with conn.cursor() as cur:
        # COPY takes no parameters; the only value is an int() of our own rule-set id.
        cur.copy_expert(
            f"COPY (SELECT {RESULT_COLUMNS} FROM matching_matchresult "  # noqa: S608
            f"WHERE rule_set_id = {int(rule_set)}) TO STDOUT",
            buffer,
        )
    conn.commit()
    buffer.seek(0)
    return buffer


def cpu_seconds(pids) -> dict[int, float]:
    """User + system CPU seconds each process has used so far (Linux /proc; gone ones left out)."""
    import os

    tick = os.sysconf("SC_CLK_TCK")
    used = {}
    for pid in pids:
        try:
            fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        used[pid] = (int(fields[11]) + int(fields[12])) / tick
    return used


def process_tree(pid: int) -> list[int]:
    """`pid` and every process below it (a Celery worker and its pool)."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as children:
                    todo.extend(int(c) for c in children.read().split())
        except OSError:
            continue
    return found


def rescore_floor(params: dict, rows: io.StringIO, streams: int = 2) -> dict:
    """SELECT the engine's inputs, then COPY the same result rows into a copy of the table
    (same columns, indexes and unique constraint), in `streams` parallel connections, each
    taking the proposals whose id modulo `streams` is its number (the same parallelism as the
    worker's processes). Returns seconds, input rows read and the CPU seconds used by the
    client threads and their PostgreSQL server processes."""
    import threading
    import time

    import psycopg2

    parts = [io.StringIO() for _ in range(streams)]
    for line in rows.getvalue().splitlines(keepends=True):
        proposal_id = int(line.split("\t")[6])
        parts[proposal_id % streams].write(line)
    for part in parts:
        part.seek(0)
    conns = [psycopg2.connect(**params) for _ in range(streams)]
    with conns[0].cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS bench_floor_matchresult")
        cur.execute(
            "CREATE TABLE bench_floor_matchresult (LIKE matching_matchresult INCLUDING ALL)"
        )
    conns[0].commit()
    backends = [c.get_backend_pid() for c in conns]
    read, client_cpu, failures = [0] * streams, [0.0] * streams, []
    start = threading.Barrier(streams + 1)

    def stream(k: int) -> None:
        try:
            start.wait()
            cpu = time.thread_time()
            with conns[k].cursor() as cur:
                cur.execute(
                    INPUT_SQL.replace("ORDER BY", "AND p.id %% %s = %s ORDER BY"), [streams, k]
                )
                read[k] = len(cur.fetchall())
                cur.copy_expert(
                    f"COPY bench_floor_matchresult ({RESULT_COLUMNS}) FROM STDIN", parts[k]
                )
            conns[k].commit()
            client_cpu[k] = time.thread_time() - cpu
        except Exception as exc:  # reported by the caller, never swallowed
            failures.append(repr(exc))

    threads = [threading.Thread(target=stream, args=(k,)) for k in range(streams)]
    for t in threads:
        t.start()
    server_before = cpu_seconds(backends)
    start.wait()
    started = time.perf_counter()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    server_after = cpu_seconds(backends)
    if failures:
        raise SystemExit(f"the rescore floor failed: {failures}")
    with conns[0].cursor() as cur:
        cur.execute("DROP TABLE bench_floor_matchresult")
    conns[0].commit()
    for c in conns:
        c.close()
    server = sum(server_after.get(p, 0) - server_before.get(p, 0) for p in backends)
    return {
        "seconds": elapsed,
        "read": sum(read),
        "streams": streams,
        "client_cpu_seconds": sum(client_cpu),
        "server_cpu_seconds": server,
        "cpu_seconds": sum(client_cpu) + server,
    }
