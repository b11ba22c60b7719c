//! What the shell says itself (its desktop notifications), in the session's language. The words
//! come from the UI's own catalogues (`ui/src/locales/*.json`, built into the binary), looked up
//! by the English message id as the UI does: a plural message takes the form for its count by
//! the language's plural rules, and durations are said in words ("5 minutes", "1 heure et
//! 30 minutes"). A language without a catalogue, or a message its catalogue lacks, is said in
//! English. The UI's i18n test reads the ids passed to `t` and `tn` here and in `notify.rs`, so
//! a message the shell says cannot be missing from a catalogue.
//!
//! ```ignore
//! let words = Words::new("es");
//! assert_eq!(words.duration(Duration::from_secs(300)), "5 minutos");
//! assert_eq!(words.t("Your time is almost up", &[]), "Su tiempo casi se ha acabado");
//! ```

use std::collections::BTreeMap;
use std::sync::LazyLock;
use std::time::Duration;

use serde::Deserialize;

/// The catalogues by language code, as the UI has them.
const SOURCES: &[(&str, &str)] = &[
    ("en", include_str!("../../../ui/src/locales/en.json")),
    ("es", include_str!("../../../ui/src/locales/es.json")),
    ("fr", include_str!("../../../ui/src/locales/fr.json")),
];

/// One message of a catalogue: a text, or a plural message's form for each plural category
/// (and perhaps a description for translators, never looked up).
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Message {
    Text(String),
    Plural(BTreeMap<String, String>),
}

type Catalogue = BTreeMap<String, Message>;

/// The catalogues, read once. One that does not read (the UI's build checks them first) is left
/// out, and its language said in English.
static CATALOGUES: LazyLock<Vec<(&'static str, Catalogue)>> = LazyLock::new(|| {
    SOURCES
        .iter()
        .filter_map(|(code, json)| match serde_json::from_str(json) {
            Ok(catalogue) => Some((*code, catalogue)),
            Err(e) => {
                tracing::error!("the {code} catalogue does not read ({e}); saying it in English");
                None
            }
        })
        .collect()
});

fn catalogue(code: &str) -> Option<&'static Catalogue> {
    CATALOGUES
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, cat)| cat)
}

/// The plural category (CLDR) of a whole number in a language Slate ships; `None` for another
/// language. Tests hold these rules to what `Intl.PluralRules` says in the UI.
fn plural_category(language: &str, n: u64) -> Option<&'static str> {
    let millions = n != 0 && n.is_multiple_of(1_000_000);
    Some(match language {
        "en" => {
            if n == 1 {
                "one"
            } else {
                "other"
            }
        }
        "es" => {
            if n == 1 {
                "one"
            } else if millions {
                "many"
            } else {
                "other"
            }
        }
        "fr" => {
            if n <= 1 {
                "one"
            } else if millions {
                "many"
            } else {
                "other"
            }
        }
        _ => return None,
    })
}

/// Words in one language.
#[derive(Debug, Clone, Copy)]
pub struct Words {
    language: &'static str,
}

impl Words {
    /// Words in `language` (a code such as "fr"); English when Slate has no catalogue for it.
    pub fn new(language: &str) -> Self {
        let language = CATALOGUES
            .iter()
            .map(|(code, _)| *code)
            .find(|code| *code == language)
            .unwrap_or("en");
        Self { language }
    }

    /// The language these words are in.
    pub fn language(&self) -> &'static str {
        self.language
    }

    /// `id` in the language, its `{name}` pieces filled from `pieces`.
    pub fn t(&self, id: &str, pieces: &[(&str, &str)]) -> String {
        fill(self.text(id, None), pieces)
    }

    /// A plural message in its form for `count`, `{count}` filled with it and the other pieces
    /// from `pieces`.
    pub fn tn(&self, id: &str, count: u64, pieces: &[(&str, &str)]) -> String {
        let n = count.to_string();
        let mut all = vec![("count", n.as_str())];
        all.extend_from_slice(pieces);
        fill(self.text(id, Some(count)), &all)
    }

    /// A countdown in words for a notification: seconds under a minute, otherwise hours and
    /// minutes with the minutes rounded up, carried into the hours ("45 seconds", "5 minutes",
    /// "1 hour 30 minutes", 3599 s → "1 hour"). The exact figure is on the screen; a notice
    /// says it to the minute.
    pub fn duration(&self, d: Duration) -> String {
        let secs = d.as_secs();
        if secs < 60 {
            return self.tn("{count} seconds", secs, &[]);
        }
        let minutes = secs.div_ceil(60);
        let (h, m) = (minutes / 60, minutes % 60);
        match (h, m) {
            (0, m) => self.tn("{count} minutes", m, &[]),
            (h, 0) => self.tn("{count} hours", h, &[]),
            (h, m) => {
                let hours = self.tn("{count} hours", h, &[]);
                let minutes = self.tn("{count} minutes", m, &[]);
                self.t(
                    "{hours} {minutes}",
                    &[("hours", &hours), ("minutes", &minutes)],
                )
            }
        }
    }

    /// The text of `id` (for a plural message, its form for `count`, or "other" without one).
    fn text<'a>(&self, id: &'a str, count: Option<u64>) -> &'a str {
        let message = catalogue(self.language)
            .and_then(|c| c.get(id))
            .or_else(|| catalogue("en").and_then(|c| c.get(id)));
        match message {
            None => id,
            Some(Message::Text(text)) => text,
            Some(Message::Plural(forms)) => count
                .and_then(|n| plural_category(self.language, n))
                .and_then(|category| forms.get(category))
                .or_else(|| forms.get("other"))
                .map_or(id, String::as_str),
        }
    }
}

/// `text` with each `{name}` of `pieces` replaced by its value; other braces are left as they are.
fn fill(text: &str, pieces: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let piece = after.find('}').and_then(|close| {
            let name = &after[..close];
            pieces
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, value)| (*value, close))
        });
        if let Some((value, close)) = piece {
            out.push_str(value);
            rest = &after[close + 1..];
        } else {
            out.push('{');
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use slate_core::settings::LANGUAGES;

    #[test]
    fn every_catalogue_reads_and_every_language_of_the_core_has_one_and_its_plural_rules() {
        assert_eq!(CATALOGUES.len(), SOURCES.len(), "a catalogue does not read");
        for code in LANGUAGES {
            assert!(catalogue(code).is_some(), "no catalogue for {code}");
            assert!(
                plural_category(code, 1).is_some(),
                "no plural rules for {code}"
            );
            assert_eq!(Words::new(code).language(), *code);
        }
        assert_eq!(Words::new("de").language(), "en");
    }

    #[test]
    fn plural_rules_agree_with_the_uis() {
        // What Intl.PluralRules(code).select(n) says for 0, 1, 2, 5 and a million.
        let expected = [
            ("en", ["other", "one", "other", "other", "other"]),
            ("es", ["other", "one", "other", "other", "many"]),
            ("fr", ["one", "one", "other", "other", "many"]),
        ];
        for (code, categories) in expected {
            let got = [0, 1, 2, 5, 1_000_000].map(|n| plural_category(code, n).unwrap());
            assert_eq!(got, categories, "{code}");
        }
    }

    #[test]
    fn every_plural_message_has_the_forms_its_language_picks() {
        for (code, cat) in &*CATALOGUES {
            let picked: std::collections::BTreeSet<&str> = [0, 1, 2, 5, 1_000_000]
                .iter()
                .map(|n| plural_category(code, *n).unwrap())
                .collect();
            for (id, message) in cat {
                if let Message::Plural(forms) = message {
                    for category in &picked {
                        assert!(
                            forms.contains_key(*category),
                            "{code}: {id} has no {category}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn durations_in_english_round_up_to_the_minute_and_carry() {
        let en = Words::new("en");
        for (secs, said) in [
            (0, "0 seconds"),
            (1, "1 second"),
            (45, "45 seconds"),
            (60, "1 minute"),
            (61, "2 minutes"),
            (300, "5 minutes"),
            (3599, "1 hour"),
            (3600, "1 hour"),
            (3601, "1 hour 1 minute"),
            (5400, "1 hour 30 minutes"),
            (7199, "2 hours"),
        ] {
            assert_eq!(en.duration(Duration::from_secs(secs)), said, "{secs} s");
        }
    }

    #[test]
    fn durations_are_said_in_the_language_with_the_right_plural() {
        let said = |code: &str, secs: u64| Words::new(code).duration(Duration::from_secs(secs));
        assert_eq!(said("es", 1), "1 segundo");
        assert_eq!(said("es", 0), "0 segundos");
        assert_eq!(said("es", 300), "5 minutos");
        assert_eq!(said("es", 60), "1 minuto");
        assert_eq!(said("es", 5400), "1 hora y 30 minutos");
        assert_eq!(said("fr", 0), "0 seconde", "French says 0 in the singular");
        assert_eq!(said("fr", 1), "1 seconde");
        assert_eq!(said("fr", 2), "2 secondes");
        assert_eq!(said("fr", 120), "2 minutes");
        assert_eq!(said("fr", 3600), "1 heure");
        assert_eq!(said("fr", 9000), "2 heures et 30 minutes");
    }

    #[test]
    fn messages_are_looked_up_filled_and_fall_back_to_english() {
        let fr = Words::new("fr");
        assert_eq!(
            fr.t("Welcome, {name}", &[("name", "Ana")]),
            "Bienvenue, Ana"
        );
        assert_eq!(
            fr.tn("{count} records so far", 0, &[]),
            "0 enregistrement à ce jour"
        );
        assert_eq!(
            fr.tn("{count} records so far", 5, &[]),
            "5 enregistrements à ce jour"
        );
        assert_eq!(
            Words::new("en").tn("{count} records so far", 1, &[]),
            "1 record so far"
        );
        // A sentence no catalogue holds stays as it is, pieces filled; stray braces survive.
        assert_eq!(
            fr.t("Nobody wrote {this} {x}", &[("x", "y")]),
            "Nobody wrote {this} y"
        );
        assert_eq!(fill("{a}{b}{", &[("a", "1"), ("b", "2")]), "12{");
    }
}
