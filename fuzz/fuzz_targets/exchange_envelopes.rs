#![no_main]
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

// What a partner FIU (or anyone on the network) sends to the exchange inbox.
fuzz_target!(|data: &[u8]| {
    static KEYS: OnceLock<(nexus_exchange::Identity, nexus_exchange::PublicIdentity)> = OnceLock::new();
    let (me, them) = KEYS.get_or_init(|| {
        let me = nexus_exchange::Identity::generate().unwrap();
        let them = nexus_exchange::Identity::generate().unwrap().public();
        (me, them)
    });
    let _ = nexus_exchange::Envelope::sender(data);
    let _ = nexus_exchange::Envelope::open(data, me, them, 0, 300);
    let _ = nexus_exchange::psi::unpack::<32>(data);
});
