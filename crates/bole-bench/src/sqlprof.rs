//! Where the time goes, per SQL statement: a `tracing` layer that collects sqlx's own statement
//! log (`sqlx::query` events carry the statement and `elapsed_secs`) into counts and totals per
//! phase of a scenario. Off unless installed (`time_scenarios --profile-sql`): formatting every
//! statement costs time, so profiled runs are for reading, not for the results table.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::{Arc, Mutex};
use tracing::field::{Field, Visit};
use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{Layer, Registry};

#[derive(Default)]
struct Stat {
    count: u64,
    secs: f64,
    rows: u64,
}

#[derive(Default)]
struct Inner {
    phase: String,
    /// (phase, statement shape) → totals.
    stats: HashMap<(String, String), Stat>,
}

/// The collected statement timings. Cheap to clone; all clones share the figures.
#[derive(Clone, Default)]
pub struct SqlProfile(Arc<Mutex<Inner>>);

impl SqlProfile {
    /// Install as the global subscriber (once per process); statements are counted from now on.
    pub fn install() -> Result<SqlProfile, String> {
        let p = SqlProfile::default();
        let filter = Targets::new().with_target("sqlx::query", tracing::Level::TRACE);
        tracing_subscriber::registry().with(p.clone().with_filter(filter)).try_init().map_err(|e| e.to_string())?;
        Ok(p)
    }

    /// Statements from now on count under `phase`.
    pub fn phase(&self, phase: &str) {
        if let Ok(mut g) = self.0.lock() {
            g.phase = phase.to_string();
        }
    }

    /// The `top` statements of `phase` by total time, one line each: total seconds, count,
    /// mean milliseconds, rows, the statement's shape; `ops` (the phase's operations) turns the
    /// totals into statements and driver time per operation.
    pub fn report(&self, phase: &str, top: usize, ops: u64) -> String {
        let Ok(g) = self.0.lock() else { return String::new() };
        let mut rows: Vec<(&String, &Stat)> =
            g.stats.iter().filter(|((p, _), _)| p == phase).map(|((_, s), st)| (s, st)).collect();
        rows.sort_by(|a, b| b.1.secs.total_cmp(&a.1.secs));
        let total: f64 = rows.iter().map(|(_, s)| s.secs).sum();
        let count: u64 = rows.iter().map(|(_, s)| s.count).sum();
        let ops = ops.max(1);
        let mut out = format!(
            "  [{phase}] {count} statements, {total:.2} s in the database driver; per operation ({ops}): {:.1} statements, {:.2} ms\n",
            count as f64 / ops as f64,
            total * 1000.0 / ops as f64
        );
        for (sql, s) in rows.into_iter().take(top) {
            let _ = writeln!(
                out,
                "    {:>8.2} s {:>8} × {:>8.3} ms {:>10} rows  {sql}",
                s.secs,
                s.count,
                s.secs * 1000.0 / s.count.max(1) as f64,
                s.rows
            );
        }
        out
    }
}

/// One statement's shape: whitespace collapsed, placeholders and literal lists folded so the
/// same query with different batch sizes counts once.
pub fn shape(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len().min(200));
    let mut last_space = false;
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '$' {
            while chars.peek().is_some_and(char::is_ascii_digit) {
                chars.next();
            }
            // "$, $, $" → "$…"
            let kept = out.trim_end_matches([' ', ',']).len();
            if out[kept..].contains(',') && (out[..kept].ends_with('$') || out[..kept].ends_with("$…")) {
                out.truncate(kept);
                if !out.ends_with('…') {
                    out.push('…');
                }
                continue;
            }
            out.push('$');
            last_space = false;
            continue;
        }
        if c.is_whitespace() {
            if !last_space {
                out.push(' ');
            }
            last_space = true;
            continue;
        }
        last_space = false;
        out.push(c);
    }
    let folded = fold_values(out.trim());
    if folded.chars().count() > 160 { folded.chars().take(160).chain("…".chars()).collect() } else { folded }
}

/// "VALUES ($…), ($…), …" → "VALUES ($…) ×n".
fn fold_values(s: &str) -> String {
    let Some(at) = s.find("VALUES (") else { return s.to_string() };
    let (head, tail) = s.split_at(at + "VALUES ".len());
    let Some(end) = tail.find(')') else { return s.to_string() };
    let one = &tail[..=end];
    let mut rest = &tail[end + 1..];
    let mut n = 1;
    while let Some(r) = rest.strip_prefix(", ").or_else(|| rest.strip_prefix(',')) {
        if let Some(r2) = r.strip_prefix(one) {
            rest = r2;
            n += 1;
        } else {
            break;
        }
    }
    if n > 1 { format!("{head}{one} ×{n}{rest}") } else { s.to_string() }
}

#[derive(Default)]
struct Fields {
    summary: String,
    statement: String,
    secs: f64,
    rows: u64,
}

impl Visit for Fields {
    fn record_f64(&mut self, field: &Field, value: f64) {
        if field.name() == "elapsed_secs" {
            self.secs = value;
        }
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        if field.name() == "rows_returned" || field.name() == "rows_affected" {
            self.rows += value;
        }
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        match field.name() {
            "summary" => self.summary = value.to_string(),
            "db.statement" => self.statement = value.to_string(),
            _ => {}
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        match field.name() {
            "summary" => self.summary = format!("{value:?}").trim_matches('"').to_string(),
            "db.statement" => self.statement = format!("{value:?}"),
            _ => {}
        }
    }
}

impl Layer<Registry> for SqlProfile {
    fn on_event(&self, event: &tracing::Event<'_>, _ctx: Context<'_, Registry>) {
        if event.metadata().target() != "sqlx::query" {
            return;
        }
        let mut f = Fields::default();
        event.record(&mut f);
        let sql = if f.statement.trim().is_empty() { f.summary } else { f.statement.replace("\\n", " ") };
        let key = shape(&sql);
        if let Ok(mut g) = self.0.lock() {
            let phase = g.phase.clone();
            let s = g.stats.entry((phase, key)).or_default();
            s.count += 1;
            s.secs += f.secs;
            s.rows += f.rows;
        }
    }
}

/// Statement timings per phase when a scenario binary runs with `--profile-sql` (None: off).
pub struct Prof(pub Option<SqlProfile>);

impl Prof {
    pub fn start(&self, engine: &str, phase: &str) {
        if let Some(p) = &self.0 {
            p.phase(&format!("{engine}: {phase}"));
        }
    }

    pub fn end(&self, engine: &str, phase: &str, ops: u64) {
        if let Some(p) = &self.0 {
            let name = format!("{engine}: {phase}");
            eprint!("{}", p.report(&name, 12, ops));
            p.phase("");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_fold_placeholders_and_value_rows() {
        assert_eq!(
            shape("SELECT a FROM t\n   WHERE id IN ($1, $2, $3) AND d >= $4"),
            "SELECT a FROM t WHERE id IN ($…) AND d >= $"
        );
        assert_eq!(shape("INSERT INTO p (a, b) VALUES ($1, $2), ($3, $4), ($5, $6) ON CONFLICT DO NOTHING"), {
            "INSERT INTO p (a, b) VALUES ($…) ×3 ON CONFLICT DO NOTHING"
        });
        assert_eq!(shape("SELECT 1"), "SELECT 1");
        assert!(shape(&"x".repeat(500)).ends_with('…'));
    }
}
