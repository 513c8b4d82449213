"""Plots the soak CSV (tools/reliability/src/soak/soak-runner.ts): latency, memory of every process, consumer lag, webhooks table sizes."""
import csv
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def main(csv_path: str, png_path: str) -> None:
    with open(csv_path, newline="") as f:
        rows = list(csv.DictReader(f))
    if not rows:
        raise SystemExit("no samples")

    def col(name):
        return [float(r[name]) if r.get(name) not in (None, "") else float("nan") for r in rows]

    t = [v / 60 for v in col("t_s")]
    fig, (lat, mem, lag, tables) = plt.subplots(4, 1, figsize=(10, 14), sharex=True)
    lat.plot(t, col("p50_ms"), label="p50")
    lat.plot(t, col("p99_ms"), label="p99")
    lat.set_ylabel("latency (ms)")
    lat.set_title("Sigil soak: mixed writes through the gateway")
    lat.legend()
    lat.grid(alpha=0.3)
    for name in rows[0]:
        if name.startswith("rss_"):
            mem.plot(t, col(name), label=name[4:-3])
    mem.set_ylabel("RSS (MB)")
    mem.legend(fontsize=8)
    mem.grid(alpha=0.3)
    for name in rows[0]:
        if name.startswith("lag_") and name != "lag_total":
            lag.plot(t, col(name), label=name[4:], linewidth=0.8)
    lag.plot(t, col("lag_total"), label="total", color="black", linewidth=1.5)
    lag.set_ylabel("consumer lag (messages)")
    lag.legend(fontsize=7)
    lag.grid(alpha=0.3)
    # Webhooks tables under a short retention: their size must level off.
    for name in rows[0]:
        if name.startswith("mb_"):
            tables.plot(t, col(name), label=name[3:])
    tables.set_ylabel("table size (MB)")
    tables.set_xlabel("minutes")
    tables.legend(fontsize=8)
    tables.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(png_path, dpi=90)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
