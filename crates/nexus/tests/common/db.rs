//! The database a service test runs on: a SQLite file by default, a fresh
//! PostgreSQL database when `NEXUS_TEST_BACKEND=postgres` (the server named
//! by `NEXUS_TEST_POSTGRES`, which the test script starts). The test's own
//! look into the database (counting rows, tampering with the audit log) goes
//! through [`TestDb`], in SQL both databases speak.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

/// A database for one test; dereferences to the `--db` value.
pub struct TestDb {
    location: String,
    /// The SQLite file, when the backend is SQLite.
    pub path: Option<PathBuf>,
}

impl std::ops::Deref for TestDb {
    type Target = str;
    fn deref(&self) -> &str {
        &self.location
    }
}

impl AsRef<std::ffi::OsStr> for TestDb {
    fn as_ref(&self) -> &std::ffi::OsStr {
        self.location.as_ref()
    }
}

static NEXT: AtomicUsize = AtomicUsize::new(0);

/// Whether the tests run on PostgreSQL.
pub fn postgres() -> bool {
    std::env::var("NEXUS_TEST_BACKEND").as_deref() == Ok("postgres")
}

impl TestDb {
    /// A new, empty database (`fiu.db` in `dir` for SQLite).
    pub fn in_dir(dir: &Path) -> TestDb {
        Self::named(dir, "fiu")
    }

    /// A new, empty database with a name of its own in `dir`.
    pub fn named(dir: &Path, name: &str) -> TestDb {
        if !postgres() {
            let path = dir.join(format!("{name}.db"));
            return TestDb {
                location: path.to_string_lossy().into_owned(),
                path: Some(path),
            };
        }
        let server = std::env::var("NEXUS_TEST_POSTGRES")
            .expect("NEXUS_TEST_BACKEND=postgres needs NEXUS_TEST_POSTGRES (bash scripts/postgres.sh start)");
        let database = format!(
            "t_{}_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::SeqCst),
            name.replace(|c: char| !c.is_ascii_alphanumeric(), "_")
        );
        let mut admin = postgres::Client::connect(&server, postgres::NoTls)
            .expect("the test PostgreSQL server");
        admin
            .batch_execute(&format!("CREATE DATABASE {database}"))
            .expect("create the test database");
        let base = server
            .rsplit_once('/')
            .map_or(server.as_str(), |(b, _)| b)
            .to_string();
        TestDb {
            location: format!("{base}/{database}"),
            path: None,
        }
    }

    fn sqlite(&self) -> Option<rusqlite::Connection> {
        self.path
            .as_ref()
            .map(|p| rusqlite::Connection::open(p).unwrap())
    }

    fn pg(&self) -> postgres::Client {
        postgres::Client::connect(&self.location, postgres::NoTls).unwrap()
    }

    /// Runs statements (no result).
    pub fn execute(&self, sql: &str) {
        match self.sqlite() {
            Some(c) => c.execute_batch(sql).unwrap(),
            None => self.pg().batch_execute(sql).unwrap(),
        }
    }

    /// The first column of every row, as text (numbers written out).
    pub fn column(&self, sql: &str) -> Vec<String> {
        self.rows(sql)
            .into_iter()
            .map(|mut r| r.swap_remove(0))
            .collect()
    }

    /// Every row, each column as text (NULL as "").
    pub fn rows(&self, sql: &str) -> Vec<Vec<String>> {
        match self.sqlite() {
            Some(c) => {
                let mut s = c.prepare(sql).unwrap();
                let n = s.column_count();
                s.query_map([], |r| {
                    Ok((0..n)
                        .map(|i| match r.get_ref(i).unwrap() {
                            rusqlite::types::ValueRef::Null => String::new(),
                            rusqlite::types::ValueRef::Integer(v) => v.to_string(),
                            rusqlite::types::ValueRef::Real(v) => v.to_string(),
                            rusqlite::types::ValueRef::Text(t) => {
                                String::from_utf8_lossy(t).into_owned()
                            }
                            rusqlite::types::ValueRef::Blob(b) => {
                                String::from_utf8_lossy(b).into_owned()
                            }
                        })
                        .collect())
                })
                .unwrap()
                .map(Result::unwrap)
                .collect()
            }
            None => {
                use postgres::types::Type;
                self.pg()
                    .query(sql, &[])
                    .unwrap()
                    .iter()
                    .map(|r| {
                        (0..r.len())
                            .map(|i| {
                                match *r.columns()[i].type_() {
                                    Type::INT8 => r.get::<_, Option<i64>>(i).map(|v| v.to_string()),
                                    Type::INT4 => r.get::<_, Option<i32>>(i).map(|v| v.to_string()),
                                    Type::FLOAT8 => {
                                        r.get::<_, Option<f64>>(i).map(|v| v.to_string())
                                    }
                                    Type::BOOL => r
                                        .get::<_, Option<bool>>(i)
                                        .map(|v| i32::from(v).to_string()),
                                    Type::BYTEA => r
                                        .get::<_, Option<Vec<u8>>>(i)
                                        .map(|v| String::from_utf8_lossy(&v).into_owned()),
                                    _ => r.get::<_, Option<String>>(i),
                                }
                                .unwrap_or_default()
                            })
                            .collect()
                    })
                    .collect()
            }
        }
    }

    /// The single value of a query, as text; panics when there is no row.
    pub fn one(&self, sql: &str) -> String {
        self.column(sql)
            .into_iter()
            .next()
            .unwrap_or_else(|| panic!("no row: {sql}"))
    }

    /// The single integer of a query.
    pub fn count(&self, sql: &str) -> i64 {
        self.one(sql)
            .parse()
            .unwrap_or_else(|_| panic!("not an integer: {sql}"))
    }

    /// Folds a SQLite database's write-ahead log into its file (for copies); nothing on PostgreSQL.
    pub fn checkpoint(&self) {
        if let Some(c) = self.sqlite() {
            c.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);").unwrap();
        }
    }
}

/// A text value as an SQL literal (test data only).
pub fn literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}
