//! Site rules for the kiosk's browser, in one place for the navigations the shell allows and the
//! connections its gate lets through: which entries `allowed_sites` accepts and their canonical
//! form, the parsed rules ([`AllowedSites`]), whether an address or an endpoint (host, port and
//! scheme) is within them, which network addresses are private ([`is_private`]) and may be
//! reached only when listed, and where the browser opens. A leaf: it knows nothing of settings or
//! storage.
//!
//! An entry names a scheme, a host (or `*.domain`, any host under the domain) and a port. Without
//! a scheme it means https; without a port, the scheme's default: `catalogue.example.org` is
//! `https://catalogue.example.org` (port 443), and plain http or another port is allowed only
//! when written out (`http://127.0.0.1:8080`).
//!
//! ```
//! use slate_core::sites::{canonical_site, AllowedSites, Scheme};
//! assert_eq!(canonical_site("Catalogue.Example.org").unwrap(), "https://catalogue.example.org");
//! let sites = AllowedSites::parse(&["https://catalogue.example.org".into(), "*.gov.example".into()]);
//! assert!(sites.allows("https://catalogue.example.org/search?q=x"));
//! assert!(!sites.allows("http://catalogue.example.org/"));
//! assert_eq!(sites.schemes("forms.gov.example", 443), vec![Scheme::Https]);
//! assert!(sites.schemes("forms.gov.example", 80).is_empty());
//! ```

use std::net::IpAddr;

use super::phrase::Phrase;

/// The schemes a site can be allowed over. (A WebSocket starts as a request of its page's kind:
/// `ws` goes where `http` may, `wss` where `https` may.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Scheme {
    Http,
    Https,
}

impl Scheme {
    fn parse(name: &str) -> Option<Self> {
        match name {
            "http" => Some(Self::Http),
            "https" => Some(Self::Https),
            _ => None,
        }
    }

    /// Its name in an address.
    pub fn name(self) -> &'static str {
        match self {
            Self::Http => "http",
            Self::Https => "https",
        }
    }

    /// The port an address of this scheme means when it names none.
    pub fn default_port(self) -> u16 {
        match self {
            Self::Http => 80,
            Self::Https => 443,
        }
    }
}

/// Which hosts an entry covers.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Hosts {
    /// One host: a name, or an IP address written as one.
    Exact(url::Host<String>),
    /// Every host under this domain (`*.gov.example`: `forms.gov.example`, not `gov.example`).
    Under(String),
}

/// One entry of `allowed_sites`, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Rule {
    scheme: Scheme,
    hosts: Hosts,
    port: u16,
}

impl Rule {
    fn covers_host(&self, host: &url::Host<String>) -> bool {
        match (&self.hosts, host) {
            (Hosts::Exact(h), _) => h == host,
            (Hosts::Under(domain), url::Host::Domain(name)) => {
                name.len() > domain.len()
                    && name.ends_with(domain.as_str())
                    && name.as_bytes()[name.len() - domain.len() - 1] == b'.'
            }
            (Hosts::Under(_), _) => false,
        }
    }
}

/// One entry of `allowed_sites`, checked and made canonical: lower case, its scheme written
/// (`https://` when none was), its port only when not the scheme's default, no trailing slash;
/// a pattern over https on 443 stays `*.domain`.
pub fn canonical_site(entry: &str) -> Result<String, Phrase> {
    let rule = parse_entry(entry)?;
    let port = if rule.port == rule.scheme.default_port() {
        String::new()
    } else {
        format!(":{}", rule.port)
    };
    Ok(match rule.hosts {
        Hosts::Under(domain) if rule.scheme == Scheme::Https && port.is_empty() => {
            format!("*.{domain}")
        }
        Hosts::Under(domain) => format!("{}://*.{domain}{port}", rule.scheme.name()),
        Hosts::Exact(host) => format!("{}://{host}{port}", rule.scheme.name()),
    })
}

fn parse_entry(entry: &str) -> Result<Rule, Phrase> {
    let quoted = format!("{entry:?}");
    let e = entry.trim().to_ascii_lowercase();
    let e = e.strip_suffix('/').unwrap_or(&e);
    let (scheme, rest) = match e.split_once("://") {
        Some((name, rest)) => match Scheme::parse(name) {
            Some(s) => (s, rest),
            None => {
                return Err(Phrase::new(
                    "{entry} must be an origin like https://catalogue.example.org (no path).",
                )
                .text("entry", quoted))
            }
        },
        None => (Scheme::Https, e),
    };
    if let Some(pattern) = rest.strip_prefix("*.") {
        let (domain, port) = split_port(pattern).ok_or_else(|| not_a_pattern(&quoted))?;
        return if valid_host(domain) && domain.contains('.') {
            Ok(Rule {
                scheme,
                hosts: Hosts::Under(domain.to_owned()),
                port: port.unwrap_or(scheme.default_port()),
            })
        } else {
            Err(not_a_pattern(&quoted))
        };
    }
    let not_a_site = || {
        Phrase::new(
            "{entry} is not a site: write an origin (https://catalogue.example.org), a host, or a pattern (*.gov.example).",
        )
        .text("entry", quoted.clone())
    };
    let u = url::Url::parse(&format!("{}://{rest}", scheme.name())).map_err(|_| not_a_site())?;
    if u.path() != "/" || u.query().is_some() || u.fragment().is_some() || !u.username().is_empty()
    {
        return Err(Phrase::new(
            "{entry} must be an origin like https://catalogue.example.org (no path).",
        )
        .text("entry", quoted));
    }
    let host = u.host().ok_or_else(not_a_site)?.to_owned();
    if matches!(&host, url::Host::Domain(d) if !valid_host(d)) || u.port() == Some(0) {
        return Err(not_a_site());
    }
    Ok(Rule {
        scheme,
        hosts: Hosts::Exact(host),
        port: u.port().unwrap_or(scheme.default_port()),
    })
}

fn not_a_pattern(quoted: &str) -> Phrase {
    Phrase::new("{entry} is not a host pattern like *.gov.example.").text("entry", quoted)
}

/// `host[:port]` split; `None` when the port is not a number from 1 to 65535.
fn split_port(text: &str) -> Option<(&str, Option<u16>)> {
    match text.split_once(':') {
        None => Some((text, None)),
        Some((host, port)) => port
            .parse::<u16>()
            .ok()
            .filter(|p| *p > 0)
            .map(|p| (host, Some(p))),
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

/// The allowed sites of a session, parsed once from the canonical entries of `allowed_sites`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AllowedSites {
    rules: Vec<Rule>,
}

impl AllowedSites {
    /// The rules of canonical entries (an entry that does not parse, which validation never
    /// lets through, is left out: it allows nothing).
    pub fn parse(entries: &[String]) -> Self {
        Self {
            rules: entries.iter().filter_map(|e| parse_entry(e).ok()).collect(),
        }
    }

    /// Whether the page at `address` is within the sites: its scheme (http or https), host and
    /// port (the scheme's default when it names none) are those of an entry.
    pub fn allows(&self, address: &str) -> bool {
        let Ok(u) = url::Url::parse(address) else {
            return false;
        };
        let (Some(scheme), Some(host), Some(port)) = (
            Scheme::parse(u.scheme()),
            u.host(),
            u.port_or_known_default(),
        ) else {
            return false;
        };
        let host = host.to_owned();
        self.rules
            .iter()
            .any(|r| r.scheme == scheme && r.port == port && r.covers_host(&host))
    }

    /// The schemes over which a connection to `host` (a name, or an IP address) on `port` is
    /// allowed: empty when it is not. A connection says its scheme by its first bytes (TLS or
    /// not), which the gate checks against these.
    pub fn schemes(&self, host: &str, port: u16) -> Vec<Scheme> {
        let host = match host.parse::<IpAddr>() {
            Ok(IpAddr::V4(a)) => url::Host::Ipv4(a),
            Ok(IpAddr::V6(a)) => url::Host::Ipv6(a),
            Err(_) => match url::Host::parse(host.trim_end_matches('.')) {
                Ok(h) => h,
                Err(_) => return Vec::new(),
            },
        };
        let mut out: Vec<Scheme> = self
            .rules
            .iter()
            .filter(|r| r.port == port && r.covers_host(&host))
            .map(|r| r.scheme)
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Whether the gate may connect to `ip` on `port` for an allowed endpoint: a public address,
    /// or a private one ([`is_private`]) that an entry names itself, with that port. So a public
    /// name that resolves to the library's network, or to the machine itself, reaches nothing.
    pub fn address_allowed(&self, ip: IpAddr, port: u16) -> bool {
        let ip = ip.to_canonical();
        !is_private(ip)
            || self.rules.iter().any(|r| {
                r.port == port
                    && match &r.hosts {
                        Hosts::Exact(url::Host::Ipv4(a)) => IpAddr::V4(*a) == ip,
                        Hosts::Exact(url::Host::Ipv6(a)) => IpAddr::V6(*a).to_canonical() == ip,
                        _ => false,
                    }
            })
    }
}

/// Whether `ip` is not a public unicast address: loopback, private networks (RFC 1918), shared
/// address space (100.64.0.0/10), link-local, this network (0.0.0.0/8), multicast, broadcast and
/// other reserved IPv4 ranges; IPv6 loopback, unspecified, unique local (`fc00::/7`), link-local
/// and site-local, multicast, and IPv4 addresses inside IPv6 (mapped, NAT64) that are private.
pub fn is_private(ip: IpAddr) -> bool {
    match ip.to_canonical() {
        IpAddr::V4(v4) => {
            let [a, b, c, _] = v4.octets();
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_multicast()
                || v4.is_broadcast()
                || a == 0
                || (a == 100 && (64..128).contains(&b))
                || (a == 192 && b == 0 && c == 0)
                || (a == 198 && (18..20).contains(&b))
                || a >= 240
        }
        IpAddr::V6(v6) => {
            let s = v6.segments();
            let embedded_v4 = || {
                let [.., x, y] = s;
                IpAddr::V4(std::net::Ipv4Addr::from(
                    (u32::from(x) << 16) | u32::from(y),
                ))
            };
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (s[0] & 0xfe00) == 0xfc00
                || (s[0] & 0xffc0) == 0xfe80
                || (s[0] & 0xffc0) == 0xfec0
                || (s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] && is_private(embedded_v4()))
                || (s[..6] == [0, 0, 0, 0, 0, 0] && is_private(embedded_v4()))
        }
    }
}

/// Whether `address` is within `sites` (canonical entries of `allowed_sites`): see
/// [`AllowedSites::allows`].
pub fn site_allowed(sites: &[String], address: &str) -> bool {
    AllowedSites::parse(sites).allows(address)
}

/// Where a browser restricted to `sites` opens: `home_page` when set (it is within the sites),
/// otherwise the first site that names one place; empty when every site is a pattern.
pub fn browser_home(sites: &[String], home_page: &str) -> String {
    if !home_page.is_empty() {
        return home_page.to_owned();
    }
    sites
        .iter()
        .filter_map(|s| parse_entry(s).ok().zip(Some(s)))
        .find(|(rule, _)| matches!(rule.hosts, Hosts::Exact(_)))
        .map(|(_, s)| format!("{s}/"))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| canonical_site(s).unwrap()).collect()
    }

    #[test]
    fn an_entry_without_a_scheme_means_https_on_its_default_port() {
        for (entry, canonical) in [
            ("catalogue.example.org", "https://catalogue.example.org"),
            ("Catalogue.Example.org/", "https://catalogue.example.org"),
            ("catalogue.example.org:443", "https://catalogue.example.org"),
            (
                "catalogue.example.org:8443",
                "https://catalogue.example.org:8443",
            ),
            ("127.0.0.1:8080", "https://127.0.0.1:8080"),
            ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
            (
                "http://catalogue.example.org:80",
                "http://catalogue.example.org",
            ),
            ("https://[::1]:8443", "https://[::1]:8443"),
            ("*.gov.example", "*.gov.example"),
            ("https://*.gov.example", "*.gov.example"),
            ("http://*.gov.example", "http://*.gov.example"),
            ("*.gov.example:8443", "https://*.gov.example:8443"),
        ] {
            assert_eq!(canonical_site(entry).unwrap(), canonical, "{entry}");
            // Canonical entries are canonical again.
            assert_eq!(canonical_site(canonical).unwrap(), canonical, "{canonical}");
        }
        for bad in [
            "https://a.org/path",
            "https://a.org/?q",
            "ftp://a.org",
            "ws://a.org",
            "https://user@a.org",
            "*.org",
            "*.",
            "*.gov.example:0",
            "*.gov.example:x",
            "a b",
            "a_b.org",
            "x.org:0",
            "x.org:65536",
            "",
        ] {
            assert!(canonical_site(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn addresses_match_scheme_host_and_port() {
        let sites = AllowedSites::parse(&list(&[
            "catalogue.example.org",
            "*.gov.example",
            "http://127.0.0.1:8080",
            "https://jobs.example:8443",
        ]));
        for ok in [
            "https://catalogue.example.org/search?q=x",
            "https://catalogue.example.org:443/",
            "https://forms.gov.example/apply",
            "https://a.b.gov.example/",
            "http://127.0.0.1:8080/page",
            "https://jobs.example:8443/",
        ] {
            assert!(sites.allows(ok), "{ok}");
        }
        for refused in [
            "http://catalogue.example.org/",
            "https://catalogue.example.org:8443/",
            "https://catalogue.example.org.evil.test/",
            "https://gov.example/",
            "http://forms.gov.example/",
            "https://evilgov.example/",
            "https://127.0.0.1:8080/",
            "http://127.0.0.1:8081/",
            "http://localhost:8080/",
            "https://jobs.example/",
            "wss://catalogue.example.org/",
            "file:///etc/passwd",
            "data:text/html,hi",
            "javascript:alert(1)",
            "not an address",
        ] {
            assert!(!sites.allows(refused), "{refused}");
        }
    }

    #[test]
    fn an_endpoint_is_allowed_over_the_schemes_its_entries_name() {
        let sites = AllowedSites::parse(&list(&[
            "catalogue.example.org",
            "http://catalogue.example.org:443",
            "*.gov.example",
            "http://127.0.0.1:8080",
        ]));
        assert_eq!(
            sites.schemes("catalogue.example.org", 443),
            [Scheme::Http, Scheme::Https]
        );
        assert_eq!(sites.schemes("CATALOGUE.example.org.", 443).len(), 2);
        assert!(sites.schemes("catalogue.example.org", 80).is_empty());
        assert_eq!(sites.schemes("forms.gov.example", 443), [Scheme::Https]);
        assert_eq!(sites.schemes("127.0.0.1", 8080), [Scheme::Http]);
        assert!(sites.schemes("127.0.0.1", 8081).is_empty());
        assert!(sites.schemes("localhost", 8080).is_empty());
        assert!(
            sites.schemes("127.1", 8080).len() == 1,
            "127.1 is 127.0.0.1"
        );
        assert!(sites.schemes("", 443).is_empty());
        assert!(sites.schemes("a b", 443).is_empty());
        let v6 = AllowedSites::parse(&list(&["https://[fd00::5]"]));
        assert_eq!(v6.schemes("fd00::5", 443), [Scheme::Https]);
    }

    #[test]
    fn private_addresses_are_reached_only_when_an_entry_names_them() {
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        for private in [
            "127.0.0.1",
            "127.8.9.10",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "0.1.2.3",
            "224.0.0.1",
            "255.255.255.255",
            "::1",
            "::",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "ff02::1",
            "::ffff:127.0.0.1",
            "::ffff:192.168.0.1",
            "64:ff9b::10.0.0.1",
        ] {
            assert!(is_private(ip(private)), "{private}");
        }
        for public in [
            "93.184.216.34",
            "172.32.0.1",
            "100.128.0.1",
            "2001:db8::1",
            "2606:4700::1111",
            "::ffff:93.184.216.34",
            "64:ff9b::93.184.216.34",
        ] {
            assert!(!is_private(ip(public)), "{public}");
        }
        let sites = AllowedSites::parse(&list(&[
            "https://catalogue.example.org",
            "http://127.0.0.1:8080",
            "https://[fd00::5]",
        ]));
        assert!(sites.address_allowed(ip("93.184.216.34"), 443));
        assert!(sites.address_allowed(ip("127.0.0.1"), 8080));
        assert!(sites.address_allowed(ip("::ffff:127.0.0.1"), 8080));
        assert!(
            !sites.address_allowed(ip("127.0.0.1"), 8081),
            "another port"
        );
        assert!(!sites.address_allowed(ip("127.0.0.2"), 8080));
        assert!(!sites.address_allowed(ip("10.0.0.5"), 443));
        assert!(sites.address_allowed(ip("fd00::5"), 443));
        assert!(!sites.address_allowed(ip("fd00::5"), 8443));
    }

    #[test]
    fn the_browser_opens_at_the_home_page_or_the_first_site_that_names_one_place() {
        let sites = list(&[
            "*.gov.example",
            "catalogue.example.org",
            "https://jobs.example",
        ]);
        assert_eq!(browser_home(&sites, ""), "https://catalogue.example.org/");
        assert_eq!(
            browser_home(&sites, "https://jobs.example/apply"),
            "https://jobs.example/apply"
        );
        assert_eq!(
            browser_home(&list(&["http://127.0.0.1:8080"]), ""),
            "http://127.0.0.1:8080/"
        );
        assert_eq!(browser_home(&list(&["*.gov.example"]), ""), "");
        assert!(site_allowed(&sites, "https://www.gov.example/form"));
        assert!(!site_allowed(&sites, "http://catalogue.example.org/x"));
    }
}
