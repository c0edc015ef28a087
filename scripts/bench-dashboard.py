#!/usr/bin/env python3
"""The ingress's HTTP throughput with the dashboard open and streaming, against without it.

Starts a private redis-server and `switchboard run` (one process, log level warning, as `make bench`
does), then alternates rounds of `switchboard bench --mode http --orders 5000 --concurrency 64`: one
with no dashboard open, one with Debian's chromium (headless, through playwright) on the dashboard,
streaming every event. Prints each round and the medians.

Usage: .venv/bin/python scripts/bench-dashboard.py SWITCHBOARD_BINARY [--rounds N]
(the release build; playwright comes from Tests/browser/requirements.txt)
"""
import os
import shutil
import statistics
import subprocess
import sys
import time

from playwright.sync_api import sync_playwright

import bench  # scripts/bench.py: the same system and driver as `make bench`

ROUNDS = int(sys.argv[sys.argv.index("--rounds") + 1]) if "--rounds" in sys.argv else 3
ORDERS = ["--orders", "5000", "--concurrency", "64"]


def chromium_cpu(root):
    """CPU seconds of the chromium processes below `root` (those playwright started)."""
    children = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                parent = int(open(f"/proc/{entry}/stat").read().rsplit(")", 1)[1].split()[1])
            except OSError:
                continue
            children.setdefault(parent, []).append(int(entry))
    total, stack = 0.0, list(children.get(root, []))
    while stack:
        pid = stack.pop()
        try:
            if open(f"/proc/{pid}/comm").read().startswith("chrom"):
                total += bench.cpu_seconds(pid)
        except OSError:
            continue
        stack += children.get(pid, [])
    return total


def main():
    workdir = subprocess.run(["mktemp", "-d", "/tmp/switchboard-bench-XXXXXX"], capture_output=True, text=True,
                             check=True).stdout.strip()
    port = bench.free_port()
    redis = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                              "--appendonly", "no", "--dir", workdir, "--logfile", f"{workdir}/redis.log"])
    system = None
    results = {False: [], True: []}
    try:
        for _ in range(100):
            if subprocess.run(["redis-cli", "-p", str(port), "PING"], capture_output=True).returncode == 0:
                break
            time.sleep(0.05)
        system = bench.System(port, "pubsub", "one process", "warning")
        url = f"http://127.0.0.1:{system.http_port}"
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=shutil.which("chromium") or "/usr/bin/chromium",
                                                 args=["--no-sandbox"])
            for round_number in range(1, ROUNDS + 1):
                for with_page in (False, True):
                    page = None
                    if with_page:
                        page = browser.new_page(viewport={"width": 1440, "height": 900})
                        page.goto(url + "/")
                        page.wait_for_selector("#feed-state[data-state='live']")
                    cpu, browser_cpu = system.cpu(), chromium_cpu(os.getpid())
                    result = bench.bench(port, "pubsub", "--mode", "http", "--url", url, *ORDERS)
                    cpu_per_order = 1e6 * (system.cpu() - cpu) / max(result["completed"], 1)
                    browser_per_order = 1e6 * (chromium_cpu(os.getpid()) - browser_cpu) / max(result["completed"], 1)
                    seen = page.inner_text("#events-count") if page else "no page"
                    browser_text = f", chromium {browser_per_order:4.0f}" if page else ""
                    if page:
                        page.close()
                    results[with_page].append((result["throughput"], cpu_per_order))
                    print(f"round {round_number} {'with the page' if with_page else 'without page '}  "
                          f"{result['throughput']:8,.0f} orders/s  p50 {result['p50']:6.2f} ms  "
                          f"p99 {result['p99']:7.2f} ms  CPU/order µs: switchboard {cpu_per_order:4.0f}"
                          f"{browser_text}  ({seen})",
                          flush=True)
            browser.close()
    finally:
        if system:
            system.stop()
        redis.terminate()
        redis.wait(timeout=10)
        subprocess.run(["rm", "-rf", workdir])
    for with_page in (False, True):
        throughput = statistics.median(r[0] for r in results[with_page])
        cpu = statistics.median(r[1] for r in results[with_page])
        print(f"median {'with the page' if with_page else 'without it   '}  {throughput:8,.0f} orders/s  "
              f"switchboard {cpu:4.0f} µs CPU/order")
    base, page = (statistics.median(r[0] for r in results[key]) for key in (False, True))
    print(f"throughput with the page: {100 * (page - base) / base:+.1f}% ({os.cpu_count()} cores, shared with chromium)")


if __name__ == "__main__":
    main()
