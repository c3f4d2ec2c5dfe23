//! `nexus screen`: screen names against sanctions lists, compare list
//! versions, re-screen a customer base after an update.

use anyhow::{bail, Context, Result};
use nexus_formats::lists::{load_list, ListedEntry, LoadedList};
use nexus_formats::table::push_line;
use nexus_screen::{
    read_queries, rescreen, screen_all, Exemptions, Query, ScreeningIndex, DEFAULT_THRESHOLD,
};
use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::output::write_atomically;

#[derive(clap::Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct ScreenArgs {
    #[command(subcommand)]
    action: Option<ScreenAction>,
    /// A list to screen against (UN XML, OFAC sdn.csv or its directory, EU FSF XML,
    /// FollowTheMoney JSON lines, plain CSV); repeat for several. The format is detected.
    #[arg(long = "list", required = true)]
    lists: Vec<PathBuf>,
    /// Queries CSV: id,name and optionally birth_date,country,kind,document,counterparty.
    #[arg(long, required = true)]
    names: Option<PathBuf>,
    /// Matches CSV to write.
    #[arg(long, required = true)]
    out: Option<PathBuf>,
    /// Lowest score reported (0..1).
    #[arg(long, default_value_t = DEFAULT_THRESHOLD, value_parser = parse_threshold)]
    threshold: f32,
    /// Exempt humanitarian organisations (plain list CSV: id,name,aliases,programme);
    /// hits whose counterparty is one of them go to humanitarian review, not blocking.
    #[arg(long)]
    exempt: Option<PathBuf>,
    /// Worker threads (default: all cores).
    #[arg(long)]
    threads: Option<usize>,
    /// Also write, per query, up to this many best candidates below the
    /// threshold (scoring at least 0.5), with action `below_threshold`: for
    /// tuning the threshold on one's own names.
    #[arg(long, default_value_t = 0)]
    top: usize,
}

#[derive(clap::Subcommand)]
enum ScreenAction {
    /// Build a labelled evaluation (queries.csv, truth.csv) from a real UN list: variants of
    /// listed names, ordinary regional names and hard negatives.
    Evaluation {
        /// The UN Consolidated List XML to draw from.
        #[arg(long)]
        un_list: PathBuf,
        #[arg(long)]
        out: PathBuf,
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Write a synthetic plain-CSV list of regional people and companies (load tests).
    SyntheticList {
        #[arg(long)]
        entries: usize,
        #[arg(long)]
        out: PathBuf,
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Leave-one-name-out evaluation on real lists: every name of an entry with several is
    /// screened against the list without it; recall per list, script and kind of name.
    LeaveOneOut {
        /// Lists to evaluate, each on its own (repeat for several).
        #[arg(long = "list", required = true)]
        lists: Vec<PathBuf>,
        #[arg(long, default_value_t = DEFAULT_THRESHOLD, value_parser = parse_threshold)]
        threshold: f32,
        /// Also write every held-out name and its outcome as CSV.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Report entries added, removed and changed between two versions of a list.
    Diff {
        old: PathBuf,
        new: PathBuf,
        /// Also write the changes as CSV.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// After a list update, re-screen customers against only what changed.
    Rescreen {
        #[arg(long)]
        old: PathBuf,
        #[arg(long)]
        new: PathBuf,
        /// Customers CSV (same columns as for screening).
        #[arg(long)]
        names: PathBuf,
        #[arg(long)]
        out: PathBuf,
        #[arg(long, default_value_t = DEFAULT_THRESHOLD, value_parser = parse_threshold)]
        threshold: f32,
    },
}

fn parse_threshold(s: &str) -> Result<f32, String> {
    match s.parse::<f32>() {
        Ok(t) if (0.0..=1.0).contains(&t) => Ok(t),
        Ok(t) => Err(format!("{t} is outside 0..1")),
        Err(e) => Err(e.to_string()),
    }
}

pub fn run(a: ScreenArgs) -> Result<()> {
    match a.action {
        Some(ScreenAction::Evaluation { un_list, out, seed }) => evaluation(&un_list, &out, seed),
        Some(ScreenAction::LeaveOneOut {
            lists,
            threshold,
            out,
        }) => leave_one_out(&lists, threshold, out.as_deref()),
        Some(ScreenAction::SyntheticList { entries, out, seed }) => {
            nexus_sim::screening_eval::write_synthetic_list(&out, entries, seed)
                .with_context(|| format!("writing {}", out.display()))?;
            eprintln!(
                "nexus: wrote {entries} synthetic list entries to {}",
                out.display()
            );
            Ok(())
        }
        Some(ScreenAction::Diff { old, new, out }) => diff(&old, &new, out.as_deref()),
        Some(ScreenAction::Rescreen {
            old,
            new,
            names,
            out,
            threshold,
        }) => run_rescreen(&old, &new, &names, &out, threshold),
        None => {
            let (Some(names), Some(out)) = (a.names, a.out) else {
                bail!("--names and --out are required");
            };
            screen(
                &a.lists,
                &names,
                &out,
                a.threshold,
                a.exempt.as_deref(),
                a.threads,
                a.top,
            )
        }
    }
}

/// How a list is named in the output: its file name.
fn list_label(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn leave_one_out(lists: &[PathBuf], threshold: f32, out: Option<&Path>) -> Result<()> {
    use std::collections::BTreeMap;
    let mut csv = Vec::new();
    push_line(
        &mut csv,
        &[
            "list",
            "entry",
            "name",
            "script",
            "quality",
            "found",
            "score",
            "other_entries",
        ],
    );
    println!("list\tgroup\theld-out names\tfound\trecall\tnames also matching another entry");
    for path in lists {
        let list = load(path)?;
        let label = list_label(path);
        let index = ScreeningIndex::build(list.entries);
        let started = Instant::now();
        let held = nexus_screen::evaluate::leave_one_name_out(&index, threshold);
        let mut groups: BTreeMap<String, (usize, usize, usize)> = BTreeMap::new();
        for h in &held {
            for key in [
                "all".to_string(),
                format!("script {}", h.script.as_str()),
                format!("name {}", h.quality.as_str()),
            ] {
                let g = groups.entry(key).or_default();
                g.0 += 1;
                g.1 += usize::from(h.found);
                g.2 += usize::from(h.others > 0);
            }
            let e = &index.entries()[h.entry];
            let score = h.score.map(|s| format!("{s:.3}")).unwrap_or_default();
            push_line(
                &mut csv,
                &[
                    &label,
                    &e.id,
                    &e.names[h.name].text,
                    h.script.as_str(),
                    h.quality.as_str(),
                    if h.found { "yes" } else { "no" },
                    &score,
                    &h.others.to_string(),
                ],
            );
        }
        for (group, (n, found, others)) in &groups {
            println!(
                "{label}\t{group}\t{n}\t{found}\t{:.3}\t{others}",
                *found as f64 / (*n).max(1) as f64
            );
        }
        eprintln!(
            "nexus: {label}: {} held-out names screened in {:.2} s at threshold {threshold:.2}",
            held.len(),
            started.elapsed().as_secs_f64()
        );
    }
    if let Some(out) = out {
        write_atomically(out, &csv)?;
    }
    Ok(())
}

fn evaluation(un_list: &Path, out: &Path, seed: u64) -> Result<()> {
    let (list, _) = nexus_formats::unlist::read_un_list(un_list)
        .with_context(|| format!("reading the UN list {}", un_list.display()))?;
    let queries = nexus_sim::screening_eval::screening_evaluation(
        &list,
        seed,
        nexus_sim::screening_eval::EvalSize::default(),
    );
    nexus_sim::screening_eval::write_evaluation(out, &queries)
        .with_context(|| format!("writing {}", out.display()))?;
    let positives = queries.iter().filter(|q| !q.expected.is_empty()).count();
    eprintln!(
        "nexus: wrote {} queries ({} variants of listed names, {} negatives) to {}",
        queries.len(),
        positives,
        queries.len() - positives,
        out.display()
    );
    Ok(())
}

/// Loads a list and says what was loaded and skipped.
fn load(path: &Path) -> Result<LoadedList> {
    let list = load_list(path).with_context(|| format!("reading the list {}", path.display()))?;
    eprintln!(
        "nexus: {} ({}{}): {} entries, {} names loaded; {} skipped",
        path.display(),
        list.format.as_str(),
        if list.generated.is_empty() {
            String::new()
        } else {
            format!(", generated {}", list.generated)
        },
        list.entries.len(),
        list.name_count(),
        list.skipped.len()
    );
    for s in list.skipped.iter().take(10) {
        eprintln!(
            "nexus:   skipped line {} id `{}`: {}",
            s.line, s.id, s.reason
        );
    }
    if list.skipped.len() > 10 {
        eprintln!("nexus:   … and {} more skipped", list.skipped.len() - 10);
    }
    Ok(list)
}

fn load_queries(path: &Path) -> Result<Vec<Query>> {
    let (queries, problems) =
        read_queries(path).with_context(|| format!("reading the queries {}", path.display()))?;
    let rejected = problems.iter().filter(|p| p.rejected).count();
    for p in problems.iter().take(20) {
        eprintln!(
            "nexus: {}: line {} id `{}`: {}",
            path.display(),
            p.line,
            p.id,
            p.message
        );
    }
    if problems.len() > 20 {
        eprintln!("nexus: … and {} more problems", problems.len() - 20);
    }
    eprintln!(
        "nexus: {} queries read, {} rows rejected, {} fields ignored",
        queries.len(),
        rejected,
        problems.len() - rejected
    );
    Ok(queries)
}

fn screen(
    lists: &[PathBuf],
    names: &Path,
    out: &Path,
    threshold: f32,
    exempt: Option<&Path>,
    threads: Option<usize>,
    top: usize,
) -> Result<()> {
    let started = Instant::now();
    // The lists are read and indexed while the queries are read.
    let (lists_loaded, queries) = std::thread::scope(|scope| {
        let lists = scope.spawn(|| -> Result<_> {
            let mut entries: Vec<ListedEntry> = Vec::new();
            let mut source: Vec<String> = Vec::new();
            for path in lists {
                let list = load(path)?;
                let label = list_label(path);
                source.extend(std::iter::repeat_n(label, list.entries.len()));
                entries.extend(list.entries);
            }
            let exemptions = match exempt {
                Some(p) => Some(Exemptions::new(load(p)?)),
                None => None,
            };
            Ok((
                ScreeningIndex::build(entries),
                source,
                exemptions,
                started.elapsed(),
            ))
        });
        let queries = load_queries(names);
        let lists = lists
            .join()
            .unwrap_or_else(|e| std::panic::resume_unwind(e));
        (lists, queries)
    });
    let (index, source, exemptions, loaded) = lists_loaded?;
    let queries = queries?;
    let threads = crate::output::threads(threads);
    let screening = Instant::now();
    // With --top, screen down to the candidates' floor and keep, per query,
    // every match and the best `top` below the threshold.
    let floor = if top > 0 {
        threshold.min(nexus_fiu::screening::CANDIDATE_FLOOR)
    } else {
        threshold
    };
    let results: Vec<Vec<nexus_screen::Match>> = screen_all(&index, &queries, floor, threads)
        .into_iter()
        .map(|found| nexus_screen::with_top_below(found, threshold, top))
        .collect();
    let screened = screening.elapsed();
    let mut csv = Vec::new();
    push_line(
        &mut csv,
        &[
            "query_id",
            "list_id",
            "list_ref",
            "score",
            "matched_name",
            "explanation",
            "list",
            "action",
        ],
    );
    // The rows are written on every thread, a chunk of queries at a time,
    // and joined in query order (writing the explanations is a fifth of a
    // screening run's time, all of it on the queries that matched).
    let pairs: Vec<(&nexus_screen::Query, &Vec<nexus_screen::Match>)> =
        queries.iter().zip(&results).collect();
    let parts: Vec<(Vec<u8>, usize, usize, usize)> = nexus_screen::parallel::map_chunks(
        &pairs,
        threads,
        |part| {
            let mut csv = Vec::new();
            let (mut matched_queries, mut rows, mut humanitarian) = (0usize, 0usize, 0usize);
            for (q, matches) in part {
                if matches.iter().any(|m| m.score >= threshold) {
                    matched_queries += 1;
                }
                let exemption = exemptions.as_ref().and_then(|x| x.find(&q.counterparty));
                for m in matches.iter() {
                    let e = &index.entries()[m.entry];
                    let mut explanation = m.explanation();
                    let action = match &exemption {
                        _ if m.score < threshold => "below_threshold",
                        Some(x) => {
                            humanitarian += 1;
                            explanation.push_str(&format!(
                                        "; counterparty {} is exempt humanitarian organisation {} ({}): route to documented review",
                                        q.counterparty, x.organisation, x.basis
                                    ));
                            "humanitarian_review"
                        }
                        None => "block",
                    };
                    let score = format!("{:.3}", m.score);
                    push_line(
                        &mut csv,
                        &[
                            &q.id,
                            &e.id,
                            &e.reference,
                            &score,
                            &e.names[m.name].text,
                            &explanation,
                            &source[m.entry],
                            action,
                        ],
                    );
                    rows += usize::from(m.score >= threshold);
                }
            }
            vec![(csv, matched_queries, rows, humanitarian)]
        },
    );
    let (mut matched_queries, mut rows, mut humanitarian) = (0usize, 0usize, 0usize);
    for (part, m, r, h) in parts {
        csv.extend_from_slice(&part);
        matched_queries += m;
        rows += r;
        humanitarian += h;
    }
    write_atomically(out, &csv)?;
    // The process ends after this: freeing a hundred thousand results
    // string by string would take a twentieth of a second the system does
    // at exit in one go.
    std::mem::forget(results);
    std::mem::forget(csv);
    eprintln!(
        "nexus: screened {} queries against {} entries ({} names) in {:.3} s ({:.0} queries/s; lists loaded and indexed in {:.3} s): {} queries matched, {} matches ({} to humanitarian review) at threshold {:.2} -> {}",
        queries.len(),
        index.entries().len(),
        index.name_count(),
        screened.as_secs_f64(),
        queries.len() as f64 / screened.as_secs_f64().max(1e-9),
        loaded.as_secs_f64(),
        matched_queries,
        rows,
        humanitarian,
        threshold,
        out.display()
    );
    Ok(())
}

fn diff(old: &Path, new: &Path, out: Option<&Path>) -> Result<()> {
    let o = load(old)?;
    let n = load(new)?;
    let d = nexus_screen::diff_lists(&o.entries, &n.entries);
    println!(
        "{} -> {}: {} added, {} removed, {} changed, {} unchanged",
        old.display(),
        new.display(),
        d.added.len(),
        d.removed.len(),
        d.changed.len(),
        d.unchanged
    );
    let mut csv = Vec::new();
    push_line(
        &mut csv,
        &["change", "list_id", "list_ref", "name", "details"],
    );
    for &i in &d.added {
        let e = &n.entries[i];
        println!("added    {} {} {}", e.id, e.reference, e.display_name());
        push_line(
            &mut csv,
            &["added", &e.id, &e.reference, e.display_name(), ""],
        );
    }
    for &i in &d.removed {
        let e = &o.entries[i];
        println!("removed  {} {} {}", e.id, e.reference, e.display_name());
        push_line(
            &mut csv,
            &["removed", &e.id, &e.reference, e.display_name(), ""],
        );
    }
    for (_, ni, what) in &d.changed {
        let e = &n.entries[*ni];
        let details = what.join("; ");
        println!(
            "changed  {} {} {}: {}",
            e.id,
            e.reference,
            e.display_name(),
            details
        );
        push_line(
            &mut csv,
            &["changed", &e.id, &e.reference, e.display_name(), &details],
        );
    }
    if let Some(out) = out {
        write_atomically(out, &csv)?;
    }
    Ok(())
}

fn run_rescreen(old: &Path, new: &Path, names: &Path, out: &Path, threshold: f32) -> Result<()> {
    let o = load(old)?;
    let n = load(new)?;
    let queries = load_queries(names)?;
    let started = Instant::now();
    let (d, rows) = rescreen(&o.entries, &n.entries, &queries, threshold);
    let mut csv = Vec::new();
    push_line(
        &mut csv,
        &[
            "query_id",
            "list_id",
            "list_ref",
            "status",
            "entry_change",
            "score_before",
            "score_after",
            "matched_name",
            "explanation",
        ],
    );
    let score = |s: Option<f32>| s.map(|s| format!("{s:.3}")).unwrap_or_default();
    let mut counts = [0usize; 3];
    for r in &rows {
        counts[r.status as usize] += 1;
        push_line(
            &mut csv,
            &[
                &queries[r.query].id,
                &r.entry_id,
                &r.reference,
                r.status.as_str(),
                r.change,
                &score(r.before),
                &score(r.after),
                &r.matched_name,
                &r.explanation,
            ],
        );
    }
    write_atomically(out, &csv)?;
    eprintln!(
        "nexus: list update {} added, {} removed, {} changed; re-screened {} customers against the {} changed entries in {:.3} s: {} now match, {} no longer match, {} still match -> {}",
        d.added.len(),
        d.removed.len(),
        d.changed.len(),
        queries.len(),
        d.added.len() + d.removed.len() + d.changed.len(),
        started.elapsed().as_secs_f64(),
        counts[0],
        counts[1],
        counts[2],
        out.display()
    );
    Ok(())
}
