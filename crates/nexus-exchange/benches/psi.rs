//! Private matching of N requester subjects against M at the partner, the
//! whole protocol in one process (both sides' cryptography, envelopes,
//! bytes on the wire). `cargo bench -p nexus-exchange --bench psi -- [N] [M] [COMMON]`

use nexus_exchange::psi::{answer, intersect, pack, unpack, Blinding, POINT, TAG};
use nexus_exchange::{Envelope, Identity, Kind};
use std::time::Instant;

fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let n = args.first().copied().unwrap_or(100_000);
    let m = args.get(1).copied().unwrap_or(1_000_000);
    let common = args.get(2).copied().unwrap_or(10_000);
    // The same strings as bench/exchange.sh gives the peer.
    let mine: Vec<String> = (0..n).map(|i| format!("k{i}")).collect();
    let theirs: Vec<String> = (0..common)
        .map(|i| format!("k{i}"))
        .chain((0..m - common).map(|i| format!("s{i}")))
        .collect();
    let a_id = Identity::generate().unwrap();
    let b_id = Identity::generate().unwrap();
    let started = Instant::now();

    let t = Instant::now();
    let a = Blinding::random().unwrap();
    let blinded = a.blind_keys("session", &mine);
    let request = Envelope::seal(
        &a_id,
        &b_id.public(),
        Kind::MatchRequest,
        "session",
        0,
        &pack(&blinded),
    )
    .unwrap();
    let t_request = t.elapsed().as_secs_f64();

    let t = Instant::now();
    let opened = Envelope::open(&request.0, &b_id, &a_id.public(), 0, 300).unwrap();
    let (doubled, tags) = answer(
        "session",
        &unpack::<POINT>(&opened.payload).unwrap(),
        &theirs,
    )
    .unwrap();
    let response = Envelope::seal(
        &b_id,
        &a_id.public(),
        Kind::MatchResponse,
        "session",
        0,
        &[pack(&doubled), pack(&tags)].concat(),
    )
    .unwrap();
    let t_answer = t.elapsed().as_secs_f64();

    let t = Instant::now();
    let opened = Envelope::open(&response.0, &a_id, &b_id.public(), 0, 300).unwrap();
    let doubled = unpack::<POINT>(&opened.payload[..n * POINT]).unwrap();
    let tags = unpack::<TAG>(&opened.payload[n * POINT..]).unwrap();
    let found = intersect(&a.unblind(&doubled).unwrap(), &tags);
    let t_finish = t.elapsed().as_secs_f64();
    assert_eq!(found.len(), common, "the intersection is exact");
    let total = started.elapsed().as_secs_f64();
    let threads = std::thread::available_parallelism().map_or(1, |x| x.get());
    println!("| nexus (Ristretto255, {threads} threads) | {n} vs {m} | {common} | {t_request:.1} s | {t_answer:.1} s | {t_finish:.1} s | {total:.1} s | {:.1} MB | {:.1} MB |",
        request.0.len() as f64 / 1e6, response.0.len() as f64 / 1e6);
}
