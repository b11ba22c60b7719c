//! The gate of the session's browser: a SOCKS5 proxy on the loopback interface, one per session,
//! through which `WebKit`'s network process makes every connection of the session's browser
//! (the browser's data manager names it as the proxy of every scheme and host, with no
//! exceptions, [`Gate::proxy_uri`]). Pages and their subresources, fetch and XHR, `WebSockets`,
//! `EventSource`, beacons, frames, workers, prefetches and the redirects of any of them all become
//! connections the gate checks, outside the page and outside the web process:
//!
//! - **The endpoint** (host and port) must be one of the allowed sites
//!   ([`AllowedSites::schemes`]).
//! - **The address.** The gate resolves a name itself and connects only to an address it
//!   checked ([`AllowedSites::address_allowed`]): a private one (loopback, the library's network,
//!   link-local, unique local) only when an entry names it, so no name leads the browser to the
//!   router or the machine itself, and no second lookup can change the answer.
//! - **The scheme.** The browser's first bytes say whether it speaks TLS: plain http goes only
//!   where an entry writes `http://`, TLS only where one allows https. While the page shown is
//!   https, plain http goes nowhere but to the page the person just asked for (no mixed content).
//! - **Nobody else.** It asks for a user name and password made for the session, so no other
//!   program on the machine can use it; it closes with the session's browser.
//!
//! A refused connection is logged by host and port only: the gate never sees a path or a query
//! (TLS hides them, and a refusal comes before any request is read). Nothing leaves the machine
//! for a refused connection: the server never sees it.

use std::fmt::Write as _;
use std::io::Read as _;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

use slate_core::sites::{AllowedSites, Scheme};

/// How long a browser may take to say anything, and a site to answer a connection.
const PATIENCE: Duration = Duration::from_secs(30);

/// A session's gate, listening until it is dropped.
pub struct Gate {
    port: u16,
    user: String,
    password: String,
    page: Arc<PageShown>,
    closed: watch::Sender<bool>,
}

/// What the page shown means for plain http (the shell tells the gate).
#[derive(Default)]
struct PageShown {
    /// The page shown is https: plain http would be mixed content.
    secure: AtomicBool,
    /// The host and port of the plain-http page the person just asked for, let through anyway.
    asked: Mutex<Option<(String, u16)>>,
}

/// Why the gate refused a connection (logged with its host and port).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Refusal {
    NotAllowed,
    PrivateAddress,
    WrongScheme,
    MixedContent,
}

impl Refusal {
    fn why(self) -> &'static str {
        match self {
            Self::NotAllowed => "not an allowed site",
            Self::PrivateAddress => "a private address no entry names",
            Self::WrongScheme => "a scheme no entry allows there",
            Self::MixedContent => "plain http under an https page",
        }
    }
}

struct Shared {
    sites: AllowedSites,
    user: String,
    password: String,
    page: Arc<PageShown>,
}

impl Gate {
    /// Opens a gate to `sites` on a free port of 127.0.0.1. It runs on Tauri's async runtime
    /// until dropped.
    pub fn open(sites: AllowedSites) -> std::io::Result<Self> {
        let listener = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
        listener.set_nonblocking(true)?;
        let port = listener.local_addr()?.port();
        let (user, password) = (secret()?, secret()?);
        let page = Arc::new(PageShown::default());
        let shared = Arc::new(Shared {
            sites,
            user: user.clone(),
            password: password.clone(),
            page: Arc::clone(&page),
        });
        let (closed, on_close) = watch::channel(false);
        tauri::async_runtime::spawn(async move {
            let listener = match TcpListener::from_std(listener) {
                Ok(l) => l,
                Err(e) => {
                    tracing::error!("the browser's gate cannot listen: {e}");
                    return;
                }
            };
            let mut stop = on_close.clone();
            loop {
                tokio::select! {
                    accepted = listener.accept() => match accepted {
                        Ok((stream, _)) => {
                            let (shared, mut stop) = (Arc::clone(&shared), on_close.clone());
                            tauri::async_runtime::spawn(async move {
                                tokio::select! {
                                    () = serve(stream, &shared) => {}
                                    _ = stop.changed() => {}
                                }
                            });
                        }
                        Err(e) => {
                            tracing::warn!("the browser's gate missed a connection: {e}");
                            tokio::time::sleep(Duration::from_millis(50)).await;
                        }
                    },
                    _ = stop.changed() => return,
                }
            }
        });
        tracing::info!(port, "the browser's gate is open");
        Ok(Self {
            port,
            user,
            password,
            page,
            closed,
        })
    }

    /// The proxy the browser's network process must use for everything.
    pub fn proxy_uri(&self) -> String {
        format!(
            "socks5://{}:{}@127.0.0.1:{}",
            self.user, self.password, self.port
        )
    }

    /// The page shown now (its address): while it is https, plain http is mixed content.
    pub fn page_shown(&self, address: &str) {
        self.page
            .secure
            .store(address.starts_with("https:"), Ordering::SeqCst);
    }

    /// The person asked for `address` (a link, a form, Back): a plain-http page they asked for
    /// may load even while an https page is still shown.
    pub fn person_asked_for(&self, address: &str) {
        let endpoint = url::Url::parse(address).ok().and_then(|u| {
            let host = match u.host()? {
                url::Host::Ipv6(a) => a.to_string(),
                h => h.to_string(),
            };
            (u.scheme() == "http").then_some((host, u.port_or_known_default()?))
        });
        if let Ok(mut asked) = self.page.asked.lock() {
            *asked = endpoint;
        }
    }
}

impl Drop for Gate {
    fn drop(&mut self) {
        let _ = self.closed.send(true);
        tracing::info!("the browser's gate is closed");
    }
}

/// 16 random bytes as hex, for the gate's user name and password.
fn secret() -> std::io::Result<String> {
    let mut bytes = [0u8; 16];
    std::fs::File::open("/dev/urandom")?.read_exact(&mut bytes)?;
    Ok(bytes.iter().fold(String::new(), |mut hex, b| {
        let _ = write!(hex, "{b:02x}");
        hex
    }))
}

/// Where the browser asks to go.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Target {
    host: String,
    port: u16,
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.host.contains(':') {
            write!(f, "[{}]:{}", self.host, self.port)
        } else {
            write!(f, "{}:{}", self.host, self.port)
        }
    }
}

// SOCKS5 (RFC 1928) with a user name and password (RFC 1929): the parts the gate speaks.
const VERSION: u8 = 5;
const USER_PASSWORD: u8 = 2;
const NO_METHOD: u8 = 0xff;
const CONNECT: u8 = 1;
const REPLY_OK: u8 = 0;
const REPLY_REFUSED_BY_RULES: u8 = 2;
const REPLY_HOST_UNREACHABLE: u8 = 4;
const REPLY_COMMAND_NOT_SUPPORTED: u8 = 7;
const REPLY_ADDRESS_NOT_SUPPORTED: u8 = 8;

/// One connection from the browser, to its end.
async fn serve(mut browser: TcpStream, shared: &Shared) {
    if let Ok(Ok(Some(mut site))) =
        tokio::time::timeout(PATIENCE, handshake(&mut browser, shared)).await
    {
        let _ = tokio::io::copy_bidirectional(&mut browser, &mut site).await;
    }
}

/// The handshake, the checks and the connection to the site: `Some` when the two may talk.
async fn handshake(browser: &mut TcpStream, shared: &Shared) -> std::io::Result<Option<TcpStream>> {
    // Greeting: only the user name and password method.
    let [version, count] = read_array::<2>(browser).await?;
    let mut methods = vec![0u8; usize::from(count)];
    browser.read_exact(&mut methods).await?;
    if version != VERSION || !methods.contains(&USER_PASSWORD) {
        browser.write_all(&[VERSION, NO_METHOD]).await?;
        return Ok(None);
    }
    browser.write_all(&[VERSION, USER_PASSWORD]).await?;
    let [_, user_len] = read_array::<2>(browser).await?;
    let mut user = vec![0u8; usize::from(user_len)];
    browser.read_exact(&mut user).await?;
    let [password_len] = read_array::<1>(browser).await?;
    let mut password = vec![0u8; usize::from(password_len)];
    browser.read_exact(&mut password).await?;
    if user != shared.user.as_bytes() || password != shared.password.as_bytes() {
        browser.write_all(&[1, 1]).await?;
        tracing::warn!("the browser's gate refused a client without its password");
        return Ok(None);
    }
    browser.write_all(&[1, 0]).await?;

    // The request.
    let [version, command, _, kind] = read_array::<4>(browser).await?;
    let host = match kind {
        1 => IpAddr::from(read_array::<4>(browser).await?).to_string(),
        4 => IpAddr::from(read_array::<16>(browser).await?).to_string(),
        3 => {
            let [len] = read_array::<1>(browser).await?;
            let mut name = vec![0u8; usize::from(len)];
            browser.read_exact(&mut name).await?;
            String::from_utf8_lossy(&name).to_ascii_lowercase()
        }
        _ => {
            reply(browser, REPLY_ADDRESS_NOT_SUPPORTED).await?;
            return Ok(None);
        }
    };
    let port = u16::from_be_bytes(read_array::<2>(browser).await?);
    if version != VERSION || command != CONNECT {
        reply(browser, REPLY_COMMAND_NOT_SUPPORTED).await?;
        return Ok(None);
    }
    let target = Target { host, port };

    // The endpoint, then the addresses.
    let schemes = shared.sites.schemes(&target.host, target.port);
    if schemes.is_empty() {
        refuse(&target, None, Refusal::NotAllowed);
        reply(browser, REPLY_REFUSED_BY_RULES).await?;
        return Ok(None);
    }
    let Some(addresses) = resolve(&target).await else {
        tracing::debug!(to = %target, "the browser's gate cannot resolve a host");
        reply(browser, REPLY_HOST_UNREACHABLE).await?;
        return Ok(None);
    };
    let addresses: Vec<SocketAddr> = addresses
        .into_iter()
        .filter(|a| shared.sites.address_allowed(a.ip(), target.port))
        .collect();
    if addresses.is_empty() {
        refuse(&target, None, Refusal::PrivateAddress);
        reply(browser, REPLY_REFUSED_BY_RULES).await?;
        return Ok(None);
    }

    // The scheme, from the browser's first bytes, before anything reaches the site.
    reply(browser, REPLY_OK).await?;
    let mut first = [0u8; 1];
    if browser.peek(&mut first).await? == 0 {
        return Ok(None);
    }
    let scheme = if first[0] == 0x16 {
        Scheme::Https
    } else {
        Scheme::Http
    };
    if !schemes.contains(&scheme) {
        refuse(&target, Some(scheme), Refusal::WrongScheme);
        return Ok(None);
    }
    if scheme == Scheme::Http && shared.page.secure.load(Ordering::SeqCst) {
        let asked = shared
            .page
            .asked
            .lock()
            .ok()
            .and_then(|a| a.clone())
            .is_some_and(|(host, port)| host == target.host && port == target.port);
        if !asked {
            refuse(&target, Some(scheme), Refusal::MixedContent);
            return Ok(None);
        }
    }
    for address in addresses {
        if let Ok(Ok(site)) = tokio::time::timeout(PATIENCE, TcpStream::connect(address)).await {
            return Ok(Some(site));
        }
    }
    tracing::info!(to = %target, "the browser's gate could not reach a site");
    Ok(None)
}

/// The addresses of the target (itself when it is an address); `None` when the name does not
/// resolve.
async fn resolve(target: &Target) -> Option<Vec<SocketAddr>> {
    if let Ok(ip) = target.host.parse::<IpAddr>() {
        return Some(vec![SocketAddr::new(ip, target.port)]);
    }
    let found: Vec<SocketAddr> = tokio::net::lookup_host((target.host.as_str(), target.port))
        .await
        .ok()?
        .collect();
    (!found.is_empty()).then_some(found)
}

fn refuse(target: &Target, scheme: Option<Scheme>, why: Refusal) {
    let to = match scheme {
        Some(s) => format!("{}://{target}", s.name()),
        None => target.to_string(),
    };
    tracing::info!(%to, why = why.why(), "the browser's gate refused a connection");
}

async fn reply(browser: &mut TcpStream, code: u8) -> std::io::Result<()> {
    browser
        .write_all(&[VERSION, code, 0, 1, 0, 0, 0, 0, 0, 0])
        .await
}

async fn read_array<const N: usize>(stream: &mut TcpStream) -> std::io::Result<[u8; N]> {
    let mut buf = [0u8; N];
    stream.read_exact(&mut buf).await?;
    Ok(buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A site that counts the connections it accepts and answers each with "hello".
    async fn site() -> (u16, Arc<std::sync::atomic::AtomicUsize>) {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let seen = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let count = Arc::clone(&seen);
        tokio::spawn(async move {
            while let Ok((mut s, _)) = listener.accept().await {
                count.fetch_add(1, Ordering::SeqCst);
                let _ = s.write_all(b"hello").await;
            }
        });
        (port, seen)
    }

    /// Connects through the gate to `host:port` (a name, or an address) with `credentials`,
    /// sends `first`, and returns the gate's reply code and what came back.
    async fn through(
        gate: &Gate,
        (user, password): (&str, &str),
        host: &str,
        port: u16,
        first: &[u8],
    ) -> (u8, Vec<u8>) {
        let mut s = TcpStream::connect((Ipv4Addr::LOCALHOST, gate.port))
            .await
            .unwrap();
        s.write_all(&[5, 1, 2]).await.unwrap();
        let mut choice = [0u8; 2];
        s.read_exact(&mut choice).await.unwrap();
        if choice[1] != 2 {
            return (choice[1], Vec::new());
        }
        let mut auth = vec![1, u8::try_from(user.len()).unwrap()];
        auth.extend(user.as_bytes());
        auth.push(u8::try_from(password.len()).unwrap());
        auth.extend(password.as_bytes());
        s.write_all(&auth).await.unwrap();
        let mut answer = [0u8; 2];
        s.read_exact(&mut answer).await.unwrap();
        if answer[1] != 0 {
            return (0xfe, Vec::new());
        }
        let mut request = vec![5, 1, 0];
        match host.parse::<IpAddr>() {
            Ok(IpAddr::V4(a)) => {
                request.push(1);
                request.extend(a.octets());
            }
            Ok(IpAddr::V6(a)) => {
                request.push(4);
                request.extend(a.octets());
            }
            Err(_) => {
                request.extend([3, u8::try_from(host.len()).unwrap()]);
                request.extend(host.as_bytes());
            }
        }
        request.extend(port.to_be_bytes());
        s.write_all(&request).await.unwrap();
        let mut head = [0u8; 10];
        s.read_exact(&mut head).await.unwrap();
        if head[1] != 0 {
            return (head[1], Vec::new());
        }
        s.write_all(first).await.unwrap();
        let mut back = Vec::new();
        let _ = tokio::time::timeout(Duration::from_secs(5), s.read_to_end(&mut back)).await;
        (0, back)
    }

    fn credentials(gate: &Gate) -> (String, String) {
        (gate.user.clone(), gate.password.clone())
    }

    #[tokio::test]
    async fn only_the_allowed_endpoints_over_their_scheme_reach_a_site() {
        let (allowed, allowed_seen) = site().await;
        let (other, other_seen) = site().await;
        let (tls_only, tls_seen) = site().await;
        let gate = Gate::open(AllowedSites::parse(&[
            format!("http://127.0.0.1:{allowed}"),
            format!("https://127.0.0.1:{tls_only}"),
            format!("http://localhost:{other}"),
        ]))
        .unwrap();
        let (u, p) = credentials(&gate);
        let creds = (u.as_str(), p.as_str());
        let http = b"GET / HTTP/1.1\r\n\r\n";
        let tls = [0x16, 3, 1, 0, 5];
        assert_eq!(
            through(&gate, creds, "127.0.0.1", allowed, http).await,
            (0, b"hello".to_vec())
        );
        // Another port of the same address, a name for it, another loopback address.
        assert_eq!(through(&gate, creds, "127.0.0.1", other, http).await.0, 2);
        assert_eq!(through(&gate, creds, "127.0.0.2", allowed, http).await.0, 2);
        // A name an entry lists, but that resolves to a private address no entry names.
        assert_eq!(through(&gate, creds, "localhost", other, http).await.0, 2);
        // TLS where only http is allowed, and plain http where only https is.
        assert_eq!(
            through(&gate, creds, "127.0.0.1", allowed, &tls).await,
            (0, Vec::new())
        );
        assert_eq!(
            through(&gate, creds, "127.0.0.1", tls_only, http).await,
            (0, Vec::new())
        );
        assert_eq!(
            through(&gate, creds, "127.0.0.1", tls_only, &tls).await,
            (0, b"hello".to_vec())
        );
        // Without the gate's password, nothing.
        assert_eq!(
            through(&gate, ("someone", "else"), "127.0.0.1", allowed, http)
                .await
                .0,
            0xfe
        );
        // Under an https page, plain http is mixed content, unless the person asked for it.
        gate.page_shown("https://127.0.0.1/");
        assert_eq!(
            through(&gate, creds, "127.0.0.1", allowed, http).await,
            (0, Vec::new())
        );
        gate.person_asked_for(&format!("http://127.0.0.1:{allowed}/page"));
        assert_eq!(
            through(&gate, creds, "127.0.0.1", allowed, http).await,
            (0, b"hello".to_vec())
        );
        gate.page_shown(&format!("http://127.0.0.1:{allowed}/page"));
        gate.person_asked_for("https://127.0.0.1/");
        assert_eq!(
            through(&gate, creds, "127.0.0.1", allowed, http).await,
            (0, b"hello".to_vec())
        );
        assert_eq!(allowed_seen.load(Ordering::SeqCst), 3);
        assert_eq!(tls_seen.load(Ordering::SeqCst), 1);
        assert_eq!(
            other_seen.load(Ordering::SeqCst),
            0,
            "the other site saw nothing"
        );
        // Closed with the browser: nothing more gets through.
        let port = gate.port;
        drop(gate);
        for _ in 0..100 {
            if TcpStream::connect((Ipv4Addr::LOCALHOST, port))
                .await
                .is_err()
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the gate still listens after it was dropped");
    }
}
