//! What every subcommand shares: writing an output file safely, choosing threads.
//!
//! A regular file is written aside and renamed into place, so that a reader
//! never sees half of it. Anything else is written to directly: renaming
//! over `/dev/null`, a FIFO or a socket would replace the device with a
//! regular file (as root, breaking the machine), and renaming over a
//! symbolic link would replace the link instead of the file it points to.
//! `-` is standard output.

use anyhow::{bail, Context, Result};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// Where an output goes, decided once before anything is written.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Destination {
    /// `-`: standard output.
    Stdout,
    /// A device, FIFO or socket: opened and written in place.
    Direct(PathBuf),
    /// A regular file (new or existing, possibly behind symbolic links):
    /// written to `staging` beside `target`, then renamed onto it.
    Staged { target: PathBuf, staging: PathBuf },
}

fn destination(path: &Path) -> Result<Destination> {
    if path.as_os_str() == "-" {
        return Ok(Destination::Stdout);
    }
    // Follow symbolic links to the file they name (a dangling link names a new file).
    let mut target = path.to_path_buf();
    for _ in 0..40 {
        match std::fs::symlink_metadata(&target) {
            Ok(m) if m.file_type().is_symlink() => {
                let link = std::fs::read_link(&target)
                    .with_context(|| format!("reading the link {}", target.display()))?;
                target = match target.parent() {
                    Some(dir) if link.is_relative() => dir.join(link),
                    _ => link,
                };
            }
            Ok(m) if m.is_dir() => bail!("{} is a directory, not a file", path.display()),
            Ok(m) if !m.is_file() => return Ok(Destination::Direct(target)),
            _ => {
                let name = target
                    .file_name()
                    .with_context(|| format!("{} names no file", path.display()))?
                    .to_string_lossy()
                    .into_owned();
                let staging =
                    target.with_file_name(format!(".{name}.partial-{}", std::process::id()));
                return Ok(Destination::Staged { target, staging });
            }
        }
    }
    bail!("{}: too many levels of symbolic links", path.display())
}

/// An output being written; [`Output::finish`] puts it in place.
pub struct Output {
    destination: Destination,
    writer: BufWriter<Box<dyn Write>>,
    finished: bool,
}

impl Output {
    /// Opens `path` for writing (see the module documentation).
    pub fn create(path: &Path) -> Result<Output> {
        let destination = destination(path)?;
        let sink: Box<dyn Write> = match &destination {
            Destination::Stdout => Box::new(std::io::stdout().lock()),
            Destination::Direct(p) => Box::new(
                std::fs::OpenOptions::new()
                    .write(true)
                    .open(p)
                    .with_context(|| format!("opening {}", p.display()))?,
            ),
            Destination::Staged { staging, .. } => Box::new(
                File::create(staging).with_context(|| format!("creating {}", staging.display()))?,
            ),
        };
        Ok(Output {
            destination,
            writer: BufWriter::with_capacity(1 << 20, sink),
            finished: false,
        })
    }

    /// Flushes and, for a regular file, renames the finished file into place.
    pub fn finish(mut self) -> Result<()> {
        self.writer.flush().context("writing the output")?;
        if let Destination::Staged { target, staging } = &self.destination {
            std::fs::rename(staging, target)
                .with_context(|| format!("renaming to {}", target.display()))?;
        }
        self.finished = true;
        Ok(())
    }
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.writer.write(buf)
    }
    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.writer.write_all(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.writer.flush()
    }
}

impl Drop for Output {
    fn drop(&mut self) {
        if let (false, Destination::Staged { staging, .. }) = (self.finished, &self.destination) {
            let _ = std::fs::remove_file(staging);
        }
    }
}

/// Writes `bytes` to `path` as [`Output`] does: a regular file atomically,
/// a device or FIFO in place, `-` to standard output.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut out = Output::create(path)?;
    out.write_all(bytes)
        .with_context(|| format!("writing {}", path.display()))?;
    out.finish()
}

/// The worker threads asked for, or all cores.
pub fn threads(asked: Option<usize>) -> usize {
    asked.unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regular_files_are_replaced_whole_and_leave_no_staging() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("out.csv");
        write_atomically(&p, b"one").unwrap();
        write_atomically(&p, b"two").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_symbolic_link_keeps_pointing_at_the_rewritten_file() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.csv");
        std::fs::write(&real, "old").unwrap();
        let link = dir.path().join("link.csv");
        std::os::unix::fs::symlink("real.csv", &link).unwrap();
        write_atomically(&link, b"new").unwrap();
        assert!(std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(std::fs::read(&real).unwrap(), b"new");
    }

    #[test]
    fn devices_and_fifos_are_written_in_place() {
        assert_eq!(
            destination(Path::new("/dev/null")).unwrap(),
            Destination::Direct("/dev/null".into())
        );
        write_atomically(Path::new("/dev/null"), b"discarded").unwrap();
        let meta = std::fs::metadata("/dev/null").unwrap();
        assert!(!meta.is_file(), "/dev/null is still a device");
        let dir = tempfile::tempdir().unwrap();
        assert!(
            write_atomically(dir.path(), b"x").is_err(),
            "a directory is refused"
        );
        assert_eq!(destination(Path::new("-")).unwrap(), Destination::Stdout);
    }

    #[test]
    fn an_unfinished_output_leaves_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("out.csv");
        {
            let mut o = Output::create(&p).unwrap();
            o.write_all(b"half").unwrap();
        }
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}
