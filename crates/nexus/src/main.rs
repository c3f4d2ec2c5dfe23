//! The `nexus` command line. Thin: parses flags, calls the library crates,
//! reports errors with `anyhow` at this edge only.

use anyhow::{Context, Result};
use clap::{Parser, Subcommand, ValueEnum};
use nexus_model::Date;
use std::path::PathBuf;
use std::process::ExitCode;

mod db;
mod detect;
mod exchange;
mod gfp;
mod output;
mod progress;
mod screen;
mod service;

#[derive(Parser)]
#[command(
    name = "nexus",
    version,
    about = "Financial intelligence for the Northern Route: simulate, convert, screen, detect."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Write a synthetic Central Asian financial system with planted, labelled typologies.
    Simulate(SimulateArgs),
    /// Convert a public AML dataset (AMLworld or AMLSim) into the nexus interchange files.
    Convert(ConvertArgs),
    /// Screen names against sanctions lists (UN, OFAC, EU, FollowTheMoney, plain CSV);
    /// `screen diff` compares list versions, `screen rescreen` re-screens after an update.
    Screen(screen::ScreenArgs),
    /// Write per-transaction graph features (fan, degree, scatter-gather, cycles, vertex statistics).
    Features(detect::FeaturesArgs),
    /// Fit a gradient-boosted model on the graph features of labelled transactions.
    Train(detect::TrainArgs),
    /// Find typologies in transactions (rules, optionally with a trained model) and write alerts.
    Detect(detect::DetectArgs),
    /// Run the FIU service (HTTP API and web UI) on an embedded database.
    Serve(service::ServeArgs),
    /// Simulate a scenario, load the lists, ingest its reports and transactions, detect, and serve the UI.
    Demo(service::DemoArgs),
    /// API tokens for reporting entities.
    #[command(subcommand)]
    Token(service::TokenCommand),
    /// Users of the FIU service.
    #[command(subcommand)]
    User(service::UserCommand),
    /// Sanctions lists of the FIU service.
    #[command(subcommand)]
    Lists(service::ListsCommand),
    /// The tamper-evident audit log.
    #[command(subcommand)]
    Audit(service::AuditCommand),
    /// Cooperation with partner FIUs: identity, directory, private matching, messages.
    #[command(subcommand)]
    Exchange(exchange::ExchangeCommand),
    /// Check a deployment: database, schema, lists, audit log, disk, exchange identity.
    Doctor(service::DoctorArgs),
    /// Copy a SQLite database while the service runs (online backup), then verify the copy.
    Backup(service::BackupArgs),
    /// Restore a backup into a new database, verifying it before and after.
    Restore(service::RestoreArgs),
    /// Move an FIU into a new, empty database (SQLite ⇄ PostgreSQL); the audit log must verify after.
    Migrate(service::MigrateArgs),
}

#[derive(clap::Args)]
struct SimulateArgs {
    /// Random seed: the same seed and flags give the same bytes.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Output directory (written aside and renamed into place when complete).
    #[arg(long)]
    out: PathBuf,
    /// Number of people in the scenario.
    #[arg(long, default_value_t = 20_000)]
    persons: usize,
    /// Number of simulated days.
    #[arg(long, default_value_t = 90)]
    days: u32,
    /// First day, YYYY-MM-DD.
    #[arg(long, default_value = "2026-01-01", value_parser = parse_date)]
    start: Date,
    /// Planted instances of each typology (default: scales with --persons).
    #[arg(long)]
    cases_per_typology: Option<usize>,
    /// A UN Consolidated List XML whose regional entries are planted as customers under name variants.
    #[arg(long)]
    un_list: Option<PathBuf>,
    /// How many real list entries to plant (with --un-list).
    #[arg(long, default_value_t = 6)]
    un_list_entries: usize,
    /// Replace the output directory if it exists.
    #[arg(long)]
    force: bool,
}

#[derive(Clone, Copy, ValueEnum)]
enum SourceFormat {
    Amlworld,
    Amlsim,
}

#[derive(clap::Args)]
struct ConvertArgs {
    /// Input format.
    #[arg(long)]
    from: SourceFormat,
    /// Input: the AMLworld CSV, or the AMLSim output directory (or its transactions.csv).
    input: PathBuf,
    /// Output directory for the interchange files.
    #[arg(long)]
    out: PathBuf,
    /// Replace the output directory if it exists.
    #[arg(long)]
    force: bool,
}

fn parse_date(s: &str) -> Result<Date, String> {
    Date::parse(s).map_err(|e| e.to_string())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Simulate(a) => simulate(a),
        Command::Convert(a) => convert(a),
        Command::Screen(a) => screen::run(a),
        Command::Features(a) => detect::run_features(a),
        Command::Train(a) => detect::run_train(a),
        Command::Detect(a) => detect::run_detect(a),
        Command::Serve(a) => service::serve(a),
        Command::Demo(a) => service::demo(a),
        Command::Token(c) => service::token(c),
        Command::User(c) => service::user(c),
        Command::Lists(c) => service::lists(c),
        Command::Exchange(c) => exchange::run(c),
        Command::Audit(c) => match service::audit(c) {
            Ok(code) => return code,
            Err(e) => Err(e),
        },
        Command::Doctor(a) => match service::doctor(a) {
            Ok(code) => return code,
            Err(e) => Err(e),
        },
        Command::Backup(a) => service::backup(a),
        Command::Restore(a) => service::restore(a),
        Command::Migrate(a) => service::migrate(a),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("nexus: error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn simulate(a: SimulateArgs) -> Result<()> {
    let mut config = nexus_sim::Config::new(a.seed);
    config.persons = a.persons;
    config.days = a.days;
    config.start = a.start;
    config.cases_per_typology = a.cases_per_typology;
    config.replace = a.force;
    if let Some(path) = &a.un_list {
        let (list, skipped) = nexus_formats::unlist::read_un_list(path)
            .with_context(|| format!("reading the UN list {}", path.display()))?;
        if !skipped.is_empty() {
            eprintln!(
                "nexus: {} list entries skipped (no name or id)",
                skipped.len()
            );
        }
        config.real_designated = nexus_sim::pick_real_entries(&list, a.un_list_entries, a.seed);
    }
    let started = std::time::Instant::now();
    let s = nexus_sim::simulate(&config, &a.out)?;
    eprintln!(
        "nexus: wrote {} in {:.1} s: {} transactions ({} planted in {} cases), {} accounts, {} parties, {} goAML reports, {} scenario list entries",
        s.out.display(),
        started.elapsed().as_secs_f64(),
        s.transactions,
        s.planted_transactions,
        s.cases,
        s.accounts,
        s.parties,
        s.reports,
        s.list_entries
    );
    Ok(())
}

fn convert(a: ConvertArgs) -> Result<()> {
    let s = match a.from {
        SourceFormat::Amlworld => nexus_formats::convert_amlworld(&a.input, &a.out, a.force)?,
        SourceFormat::Amlsim => nexus_formats::convert_amlsim(&a.input, &a.out, a.force)?,
    };
    eprintln!(
        "nexus: wrote {}: {} transactions, {} accounts, {} institutions, {} parties, {} labels",
        a.out.display(),
        s.transactions,
        s.accounts,
        s.institutions,
        s.parties,
        s.labels
    );
    Ok(())
}
