"""HTTP load: wrk driven from Python, or a small threaded load generator when wrk is absent."""

from __future__ import annotations

import http.client
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from bench.report import parse_wrk_summary, percentile

# Printed once at the end of a run: totals and latency percentiles in microseconds, as JSON.
WRK_LUA = r"""
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests":%d,"duration_us":%d,"errors":%d,"non2xx":%d,' ..
    '"p50":%d,"p90":%d,"p99":%d,"mean":%.1f}\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.mean))
end
"""


def ensure_wrk(log) -> str | None:
    """wrk's path; installs Debian's package with apt-get when it is missing and apt is here."""
    found = shutil.which("wrk")
    if found:
        return found
    apt = shutil.which("apt-get")
    if apt:
        log("wrk가 없어 apt-get으로 설치합니다 / installing wrk with apt-get")
        prefix = [] if _is_root() else ["sudo", "-n"]
        for args in (["update", "-qq"], ["install", "-y", "-qq", "wrk"]):
            subprocess.run([*prefix, apt, *args], check=False, capture_output=True)  # noqa: S603
    return shutil.which("wrk")


def _is_root() -> bool:
    import os

    return os.geteuid() == 0


class Wrk:
    """Runs wrk with a fixed number of connections for a fixed time; returns the summary."""

    name = "wrk"

    def __init__(self, path: str, *, threads: int = 2):
        self.path = path
        self.threads = threads
        folder = Path(tempfile.mkdtemp(prefix="portal-bench-wrk-"))
        self.script = folder / "summary.lua"
        self.script.write_text(WRK_LUA)

    def run(self, url: str, *, connections: int, seconds: float, headers: dict) -> dict:
        args = [
            self.path,
            f"-t{min(self.threads, connections)}",
            f"-c{connections}",
            f"-d{max(1, round(seconds))}s",
            "--timeout",
            "10s",
            "-s",
            str(self.script),
        ]
        for key, value in headers.items():
            args += ["-H", f"{key}: {value}"]
        # wrk with arguments built here; the URL is always this script's own server.
        done = subprocess.run([*args, url], capture_output=True, text=True, check=False)  # noqa: S603
        summary = parse_wrk_summary(done.stdout)
        if summary is None:
            raise RuntimeError(f"wrk failed: {done.stdout}\n{done.stderr}")
        return summary


class PythonLoad:
    """The fallback: `connections` threads, each with a keep-alive connection, for `seconds`."""

    name = "python (wrk unavailable)"

    def run(self, url: str, *, connections: int, seconds: float, headers: dict) -> dict:
        from urllib.parse import urlsplit

        parts = urlsplit(url)
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        latencies: list[float] = []
        counts = {"errors": 0, "non2xx": 0}
        lock = threading.Lock()
        deadline = time.perf_counter() + seconds

        def client():
            mine, errors, non2xx = [], 0, 0
            conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                try:
                    conn.request("GET", target, headers=headers)
                    response = conn.getresponse()
                    response.read()
                    if response.status >= 400:
                        non2xx += 1
                    if response.getheader("Connection", "").lower() == "close":
                        conn.close()
                except (OSError, http.client.HTTPException):
                    errors += 1
                    conn.close()
                    continue
                mine.append(time.perf_counter() - started)
            conn.close()
            with lock:
                latencies.extend(mine)
                counts["errors"] += errors
                counts["non2xx"] += non2xx

        started = time.perf_counter()
        threads = [threading.Thread(target=client) for _ in range(connections)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - started
        if not latencies:
            raise RuntimeError(f"no successful request to {url}")
        return {
            "requests": len(latencies),
            "seconds": elapsed,
            "rps": len(latencies) / elapsed,
            "errors": counts["errors"],
            "non2xx": counts["non2xx"],
            "p50_ms": percentile(latencies, 50) * 1000,
            "p90_ms": percentile(latencies, 90) * 1000,
            "p99_ms": percentile(latencies, 99) * 1000,
            "mean_ms": sum(latencies) / len(latencies) * 1000,
        }


def load_tool(log):
    path = ensure_wrk(log)
    if path:
        return Wrk(path)
    log("wrk를 설치할 수 없어 파이썬 부하 생성기를 씁니다 / wrk unavailable: using Python load")
    return PythonLoad()
