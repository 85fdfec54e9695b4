#!/usr/bin/env python3
"""Container health checks for docker-compose.yml (standard library only, no Django start-up).

    healthcheck.py web [--port 8000]       GET /healthz, healthy on 200
    healthcheck.py beat SCHEDULE [--max-age 600]
                                           healthy if beat wrote its schedule file recently

The web probe sends a Host header that DJANGO_ALLOWED_HOSTS accepts (the container's own
address usually is not in the list) and says it came over HTTPS, as the TLS proxy would.
Exit status 0 is healthy, 1 is not; one line on stdout says why.
"""

import argparse
import glob
import os
import sys
import time
import urllib.error
import urllib.request


def allowed_host() -> str:
    """First usable DJANGO_ALLOWED_HOSTS entry: '.example.kr' becomes 'example.kr'."""
    for entry in os.environ.get("DJANGO_ALLOWED_HOSTS", "").split(","):
        host = entry.strip().lstrip(".")
        if host and host != "*":
            return host
    return "localhost"


def check_web(port: int, timeout: float) -> tuple[bool, str]:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/healthz",
        headers={"Host": allowed_host(), "X-Forwarded-Proto": "https"},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return response.status == 200, f"{response.status} {response.read().decode()}"
    except urllib.error.HTTPError as exc:  # 503 and friends carry the JSON that says why
        return False, f"{exc.code} {exc.read().decode(errors='replace')}"
    except OSError as exc:
        return False, f"no answer: {exc}"


def check_beat(schedule: str, max_age: float) -> tuple[bool, str]:
    # The shelve behind the schedule is one file or several (.db, .dat/.dir/.bak) by dbm flavour.
    files = glob.glob(glob.escape(schedule) + "*")
    if not files:
        return False, f"no schedule file at {schedule}"
    age = time.time() - max(os.path.getmtime(path) for path in files)
    return age <= max_age, f"schedule written {age:.0f}s ago (limit {max_age:.0f}s)"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    web = commands.add_parser("web")
    web.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    web.add_argument("--timeout", type=float, default=5.0)
    beat = commands.add_parser("beat")
    beat.add_argument("schedule")
    beat.add_argument("--max-age", type=float, default=600.0)
    args = parser.parse_args(argv)

    if args.command == "web":
        ok, detail = check_web(args.port, args.timeout)
    else:
        ok, detail = check_beat(args.schedule, args.max_age)
    print(detail)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
