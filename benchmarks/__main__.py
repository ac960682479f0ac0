"""Run every benchmark, print a table, and write the figures to benchmarks/results/.

    python3 -m benchmarks            # the full run (a few minutes)
    python3 -m benchmarks --quick    # fewer calls and one size, to try things out
"""
from __future__ import annotations

import argparse
import datetime
import json
import platform
import subprocess
import sys
from pathlib import Path

from . import edge, functions, lambda_edge, latency, listing, scaleout, startup, throughput

RESULTS = Path(__file__).resolve().parent / "results"


def _memory(groups: int) -> dict:
    output = subprocess.run([sys.executable, "-m", "benchmarks.memory", str(groups)], capture_output=True,
                            text=True, check=True, cwd=Path(__file__).resolve().parents[1]).stdout
    return json.loads(output)


def run(quick: bool) -> dict:
    calls, rounds = (400, 4) if quick else (3000, 10)
    results = {
        "when": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {_cores()} cores",
        "calls_per_operation": calls,
        "http": latency.over_http(calls, rounds),
        "in_process": latency.in_process(calls, rounds),
        "throughput": throughput.measure(seconds=2 if quick else 5),
        "list_page": listing.measure(sizes=(100, 2_000) if quick else (100, 20_000, 100_000),
                                     repeats=50 if quick else 200),
        "memory": _memory(10_000 if quick else 100_000),
        "startup": startup.measure(runs=3 if quick else 5),
        "postgresql_creates": scaleout.measure(seconds=2 if quick else 5),
        "functions": functions.measure(quick),
        "edge": edge.measure(seconds=2 if quick else 5),
        "lambda_edge": lambda_edge.measure(500 if quick else 2000),
    }
    return results


def _cores() -> int:
    import os

    return os.cpu_count() or 0


def table(results: dict) -> str:
    lines = ["| measure | cloudfront-local | floor | ratio |", "| --- | --- | --- | --- |"]
    for transport in ("http", "in_process"):
        for name, entry in results[transport].items():
            for stat in ("p50", "p99"):
                lines.append(f"| {name} {stat}, {transport.replace('_', '-')} | {entry['ours'][stat + '_us']:.0f} µs "
                             f"| {entry['floor'][stat + '_us']:.0f} µs | {entry[stat + '_ratio']:.2f}x |")
    rate = results["throughput"]
    if "skipped" in rate:
        lines.append(f"| GetConnectionGroup throughput | {rate['skipped']} | | |")
    else:
        lines.append(f"| GetConnectionGroup throughput (wrk, {rate['connections']} connections) | "
                     f"{rate['ours_rps']:.0f} req/s | {rate['floor_rps']:.0f} req/s | {rate['ratio']:.0%} |")
    for size, entry in results["list_page"].items():
        lines.append(f"| ListConnectionGroups page of 100 at {int(size):,} groups | {entry['page_us']:.0f} µs | | "
                     f"{entry['ratio_to_100']:.2f}x the 100-group page |")
    memory = results["memory"]
    lines.append(f"| RSS holding {memory['groups']:,} groups | {memory['rss_mb']:.0f} MB | | |")
    scale = results["postgresql_creates"]
    if "skipped" in scale:
        lines.append(f"| creates/s on PostgreSQL | {scale['skipped']} | | |")
    else:
        for accounts, label in (("same_account", "one account"), ("two_accounts", "two accounts")):
            lines.append(f"| PostgreSQL creates/s, one server, 8 connections against 1 ({label}; wrk) | "
                         f"{scale['one_server_' + accounts]:.0f} / {scale['one_server_1_connection']:.0f} | | "
                         f"{scale['eight_vs_one_' + accounts]:.2f}x |")
            lines.append(f"| PostgreSQL creates/s, two servers against one, 8 connections ({label}; wrk) | "
                         f"{scale['two_servers_' + accounts]:.0f} / {scale['one_server_' + accounts]:.0f} | | "
                         f"{scale['two_vs_one_' + accounts]:.2f}x |")
    trip = results["functions"]["round_trip"]
    for stat in ("p50", "p99"):
        lines.append(f"| TestFunction {stat}, http | {trip['ours'][stat + '_us']:.0f} µs | "
                     f"{trip['floor'][stat + '_us']:.0f} µs | {trip[stat + '_ratio']:.2f}x |")
    engine = results["functions"]["engine"]
    lines.append(f"| one function run (fresh QuickJS context, runtime, event, result) | {engine['ours_us']:.0f} µs | "
                 f"{engine['bare_us']:.0f} µs bare QuickJS | {engine['ratio']:.2f}x |")
    viewer = results["edge"]
    floor = viewer["floor"]
    for name, label in (("origin", "the benchmark's origin alone"), ("edge_hit", "edge, CachingOptimized, one URL"),
                        ("edge_miss", "edge, CachingDisabled, to that origin")):
        row = viewer[name]
        cache = ", ".join(f"{value} x{count}" for value, count in row["x_cache"].items() if value != "-")
        seen = f" (X-Cache: {cache})" if cache else ""
        lines.append(f"| viewer GETs/s, {label}, {viewer['connections']} connections{seen} | {row['rps']:.0f} req/s | "
                     f"{floor['rps']:.0f} req/s | {floor['rps'] / row['rps']:.2f}x slower |")
        lines.append(f"| viewer GET p50 one at a time, {label} | {row['p50_us']:.0f} µs | {floor['p50_us']:.0f} µs | "
                     f"{row['p50_us'] / floor['p50_us']:.2f}x |")
    lines.append(f"| edge miss against the origin alone | {viewer['miss_of_origin']:.0%} of its req/s | | |")
    lines.append(f"| the edge's origin client (aiohttp) alone, asking that origin, {viewer['connections']} at a time | "
                 f"{viewer['origin_client_alone']['rps']:.0f} req/s | | the miss is "
                 f"{viewer['miss_of_client_alone']:.0%} of it |")
    origin_p50, miss_p50 = viewer["origin"]["p50_us"], viewer["edge_miss"]["p50_us"]
    lines.append(f"| edge miss p50 one at a time against the origin alone's | {miss_p50:.0f} µs | {origin_p50:.0f} µs "
                 f"the origin alone | {miss_p50 / origin_p50:.2f}x |")
    added = results["lambda_edge"]
    lines.append(f"| viewer GET p50 one at a time, edge hit + warm Node.js viewer-request (pass-through), http | "
                 f"{added['p50_ms_with_node_viewer_request'] * 1000:.0f} µs | {added['p50_ms_without'] * 1000:.0f} µs "
                 f"without it | +{added['added_p50_ms'] * 1000:.0f} µs added |")
    start = results["startup"]
    lines.append(f"| serve -> listening / first answer | {start['listening_s'] * 1000:.0f} ms / "
                 f"{start['first_answer_s'] * 1000:.0f} ms | | |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python3 -m benchmarks")
    parser.add_argument("--quick", action="store_true", help="fewer calls and smaller sizes")
    args = parser.parse_args()
    results = run(args.quick)
    RESULTS.mkdir(exist_ok=True)
    name = "quick" if args.quick else "latest"
    (RESULTS / f"{name}.json").write_text(json.dumps(results, indent=2))
    rendered = table(results)
    (RESULTS / f"{name}.md").write_text(rendered + "\n")
    print(rendered)
    print(f"\nwritten to {RESULTS / (name + '.json')}")


if __name__ == "__main__":
    main()
