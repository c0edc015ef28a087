#!/usr/bin/env python3
"""`make bench`: the broker's ceiling and Switchboard's numbers, measured the same way every time.

Starts a private redis-server, measures PUBLISH and XADD with redis-benchmark, then for each transport
runs the services and drives them with `switchboard bench` (release build): in bus mode (bare
`order.created` published straight to Redis) and HTTP mode (closed loop, open loop, one client). Beside
throughput and latency, every row reports what an order costs: CPU of the switchboard processes (from
/proc), CPU of redis-server, and Redis commands (from INFO commandstats, Lua/Function calls included),
each per completed order and counted from when the driver starts sending orders (the requests that
measure its own ceiling first are left out). The system runs as one process with every service at log
level `warning`, again at the default level `info`, and as five processes (one per service and the
ingress), as in production. Prints one table and writes it to bench/results.md.

Usage: bench.py SWITCHBOARD_BINARY [--quick | --scale=F] [--output=FILE]
(--quick runs a tenth of the orders, --scale=F a fraction F; --output writes the table elsewhere than
bench/results.md, e.g. to measure an older build beside this one.)
"""
import contextlib
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = sys.argv[1] if len(sys.argv) > 1 and not sys.argv[1].startswith("--") else os.path.join(
    ROOT, ".build/release/switchboard")
SCALE = 0.1 if "--quick" in sys.argv else next(
    (float(a.split("=", 1)[1]) for a in sys.argv if a.startswith("--scale=")), 1.0)
OUTPUT = next((a.split("=", 1)[1] for a in sys.argv if a.startswith("--output=")),
              os.path.join(ROOT, "bench/results.md"))
CONFIG = os.path.join(ROOT, "Config/switchboard.json")
PAYLOAD = ('{"orderId":"o-1","customerId":"c-1","items":[{"sku":"BOOK-1","quantity":1}],'
           '"payment":{"card":"4242424242424242"}}')
TICKS = os.sysconf("SC_CLK_TCK")
SERVICES = ["order", "stock", "payment", "notification", "ingress"]


def scaled(count):
    return max(int(count * SCALE), 200)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_redis(workdir):
    """A private redis-server without persistence on a free port, once it answers; returns (port, process)."""
    port = free_port()
    redis = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                              "--appendonly", "no", "--dir", workdir, "--logfile", f"{workdir}/redis.log"])
    for _ in range(100):
        if subprocess.run(["redis-cli", "-p", str(port), "PING"], capture_output=True).returncode == 0:
            break
        time.sleep(0.05)
    return port, redis


@contextlib.contextmanager
def private_redis():
    """A redis-server of its own on a free port, without persistence; yields (port, pid), then stops it."""
    workdir = subprocess.run(["mktemp", "-d", "/tmp/switchboard-bench-XXXXXX"], capture_output=True, text=True,
                             check=True).stdout.strip()
    port, redis = start_redis(workdir)
    try:
        yield port, redis.pid
    finally:
        redis.terminate()
        redis.wait(timeout=10)
        subprocess.run(["rm", "-rf", workdir])


def write_table(lines, output):
    """Prints the table and writes it to `output`."""
    table = "\n".join(lines)
    print("\n" + table)
    os.makedirs(os.path.dirname(output), exist_ok=True)
    with open(output, "w") as out:
        out.write(table + "\n")


def cpu_seconds(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def memory_kib(pid, field):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def redis_cli(port, *args):
    return subprocess.run(["redis-cli", "-p", str(port), *args], capture_output=True, text=True, check=True).stdout


def total_calls(port):
    return sum(int(m) for m in re.findall(r"calls=(\d+)", redis_cli(port, "INFO", "commandstats")))


def redis_benchmark(port, *command):
    out = subprocess.run(["redis-benchmark", "-p", str(port), "-n", "200000", "-P", "32", "-q", *command],
                         capture_output=True, text=True, check=True).stdout
    return float(re.findall(r"([\d.]+) requests per second", out)[-1])


def redis_url(redis):
    """The URL of a private redis-server given by its port, or `redis` itself when it is a URL already."""
    return redis if isinstance(redis, str) else f"redis://127.0.0.1:{redis}"


def bench(redis, transport, *options, on_orders=None):
    """Runs `switchboard bench` against the Redis at `redis` (a port or a URL); returns its BENCH line's fields.

    `on_orders` is called when the driver says it starts sending orders (its ceiling measured)."""
    command = [BIN, "bench", "--redis", redis_url(redis), "--transport", transport, *options]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, errors="replace")
    timer = threading.Timer(300, process.kill)
    timer.start()
    progress = []

    def watch():
        for line in process.stderr:
            progress.append(line)
            # `BenchReport.sendingOrders`, after the command's "bench: " prefix.
            if on_orders and line.startswith("bench: sending orders"):
                try:
                    on_orders()
                except Exception as error:  # keep draining stderr; the figures then count from the start
                    progress.append(f"(could not take the orders' starting figures: {error})\n")

    watcher = threading.Thread(target=watch)
    watcher.start()
    stdout = process.stdout.read()
    process.wait()
    watcher.join()
    timer.cancel()
    line = next((l for l in stdout.splitlines() if l.startswith("BENCH ")), None)
    if line is None:
        sys.exit(f"bench failed: {' '.join(command)}\n{stdout}\n{''.join(progress)}")
    fields = dict(re.findall(r"(\w+)=([^ ]+)", line.replace("mode=", "mode_=", 1)))
    return {k: (float(v) if re.fullmatch(r"[\d.]+", v) else v) for k, v in fields.items()}


class System:
    """`switchboard run` as one process with every service, or one process per service."""

    def __init__(self, redis, transport, layout, log_level):
        self.http_port = free_port()
        groups = [SERVICES] if layout == "one process" else [[name] for name in SERVICES]
        started = time.monotonic()
        self.processes = [
            subprocess.Popen([BIN, "run", *group, "--config", CONFIG, "--redis", redis_url(redis),
                              "--transport", transport, "--http-port", str(self.http_port),
                              "--log-level", log_level, "--instance", f"bench-{'-'.join(group)}"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
            for group in groups
        ]
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.http_port}/health", timeout=1) as reply:
                    if reply.status == 200:
                        break
            except Exception:
                pass
            if time.monotonic() - started > 30:
                self.stop()
                sys.exit("switchboard did not become healthy")
            time.sleep(0.01)
        self.ready = time.monotonic() - started

    def cpu(self):
        return sum(cpu_seconds(p.pid) for p in self.processes)

    def rss(self, field):
        return sum(memory_kib(p.pid, field) for p in self.processes)

    def stop(self):
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            process.wait(timeout=15)


def bench_from_orders(snapshot, redis, transport, *options):
    """Runs `bench`; returns its fields and `snapshot()`'s figures taken when the driver starts sending orders
    (its ceiling measured), marked `at_orders`, or taken before it started for a driver that does not say so
    (an older build), unmarked."""
    start = snapshot()
    result = bench(redis, transport, *options, on_orders=lambda: start.update(snapshot(), at_orders=True))
    return result, start


def measure(redis_port, redis_pid, system, transport, options):
    """Runs one load; the per-order figures count from when the driver starts sending orders, so the requests
    that measure its own ceiling (to a sink channel or a 404 path) are not counted as the orders'."""
    redis_cli(redis_port, "CONFIG", "RESETSTAT")
    def snapshot():
        return dict(calls=total_calls(redis_port), redis_cpu=cpu_seconds(redis_pid), swift_cpu=system.cpu(),
                    wall=time.monotonic())

    result, start = bench_from_orders(snapshot, redis_port, transport, *options)
    wall = time.monotonic() - start["wall"]
    completed = max(result["completed"], 1)
    # A driver that does not say when its orders start (an older build): leave out its ceiling's commands at least.
    driver_commands = 0 if start.get("at_orders") else result.get("driver_commands", 0)
    result["commands"] = (total_calls(redis_port) - start["calls"] - driver_commands) / completed
    result["redis_us"] = 1e6 * (cpu_seconds(redis_pid) - start["redis_cpu"]) / completed
    result["swift_us"] = 1e6 * (system.cpu() - start["swift_cpu"]) / completed
    result["redis_share"] = 100 * (cpu_seconds(redis_pid) - start["redis_cpu"]) / wall
    return result


def cases(http_port, layout, log_level):
    url = ["--url", f"http://127.0.0.1:{http_port}"]
    bus = ("bus, closed loop c=1024", ["--mode", "bus", "--orders", str(scaled(40000)), "--concurrency", "1024"])
    http = ("HTTP, closed loop c=64", ["--mode", "http", *url, "--orders", str(scaled(20000)), "--concurrency", "64"])
    if layout != "one process" or log_level != "warning":
        return [bus, http]
    return [
        bus, http,
        ("HTTP, open loop 1000/s", ["--mode", "http", *url, "--orders", str(scaled(10000)), "--concurrency", "64",
                                    "--rate", "1000"]),
        ("HTTP, one client", ["--mode", "http", *url, "--orders", str(scaled(3000)), "--concurrency", "1"]),
    ]


def run(redis_port, redis_pid, transport, layout, log_level):
    redis_cli(redis_port, "FLUSHALL")
    system = System(redis_port, transport, layout, log_level)
    try:
        time.sleep(1.5)
        idle_rss = system.rss("VmRSS")
        rows = []
        for label, options in cases(system.http_port, layout, log_level):
            result = measure(redis_port, redis_pid, system, transport, options)
            print(f"    {transport:7} {layout:13} {log_level:7} {label:24} {result['throughput']:8,.0f}/s  "
                  f"p50 {result['p50']:8.2f} ms  p99 {result['p99']:8.2f} ms  "
                  f"swift {result['swift_us']:6.0f} µs  redis {result['redis_us']:5.0f} µs  "
                  f"{result['commands']:5.1f} cmds/order", flush=True)
            rows.append((label, result))
        return {"ready": system.ready, "idle_rss": idle_rss, "peak_rss": system.rss("VmHWM"), "rows": rows}
    finally:
        system.stop()


def main():
    if not os.access(BIN, os.X_OK):
        sys.exit(f"{BIN} is not built: run `swift build -c release` first")
    runs = []
    with private_redis() as (port, redis_pid):
        print("broker ceiling (redis-benchmark, 200k commands, pipeline 32):", flush=True)
        publish = redis_benchmark(port, "PUBLISH", "bench.channel", PAYLOAD)
        xadd = redis_benchmark(port, "XADD", "bench.stream", "*", "event", PAYLOAD)
        redis_cli(port, "DEL", "bench.stream")
        print(f"    PUBLISH {publish:,.0f}/s, XADD {xadd:,.0f}/s", flush=True)
        for transport in ["pubsub", "streams"]:
            for layout, log_level in [("one process", "warning"), ("one process", "info"), ("five processes", "warning")]:
                if transport == "streams" and log_level == "info":
                    continue
                runs.append((transport, layout, log_level, run(port, redis_pid, transport, layout, log_level)))

    lines = [
        f"Measured by `make bench` on {os.cpu_count()} cores ({time.strftime('%Y-%m-%d', time.gmtime())}); "
        f"a private redis-server; `switchboard bench` drives the system from a process of its own.",
        "",
        f"Broker ceiling (redis-benchmark, pipeline 32): PUBLISH {publish:,.0f}/s, XADD {xadd:,.0f}/s.",
        "",
        "Per order: Swift CPU is every switchboard process's CPU (user + system, from /proc) divided by the "
        "orders completed; Redis CPU likewise for redis-server; commands are INFO commandstats calls "
        "(commands run inside Functions included).",
        "",
        "| transport | processes | log level | load | orders/s | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms "
        "| errors | Swift CPU µs/order | Redis CPU µs/order | Redis cmds/order | redis-server CPU |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for transport, layout, log_level, result in runs:
        for label, row in result["rows"]:
            lines.append(
                f"| {transport} | {layout} | {log_level} | {label} | {row['throughput']:,.0f} | {row['p50']:.2f} "
                f"| {row['p90']:.2f} | {row['p99']:.2f} | {row['p999']:.2f} | {row['max']:.2f} "
                f"| {int(row['errors'])} | {row['swift_us']:,.0f} | {row['redis_us']:,.0f} | {row['commands']:.1f} "
                f"| {row['redis_share']:.0f}% |")
    lines += ["", "| transport | processes | log level | ready in | RSS idle | RSS peak |", "|---|---|---|---|---|---|"]
    for transport, layout, log_level, result in runs:
        lines.append(f"| {transport} | {layout} | {log_level} | {result['ready'] * 1000:.0f} ms "
                     f"| {result['idle_rss'] / 1024:.1f} MB | {result['peak_rss'] / 1024:.1f} MB |")
    write_table(lines, OUTPUT)


if __name__ == "__main__":
    main()
