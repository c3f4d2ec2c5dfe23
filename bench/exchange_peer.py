"""OpenMined PSI (C++ core, ECDH over P-256) on the same inputs as nexus's psi bench:
the requester's N keys k0..k{N-1}, the partner's M keys of which COMMON are shared."""
import sys, time
import private_set_intersection.python as psi

n, m, common = (int(a) for a in sys.argv[1:4])
mine = [f"k{i}" for i in range(n)]
theirs = [f"k{i}" for i in range(common)] + [f"s{i}" for i in range(m - common)]
for structure, fpr in (("RAW", 0.0), ("GCS", 1e-9)):
    t0 = time.time()
    client = psi.client.CreateWithNewKey(True)
    server = psi.server.CreateWithNewKey(True)
    t = time.time()
    request = client.CreateRequest(mine)
    t_request = time.time() - t
    t = time.time()
    setup = server.CreateSetupMessage(fpr, n, theirs, getattr(psi.DataStructure, structure))
    response = server.ProcessRequest(request)
    t_answer = time.time() - t
    t = time.time()
    found = client.GetIntersection(setup, response)
    t_finish = time.time() - t
    total = time.time() - t0
    sent = len(request.SerializeToString())
    received = len(setup.SerializeToString()) + len(response.SerializeToString())
    assert len(found) >= common, len(found)
    print(f"| OpenMined PSI 2.0.6 ({structure}, P-256, 1 thread) | {n} vs {m} | {len(found)} | {t_request:.1f} s | {t_answer:.1f} s | {t_finish:.1f} s | {total:.1f} s | {sent/1e6:.1f} MB | {received/1e6:.2f} MB |", flush=True)
