//! `nexus features --gfp PARAMS.json`: snapml GraphFeaturePreprocessor
//! compatible features, streamed batch by batch.

use anyhow::{bail, Context, Result};
use nexus_formats::FormatError;
use nexus_graph::gfp::{GfpEdge, GfpParams, Preprocessor};
use std::collections::HashMap;
use std::io::Write;
use std::path::Path;
use std::time::Instant;

/// Output encodings of the feature matrix.
#[derive(Clone, Copy, PartialEq, Eq, Debug, clap::ValueEnum)]
pub enum Encoding {
    /// `transaction_id` then one column per feature.
    Csv,
    /// NumPy `.npy`, float64, one row per transaction in input order, features only.
    Npy,
}

impl Encoding {
    pub fn for_path(path: &Path) -> Encoding {
        match path.extension().and_then(|e| e.to_str()) {
            Some("npy") => Encoding::Npy,
            _ => Encoding::Csv,
        }
    }
}

/// Reads snapml `set_params` JSON (as in `gfp_params.json`; a file holding
/// several named configurations takes `name`, or the only one).
pub fn read_params(path: &Path, name: Option<&str>) -> Result<GfpParams> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    GfpParams::from_json(&text, name).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}

/// Reads interchange transactions in file order, feeds them to the
/// preprocessor in batches and writes the features as they come.
pub fn run(
    transactions: &Path,
    params: GfpParams,
    batch: usize,
    threads: usize,
    out: &Path,
    encoding: Option<Encoding>,
) -> Result<()> {
    if batch == 0 {
        bail!("--batch must be at least 1");
    }
    let started = Instant::now();
    let names = params.column_names();
    let mut pre = Preprocessor::new(params, threads).map_err(|e| anyhow::anyhow!("{e}"))?;
    let width = pre.width();
    let encoding = encoding.unwrap_or_else(|| Encoding::for_path(out));
    // All rows are read first: the .npy header fixes the shape, and a file
    // that cannot be read leaves no output behind.
    let mut reader = nexus_formats::interchange::TransactionReader::open(transactions)?;
    let mut accounts: HashMap<String, u64> = HashMap::new();
    let mut edges: Vec<GfpEdge> = Vec::new();
    let mut ids: Vec<String> = Vec::new();
    let mut rejected = 0usize;
    let mut line = 1u64;
    loop {
        line += 1;
        match reader.next_transaction() {
            Ok(None) => break,
            Ok(Some(t)) => {
                let next = accounts.len() as u64;
                let src = *accounts.entry(t.from_account.clone()).or_insert(next);
                let next = accounts.len() as u64;
                let dst = *accounts.entry(t.to_account.clone()).or_insert(next);
                edges.push(GfpEdge {
                    id: edges.len() as u64,
                    src,
                    dst,
                    time: t.timestamp.0,
                    amount: t.amount.as_major_f64(),
                });
                if encoding == Encoding::Csv {
                    ids.push(t.id);
                }
            }
            Err(e @ (FormatError::Io { .. } | FormatError::MissingColumn { .. })) => {
                return Err(e.into())
            }
            Err(e) => {
                rejected += 1;
                if rejected <= 20 {
                    eprintln!(
                        "nexus: {}: line {}: rejected: {e}",
                        transactions.display(),
                        e.line().unwrap_or(line)
                    );
                }
            }
        }
    }
    if edges.is_empty() {
        bail!("{}: no transactions to analyse", transactions.display());
    }
    let read_secs = started.elapsed().as_secs_f64();
    let mut w = crate::output::Output::create(out)?;
    match encoding {
        Encoding::Csv => {
            write!(w, "transaction_id")?;
            for n in &names {
                write!(w, ",{n}")?;
            }
            writeln!(w)?;
        }
        Encoding::Npy => write_npy_header(&mut w, edges.len(), width)?,
    }
    let mut compute_secs = 0.0;
    let mut bytes: Vec<u8> = Vec::new();
    for (b, chunk) in edges.chunks(batch).enumerate() {
        let t0 = Instant::now();
        let rows = pre.transform(chunk);
        compute_secs += t0.elapsed().as_secs_f64();
        match encoding {
            Encoding::Csv => {
                for (i, row) in rows.chunks(width).enumerate() {
                    w.write_all(ids[b * batch + i].as_bytes())?;
                    for v in row {
                        write!(w, ",{v}")?;
                    }
                    w.write_all(b"\n")?;
                }
            }
            Encoding::Npy => {
                bytes.clear();
                bytes.extend(rows.iter().flat_map(|v| v.to_le_bytes()));
                w.write_all(&bytes)?;
            }
        }
    }
    w.finish()?;
    eprintln!(
        "nexus: {} GFP features of {} transactions ({} rejected) in batches of {batch}: read {:.2} s, computed {:.2} s ({:.0} transactions/s, {threads} threads), total {:.2} s; wrote {}",
        width,
        edges.len(),
        rejected,
        read_secs,
        compute_secs,
        edges.len() as f64 / compute_secs.max(1e-9),
        started.elapsed().as_secs_f64(),
        out.display()
    );
    Ok(())
}

/// NumPy format 1.0 header for a C-ordered float64 matrix.
fn write_npy_header(w: &mut impl Write, rows: usize, cols: usize) -> std::io::Result<()> {
    let dict = format!("{{'descr': '<f8', 'fortran_order': False, 'shape': ({rows}, {cols}), }}");
    // Magic (6) + version (2) + length (2) + dict + padding + newline, multiple of 64.
    let unpadded = 10 + dict.len() + 1;
    let padding = (64 - unpadded % 64) % 64;
    let header = format!("{dict}{}\n", " ".repeat(padding));
    w.write_all(b"\x93NUMPY\x01\x00")?;
    w.write_all(&(header.len() as u16).to_le_bytes())?;
    w.write_all(header.as_bytes())
}
