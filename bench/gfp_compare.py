#!/usr/bin/env python3
"""Side by side: snapml's GraphFeaturePreprocessor and `nexus features --gfp` on the same
interchange transactions CSV, same parameters (../shared/tools/peers/gfp_params.json, 'paper'),
same batches (2048), same number of threads. Checks that every engineered value is equal
(relative tolerance 1e-6: vertex moments are floating-point sums) and reports both
throughputs and their ratio.

Usage: gfp_compare.py TX.csv NEXUS_BIN [threads] [--gen|--gen-heavy N_EDGES N_ACCOUNTS SPAN_SECONDS SEED [HUBS SHARE]]
                      [--set key=json]
--gen first writes TX.csv as a random interchange file (for probing corner cases: ties,
self-loops, dense neighbourhoods); --set overrides one parameter.
Timings: snapml = reading the CSV + transform of every batch (as gfp_peer.py measures);
nexus = the whole `nexus features` process (reading the CSV, computing, writing the .npy matrix to
/dev/null); a second run writes the matrix to disk for the comparison.
"""
import csv, datetime, json, os, subprocess, sys, time
import numpy as np

BATCH = 2048

def generate(path, n_edges, n_accounts, span, seed):
    rng = np.random.default_rng(seed)
    t0 = 1767225600  # 2026-01-01
    ts = np.sort(rng.integers(0, span, n_edges)) + t0
    with open(path, 'w', newline='') as f:
        w = csv.writer(f)
        w.writerow(['id', 'timestamp', 'from_account', 'to_account', 'amount', 'currency', 'channel'])
        for i in range(n_edges):
            s = int(rng.integers(0, n_accounts)); d = int(rng.integers(0, n_accounts))
            if rng.random() < 0.02:
                d = s  # a few self-loops
            amount = round(float(rng.choice([100, 250, 999.99, rng.uniform(1, 5000)])), 2)
            stamp = datetime.datetime.fromtimestamp(int(ts[i]), datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')
            w.writerow([f'T{i:09d}', stamp, f'A{s:06d}', f'A{d:06d}', f'{amount:.2f}', 'USD', 'wire'])

def generate_heavy(path, n_edges, n_accounts, span, seed, hubs=50, hub_share=0.1):
    """Heavy-tailed: each side of a transaction is, with probability
    `hub_share`, one of `hubs` hub accounts (payment processors, exchanges,
    a mule herder's collection account), otherwise any account: the hubs
    carry thousands of transactions each, most accounts a handful."""
    rng = np.random.default_rng(seed)
    t0 = 1767225600
    ts = np.sort(rng.integers(0, span, n_edges)) + t0
    perm = rng.permutation(n_accounts)  # hubs are not the lowest ids
    def side():
        anyone = rng.integers(0, n_accounts, n_edges)
        hub = rng.integers(0, hubs, n_edges)
        return perm[np.where(rng.random(n_edges) < hub_share, hub, anyone)]
    src, dst = side(), side()
    amounts = np.round(rng.lognormal(5.5, 1.2, n_edges), 2)
    with open(path, 'w', newline='') as f:
        w = csv.writer(f)
        w.writerow(['id', 'timestamp', 'from_account', 'to_account', 'amount', 'currency', 'channel'])
        for i in range(n_edges):
            stamp = datetime.datetime.fromtimestamp(int(ts[i]), datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')
            w.writerow([f'T{i:09d}', stamp, f'A{src[i]:06d}', f'A{dst[i]:06d}', f'{max(amounts[i], 0.01):.2f}', 'USD', 'wire'])
    counts = np.bincount(np.concatenate([src, dst]), minlength=n_accounts)
    print(f'heavy-tailed input: {n_edges} transactions, {n_accounts} accounts; '
          f'{int((counts > 1000).sum())} accounts with more than 1,000 transactions, the largest {int(counts.max())}',
          file=sys.stderr)

def load_params(threads, overrides):
    here = os.path.dirname(os.path.abspath(__file__))
    for cand in [os.environ.get('GFP_PARAMS', ''), os.path.join(here, '../../shared/tools/peers/gfp_params.json')]:
        if cand and os.path.exists(cand):
            p = json.load(open(cand))['paper']
            break
    else:
        sys.exit('gfp_params.json not found (set GFP_PARAMS)')
    p['num_threads'] = threads
    p.update(overrides)
    return p

def column_names(p):
    names = []
    def hist(prefix, key):
        if p.get(key):
            bins = p[key + '_bins']
            names.extend(f'{prefix}_{b}' + ('_plus' if i == len(bins) - 1 else '') for i, b in enumerate(bins))
    hist('fan_in', 'fan'); hist('fan_out', 'fan'); hist('degree_in', 'degree'); hist('degree_out', 'degree')
    hist('scatter_gather', 'scatter-gather'); hist('temp_cycle', 'temp-cycle'); hist('lc_cycle', 'lc-cycle')
    if p.get('vertex_stats'):
        feats = sorted(set(p['vertex_stats_feats']))
        stat = ['fan', 'degree', 'ratio', 'avg', 'sum', 'min', 'max', 'median', 'var', 'skew', 'kurtosis']
        col = ['id', 'src', 'dst', 'time', 'amount']
        for side in ['src_out', 'src_in', 'dst_out', 'dst_in']:
            names += [f'{side}_{stat[f]}' for f in feats if f <= 2]
            for c in p['vertex_stats_cols']:
                names += [f'{side}_{col[c]}_{stat[f]}' for f in feats if f > 2]
    return names

def main():
    args = sys.argv[1:]
    overrides = {}
    while '--set' in args:
        i = args.index('--set'); k, v = args[i + 1].split('=', 1); overrides[k] = json.loads(v); del args[i:i + 2]
    if '--gen-heavy' in args:
        # --gen-heavy N ACCOUNTS SPAN SEED [HUBS SHARE]
        i = args.index('--gen-heavy'); n, a, span, seed = map(int, args[i + 1:i + 5]); del args[i:i + 5]
        hubs, share = 50, 0.1
        if len(args) > i + 1 and args[i].isdigit():
            hubs, share = int(args[i]), float(args[i + 1]); del args[i:i + 2]
        generate_heavy(args[0], n, a, span, seed, hubs, share)
    if '--gen' in args:
        i = args.index('--gen'); n, a, span, seed = map(int, args[i + 1:i + 5]); del args[i:i + 5]
        generate(args[0], n, a, span, seed)
    path, nexus = args[0], args[1]
    threads = int(args[2]) if len(args) > 2 else 1
    params = load_params(threads, overrides)
    names = column_names(params)

    pfile = path + '.gfp.json'
    json.dump(params, open(pfile, 'w'))
    out = path + '.nexus-gfp.npy'
    cmd = [nexus, 'features', '--transactions', path, '--gfp', pfile, '--threads', str(threads),
           '--batch', str(BATCH), '--format', 'npy']
    # Timed run: the matrix is produced and discarded, as snapml's is.
    t0 = time.time()
    subprocess.run(cmd + ['--out', '/dev/null'], check=True)
    t_nexus = time.time() - t0
    # Equality run: the matrix is kept on disk and compared batch by batch.
    subprocess.run(cmd + ['--out', out], check=True, stderr=subprocess.DEVNULL)
    ours = np.load(out, mmap_mode='r')

    from snapml import GraphFeaturePreprocessor
    t0 = time.time()
    acct, rows = {}, []
    for r in csv.DictReader(open(path)):
        ts = datetime.datetime.fromisoformat(r['timestamp'].replace('Z', '+00:00')).timestamp()
        s = acct.setdefault(r['from_account'], len(acct)); d = acct.setdefault(r['to_account'], len(acct))
        rows.append((len(rows), s, d, ts, float(r['amount'])))
    X = np.ascontiguousarray(np.array(rows, dtype=np.float64))
    del rows
    gp = GraphFeaturePreprocessor(); gp.set_params(params)
    t_ref = time.time() - t0
    if ours.shape != (len(X), len(names)):
        sys.exit(f'shape differs: nexus {ours.shape}, expected {(len(X), len(names))}')
    bad = np.zeros(len(names), dtype=np.int64)
    nonzero = np.zeros(len(names), dtype=np.int64)
    first_bad = {}
    for i in range(0, len(X), BATCH):
        t1 = time.time()
        ref = gp.transform(X[i:i + BATCH])[:, X.shape[1]:]
        t_ref += time.time() - t1
        mine = np.asarray(ours[i:i + BATCH])
        close = np.isclose(mine, ref, rtol=1e-6, atol=1e-6)
        nonzero += (ref != 0).sum(axis=0)
        if not close.all():
            bad += (~close).sum(axis=0)
            for c in np.where(~close.all(axis=0))[0]:
                if c not in first_bad:
                    r = int(np.where(~close[:, c])[0][0])
                    first_bad[c] = (i + r, mine[r, c], ref[r, c])
    n = len(X)
    print(f'{n:,} transactions, {len(names)} features, {threads} thread(s), batches of {BATCH}')
    print(f'snapml GraphFeaturePreprocessor: {t_ref:8.1f} s = {n / t_ref:10,.0f} tx/s')
    print(f'nexus features --gfp:            {t_nexus:8.1f} s = {n / t_nexus:10,.0f} tx/s')
    print(f'ratio: nexus {t_ref / t_nexus:.1f}x faster')
    fams = {}
    for c, h in enumerate(names):
        fam = 'vertex_stats' if h.startswith(('src', 'dst')) else h.rsplit('_', 1)[0]
        fams[fam] = fams.get(fam, 0) + int(nonzero[c])
    print('non-zero values per family (snapml):', fams)
    if bad.any():
        print(f'DIFFERENT in {int((bad > 0).sum())} columns, {int(bad.sum())} values:')
        for c in list(first_bad)[:15]:
            r, m, s = first_bad[c]
            print(f'  {names[c]}: {bad[c]} rows, first row {r}: nexus {m} snapml {s}')
        sys.exit(1)
    print(f'identical: all {n * len(names):,} values equal')
    os.remove(out)

if __name__ == '__main__':
    main()
