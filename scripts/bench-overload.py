#!/usr/bin/env python3
"""`make bench-overload`: Switchboard under more load than it can take (issue 18, README "Overload").

Runs `switchboard run` (every service in one process, pub/sub, log level warning, the default limits of
Config/switchboard.json) against a private redis-server, fresh for each case, and drives it over HTTP with
`switchboard bench --mode http --duration S` and `Prefer: wait=10`: closed loops of 64, 1,000 and 4,000
clients (a client shed with 503 waits its Retry-After, 1 s, before the next order), then an open loop at
twice the capacity the 64-client loop measured. For each case: completed orders/s, p50/p99/max of the
orders answered with their final state, the share shed with 503, the slowest answer of any kind, the
process's peak RSS (VmHWM) and the time until one order is again as fast as on an idle system (within
3x its unloaded latency) once the load stops. Writes the table to bench/overload.md.

Usage: bench-overload.py SWITCHBOARD_BINARY [--scale=F] [--output=FILE]
(--scale=F multiplies the durations: 20 s per closed loop and 30 s for the open loop at 1.0.)
"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
bench = __import__("bench")  # scripts/bench.py: System, free_port, redis_cli

ROOT = bench.ROOT
BIN = bench.BIN
SCALE = bench.SCALE
OUTPUT = next((a.split("=", 1)[1] for a in sys.argv if a.startswith("--output=")),
              os.path.join(ROOT, "bench/overload.md"))
WAIT = 10


def seconds(base):
    return max(int(base * SCALE), 5)


def run_case(redis_port, label, options):
    bench.redis_cli(redis_port, "FLUSHALL")
    system = bench.System(redis_port, "pubsub", "one process", "warning")
    try:
        time.sleep(1)
        result = bench.bench(redis_port, "pubsub", "--mode", "http", "--url", f"http://127.0.0.1:{system.http_port}",
                             "--wait", str(WAIT), *options)
        result["peak_rss"] = system.rss("VmHWM") / 1024
    finally:
        system.stop()
    answered = result["completed"] + result["shed"]
    result["shed_share"] = 100 * result["shed"] / max(result["sent"], 1)
    print(f"    {label:30} {result['throughput']:7,.0f} orders/s  p50 {result['p50']:8.1f} ms  "
          f"p99 {result['p99']:8.1f} ms  max {result['max']:8.1f} ms  shed {result['shed_share']:5.1f}%  "
          f"slowest {result['slowest']:8.1f} ms  RSS {result['peak_rss']:6.1f} MB  "
          f"recovery {result['recovery']} ms  ({answered:.0f} answered)", flush=True)
    return label, result


def main():
    if not os.access(BIN, os.X_OK):
        sys.exit(f"{BIN} is not built: run `swift build -c release` first")
    rows = []
    with bench.private_redis() as (port, _):
        closed = seconds(20)
        for clients in [64, 1000, 4000]:
            rows.append(run_case(port, f"closed loop c={clients}, {closed} s",
                                 ["--concurrency", str(clients), "--duration", str(closed)]))
        capacity = int(rows[0][1]["throughput"])
        rate, duration = 2 * capacity, seconds(30)
        rows.append(run_case(port, f"open loop {rate}/s (2x capacity), {duration} s",
                             ["--concurrency", "2000", "--rate", str(rate), "--duration", str(duration)]))

    lines = [
        f"Measured by `make bench-overload` on {os.cpu_count()} cores shared with other work "
        f"({time.strftime('%Y-%m-%d', time.gmtime())}): one `switchboard run` (pub/sub, log level warning, "
        "default limits), a private redis-server, `switchboard bench --mode http` with `Prefer: wait=10` from a "
        "process of its own on the same cores. Figures are noisy: the driver's threads compete with the system.",
        "",
        "Latencies are of orders answered `200` with their final state; *slowest* is the longest any request "
        "took to get its answer (`200`, `202` or `503`); *recovery* is from the end of the load until one order "
        "completes within 3x its unloaded latency.",
        "",
        "| load | sent | completed | orders/s | p50 ms | p99 ms | max ms | shed (503) | slowest ms | errors "
        "| peak RSS | recovery ms |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for label, row in rows:
        lines.append(
            f"| {label} | {row['sent']:,.0f} | {row['completed']:,.0f} | {row['throughput']:,.0f} | {row['p50']:.1f} "
            f"| {row['p99']:.1f} | {row['max']:.1f} | {row['shed_share']:.1f}% | {row['slowest']:.1f} "
            f"| {row['errors']:.0f} | {row['peak_rss']:.1f} MB | {row['recovery']} |")
    bench.write_table(lines, OUTPUT)


if __name__ == "__main__":
    main()
