//! The audit forwarded to a real syslog collector: rsyslog from Debian with its `GnuTLS` driver,
//! started here on a local port over TLS (RFC 5425) with a test CA
//! (`slate_core::test_util::rsyslog`). Every record arrives once, in order, with its chain's
//! fields as structured data rsyslog parsed; the collector stopped and started again loses
//! nothing and doubles nothing; what it kept verifies the chain as anchors.

use std::sync::Arc;

use slate_core::audit::{anchors_in, Actor, AuditError};
use slate_core::datadir::DataDir;
use slate_core::forward::Forwarded;
use slate_core::kiosk::KioskError;
use slate_core::test_util::rsyslog::Rsyslog;
use slate_core::test_util::{add_admin_and_ana, FakeClock};
use slate_core::Kiosk;

/// Forwards until the collector has everything (or a try fails): how many were sent.
fn forward_all(kiosk: &Kiosk) -> Result<usize, String> {
    let mut sent = 0;
    loop {
        match kiosk.forward_once().unwrap() {
            Forwarded::Sent(n) => sent += n,
            Forwarded::UpToDate | Forwarded::Off => return Ok(sent),
            Forwarded::Failed(why) => return Err(why),
        }
    }
}

/// The sequence numbers in the collector's lines, in the order it kept them.
fn seqs(lines: &[String]) -> Vec<i64> {
    anchors_in(&lines.join("\n"))
        .into_iter()
        .map(|(seq, _)| seq)
        .collect()
}

#[test]
fn every_record_reaches_rsyslog_once_in_order_and_verifies_the_chain() {
    let mut collector = Rsyslog::start_new();
    let tmp = slate_core::test_util::private_tempdir();
    let kiosk = Kiosk::open_with_clock(
        DataDir::prepare(Some(tmp.path())).unwrap(),
        Arc::new(FakeClock::new()),
    )
    .unwrap();
    add_admin_and_ana(&kiosk, "The \"Front\" Desk]");
    assert_eq!(
        kiosk.forward_once().unwrap(),
        Forwarded::Off,
        "off by default"
    );
    let set = |key: &str, value: &str| kiosk.set_setting(&Actor::System, key, value).unwrap();
    set(
        "audit_forward_ca_file",
        &collector.ca_file().display().to_string(),
    );
    set("audit_forward_url", &collector.url());
    let head = |k: &Kiosk| k.forward_status().unwrap().head_seq;
    let first = head(&kiosk);
    assert!(forward_all(&kiosk).unwrap() >= 3);
    let lines = collector.received(usize::try_from(first).unwrap());
    assert_eq!(seqs(&lines), (1..=first).collect::<Vec<_>>(), "{lines:#?}");
    // rsyslog parsed each one: the terminal as HOSTNAME, slate, the event as MSGID, the
    // structured data, then the details.
    let created = lines
        .iter()
        .find(|l| l.contains(" user_created [slate@32473 ") && l.contains(" user=\"ana\""))
        .unwrap_or_else(|| panic!("{lines:#?}"));
    assert!(
        created.contains(" slate user_created [slate@32473 seq=\""),
        "{created}"
    );
    assert!(
        created.ends_with(r#"{"by":"kiosk","role":"user"}"#),
        "{created}"
    );
    let status = kiosk.forward_status().unwrap();
    assert_eq!((status.sent_seq, status.behind), (first, 0), "{status:?}");
    assert_eq!(status.error, None);

    // The collector goes away: the records wait, and status says how far behind and why.
    collector.stop();
    set("guests_allowed", "true");
    set("language", "es");
    let why = forward_all(&kiosk).unwrap_err();
    assert!(why.contains("did not answer"), "{why}");
    let status = kiosk.forward_status().unwrap();
    assert_eq!(status.behind, 2, "{status:?}");
    assert!(status
        .error
        .as_deref()
        .is_some_and(|e| e.contains("did not answer")));
    // Back: the two arrive, once each, after the others.
    collector.start();
    assert_eq!(forward_all(&kiosk).unwrap(), 2);
    let all = head(&kiosk);
    let lines = collector.received(usize::try_from(all).unwrap());
    assert_eq!(
        seqs(&lines),
        (1..=all).collect::<Vec<_>>(),
        "nothing lost, nothing doubled"
    );
    assert_eq!(kiosk.forward_status().unwrap().error, None);

    // What the collector kept verifies the chain; a record it kept that the log does not match,
    // or one past the log's end, does not.
    let anchors = anchors_in(&lines.join("\n"));
    let (_, checked, pruned) = kiosk.audit_verify_anchors(&anchors).unwrap();
    assert_eq!((checked, pruned), (u64::try_from(all).unwrap(), 0));
    let mut altered = anchors.clone();
    altered[0].1 = "0".repeat(64);
    assert!(matches!(
        kiosk.audit_verify_anchors(&altered),
        Err(KioskError::Audit(AuditError::Broken { seq: 1, .. }))
    ));
    let beyond = vec![(all + 1, "a".repeat(64))];
    let err = kiosk.audit_verify_anchors(&beyond).unwrap_err().to_string();
    assert!(err.contains("records were removed from the end"), "{err}");
}
