//! The audit in the system journal. journald itself cannot run for this test (it owns the
//! machine's one journal socket; the package test runs the real one with the installed
//! service), so the records are sent to a socket of the test's own, exactly as they would go to
//! journald, and what arrives is handed to systemd's own tools in the journal's export format
//! (a native entry followed by an empty line is one): `systemd-journal-remote` writes a real
//! journal file of them, `journalctl --file` reads it back. Every record arrives once, in order,
//! with its fields; a journal that goes away loses nothing; `journalctl -o json` verifies the
//! chain as anchors.

use std::io::Write as _;
use std::os::unix::net::UnixDatagram;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;

use slate_core::audit::{anchors_in, Actor};
use slate_core::datadir::DataDir;
use slate_core::forward::Forwarded;
use slate_core::test_util::{add_admin_and_ana, FakeClock};
use slate_core::Kiosk;

const JOURNAL_REMOTE: &str = "/lib/systemd/systemd-journal-remote";

/// Sends until the journal has everything (or a send fails): how many were sent.
fn send_all(kiosk: &Kiosk, socket: &Path) -> Result<usize, String> {
    let mut sent = 0;
    loop {
        match kiosk.journal_once(socket).unwrap() {
            Forwarded::Sent(n) => sent += n,
            Forwarded::UpToDate | Forwarded::Off => return Ok(sent),
            Forwarded::Failed(why) => return Err(why),
        }
    }
}

/// Every datagram waiting at `socket`.
fn received(socket: &UnixDatagram) -> Vec<Vec<u8>> {
    socket.set_nonblocking(true).unwrap();
    let mut out = Vec::new();
    let mut buf = vec![0u8; 65_536];
    while let Ok(n) = socket.recv(&mut buf) {
        out.push(buf[..n].to_vec());
    }
    out
}

/// The entries as journalctl reads them from a journal file systemd-journal-remote wrote of
/// them: one JSON object each, in the order they arrived. The time journald would add on
/// receipt (`__REALTIME_TIMESTAMP`, which the export format needs) is added here.
fn through_the_journal(dir: &Path, entries: &[Vec<u8>]) -> (String, Vec<serde_json::Value>) {
    let file = dir.join("slate.journal");
    let mut remote = Command::new(JOURNAL_REMOTE)
        .arg(format!("--output={}", file.display()))
        .arg("-")
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("systemd-journal-remote (package systemd-journal-remote) runs");
    {
        let mut stdin = remote.stdin.take().unwrap();
        for (i, e) in entries.iter().enumerate() {
            writeln!(stdin, "__REALTIME_TIMESTAMP={}", 1_764_000_000_000_000 + i).unwrap();
            stdin.write_all(e).unwrap();
            stdin.write_all(b"\n").unwrap();
        }
    }
    let done = remote.wait_with_output().unwrap();
    let said = String::from_utf8_lossy(&done.stderr).into_owned();
    assert!(done.status.success(), "{said}");
    assert!(
        said.contains(&format!("writing {} entries", entries.len())),
        "every entry is valid: {said}"
    );
    let out = Command::new("journalctl")
        .arg(format!("--file={}", file.display()))
        .args(["-o", "json", "--no-pager"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8(out.stdout).unwrap();
    let parsed = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    (text, parsed)
}

#[test]
fn every_record_reaches_the_journal_once_in_order_with_its_fields() {
    let tmp = slate_core::test_util::private_tempdir();
    let kiosk = Kiosk::open_with_clock(
        DataDir::prepare(Some(&tmp.path().join("data"))).unwrap(),
        Arc::new(FakeClock::new()),
    )
    .unwrap();
    let socket_path = tmp.path().join("journal.socket");
    let journal = UnixDatagram::bind(&socket_path).unwrap();
    add_admin_and_ana(&kiosk, "Boss");
    let set = |key: &str, value: &str| kiosk.set_setting(&Actor::System, key, value).unwrap();
    set("terminal_name", "Front desk");

    // The first look starts at the newest record: the history before it is not sent.
    let history = kiosk.forward_status().unwrap().head_seq;
    assert_eq!(history, 3, "two accounts and a setting");
    assert_eq!(send_all(&kiosk, &socket_path), Ok(0));
    assert!(received(&journal).is_empty());
    // From then on each record goes as it is written.
    set("guests_allowed", "true");
    set("signed_out_message", "Goodbye, and \"thank you\"");
    assert_eq!(send_all(&kiosk, &socket_path), Ok(2));
    let mut entries = received(&journal);
    assert_eq!(entries.len(), 2);
    let status = kiosk.forward_status().unwrap().journal.unwrap();
    assert_eq!(
        (status.sent_seq, status.behind),
        (history + 2, 0),
        "{status:?}"
    );

    // The journal goes away (journald stopped): nothing is sent and nothing fails; the records
    // wait. Back, they arrive after the others, once each.
    drop(journal);
    std::fs::remove_file(&socket_path).unwrap();
    set("language", "es");
    set("guests_allowed", "false");
    assert_eq!(kiosk.journal_once(&socket_path).unwrap(), Forwarded::Off);
    let journal = UnixDatagram::bind(&socket_path).unwrap();
    assert_eq!(send_all(&kiosk, &socket_path), Ok(2));
    assert_eq!(send_all(&kiosk, &socket_path), Ok(0), "nothing twice");
    entries.extend(received(&journal));

    // journald's own tools read them: the fields as sent.
    let (json, read) = through_the_journal(tmp.path(), &entries);
    let field = |i: usize, name: &str| read[i][name].as_str().unwrap_or("").to_owned();
    let seqs: Vec<i64> = (0..read.len())
        .map(|i| field(i, "SLATE_SEQ").parse().unwrap())
        .collect();
    assert_eq!(seqs, (history + 1..=history + 4).collect::<Vec<_>>());
    assert_eq!(field(0, "SLATE_EVENT"), "setting_changed");
    assert_eq!(field(0, "SLATE_TERMINAL"), "Front desk");
    assert_eq!(field(0, "SYSLOG_IDENTIFIER"), "slate");
    assert_eq!(field(0, "PRIORITY"), "5");
    assert!(field(0, "MESSAGE").starts_with(&format!("audit record {}: setting_changed", seqs[0])));
    let details: serde_json::Value = serde_json::from_str(&field(1, "SLATE_DETAILS")).unwrap();
    assert_eq!(details["key"], "signed_out_message", "{details}");
    assert_eq!(field(3, "SLATE_MAC").len(), 64);

    // What the journal kept verifies the chain (the records it has and every one before them).
    let anchors = anchors_in(&json);
    assert_eq!(anchors.len(), 4);
    let (report, checked, _) = kiosk.audit_verify_anchors(&anchors).unwrap();
    assert_eq!(
        (report.records, checked),
        (u64::try_from(history + 4).unwrap(), 4)
    );

    // Off: nothing is sent, and status says so.
    set("audit_journal", "false");
    set("language", "en");
    assert_eq!(send_all(&kiosk, &socket_path), Ok(0));
    assert!(received(&journal).is_empty());
    assert_eq!(kiosk.forward_status().unwrap().journal, None);
}

#[test]
fn a_value_with_a_newline_reaches_the_journal_whole() {
    // No record Slate writes has one today (names and the terminal's name refuse control
    // characters, details are JSON), but the protocol's other form is checked all the same.
    let tmp = tempfile::tempdir().unwrap();
    let record = slate_core::audit::AuditRecord {
        seq: 1,
        at: "2026-12-06T08:00:00Z".into(),
        utc_offset_secs: 0,
        terminal: "two\nlines".into(),
        event: "sign_out".into(),
        username: None,
        session_id: None,
        duration_ms: None,
        details: "{}".into(),
        mac: "a".repeat(64),
    };
    let (_, read) = through_the_journal(tmp.path(), &[slate_core::journal::entry(&record)]);
    assert_eq!(read[0]["SLATE_TERMINAL"], "two\nlines");
    assert_eq!(read[0]["SLATE_AT"], "2026-12-06T08:00:00.000000+00:00");
}
