//! Whatever arrives from the network: an error, never a panic.

use nexus_exchange::psi::{unpack, POINT};
use nexus_exchange::{Envelope, Identity};
use proptest::prelude::*;

proptest! {
    #[test]
    fn opening_arbitrary_bytes_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let me = Identity::generate().unwrap();
        let them = Identity::generate().unwrap();
        let mut framed = b"NXE1".to_vec();
        framed.extend_from_slice(&bytes);
        prop_assert!(Envelope::open(&bytes, &me, &them.public(), 0, 300).is_err());
        prop_assert!(Envelope::open(&framed, &me, &them.public(), 0, 300).is_err());
        let _ = Envelope::sender(&framed);
        let _ = unpack::<POINT>(&bytes);
    }
}
