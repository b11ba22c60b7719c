//! `slatectl check` and `slatectl status`: the database's health, and the terminal at a glance
//! (read by `slate_core::status`, the same facts the administrator panel shows), as text, JSON,
//! a monitoring check in the Nagios plugin convention (`--check`), or Prometheus's text format
//! (`--metrics`).

use std::fmt::Write as _;

use slate_core::status::{Availability, State, TerminalStatus};
use slate_core::Kiosk;

use crate::output::{self, Failure};
use crate::{Ctx, ServiceLink};

/// The Nagios plugin convention's exit codes.
pub mod nagios {
    pub const OK: u8 = 0;
    pub const WARNING: u8 = 1;
    pub const CRITICAL: u8 = 2;
    pub const UNKNOWN: u8 = 3;
}

/// `slatectl check`: integrity, schema, and whether an administrator exists.
pub fn check(kiosk: &Kiosk, json: bool) -> Result<(), Failure> {
    output::check(json, &kiosk.check()?);
    Ok(())
}

/// The terminal's state in one word, the service's own first: `service_down` when an installed
/// terminal's session service is not running (nobody can sign in), else the terminal's.
pub fn state_name(service: ServiceLink, state: &State<'_>) -> &'static str {
    if service == ServiceLink::Down {
        "service_down"
    } else {
        state.name()
    }
}

/// `slatectl status`: ready, in use or needs attention; the last wipe, audit head and policy.
pub fn status(ctx: &Ctx, check: bool, metrics: bool) -> Result<(), Failure> {
    if ctx.json && (check || metrics) {
        return Err(output::invalid(
            "--check and --metrics print their own format: leave out --json.",
        ));
    }
    let now = Availability::read(ctx.kiosk)?;
    let facts = TerminalStatus::read(ctx.kiosk)?;
    if check {
        return Err(check_line(ctx.service, &now));
    }
    if metrics {
        outln!("{}", prometheus(ctx, &now, &facts)?.trim_end());
        return Ok(());
    }
    let uptime = match ctx.service {
        ServiceLink::Running { uptime } => Some(uptime.as_secs()),
        ServiceLink::Down | ServiceLink::Direct => None,
    };
    let monitoring = output::Monitoring {
        state: state_name(ctx.service, &now.state()),
        service: match ctx.service {
            ServiceLink::Running { .. } => "running",
            ServiceLink::Down => "down",
            ServiceLink::Direct => "not_used",
        },
        uptime_secs: uptime,
        forwarding: Some(ctx.kiosk.forward_status()?)
            .filter(|f| f.destination.is_some() || f.journal.is_some()),
    };
    output::status(ctx.json, &now, &facts, &monitoring);
    Ok(())
}

/// The monitoring check's one line (on standard output) and exit code, as a [`Failure`] that
/// prints nothing more: OK (ready, in use), WARNING (not set up), CRITICAL (needs attention,
/// service down).
fn check_line(service: ServiceLink, now: &Availability) -> Failure {
    let state = now.state();
    let (code, words) = match (service, &state) {
        (ServiceLink::Down, _) => (
            nagios::CRITICAL,
            "the session service is not running: nobody can sign in".to_owned(),
        ),
        (_, State::NeedsAttention(why)) => (nagios::CRITICAL, format!("needs attention: {why}")),
        (_, State::NotSetUp) => (
            nagios::WARNING,
            "not set up (no administrator yet)".to_owned(),
        ),
        (_, State::InUse(s)) => (nagios::OK, format!("in use since {}", s.started_at)),
        (_, State::Ready) => (nagios::OK, "ready".to_owned()),
    };
    outln!(
        "{} | in_use={}",
        check_words(code, &words),
        u8::from(matches!(state, State::InUse(_)))
    );
    Failure::silent(code)
}

/// "SLATE OK - ready": the first line of a Nagios plugin's output.
pub fn check_words(code: u8, words: &str) -> String {
    let level = match code {
        nagios::OK => "OK",
        nagios::WARNING => "WARNING",
        nagios::CRITICAL => "CRITICAL",
        _ => "UNKNOWN",
    };
    format!("SLATE {level} - {words}")
}

/// The metrics in Prometheus's text exposition format.
fn prometheus(ctx: &Ctx, now: &Availability, facts: &TerminalStatus) -> Result<String, Failure> {
    let mut out = String::new();
    let mut metric = |name: &str, kind: &str, help: &str, samples: &[(String, u64)]| {
        let _ = writeln!(out, "# HELP slate_{name} {help}");
        let _ = writeln!(out, "# TYPE slate_{name} {kind}");
        for (labels, value) in samples {
            let _ = writeln!(out, "slate_{name}{labels} {value}");
        }
    };
    let label = |key: &str, value: &str| format!("{{{key}=\"{value}\"}}");
    let state = state_name(ctx.service, &now.state());
    metric(
        "state",
        "gauge",
        "The terminal's state: 1 for the one it is in.",
        &[
            "ready",
            "in_use",
            "needs_attention",
            "not_set_up",
            "service_down",
        ]
        .map(|s| (label("state", s), u64::from(s == state))),
    );
    counts(ctx, &mut metric)?;
    metric(
        "last_wipe_complete",
        "gauge",
        "1 when the last ended session was wiped and re-checked (1 before the first).",
        &[(
            String::new(),
            u64::from(facts.last_wipe().is_none_or(|w| w.complete)),
        )],
    );
    metric(
        "audit_head",
        "gauge",
        "The newest audit record's sequence number.",
        &[(
            String::new(),
            facts
                .audit_head
                .as_ref()
                .and_then(|h| u64::try_from(h.seq).ok())
                .unwrap_or(0),
        )],
    );
    let forwarding = ctx.kiosk.forward_status()?;
    if forwarding.destination.is_some() {
        metric(
            "audit_forward_behind",
            "gauge",
            "Audit records the syslog collector does not have yet.",
            &[(String::new(), u64::try_from(forwarding.behind).unwrap_or(0))],
        );
    }
    if let Some(journal) = forwarding.journal.as_ref().filter(|j| j.running) {
        metric(
            "audit_journal_behind",
            "gauge",
            "Audit records the system journal does not have yet.",
            &[(String::new(), u64::try_from(journal.behind).unwrap_or(0))],
        );
    }
    if let ServiceLink::Running { uptime } = ctx.service {
        metric(
            "service_uptime_seconds",
            "gauge",
            "How long the session service has run.",
            &[(String::new(), uptime.as_secs())],
        );
    }
    Ok(out)
}

/// The counting families of the metrics: sessions, endings, their lengths, failed sign-ins and
/// wipes.
fn counts(
    ctx: &Ctx,
    metric: &mut impl FnMut(&str, &str, &str, &[(String, u64)]),
) -> Result<(), Failure> {
    let totals = ctx.kiosk.usage_totals()?;
    let (sign_ins, wipes) = ctx.kiosk.failure_counts()?;
    let label = |key: &str, value: &str| format!("{{{key}=\"{value}\"}}");
    metric(
        "sessions_total",
        "counter",
        "Ended sessions, by who: member, guest or staff.",
        &totals
            .kinds
            .iter()
            .map(|(k, n, _)| (label("kind", k), *n))
            .collect::<Vec<_>>(),
    );
    metric(
        "session_endings_total",
        "counter",
        "Ended sessions, by why they ended.",
        &totals
            .endings
            .iter()
            .map(|(r, n, _)| (label("reason", r), *n))
            .collect::<Vec<_>>(),
    );
    metric(
        "session_seconds_total",
        "counter",
        "The ended sessions' lengths added up, in seconds.",
        &[(String::new(), totals.total_ms / 1000)],
    );
    metric(
        "sign_in_failures_total",
        "counter",
        "Failed sign-ins the audit log holds, by reason (pruning the log lowers it).",
        &sign_ins
            .iter()
            .map(|(f, n)| (label("reason", f.as_str()), *n))
            .collect::<Vec<_>>(),
    );
    metric(
        "wipe_failures_total",
        "counter",
        "Wipes that failed, as the audit log holds them (pruning the log lowers it).",
        &[(String::new(), wipes)],
    );
    Ok(())
}
