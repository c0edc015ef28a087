#!/usr/bin/env python3
"""`make bench-redis-replay`: what an order costs Redis itself, measured on a redis-server that does nothing else.

Records every command the clients send to a private redis-server (`MONITOR`, top level only) while
`switchboard run` (one process, pub/sub) serves a bus load from `switchboard bench`, from before the services
start (so the stock they seed is there), then replays the recording into fresh redis-servers with
`redis-cli --pipe`, several times, and prints per order: redis-server's CPU (from /proc), the commands run
(INFO commandstats, those inside Functions included) and the time Redis measured in each command, the
function calls' own time (their Lua and the conversions around each `redis.call`) apart from the commands
they run. Replayed, the figures leave out what a live run adds (the network, subscribers' messages, sharing
two cores with the services and the driver), so two builds' recordings can be compared (each argument given
runs as a build; the replays alternate).

Left out of the recording: the driver's own ceiling (`PUBLISH` to its sink channel) and the repeated loads of a
library by concurrent first calls (one is kept).

Usage: bench-redis-replay.py SWITCHBOARD_BINARY... [--orders=N] [--replays=N]
"""
import os
import re
import statistics
import subprocess
import sys
import time

import bench

ORDERS = next((int(a.split("=", 1)[1]) for a in sys.argv if a.startswith("--orders=")), 8000)
REPLAYS = next((int(a.split("=", 1)[1]) for a in sys.argv if a.startswith("--replays=")), 5)
SKIPPED = {b"MONITOR", b"SUBSCRIBE", b"PSUBSCRIBE", b"SSUBSCRIBE", b"CLIENT", b"HELLO", b"INFO"}
ESCAPES = {"n": b"\n", "r": b"\r", "t": b"\t", "a": b"\a", "b": b"\b", '"': b'"', "\\": b"\\"}


def unescaped(text):
    """An argument as MONITOR quotes it (`sdscatrepr`), as bytes."""
    out = bytearray()
    index = 0
    while index < len(text):
        if text[index] == "\\" and index + 1 < len(text):
            escape = text[index + 1]
            if escape == "x":
                out.append(int(text[index + 2:index + 4], 16))
                index += 4
            else:
                out += ESCAPES[escape]
                index += 2
        else:
            out += text[index].encode()
            index += 1
    return bytes(out)


def record(binary, path):
    """Runs the bus load on `binary` under MONITOR; writes the clients' commands to `path` as RESP."""
    bench.BIN = binary
    with bench.private_redis() as (port, _):
        with open(path + ".monitor", "w") as log:
            monitor = subprocess.Popen(["stdbuf", "-oL", "redis-cli", "-p", str(port), "MONITOR"], stdout=log)
            time.sleep(0.3)
            system = bench.System(port, "pubsub", "one process", "warning")
            try:
                bench.bench(port, "pubsub", "--mode", "bus", "--orders", str(ORDERS), "--concurrency", "64")
                time.sleep(0.5)
            finally:
                system.stop()
                monitor.terminate()
                monitor.wait()
    loaded = set()
    count = 0
    with open(path + ".monitor") as log, open(path, "wb") as out:
        for line in log:
            match = re.match(r"^[\d.]+ \[\d+ ([^\]]+)\] (.*)$", line.rstrip("\n"))
            if not match or match.group(1) == "lua":
                continue
            args = [unescaped(a) for a in re.findall(r'"((?:[^"\\]|\\.)*)"', match.group(2))]
            name = args[0].upper() if args else b""
            if not args or name in SKIPPED:
                continue
            if name == b"PUBLISH" and args[1] == b"switchboard:bench:sink":
                continue
            if name == b"FUNCTION":
                if args[-1] in loaded:
                    continue
                loaded.add(args[-1])
            out.write(b"*%d\r\n" % len(args) + b"".join(b"$%d\r\n%s\r\n" % (len(a), a) for a in args))
            count += 1
    os.remove(path + ".monitor")
    return count


def replay(path):
    """Replays a recording into a fresh redis-server; returns its figures per order."""
    with bench.private_redis() as (port, pid):
        before = bench.cpu_seconds(pid)
        with open(path, "rb") as recording:
            # It exits 1 when any reply was an error, as the recorded first calls that found a library missing are.
            piped = subprocess.run(["redis-cli", "-p", str(port), "--pipe"], stdin=recording, capture_output=True,
                                   text=True)
        cpu = bench.cpu_seconds(pid) - before
        stats = bench.redis_cli(port, "INFO", "commandstats")
    summary = re.search(r"errors: (\d+), replies: (\d+)", piped.stdout)
    if not summary:
        sys.exit(f"redis-cli --pipe failed: {piped.stdout}{piped.stderr}")
    rows = {m[0]: (int(m[1]), int(m[2])) for m in re.findall(r"cmdstat_([^:]+):calls=(\d+),usec=(\d+)", stats)}
    # Nearly every other command runs inside a function: the driver's PUBLISH (one per order, ~0.1 µs) and the
    # services' few housekeeping commands do not, and are counted with them.
    inside = sum(usec for name, (_, usec) in rows.items() if name not in ("fcall", "function|load"))
    return {
        "errors": int(summary[1]),
        "cpu": cpu / ORDERS * 1e6,
        "commands": sum(calls for calls, _ in rows.values()) / ORDERS,
        "fcalls": rows.get("fcall", (0, 0))[0] / ORDERS,
        "fcall_usec": rows.get("fcall", (0, 0))[1] / ORDERS,
        "functions_own_usec": (rows.get("fcall", (0, 0))[1] - inside) / ORDERS,
    }


def main():
    binaries = [a for a in sys.argv[1:] if not a.startswith("--")]
    if not binaries:
        sys.exit(__doc__)
    workdir = subprocess.run(["mktemp", "-d", "/tmp/switchboard-replay-XXXXXX"], capture_output=True, text=True,
                             check=True).stdout.strip()
    try:
        paths = {}
        for index, binary in enumerate(binaries):
            paths[binary] = f"{workdir}/recording-{index}.resp"
            print(f"{binary}: {record(binary, paths[binary]):,} commands recorded for {ORDERS:,} orders", flush=True)
        results = {binary: [] for binary in binaries}
        for _ in range(REPLAYS):
            for binary in binaries:
                results[binary].append(replay(paths[binary]))
        print(f"\nmedians of {REPLAYS} replays, per order:")
        for binary, runs in results.items():
            median = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
            print(f"{binary}: Redis CPU {median['cpu']:.0f} µs (min {min(r['cpu'] for r in runs):.0f}), "
                  f"{median['commands']:.1f} commands, {median['fcalls']:.1f} function calls taking "
                  f"{median['fcall_usec']:.0f} µs, of which {median['functions_own_usec']:.0f} µs outside the "
                  f"commands they run; {median['errors']:.0f} error replies (calls that found a library missing)")
    finally:
        subprocess.run(["rm", "-rf", workdir])


if __name__ == "__main__":
    main()
