//! The FIU service's commands: `serve`, `demo`, `token`, `user`, `lists`,
//! `audit`.

use anyhow::{bail, Context, Result};
use nexus_fiu::accounts::{create_reporting_token, create_user};
use nexus_fiu::auth::{random_token, Principal, Role};
use nexus_fiu::detection::{record_model, run_detection};
use nexus_fiu::detection_lists::DetectionList;
use nexus_fiu::intake::receive;
use nexus_fiu::processing::Screening;
use nexus_fiu::Limits;
use nexus_graph::DetectConfig;
use nexus_server::AppState;
use nexus_store::Store;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

#[derive(clap::Args)]
pub struct ServeArgs {
    /// The FIU's database: a SQLite file, or postgres://user@host:port/name.
    #[arg(long)]
    pub db: String,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// Detection configuration (`key = value` lines; defaults for the region).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Limits on uploads, sign-ins, connections and time (`key = value`
    /// lines over safe defaults; docs/security.md lists the keys).
    #[arg(long)]
    pub limits: Option<PathBuf>,
    /// Also append the audit log's signed checkpoints to this file (keep it
    /// on other storage than the database).
    #[arg(long)]
    pub audit_anchor: Option<PathBuf>,
    /// Print the limits in force (defaults merged with --limits) and exit.
    #[arg(long)]
    pub print_limits: bool,
    /// A detection model from `nexus train`: recorded and put in force at
    /// start (the operator's decision, audited). Without it the model a
    /// supervisor last put in force is used, or the rules alone.
    #[arg(long)]
    pub model: Option<PathBuf>,
    /// The high-risk areas detection watches (one town or province per
    /// line, `, CC` to hold one to a country; docs/examples/high-risk-areas.txt):
    /// replaces the list at start (the operator's decision, audited).
    /// Without it the list a supervisor last saved is used.
    #[arg(long)]
    pub high_risk_areas: Option<PathBuf>,
    /// The log on standard error: `human` lines or `json` objects (one per
    /// event, with the request id); the level from RUST_LOG (default info).
    #[arg(long, value_enum, default_value_t = LogFormat::Human)]
    pub log_format: LogFormat,
}

/// How the service writes its log.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    Human,
    Json,
}

/// Sends the service's tracing events to standard error.
pub fn init_logging(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(false);
    let _ = match format {
        LogFormat::Human => builder.try_init(),
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    };
}

#[derive(clap::Args)]
pub struct DemoArgs {
    /// Where the demo keeps its scenario and database.
    #[arg(long, default_value = "out/demo")]
    pub dir: PathBuf,
    /// Address to serve the UI on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// Scenario seed.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Build everything again even when the demo database exists.
    #[arg(long)]
    pub fresh: bool,
    /// Prepare the database and exit without serving.
    #[arg(long)]
    pub no_serve: bool,
    /// The log on standard error: `human` or `json`.
    #[arg(long, value_enum, default_value_t = LogFormat::Human)]
    pub log_format: LogFormat,
}

#[derive(clap::Subcommand)]
pub enum TokenCommand {
    /// Create an API token for a reporting entity; prints it once.
    Create {
        /// The FIU's database: a SQLite file, or postgres://user@host:port/name.
        #[arg(long)]
        db: String,
        /// The reporting entity's goAML rentity_id.
        #[arg(long)]
        institution: i64,
        #[arg(long, default_value = "reporting-entity")]
        role: String,
        /// The institution's name (recorded when it is new).
        #[arg(long, default_value = "")]
        name: String,
        /// An institution code (BIC) whose accounts the reporting entity
        /// holds; repeat for several. Its transaction batches may name only
        /// payments with one side at these codes.
        #[arg(long = "code")]
        codes: Vec<String>,
    },
}

#[derive(clap::Subcommand)]
pub enum UserCommand {
    /// Create a user. The password is read from NEXUS_PASSWORD or the first line of standard input.
    Create {
        /// The FIU's database: a SQLite file, or postgres://user@host:port/name.
        #[arg(long)]
        db: String,
        #[arg(long)]
        username: String,
        /// reporting-entity, analyst, supervisor, oversight or administrator.
        #[arg(long)]
        role: String,
        /// The reporting entity (rentity_id) of a reporting-entity user.
        #[arg(long)]
        institution: Option<i64>,
    },
}

#[derive(clap::Subcommand)]
pub enum ListsCommand {
    /// Load (or replace) a sanctions list in the database; re-screens all entities against it.
    Load {
        /// The FIU's database: a SQLite file, or postgres://user@host:port/name.
        #[arg(long)]
        db: String,
        /// The list file (UN XML, EU XML, OFAC sdn.csv, FollowTheMoney JSON lines, plain CSV).
        list: PathBuf,
        /// Name of the list in the service (default: the file name).
        #[arg(long)]
        name: Option<String>,
    },
}

#[derive(clap::Subcommand)]
pub enum AuditCommand {
    /// Check the audit log: its hash chain and every signed checkpoint (stored
    /// and given). Exit 0 when intact, 1 naming the first problem.
    Verify {
        /// The FIU's database: a SQLite file, or postgres://user@host:port/name.
        #[arg(long)]
        db: String,
        /// A file of exported checkpoints (JSON lines) to check the log against.
        #[arg(long = "checkpoint")]
        checkpoints: Vec<PathBuf>,
    },
    /// Sign the audit log's current head and print the checkpoint as a JSON
    /// line (or append it to --append FILE): keep it outside the database.
    Checkpoint {
        /// The FIU's database: a SQLite file, or postgres://user@host:port/name.
        #[arg(long)]
        db: String,
        #[arg(long)]
        append: Option<PathBuf>,
    },
}

use crate::db::{open, open_existing};

fn detect_config(path: Option<&Path>) -> Result<DetectConfig> {
    match path {
        None => Ok(DetectConfig::default()),
        Some(p) => {
            let text =
                std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))?;
            DetectConfig::parse(&text).map_err(|e| anyhow::anyhow!("{}: {e}", p.display()))
        }
    }
}

fn limits(path: Option<&Path>) -> Result<Limits> {
    match path {
        None => Ok(Limits::default()),
        Some(p) => {
            let text =
                std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))?;
            Limits::parse(&text).map_err(|e| anyhow::anyhow!("{}: {e}", p.display()))
        }
    }
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?)
}

fn serve_state(state: AppState, addr: SocketAddr) -> Result<()> {
    runtime()?.block_on(async move {
        nexus_server::serve(state, addr, |local| {
            eprintln!("nexus: serving the FIU on http://{local}/ (Ctrl-C to stop)");
        })
        .await
    })?;
    Ok(())
}

pub fn serve(a: ServeArgs) -> Result<()> {
    let limits = limits(a.limits.as_deref())?;
    if a.print_limits {
        print!("{}", limits.to_text());
        return Ok(());
    }
    init_logging(a.log_format);
    let store = open(&a.db)?;
    if let Some(path) = &a.model {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let id = record_model(
            &store,
            "cli",
            &name,
            &text,
            "",
            &format!("loaded from {}", path.display()),
        )
        .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        let m = nexus_fiu::detection::activate_model(&store, None, id)?;
        eprintln!("nexus: detection model {} ({}) in force", m.id, m.name);
    }
    if let Some(path) = &a.high_risk_areas {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        let n = nexus_fiu::detection_lists::set(&store, None, DetectionList::HighRiskAreas, &text)
            .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        eprintln!("nexus: {n} high-risk areas from {}", path.display());
    }
    let state = AppState::with_anchor(
        store,
        detect_config(a.config.as_deref())?,
        limits,
        a.audit_anchor,
    )?;
    eprintln!(
        "nexus: {} list entries loaded",
        state.screening().entry_count()
    );
    serve_state(state, a.addr)
}

pub fn token(c: TokenCommand) -> Result<()> {
    let TokenCommand::Create {
        db,
        institution,
        role,
        name,
        codes,
    } = c;
    let role = Role::parse(&role).with_context(|| format!("unknown role {role:?}"))?;
    if role != Role::ReportingEntity {
        bail!("API tokens are for reporting entities (--role reporting-entity); people sign in with `nexus user create`");
    }
    let store = open(&db)?;
    let token = create_reporting_token(&store, "cli", institution, &name, "cli", &codes)?;
    println!("{token}");
    Ok(())
}

pub fn user(c: UserCommand) -> Result<()> {
    let UserCommand::Create {
        db,
        username,
        role,
        institution,
    } = c;
    let role = Role::parse(&role).with_context(|| format!("unknown role {role:?}: use reporting-entity, analyst, supervisor, oversight or administrator"))?;
    let password = match std::env::var("NEXUS_PASSWORD") {
        Ok(p) => p,
        Err(_) => {
            let mut line = String::new();
            std::io::stdin().read_line(&mut line)?;
            line.trim_end_matches(['\r', '\n']).to_string()
        }
    };
    let store = open(&db)?;
    create_user(&store, "cli", &username, &password, role, institution)?;
    eprintln!("nexus: user {username} created as {role}");
    Ok(())
}

pub fn lists(c: ListsCommand) -> Result<()> {
    let ListsCommand::Load { db, list, name } = c;
    let store = open(&db)?;
    let name = name.unwrap_or_else(|| {
        list.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "list".into())
    });
    let (entries, raised) = load_list(&store, &list, &name)?;
    eprintln!("nexus: list {name}: {entries} entries loaded; re-screening raised {raised} alerts");
    Ok(())
}

/// Stores a list file and re-screens every entity against the new index.
fn load_list(store: &Store, path: &Path, name: &str) -> Result<(usize, usize)> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let loaded = nexus_fiu::lists::load_list(store, "cli", name, path, &bytes)?;
    for s in loaded.skipped.iter().take(5) {
        eprintln!(
            "nexus: {}: skipped entry {:?} (line {}): {}",
            path.display(),
            s.id,
            s.line,
            s.reason
        );
    }
    Ok((loaded.entries, loaded.raised))
}

#[derive(clap::Args)]
pub struct DoctorArgs {
    /// The FIU's database: a SQLite file, or postgres://user@host:port/name.
    #[arg(long)]
    pub db: String,
    /// The audit anchor file the service appends checkpoints to (--audit-anchor).
    #[arg(long)]
    pub audit_anchor: Option<PathBuf>,
}

#[derive(clap::Args)]
pub struct BackupArgs {
    /// The FIU's SQLite database (PostgreSQL: use pg_dump, docs/operations.md).
    #[arg(long)]
    pub db: String,
    /// The backup file to write (must not exist).
    #[arg(long)]
    pub out: PathBuf,
}

#[derive(clap::Args)]
pub struct RestoreArgs {
    /// The backup file (written by nexus backup).
    #[arg(long)]
    pub from: PathBuf,
    /// The new database: a SQLite path that does not exist, or an empty PostgreSQL database.
    #[arg(long)]
    pub db: String,
}

#[derive(clap::Args)]
pub struct MigrateArgs {
    /// The FIU's database now.
    #[arg(long)]
    pub from: String,
    /// The new, empty database (e.g. postgres://nexus@db.local:5432/fiu).
    #[arg(long)]
    pub to: String,
}

pub fn doctor(a: DoctorArgs) -> Result<std::process::ExitCode> {
    let checks = nexus_fiu::ops::doctor(&a.db, a.audit_anchor.as_deref());
    let mut failed = false;
    for c in &checks {
        println!("{:<5} {:<18} {}", c.health.as_str(), c.name, c.detail);
        failed |= c.health == nexus_fiu::ops::Health::Fail;
    }
    Ok(if failed {
        std::process::ExitCode::FAILURE
    } else {
        std::process::ExitCode::SUCCESS
    })
}

pub fn backup(a: BackupArgs) -> Result<()> {
    let store = open_existing(&a.db)?;
    let v = nexus_fiu::ops::backup(&store, &a.out)?;
    eprintln!(
        "nexus: backed up {} into {}: {} audit records verify in the copy",
        store.location(),
        a.out.display(),
        v.records
    );
    Ok(())
}

pub fn restore(a: RestoreArgs) -> Result<()> {
    let v = nexus_fiu::ops::restore(&a.from, &a.db)?;
    eprintln!(
        "nexus: restored {} into {}: {} audit records, {} signed checkpoints verify",
        a.from.display(),
        a.db,
        v.records,
        v.checkpoints
    );
    Ok(())
}

pub fn migrate(a: MigrateArgs) -> Result<()> {
    let from = open_existing(&a.from)?;
    let to = open(&a.to)?;
    let started = std::time::Instant::now();
    let (report, v) = nexus_fiu::ops::migrate(&from, &to, |table, rows| {
        if rows > 0 {
            eprintln!("nexus: {table}: {rows} rows");
        }
    })?;
    eprintln!(
        "nexus: {} rows moved from {} to {} in {:.1} s; the audit log verifies there: {} records, {} signed checkpoints",
        report.rows(),
        from.location(),
        to.location(),
        started.elapsed().as_secs_f64(),
        v.records,
        v.checkpoints
    );
    Ok(())
}

pub fn audit(c: AuditCommand) -> Result<std::process::ExitCode> {
    match c {
        AuditCommand::Verify { db, checkpoints } => {
            let store = open_existing(&db)?;
            let mut external = Vec::new();
            for path in &checkpoints {
                external.extend(nexus_fiu::anchor::read_file(path)?);
            }
            let v = nexus_fiu::anchor::verify(&store, &external)?;
            nexus_fiu::anchor::audit_verification(&store, "cli", &v)?;
            match &v.failure {
                None => {
                    println!(
                        "audit log intact: {} records, {} signed checkpoints hold",
                        v.records, v.checkpoints
                    );
                    Ok(std::process::ExitCode::SUCCESS)
                }
                Some(f) => {
                    println!("audit log broken: {f}");
                    Ok(std::process::ExitCode::FAILURE)
                }
            }
        }
        AuditCommand::Checkpoint { db, append } => {
            let store = open_existing(&db)?;
            let c = nexus_fiu::anchor::current_checkpoint(&store)?
                .context("the audit log is empty: nothing to sign")?;
            match append {
                Some(path) => {
                    nexus_fiu::anchor::append_to_file(&path, std::slice::from_ref(&c))?;
                    eprintln!(
                        "nexus: checkpoint of record {} appended to {}",
                        c.seq,
                        path.display()
                    );
                }
                None => println!("{}", serde_json::to_string(&c)?),
            }
            Ok(std::process::ExitCode::SUCCESS)
        }
    }
}

/// Where the shared reference material is, when it is beside the checkout.
fn shared_un_list() -> Option<PathBuf> {
    let p = PathBuf::from("../shared/data/lists/un/consolidated-2026-02-27.xml");
    p.is_file().then_some(p)
}

pub fn demo(a: DemoArgs) -> Result<()> {
    let started = std::time::Instant::now();
    let db_path = a.dir.join("fiu.db");
    let credentials_path = a.dir.join("credentials.txt");
    if a.fresh && a.dir.exists() {
        std::fs::remove_dir_all(&a.dir).with_context(|| format!("removing {}", a.dir.display()))?;
    }
    if !db_path.exists() || !credentials_path.exists() {
        let _ = std::fs::remove_file(&db_path);
        prepare_demo(&a, &db_path, &credentials_path)?;
        eprintln!(
            "nexus: demo prepared in {:.1} s",
            started.elapsed().as_secs_f64()
        );
    } else {
        eprintln!(
            "nexus: reusing the demo database {} (--fresh to rebuild)",
            db_path.display()
        );
    }
    let credentials = std::fs::read_to_string(&credentials_path)?;
    eprintln!("\nDemo sign-in (user name and password):\n{credentials}");
    if a.no_serve {
        return Ok(());
    }
    init_logging(a.log_format);
    let store = open(&db_path.to_string_lossy())?;
    let state = AppState::new(store, DetectConfig::default(), Limits::default())?;
    serve_state(state, a.addr)
}

fn prepare_demo(a: &DemoArgs, db_path: &Path, credentials_path: &Path) -> Result<()> {
    std::fs::create_dir_all(&a.dir)?;
    let scenario = a.dir.join("scenario");
    let mut config = nexus_sim::Config::new(a.seed);
    config.replace = true;
    let un = shared_un_list();
    if let Some(path) = &un {
        let (list, _) = nexus_formats::unlist::read_un_list(path)?;
        config.real_designated = nexus_sim::pick_real_entries(&list, 6, a.seed);
    }
    let s = nexus_sim::simulate(&config, &scenario)?;
    eprintln!(
        "nexus: scenario simulated: {} transactions, {} goAML reports",
        s.transactions, s.reports
    );
    let store = open(&db_path.to_string_lossy())?;

    // People of the FIU, with fresh passwords written beside the database (not in the repository).
    let mut lines = String::new();
    let meta: serde_json::Value =
        serde_json::from_slice(&std::fs::read(scenario.join("scenario.json"))?)?;
    let entities = meta["reporting_entities"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    store.write(|d| {
        for e in &entities {
            if let (Some(id), Some(name)) = (e["rentity_id"].as_i64(), e["name"].as_str()) {
                // Scenario institution ids start with the country code (TJB1, KZM2 …).
                let country: String = e["institution_id"]
                    .as_str()
                    .unwrap_or("")
                    .chars()
                    .take(2)
                    .collect();
                d.upsert_institution(id, name, &country)?;
                // The scenario's BICs are NX<institution>XX (see ingest_scenario_transactions).
                if let Some(inst) = e["institution_id"].as_str() {
                    d.set_institution_codes(id, &[format!("NX{inst}XX")])?;
                }
            }
        }
        Ok(())
    })?;
    let first_bank = entities
        .first()
        .and_then(|e| e["rentity_id"].as_i64())
        .unwrap_or(101);
    for (user, role, inst) in [
        ("admin", Role::Administrator, None),
        ("analyst", Role::Analyst, None),
        ("supervisor", Role::Supervisor, None),
        ("oversight", Role::Oversight, None),
        ("bank", Role::ReportingEntity, Some(first_bank)),
    ] {
        let password = random_token().map_err(anyhow::Error::msg)?[..16].to_string();
        create_user(&store, "demo", user, &password, role, inst)?;
        lines.push_str(&format!(
            "  {user:<11} {password}   ({role}{})\n",
            inst.map(|i| format!(", reporting entity {i}"))
                .unwrap_or_default()
        ));
    }

    // What the sign-in page tells a newcomer to this demo (never a password:
    // those are in credentials.txt beside the database and on the terminal).
    store.write(|d| {
        d.set_setting(
            nexus_fiu::DEMO_WELCOME,
            &format!(
                "This is a demonstration FIU on a simulated Central Asian financial system with planted cases. \
                 The passwords were printed where `nexus demo` started and are in {}.\n\
                 analyst — start here: state a purpose (TRIAGE), open the highest alert in the queue, make a case of a fan-in or a sanctions match, propose a freeze.\n\
                 supervisor — approve the freeze, decide redress requests, disseminate a case, put a detection model in force.\n\
                 bank — upload a goAML report or a CSV batch, or file one with the web form, and read the FIU's messages.\n\
                 oversight — see who looked at whom and why, and check the audit chain.\n\
                 admin — users, tokens, lists and retention (no personal data).",
                credentials_path.display()
            ),
        )
    })?;

    // Lists: the real UN list when ../shared is there, and the scenario's own list.
    if let Some(path) = &un {
        load_list(&store, path, "UN Consolidated List")?;
    }
    load_list(
        &store,
        &scenario.join("lists/scenario-list.xml"),
        "Scenario national list",
    )?;
    let screening = Screening::from_store(&store)?;

    // The banks' goAML reports, each with its own institution's credentials.
    let mut reports: Vec<PathBuf> = std::fs::read_dir(scenario.join("reports"))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    reports.sort();
    let mut processed = 0;
    for path in &reports {
        let bytes = std::fs::read(path)?;
        let text = String::from_utf8_lossy(&bytes);
        let rentity = text
            .split("<rentity_id>")
            .nth(1)
            .and_then(|r| r.split('<').next())
            .and_then(|r| r.trim().parse::<i64>().ok())
            .with_context(|| format!("{}: no rentity_id", path.display()))?;
        let principal = Principal {
            actor: format!("demo:reporting-entity-{rentity}"),
            role: Role::ReportingEntity,
            user_id: None,
            username: "demo".into(),
            institution: Some(rentity),
            csrf: None,
            session: None,
            purpose: None,
            language: String::new(),
        };
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let out = receive(
            &store,
            &screening,
            &principal,
            rentity,
            vec![(name, bytes)],
            &Limits::default(),
        )
        .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        processed += out
            .iter()
            .filter(|o| o.status == nexus_model::ReportStatus::Processed)
            .count();
    }
    eprintln!(
        "nexus: {processed} of {} goAML reports processed",
        reports.len()
    );

    // The national payment data: every transaction of the scenario, accounts keyed like goAML's (BIC|number).
    let n = ingest_scenario_transactions(&store, &scenario)?;
    eprintln!("nexus: {n} transactions joined to the network");
    // A cold start for detection: a model trained on a scenario of another
    // seed (the demo's own labels are never used), put in force as the
    // operator would with `nexus serve --model`.
    let training = a.dir.join("training");
    let mut tconfig = nexus_sim::Config::new(a.seed + 1000);
    tconfig.replace = true;
    nexus_sim::simulate(&tconfig, &training)?;
    let trained = crate::detect::train_from_files(
        &training.join("transactions.csv"),
        &training.join("labels.csv"),
        0.3,
        150,
    )?;
    let id = record_model(
        &store,
        "demo",
        &format!("cold start: scenario seed {}", a.seed + 1000),
        &trained.model.write(),
        &trained.metrics_json(),
        &format!(
            "nexus simulate --seed {} (labels of its planted cases)",
            a.seed + 1000
        ),
    )?;
    let model = nexus_fiu::detection::activate_model(&store, None, id)?;
    std::fs::remove_dir_all(&training).ok();
    // The risk assessment's high-risk areas, as an operator would start
    // from (towns the scenario never uses among them).
    let areas =
        nexus_fiu::detection_lists::set(&store, None, DetectionList::HighRiskAreas, EXAMPLE_AREAS)?;
    eprintln!("nexus: {areas} high-risk areas from docs/examples/high-risk-areas.txt");
    let run = run_detection(&store, &DetectConfig::default(), Some(&model))?;
    eprintln!(
        "nexus: detection over {} transactions raised {} alerts ({} below the model's threshold kept apart)",
        run.transactions, run.raised, run.suppressed
    );
    // The demo FIU can cooperate with partners (add them with `nexus exchange partner add`).
    let public = nexus_fiu::exchange::init_identity(&store, "TJ")?;
    eprintln!(
        "nexus: exchange identity {} (fingerprint {})",
        public.encode(),
        public.fingerprint()
    );
    write_private(credentials_path, &lines)?;
    Ok(())
}

/// Writes a file only its owner can read (the demo's passwords).
fn write_private(path: &Path, text: &str) -> Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut f = options
        .open(path)
        .with_context(|| format!("writing {}", path.display()))?;
    #[cfg(unix)]
    std::fs::set_permissions(path, std::os::unix::fs::PermissionsExt::from_mode(0o600))?;
    f.write_all(text.as_bytes())?;
    Ok(())
}

/// The example list of high-risk areas the demo starts from.
const EXAMPLE_AREAS: &str = include_str!("../../../docs/examples/high-risk-areas.txt");

fn ingest_scenario_transactions(store: &Store, scenario: &Path) -> Result<usize> {
    let mut institution_of = std::collections::HashMap::new();
    let mut accounts = csv::Reader::from_path(scenario.join("accounts.csv"))?;
    for row in accounts.records() {
        let row = row?;
        institution_of.insert(row[0].to_string(), row[1].to_string());
    }
    let key = |account: &str| match institution_of.get(account) {
        Some(inst) => format!("NX{inst}XX|{account}"),
        None => account.to_string(),
    };
    let path = scenario.join("transactions.csv");
    let reader = nexus_formats::interchange::TransactionReader::open(&path)?;
    Ok(nexus_fiu::bulk::ingest_transactions(
        store, reader, key, 50_000,
    )?)
}
