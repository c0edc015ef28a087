#!/usr/bin/env python3
"""`make bench-cluster`: Switchboard on Redis Cluster, and how the load spreads over its primaries (issue 16).

For one plain redis-server (the baseline), a cluster of one primary (every slot on one node) and a cluster of
three primaries, each without replicas or persistence on this machine: runs `switchboard run` (every service
in one process, log level warning) with the matching URL (`redis://`, `redis+cluster://`) and drives it with
`switchboard bench`: the bus at c=1024 on both transports and HTTP at c=64 on pub/sub. For each case: orders/s,
p50/p99, Swift CPU per order, Redis CPU per order summed over the nodes and of the busiest node, Redis commands
per order (INFO commandstats of every node, commands inside Functions included) and each primary's share of
them. Writes the table to bench/cluster.md.

On a 2-core machine three primaries, the services and the driver share two cores, so orders/s cannot grow
with the primaries here: the spread and the cost per node are the figures that extrapolate (README
"Scaling on Redis Cluster").

Usage: bench-cluster.py SWITCHBOARD_BINARY [--scale=F] [--output=FILE]
"""
import contextlib
import os
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
bench = __import__("bench")  # scripts/bench.py: System, bench_from_orders, free_port, redis_cli, cpu_seconds, total_calls

OUTPUT = next((a.split("=", 1)[1] for a in sys.argv if a.startswith("--output=")),
              os.path.join(bench.ROOT, "bench/cluster.md"))


def cases(http_port):
    bus = ["--mode", "bus", "--orders", str(bench.scaled(20000)), "--concurrency", "1024"]
    http = ["--mode", "http", "--url", f"http://127.0.0.1:{http_port}", "--orders", str(bench.scaled(10000)),
            "--concurrency", "64"]
    return [("pubsub", "bus, closed loop c=1024", bus), ("streams", "bus, closed loop c=1024", bus),
            ("pubsub", "HTTP, closed loop c=64", http)]


def wait_until(predicate, what, timeout=30):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            sys.exit(f"bench-cluster: {what} within {timeout} s")
        time.sleep(0.1)


def cluster_port():
    """A free port whose cluster bus port (the port + 10000) is a port too and free: a node on a port above
    55535 cannot start."""
    while True:
        port = bench.free_port()
        if port + 10000 > 65535:
            continue
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port + 10000))
            except OSError:
                continue
        return port


@contextlib.contextmanager
def redis_nodes(count, cluster):
    """`count` private redis-servers without persistence, cluster-enabled when `cluster`, joined as a cluster of
    `count` primaries and no replicas; yields [(port, pid)], then stops them."""
    workdir = subprocess.run(["mktemp", "-d", "/tmp/switchboard-bench-cluster-XXXXXX"], capture_output=True,
                             text=True, check=True).stdout.strip()
    processes, nodes = [], []
    try:
        for index in range(count):
            port = cluster_port() if cluster else bench.free_port()
            folder = f"{workdir}/{port}"
            os.makedirs(folder)
            arguments = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly",
                         "no", "--dir", folder, "--logfile", f"{folder}/redis.log"]
            if cluster:
                arguments += ["--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
                              "--cluster-node-timeout", "5000"]
            processes.append(subprocess.Popen(arguments))
            nodes.append((port, processes[-1].pid))
        for port, _ in nodes:
            wait_until(lambda: subprocess.run(["redis-cli", "-p", str(port), "PING"],
                                              capture_output=True).returncode == 0, f"redis-server on {port} answered")
        if cluster and count == 1:
            bench.redis_cli(nodes[0][0], "CLUSTER", "ADDSLOTSRANGE", "0", "16383")
        elif cluster:
            subprocess.run(["redis-cli", "--cluster", "create", *[f"127.0.0.1:{port}" for port, _ in nodes],
                            "--cluster-replicas", "0", "--cluster-yes"], capture_output=True, check=True)
        if cluster:
            wait_until(lambda: all("cluster_state:ok" in bench.redis_cli(port, "CLUSTER", "INFO")
                                   for port, _ in nodes), "the cluster said cluster_state:ok")
        yield nodes
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=10)
        subprocess.run(["rm", "-rf", workdir])


def owner(nodes, key):
    """The index in `nodes` of the primary serving `key`'s slot (the only node when there is one)."""
    if len(nodes) == 1:
        return 0
    slot = int(bench.redis_cli(nodes[0][0], "CLUSTER", "KEYSLOT", key))
    for line in bench.redis_cli(nodes[0][0], "CLUSTER", "NODES").splitlines():
        fields = line.split()
        if "master" not in fields[2]:
            continue
        port = int(fields[1].split("@")[0].rsplit(":", 1)[1])
        for served in fields[8:]:
            first, _, last = served.partition("-")
            if first.isdigit() and int(first) <= slot <= int(last or first):
                return next(index for index, (node_port, _) in enumerate(nodes) if node_port == port)
    sys.exit(f"bench-cluster: no primary serves {key}")


def measure(nodes, url, system, transport, options):
    """One `switchboard bench` run; CPU and commands of every node, per completed order, counted from when the
    driver starts sending orders (as `scripts/bench.py` does), so its ceiling's requests are not the orders'."""
    for port, _ in nodes:
        bench.redis_cli(port, "CONFIG", "RESETSTAT")

    def snapshot():
        return dict(calls=[bench.total_calls(port) for port, _ in nodes],
                    cpu=[bench.cpu_seconds(pid) for _, pid in nodes], swift=system.cpu())

    result, start = bench.bench_from_orders(snapshot, url, transport, *options)
    completed = max(result["completed"], 1)
    node_calls = [bench.total_calls(port) - before for (port, _), before in zip(nodes, start["calls"])]
    if not start.get("at_orders"):
        # A driver that does not say when its orders start (an older build): its ceiling ran on a sink key.
        node_calls[owner(nodes, "switchboard:bench:sink")] -= int(result.get("driver_commands", 0))
    node_cpu = [bench.cpu_seconds(pid) - before for (_, pid), before in zip(nodes, start["cpu"])]
    result["swift_us"] = 1e6 * (system.cpu() - start["swift"]) / completed
    result["commands"] = sum(node_calls) / completed
    result["redis_us"] = 1e6 * sum(node_cpu) / completed
    result["busiest_us"] = 1e6 * max(node_cpu) / completed
    result["shares"] = "/".join(f"{100 * calls / max(sum(node_calls), 1):.0f}" for calls in node_calls)
    return result


def run(label, count, cluster):
    rows = []
    with redis_nodes(count, cluster) as nodes:
        scheme = "redis+cluster://" if cluster else "redis://"
        url = scheme + ",".join(f"127.0.0.1:{port}" for port, _ in nodes)
        for transport in ["pubsub", "streams"]:
            for port, _ in nodes:
                bench.redis_cli(port, "FLUSHALL")
            system = bench.System(url, transport, "one process", "warning")
            try:
                time.sleep(1.5)
                for case_transport, load, options in cases(system.http_port):
                    if case_transport != transport:
                        continue
                    result = measure(nodes, url, system, transport, options)
                    print(f"    {label:26} {transport:7} {load:24} {result['throughput']:8,.0f}/s  "
                          f"p50 {result['p50']:7.2f} ms  p99 {result['p99']:7.2f} ms  swift {result['swift_us']:5.0f} µs  "
                          f"redis {result['redis_us']:5.0f} µs (busiest node {result['busiest_us']:4.0f})  "
                          f"{result['commands']:5.1f} cmds/order  shares {result['shares']}%", flush=True)
                    rows.append((label, transport, load, result))
            finally:
                system.stop()
    return rows


def main():
    if not os.access(bench.BIN, os.X_OK):
        sys.exit(f"{bench.BIN} is not built: run `swift build -c release` first")
    rows = []
    for label, count, cluster in [("one redis-server", 1, False), ("cluster, 1 primary", 1, True),
                                  ("cluster, 3 primaries", 3, True)]:
        rows += run(label, count, cluster)
    lines = [
        f"Measured by `make bench-cluster` on {os.cpu_count()} cores ({time.strftime('%Y-%m-%d', time.gmtime())}): "
        "private redis-servers without persistence or replicas; one `switchboard run` with every service; "
        "`switchboard bench` drives it from a process of its own. Every process shares the same cores.",
        "",
        "Redis CPU is summed over the nodes (and given for the busiest node) per completed order; commands are INFO "
        "commandstats calls of every node (commands inside Functions included); shares are each node's part of them.",
        "",
        "| Redis | transport | load | orders/s | p50 ms | p99 ms | errors | Swift CPU µs/order "
        "| Redis CPU µs/order | busiest node µs/order | Redis cmds/order | node shares % |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for label, transport, load, row in rows:
        lines.append(
            f"| {label} | {transport} | {load} | {row['throughput']:,.0f} | {row['p50']:.2f} | {row['p99']:.2f} "
            f"| {int(row['errors'])} | {row['swift_us']:,.0f} | {row['redis_us']:,.0f} | {row['busiest_us']:,.0f} "
            f"| {row['commands']:.1f} | {row['shares']} |")
    bench.write_table(lines, OUTPUT)


if __name__ == "__main__":
    main()
