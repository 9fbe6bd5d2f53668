#!/usr/bin/env python3
"""Draws the benchmark figures from the CSV files `bench` wrote (target/bench/*.csv).

  refresh_calls.png  AWS calls of a no-op plan against the number of VPCs: this provider
                     (measured) and the same hub as raw hashicorp/aws resources (computed).
  apply_times.png    apply wall time against the floors: rate limits (suite 3) and latency
                     (suite 5).
  terraform_commands.png
                     whole terraform commands on real Terraform (suite `terraform`): wall time
                     per command and hub size, split into the emulator's share, the provider's
                     own and core's.

Usage: plot.py CSV_DIR OUT_DIR
"""

import csv
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def rows(directory, name):
    path = os.path.join(directory, f"{name}.csv")
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))


def refresh_figure(directory, out):
    data = rows(directory, "refresh")
    vpcs = [int(r["VPCs"]) for r in data]
    ours = [int(r["no-op plan calls (ours)"]) for r in data]
    raw = [int(r["no-op plan calls (raw hashicorp/aws)"]) for r in data]
    fig, ax = plt.subplots(figsize=(7, 4.2), dpi=120)
    ax.plot(vpcs, raw, "o-", color="#b03a2e", label="raw hashicorp/aws resources (computed)")
    ax.plot(vpcs, ours, "s-", color="#1f618d", label="migration_hub_network (measured)")
    for x, y in zip(vpcs, raw):
        ax.annotate(f"{y:,}", (x, y), textcoords="offset points", xytext=(0, 7), ha="center", fontsize=8)
    for x, y in zip(vpcs, ours):
        ax.annotate(str(y), (x, y), textcoords="offset points", xytext=(0, 7), ha="center", fontsize=8)
    ax.set_yscale("log")
    ax.set_ylim(bottom=5)
    ax.set_xlabel("VPC attachments in full mesh (N)")
    ax.set_ylabel("AWS API calls of a no-op plan")
    ax.set_title("Refresh cost: calls of a no-op plan")
    ax.set_xticks(vpcs)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(loc="center right", fontsize=9)
    fig.tight_layout()
    path = os.path.join(out, "refresh_calls.png")
    fig.savefig(path)
    plt.close(fig)
    return path


def apply_figure(directory, out):
    limits = rows(directory, "rate_limits")
    latency = {r["measurement"]: float(r["seconds"]) for r in rows(directory, "latency")}
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4.2), dpi=120)

    labels, walls, floors = [], [], []
    for r in limits:
        labels.append(r["workload"].split(" (")[0])
        walls.append(float(r["apply wall s"]))
        floors.append(float(r["minimum s ((calls − burst) / refill)"]) + float(r["+ last object settling s"]))
    positions = range(len(labels))
    left.barh([p + 0.2 for p in positions], floors, height=0.4, color="#aab7b8", label="floor the rate limits allow")
    left.barh([p - 0.2 for p in positions], walls, height=0.4, color="#1f618d", label="measured apply")
    for p, w, f in zip(positions, walls, floors):
        left.text(w, p - 0.2, f" {w:.1f} s ({(w / f - 1) * 100:+.0f}%)", va="center", fontsize=8)
    left.set_yticks(list(positions))
    left.set_yticklabels(labels, fontsize=8)
    left.set_xlabel("seconds")
    left.set_title("Against EC2's rate limits (suite 3)", fontsize=10)
    left.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2)
    left.set_xlim(0, max(walls + floors) * 1.35)

    names = [
        ("critical path", "critical path"),
        ("ours: apply (ApplyResourceChange)", "migration_hub_network"),
        ("raw hashicorp/aws, -parallelism=10 (model)", "raw, -parallelism=10"),
    ]
    values = [latency[k] for k, _ in names if k in latency]
    shown = [label for k, label in names if k in latency]
    colors = ["#aab7b8", "#1f618d", "#b03a2e"][: len(values)]
    right.barh(range(len(values)), values, color=colors)
    for p, v in enumerate(values):
        right.text(v, p, f" {v:.1f} s", va="center", fontsize=8)
    right.set_yticks(range(len(values)))
    right.set_yticklabels(shown, fontsize=8)
    right.set_xlabel("seconds")
    right.set_title("Creating a hub, 50 ms per call (suite 5)", fontsize=10)
    right.set_xlim(0, max(values) * 1.25)
    fig.tight_layout()
    path = os.path.join(out, "apply_times.png")
    fig.savefig(path)
    plt.close(fig)
    return path


def terraform_figure(directory, out):
    data = rows(directory, "terraform")
    commands = []
    for r in data:
        if r["command"] not in commands:
            commands.append(r["command"])
    sizes = sorted({int(r["VPCs"]) for r in data})
    fig, axes = plt.subplots(1, len(commands), figsize=(3.2 * len(commands), 4.2), dpi=120, squeeze=False)
    for ax, command in zip(axes[0], commands):
        chosen = {int(r["VPCs"]): r for r in data if r["command"] == command}
        xs = [n for n in sizes if n in chosen]
        provider = [float(chosen[n]["provider s (RPCs in flight)"]) for n in xs]
        emulator = [min(float(chosen[n]["emulator s (calls in flight)"]), p) for n, p in zip(xs, provider)]
        own = [p - e for p, e in zip(provider, emulator)]
        core = [float(chosen[n]["core s (wall - provider)"]) for n in xs]
        positions = range(len(xs))
        ax.bar(positions, emulator, color="#d4ac0d", label="emulator answering AWS calls")
        ax.bar(positions, own, bottom=emulator, color="#1f618d", label="provider, the rest of its RPCs")
        ax.bar(positions, core, bottom=provider, color="#aab7b8", label="Terraform core (the rest)")
        for p, a, b in zip(positions, provider, core):
            ax.text(p, a + b, f"{a + b:.1f}", ha="center", va="bottom", fontsize=8)
        ax.set_xticks(list(positions))
        ax.set_xticklabels([str(n) for n in xs])
        ax.set_xlabel("VPCs in full mesh")
        ax.set_title(command, fontsize=10)
        ax.grid(True, axis="y", alpha=0.3)
    axes[0][0].set_ylabel("seconds (wall)")
    axes[0][0].legend(fontsize=8, loc="upper left")
    fig.suptitle("Whole terraform commands, real Terraform 1.15.5", fontsize=11)
    fig.tight_layout()
    path = os.path.join(out, "terraform_commands.png")
    fig.savefig(path)
    plt.close(fig)
    return path


def main(argv):
    if len(argv) != 3:
        raise SystemExit(__doc__)
    directory, out = argv[1], argv[2]
    os.makedirs(out, exist_ok=True)
    for draw in (refresh_figure, apply_figure, terraform_figure):
        try:
            print(f"(plotted {draw(directory, out)})")
        except FileNotFoundError as missing:
            print(f"(skipped {draw.__name__}: {missing.filename} is missing; run that suite)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
