//! Prints how a name is analysed: `cargo run -p nexus-names --example analyse -- "NAME" ...`
fn main() {
    for name in std::env::args().skip(1) {
        println!("{name}");
        for p in nexus_names::analyse(&name) {
            println!(
                "  {:?} folded={} key={} skeleton={} stem={} vowelless={} role={:?}",
                p.original, p.folded, p.key, p.skeleton, p.stem, p.vowelless, p.role
            );
        }
    }
}
