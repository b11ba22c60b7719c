//! Guest passes: one-time codes an administrator prints and hands out, each with its own
//! minutes. What a code is (ten characters from an alphabet without look-alikes, shown as two
//! groups of five, typed in any case with or without spaces and dashes), how one is made (the
//! thread's CSPRNG), the rules a batch must keep, and the printable sheet. Codes are never
//! stored: the store keeps each one's digest under a key derived from the audit key
//! ([`PassKey`]), so neither the table nor a copy of the database gives a code back.

use std::fmt::Write as _;

use zeroize::Zeroizing;

use crate::phrase::Phrase;

/// The characters a code is made of: no 0/O/Q/D, 1/I/L, 2/Z, 5/S, 6/G, 8/B, U/V.
pub const ALPHABET: &[u8] = b"ACEFHJKMNPRTWXY3479";

/// Characters in a code: 19¹⁰ ≈ 6.1 × 10¹² codes (42 bits), against an online guesser slowed
/// like a password.
pub const LENGTH: usize = 10;

/// The most passes in one batch, the longest a pass lasts, and how far ahead one may be valid.
pub const MAX_COUNT: u32 = 500;
pub const MAX_MINUTES: u32 = 24 * 60;
pub const MAX_DAYS_AHEAD: i32 = 366;

/// Days a pass stays listed after its last day; then it goes (the audit keeps its making and
/// its use).
pub const KEEP_DAYS: u16 = 90;

/// One pass as stored (never its code).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PassRow {
    pub id: i64,
    pub batch: String,
    pub minutes: u32,
    /// The last day it works, `YYYY-MM-DD` in the terminal's time zone.
    pub valid_until: String,
    pub created_at: String,
    pub created_by: String,
    pub used_at: Option<String>,
    pub session_id: Option<String>,
    pub revoked_at: Option<String>,
}

/// A code as typed: kept zeroised, like a password.
pub struct Code(Zeroizing<String>);

impl std::fmt::Debug for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Code(<redacted>)")
    }
}

impl Code {
    /// A new random code.
    pub fn random() -> Self {
        let code: String = (0..LENGTH)
            .map(|_| char::from(ALPHABET[rand::random_range(0..ALPHABET.len())]))
            .collect();
        Self(Zeroizing::new(code))
    }

    /// What was typed, as a code: capitals, no spaces or dashes. `None` when it cannot be one
    /// (wrong length, a character not in the alphabet): the caller says the same as for an
    /// unknown code.
    pub fn parse(typed: &str) -> Option<Self> {
        let code: String = typed
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .map(|c| c.to_ascii_uppercase())
            .collect();
        let ok = code.len() == LENGTH && code.bytes().all(|b| ALPHABET.contains(&b));
        ok.then(|| Self(Zeroizing::new(code)))
    }

    /// As printed: `K7MXA-3RTFW`.
    pub fn shown(&self) -> String {
        format!("{}-{}", &self.0[..LENGTH / 2], &self.0[LENGTH / 2..])
    }

    fn canonical(&self) -> &str {
        &self.0
    }
}

/// The key codes are stored under (HMAC-SHA-256), derived from the audit key.
pub struct PassKey(Zeroizing<[u8; 32]>);

impl std::fmt::Debug for PassKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PassKey(<redacted>)")
    }
}

impl PassKey {
    /// What the key is derived under (see [`crate::audit::AuditKey::derive`]).
    pub const LABEL: &'static str = "guest pass v1";

    pub fn new(bytes: Zeroizing<[u8; 32]>) -> Self {
        Self(bytes)
    }

    /// The stored digest of a code.
    pub fn digest(&self, code: &Code) -> String {
        use hmac::{Hmac, KeyInit, Mac};
        let mut mac = <Hmac<sha2::Sha256> as KeyInit>::new_from_slice(&self.0[..])
            .expect("HMAC takes any key");
        mac.update(code.canonical().as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }
}

/// A batch as asked for, checked: how many, how long each, valid until the end of which day
/// (in the terminal's time zone).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Batch {
    pub count: u32,
    pub minutes: u32,
    pub valid_until: jiff::civil::Date,
}

impl Batch {
    /// Checks a batch asked for on `today`; one sentence when it cannot be made.
    pub fn new(
        count: u32,
        minutes: u32,
        valid_until: &str,
        today: jiff::civil::Date,
    ) -> Result<Self, Phrase> {
        if !(1..=MAX_COUNT).contains(&count) {
            return Err(Phrase::new("Make from 1 to {max} passes at a time.")
                .number("max", u64::from(MAX_COUNT)));
        }
        if !(1..=MAX_MINUTES).contains(&minutes) {
            return Err(Phrase::new("A pass lasts from 1 to {max} minutes.")
                .number("max", u64::from(MAX_MINUTES)));
        }
        let valid_until: jiff::civil::Date = valid_until.trim().parse().map_err(|_| {
            Phrase::new("Give the last day the passes work as a date such as 2026-12-31.")
        })?;
        if valid_until < today {
            return Err(Phrase::new("The last day the passes work is already past."));
        }
        if (valid_until - today).get_days() > MAX_DAYS_AHEAD {
            return Err(Phrase::new(
                "Passes can work for at most a year: choose an earlier last day.",
            ));
        }
        Ok(Self {
            count,
            minutes,
            valid_until,
        })
    }
}

/// A pass just made: its code is shown this once.
#[derive(Debug)]
pub struct Issued {
    pub id: i64,
    pub code: Code,
}

/// Escapes text for HTML.
fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The printable sheet of a batch: one card a pass, in two columns, none split across pages,
/// each with its code, its minutes, its last day and how to use it. Self-contained (no script,
/// no link).
pub fn sheet(batch: &Batch, passes: &[Issued], library: &str) -> String {
    let title = if library.trim().is_empty() {
        "Guest pass".to_owned()
    } else {
        format!("Guest pass · {}", escape(library.trim()))
    };
    let mut cards = String::new();
    for pass in passes {
        let _ = writeln!(
            cards,
            "<section class=\"pass\"><h2>{title}</h2>\
             <p class=\"code\">{code}</p>\
             <p>{minutes} minutes on one computer, once. Valid until the end of {until}.</p>\
             <p class=\"how\">At the sign-in screen, type this code in “Guest pass code” and choose “Use pass”.</p>\
             <p class=\"id\">Pass {id}</p></section>",
            code = pass.code.shown(),
            minutes = batch.minutes,
            until = batch.valid_until,
            id = pass.id,
        );
    }
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\
         <title>Guest passes</title><style>\n\
         body {{ font-family: sans-serif; margin: 1cm; color: #111; }}\n\
         main {{ display: grid; grid-template-columns: 1fr 1fr; gap: 0.5cm; }}\n\
         .pass {{ border: 1px dashed #555; padding: 0.4cm 0.5cm; break-inside: avoid; }}\n\
         .pass h2 {{ font-size: 11pt; margin: 0 0 0.2cm; }}\n\
         .pass p {{ margin: 0.1cm 0; font-size: 10pt; }}\n\
         .pass .code {{ font: bold 20pt/1.2 monospace; letter-spacing: 0.08em; margin: 0.15cm 0; }}\n\
         .how {{ color: #333; }} .id {{ color: #555; font-size: 8pt; text-align: right; }}\n\
         @page {{ margin: 1cm; }}\n\
         </style></head><body><main>\n{cards}</main></body></html>\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> jiff::civil::Date {
        jiff::civil::date(2026, 12, 6)
    }

    #[test]
    fn codes_are_typed_loosely_and_shown_in_two_groups() {
        let code = Code::parse(" k7mxa-3rtfw ").expect("a code");
        assert_eq!(code.shown(), "K7MXA-3RTFW");
        assert_eq!(Code::parse("K7MXA 3RTFW").unwrap().shown(), "K7MXA-3RTFW");
        for bad in [
            "",
            "K7MXA-3RTF",
            "K7MXA-3RTFWW",
            "K0MXA-3RTFW",
            "K7MXA-3RTF1",
            "ÄÄÄÄÄÄÄÄÄÄ",
        ] {
            assert!(Code::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn random_codes_use_the_alphabet_and_differ() {
        let codes: std::collections::HashSet<String> =
            (0..200).map(|_| Code::random().shown()).collect();
        assert_eq!(codes.len(), 200);
        for c in &codes {
            assert!(Code::parse(c).is_some(), "{c}");
        }
        // No look-alikes in the alphabet.
        for c in b"0OQD1IL2Z5S6G8BUV" {
            assert!(!ALPHABET.contains(c), "{}", char::from(*c));
        }
    }

    #[test]
    fn the_digest_is_keyed_and_never_the_code() {
        let a = PassKey::new(Zeroizing::new([1; 32]));
        let b = PassKey::new(Zeroizing::new([2; 32]));
        let code = Code::parse("K7MXA3RTFW").unwrap();
        assert_eq!(
            a.digest(&code),
            a.digest(&Code::parse("k7mxa-3rtfw").unwrap())
        );
        assert_ne!(a.digest(&code), b.digest(&code));
        assert!(!a.digest(&code).contains("K7MXA"));
    }

    #[test]
    fn a_batch_keeps_its_bounds() {
        assert!(Batch::new(20, 60, "2026-12-31", today()).is_ok());
        assert!(
            Batch::new(1, 1, "2026-12-06", today()).is_ok(),
            "until today's end"
        );
        for (count, minutes, until, why) in [
            (0, 60, "2026-12-31", "Make from 1 to 500 passes at a time."),
            (
                501,
                60,
                "2026-12-31",
                "Make from 1 to 500 passes at a time.",
            ),
            (5, 0, "2026-12-31", "A pass lasts from 1 to 1440 minutes."),
            (
                5,
                60,
                "31/12/2026",
                "Give the last day the passes work as a date such as 2026-12-31.",
            ),
            (
                5,
                60,
                "2026-12-05",
                "The last day the passes work is already past.",
            ),
            (
                5,
                60,
                "2028-01-01",
                "Passes can work for at most a year: choose an earlier last day.",
            ),
        ] {
            assert_eq!(
                Batch::new(count, minutes, until, today())
                    .unwrap_err()
                    .to_string(),
                why
            );
        }
    }

    #[test]
    fn the_sheet_has_every_code_and_nothing_that_runs() {
        let batch = Batch::new(2, 45, "2026-12-31", today()).unwrap();
        let passes = vec![
            Issued {
                id: 7,
                code: Code::parse("K7MXA3RTFW").unwrap(),
            },
            Issued {
                id: 8,
                code: Code::parse("AAAAA99999").unwrap(),
            },
        ];
        let html = sheet(&batch, &passes, "Riverside <Library>");
        assert!(html.contains("K7MXA-3RTFW") && html.contains("AAAAA-99999"));
        assert!(html.contains("45 minutes") && html.contains("2026-12-31"));
        assert!(html.contains("Riverside &lt;Library&gt;"));
        assert!(!html.contains("<script") && !html.contains("<Library>"));
    }
}
