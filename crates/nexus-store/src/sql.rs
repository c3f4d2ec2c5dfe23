//! The seam between the domain methods and the two databases.
//!
//! The domain methods ([`crate::Db`]) are written once, in the SQL that
//! SQLite and PostgreSQL share (`ON CONFLICT … DO NOTHING`, `lower(x) LIKE
//! lower(?1)`, numbered placeholders `?1` that the PostgreSQL side turns
//! into `$1`), against [`Conn`]: execute, query rows, last inserted id.
//! [`Executor`] is what a backend implements — once over rusqlite
//! ([`crate::sqlite`]), once over the `postgres` client ([`crate::pg`]).
//! Values cross it as [`Value`]: the five types both databases store.
//!
//! Hand-written rather than sqlx or diesel: sqlx and rusqlite do not resolve
//! together, and an ORM would hide the SQL that the audit chain and the
//! queue's indexes depend on.

use crate::{Result, StoreError};

/// A value bound to a statement or read from a row.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
}

/// Which SQL a backend speaks where the two differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

impl Dialect {
    /// The column that orders rows of a table without a key of their own
    /// as they were inserted.
    pub fn insertion_order(self) -> &'static str {
        match self {
            Dialect::Sqlite => "rowid",
            Dialect::Postgres => "id",
        }
    }

    /// An alert's focal account: the first of its `;`-joined accounts (the
    /// expression the index `alerts_by_focal_account` is built on).
    pub fn focal_account(self) -> &'static str {
        match self {
            Dialect::Sqlite => "substr(a.accounts, 1, instr(a.accounts || ';', ';') - 1)",
            Dialect::Postgres => "split_part(a.accounts, ';', 1)",
        }
    }

    /// The aggregate that joins strings with a separator.
    pub fn group_concat(self) -> &'static str {
        match self {
            Dialect::Sqlite => "group_concat",
            Dialect::Postgres => "string_agg",
        }
    }
}

/// What a backend does for the domain methods.
pub trait Executor {
    /// Runs one statement; the number of rows it changed.
    fn execute(&self, sql: &str, params: &[Value]) -> Result<usize>;
    /// Runs a query, calling `each` for every row until it returns `false`.
    fn query(
        &self,
        sql: &str,
        params: &[Value],
        each: &mut dyn FnMut(&Row) -> Result<bool>,
    ) -> Result<()>;
    /// Runs several statements without parameters.
    fn execute_batch(&self, sql: &str) -> Result<()>;
    /// The id of the row the last `INSERT` on this connection created.
    fn last_insert_id(&self) -> Result<i64>;
    fn dialect(&self) -> Dialect;
}

/// A row of a result.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub(crate) values: Vec<Value>,
}

impl Row {
    /// Column `i` as `T`.
    pub fn get<T: FromValue>(&self, i: usize) -> Result<T> {
        let v = self
            .values
            .get(i)
            .ok_or_else(|| StoreError::Database(format!("no column {i} in the row")))?;
        T::from_value(v).map_err(|m| StoreError::Database(format!("column {i}: {m}")))
    }
}

/// Conversion into a bound value.
pub trait ToValue {
    fn to_value(&self) -> Value;
}

/// Conversion from a column's value.
pub trait FromValue: Sized {
    fn from_value(v: &Value) -> std::result::Result<Self, String>;
}

macro_rules! int_to_value {
    ($($t:ty),*) => {$(
        impl ToValue for $t {
            fn to_value(&self) -> Value {
                Value::Int(*self as i64)
            }
        }
    )*};
}
int_to_value!(i64, i32, u32, u16, u8, usize);

impl ToValue for bool {
    fn to_value(&self) -> Value {
        Value::Int(i64::from(*self))
    }
}
impl ToValue for f64 {
    fn to_value(&self) -> Value {
        Value::Real(*self)
    }
}
impl ToValue for f32 {
    fn to_value(&self) -> Value {
        Value::Real(f64::from(*self))
    }
}
impl ToValue for str {
    fn to_value(&self) -> Value {
        Value::Text(self.to_string())
    }
}
impl ToValue for String {
    fn to_value(&self) -> Value {
        Value::Text(self.clone())
    }
}
impl ToValue for [u8] {
    fn to_value(&self) -> Value {
        Value::Blob(self.to_vec())
    }
}
impl ToValue for Vec<u8> {
    fn to_value(&self) -> Value {
        Value::Blob(self.clone())
    }
}
impl ToValue for Value {
    fn to_value(&self) -> Value {
        self.clone()
    }
}
impl<T: ToValue + ?Sized> ToValue for &T {
    fn to_value(&self) -> Value {
        (**self).to_value()
    }
}
impl<T: ToValue> ToValue for Option<T> {
    fn to_value(&self) -> Value {
        self.as_ref().map_or(Value::Null, ToValue::to_value)
    }
}

impl FromValue for i64 {
    fn from_value(v: &Value) -> std::result::Result<i64, String> {
        match v {
            Value::Int(i) => Ok(*i),
            other => Err(format!("expected an integer, found {other:?}")),
        }
    }
}
impl FromValue for u32 {
    fn from_value(v: &Value) -> std::result::Result<u32, String> {
        i64::from_value(v)?
            .try_into()
            .map_err(|_| "integer out of range".to_string())
    }
}
impl FromValue for bool {
    fn from_value(v: &Value) -> std::result::Result<bool, String> {
        Ok(i64::from_value(v)? != 0)
    }
}
impl FromValue for f64 {
    fn from_value(v: &Value) -> std::result::Result<f64, String> {
        match v {
            Value::Real(f) => Ok(*f),
            Value::Int(i) => Ok(*i as f64),
            other => Err(format!("expected a number, found {other:?}")),
        }
    }
}
impl FromValue for String {
    fn from_value(v: &Value) -> std::result::Result<String, String> {
        match v {
            Value::Text(s) => Ok(s.clone()),
            other => Err(format!("expected text, found {other:?}")),
        }
    }
}
impl FromValue for Vec<u8> {
    fn from_value(v: &Value) -> std::result::Result<Vec<u8>, String> {
        match v {
            Value::Blob(b) => Ok(b.clone()),
            Value::Text(s) => Ok(s.as_bytes().to_vec()),
            other => Err(format!("expected bytes, found {other:?}")),
        }
    }
}
impl<T: FromValue> FromValue for Option<T> {
    fn from_value(v: &Value) -> std::result::Result<Option<T>, String> {
        match v {
            Value::Null => Ok(None),
            other => T::from_value(other).map(Some),
        }
    }
}

/// The closed vocabularies are stored in their spelling and read back into
/// their type; a spelling the type does not know is an error.
macro_rules! spelled {
    ($($t:ty),*) => {$(
        impl ToValue for $t {
            fn to_value(&self) -> Value {
                Value::Text(self.as_str().to_string())
            }
        }
        impl FromValue for $t {
            fn from_value(v: &Value) -> std::result::Result<$t, String> {
                let text = String::from_value(v)?;
                <$t>::parse(&text).ok_or_else(|| format!("{text:?} is not a {}", stringify!($t)))
            }
        }
    )*};
}
spelled!(
    nexus_model::ReportStatus,
    nexus_model::EntityKind,
    nexus_model::AlertKind,
    nexus_model::AlertStatus,
    nexus_model::ClearanceStatus,
    nexus_model::CaseStatus,
    nexus_model::CaseRole,
    nexus_model::FreezeStatus,
    nexus_model::Role,
    nexus_model::Typology
);

/// Parameters of a statement: `params![a, b]` or an array of one type.
pub trait Params {
    fn values(self) -> Vec<Value>;
}
impl Params for Vec<Value> {
    fn values(self) -> Vec<Value> {
        self
    }
}
impl<T: ToValue, const N: usize> Params for [T; N] {
    fn values(self) -> Vec<Value> {
        self.iter().map(ToValue::to_value).collect()
    }
}

/// `params![a, b, c]`: values of any types for one statement.
#[macro_export]
#[doc(hidden)]
macro_rules! sql_params {
    ($($x:expr),* $(,)?) => {
        vec![$($crate::sql::ToValue::to_value(&$x)),*]
    };
}
pub(crate) use crate::sql_params as params;

/// The connection the domain methods see: a backend inside a transaction.
#[derive(Clone, Copy)]
pub struct Conn<'c> {
    pub(crate) exec: &'c dyn Executor,
}

impl<'c> Conn<'c> {
    pub fn dialect(&self) -> Dialect {
        self.exec.dialect()
    }

    pub fn execute<P: Params>(&self, sql: &str, params: P) -> Result<usize> {
        self.exec.execute(sql, &params.values())
    }

    pub fn execute_batch(&self, sql: &str) -> Result<()> {
        self.exec.execute_batch(sql)
    }

    pub fn last_insert_rowid(&self) -> Result<i64> {
        self.exec.last_insert_id()
    }

    /// Runs an `INSERT` and returns the new row's `id` (one round trip:
    /// `RETURNING id`, which both databases speak); `None` when an
    /// `ON CONFLICT … DO NOTHING` skipped the row.
    pub fn insert_id<P: Params>(&self, sql: &str, params: P) -> Result<Option<i64>> {
        let mut id = None;
        self.exec
            .query(&format!("{sql} RETURNING id"), &params.values(), &mut |r| {
                id = Some(r.get(0)?);
                Ok(false)
            })?;
        Ok(id)
    }

    /// [`Conn::insert_id`] for an insert that always creates its row.
    pub fn insert<P: Params>(&self, sql: &str, params: P) -> Result<i64> {
        self.insert_id(sql, params)?.ok_or(StoreError::NoRows)
    }

    /// The first row mapped by `f`; [`StoreError::NoRows`] when there is none.
    pub fn query_row<T, P: Params>(
        &self,
        sql: &str,
        params: P,
        f: impl FnOnce(&Row) -> Result<T>,
    ) -> Result<T> {
        let mut first = None;
        self.exec.query(sql, &params.values(), &mut |r| {
            first = Some(r.clone());
            Ok(false)
        })?;
        match first {
            Some(r) => f(&r),
            None => Err(StoreError::NoRows),
        }
    }

    /// Every row mapped by `f`.
    pub fn query_all<T, P: Params>(
        &self,
        sql: &str,
        params: P,
        mut f: impl FnMut(&Row) -> Result<T>,
    ) -> Result<Vec<T>> {
        let mut out = Vec::new();
        self.exec.query(sql, &params.values(), &mut |r| {
            out.push(f(r)?);
            Ok(true)
        })?;
        Ok(out)
    }

    /// Calls `f` for every row, without holding them all.
    pub fn query_each<P: Params>(
        &self,
        sql: &str,
        params: P,
        mut f: impl FnMut(&Row) -> Result<()>,
    ) -> Result<()> {
        self.exec.query(sql, &params.values(), &mut |r| {
            f(r)?;
            Ok(true)
        })
    }
}

impl<'c> Conn<'c> {
    /// A statement to run (possibly) several times; the backend caches the
    /// prepared form by its text.
    pub fn prepare_cached(&self, sql: &str) -> Result<Statement<'c>> {
        Ok(Statement {
            conn: *self,
            sql: sql.to_string(),
        })
    }

    pub fn prepare(&self, sql: &str) -> Result<Statement<'c>> {
        self.prepare_cached(sql)
    }
}

/// A statement bound to a connection.
pub struct Statement<'c> {
    conn: Conn<'c>,
    sql: String,
}

impl Statement<'_> {
    pub fn execute<P: Params>(&mut self, params: P) -> Result<usize> {
        self.conn.execute(&self.sql, params)
    }

    /// Every row mapped by `f` (read whole before the caller iterates, so
    /// that the loop body may use the connection).
    pub fn query_map<T, P: Params>(
        &mut self,
        params: P,
        mut f: impl FnMut(&Row) -> Result<T>,
    ) -> Result<std::vec::IntoIter<Result<T>>> {
        let mut out = Vec::new();
        self.conn
            .exec
            .query(&self.sql, &params.values(), &mut |r| {
                out.push(f(r));
                Ok(true)
            })?;
        Ok(out.into_iter())
    }

    pub fn query_row<T, P: Params>(
        &mut self,
        params: P,
        f: impl FnOnce(&Row) -> Result<T>,
    ) -> Result<T> {
        self.conn.query_row(&self.sql, params, f)
    }
}

/// `.optional()` on a single-row result: no row is `None`.
pub trait OptionalExtension<T> {
    fn optional(self) -> Result<Option<T>>;
}

impl<T> OptionalExtension<T> for Result<T> {
    fn optional(self) -> Result<Option<T>> {
        match self {
            Ok(v) => Ok(Some(v)),
            Err(StoreError::NoRows) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

/// `?1 … ?N` placeholders as PostgreSQL writes them (`$1 … $N`). The
/// statements of this crate have no `?` inside string literals.
pub fn numbered_placeholders(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '?' && chars.peek().is_some_and(|d| d.is_ascii_digit()) {
            out.push('$');
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_renumbered_for_postgres() {
        assert_eq!(
            numbered_placeholders("SELECT a FROM t WHERE b = ?1 AND c IN (?2, ?12)"),
            "SELECT a FROM t WHERE b = $1 AND c IN ($2, $12)"
        );
    }

    #[test]
    fn values_convert_both_ways() {
        assert_eq!(Some(5i64).to_value(), Value::Int(5));
        assert_eq!(None::<i64>.to_value(), Value::Null);
        assert_eq!(Option::<String>::from_value(&Value::Null), Ok(None));
        assert_eq!(bool::from_value(&Value::Int(1)), Ok(true));
        assert!(i64::from_value(&Value::Text("x".into())).is_err());
        let p: Vec<Value> = params![1i64, "a", None::<i64>, 2.5f64];
        assert_eq!(p.len(), 4);
    }
}
