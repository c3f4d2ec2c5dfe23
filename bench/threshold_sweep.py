#!/usr/bin/env python3
"""Recall and alert rates of one matches file at several thresholds.
Usage: threshold_sweep.py TRUTH.csv MATCHES.csv [t1 t2 ...]"""
import csv, sys
from collections import defaultdict
truth = {r['query_id']: r for r in csv.DictReader(open(sys.argv[1]))}
rows = [(r['query_id'], r['list_id'], float(r['score'])) for r in csv.DictReader(open(sys.argv[2]))]
ts = [float(t) for t in sys.argv[3:]] or [0.70, 0.75, 0.78, 0.80, 0.82, 0.85, 0.88, 0.90]
for t in ts:
    hits = defaultdict(set)
    for q, l, s in rows:
        if s >= t:
            hits[q].add(l)
    pos = tp = neg = fp = hn = hfp = 0
    for q, r in truth.items():
        if r['expected']:
            pos += 1; tp += r['expected'] in hits[q]
        elif r['category'] == 'hard_negative':
            hn += 1; hfp += bool(hits[q])
        else:
            neg += 1; fp += bool(hits[q])
    print(f'threshold {t:.2f}: recall {tp/pos:.3f}  ordinary alert rate {fp/max(neg,1):.4f}  hard-negative alert rate {hfp/max(hn,1):.3f}')
