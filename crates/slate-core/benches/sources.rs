//! A wrong name and a wrong password must take the same time, whatever the account source, so
//! that timing tells nobody which names exist. Measured in turns, per source: a failed sign-in
//! for a name the source knows (a wrong password) and for one it does not, A, B, A, B …, through
//! `Kiosk::authenticate` (throttling, the audit record, and the evening-out of refusals
//! included); the median of each and of the per-pair ratios. Target: within 5 % (0.95–1.05).
//!
//! The sources: Slate's own accounts; a real OpenLDAP server (slapd, search then bind, LDAPS);
//! the machine's own accounts through PAM (real accounts made with `useradd`, so only as root:
//! without root that row says it was skipped); and the SIP2 stand-in made to answer a wrong PIN 20 ms slower than an unknown card (as an
//! ILS that hashes PINs would): the source itself is uneven, and its own figures (asked
//! directly, without Slate's evening-out) are shown beside Slate's.
//!
//! `cargo bench -p slate-core --bench sources` (needs slapd: `scripts/install-deps.sh test`);
//! the table goes to target/bench-results/sources.md for BENCHMARKS.md.

use std::sync::Arc;
use std::time::{Duration, Instant};

use slate_core::audit::Actor;
use slate_core::auth::Password;
use slate_core::datadir::DataDir;
use slate_core::sources::{sip2, Steps};
use slate_core::test_util::machine_accounts::{is_root, MachineAccounts};
use slate_core::test_util::sip2_server::{self, Sip2Server};
use slate_core::test_util::slapd::Slapd;
use slate_core::test_util::{add_admin_and_ana, private_tempdir, FakeClock};
use slate_core::Kiosk;

mod common;

/// Pairs measured per source.
const PAIRS: usize = 101;

fn pw(s: &str) -> Password {
    Password::from(s.to_owned())
}

/// The medians (ms) of `known` and `unknown`, and the median of their per-pair ratios, taken
/// in turns (which goes first alternating).
fn pairs(mut known: impl FnMut() -> f64, mut unknown: impl FnMut() -> f64) -> (f64, f64, f64) {
    let (mut knowns, mut unknowns, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..PAIRS {
        let (one, other) = if i % 2 == 0 {
            let one = known();
            (one, unknown())
        } else {
            let other = unknown();
            (known(), other)
        };
        knowns.push(one);
        unknowns.push(other);
        ratios.push(one / other);
    }
    (
        common::median(knowns),
        common::median(unknowns),
        common::median(ratios),
    )
}

fn timed(f: impl FnOnce()) -> f64 {
    let started = Instant::now();
    f();
    started.elapsed().as_secs_f64() * 1000.0
}

/// A kiosk on a fake clock trying `sources` with `settings`.
fn kiosk(sources: &str, settings: &[(&str, String)]) -> (Kiosk, Arc<FakeClock>, tempfile::TempDir) {
    let tmp = private_tempdir();
    let clock = Arc::new(FakeClock::new());
    let k = Kiosk::open_with_clock(
        DataDir::prepare(Some(tmp.path())).expect("a folder"),
        clock.clone(),
    )
    .expect("a kiosk");
    add_admin_and_ana(&k, "");
    k.set_setting(&Actor::System, "signin_sources", sources)
        .expect("sources");
    // Out of the way of the measurement: the terminal's own limit.
    k.set_setting(&Actor::System, "signin_terminal_limit", "1000")
        .expect("limit");
    for (key, value) in settings {
        k.set_setting(&Actor::System, key, value)
            .expect("a setting");
    }
    (k, clock, tmp)
}

/// Failed sign-ins through the kiosk, known name against unknown, past every wait each time.
fn through_kiosk(k: &Kiosk, clock: &FakeClock, known: &str, unknown: &str) -> (f64, f64, f64) {
    let attempt = |name: &str| {
        clock.advance(Duration::from_secs(5 * 3600));
        timed(|| {
            assert!(k.authenticate(name, &pw("not the password")).is_err());
        })
    };
    pairs(|| attempt(known), || attempt(unknown))
}

fn row(source: &str, (known, unknown, ratio): (f64, f64, f64)) -> String {
    eprintln!("{source}: known {known:.2} ms, unknown {unknown:.2} ms, ratio {ratio:.3}");
    format!("| {source} | {known:.2} ms | {unknown:.2} ms | **{ratio:.3}** |\n")
}

fn main() {
    let mut table = String::from(
        "| source | wrong password (known name) | unknown name | known / unknown, per pair |\n\
         |---|---|---|---|\n",
    );

    let (k, clock, _t) = kiosk("local", &[]);
    table.push_str(&row(
        "Slate's own accounts",
        through_kiosk(&k, &clock, "ana", "nobody"),
    ));

    let slapd = Slapd::start_new();
    let (k, clock, _t) = kiosk("ldap", &slapd.setting_values());
    table.push_str(&row(
        "LDAP (slapd, search then bind, LDAPS)",
        through_kiosk(&k, &clock, "lena", "nobody"),
    ));

    if is_root() {
        let accounts = MachineAccounts::create("b");
        let (k, clock, _t) = kiosk(
            "pam",
            &[
                ("pam_service", accounts.service.clone()),
                ("pam_group", accounts.group.clone()),
            ],
        );
        table.push_str(&row(
            "The machine's own accounts (PAM, pam_unix)",
            through_kiosk(&k, &clock, &accounts.name("p"), "nobody-here"),
        ));
    } else {
        eprintln!("PAM: skipped (making accounts with useradd needs root)");
        table.push_str("| The machine's own accounts (PAM) | skipped: not run as root | | |\n");
    }

    let server = Sip2Server::start_with_pin_delay(Duration::from_millis(20));
    let s = server.settings();
    let direct = |card: &str| {
        timed(|| {
            let _ = sip2::check(
                &s,
                Duration::from_secs(5),
                card,
                &pw("0000"),
                chrono::Local::now(),
                &mut Steps::off(),
            );
        })
    };
    table.push_str(&row(
        "SIP2 stand-in asked directly (no evening-out; a wrong PIN 20 ms slower)",
        pairs(|| direct("21234000"), || direct("29999999")),
    ));
    let (k, clock, _t) = kiosk(
        "sip2",
        &[
            ("sip2_url", s.url.clone()),
            ("sip2_login", sip2_server::LOGIN.into()),
            ("sip2_password", sip2_server::PASSWORD.into()),
        ],
    );
    table.push_str(&row(
        "SIP2 stand-in through Slate (refusals evened out)",
        through_kiosk(&k, &clock, "21234000", "29999999"),
    ));
    table.push_str(
        "\nTarget: known / unknown within 5 % (0.95–1.05) through Slate, for every source.\n",
    );
    common::write_summary("sources", &table);
}
