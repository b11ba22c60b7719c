//! The audit in the system journal: each committed record, once, as a journal entry of its own
//! with the chain's fields (`SLATE_SEQ`, `SLATE_EVENT`, `SLATE_REASON`, `SLATE_TERMINAL`,
//! `SLATE_MAC`, …), so `journalctl SLATE_EVENT=wipe_failed` finds the wipes that failed and
//! every entry is also an anchor (`journalctl -t slate -o json > anchors.json`, then `slatectl
//! audit verify --anchors-from anchors.json`). This module owns the entry (journald's native
//! protocol, which is also its export format, one entry per datagram) and one send; the store
//! keeps how far the journal has been sent (`forward_cursor`, destination `journal`), and the
//! session service sends whenever the database is written, as it does to a collector.
//!
//! Written by hand rather than with a crate: the crates that speak the protocol send only to
//! journald's fixed socket and say nothing when a send fails, and an audit needs both a socket
//! a test can name and a failure it can count. An entry is a few hundred bytes, well under a
//! datagram's limit (journald's own file-descriptor path for large entries is not needed).

use std::io::ErrorKind;
use std::os::unix::net::UnixDatagram;
use std::path::Path;
use std::time::Duration;

use crate::audit::AuditRecord;

/// journald's socket for native entries.
pub const SOCKET: &str = "/run/systemd/journal/socket";

/// The journal's name in the `forward_cursor` table (a collector's is `host:port`).
pub const DESTINATION: &str = "journal";

/// The `SYSLOG_IDENTIFIER` of the entries: the one Slate's programs log with, so `journalctl -t
/// slate` shows the audit beside the service's log.
pub const IDENTIFIER: &str = "slate";

/// The longest one send may wait for journald to make room.
pub const SEND_TIMEOUT: Duration = Duration::from_secs(2);

/// Whether an event is a failure: a warning (4) in the journal and in syslog, otherwise a
/// notice (5).
pub fn is_warning(event: &str) -> bool {
    matches!(
        event,
        "sign_in_failed" | "wipe_failed" | "policy_problem" | "source_unavailable"
    )
}

/// The ending's or refusal's reason in a record's details, if it has one.
pub fn reason(r: &AuditRecord) -> Option<String> {
    serde_json::from_str::<serde_json::Value>(&r.details)
        .ok()
        .and_then(|d| d.get("reason").and_then(|v| v.as_str()).map(str::to_owned))
}

/// The record's own time with its offset (RFC 3339, microseconds), as it was written.
pub fn local_time(r: &AuditRecord) -> Option<String> {
    let t = chrono::DateTime::parse_from_rfc3339(&r.at).ok()?;
    let offset = chrono::FixedOffset::east_opt(i32::try_from(r.utc_offset_secs).ok()?)?;
    Some(
        t.with_timezone(&offset)
            .to_rfc3339_opts(chrono::SecondsFormat::Micros, false),
    )
}

/// The record's fields, in the order they are sent: the journal's own (`MESSAGE`, `PRIORITY`,
/// `SYSLOG_IDENTIFIER`, `SYSLOG_FACILITY` authpriv), then Slate's. A field the record does not
/// have is left out.
pub fn fields(r: &AuditRecord) -> Vec<(&'static str, String)> {
    let reason = reason(r);
    let mut message = format!("audit record {}: {}", r.seq, r.event);
    for part in [r.username.as_deref(), reason.as_deref()]
        .into_iter()
        .flatten()
    {
        message.push_str(", ");
        message.push_str(part);
    }
    let mut out = vec![
        ("MESSAGE", message),
        (
            "PRIORITY",
            if is_warning(&r.event) { "4" } else { "5" }.to_owned(),
        ),
        ("SYSLOG_IDENTIFIER", IDENTIFIER.to_owned()),
        ("SYSLOG_FACILITY", "10".to_owned()),
        ("SLATE_SEQ", r.seq.to_string()),
        ("SLATE_EVENT", r.event.clone()),
        ("SLATE_TERMINAL", r.terminal.clone()),
        ("SLATE_MAC", r.mac.clone()),
    ];
    if let Some(at) = local_time(r) {
        out.push(("SLATE_AT", at));
    }
    for (name, value) in [
        ("SLATE_USER", r.username.clone()),
        ("SLATE_SESSION", r.session_id.clone()),
        ("SLATE_REASON", reason),
        ("SLATE_DURATION_MS", r.duration_ms.map(|ms| ms.to_string())),
    ] {
        if let Some(v) = value {
            out.push((name, v));
        }
    }
    out.push(("SLATE_DETAILS", r.details.clone()));
    out
}

/// The record as one entry of journald's native protocol: `NAME=value\n` for each field, or,
/// for a value with a newline in it, `NAME\n`, its length as 64-bit little-endian, the value
/// and `\n`. Followed by an empty line it is also an entry of the journal's export format.
pub fn entry(r: &AuditRecord) -> Vec<u8> {
    let mut out = Vec::with_capacity(512);
    for (name, value) in fields(r) {
        out.extend_from_slice(name.as_bytes());
        if value.contains('\n') {
            out.push(b'\n');
            out.extend_from_slice(&(value.len() as u64).to_le_bytes());
        } else {
            out.push(b'=');
        }
        out.extend_from_slice(value.as_bytes());
        out.push(b'\n');
    }
    out
}

/// What one send found.
#[derive(Debug)]
pub enum Sent {
    /// journald has the entry.
    Delivered,
    /// No journal runs here (its socket is missing or nobody is behind it): nothing to send to.
    NoJournal,
    /// journald did not take it, for this reason (its queue full, say); try again later.
    Failed(String),
}

/// Sends one entry to the journal's socket at `socket`.
pub fn send(socket: &Path, entry: &[u8]) -> Sent {
    let attempt = UnixDatagram::unbound().and_then(|s| {
        s.set_write_timeout(Some(SEND_TIMEOUT))?;
        s.send_to(entry, socket)
    });
    match attempt {
        Ok(_) => Sent::Delivered,
        Err(e)
            if matches!(
                e.kind(),
                ErrorKind::NotFound | ErrorKind::ConnectionRefused | ErrorKind::PermissionDenied
            ) =>
        {
            Sent::NoJournal
        }
        Err(e) => Sent::Failed(format!(
            "the journal did not take the record ({})",
            crate::io_words::reason(&e)
        )),
    }
}

/// Whether a journal listens at `socket` (a socket connects to it; nothing is sent).
pub fn running(socket: &Path) -> bool {
    UnixDatagram::unbound().is_ok_and(|s| s.connect(socket).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record() -> AuditRecord {
        crate::audit::sample_record("Front desk")
    }

    #[test]
    fn a_record_is_one_native_entry_with_its_chain_in_slate_fields() {
        let text = String::from_utf8(entry(&record())).unwrap();
        assert_eq!(
            text,
            format!(
                "MESSAGE=audit record 7: sign_out, zoë, idle\nPRIORITY=5\n\
                 SYSLOG_IDENTIFIER=slate\nSYSLOG_FACILITY=10\nSLATE_SEQ=7\n\
                 SLATE_EVENT=sign_out\nSLATE_TERMINAL=Front desk\nSLATE_MAC={}\n\
                 SLATE_AT=2026-12-06T09:00:00.000000+01:00\nSLATE_USER=zoë\n\
                 SLATE_SESSION=ab\nSLATE_REASON=idle\nSLATE_DURATION_MS=1500\n\
                 SLATE_DETAILS={{\"reason\":\"idle\"}}\n",
                "f".repeat(64)
            )
        );
    }

    #[test]
    fn a_value_with_a_newline_is_sent_with_its_length() {
        let r = AuditRecord {
            terminal: "two\nlines".into(),
            username: None,
            session_id: None,
            duration_ms: None,
            details: "{}".into(),
            event: "wipe_failed".into(),
            ..record()
        };
        let e = entry(&r);
        let at = e
            .windows(b"SLATE_TERMINAL\n".len())
            .position(|w| w == b"SLATE_TERMINAL\n")
            .unwrap()
            + b"SLATE_TERMINAL\n".len();
        assert_eq!(e[at..at + 8], 9u64.to_le_bytes());
        assert_eq!(&e[at + 8..at + 18], b"two\nlines\n");
        let text = String::from_utf8_lossy(&e);
        assert!(text.contains("PRIORITY=4\n"), "a failure is a warning");
        assert!(!text.contains("SLATE_USER"), "no user, no field");
    }

    #[test]
    fn no_journal_is_not_a_failure() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(
            send(&dir.path().join("socket"), b"MESSAGE=x\n"),
            Sent::NoJournal
        ));
        let listening = UnixDatagram::bind(dir.path().join("socket")).unwrap();
        assert!(matches!(
            send(&dir.path().join("socket"), b"MESSAGE=x\n"),
            Sent::Delivered
        ));
        let mut got = [0u8; 64];
        let n = listening.recv(&mut got).unwrap();
        assert_eq!(&got[..n], b"MESSAGE=x\n");
    }
}
