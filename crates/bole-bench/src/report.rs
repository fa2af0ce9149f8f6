//! The results table: one row per scenario and engine, with the target and a
//! PASS/MISS verdict (or `n/a` when a scenario could not run).

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    Pass,
    Miss,
    /// Not measured, with the reason.
    NotRun(String),
}

#[derive(Clone, Debug)]
pub struct Row {
    pub scenario: String,
    pub engine: String,
    pub target: String,
    pub result: String,
    pub verdict: Verdict,
}

impl Row {
    pub fn new(
        scenario: impl Into<String>,
        engine: &str,
        target: impl Into<String>,
        result: impl Into<String>,
        pass: bool,
    ) -> Row {
        Row {
            scenario: scenario.into(),
            engine: engine.to_string(),
            target: target.into(),
            result: result.into(),
            verdict: if pass { Verdict::Pass } else { Verdict::Miss },
        }
    }

    pub fn not_run(
        scenario: impl Into<String>,
        engine: &str,
        target: impl Into<String>,
        why: impl Into<String>,
    ) -> Row {
        Row {
            scenario: scenario.into(),
            engine: engine.to_string(),
            target: target.into(),
            result: String::new(),
            verdict: Verdict::NotRun(why.into()),
        }
    }
}

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// A Markdown table of the rows, preceded by a heading line with the context.
pub fn markdown(context: &str, rows: &[Row]) -> String {
    let mut out = format!("{context}\n\n| scenario | engine | target | result | verdict |\n|---|---|---|---|---|\n");
    for r in rows {
        let (result, verdict) = match &r.verdict {
            Verdict::Pass => (r.result.clone(), "PASS".to_string()),
            Verdict::Miss => (r.result.clone(), "**MISS**".to_string()),
            Verdict::NotRun(why) => (format!("not run: {why}"), "n/a".to_string()),
        };
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} |\n",
            cell(&r.scenario),
            cell(&r.engine),
            cell(&r.target),
            cell(&result),
            verdict
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_has_one_line_per_row_and_escapes_pipes() {
        let rows = vec![
            Row::new("1. import", "SQLite", "≥ 5,000 rows/s", "12,000 rows/s", true),
            Row::new("2. headcount", "SQLite", "p95 ≤ 200 ms", "a|b", false),
            Row::not_run("3. list API", "PostgreSQL", "≥ 1,000 req/s", "no server"),
        ];
        let md = markdown("ctx", &rows);
        assert!(md.starts_with("ctx\n\n| scenario |"));
        assert_eq!(md.lines().filter(|l| l.starts_with("| ")).count(), 4);
        assert!(md.contains("| 12,000 rows/s | PASS |"));
        assert!(md.contains("a\\|b | **MISS** |"));
        assert!(md.contains("not run: no server | n/a |"));
    }
}
