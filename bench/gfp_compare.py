#!/usr/bin/env python3
"""Side by side: snapml's GraphFeaturePreprocessor and `nexus features --gfp` on the same
interchange transactions CSV, same parameters (../shared/tools/peers/gfp_params.json, 'paper'),
same batches (2048), same threads. Checks that every engineered column is equal and reports
both throughputs and the ratio.

Usage: gfp_compare.py TX.csv NEXUS_BIN [threads] [--gen N_EDGES N_ACCOUNTS SPAN_SECONDS SEED]
With --gen, TX.csv is first written as a random interchange file (dense, with ties) for probing.
"""
import csv, datetime, json, os, subprocess, sys, time
import numpy as np

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

def params_for(threads, overrides):
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

def snapml_features(path, params, batch=2048):
    from snapml import GraphFeaturePreprocessor
    t0 = time.time()
    acct, rows = {}, []
    for r in csv.DictReader(open(path)):
        ts = datetime.datetime.fromisoformat(r['timestamp'].replace('Z', '+00:00')).timestamp()
        s = acct.setdefault(r['from_account'], len(acct)); d = acct.setdefault(r['to_account'], len(acct))
        rows.append((len(rows), s, d, ts, float(r['amount'])))
    X = np.ascontiguousarray(np.array(rows, dtype=np.float64))
    gp = GraphFeaturePreprocessor(); gp.set_params(params)
    out = []
    for i in range(0, len(X), batch):
        out.append(gp.transform(X[i:i + batch])[:, X.shape[1]:])
    return np.vstack(out), time.time() - t0

def main():
    args = sys.argv[1:]
    overrides = {}
    if '--set' in args:  # --set key=json
        i = args.index('--set'); k, v = args[i + 1].split('=', 1); overrides[k] = json.loads(v); del args[i:i + 2]
    if '--gen' in args:
        i = args.index('--gen'); n, a, span, seed = map(int, args[i + 1:i + 5]); del args[i:i + 5]
        generate(args[0], n, a, span, seed)
    path, nexus = args[0], args[1]
    threads = int(args[2]) if len(args) > 2 else 1
    params = params_for(threads, overrides)
    ref, t_ref = snapml_features(path, params)
    pfile = path + '.gfp.json'
    json.dump(params, open(pfile, 'w'))
    out = path + '.nexus-gfp.csv'
    t0 = time.time()
    subprocess.run([nexus, 'features', '--transactions', path, '--gfp', pfile, '--threads', str(threads),
                    '--out', out], check=True)
    t_nexus = time.time() - t0
    with open(out) as f:
        header = f.readline().strip().split(',')[1:]
    ours = np.loadtxt(out, delimiter=",", skiprows=1, usecols=range(1, len(header) + 1), ndmin=2)
    if ours.shape != ref.shape:
        sys.exit(f'shape differs: nexus {ours.shape}, snapml {ref.shape}')
    close = np.isclose(ours, ref, rtol=1e-6, atol=1e-6)
    bad_cols = [(header[c], int((~close[:, c]).sum())) for c in range(ref.shape[1]) if not close[:, c].all()]
    n = ref.shape[0]
    print(f'{n} transactions, {ref.shape[1]} features, threads {threads}')
    print(f'snapml GraphFeaturePreprocessor: {t_ref:.2f} s = {n / t_ref:,.0f} tx/s')
    print(f'nexus features --gfp:            {t_nexus:.2f} s = {n / t_nexus:,.0f} tx/s')
    print(f'ratio: {t_ref / t_nexus:.1f}x')
    if bad_cols:
        print(f'DIFFERENT in {len(bad_cols)} columns: {bad_cols[:20]}')
        c = header.index(bad_cols[0][0]); rows = np.where(~close[:, c])[0][:10]
        for r in rows:
            print(f'  row {r} {header[c]}: nexus {ours[r, c]} snapml {ref[r, c]}')
        sys.exit(1)
    fams = {}
    for c, h in enumerate(header):
        fam = h.replace('_plus', '').rsplit('_', 1)[0] if not h.startswith(('src', 'dst')) else 'vertex_stats'
        fams[fam] = fams.get(fam, 0) + int((ref[:, c] != 0).sum())
    print('non-zero values per family:', fams)
    print(f'identical: all {ref.size:,} values equal (rtol 1e-6)')

if __name__ == '__main__':
    main()
