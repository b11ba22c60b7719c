//! Site rules for the kiosk's browser: which entries `allowed_sites` accepts and their canonical
//! form, whether an address is within the allowed sites, and where the browser opens. A leaf:
//! it knows nothing of settings or storage.

use super::phrase::Phrase;

/// One entry of `allowed_sites`, checked and made canonical (lower case, no trailing slash).
pub fn canonical_site(entry: &str) -> Result<String, Phrase> {
    let quoted = format!("{entry:?}");
    let e = entry.trim().to_ascii_lowercase();
    let e = e.strip_suffix('/').unwrap_or(&e);
    if let Some(rest) = e.strip_prefix("*.") {
        return if valid_host(rest) && rest.contains('.') {
            Ok(e.to_owned())
        } else {
            Err(
                Phrase::new("{entry} is not a host pattern like *.gov.example.")
                    .text("entry", quoted),
            )
        };
    }
    if e.contains("://") {
        let u = url::Url::parse(e).map_err(|_| {
            Phrase::new("{entry} is not a site address.").text("entry", quoted.clone())
        })?;
        if !matches!(u.scheme(), "http" | "https")
            || u.host_str().is_none()
            || u.path() != "/"
            || u.query().is_some()
            || !u.username().is_empty()
        {
            return Err(Phrase::new(
                "{entry} must be an origin like https://catalogue.example.org (no path).",
            )
            .text("entry", quoted));
        }
        return Ok(u.origin().ascii_serialization());
    }
    let (host, port) = e.split_once(':').unwrap_or((e, ""));
    if valid_host(host) && (port.is_empty() || port.parse::<u16>().is_ok_and(|p| p > 0)) {
        Ok(e.to_owned())
    } else {
        Err(Phrase::new(
            "{entry} is not a site: write an origin (https://catalogue.example.org), a host, or a pattern (*.gov.example).",
        )
        .text("entry", quoted))
    }
}

fn valid_host(h: &str) -> bool {
    !h.is_empty()
        && h.len() <= 253
        && h.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        })
}

/// Whether `address` is within `sites` (canonical entries of `allowed_sites`): an origin matches
/// exactly; a host (with an optional port) matches on http and https; `*.example.org` matches
/// any host under example.org (not example.org itself).
pub fn site_allowed(sites: &[String], address: &str) -> bool {
    let Ok(u) = url::Url::parse(address) else {
        return false;
    };
    if !matches!(u.scheme(), "http" | "https") {
        return false;
    }
    let Some(host) = u.host_str() else {
        return false;
    };
    let origin = u.origin().ascii_serialization();
    let port = u.port_or_known_default();
    sites.iter().any(|site| {
        if site.contains("://") {
            *site == origin
        } else if let Some(domain) = site.strip_prefix("*.") {
            host.len() > domain.len()
                && host.ends_with(domain)
                && host.as_bytes()[host.len() - domain.len() - 1] == b'.'
        } else {
            match site.split_once(':') {
                Some((h, p)) => h == host && p.parse::<u16>().ok() == port,
                None => site == host,
            }
        }
    })
}

/// Where a browser restricted to `sites` opens: `home_page` when set (it is within the sites),
/// otherwise the first site that names one place (an origin, or a host over https); empty when
/// every site is a pattern.
pub fn browser_home(sites: &[String], home_page: &str) -> String {
    if !home_page.is_empty() {
        return home_page.to_owned();
    }
    sites
        .iter()
        .find(|s| !s.starts_with("*."))
        .map(|s| {
            if s.contains("://") {
                format!("{s}/")
            } else {
                format!("https://{s}/")
            }
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_browser_opens_at_the_home_page_or_the_first_site_that_names_one_place() {
        let sites = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        let list = sites(&[
            "*.gov.example",
            "catalogue.example.org",
            "https://jobs.example",
        ]);
        assert_eq!(browser_home(&list, ""), "https://catalogue.example.org/");
        assert_eq!(
            browser_home(&list, "https://jobs.example/apply"),
            "https://jobs.example/apply"
        );
        assert_eq!(
            browser_home(&sites(&["http://127.0.0.1:8080"]), ""),
            "http://127.0.0.1:8080/"
        );
        assert_eq!(browser_home(&sites(&["*.gov.example"]), ""), "");
        // What the browser checks every navigation against.
        assert!(site_allowed(&list, "https://www.gov.example/form"));
        assert!(!site_allowed(&list, "https://gov.example/"));
        assert!(site_allowed(&list, "http://catalogue.example.org/x"));
        assert!(!site_allowed(&list, "http://jobs.example/"));
        assert!(!site_allowed(&list, "file:///etc/passwd"));
        assert!(!site_allowed(&list, "javascript:alert(1)"));
    }
}
