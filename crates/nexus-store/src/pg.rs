//! The scale-out backend: PostgreSQL through the synchronous `postgres`
//! client. Writes go through one connection, each in a transaction that
//! first takes an advisory lock — so that writers in other processes (the
//! CLI beside the server, a second server) are serialised too, as the audit
//! chain's sequence needs; reads use a pool of connections, each in a
//! read-only repeatable-read transaction (a consistent snapshot).
//!
//! Connections are unencrypted (`NoTls`): run the database on the same host
//! or a private network, or put a TLS tunnel in between (docs/operations.md).

use crate::sql::{numbered_placeholders, Dialect, Executor, Row, Value};
use crate::{pg_schema, Result, StoreError};
use postgres::fallible_iterator::FallibleIterator;
use postgres::types::{IsNull, ToSql, Type};
use postgres::{Client, IsolationLevel, NoTls, Statement, Transaction};
use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Mutex;

const READERS: usize = 4;
/// The advisory lock every write transaction holds.
const WRITER_LOCK: i64 = 0x006e_6578_7573; // "nexus"

impl From<postgres::Error> for StoreError {
    fn from(e: postgres::Error) -> StoreError {
        match e.code() {
            Some(c) if *c == postgres::error::SqlState::UNIQUE_VIOLATION => {
                StoreError::Unique(e.to_string())
            }
            _ => StoreError::Database(match e.as_db_error() {
                Some(db) => format!("{}: {}", db.severity(), db.message()),
                None => e.to_string(),
            }),
        }
    }
}

impl ToSql for Value {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut postgres::types::private::BytesMut,
    ) -> std::result::Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match self {
            Value::Null => Ok(IsNull::Yes),
            Value::Int(i) => match *ty {
                Type::INT8 => i.to_sql(ty, out),
                Type::INT4 => i32::try_from(*i)?.to_sql(ty, out),
                Type::INT2 => i16::try_from(*i)?.to_sql(ty, out),
                Type::BOOL => (*i != 0).to_sql(ty, out),
                Type::FLOAT8 => (*i as f64).to_sql(ty, out),
                Type::FLOAT4 => (*i as f32).to_sql(ty, out),
                _ => i.to_string().as_str().to_sql(ty, out),
            },
            Value::Real(f) => match *ty {
                Type::FLOAT4 => (*f as f32).to_sql(ty, out),
                _ => f.to_sql(ty, out),
            },
            Value::Text(s) => s.as_str().to_sql(ty, out),
            Value::Blob(b) => b.as_slice().to_sql(ty, out),
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    postgres::types::to_sql_checked!();
}

fn row_values(r: &postgres::Row) -> Result<Row> {
    let mut values = Vec::with_capacity(r.len());
    for (i, c) in r.columns().iter().enumerate() {
        let v = match *c.type_() {
            Type::INT8 => r.try_get::<_, Option<i64>>(i)?.map(Value::Int),
            Type::INT4 => r
                .try_get::<_, Option<i32>>(i)?
                .map(|v| Value::Int(v.into())),
            Type::INT2 => r
                .try_get::<_, Option<i16>>(i)?
                .map(|v| Value::Int(v.into())),
            Type::BOOL => r
                .try_get::<_, Option<bool>>(i)?
                .map(|v| Value::Int(v.into())),
            Type::FLOAT8 => r.try_get::<_, Option<f64>>(i)?.map(Value::Real),
            Type::FLOAT4 => r
                .try_get::<_, Option<f32>>(i)?
                .map(|v| Value::Real(v.into())),
            Type::BYTEA => r.try_get::<_, Option<Vec<u8>>>(i)?.map(Value::Blob),
            _ => r.try_get::<_, Option<String>>(i)?.map(Value::Text),
        };
        values.push(v.unwrap_or(Value::Null));
    }
    Ok(Row { values })
}

/// One connection with its prepared statements.
struct PgConn {
    client: Client,
    statements: HashMap<String, Statement>,
}

/// A transaction on a [`PgConn`] as an [`Executor`].
struct PgExec<'a, 't> {
    tx: RefCell<&'a mut Transaction<'t>>,
    statements: RefCell<&'a mut HashMap<String, Statement>>,
}

impl PgExec<'_, '_> {
    fn statement(&self, sql: &str) -> Result<Statement> {
        if let Some(s) = self.statements.borrow().get(sql) {
            return Ok(s.clone());
        }
        let s = self.tx.borrow_mut().prepare(&numbered_placeholders(sql))?;
        self.statements
            .borrow_mut()
            .insert(sql.to_string(), s.clone());
        Ok(s)
    }
}

fn refs(params: &[Value]) -> Vec<&(dyn ToSql + Sync)> {
    params.iter().map(|v| v as &(dyn ToSql + Sync)).collect()
}

impl Executor for PgExec<'_, '_> {
    fn execute(&self, sql: &str, params: &[Value]) -> Result<usize> {
        let s = self.statement(sql)?;
        Ok(self.tx.borrow_mut().execute(&s, &refs(params))? as usize)
    }

    fn query(
        &self,
        sql: &str,
        params: &[Value],
        each: &mut dyn FnMut(&Row) -> Result<bool>,
    ) -> Result<()> {
        let s = self.statement(sql)?;
        let mut tx = self.tx.borrow_mut();
        let mut rows = tx.query_raw(&s, refs(params))?;
        while let Some(r) = rows.next()? {
            if !each(&row_values(&r)?)? {
                break;
            }
        }
        Ok(())
    }

    fn execute_batch(&self, sql: &str) -> Result<()> {
        Ok(self.tx.borrow_mut().batch_execute(sql)?)
    }

    fn last_insert_id(&self) -> Result<i64> {
        let row = self.tx.borrow_mut().query_one("SELECT lastval()", &[])?;
        Ok(row.try_get(0)?)
    }

    fn dialect(&self) -> Dialect {
        Dialect::Postgres
    }
}

/// The PostgreSQL database of one FIU.
pub(crate) struct PgStore {
    url: String,
    readers: Mutex<Vec<PgConn>>,
    writer: Mutex<PgConn>,
}

fn connect(url: &str) -> Result<PgConn> {
    let client = Client::connect(url, NoTls).map_err(|e| StoreError::Open {
        location: redact(url),
        reason: e.to_string(),
    })?;
    Ok(PgConn {
        client,
        statements: HashMap::new(),
    })
}

/// The URL without its password, for messages.
pub(crate) fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let user_info = &url[scheme + 3..at];
            let user = user_info.split(':').next().unwrap_or("");
            format!("{}{}@{}", &url[..scheme + 3], user, &url[at + 1..])
        }
        _ => url.to_string(),
    }
}

impl PgStore {
    pub(crate) fn open(url: &str) -> Result<PgStore> {
        let mut writer = connect(url)?;
        migrate(&mut writer.client)?;
        let mut readers = Vec::with_capacity(READERS);
        for _ in 0..READERS {
            readers.push(connect(url)?);
        }
        Ok(PgStore {
            url: url.to_string(),
            readers: Mutex::new(readers),
            writer: Mutex::new(writer),
        })
    }

    pub(crate) fn location(&self) -> String {
        redact(&self.url)
    }

    pub(crate) fn write<T>(&self, f: impl FnOnce(&dyn Executor) -> Result<T>) -> Result<T> {
        let mut guard = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        if guard.client.is_closed() {
            *guard = connect(&self.url)?;
        }
        let PgConn { client, statements } = &mut *guard;
        let mut tx = client.transaction()?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&WRITER_LOCK])?;
        let out = {
            let exec = PgExec {
                tx: RefCell::new(&mut tx),
                statements: RefCell::new(statements),
            };
            f(&exec)?
        };
        tx.commit()?;
        Ok(out)
    }

    pub(crate) fn read<T>(&self, f: impl FnOnce(&dyn Executor) -> Result<T>) -> Result<T> {
        let pooled = self.readers.lock().unwrap_or_else(|e| e.into_inner()).pop();
        let mut conn = match pooled {
            Some(c) if !c.client.is_closed() => c,
            _ => connect(&self.url)?,
        };
        let out = {
            let PgConn { client, statements } = &mut conn;
            let mut tx = client
                .build_transaction()
                .read_only(true)
                .isolation_level(IsolationLevel::RepeatableRead)
                .start()?;
            let out = {
                let exec = PgExec {
                    tx: RefCell::new(&mut tx),
                    statements: RefCell::new(statements),
                };
                f(&exec)
            };
            // A read-only transaction has nothing to commit; ending it is enough.
            let _ = tx.rollback();
            out
        };
        if !conn.client.is_closed() {
            let mut pool = self.readers.lock().unwrap_or_else(|e| e.into_inner());
            if pool.len() < READERS {
                pool.push(conn);
            }
        }
        out
    }

    pub(crate) fn schema_version(&self) -> Result<u32> {
        let mut guard = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        version(&mut guard.client)
    }
}

fn version(client: &mut Client) -> Result<u32> {
    client.batch_execute("CREATE TABLE IF NOT EXISTS nexus_schema (version BIGINT NOT NULL)")?;
    let v: Option<i64> = client
        .query_opt("SELECT version FROM nexus_schema", &[])?
        .map(|r| r.get(0));
    Ok(v.unwrap_or(0) as u32)
}

fn migrate(client: &mut Client) -> Result<()> {
    let mut tx = client.transaction()?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&WRITER_LOCK])?;
    tx.batch_execute("CREATE TABLE IF NOT EXISTS nexus_schema (version BIGINT NOT NULL)")?;
    let found: i64 = tx
        .query_opt("SELECT version FROM nexus_schema", &[])?
        .map_or(0, |r| r.get(0));
    let known = pg_schema::migrations().len() as i64;
    if found > known {
        return Err(StoreError::TooNew {
            found: found as u32,
            known: known as u32,
        });
    }
    for sql in &pg_schema::migrations()[found as usize..] {
        tx.batch_execute(sql)?;
    }
    tx.execute("DELETE FROM nexus_schema", &[])?;
    tx.execute("INSERT INTO nexus_schema(version) VALUES ($1)", &[&known])?;
    tx.commit()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_appear_in_messages() {
        assert_eq!(
            redact("postgres://fiu:s3cret@db.local:5432/nexus"),
            "postgres://fiu@db.local:5432/nexus"
        );
        assert_eq!(redact("postgres://fiu@db/nexus"), "postgres://fiu@db/nexus");
    }
}
