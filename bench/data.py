"""Bench fixtures written in SQL, and the raw psycopg2 floor of the full rescore.

Putting 100,000 proposals into the fund's pipeline through the referral service would take
longer than every benchmark together, so the pipeline is filled here with the rows that
service and the intake would write: a referral packet per proposal (acknowledged), the fund
inbox row, the FundReview at a stage, and the proposal's status and stage. The queue-drain
benchmark gets real pending referral packets the same way; their delivery is then done by the
real worker through the real code.
"""

from __future__ import annotations

import io

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

_PROPOSALS_REFERRED = """
UPDATE alliance_proposal SET status = 'referred', version = version + 1, updated_at = now()
WHERE id BETWEEN %(lo)s AND %(hi)s AND status = 'submitted'
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


def pending_referrals(conn, *, lo, hi, rule_set, version, keit) -> list[str]:
    """Referral packets, pending (as KEIT's refer leaves them), for proposals lo..hi."""
    params = _params(lo, hi, rule_set, version, keit, None, "pending")
    with conn, conn.cursor() as cur:
        cur.execute(_BEST, params)
        _load_matches(conn, cur, params)
        cur.execute(_PACKETS + " RETURNING id", params)
        ids = [str(row[0]) for row in cur.fetchall()]
        cur.execute(_PROPOSALS_REFERRED, params)
    return ids


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


def rescore_floor(conn, rows: io.StringIO) -> tuple[float, int]:
    """SELECT the engine's inputs, then COPY the same result rows into a copy of the table
    (same columns, indexes and unique constraint). Returns (seconds, input rows read)."""
    import time

    with conn.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS bench_floor_matchresult")
        cur.execute(
            "CREATE TABLE bench_floor_matchresult (LIKE matching_matchresult INCLUDING ALL)"
        )
    conn.commit()
    started = time.perf_counter()
    with conn.cursor() as cur:
        cur.execute(INPUT_SQL)
        read = len(cur.fetchall())
        cur.copy_expert(f"COPY bench_floor_matchresult ({RESULT_COLUMNS}) FROM STDIN", rows)
    conn.commit()
    elapsed = time.perf_counter() - started
    with conn.cursor() as cur:
        cur.execute("DROP TABLE bench_floor_matchresult")
    conn.commit()
    return elapsed, read
