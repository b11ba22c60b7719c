//! The audit off the machine as it happens: each committed record is sent to a syslog collector
//! (rsyslog, syslog-ng, a SIEM) as an RFC 5424 message over TLS (RFC 5425, octet-counted
//! frames), its chain fields in structured data (`[slate@32473 seq="…" event="…" mac="…" …]`),
//! so every record the collector keeps is also an anchor (`slatectl audit verify
//! --anchors-from`). This module owns the message, the frame and one delivery; the store keeps
//! how far each destination has been sent (`forward_cursor`), and the session service sends
//! whenever the database is written (it watches the folder: nothing is polled).
//!
//! **Delivered, once.** A batch is sent on a connection of its own, then TLS's `close_notify`;
//! it counts as delivered only when the collector has read to that end and closed the
//! connection (syslog over TLS has no acknowledgement of its own; this is one). Otherwise the
//! same records are sent again later, in order, and the cursor moves only past records
//! delivered. A collector that is down never blocks a sign-in or an ending: the records wait in
//! the audit log, and `slatectl audit forward status` says how far behind it is.

use std::fmt::Write as _;
use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

use crate::audit::AuditRecord;
use crate::journal;

/// Structured data's id: `slate` at the example private enterprise number of RFC 5612, until
/// Slate has one of its own.
pub const SD_ID: &str = "slate@32473";

/// The most records sent on one connection.
pub const BATCH: u32 = 500;

/// How long one delivery may take in all (connect, TLS, send, the collector's close).
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// What one look at the destination did ([`crate::Kiosk::forward_once`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Forwarded {
    /// No destination is set.
    Off,
    /// The collector has every record.
    UpToDate,
    /// This many records were delivered (there may be more).
    Sent(usize),
    /// Nothing was delivered, for this reason; the records wait.
    Failed(String),
}

/// How far the audit has been sent (`slatectl audit forward status`).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ForwardStatus {
    /// `host:port`; `None` when the audit is not forwarded.
    pub destination: Option<String>,
    /// The newest record in the log.
    pub head_seq: i64,
    /// The last record the collector has (0: none yet).
    pub sent_seq: i64,
    /// Records not yet delivered: the forwarding lag.
    pub behind: i64,
    /// When the last batch was delivered (UTC).
    pub sent_at: Option<String>,
    /// Why the last try failed, if it did, and when (UTC).
    pub error: Option<String>,
    pub error_at: Option<String>,
    /// How far the system journal has them; `None` when `audit_journal` is off.
    pub journal: Option<JournalStatus>,
}

/// How far the system journal has the audit (`audit_journal`).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct JournalStatus {
    /// Whether journald runs here (its socket answers): where it does not, nothing is sent and
    /// nothing is owed.
    pub running: bool,
    /// The last record the journal has (0: none yet).
    pub sent_seq: i64,
    /// Records written since that the journal does not have yet.
    pub behind: i64,
    /// Why the last send failed, if it did, and when (UTC).
    pub error: Option<String>,
    pub error_at: Option<String>,
}

/// Where the records go: `tls://host:port` (6514, syslog over TLS, when no port is given), the
/// collector's certificate checked against `ca_file` or the system's authorities.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Destination {
    pub host: String,
    pub port: u16,
    pub ca_file: String,
}

impl Destination {
    /// The destination of the `audit_forward_url` setting; `None` when it is empty (off).
    pub fn from_setting(url: &str, ca_file: &str) -> Option<Self> {
        let url = url::Url::parse(url.trim()).ok()?;
        Some(Self {
            host: url.host_str()?.trim_matches(['[', ']']).to_owned(),
            port: url.port().unwrap_or(6514),
            ca_file: ca_file.to_owned(),
        })
    }

    /// As the cursor is kept and status says it: `host:port`.
    pub fn name(&self) -> String {
        format!("{}:{}", self.host, self.port)
    }
}

/// A syslog PRINTUSASCII name (HOSTNAME, APP-NAME, MSGID): printable ASCII without spaces, at
/// most `max` characters, `-` when nothing is left.
fn token(text: &str, max: usize) -> String {
    let t: String = text
        .chars()
        .filter(char::is_ascii_graphic)
        .take(max)
        .collect();
    if t.is_empty() {
        "-".to_owned()
    } else {
        t
    }
}

/// A structured-data parameter's value, escaped as RFC 5424 says (`"`, `\` and `]`).
fn param(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        if matches!(c, '"' | '\\' | ']') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The record as one RFC 5424 message: facility authpriv (10), severity notice (5), or warning
/// (4) for a failure; the record's own time with its offset; the terminal as HOSTNAME; `slate`;
/// the event as MSGID; the chain's fields as structured data; the details (JSON) as the message.
pub fn message(r: &AuditRecord) -> String {
    let pri = 10 * 8 + if journal::is_warning(&r.event) { 4 } else { 5 };
    let at = journal::local_time(r).unwrap_or_else(|| "-".to_owned());
    let reason = journal::reason(r);
    let mut sd = format!(
        "[{SD_ID} seq=\"{}\" event=\"{}\" terminal=\"{}\" mac=\"{}\"",
        r.seq,
        param(&r.event),
        param(&r.terminal),
        param(&r.mac)
    );
    for (name, value) in [
        ("user", r.username.as_deref()),
        ("session", r.session_id.as_deref()),
        ("reason", reason.as_deref()),
    ] {
        if let Some(v) = value {
            let _ = write!(sd, " {name}=\"{}\"", param(v));
        }
    }
    if let Some(ms) = r.duration_ms {
        let _ = write!(sd, " duration_ms=\"{ms}\"");
    }
    sd.push(']');
    format!(
        "<{pri}>1 {at} {} slate - {} {sd} \u{feff}{}",
        token(&r.terminal, 255),
        token(&r.event, 32),
        r.details
    )
}

/// The message in its octet-counted frame (RFC 6587, as RFC 5425 asks): `LENGTH SP MESSAGE`.
pub fn frame(r: &AuditRecord) -> Vec<u8> {
    let m = message(r);
    let mut out = format!("{} ", m.len()).into_bytes();
    out.extend_from_slice(m.as_bytes());
    out
}

/// Why a delivery did not happen, in the end of a sentence.
fn failed(what: &str, e: impl std::fmt::Display) -> String {
    format!("{what} ({e})")
}

/// Sends `records` to `dest` on a connection of its own and waits until the collector has read
/// them all (it closes after TLS's `close_notify`). `Ok` only then; the reason otherwise.
pub fn deliver(dest: &Destination, records: &[AuditRecord]) -> Result<(), String> {
    let deadline = Instant::now() + TIMEOUT;
    let left = || {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            Err("the collector did not answer in time".to_owned())
        } else {
            Ok(left)
        }
    };
    let address = (dest.host.as_str(), dest.port)
        .to_socket_addrs()
        .map_err(|e| failed(&format!("{} cannot be found", dest.host), e))?
        .next()
        .ok_or_else(|| format!("{} has no address", dest.host))?;
    let tcp = TcpStream::connect_timeout(&address, left()?)
        .map_err(|e| failed(&format!("{} did not answer", dest.name()), e))?;
    tcp.set_read_timeout(Some(left()?)).ok();
    tcp.set_write_timeout(Some(left()?)).ok();
    let tls = crate::sources::tls_connector(&dest.ca_file)?;
    let mut stream = tls
        .connect(&dest.host, tcp)
        .map_err(|e| failed(&format!("TLS with {} failed", dest.name()), e))?;
    let mut batch = Vec::new();
    for r in records {
        batch.extend_from_slice(&frame(r));
    }
    stream
        .write_all(&batch)
        .and_then(|()| stream.flush())
        .map_err(|e| failed("the records could not be sent", e))?;
    stream
        .shutdown()
        .map_err(|e| failed("the end of the batch could not be sent", e))?;
    // The collector's close is the acknowledgement: it has read everything before our end.
    let mut rest = [0u8; 256];
    loop {
        match stream.read(&mut rest) {
            Ok(0) => return Ok(()),
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(()),
            Err(e) => return Err(failed("the collector did not confirm the batch", e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record() -> AuditRecord {
        crate::audit::sample_record("Front desk \"A\"]")
    }

    #[test]
    fn a_record_is_one_rfc_5424_message_with_its_chain_as_structured_data() {
        let m = message(&record());
        assert_eq!(
            m,
            format!(
                "<85>1 2026-12-06T09:00:00.000000+01:00 Frontdesk\"A\"] slate - sign_out \
                 [slate@32473 seq=\"7\" event=\"sign_out\" terminal=\"Front desk \\\"A\\\"\\]\" \
                 mac=\"{}\" user=\"zoë\" session=\"ab\" reason=\"idle\" duration_ms=\"1500\"] \
                 \u{feff}{{\"reason\":\"idle\"}}",
                "f".repeat(64)
            )
        );
        let failed = AuditRecord {
            event: "wipe_failed".into(),
            ..record()
        };
        assert!(message(&failed).starts_with("<84>1 "), "a warning");
    }

    #[test]
    fn a_frame_counts_the_bytes_of_its_message() {
        let f = frame(&record());
        let text = String::from_utf8(f).unwrap();
        let (len, m) = text.split_once(' ').unwrap();
        assert_eq!(len.parse::<usize>().unwrap(), m.len());
        assert!(
            m.len() > m.chars().count(),
            "ë and the BOM are more than one byte"
        );
    }

    #[test]
    fn the_setting_names_the_destination() {
        let d = Destination::from_setting("tls://logs.example.org", "/ca.pem").unwrap();
        assert_eq!(
            (d.name(), d.ca_file.as_str()),
            ("logs.example.org:6514".into(), "/ca.pem")
        );
        assert_eq!(
            Destination::from_setting("tls://[::1]:7000", "")
                .unwrap()
                .name(),
            "::1:7000"
        );
        assert_eq!(Destination::from_setting("", ""), None);
    }
}
