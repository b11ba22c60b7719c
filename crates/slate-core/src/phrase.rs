//! Phrases: a sentence the core says with names and figures in it, sent as its English template
//! and its pieces (a count, a duration, a time, another phrase) so each screen can say it in the
//! person's language. The English template is the message id of the UI's catalogues; the UI's
//! `i18n` test reads every `Phrase::new("…")` literal in the core and fails when a catalogue
//! lacks it. `Display` fills the template in English, for the CLI, logs and the English screens.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::duration::{self, DurationProblem};

/// A sentence: an English template with `{name}` pieces, and the pieces.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Phrase {
    /// The English template, e.g. "There is no user called {user}." (empty: no sentence).
    pub text: String,
    /// The pieces by name.
    pub args: BTreeMap<String, Arg>,
}

/// One piece of a phrase, typed so the UI can format it for the language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum Arg {
    /// Said as it is: a username, a setting's value, a file name, a path.
    Text(String),
    /// A setting's key (`idle_timeout`): the panel shows the setting's label instead.
    Setting(String),
    /// A whole number.
    Number(#[ts(type = "number")] u64),
    /// A duration in seconds.
    Seconds(#[ts(type = "number")] u64),
    /// A moment, RFC 3339.
    Time(String),
    /// A time of day, as the terminal's clock shows it: the local `YYYY-MM-DDTHH:MM` (said
    /// "16:45", or as the person's language writes times).
    Clock(String),
    /// The day of the week of a local `YYYY-MM-DDTHH:MM` (said "Monday").
    Weekday(String),
    /// A phrase inside the phrase.
    Phrase(Box<Phrase>),
}

impl Phrase {
    /// A phrase from a template that lives in the core's source (and so in the catalogues).
    pub fn new(template: &'static str) -> Self {
        Self {
            text: template.to_owned(),
            args: BTreeMap::new(),
        }
    }

    /// A sentence made elsewhere (a library's error, a message from the database): shown as it
    /// is, translated only if a catalogue happens to hold it.
    pub fn plain(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            args: BTreeMap::new(),
        }
    }

    /// No sentence.
    pub fn none() -> Self {
        Self::default()
    }

    /// Adds a piece said as it is.
    #[must_use]
    pub fn text(self, name: &str, value: impl Into<String>) -> Self {
        self.arg(name, Arg::Text(value.into()))
    }

    /// Adds a setting's key.
    #[must_use]
    pub fn setting(self, name: &str, key: impl Into<String>) -> Self {
        self.arg(name, Arg::Setting(key.into()))
    }

    /// Adds a whole number.
    #[must_use]
    pub fn number(self, name: &str, value: u64) -> Self {
        self.arg(name, Arg::Number(value))
    }

    /// Adds a duration.
    #[must_use]
    pub fn seconds(self, name: &str, secs: u64) -> Self {
        self.arg(name, Arg::Seconds(secs))
    }

    /// Adds a moment (RFC 3339).
    #[must_use]
    pub fn time(self, name: &str, rfc3339: impl Into<String>) -> Self {
        self.arg(name, Arg::Time(rfc3339.into()))
    }

    /// Adds a local time of day (said "16:45").
    #[must_use]
    pub fn clock(self, name: &str, local: &jiff::Zoned) -> Self {
        self.arg(
            name,
            Arg::Clock(local.strftime("%Y-%m-%dT%H:%M").to_string()),
        )
    }

    /// Adds the day of the week of a local moment (said "Monday").
    #[must_use]
    pub fn weekday(self, name: &str, local: &jiff::Zoned) -> Self {
        self.arg(
            name,
            Arg::Weekday(local.strftime("%Y-%m-%dT%H:%M").to_string()),
        )
    }

    /// Adds a phrase inside this one.
    #[must_use]
    pub fn phrase(self, name: &str, inner: Phrase) -> Self {
        self.arg(name, Arg::Phrase(Box::new(inner)))
    }

    /// The same phrase with every setting named by its key as written (for the policy file's
    /// problems: the administrator edits keys there, not labels).
    #[must_use]
    pub fn keys_as_written(mut self) -> Self {
        for arg in self.args.values_mut() {
            match arg {
                Arg::Setting(key) => *arg = Arg::Text(std::mem::take(key)),
                Arg::Phrase(inner) => **inner = std::mem::take(&mut **inner).keys_as_written(),
                _ => {}
            }
        }
        self
    }

    fn arg(mut self, name: &str, value: Arg) -> Self {
        self.args.insert(name.to_owned(), value);
        self
    }
}

impl fmt::Display for Arg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Text(s) | Self::Setting(s) | Self::Time(s) => f.write_str(s),
            Self::Clock(local) => f.write_str(local.get(11..16).unwrap_or(local)),
            Self::Weekday(local) => {
                let day = local
                    .get(..10)
                    .and_then(|d| d.parse::<jiff::civil::Date>().ok())
                    .map(|d| d.strftime("%A").to_string());
                f.write_str(day.as_deref().unwrap_or(local))
            }
            Self::Number(n) => write!(f, "{n}"),
            Self::Seconds(s) => f.write_str(&duration::compact(*s)),
            Self::Phrase(p) => p.fmt(f),
        }
    }
}

/// The template filled in English. A piece without a value stays as `{name}`.
impl fmt::Display for Phrase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut rest = self.text.as_str();
        while let Some(open) = rest.find('{') {
            let Some(len) = rest[open..].find('}') else {
                break;
            };
            let name = &rest[open + 1..open + len];
            f.write_str(&rest[..open])?;
            match self.args.get(name) {
                Some(arg) => arg.fmt(f)?,
                None => f.write_str(&rest[open..=open + len])?,
            }
            rest = &rest[open + len + 1..];
        }
        f.write_str(rest)
    }
}

/// A count with its noun in English, for the CLI and the logs: "1 record", "5 records",
/// "0 records". (Screens say counts through their catalogues' plural forms instead.)
pub fn count(n: u64, one: &str, other: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { other })
}

/// Why `value` is not a duration, with the forms Slate reads.
pub fn duration_problem(problem: DurationProblem, value: &str) -> Phrase {
    let value = format!("{:?}", value.trim());
    match problem {
        DurationProblem::Empty => Phrase::new(
            "Write a duration, such as 90s, 10 min, 1 hour 30 minutes or 1.5h.",
        ),
        DurationProblem::NotUnderstood => Phrase::new(
            "{value} is not a duration. Write it like 90s, 10 min, 1 hour 30 minutes or 1.5h.",
        )
        .text("value", value),
        DurationProblem::NoUnit => Phrase::new(
            "{value} needs a unit, such as 1.5h or 1.5 min (a whole number alone means seconds).",
        )
        .text("value", value),
        DurationProblem::CalendarUnit => Phrase::new(
            "Months and years vary in length: write days, hours, minutes or seconds (30 days, not 1 month).",
        ),
        DurationProblem::Negative => Phrase::new("A duration cannot be negative."),
        DurationProblem::FractionOfASecond => Phrase::new(
            "Slate counts whole seconds: {value} is not a whole number of seconds.",
        )
        .text("value", value),
        DurationProblem::TooLong => Phrase::new("A duration can be at most a year (366 days)."),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn english_counts_agree_with_their_number() {
        assert_eq!(super::count(0, "record", "records"), "0 records");
        assert_eq!(super::count(1, "record", "records"), "1 record");
        assert_eq!(
            super::count(2, "session row", "session rows"),
            "2 session rows"
        );
    }

    use super::*;

    #[test]
    fn a_phrase_fills_its_pieces_in_english() {
        let bounds = Phrase::new("a duration from {min} to {max}")
            .seconds("min", 30)
            .seconds("max", 86_400);
        let p = Phrase::new("{key} must be {bounds}, not {value}.")
            .text("key", "idle_timeout")
            .phrase("bounds", bounds)
            .text("value", "\"soon\"");
        assert_eq!(
            p.to_string(),
            "idle_timeout must be a duration from 30s to 1d, not \"soon\"."
        );
        assert_eq!(
            Phrase::new("{count} records")
                .number("count", 3)
                .to_string(),
            "3 records"
        );
    }

    #[test]
    fn a_missing_piece_or_a_stray_brace_is_left_as_written() {
        assert_eq!(Phrase::new("Hello {who}.").to_string(), "Hello {who}.");
        assert_eq!(Phrase::plain("a { b").to_string(), "a { b");
        assert_eq!(Phrase::plain("").to_string(), "");
    }

    #[test]
    fn keys_as_written_reaches_phrases_inside_phrases() {
        let p = Phrase::new("{file}: {why}")
            .text("file", "policy.toml")
            .phrase(
                "why",
                Phrase::new("{key} is wrong.").setting("key", "idle_timeout"),
            );
        let written = p.clone().keys_as_written();
        assert_eq!(written.to_string(), p.to_string());
        let Some(Arg::Phrase(inner)) = written.args.get("why") else {
            panic!("{written:?}")
        };
        assert_eq!(inner.args["key"], Arg::Text("idle_timeout".into()));
    }

    #[test]
    fn pieces_serialise_with_their_type() {
        let p = Phrase::new("Try again in {wait}.").seconds("wait", 60);
        assert_eq!(
            serde_json::to_string(&p).unwrap(),
            r#"{"text":"Try again in {wait}.","args":{"wait":{"type":"seconds","value":60}}}"#
        );
    }
}
