//! The audit log's exports: JSON Lines (one event per line, every stored
//! field, the detail as JSON) and CSV (RFC 4180, with cells that a
//! spreadsheet would run as a formula prefixed by an apostrophe). Streamed
//! oldest first, a batch of rows per database round trip.

use actix_web::web::Bytes;
use futures_util::stream::{self, Stream};
use latchkey_store::audit::AuditEvent;
use latchkey_store::audit_query::{self, AuditFilter, Walk};
use latchkey_store::{Db, from_db};
use latchkey_web::error::WebError;

/// Rows per database round trip.
const BATCH: i64 = 500;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    JsonLines,
    Csv,
}

impl Format {
    pub fn from_extension(ext: &str) -> Option<Self> {
        match ext {
            "jsonl" => Some(Self::JsonLines),
            "csv" => Some(Self::Csv),
            _ => None,
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Self::JsonLines => "jsonl",
            Self::Csv => "csv",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Self::JsonLines => "application/jsonl; charset=utf-8",
            Self::Csv => "text/csv; charset=utf-8",
        }
    }
}

const CSV_HEADER: &str = "seq,id,occurred_at,kind,actor,subject,ip,detail,prev_hash,hash\r\n";

/// One event as a JSON object on one line.
pub fn json_line(e: &AuditEvent) -> String {
    let detail: serde_json::Value = serde_json::from_str(&e.detail)
        .unwrap_or_else(|_| serde_json::Value::String(e.detail.clone()));
    let mut line = serde_json::json!({
        "seq": e.seq,
        "id": e.id,
        "occurred_at": from_db(e.occurred_at).to_rfc3339(),
        "kind": e.kind,
        "actor": e.actor,
        "subject": e.subject,
        "ip": e.ip,
        "detail": detail,
        "prev_hash": hex::encode(&e.prev_hash),
        "hash": hex::encode(&e.hash),
    })
    .to_string();
    line.push('\n');
    line
}

/// A CSV cell: quoted when it holds a comma, a quote or a line break, and
/// prefixed with `'` when a spreadsheet would take it for a formula.
pub fn csv_cell(v: &str) -> String {
    let guarded = if v.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{v}")
    } else {
        v.to_owned()
    };
    if guarded.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", guarded.replace('"', "\"\""))
    } else {
        guarded
    }
}

/// One event as a CSV record.
pub fn csv_line(e: &AuditEvent) -> String {
    let cells = [
        e.seq.to_string(),
        e.id.clone(),
        from_db(e.occurred_at).to_rfc3339(),
        e.kind.clone(),
        e.actor.clone().unwrap_or_default(),
        e.subject.clone().unwrap_or_default(),
        e.ip.clone().unwrap_or_default(),
        e.detail.clone(),
        hex::encode(&e.prev_hash),
        hex::encode(&e.hash),
    ];
    let mut line = cells
        .iter()
        .map(|c| csv_cell(c))
        .collect::<Vec<_>>()
        .join(",");
    line.push_str("\r\n");
    line
}

struct Cursor {
    db: Db,
    filter: AuditFilter,
    format: Format,
    after: Option<i64>,
    header_sent: bool,
    done: bool,
}

/// The filtered range, oldest first, as a stream of byte chunks (one per
/// batch). A database failure ends the stream with an error, which cuts the
/// response short rather than sending a truncated file that looks whole.
pub fn export_stream(
    db: Db,
    filter: AuditFilter,
    format: Format,
) -> impl Stream<Item = Result<Bytes, WebError>> + 'static {
    let cursor = Cursor {
        db,
        filter,
        format,
        after: None,
        header_sent: false,
        done: false,
    };
    stream::try_unfold(cursor, |mut c| async move {
        if c.done {
            return Ok(None);
        }
        let mut out = String::new();
        if !c.header_sent {
            c.header_sent = true;
            if c.format == Format::Csv {
                out.push_str(CSV_HEADER);
            }
        }
        let (filter, after) = (c.filter.clone(), c.after);
        let rows =
            c.db.run(move |conn| audit_query::search(conn, &filter, Walk::After(after), BATCH))
                .await
                .map_err(WebError::from)?;
        if (rows.len() as i64) < BATCH {
            c.done = true;
        }
        c.after = rows.last().map(|e| e.seq).or(c.after);
        for e in &rows {
            out.push_str(&match c.format {
                Format::JsonLines => json_line(e),
                Format::Csv => csv_line(e),
            });
        }
        Ok(Some((Bytes::from(out), c)))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells_are_quoted_and_formulas_defused() {
        assert_eq!(csv_cell("plain"), "plain");
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
        assert_eq!(csv_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_cell("line\nbreak"), "\"line\nbreak\"");
        assert_eq!(csv_cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_cell("+1"), "'+1");
        assert_eq!(csv_cell("@sum"), "'@sum");
    }
}
