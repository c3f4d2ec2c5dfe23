#!/usr/bin/env python3
"""Counts the FIU's alert queue against the scenario's planted cases.

    python3 bench/queue_eval.py FIU.db SCENARIO_DIR

Reads the SQLite database the service writes (what an analyst's queue
shows: open typology alerts, suppressed ones apart) and the scenario's
labels.csv. A stored transaction is planted when its reference (the
scenario's transaction id) is labelled. Reports, for open typology alerts:
how many touch planted activity, how many are mostly planted, accounts
with two open alerts of one typology, and per planted typology how many
cases have at least half their transactions in open alerts.

Independent of nexus's code (Python's sqlite3 and csv modules).
"""
import csv
import sqlite3
import sys
from collections import Counter, defaultdict


def main() -> None:
    db, scenario = sys.argv[1:3]
    planted = {}
    with open(f"{scenario}/labels.csv", newline="") as f:
        for row in csv.DictReader(f):
            if row["transaction_id"]:
                planted[row["transaction_id"]] = (row["pattern_id"], row["typology"])
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    reference = dict(con.execute("SELECT id, reference FROM transactions"))
    alerts = con.execute(
        "SELECT id, typology, accounts, transactions FROM alerts "
        "WHERE kind IN ('typology', 'model') AND is_open = 1"
    ).fetchall()
    suppressed = con.execute(
        "SELECT COUNT(*) FROM alerts WHERE kind IN ('typology', 'model') AND suppressed = 1 AND status = 'new'"
    ).fetchone()[0]
    touch = mostly = 0
    in_alerts = set()
    per_kind = defaultdict(lambda: [0, 0])
    focal = Counter()
    for _id, typology, accounts, txs in alerts:
        refs = [reference.get(int(t)) for t in txs.split(";") if t]
        hits = sum(r in planted for r in refs)
        touch += hits > 0
        mostly += hits * 2 >= max(len(refs), 1)
        per_kind[typology][0] += 1
        per_kind[typology][1] += hits > 0
        in_alerts.update(r for r in refs if r in planted)
        focal[(typology, accounts.split(";")[0])] += 1
    n = len(alerts)
    print(
        f"open typology alerts {n}: {touch} touch planted activity ({touch / max(n, 1):.2f}), "
        f"{mostly} mostly planted ({mostly / max(n, 1):.2f}); {suppressed} suppressed below the fold"
    )
    dup = sum(1 for c in focal.values() if c > 1)
    print(f"accounts with two or more open alerts of one typology: {dup}")
    for kind, (k, t) in sorted(per_kind.items()):
        print(f"  {kind:18} {k:5} alerts, {t:5} touch planted")
    cases = defaultdict(lambda: [0, 0, ""])
    for tx, (pattern, typology) in planted.items():
        cases[pattern][0] += 1
        cases[pattern][1] += tx in in_alerts
        cases[pattern][2] = typology
    per_typology = defaultdict(lambda: [0, 0])
    for total, hit, typology in cases.values():
        per_typology[typology][0] += 1
        per_typology[typology][1] += hit * 2 >= total
    for typology, (k, found) in sorted(per_typology.items()):
        print(f"  planted {typology:22} found {found} of {k}")


if __name__ == "__main__":
    main()
