//! Migrations. Each entry moves the database from version `i` to `i + 1`
//! (SQLite's `user_version`); applied in one transaction at open. Never edit
//! a released migration: add a new one (a vocabulary that gains a value
//! needs one too: its `CHECK` is filled in when the migration runs).

/// The migrations as written, with the closed vocabularies' `CHECK` lists
/// as placeholders (`{Role}` …): [`migrations`] fills them in.
const TEMPLATES: &[&str] = &[
    // 1: the FIU service's first schema.
    r#"
CREATE TABLE institutions (
    id          INTEGER PRIMARY KEY,          -- goAML rentity_id
    name        TEXT NOT NULL,
    country     TEXT NOT NULL DEFAULT ''
);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,               -- argon2id PHC string
    role          TEXT NOT NULL CHECK (role IN {Role}),
    institution   INTEGER REFERENCES institutions(id),
    created_at    INTEGER NOT NULL,
    disabled      INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE sessions (
    token_hash  TEXT PRIMARY KEY,              -- SHA-256 of the cookie value
    user_id     INTEGER NOT NULL REFERENCES users(id),
    csrf        TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL
);

CREATE TABLE api_tokens (
    id          INTEGER PRIMARY KEY,
    token_hash  TEXT NOT NULL UNIQUE,          -- SHA-256 of the bearer token
    institution INTEGER NOT NULL REFERENCES institutions(id),
    role        TEXT NOT NULL,
    label       TEXT NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL,
    revoked     INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE reports (
    id               INTEGER PRIMARY KEY,
    institution      INTEGER NOT NULL REFERENCES institutions(id),
    entity_reference TEXT NOT NULL,
    report_code      TEXT NOT NULL DEFAULT '',
    status           TEXT NOT NULL CHECK (status IN {ReportStatus}),
    message          TEXT NOT NULL DEFAULT '',
    received_at      INTEGER NOT NULL,
    submitted_at     INTEGER,
    reason           TEXT NOT NULL DEFAULT '',
    sha256           TEXT NOT NULL,
    size             INTEGER NOT NULL,
    content          BLOB NOT NULL,
    UNIQUE (institution, entity_reference)
);

CREATE TABLE report_problems (
    report_id   INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
    path        TEXT NOT NULL,
    line        INTEGER NOT NULL,
    message     TEXT NOT NULL
);
CREATE INDEX report_problems_by_report ON report_problems(report_id);

-- The message board between the FIU and a reporting entity (goAML style).
CREATE TABLE report_messages (
    id          INTEGER PRIMARY KEY,
    report_id   INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
    author      TEXT NOT NULL,
    at          INTEGER NOT NULL,
    body        TEXT NOT NULL
);

CREATE TABLE entities (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN {EntityKind}),
    name        TEXT NOT NULL,
    birth_date  TEXT,
    countries   TEXT NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL
);

-- Blocking keys of entity resolution (document numbers, accounts, name-key pairs).
CREATE TABLE entity_keys (
    key         TEXT NOT NULL,
    entity_id   INTEGER NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
    PRIMARY KEY (key, entity_id)
) WITHOUT ROWID;

-- A subject as one report names it; resolved to an entity with evidence.
CREATE TABLE subjects (
    id          INTEGER PRIMARY KEY,
    report_id   INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
    entity_id   INTEGER NOT NULL REFERENCES entities(id),
    kind        TEXT NOT NULL,
    name        TEXT NOT NULL,
    birth_date  TEXT,
    countries   TEXT NOT NULL DEFAULT '',
    identifiers TEXT NOT NULL DEFAULT '',
    role        TEXT NOT NULL,
    account     TEXT,
    my_client   INTEGER NOT NULL,
    evidence    TEXT NOT NULL DEFAULT '',
    path        TEXT NOT NULL,
    line        INTEGER NOT NULL
);
CREATE INDEX subjects_by_entity ON subjects(entity_id);
CREATE INDEX subjects_by_report ON subjects(report_id);

CREATE TABLE accounts (
    id          INTEGER PRIMARY KEY,
    key         TEXT NOT NULL UNIQUE,          -- institution|number
    name        TEXT NOT NULL DEFAULT '',
    entity_id   INTEGER REFERENCES entities(id)
);

CREATE TABLE transactions (
    id           INTEGER PRIMARY KEY,
    report_id    INTEGER REFERENCES reports(id) ON DELETE CASCADE,
    reference    TEXT NOT NULL,
    at           INTEGER NOT NULL,
    amount_minor INTEGER NOT NULL,
    currency     TEXT NOT NULL,
    from_account INTEGER REFERENCES accounts(id),
    to_account   INTEGER REFERENCES accounts(id),
    from_entity  INTEGER REFERENCES entities(id),
    to_entity    INTEGER REFERENCES entities(id),
    channel      TEXT NOT NULL DEFAULT '',
    description  TEXT NOT NULL DEFAULT '',
    UNIQUE (reference, from_account, to_account)
);
CREATE INDEX transactions_from ON transactions(from_account, at);
CREATE INDEX transactions_to ON transactions(to_account, at);
CREATE INDEX transactions_from_entity ON transactions(from_entity);
CREATE INDEX transactions_to_entity ON transactions(to_entity);

-- Sanctions and watch lists as loaded (the file itself, so that the service
-- rebuilds its index at start without the original path).
CREATE TABLE lists (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    format      TEXT NOT NULL,
    generated   TEXT NOT NULL DEFAULT '',
    loaded_at   INTEGER NOT NULL,
    entries     INTEGER NOT NULL,
    sha256      TEXT NOT NULL,
    content     BLOB NOT NULL
);

CREATE TABLE alerts (
    id            INTEGER PRIMARY KEY,
    kind          TEXT NOT NULL CHECK (kind IN {AlertKind}),
    typology      TEXT NOT NULL,
    score         REAL NOT NULL,
    entity_id     INTEGER REFERENCES entities(id),
    accounts      TEXT NOT NULL DEFAULT '',
    transactions  TEXT NOT NULL DEFAULT '',
    first_at      INTEGER,
    last_at       INTEGER,
    total_minor   INTEGER NOT NULL DEFAULT 0,
    explanation   TEXT NOT NULL,
    list_name     TEXT,
    list_entry    TEXT,
    list_version  TEXT,                        -- hash of the entry's content
    status        TEXT NOT NULL DEFAULT 'new' CHECK (status IN {AlertStatus}),
    assignee      INTEGER REFERENCES users(id),
    reason        TEXT NOT NULL DEFAULT '',
    case_id       INTEGER REFERENCES cases(id),
    dedup_key     TEXT NOT NULL UNIQUE,
    created_at    INTEGER NOT NULL
);
CREATE INDEX alerts_queue ON alerts(status, score DESC, id);
CREATE INDEX alerts_by_entity ON alerts(entity_id);

-- False-positive redress: a cleared match is not raised again for the same
-- version of the list entry.
CREATE TABLE clearances (
    id            INTEGER PRIMARY KEY,
    entity_id     INTEGER NOT NULL REFERENCES entities(id),
    list_name     TEXT NOT NULL,
    list_entry    TEXT NOT NULL,
    list_version  TEXT NOT NULL,
    justification TEXT NOT NULL,
    requested_by  INTEGER NOT NULL REFERENCES users(id),
    approved_by   INTEGER REFERENCES users(id),
    status        TEXT NOT NULL CHECK (status IN {ClearanceStatus}),
    at            INTEGER NOT NULL
);
CREATE INDEX clearances_lookup ON clearances(entity_id, list_name, list_entry, list_version);

CREATE TABLE cases (
    id          INTEGER PRIMARY KEY,
    reference   TEXT NOT NULL UNIQUE,          -- CASE-2026-0001
    title       TEXT NOT NULL,
    status      TEXT NOT NULL DEFAULT 'open' CHECK (status IN {CaseStatus}),
    created_by  INTEGER NOT NULL REFERENCES users(id),
    created_at  INTEGER NOT NULL,
    summary     TEXT NOT NULL DEFAULT ''
);

CREATE TABLE case_entities (
    case_id     INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    entity_id   INTEGER NOT NULL REFERENCES entities(id),
    PRIMARY KEY (case_id, entity_id)
) WITHOUT ROWID;

CREATE TABLE case_notes (
    id          INTEGER PRIMARY KEY,
    case_id     INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    author      INTEGER NOT NULL REFERENCES users(id),
    at          INTEGER NOT NULL,
    body        TEXT NOT NULL
);

CREATE TABLE freezes (
    id           INTEGER PRIMARY KEY,
    case_id      INTEGER NOT NULL REFERENCES cases(id),
    entity_id    INTEGER NOT NULL REFERENCES entities(id),
    assets       TEXT NOT NULL,
    legal_basis  TEXT NOT NULL,
    issued_on    TEXT NOT NULL,
    expires_on   TEXT NOT NULL,
    status       TEXT NOT NULL DEFAULT 'in-force' CHECK (status IN {FreezeStatus}),
    outcome      TEXT NOT NULL DEFAULT '',
    created_by   INTEGER NOT NULL REFERENCES users(id),
    created_at   INTEGER NOT NULL
);

CREATE TABLE disseminations (
    id          INTEGER PRIMARY KEY,
    case_id     INTEGER NOT NULL REFERENCES cases(id),
    agency      TEXT NOT NULL,
    legal_basis TEXT NOT NULL,
    package     TEXT NOT NULL,                 -- the JSON package as sent
    created_by  INTEGER NOT NULL REFERENCES users(id),
    created_at  INTEGER NOT NULL
);

-- Append-only, hash-chained: hash = SHA-256(prev_hash | seq | at | actor |
-- action | object | purpose | case_ref | detail). Checked by `nexus audit verify`.
CREATE TABLE audit_log (
    seq         INTEGER PRIMARY KEY,
    at          INTEGER NOT NULL,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    object      TEXT NOT NULL,
    purpose     TEXT NOT NULL DEFAULT '',
    case_ref    TEXT NOT NULL DEFAULT '',
    detail      TEXT NOT NULL DEFAULT '',
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL
);
CREATE INDEX audit_by_object ON audit_log(object);

CREATE TABLE settings (
    key         TEXT PRIMARY KEY,
    value       TEXT NOT NULL
);
INSERT INTO settings(key, value) VALUES ('retention_days', '1825');
"#,
    // 2: cooperation with partner FIUs (nexus exchange).
    r#"
CREATE TABLE exchange_partners (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    country     TEXT NOT NULL DEFAULT '',
    public_key  TEXT NOT NULL UNIQUE,          -- nexus-fiu-1:<ed25519>:<x25519>
    fingerprint TEXT NOT NULL UNIQUE,
    address     TEXT NOT NULL,                 -- http://host:port of its nexus
    added_at    INTEGER NOT NULL
);

-- Message ids seen per sender: a replayed message is refused.
CREATE TABLE exchange_seen (
    sender      TEXT NOT NULL,
    message_id  TEXT NOT NULL,
    at          INTEGER NOT NULL,
    PRIMARY KEY (sender, message_id)
) WITHOUT ROWID;

CREATE TABLE exchange_sessions (
    session      TEXT PRIMARY KEY,
    partner_id   INTEGER NOT NULL REFERENCES exchange_partners(id),
    direction    TEXT NOT NULL CHECK (direction IN ('out','in')),
    purpose      TEXT NOT NULL DEFAULT '',
    legal_basis  TEXT NOT NULL DEFAULT '',
    asked        INTEGER NOT NULL,             -- keys the requester sent
    partner_keys INTEGER NOT NULL DEFAULT 0,   -- keys the partner blinded
    matched      INTEGER NOT NULL DEFAULT 0,   -- subjects matched (requester side only)
    at           INTEGER NOT NULL
);

CREATE TABLE exchange_matches (
    id          INTEGER PRIMARY KEY,
    session     TEXT NOT NULL REFERENCES exchange_sessions(session),
    partner_id  INTEGER NOT NULL REFERENCES exchange_partners(id),
    entity_id   INTEGER NOT NULL REFERENCES entities(id),
    basis       TEXT NOT NULL,                 -- what the matching keys rest on
    typologies  TEXT NOT NULL DEFAULT '',      -- of the entity's alerts, for the regional picture
    at          INTEGER NOT NULL
);

CREATE TABLE exchange_messages (
    id          INTEGER PRIMARY KEY,
    partner_id  INTEGER NOT NULL REFERENCES exchange_partners(id),
    direction   TEXT NOT NULL CHECK (direction IN ('out','in')),
    kind        TEXT NOT NULL,
    session     TEXT NOT NULL DEFAULT '',
    message_id  TEXT NOT NULL,
    body        TEXT NOT NULL,                 -- the decrypted JSON content
    status      TEXT NOT NULL DEFAULT 'new',
    at          INTEGER NOT NULL
);
"#,
    // 3: documents attached to case files.
    r#"
CREATE TABLE case_documents (
    id           INTEGER PRIMARY KEY,
    case_id      INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    filename     TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         INTEGER NOT NULL,
    sha256       TEXT NOT NULL,
    content      BLOB NOT NULL,
    uploaded_by  INTEGER NOT NULL REFERENCES users(id),
    at           INTEGER NOT NULL
);
CREATE INDEX case_documents_by_case ON case_documents(case_id);
"#,
    // 4: the alert queue read straight from an index (no sort of all open alerts).
    r#"
ALTER TABLE alerts ADD COLUMN is_open INTEGER GENERATED ALWAYS AS (status IN ('new','assigned','escalated')) VIRTUAL;
CREATE INDEX alerts_open_queue ON alerts(is_open, score DESC, id);
CREATE INDEX alerts_by_score ON alerts(score DESC, id);
"#,
    // 5: hardening. Personal data in audit records in a column of its own
    // (oversight reads it, administrators do not); signed checkpoints of the
    // chain head; the stated purpose kept with the session (gone at sign-out);
    // the institution codes (BIC) a reporting entity speaks for; who sent a
    // transaction of a batch.
    r#"
ALTER TABLE audit_log ADD COLUMN personal TEXT NOT NULL DEFAULT '';
CREATE TABLE audit_checkpoints (
    seq         INTEGER PRIMARY KEY,           -- the chain head signed
    hash        TEXT NOT NULL,
    at          INTEGER NOT NULL,
    public_key  TEXT NOT NULL,                 -- nexus-fiu-1:… of the signer
    signature   TEXT NOT NULL                  -- Ed25519, hex
);
ALTER TABLE sessions ADD COLUMN purpose TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN case_ref TEXT NOT NULL DEFAULT '';
ALTER TABLE institutions ADD COLUMN codes TEXT NOT NULL DEFAULT '';
ALTER TABLE transactions ADD COLUMN source_institution INTEGER REFERENCES institutions(id);
CREATE INDEX users_by_folded_name ON users(username COLLATE NOCASE);
ALTER TABLE exchange_messages ADD COLUMN case_id INTEGER REFERENCES cases(id);
"#,
    // 6: alerts an analyst can act on. The model's probability on an alert;
    // alerts under its threshold kept but suppressed (below the fold, not
    // open); one open alert per episode (a typology on one focal account),
    // updated as the pattern grows; detection models with who activated
    // them (a supervisor's decision).
    r#"
DROP INDEX alerts_open_queue;
ALTER TABLE alerts DROP COLUMN is_open;
ALTER TABLE alerts ADD COLUMN suppressed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE alerts ADD COLUMN probability REAL;
ALTER TABLE alerts ADD COLUMN episode TEXT;
ALTER TABLE alerts ADD COLUMN updated_at INTEGER;
ALTER TABLE alerts ADD COLUMN is_open INTEGER GENERATED ALWAYS AS (status IN ('new','assigned','escalated') AND suppressed = 0) VIRTUAL;
CREATE INDEX alerts_open_queue ON alerts(is_open, score DESC, id);
CREATE INDEX alerts_suppressed_queue ON alerts(suppressed, score DESC, id);
CREATE INDEX transactions_by_time ON transactions(at, id);
CREATE UNIQUE INDEX alerts_open_episode ON alerts(episode) WHERE episode IS NOT NULL AND status IN ('new','assigned','escalated');
CREATE TABLE detection_models (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL,
    body          TEXT NOT NULL,                 -- the nexus-gbdt model
    sha256        TEXT NOT NULL UNIQUE,
    metrics       TEXT NOT NULL DEFAULT '',      -- held-out figures, as trained
    trained_on    TEXT NOT NULL DEFAULT '',
    created_at    INTEGER NOT NULL,
    created_by    TEXT NOT NULL,
    activated_at  INTEGER,
    activated_by  TEXT NOT NULL DEFAULT ''
);
ALTER TABLE alerts ADD COLUMN model_id INTEGER REFERENCES detection_models(id);
"#,
    // 7: the analyst's day. A case holds what its alerts showed — the
    // accounts (subject or counterparty) and the transactions themselves —
    // and its parties have a role, so that a counterparty is never
    // disseminated as a subject. A freeze may name an account (a feed's
    // holder is often unknown), is proposed by one person and decided by a
    // supervisor who is not its author (four eyes); the decision is kept.
    // A clearance keeps the alert it was asked on and the decider's reasons.
    r#"
ALTER TABLE case_entities ADD COLUMN role TEXT NOT NULL DEFAULT 'subject' CHECK (role IN {CaseRole});
CREATE TABLE case_accounts (
    case_id     INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    account_id  INTEGER NOT NULL REFERENCES accounts(id),
    role        TEXT NOT NULL CHECK (role IN {CaseRole}),
    PRIMARY KEY (case_id, account_id)
) WITHOUT ROWID;
CREATE TABLE case_transactions (
    case_id         INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    transaction_id  INTEGER NOT NULL REFERENCES transactions(id),
    PRIMARY KEY (case_id, transaction_id)
) WITHOUT ROWID;
CREATE TABLE freezes_v7 (
    id           INTEGER PRIMARY KEY,
    case_id      INTEGER NOT NULL REFERENCES cases(id),
    entity_id    INTEGER REFERENCES entities(id),
    account_id   INTEGER REFERENCES accounts(id),
    assets       TEXT NOT NULL,
    legal_basis  TEXT NOT NULL,
    issued_on    TEXT NOT NULL,
    expires_on   TEXT NOT NULL,
    status       TEXT NOT NULL DEFAULT 'proposed' CHECK (status IN {FreezeStatus}),
    outcome      TEXT NOT NULL DEFAULT '',
    created_by   INTEGER NOT NULL REFERENCES users(id),
    created_at   INTEGER NOT NULL,
    decided_by   INTEGER REFERENCES users(id),
    decided_at   INTEGER,
    decision     TEXT NOT NULL DEFAULT '',
    CHECK (entity_id IS NOT NULL OR account_id IS NOT NULL)
);
INSERT INTO freezes_v7(id, case_id, entity_id, assets, legal_basis, issued_on, expires_on, status, outcome, created_by, created_at)
    SELECT id, case_id, entity_id, assets, legal_basis, issued_on, expires_on, status, outcome, created_by, created_at FROM freezes;
DROP TABLE freezes;
ALTER TABLE freezes_v7 RENAME TO freezes;
CREATE INDEX freezes_by_case ON freezes(case_id);
ALTER TABLE clearances ADD COLUMN alert_id INTEGER REFERENCES alerts(id);
ALTER TABLE clearances ADD COLUMN decided_at INTEGER;
ALTER TABLE clearances ADD COLUMN comment TEXT NOT NULL DEFAULT '';
"#,
    // 8: the language each user reads the UI in ('' = the default).
    r#"
ALTER TABLE users ADD COLUMN language TEXT NOT NULL DEFAULT '';
"#,
    // 9: a case has the analyst it is assigned to, and when it is closed,
    // when and why (a supervisor's decision, kept with the case).
    r#"
ALTER TABLE cases ADD COLUMN assignee INTEGER REFERENCES users(id);
ALTER TABLE cases ADD COLUMN closed_at INTEGER;
ALTER TABLE cases ADD COLUMN closing TEXT NOT NULL DEFAULT '';
"#,
    // 10: the message board — when each user last read it (what is newer
    // is unread), and messages found by time.
    r#"
CREATE TABLE message_marks (
    user_id  INTEGER PRIMARY KEY REFERENCES users(id),
    seen_at  INTEGER NOT NULL
);
CREATE INDEX report_messages_by_time ON report_messages(at);
"#,
    // 11: the daily pages at national scale. A case's payments in time
    // order from the index alone (its parties' payments with their times);
    // the reports list's filters and counts without reading the reports'
    // content; an account's alerts by the account they are about.
    r#"
DROP INDEX transactions_from_entity;
DROP INDEX transactions_to_entity;
CREATE INDEX transactions_from_entity ON transactions(from_entity, at);
CREATE INDEX transactions_to_entity ON transactions(to_entity, at);
CREATE INDEX reports_by_status ON reports(status, id);
CREATE INDEX reports_by_institution_status ON reports(institution, status, id);
CREATE INDEX alerts_by_focal_account ON alerts((substr(accounts, 1, instr(accounts || ';', ';') - 1)));
"#,
    // 12: web report drafts — what an officer typed, kept until the report
    // is filed and processed (a report that failed is corrected from it).
    r#"
CREATE TABLE report_drafts (
    id           INTEGER PRIMARY KEY,
    institution  INTEGER NOT NULL REFERENCES institutions(id),
    reference    TEXT NOT NULL,
    fields       TEXT NOT NULL,
    updated_by   TEXT NOT NULL,
    updated_at   INTEGER NOT NULL,
    UNIQUE (institution, reference)
);
"#,
    // 13: free messages on the message board, between the FIU and one
    // reporting entity, not tied to a report.
    r#"
CREATE TABLE board_messages (
    id           INTEGER PRIMARY KEY,
    institution  INTEGER NOT NULL REFERENCES institutions(id),
    author       TEXT NOT NULL,
    at           INTEGER NOT NULL,
    subject      TEXT NOT NULL,
    body         TEXT NOT NULL
);
CREATE INDEX board_messages_by_institution ON board_messages(institution, at);
CREATE INDEX board_messages_by_time ON board_messages(at);
"#,
    // 14: alert explanations and the FIU's answers to reports also as
    // phrases (JSON), so that the UI writes them in each reader's
    // language; the English text stays for the API and the command line.
    r#"
ALTER TABLE alerts ADD COLUMN explanation_phrases TEXT;
ALTER TABLE reports ADD COLUMN message_phrase TEXT;
"#,
    // 15: the message board's attachments (on free messages) and each
    // user's archive (items moved out of the inbox).
    r#"
CREATE TABLE board_attachments (
    id           INTEGER PRIMARY KEY,
    message_id   INTEGER NOT NULL REFERENCES board_messages(id),
    name         TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         INTEGER NOT NULL,
    sha256       TEXT NOT NULL,
    content      BLOB NOT NULL
);
CREATE INDEX board_attachments_by_message ON board_attachments(message_id);
CREATE TABLE board_archive (
    user_id  INTEGER NOT NULL REFERENCES users(id),
    kind     TEXT NOT NULL CHECK (kind IN ('receipt','report','free')),
    item     INTEGER NOT NULL,
    at       INTEGER NOT NULL,
    PRIMARY KEY (user_id, kind, item)
);
"#,
    // 16: the places of a subject's addresses (town, city, state, country
    // as JSON; never the street), read by detection against the FIU's
    // high-risk areas.
    r#"
ALTER TABLE subjects ADD COLUMN places TEXT NOT NULL DEFAULT '';
"#,
];

/// `('a','b',…)`: the spellings of a vocabulary as an SQL list.
fn in_list<'a>(spellings: impl Iterator<Item = &'a str>) -> String {
    let quoted: Vec<String> = spellings.map(|s| format!("'{s}'")).collect();
    format!("({})", quoted.join(","))
}

/// A migration with its vocabulary placeholders replaced by the spellings
/// declared in `nexus_model::vocab` — the one place they are written.
pub(crate) fn fill_vocabularies(template: &str) -> String {
    use nexus_model::*;
    template
        .replace("{Role}", &in_list(Role::ALL.iter().map(|v| v.as_str())))
        .replace(
            "{ReportStatus}",
            &in_list(ReportStatus::ALL.iter().map(|v| v.as_str())),
        )
        .replace(
            "{EntityKind}",
            &in_list(EntityKind::ALL.iter().map(|v| v.as_str())),
        )
        .replace(
            "{AlertKind}",
            &in_list(AlertKind::ALL.iter().map(|v| v.as_str())),
        )
        .replace(
            "{AlertStatus}",
            &in_list(AlertStatus::ALL.iter().map(|v| v.as_str())),
        )
        .replace(
            "{ClearanceStatus}",
            &in_list(ClearanceStatus::ALL.iter().map(|v| v.as_str())),
        )
        .replace(
            "{CaseStatus}",
            &in_list(CaseStatus::ALL.iter().map(|v| v.as_str())),
        )
        .replace(
            "{CaseRole}",
            &in_list(CaseRole::ALL.iter().map(|v| v.as_str())),
        )
        .replace(
            "{FreezeStatus}",
            &in_list(FreezeStatus::ALL.iter().map(|v| v.as_str())),
        )
}

/// The migrations with every vocabulary's spelling from `nexus_model`.
pub fn migrations() -> Vec<String> {
    TEMPLATES
        .iter()
        .map(|t| crate::schema::fill_vocabularies(t))
        .collect()
}
