//! The rules that span two settings, written once: the idle warning comes before the idle
//! timeout, and the home page is within the allowed sites. Three places apply them, each in its
//! own way: a change that would break one is refused (`check_change`), a policy file that breaks
//! one holds the key that gives way at its strictest, which agrees with any value of the other
//! (with a problem naming its line), and the typed settings repair a stored pair that disagrees.

use super::SettingError;
use crate::sites::site_allowed;

/// One rule between two settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CrossRule {
    /// `idle_warning` < `idle_timeout`.
    WarningBeforeTimeout,
    /// `home_page` empty or within `allowed_sites`.
    HomeWithinSites,
}

impl CrossRule {
    /// Every rule.
    pub const ALL: [CrossRule; 2] = [Self::WarningBeforeTimeout, Self::HomeWithinSites];

    /// The two keys the rule ties, the one that gives way first.
    pub fn keys(self) -> [&'static str; 2] {
        match self {
            Self::WarningBeforeTimeout => ["idle_warning", "idle_timeout"],
            Self::HomeWithinSites => ["home_page", "allowed_sites"],
        }
    }

    /// The key that gives way when the two disagree.
    pub fn yielding_key(self) -> &'static str {
        self.keys()[0]
    }

    /// Checks the rule on canonical values (`get` answers `None` for a key without one: then
    /// there is nothing to disagree with).
    pub fn check(self, get: impl Fn(&str) -> Option<String>) -> Result<(), SettingError> {
        let [a, b] = self.keys();
        let (Some(a), Some(b)) = (get(a), get(b)) else {
            return Ok(());
        };
        match self {
            Self::WarningBeforeTimeout => {
                let (Ok(warning), Ok(timeout)) = (a.parse::<u64>(), b.parse::<u64>()) else {
                    return Ok(());
                };
                if warning >= timeout {
                    return Err(SettingError::WarningNotBeforeTimeout { warning, timeout });
                }
            }
            Self::HomeWithinSites => {
                if !a.is_empty() && !site_allowed(&site_list(&b), &a) {
                    return Err(SettingError::HomeNotAllowed(a));
                }
            }
        }
        Ok(())
    }
}

/// The entries of an `allowed_sites` value (canonical: comma-separated).
pub fn site_list(value: &str) -> Vec<String> {
    value
        .split(',')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn values(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn each_rule_checks_its_pair_and_only_when_both_are_there() {
        let get = |v: &BTreeMap<String, String>| {
            let v = v.clone();
            move |k: &str| v.get(k).cloned()
        };
        let rule = CrossRule::WarningBeforeTimeout;
        assert!(rule
            .check(get(&values(&[
                ("idle_warning", "60"),
                ("idle_timeout", "300")
            ])))
            .is_ok());
        assert!(rule
            .check(get(&values(&[
                ("idle_warning", "300"),
                ("idle_timeout", "300")
            ])))
            .is_err());
        assert!(rule.check(get(&values(&[("idle_warning", "900")]))).is_ok());
        let rule = CrossRule::HomeWithinSites;
        let sites = "https://catalogue.example.org";
        assert!(rule
            .check(get(&values(&[
                ("home_page", "https://catalogue.example.org/start"),
                ("allowed_sites", sites)
            ])))
            .is_ok());
        assert!(matches!(
            rule.check(get(&values(&[
                ("home_page", "https://elsewhere.example/"),
                ("allowed_sites", sites)
            ]))),
            Err(SettingError::HomeNotAllowed(_))
        ));
        assert!(rule
            .check(get(&values(&[("home_page", ""), ("allowed_sites", sites)])))
            .is_ok());
        assert_eq!(rule.yielding_key(), "home_page");
    }
}
