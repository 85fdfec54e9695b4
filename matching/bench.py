"""Evaluations per second of the pure engine: `python -m matching.bench [N]` (no database)."""

import random
import sys
import time

from matching.scoring import ProposalInput, compile_rules, default_rules, evaluate
from matching.scoring.explain import explain

INDUSTRIES = ["semiconductor", "robot", "ai", "bio", "display", "defense", None]
USES = ["facility", "mna", "rnd", "growth_equity", "ai_data_center", "power_grid", "shared_infra"]
REGIONS = ["seoul", "gyeonggi", "ulsan", "gyeongnam", "busan", "jeonnam", None]
REMAINING = {
    "direct": 15 * 10**12,
    "indirect": 35 * 10**12,
    "loan": 50 * 10**12,
    "infra": 50 * 10**12,
}


def synthetic(n: int, seed: int = 7) -> list[ProposalInput]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        total = rng.randrange(10, 30_000) * 10**8
        requested = rng.randrange(1, total // 10**8 + 1) * 10**8
        out.append(
            ProposalInput(
                i,
                rng.choice(INDUSTRIES),
                frozenset(rng.sample(USES, rng.randint(1, 2))),
                rng.choice(["corporate", "jv", "spc"]),
                rng.choice(REGIONS),
                rng.choice([None, *range(1, 10)]),
                rng.random() < 0.5,
                total,
                requested,
                rng.randrange(0, total - requested + 1),
                rng.choice([None, total * rng.randint(0, 3)]),
                rng.choice([None, rng.randint(0, 500)]),
                rng.choice(["large", "middle", "sme", "startup"]),
                rng.randint(0, 3),
                rng.randint(0, 1),
            )
        )
    return out


def main(n: int) -> None:
    rules = compile_rules(default_rules(), version=1)
    proposals = synthetic(n)
    channels = [(c, REMAINING[c.code]) for c in rules.channels]
    started = time.perf_counter()
    for p in proposals:
        for channel, left in channels:
            evaluate(channel, p, left)
    elapsed = time.perf_counter() - started
    print(f"score only : {n * 4:,} evaluations in {elapsed:.2f}s = {n * 4 / elapsed:,.0f}/s")
    sample = proposals[: n // 10]
    started = time.perf_counter()
    for p in sample:
        for channel, left in channels:
            explain(channel, evaluate(channel, p, left), p, left)
    elapsed = time.perf_counter() - started
    print(f"with reasons: {len(sample) * 4 / elapsed:,.0f}/s")


if __name__ == "__main__":
    import django

    django.setup()
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
