#!/usr/bin/env python3
"""`make bench`: the broker's ceiling and Switchboard's numbers, measured the same way every time.

Starts a private redis-server, measures PUBLISH and XADD with redis-benchmark, then for each transport
runs every service in one `switchboard run` process (release build) and drives it with `switchboard bench`
in bus mode and HTTP mode (closed and open loop). Prints one table and writes it to bench/results.md.
"""
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, ".build/release/switchboard")
CONFIG = os.path.join(ROOT, "Config/switchboard.json")
PAYLOAD = ('{"orderId":"o-1","customerId":"c-1","items":[{"sku":"BOOK-1","quantity":1}],'
           '"payment":{"card":"4242424242424242"}}')
TICKS = os.sysconf("SC_CLK_TCK")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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


def bench(port, transport, *options):
    command = [BIN, "bench", "--redis", f"redis://127.0.0.1:{port}", "--transport", transport, *options]
    out = subprocess.run(command, capture_output=True, text=True, timeout=240)
    line = next((l for l in out.stdout.splitlines() if l.startswith("BENCH ")), None)
    if line is None:
        sys.exit(f"bench failed: {' '.join(command)}\n{out.stdout}\n{out.stderr}")
    print("   ", out.stdout.splitlines()[0], "|", line[6:], flush=True)
    fields = dict(re.findall(r"(\w+)=([^ ]+)", line.replace("mode=", "mode_=", 1)))
    return {k: (float(v) if re.fullmatch(r"[\d.]+", v) else v) for k, v in fields.items()}


def run_transport(redis_port, redis_pid, transport):
    redis_cli(redis_port, "FLUSHALL")
    http_port = free_port()
    started = time.monotonic()
    service = subprocess.Popen([BIN, "run", "--config", CONFIG, "--redis", f"redis://127.0.0.1:{redis_port}",
                                "--transport", transport, "--http-port", str(http_port), "--log-level", "warning"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{http_port}/health", timeout=1)
                break
            except Exception:
                if time.monotonic() - started > 20:
                    sys.exit("switchboard did not become healthy")
                time.sleep(0.01)
        ready = time.monotonic() - started
        time.sleep(1.5)
        idle_rss = memory_kib(service.pid, "VmRSS")
        rows = []
        cases = [
            ("bus, closed loop", ["--mode", "bus", "--orders", "40000", "--concurrency", "1024"]),
            ("HTTP, closed loop c=64", ["--mode", "http", "--url", f"http://127.0.0.1:{http_port}",
                                        "--orders", "20000", "--concurrency", "64"]),
            ("HTTP, open loop 1000/s", ["--mode", "http", "--url", f"http://127.0.0.1:{http_port}",
                                        "--orders", "10000", "--concurrency", "64", "--rate", "1000"]),
        ]
        for label, options in cases:
            redis_cli(redis_port, "CONFIG", "RESETSTAT")
            calls, cpu, wall = total_calls(redis_port), cpu_seconds(redis_pid), time.monotonic()
            result = bench(redis_port, transport, *options)
            wall = time.monotonic() - wall
            result["commands"] = (total_calls(redis_port) - calls) / max(result["completed"], 1)
            result["redis_cpu"] = 100 * (cpu_seconds(redis_pid) - cpu) / wall
            rows.append((label, result))
        peak_rss = memory_kib(service.pid, "VmHWM")
        return {"ready": ready, "idle_rss": idle_rss, "peak_rss": peak_rss, "rows": rows}
    finally:
        service.terminate()
        service.wait(timeout=15)


def main():
    if not os.access(BIN, os.X_OK):
        sys.exit(f"{BIN} is not built: run `swift build -c release` first")
    workdir = subprocess.run(["mktemp", "-d", "/tmp/switchboard-bench-XXXXXX"], capture_output=True, text=True,
                             check=True).stdout.strip()
    port = free_port()
    redis = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                              "--appendonly", "no", "--dir", workdir, "--logfile", f"{workdir}/redis.log"])
    try:
        for _ in range(100):
            if subprocess.run(["redis-cli", "-p", str(port), "PING"], capture_output=True).returncode == 0:
                break
            time.sleep(0.05)
        print("broker ceiling (redis-benchmark, 200k commands, pipeline 32):", flush=True)
        publish = redis_benchmark(port, "PUBLISH", "bench.channel", PAYLOAD)
        xadd = redis_benchmark(port, "XADD", "bench.stream", "*", "event", PAYLOAD)
        redis_cli(port, "DEL", "bench.stream")
        print(f"    PUBLISH {publish:,.0f}/s, XADD {xadd:,.0f}/s", flush=True)
        results = {}
        for transport in ["pubsub", "streams"]:
            print(f"{transport}:", flush=True)
            results[transport] = run_transport(port, redis.pid, transport)
    finally:
        redis.terminate()
        redis.wait(timeout=10)
        subprocess.run(["rm", "-rf", workdir])

    cores = os.cpu_count()
    lines = [
        f"Measured by `make bench` on {cores} cores ({time.strftime('%Y-%m-%d', time.gmtime())}); "
        f"one `switchboard run` process with every service; a private redis-server.",
        "",
        f"Broker ceiling (redis-benchmark, pipeline 32): PUBLISH {publish:,.0f}/s, XADD {xadd:,.0f}/s.",
        "",
        "| transport | load | orders/s | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms | errors "
        "| Redis cmds/order | redis-server CPU | driver ceiling/s |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for transport, result in results.items():
        for label, row in result["rows"]:
            lines.append(
                f"| {transport} | {label} | {row['throughput']:,.0f} | {row['p50']:.2f} | {row['p90']:.2f} "
                f"| {row['p99']:.2f} | {row['p999']:.2f} | {row['max']:.2f} | {int(row['errors'])} "
                f"| {row['commands']:.1f} | {row['redis_cpu']:.0f}% | {row['driver']:,.0f} |")
    lines += ["", "| transport | ready in | RSS idle | RSS peak |", "|---|---|---|---|"]
    for transport, result in results.items():
        lines.append(f"| {transport} | {result['ready'] * 1000:.0f} ms | {result['idle_rss'] / 1024:.1f} MB "
                     f"| {result['peak_rss'] / 1024:.1f} MB |")
    table = "\n".join(lines)
    print("\n" + table)
    os.makedirs(os.path.join(ROOT, "bench"), exist_ok=True)
    with open(os.path.join(ROOT, "bench/results.md"), "w") as out:
        out.write(table + "\n")


if __name__ == "__main__":
    main()
