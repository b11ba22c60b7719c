//! `slatectl audit …`: verifying the tamper-evident log (against an anchor, or every record a
//! collector or the journal kept) and printing its anchor, listing, exporting and pruning its
//! records, and how far its forwarding to a syslog collector and the journal is behind.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::PathBuf;

use serde_json::json;
use slate_core::audit::{AuditError, AuditFilter, AuditRecord};
use slate_core::exit;
use slate_core::kiosk::KioskError;
use slate_core::phrase::count;
use slate_core::Kiosk;

use crate::cli::{AuditCommand, ExportFormat, ForwardCommand};
use crate::output::{self, failed, invalid, Failure};

/// A failed verification: a broken chain and a bad anchor have their own exit codes.
fn verify_failure(e: KioskError) -> Failure {
    match e {
        KioskError::Audit(AuditError::Broken { .. }) => {
            Failure::new(e.to_string(), exit::AUDIT_BROKEN)
        }
        KioskError::Audit(AuditError::BadAnchor(_)) => Failure::new(e.to_string(), exit::USAGE),
        other => Failure::from(other),
    }
}

/// `audit verify --room`: the room's copy of this terminal's chain, with this terminal's key.
fn verify_room(kiosk: &Kiosk, json: bool) -> Result<(), Failure> {
    let report = kiosk.room_audit_verify().map_err(verify_failure)?;
    // How far the copy is behind this terminal's own log (records not sent yet).
    let sent = report
        .head
        .as_deref()
        .and_then(|h| h.split_once(':'))
        .and_then(|(seq, _)| seq.parse::<i64>().ok())
        .unwrap_or(0);
    let head = kiosk.audit_head()?.map_or(0, |r| r.seq);
    let behind = u64::try_from(head - sent).unwrap_or(0);
    let mut text = format!(
        "The room's copy of this terminal's audit log is intact: {}.",
        count(report.records, "record", "records")
    );
    if behind > 0 {
        text = format!(
            "{text} This terminal has {} more, not sent yet (the session service sends them).",
            count(behind, "record", "records")
        );
    }
    output::answer(
        json,
        &serde_json::json!({ "records": report.records, "head": report.head, "behind": behind }),
        &text,
    );
    Ok(())
}

pub fn run(kiosk: &Kiosk, cmd: AuditCommand, json: bool) -> Result<(), Failure> {
    match cmd {
        AuditCommand::Verify {
            anchor,
            anchors_from,
            anchors,
            room,
        } => {
            if room {
                return verify_room(kiosk, json);
            }
            if anchors_from.is_some() || !anchors.is_empty() {
                return verify_against(kiosk, &anchors, json);
            }
            let report = kiosk
                .audit_verify(anchor.as_deref())
                .map_err(verify_failure)?;
            output::answer(
                json,
                &report,
                &format!(
                    "The audit log is intact: {}.",
                    count(report.records, "record", "records")
                ),
            );
        }
        AuditCommand::Forward(ForwardCommand::Status) => {
            let s = kiosk.forward_status()?;
            let mut text = match &s.destination {
                None => "The audit is not forwarded to a collector (audit_forward_url is empty)."
                    .to_owned(),
                Some(to) => {
                    let mut text = format!(
                        "Forwarded to {to}: it has the records up to {} of {} ({} behind).",
                        s.sent_seq, s.head_seq, s.behind
                    );
                    if let Some(at) = &s.sent_at {
                        let _ = write!(text, "\nLast delivered at {at}.");
                    }
                    if let (Some(why), Some(at)) = (&s.error, &s.error_at) {
                        let _ = write!(
                            text,
                            "\nThe last try failed at {at}: {why}. The records wait and are sent, in order, when the collector answers."
                        );
                    }
                    text
                }
            };
            text.push('\n');
            text.push_str(&journal_line(s.journal.as_ref()));
            output::answer(json, &s, &text);
        }
        AuditCommand::Anchor => {
            let report = kiosk.audit_verify(None).map_err(verify_failure)?;
            let head = report
                .head
                .unwrap_or_else(|| "0:".to_owned() + &"0".repeat(64));
            output::answer(json, &json!({ "anchor": head }), &head);
        }
        AuditCommand::List {
            user,
            event,
            reason,
            since,
            until,
            limit,
        } => {
            let rows = kiosk.audit_list(&AuditFilter {
                username: user,
                event: event.map(|e| e.as_str().to_owned()),
                reason,
                since: time_bound("since", since)?,
                until: time_bound("until", until)?,
                limit,
                before_seq: None,
            })?;
            output::audit_records(json, &rows);
        }
        AuditCommand::Export {
            format,
            after_seq,
            output,
        } => export(kiosk, format, after_seq, output)?,
        AuditCommand::Prune => {
            let (n, sessions) = kiosk.prune_audit()?;
            output::answer(
                json,
                &json!({ "removed": n, "sessions_removed": sessions }),
                &format!(
                    "Removed {} and {} past their retention.",
                    count(n, "audit record", "audit records"),
                    count(sessions, "session row", "session rows")
                ),
            );
        }
    }
    Ok(())
}

/// The value of `--since`/`--until` as the filter takes it.
fn time_bound(flag: &str, v: Option<String>) -> Result<Option<String>, Failure> {
    v.map(|t| {
        slate_core::audit::time_bound(&t).ok_or_else(|| {
            invalid(&format!(
                "--{flag} must be a date (2026-11-21) or an RFC 3339 time, not {t:?}."
            ))
        })
    })
    .transpose()
}

/// `audit verify --anchors-from FILE`: the chain, then every anchor the collector kept.
fn verify_against(kiosk: &Kiosk, anchors: &[(i64, String)], json: bool) -> Result<(), Failure> {
    if anchors.is_empty() {
        return Err(invalid(
            "The file holds no anchor: no line with a forwarded record's seq and mac, no journal entry with SLATE_SEQ and SLATE_MAC, nor SEQ:MAC.",
        ));
    }
    let (report, checked, pruned) = kiosk
        .audit_verify_anchors(anchors)
        .map_err(verify_failure)?;
    let mut text = format!(
        "The audit log is intact: {}, and agrees with {} the file kept.",
        count(report.records, "record", "records"),
        count(checked, "record", "records")
    );
    if pruned > 0 {
        let _ = write!(
            text,
            " {} older than the log keeps were not compared.",
            count(pruned, "record", "records")
        );
    }
    output::answer(
        json,
        &json!({ "records": report.records, "head": report.head, "anchors_checked": checked, "anchors_pruned": pruned }),
        &text,
    );
    Ok(())
}

/// Writes every record after `after_seq` (0: all), oldest first, as JSON lines or CSV.
fn export(
    kiosk: &Kiosk,
    format: ExportFormat,
    after_seq: i64,
    output: Option<PathBuf>,
) -> Result<(), Failure> {
    let mut out: Box<dyn std::io::Write> = match &output {
        Some(path) => Box::new(
            std::fs::File::create(path)
                .map_err(|e| failed(format!("Cannot write {}: {e}.", path.display())))?,
        ),
        // Buffered: through the service, each write is a message.
        None => Box::new(std::io::BufWriter::with_capacity(64 * 1024, output::Stdout)),
    };
    let mut failed_with = None;
    if let Some(header) = output::export_header(format) {
        let _ = writeln!(out, "{header}");
    }
    let n = kiosk.audit_all(after_seq, |r: AuditRecord| {
        if failed_with.is_none() {
            if let Err(e) = writeln!(out, "{}", output::export_line(format, &r)) {
                failed_with = Some(e.to_string());
            }
        }
    })?;
    if let Err(e) = out.flush() {
        failed_with.get_or_insert(e.to_string());
    }
    if let Some(e) = failed_with {
        return Err(failed(format!("The export failed: {e}.")));
    }
    if let Some(path) = output {
        output::note(&format!(
            "Exported {} to {}.",
            count(n, "record", "records"),
            path.display()
        ));
    }
    Ok(())
}

/// What `audit forward status` says of the system journal.
fn journal_line(journal: Option<&slate_core::forward::JournalStatus>) -> String {
    match journal {
        None => "The system journal does not get the audit (audit_journal is off).".to_owned(),
        Some(j) if !j.running => {
            "Each record would also go to the system journal, but no journal runs here.".to_owned()
        }
        Some(j) => {
            let mut text = format!(
                "The system journal has the records up to {} ({} behind).",
                j.sent_seq, j.behind
            );
            if let (Some(why), Some(at)) = (&j.error, &j.error_at) {
                let _ = write!(text, "\nIts last send failed at {at}: {why}.");
            }
            text
        }
    }
}
