#!/usr/bin/env python3
"""Writes the golden files of crates/nexus/tests/gfp.rs: a random interchange transactions file
(ties, self-transfers, dense enough for scatter-gather and cycles), the GFP paper configuration,
and snapml GraphFeaturePreprocessor's output for it in batches of 128 (non-zero values only,
`row,column,value`). Run again only to refresh the golden files from a new snapml version:
    .venv/bin/python bench/gfp_golden.py
"""
import csv, json, os, sys
import numpy as np
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gfp_compare import generate, load_params, column_names
from snapml import GraphFeaturePreprocessor
import datetime

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), '../crates/nexus/tests/data/gfp')
os.makedirs(out, exist_ok=True)
tx = os.path.join(out, 'transactions.csv')
generate(tx, 1200, 300, 9000, 11)
params = load_params(1, {})
json.dump(params, open(os.path.join(out, 'params.json'), 'w'), indent=1)
acct, rows = {}, []
for r in csv.DictReader(open(tx)):
    ts = datetime.datetime.fromisoformat(r['timestamp'].replace('Z', '+00:00')).timestamp()
    s = acct.setdefault(r['from_account'], len(acct)); d = acct.setdefault(r['to_account'], len(acct))
    rows.append((len(rows), s, d, ts, float(r['amount'])))
X = np.array(rows, dtype=np.float64)
gp = GraphFeaturePreprocessor(); gp.set_params(params)
F = np.vstack([gp.transform(X[i:i + 128])[:, 5:] for i in range(0, len(X), 128)])
names = column_names(params)
with open(os.path.join(out, 'snapml.csv'), 'w') as f:
    f.write('row,column,value\n')
    for r, c in zip(*np.nonzero(F)):
        v = float(F[r, c])
        f.write(f'{r},{names[c]},{int(v) if v.is_integer() and abs(v) < 1e15 else repr(v)}\n')
print(f'{len(X)} transactions, {F.shape[1]} features, {np.count_nonzero(F)} non-zero values written to {out}')
