#!/usr/bin/env python3
"""`make bench-soak`: does the system run for months? An hour of orders at a steady rate, fifteen times faster.

Starts a private redis-server and one `switchboard run` process with every service (pub/sub, release build),
with final records and the trace logs the commits start kept RETENTION seconds instead of 30 and 7 days (the
test-only settings `retention.finalRecordSeconds` and `retention.traceSeconds`), and drives `switchboard bench
--mode bus` at RATE orders per second for DURATION seconds. Every SAMPLE seconds it records the switchboard
process's RSS, Redis's `used_memory` and `DBSIZE`, and apart from them what the simulated card provider keeps
in the same Redis (`provider:*`: its idempotency keys live 24 hours and its charges stream holds a million
entries, as a real provider's would, so they grow through a soak of minutes). Once the first records expire,
Switchboard's keys and memory must level off; the process's RSS levels off once each runner's record cache is
full (`RecordLanes`, 16,384 records). At the end it lists the keys left without an expiry, by prefix.

Writes the table to bench/soak.md (`--output=FILE` elsewhere). Usage: soak.py [SWITCHBOARD_BINARY]
[--rate=R] [--duration=S] [--retention=S]. Reuses the pieces of scripts/bench.py.
"""
import json
import os
import re
import subprocess
import sys
import tempfile
import time

import bench


def option(name, default):
    return next((type(default)(a.split("=", 1)[1]) for a in sys.argv if a.startswith(f"--{name}=")), default)


RATE = option("rate", 200)
DURATION = option("duration", 240)
RETENTION = option("retention", 20)
SAMPLE = 10
OUTPUT = option("output", os.path.join(bench.ROOT, "bench/soak.md"))


def soak_config(directory):
    """The repository's settings with the retention shortened, in a file of their own."""
    settings = json.load(open(os.path.join(bench.ROOT, "Config/switchboard.json")))
    settings["catalog"] = os.path.join(bench.ROOT, "Config", settings["catalog"])
    settings["retention"].update({"finalRecordSeconds": RETENTION, "traceSeconds": RETENTION})
    path = os.path.join(directory, "switchboard.json")
    json.dump(settings, open(path, "w"))
    return path


def info_field(port, section, field):
    return int(re.search(rf"^{field}:(\d+)", bench.redis_cli(port, "INFO", section), re.M).group(1))


def provider_usage(port):
    """How many keys the simulated provider holds (`provider:*`) and their bytes (`MEMORY USAGE`)."""
    keys = bench.redis_cli(port, "--scan", "--pattern", "provider:*").split()
    replies = subprocess.run(["redis-cli", "-p", str(port)], input="".join(f"MEMORY USAGE {k}\n" for k in keys),
                             capture_output=True, text=True, check=True).stdout.split()
    return len(keys), sum(int(r) for r in replies if r.isdigit())


def keys_without_expiry(port):
    """The keys with no TTL, counted by prefix (`order:`, `switchboard:trace:` …)."""
    keys = bench.redis_cli(port, "--scan").split()
    replies = subprocess.run(["redis-cli", "-p", str(port)], input="".join(f"TTL {k}\n" for k in keys),
                             capture_output=True, text=True, check=True).stdout.split()
    counts = {}
    for key, ttl in zip(keys, replies):
        if ttl == "-1":
            prefix = key.rsplit(":", 1)[0] + ":" if ":" in key else key
            counts[prefix] = counts.get(prefix, 0) + 1
    return counts


def main():
    if not os.access(bench.BIN, os.X_OK):
        sys.exit(f"{bench.BIN} is not built: run `swift build -c release` first")
    workdir = tempfile.mkdtemp(prefix="switchboard-soak-")
    bench.CONFIG = soak_config(workdir)
    port, redis = bench.start_redis(workdir)
    system = load = None
    samples = []
    try:
        system = bench.System(port, "pubsub", "one process", "warning")
        pid = system.processes[0].pid
        orders = RATE * DURATION
        print(f"soak: {orders:,} orders at {RATE}/s for {DURATION} s, records and trace logs kept {RETENTION} s",
              flush=True)
        load = subprocess.Popen([bench.BIN, "bench", "--redis", f"redis://127.0.0.1:{port}", "--transport", "pubsub",
                                 "--mode", "bus", "--orders", str(orders), "--rate", str(RATE),
                                 "--concurrency", str(RATE * 4)],
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        started = time.monotonic()
        while True:
            elapsed = time.monotonic() - started
            provider_keys, provider_bytes = provider_usage(port)
            sample = (round(elapsed), bench.memory_kib(pid, "VmRSS"),
                      info_field(port, "memory", "used_memory") - provider_bytes,
                      int(bench.redis_cli(port, "DBSIZE")) - provider_keys, info_field(port, "stats", "expired_keys"),
                      provider_bytes, provider_keys)
            samples.append(sample)
            print(f"    t={sample[0]:4d} s  rss {sample[1] / 1024:6.1f} MiB  redis {sample[2] / 2**20:6.1f} MiB  "
                  f"keys {sample[3]:7,}  expired {sample[4]:8,}  provider {provider_keys:7,} keys "
                  f"{provider_bytes / 2**20:6.1f} MiB", flush=True)
            if load.poll() is not None:
                break
            time.sleep(max(0.0, SAMPLE - (time.monotonic() - started - elapsed)))
        report = next((l for l in load.stdout.read().splitlines() if l.startswith("BENCH ")), "")
        leftovers = keys_without_expiry(port)
    finally:
        if load and load.poll() is None:
            load.kill()
        if system:
            system.stop()
        redis.terminate()
        redis.wait(timeout=10)
        subprocess.run(["rm", "-rf", workdir])

    fields = dict(re.findall(r"(\w+)=([^ ]+)", report))
    loaded = [s for s in samples if s[0] <= DURATION]
    start = min(loaded, key=lambda s: abs(s[0] - DURATION * 2 / 3))
    end = loaded[-1]
    def change(index, scale, unit):
        return f"{start[index] / scale:,.{1 if unit else 0}f} → {end[index] / scale:,.{1 if unit else 0}f}{unit}"
    lines = [
        "# Soak: an hour of orders, fifteen times faster",
        "",
        f"`make bench-soak` (scripts/soak.py): {RATE} orders/s on the bus for {DURATION} s, one `switchboard run` "
        f"process with every service (pub/sub, release build), final records and trace logs kept {RETENTION} s "
        "(`retention.finalRecordSeconds`, `retention.traceSeconds`, settings for tests only). "
        f"Sent {fields.get('sent', '?')}, completed {fields.get('completed', '?')}, "
        f"p50 {fields.get('p50', '?')} ms, p99 {fields.get('p99', '?')} ms.",
        "",
        "Redis's `used_memory` and `DBSIZE` are Switchboard's: what the simulated card provider keeps in the same "
        "server (`provider:*`, its idempotency keys for 24 hours and a charges stream of up to a million entries) "
        "is taken out and shown apart.",
        "",
        "| t (s) | switchboard RSS (MiB) | Redis used_memory (MiB) | DBSIZE | expired keys | provider keys | provider (MiB) |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ] + [f"| {t} | {rss / 1024:.1f} | {used / 2**20:.1f} | {keys:,} | {expired:,} | {pkeys:,} | {pbytes / 2**20:.1f} |"
         for t, rss, used, keys, expired, pbytes, pkeys in samples] + [
        "",
        f"Last third of the load (t = {start[0]} s → {end[0]} s): RSS {change(1, 1024, ' MiB')}, "
        f"used_memory {change(2, 2**20, ' MiB')}, DBSIZE {change(3, 1, '')}.",
        "",
        "Keys left without an expiry at the end, by prefix: "
        + (", ".join(f"`{p}` {n}" for p, n in sorted(leftovers.items())) or "none") + ".",
        "",
    ]
    os.makedirs(os.path.dirname(OUTPUT), exist_ok=True)
    open(OUTPUT, "w").write("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
