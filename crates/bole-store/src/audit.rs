//! The audit trail on both engines: `audit_log` (the chained records),
//! `audit_head` (last seq and hash), `audit_checkpoints` and `audit_anchor`.
//!
//! Appending takes the head with a write first — `UPDATE audit_head SET seq = seq + n
//! … RETURNING seq, hash` — so on SQLite the transaction holds the database write lock
//! before it reads the head, and on PostgreSQL the row lock serialises appenders until
//! commit; the chain therefore never forks, whichever transaction an event rides in.
//! The price is that audited writes commit one at a time: call [`append_in_tx`] as the
//! last statement before commit to keep the lock short.
//!
//! Rows are decoded column by column rather than through `FromRow`: a row someone
//! altered in the database (text where a UUID was, an unknown outcome, broken JSON)
//! must reach verification as "unreadable", not abort it.

use crate::db::Tx;
use crate::{SqlStore, on_db, on_tx};
use async_trait::async_trait;
use bole_audit::chain::extend;
use bole_audit::{
    Anchor, AuditError, AuditFilter, AuditStore, ChainHash, ChainHead, ChainItem, Checkpoint, StoredRecord,
};
use bole_core::{AuditEvent, AuditLog, AuditUnavailable, Outcome, Page, PageRequest, UserId};
use chrono::{DateTime, Utc};
use sqlx::{AssertSqlSafe, QueryBuilder};
use uuid::Uuid;

/// Rows per multi-row INSERT (13 binds each, well under SQLite's 32766 variables).
const INSERT_BATCH: usize = 400;

const LOG_COLS: &str = "seq, at, actor_id, actor_name, ip, user_agent, action, subject_type, subject_ids, fields, outcome, prev_hash, hash";

/// Database errors reduced to their SQLSTATE (a message may quote row values); the cause is logged once here.
fn st(e: sqlx::Error) -> AuditError {
    tracing::error!(error = %e, "audit store failure");
    let what = match &e {
        sqlx::Error::Database(d) => d.code().map_or_else(|| "database error".into(), |c| format!("database error {c}")),
        other => other.to_string(),
    };
    AuditError::Storage(what)
}

fn corrupt(what: &str) -> sqlx::Error {
    sqlx::Error::Protocol(format!("audit trail: {what} does not decode"))
}

/// Append `events` to the chain inside the caller's transaction: they commit or roll back
/// with the write they describe. Events are linked in the order given; their instants are
/// truncated to microseconds (what both engines store, and what is hashed).
pub(crate) async fn append_in_tx(tx: &mut Tx, events: &[AuditEvent]) -> Result<(), sqlx::Error> {
    if events.is_empty() {
        return Ok(());
    }
    let n = i64::try_from(events.len()).map_err(|_| sqlx::Error::Protocol("too many audit events".into()))?;
    let (last, head_hash): (i64, String) = on_tx!(tx, c => {
        sqlx::query_as("UPDATE audit_head SET seq = seq + $1 WHERE id = 1 RETURNING seq, hash")
            .bind(n)
            .fetch_one(&mut *c)
            .await?
    });
    let prev = ChainHash::from_hex(&head_hash).ok_or_else(|| corrupt("audit_head.hash"))?;
    let records = extend(last - n, prev, events);
    for chunk in records.chunks(INSERT_BATCH) {
        let rows: Vec<_> = chunk
            .iter()
            .map(|r| {
                let e = &r.event;
                (
                    r.seq,
                    e.at,
                    e.actor_id.map(|a| a.0),
                    serde_json::to_string(&e.subject_ids).unwrap_or_else(|_| "[]".into()),
                    serde_json::to_string(&e.fields).unwrap_or_else(|_| "[]".into()),
                    r.prev_hash.to_hex(),
                    r.hash.to_hex(),
                    e,
                )
            })
            .collect();
        on_tx!(tx, c => {
            let mut qb = QueryBuilder::new(format!("INSERT INTO audit_log ({LOG_COLS}) "));
            qb.push_values(rows.iter(), |mut b, (seq, at, actor, subjects, fields, prev, hash, e)| {
                b.push_bind(*seq)
                    .push_bind(*at)
                    .push_bind(*actor)
                    .push_bind(e.actor_name.clone())
                    .push_bind(e.ip.clone())
                    .push_bind(e.user_agent.clone())
                    .push_bind(e.action.clone())
                    .push_bind(e.subject_type.clone())
                    .push_bind(subjects.clone())
                    .push_bind(fields.clone())
                    .push_bind(e.outcome.as_str())
                    .push_bind(prev.clone())
                    .push_bind(hash.clone());
            });
            qb.build().execute(&mut *c).await?;
        });
    }
    if let Some(tip) = records.last() {
        let hash = tip.hash.to_hex();
        on_tx!(tx, c => {
            sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1").bind(hash).execute(&mut *c).await?;
        });
    }
    Ok(())
}

/// Decode one `audit_log` row column by column: `Ok(None)` when it no longer decodes.
macro_rules! decode_record {
    ($row:expr) => {{
        use sqlx::Row as _;
        let row = $row;
        let seq: i64 = row.try_get("seq")?;
        let record = (|| -> Option<StoredRecord> {
            let at: DateTime<Utc> = row.try_get("at").ok()?;
            let actor_id: Option<Uuid> = row.try_get("actor_id").ok()?;
            let subject_ids: String = row.try_get("subject_ids").ok()?;
            let fields: String = row.try_get("fields").ok()?;
            let outcome: String = row.try_get("outcome").ok()?;
            let prev_hash: String = row.try_get("prev_hash").ok()?;
            let hash: String = row.try_get("hash").ok()?;
            Some(StoredRecord {
                seq,
                event: AuditEvent {
                    at,
                    actor_id: actor_id.map(UserId),
                    actor_name: row.try_get("actor_name").ok()?,
                    ip: row.try_get("ip").ok()?,
                    user_agent: row.try_get("user_agent").ok()?,
                    action: row.try_get("action").ok()?,
                    subject_type: row.try_get("subject_type").ok()?,
                    subject_ids: serde_json::from_str(&subject_ids).ok()?,
                    fields: serde_json::from_str(&fields).ok()?,
                    outcome: Outcome::parse(&outcome)?,
                },
                prev_hash: ChainHash::from_hex(&prev_hash)?,
                hash: ChainHash::from_hex(&hash)?,
            })
        })();
        (seq, record)
    }};
}

/// A bound value of a dynamically built WHERE clause.
enum Arg {
    Time(DateTime<Utc>),
    Id(Uuid),
    Text(String),
    Int(i64),
    /// An `integer` (PostgreSQL resolves `substr(text, int, int)` only with int4 arguments).
    Int4(i32),
}

/// Bind `args` in order onto a query built inside `on_db!`/`on_tx!`.
macro_rules! bind_all {
    ($q:expr, $args:expr) => {{
        let mut q = $q;
        for a in $args {
            q = match a {
                Arg::Time(t) => q.bind(*t),
                Arg::Id(u) => q.bind(*u),
                Arg::Text(s) => q.bind(s.clone()),
                Arg::Int(i) => q.bind(*i),
                Arg::Int4(i) => q.bind(*i),
            };
        }
        q
    }};
}

/// Escape LIKE's wildcards (`\` is declared the escape character).
fn like_escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}

/// `WHERE …` for a filter, with its arguments numbered from `$1`.
fn where_clause(f: &AuditFilter) -> (String, Vec<Arg>) {
    let mut conds: Vec<String> = Vec::new();
    let mut args = Vec::new();
    // `$?` becomes the number of the argument just pushed.
    fn push(conds: &mut Vec<String>, args: &mut Vec<Arg>, cond: &str, arg: Arg) {
        args.push(arg);
        conds.push(cond.replace("$?", &format!("${}", args.len())));
    }
    if let Some(t) = f.from {
        push(&mut conds, &mut args, "at >= $?", Arg::Time(bole_audit::chain::normalize_at(t)));
    }
    if let Some(t) = f.to {
        push(&mut conds, &mut args, "at < $?", Arg::Time(bole_audit::chain::normalize_at(t)));
    }
    if let Some(a) = f.actor_id {
        push(&mut conds, &mut args, "actor_id = $?", Arg::Id(a.0));
    }
    if let Some(p) = &f.action_prefix {
        // substr/length instead of LIKE: case-sensitive and wildcard-free on both engines.
        let n = i32::try_from(p.chars().count()).unwrap_or(i32::MAX);
        args.push(Arg::Int4(n));
        let cond = format!("substr(action, 1, ${}) = $?", args.len());
        push(&mut conds, &mut args, &cond, Arg::Text(p.clone()));
    }
    if let Some(s) = &f.subject_id {
        // subject_ids is a JSON array of strings: match the id as a whole JSON string.
        let quoted = serde_json::to_string(s).unwrap_or_default();
        let pattern = format!("%{}%", like_escape(&quoted));
        push(&mut conds, &mut args, "subject_ids LIKE $? ESCAPE '\\'", Arg::Text(pattern));
    }
    if let Some(o) = f.outcome {
        push(&mut conds, &mut args, "outcome = $?", Arg::Text(o.as_str().into()));
    }
    if let Some(u) = f.until_seq {
        push(&mut conds, &mut args, "seq <= $?", Arg::Int(u));
    }
    let sql = if conds.is_empty() { String::new() } else { format!(" WHERE {}", conds.join(" AND ")) };
    (sql, args)
}

/// Records of a search; an undecodable row fails it with the row's seq.
fn searched(rows: Vec<(i64, Option<StoredRecord>)>) -> Result<Vec<StoredRecord>, AuditError> {
    rows.into_iter().map(|(seq, r)| r.ok_or(AuditError::Unreadable { seq })).collect()
}

#[derive(sqlx::FromRow)]
struct CheckpointRow {
    seq: i64,
    hash: String,
    signature: String,
    public_key: String,
    created_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct AnchorRow {
    seq: i64,
    hash: String,
    signature: String,
    public_key: String,
    purged_before: DateTime<Utc>,
    created_at: DateTime<Utc>,
}

impl SqlStore {
    async fn search_rows(
        &self,
        filter: &AuditFilter,
        extra: Option<i64>,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<(i64, Option<StoredRecord>)>, sqlx::Error> {
        let (mut where_sql, mut args) = where_clause(filter);
        if let Some(before) = extra {
            args.push(Arg::Int(before));
            let cond = format!("seq < ${}", args.len());
            where_sql = if where_sql.is_empty() { format!(" WHERE {cond}") } else { format!("{where_sql} AND {cond}") };
        }
        let sql = format!(
            "SELECT {LOG_COLS} FROM audit_log{where_sql} ORDER BY seq DESC LIMIT ${} OFFSET ${}",
            args.len() + 1,
            args.len() + 2
        );
        Ok(on_db!(&self.db, p => {
            let q = bind_all!(sqlx::query(AssertSqlSafe(sql)), &args);
            let rows = q.bind(limit).bind(offset).fetch_all(p).await?;
            let mut out = Vec::with_capacity(rows.len());
            for row in &rows {
                out.push(decode_record!(row));
            }
            out
        }))
    }

    async fn count(&self, filter: &AuditFilter) -> Result<i64, sqlx::Error> {
        let (where_sql, args) = where_clause(filter);
        let sql = format!("SELECT COUNT(*) FROM audit_log{where_sql}");
        Ok(on_db!(&self.db, p => {
            let q = bind_all!(sqlx::query_scalar::<_, i64>(AssertSqlSafe(sql)), &args);
            q.fetch_one(p).await?
        }))
    }

    async fn purge_tx(&self, anchor: &Anchor, event: &AuditEvent) -> Result<Result<u64, AuditError>, sqlx::Error> {
        let mut tx = self.db.begin().await?;
        // Take the chain lock first, as appenders do, so nothing moves under the checks.
        on_tx!(&mut tx, c => {
            sqlx::query("UPDATE audit_head SET seq = seq WHERE id = 1").execute(&mut *c).await?;
        });
        let stored: Option<String> = on_tx!(&mut tx, c => {
            sqlx::query_scalar("SELECT hash FROM audit_log WHERE seq = $1").bind(anchor.seq).fetch_optional(&mut *c).await?
        });
        if stored.as_deref().and_then(ChainHash::from_hex) != Some(anchor.hash) {
            return Ok(Err(AuditError::Concurrent));
        }
        let purged = on_tx!(&mut tx, c => {
            let n = sqlx::query("DELETE FROM audit_log WHERE seq <= $1").bind(anchor.seq).execute(&mut *c).await?.rows_affected();
            sqlx::query("DELETE FROM audit_checkpoints WHERE seq <= $1").bind(anchor.seq).execute(&mut *c).await?;
            sqlx::query("DELETE FROM audit_anchor").execute(&mut *c).await?;
            sqlx::query("INSERT INTO audit_anchor (id, seq, hash, signature, public_key, purged_before, created_at) VALUES (1, $1, $2, $3, $4, $5, $6)")
                .bind(anchor.seq)
                .bind(anchor.hash.to_hex())
                .bind(anchor.signature.clone())
                .bind(anchor.public_key.clone())
                .bind(anchor.purged_before)
                .bind(anchor.created_at)
                .execute(&mut *c)
                .await?;
            n
        });
        append_in_tx(&mut tx, std::slice::from_ref(event)).await?;
        tx.commit().await?;
        Ok(Ok(purged))
    }
}

#[async_trait]
impl AuditLog for SqlStore {
    async fn append(&self, events: &[AuditEvent]) -> Result<(), AuditUnavailable> {
        let run = async {
            let mut tx = self.db.begin().await?;
            append_in_tx(&mut tx, events).await?;
            tx.commit().await
        };
        run.await.map_err(|e| {
            tracing::error!(error = %e, "audit append failed");
            AuditUnavailable(match &e {
                sqlx::Error::Database(d) => {
                    d.code().map_or_else(|| "database error".into(), |c| format!("database error {c}"))
                }
                other => other.to_string(),
            })
        })
    }
}

#[async_trait]
impl AuditStore for SqlStore {
    async fn search(&self, filter: &AuditFilter, page: PageRequest) -> Result<Page<StoredRecord>, AuditError> {
        let total = self.count(filter).await.map_err(st)?;
        let rows = self.search_rows(filter, None, page.limit(), page.offset()).await.map_err(st)?;
        Ok(Page {
            items: searched(rows)?,
            total: u64::try_from(total).unwrap_or(0),
            page: page.page,
            per_page: page.per_page,
        })
    }

    async fn search_before(
        &self,
        filter: &AuditFilter,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<StoredRecord>, AuditError> {
        let rows = self.search_rows(filter, before, i64::from(limit), 0).await.map_err(st)?;
        searched(rows)
    }

    async fn chain_batch(&self, after: i64, upto: i64, limit: u32) -> Result<Vec<ChainItem>, AuditError> {
        let sql = format!("SELECT {LOG_COLS} FROM audit_log WHERE seq > $1 AND seq <= $2 ORDER BY seq LIMIT $3");
        let rows: Vec<(i64, Option<StoredRecord>)> = on_db!(&self.db, p => {
            let rows = sqlx::query(AssertSqlSafe(sql)).bind(after).bind(upto).bind(i64::from(limit)).fetch_all(p).await.map_err(st)?;
            let mut out = Vec::with_capacity(rows.len());
            for row in &rows {
                let decoded: Result<_, sqlx::Error> = (|| Ok(decode_record!(row)))();
                out.push(decoded.map_err(st)?);
            }
            out
        });
        Ok(rows
            .into_iter()
            .map(|(seq, r)| match r {
                Some(r) => ChainItem::Record(r),
                None => ChainItem::Unreadable { seq },
            })
            .collect())
    }

    async fn first_seq_after(&self, after: i64) -> Result<Option<i64>, AuditError> {
        on_db!(&self.db, p => {
            sqlx::query_scalar::<_, Option<i64>>("SELECT MIN(seq) FROM audit_log WHERE seq > $1").bind(after).fetch_one(p).await
        })
        .map_err(st)
    }

    async fn head(&self) -> Result<ChainHead, AuditError> {
        let (seq, hash): (i64, String) = on_db!(&self.db, p => {
            sqlx::query_as("SELECT seq, hash FROM audit_head WHERE id = 1").fetch_one(p).await
        })
        .map_err(st)?;
        let hash = ChainHash::from_hex(&hash).ok_or_else(|| st(corrupt("audit_head.hash")))?;
        Ok(ChainHead { seq, hash })
    }

    async fn record_hash(&self, seq: i64) -> Result<Option<ChainHash>, AuditError> {
        let hash: Option<String> = on_db!(&self.db, p => {
            sqlx::query_scalar("SELECT hash FROM audit_log WHERE seq = $1").bind(seq).fetch_optional(p).await
        })
        .map_err(st)?;
        Ok(hash.as_deref().and_then(ChainHash::from_hex))
    }

    async fn anchor(&self) -> Result<Option<Anchor>, AuditError> {
        let row: Option<AnchorRow> = on_db!(&self.db, p => {
            sqlx::query_as("SELECT seq, hash, signature, public_key, purged_before, created_at FROM audit_anchor WHERE id = 1")
                .fetch_optional(p)
                .await
        })
        .map_err(st)?;
        let Some(r) = row else { return Ok(None) };
        // An anchor whose hash does not decode cannot be trusted: an all-zero hash with the
        // stored signature fails signature verification, which names it.
        let hash = ChainHash::from_hex(&r.hash).unwrap_or(ChainHash([0; 32]));
        Ok(Some(Anchor {
            seq: r.seq,
            hash,
            signature: r.signature,
            public_key: r.public_key,
            purged_before: r.purged_before,
            created_at: r.created_at,
        }))
    }

    async fn checkpoints(&self) -> Result<Vec<Checkpoint>, AuditError> {
        let rows: Vec<CheckpointRow> = on_db!(&self.db, p => {
            sqlx::query_as("SELECT seq, hash, signature, public_key, created_at FROM audit_checkpoints ORDER BY seq")
                .fetch_all(p)
                .await
        })
        .map_err(st)?;
        Ok(rows
            .into_iter()
            .map(|r| Checkpoint {
                seq: r.seq,
                // As for the anchor: an undecodable hash fails the signature check.
                hash: ChainHash::from_hex(&r.hash).unwrap_or(ChainHash([0; 32])),
                signature: r.signature,
                public_key: r.public_key,
                created_at: r.created_at,
            })
            .collect())
    }

    async fn insert_checkpoint(&self, cp: &Checkpoint) -> Result<(), AuditError> {
        on_db!(&self.db, p => {
            sqlx::query("INSERT INTO audit_checkpoints (seq, hash, signature, public_key, created_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (seq) DO NOTHING")
                .bind(cp.seq)
                .bind(cp.hash.to_hex())
                .bind(cp.signature.clone())
                .bind(cp.public_key.clone())
                .bind(cp.created_at)
                .execute(p)
                .await
                .map(|_| ())
        })
        .map_err(st)
    }

    async fn purge_boundary(&self, before: DateTime<Utc>) -> Result<Option<(i64, ChainHash)>, AuditError> {
        let before = bole_audit::chain::normalize_at(before);
        let (first, last, first_young): (Option<i64>, Option<i64>, Option<i64>) = on_db!(&self.db, p => {
            sqlx::query_as("SELECT MIN(seq), MAX(seq), (SELECT MIN(seq) FROM audit_log WHERE at >= $1) FROM audit_log")
                .bind(before)
                .fetch_one(p)
                .await
        })
        .map_err(st)?;
        let (Some(first), Some(last)) = (first, last) else { return Ok(None) };
        let boundary = first_young.map_or(last, |y| y - 1);
        if boundary < first {
            return Ok(None);
        }
        match self.record_hash(boundary).await? {
            Some(hash) => Ok(Some((boundary, hash))),
            None => Err(AuditError::Unreadable { seq: boundary }),
        }
    }

    async fn purge(&self, anchor: &Anchor, event: &AuditEvent) -> Result<u64, AuditError> {
        self.purge_tx(anchor, event).await.map_err(st)?
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_number_their_placeholders_in_bind_order() {
        let f = AuditFilter {
            from: Some(DateTime::from_timestamp(0, 0).unwrap()),
            action_prefix: Some("employee.".into()),
            subject_id: Some("50%_off".into()),
            until_seq: Some(9),
            ..AuditFilter::default()
        };
        let (sql, args) = where_clause(&f);
        assert_eq!(
            sql,
            " WHERE at >= $1 AND substr(action, 1, $2) = $3 AND subject_ids LIKE $4 ESCAPE '\\' AND seq <= $5"
        );
        assert_eq!(args.len(), 5);
        assert!(matches!(&args[3], Arg::Text(t) if t == "%\"50\\%\\_off\"%"));
        assert_eq!(where_clause(&AuditFilter::default()).0, "");
    }

    fn event(action: &str) -> AuditEvent {
        bole_core::Actor::system().audit(
            DateTime::from_timestamp(1_790_000_000, 123_456_789).unwrap(),
            action,
            "employee",
        )
    }

    async fn head(db: &crate::Db) -> (i64, String) {
        on_db!(db, p => sqlx::query_as("SELECT seq, hash FROM audit_head").fetch_one(p).await.unwrap())
    }

    #[tokio::test]
    async fn an_append_commits_or_rolls_back_with_its_transaction() {
        let db = crate::Db::connect("sqlite::memory:").await.unwrap();
        crate::migrate::migrate(&db).await.unwrap();
        assert_eq!(head(&db).await, (0, bole_audit::GENESIS_HEX.to_string()));

        let mut tx = db.begin().await.unwrap();
        append_in_tx(&mut tx, &[event("employee.onboard")]).await.unwrap();
        drop(tx);
        assert_eq!(head(&db).await.0, 0, "rolled back with the write it described");

        let mut tx = db.begin().await.unwrap();
        append_in_tx(&mut tx, &[]).await.unwrap();
        append_in_tx(&mut tx, &[event("employee.onboard"), event("employee.update")]).await.unwrap();
        append_in_tx(&mut tx, &[event("contract.create")]).await.unwrap();
        tx.commit().await.unwrap();
        let (seq, hash) = head(&db).await;
        assert_eq!(seq, 3);
        let rows: Vec<(i64, String, String, DateTime<Utc>)> = on_db!(&db, p => {
            sqlx::query_as("SELECT seq, prev_hash, hash, at FROM audit_log ORDER BY seq").fetch_all(p).await.unwrap()
        });
        assert_eq!(rows[0].1, bole_audit::GENESIS_HEX);
        assert_eq!(rows[1].1, rows[0].2);
        assert_eq!(rows[2].1, rows[1].2);
        assert_eq!(rows[2].2, hash);
        assert_eq!(rows[0].3.timestamp_subsec_nanos(), 123_456_000, "stored at microsecond precision");
    }

    #[test]
    fn the_migration_seeds_the_genesis_hash() {
        for m in crate::migrate::MIGRATIONS.iter().filter(|m| m.stem.ends_with("_audit")) {
            assert!(m.sqlite.contains(bole_audit::GENESIS_HEX), "{}", m.stem);
            assert!(m.postgres.contains(bole_audit::GENESIS_HEX), "{}", m.stem);
        }
    }
}
