#!/usr/bin/env python3
"""Counts detection quality on what the user receives: the alerts file.

    python3 bench/alerts_eval.py ALERTS.csv LABELS.csv TRANSACTIONS.csv [--from TIME]

A transaction is flagged when any alert of the file lists it; a labelled
(laundering) transaction is one with a `transaction_id` in LABELS.csv. With
--from (RFC 3339, compared as text on the interchange's UTC timestamps) only
transactions at or after that time count, on both sides. Also reported:
alerts, alerts whose transactions are mostly laundering, largest alert, and
per typology how many planted patterns have at least half their transactions
in the file.

Written independently of nexus (Python's csv module, no nexus code) so that
the figures in BENCHMARKS.md do not rest on the program they measure.
"""
import csv
import sys
from collections import defaultdict


def main() -> None:
    args = sys.argv[1:]
    since = ""
    if "--from" in args:
        i = args.index("--from")
        since = args[i + 1]
        del args[i : i + 2]
    alerts_path, labels_path, tx_path = args
    csv.field_size_limit(1 << 30)
    time = {}
    with open(tx_path, newline="") as f:
        for row in csv.DictReader(f):
            time[row["id"]] = row["timestamp"]
    in_scope = lambda t: t in time and time[t] >= since
    pattern_of = {}
    typology_of = {}
    with open(labels_path, newline="") as f:
        for row in csv.DictReader(f):
            t = row.get("transaction_id", "")
            if t and in_scope(t):
                pattern_of[t] = row["pattern_id"]
                typology_of[row["pattern_id"]] = row["typology"]
    truth = set(pattern_of)
    flagged = set()
    alerts = mostly_true = 0
    largest = 0
    by_kind = defaultdict(lambda: [0, 0])
    with open(alerts_path, newline="") as f:
        for row in csv.DictReader(f):
            txs = [t for t in row["transactions"].split(";") if t and in_scope(t)]
            if not txs:
                continue
            alerts += 1
            flagged.update(txs)
            hits = sum(t in truth for t in txs)
            mostly_true += hits * 2 >= len(txs)
            by_kind[row["typology"]][0] += 1
            by_kind[row["typology"]][1] += hits * 2 >= len(txs)
            largest = max(largest, len(row["accounts"].split(";")))
    tp = len(flagged & truth)
    p = tp / len(flagged) if flagged else 0.0
    r = tp / len(truth) if truth else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    print(
        f"alerts file: precision {p:.3f} recall {r:.3f} F1 {f1:.3f} "
        f"({len(truth)} laundering transactions, {len(flagged)} in {alerts} alerts, {tp} of them laundering)"
    )
    print(
        f"alerts mostly on laundering: {mostly_true} of {alerts} ({mostly_true / max(alerts, 1):.3f}); "
        f"largest alert {largest} accounts"
    )
    for kind, (n, good) in sorted(by_kind.items()):
        print(f"  alerts {kind:18} {n:6}  mostly laundering {good:6}")
    patterns = defaultdict(lambda: [0, 0])
    for t, pid in pattern_of.items():
        patterns[pid][0] += 1
        patterns[pid][1] += t in flagged
    per_typology = defaultdict(lambda: [0, 0])
    for pid, (n, hit) in patterns.items():
        per_typology[typology_of[pid]][0] += 1
        per_typology[typology_of[pid]][1] += hit * 2 >= n
    for typ, (n, found) in sorted(per_typology.items()):
        print(f"  typology {typ:22} found {found:4} of {n:4} ({found / n:.2f})")


if __name__ == "__main__":
    main()
