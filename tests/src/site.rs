//! A small web site on 127.0.0.1 for the browser tests: it sets a canary in every storage a
//! page can reach (a cookie, localStorage, IndexedDB, the Cache API), reports back what each page
//! finds already there, offers a link, a redirect to another site, downloads (one with a long
//! Japanese name and a right-to-left override, big ones with and without an announced size), an
//! upload form and a page that tries to reach Slate's commands. The test reads what the browser asked and
//! reported; WebDriver cannot reach into the browsing view, and need not.
//!
//! Each page does what the test queued for it (`Site::then`): follow a link, submit, open a new
//! window, go elsewhere by script. A plain HTTP/1.1 server on std's `TcpListener`, one request
//! per connection.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// One request the site received.
#[derive(Debug, Clone)]
pub struct Hit {
    /// The path with its query.
    pub path: String,
    /// The `Cookie` header, empty without one.
    pub cookie: String,
    /// The body of a POST.
    pub body: String,
}

#[derive(Default)]
struct Shared {
    hits: Vec<Hit>,
    actions: VecDeque<String>,
}

/// A running test site.
pub struct Site {
    pub port: u16,
    shared: Arc<Mutex<Shared>>,
}

impl Site {
    /// Serves the site on a free port of 127.0.0.1. `canary` goes into every storage and the
    /// download; `other` is the origin of the site that is not allowed (for links and the
    /// redirect).
    pub fn start(canary: &str, other: &str) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
        let port = listener.local_addr().expect("an address").port();
        let shared = Arc::new(Mutex::new(Shared::default()));
        let (state, canary, other) = (Arc::clone(&shared), canary.to_owned(), other.to_owned());
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (state, canary, other) = (Arc::clone(&state), canary.clone(), other.clone());
                std::thread::spawn(move || {
                    let _ = serve(stream, &state, &canary, &other);
                });
            }
        });
        Self { port, shared }
    }

    /// The site's origin, `http://127.0.0.1:PORT`.
    pub fn origin(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Queues what the next page served does once loaded: `click:ID` (a scripted click on the
    /// element with that id), `cover:ID` (the element covers the page, for a real click
    /// anywhere: scripts may not open windows or file choosers), `open:URL` (window.open),
    /// `go:URL` (location.href = URL).
    pub fn then(&self, action: &str) {
        self.shared
            .lock()
            .unwrap()
            .actions
            .push_back(action.to_owned());
    }

    /// Every request so far.
    pub fn hits(&self) -> Vec<Hit> {
        self.shared.lock().unwrap().hits.clone()
    }

    /// Waits (up to 20 s) for a request whose path starts with `prefix`; returns it.
    pub async fn wait_for(&self, prefix: &str) -> Hit {
        let start = Instant::now();
        loop {
            if let Some(hit) = self.hits().into_iter().find(|h| h.path.starts_with(prefix)) {
                return hit;
            }
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "the site never saw {prefix}; it saw {:#?}",
                self.hits()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Forgets the requests seen so far.
    pub fn clear(&self) {
        self.shared.lock().unwrap().hits.clear();
    }
}

/// A server a page must never reach: it counts every connection it accepts, before reading a
/// byte, with the first line of each (the request, or nothing).
pub struct Witness {
    pub port: u16,
    host: String,
    seen: Arc<Mutex<Vec<String>>>,
}

impl Witness {
    /// Listens on a free port of `ip` (and, for `localhost`, on the same port of `::1` too when
    /// the machine has IPv6, so a name resolved either way is watched).
    pub fn start(host: &str) -> Self {
        let ip = if host == "localhost" {
            "127.0.0.1"
        } else {
            host
        };
        let listener = TcpListener::bind((ip, 0)).expect("a free port");
        let port = listener.local_addr().expect("an address").port();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let mut listeners = vec![listener];
        if host == "localhost" {
            listeners.extend(TcpListener::bind(("::1", port)).ok());
        }
        for listener in listeners {
            let seen = Arc::clone(&seen);
            std::thread::spawn(move || {
                for stream in listener.incoming().flatten() {
                    let seen = Arc::clone(&seen);
                    std::thread::spawn(move || {
                        let index = {
                            let mut s = seen.lock().unwrap();
                            s.push("(a connection, nothing read yet)".to_owned());
                            s.len() - 1
                        };
                        let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
                        let mut line = String::new();
                        let _ = BufReader::new(&stream).read_line(&mut line);
                        line.trim().clone_into(&mut seen.lock().unwrap()[index]);
                        let _ = (&stream).write_all(
                            b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nAccess-Control-Allow-Origin: *\r\nConnection: close\r\n\r\nok",
                        );
                    });
                }
            });
        }
        Self {
            port,
            host: host.to_owned(),
            seen,
        }
    }

    /// `http://HOST:PORT`.
    pub fn origin(&self) -> String {
        format!("http://{}:{}", self.host, self.port)
    }

    /// Every connection so far: the first line it sent.
    pub fn seen(&self) -> Vec<String> {
        self.seen.lock().unwrap().clone()
    }
}

fn serve(
    stream: TcpStream,
    state: &Mutex<Shared>,
    canary: &str,
    other: &str,
) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or("").to_owned();
    let path = parts.next().unwrap_or("/").to_owned();
    let (mut cookie, mut length, mut range) = (String::new(), 0usize, None::<usize>);
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header)? == 0 || header.trim().is_empty() {
            break;
        }
        let (name, value) = header.split_once(':').unwrap_or((&header, ""));
        match name.trim().to_ascii_lowercase().as_str() {
            "cookie" => value.trim().clone_into(&mut cookie),
            "content-length" => length = value.trim().parse().unwrap_or(0),
            // "bytes=START-" (the media player asks for the rest of a file this way).
            "range" => {
                range = value
                    .trim()
                    .strip_prefix("bytes=")
                    .and_then(|r| r.split('-').next())
                    .and_then(|start| start.parse().ok());
            }
            _ => {}
        }
    }
    let mut body = vec![0; length.min(1 << 20)];
    std::io::Read::read_exact(&mut reader, &mut body)?;
    let action = {
        let mut s = state.lock().unwrap();
        s.hits.push(Hit {
            path: path.clone(),
            cookie,
            body: String::from_utf8_lossy(&body).into_owned(),
        });
        let route = path.split('?').next().unwrap_or("/");
        let page = method == "GET" && PAGES.contains(&route);
        if page {
            s.actions.pop_front()
        } else {
            None
        }
    };
    let act = format!(
        "<script>const act = {};</script>",
        serde_json::to_string(&action.unwrap_or_default()).unwrap_or_default()
    );
    let route = path.split('?').next().unwrap_or("/");
    if route == "/file-big-unsized" {
        return serve_unsized(stream);
    }
    if route == "/tone.wav" {
        let body = tone_wav();
        let start = range.unwrap_or(0).min(body.len());
        let part = if range.is_some() {
            format!(
                "206 Partial Content\r\nContent-Range: bytes {start}-{}/{}",
                body.len() - 1,
                body.len()
            )
        } else {
            "200 OK".to_owned()
        };
        let mut out = stream;
        write!(
            out,
            "HTTP/1.1 {part}\r\nContent-Type: audio/wav\r\nAccept-Ranges: bytes\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n",
            body.len() - start
        )?;
        out.write_all(&body[start..])?;
        return out.flush();
    }
    let (status, headers, content) = respond(&path, &act, canary, other);
    let mut out = stream;
    write!(
        out,
        "HTTP/1.1 {status}\r\n{headers}Content-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n{content}",
        content.len()
    )?;
    out.flush()
}

/// The pages, which carry out the action queued next (`Site::then`).
const PAGES: &[&str] = &["/", "/page2", "/probe", "/upload", "/kinds", "/media"];

/// The status line, headers and body for `path`.
fn respond(path: &str, act: &str, canary: &str, other: &str) -> (&'static str, String, String) {
    let (route, query) = path.split_once('?').unwrap_or((path, ""));
    let script = |body: String| {
        (
            "200 OK",
            "Content-Type: text/javascript\r\n".to_owned(),
            body,
        )
    };
    match route {
        "/" => (
            "200 OK",
            format!("Content-Type: text/html\r\nSet-Cookie: slate_canary={canary}; Path=/; Max-Age=86400\r\n"),
            page("Test site home", act, &format!(
                "<h1>Test site home</h1>
                 <a id=\"next\" href=\"/page2\">Next page</a>
                 <a id=\"other\" href=\"{other}/\">Another site</a>
                 <a id=\"redirect\" href=\"/redirect\">A redirect</a>
                 <a id=\"download\" href=\"/file\">A file</a>
                 <a id=\"long-name\" href=\"/file-long-name\">A file with a long name</a>
                 <a id=\"big\" href=\"/file-big\">A big file</a>
                 <a id=\"big-unsized\" href=\"/file-big-unsized\">A big file of no announced size</a>
                 <a id=\"blank\" href=\"/page2?blank\" target=\"_blank\">In a new window</a>
                 <button id=\"print\" onclick=\"print(); report('printed', 'asked')\">Print</button>
                 <a id=\"probe\" href=\"/probe\">Slate's commands</a>
                 <a id=\"upload\" href=\"/upload\">Upload</a>
                 <script>{STORE}</script>",
                STORE = store_script(canary)
            )),
        ),
        "/page2" => (
            "200 OK",
            "Content-Type: text/html\r\n".to_owned(),
            page("Page two", act, "<h1>Page two</h1><script>report('page2', 'history=' + history.length);</script>"),
        ),
        "/redirect" => ("302 Found", format!("Location: {other}/\r\n"), String::new()),
        "/file" => (
            "200 OK",
            "Content-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=\"../report.txt\"\r\n".to_owned(),
            format!("the download {canary}\n"),
        ),
        "/file-long-name" => (
            "200 OK",
            format!(
                "Content-Type: application/octet-stream\r\nContent-Disposition: attachment; filename*=UTF-8''{}\r\n",
                percent_encoded(LONG_NAME)
            ),
            format!("the download {canary}\n"),
        ),
        "/file-big" => (
            "200 OK",
            "Content-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=\"big.bin\"\r\n".to_owned(),
            "0123456789abcdef".repeat(BIG / 16),
        ),
        "/probe" => (
            "200 OK",
            "Content-Type: text/html\r\n".to_owned(),
            page("Probe", act, &format!("<h1>Probe</h1><script>{PROBE_SCRIPT}</script>")),
        ),
        "/upload" => (
            "200 OK",
            "Content-Type: text/html\r\n".to_owned(),
            page("Upload", act, &format!("<h1>Upload</h1><form id=\"form\"><input id=\"file\" type=\"file\" style=\"position:fixed;inset:0;width:100vw;height:100vh\"></form><script>{UPLOAD_SCRIPT}</script>")),
        ),
        "/kinds" => (
            "200 OK",
            "Content-Type: text/html\r\n".to_owned(),
            page("Every kind of request", act, &format!("<h1>Every kind of request</h1><script>{KINDS_SCRIPT}</script>")),
        ),
        // A redirect of a subresource, to the address in the query.
        "/bounce" => (
            "302 Found",
            format!("Location: {}\r\n", percent_decoded(query)),
            String::new(),
        ),
        "/worker.js" => script(format!(
            "const to = {to:?};
             try {{ importScripts(to + '/k/worker-import.js'); }} catch (e) {{}}
             fetch(to + '/k/worker-fetch').then((r) => postMessage('status ' + r.status), () => postMessage('error'));",
            to = percent_decoded(query)
        )),
        "/sw.js" => script(format!(
            "fetch({to:?} + '/k/service-worker-fetch').catch(() => {{}});",
            to = percent_decoded(query)
        )),
        "/k/script.js" | "/k/module.js" => script(String::new()),
        "/media" => (
            "200 OK",
            "Content-Type: text/html\r\n".to_owned(),
            page("Media", act, &media_page(query)),
        ),

        _ => ("204 No Content", String::new(), String::new()),
    }
}

/// `/file-big-unsized`: no Content-Length, so the size is not known until the connection closes.
fn serve_unsized(stream: TcpStream) -> std::io::Result<()> {
    let mut out = stream;
    write!(
        out,
        "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=\"unsized.bin\"\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n"
    )?;
    let chunk = "0123456789abcdef".repeat(4096);
    for _ in 0..BIG / chunk.len() {
        if out.write_all(chunk.as_bytes()).is_err() {
            break; // the browser stopped it
        }
    }
    out.flush()
}

/// The name `/file-long-name` suggests: 100 Japanese characters (300 bytes of UTF-8), a
/// right-to-left override and "fdp.exe", which would show as "…exe.pdf". Too long for a file
/// system's 255 bytes.
pub const LONG_NAME: &str = concat!(
    "報告書報告書報告書報告書報告書報告書報告書報告書報告書報告書報告書",
    "報告書報告書報告書報告書報告書報告書報告書報告書報告書報告書報告書",
    "報告書報告書報告書報告書報告書報告書報告書報告書報告書報告書報告書報",
    "\u{202E}fdp.exe"
);

/// The size of `/file-big` and `/file-big-unsized`: 2 MiB.
pub const BIG: usize = 2 << 20;

fn percent_decoded(s: &str) -> String {
    let mut out = Vec::new();
    let mut bytes = s.bytes();
    while let Some(b) = bytes.next() {
        let hex = |c: Option<u8>| c.and_then(|c| char::from(c).to_digit(16));
        if b == b'%' {
            let (hi, lo) = (hex(bytes.next()), hex(bytes.next()));
            if let (Some(hi), Some(lo)) = (hi, lo) {
                out.push(u8::try_from(hi * 16 + lo).unwrap_or(b'?'));
            }
        } else {
            out.push(b);
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn percent_encoded(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn page(title: &str, act: &str, body: &str) -> String {
    format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>{title}</title>{act}<script>{COMMON}</script></head><body>{body}</body></html>"
    )
}

/// Reports to the site, and carries out the queued action once the page has loaded.
const COMMON: &str = r"
function report(what, detail) {
  return fetch('/report/' + what + '?' + encodeURIComponent(detail), { method: 'POST', body: String(detail) });
}
window.addEventListener('focus', () => report('focus', 'in'));
window.addEventListener('resize', () => report('width', String(innerWidth)));
window.addEventListener('load', () => setTimeout(() => {
  if (!act) return;
  const [verb, arg] = [act.split(':')[0], act.slice(act.indexOf(':') + 1)];
  if (verb === 'click') document.getElementById(arg).click();
  // For a real click (xdotool): the element covers the page, so a click anywhere lands on it.
  if (verb === 'cover') document.getElementById(arg).style.cssText = 'position:fixed;inset:0;display:block;background:#eee';
  if (verb === 'open') window.open(arg);
  if (verb === 'go') location.href = arg;
}, 300));
";

/// What the home page finds of an earlier visit (reported), then the canary stored everywhere.
fn store_script(canary: &str) -> String {
    format!(
        r"
(async () => {{
  const found = [];
  // (The cookie is the request's own header: the site reads it, see `Hit::cookie`.)
  if (localStorage.getItem('slate_canary')) found.push('localStorage');
  if (sessionStorage.getItem('slate_canary')) found.push('sessionStorage');
  const dbs = indexedDB.databases ? await indexedDB.databases() : [];
  if (dbs.some((d) => d.name === 'slate_canary')) found.push('indexedDB');
  if (await caches.has('slate_canary').catch(() => false)) found.push('cache');
  await report('found', found.join(',') || 'nothing');
  localStorage.setItem('slate_canary', '{canary}');
  sessionStorage.setItem('slate_canary', '{canary}');
  await new Promise((done) => {{
    const open = indexedDB.open('slate_canary', 1);
    open.onupgradeneeded = () => open.result.createObjectStore('canary');
    open.onsuccess = () => {{
      const tx = open.result.transaction('canary', 'readwrite');
      tx.objectStore('canary').put('{canary}', 'canary');
      tx.oncomplete = done;
      tx.onerror = done;
    }};
    open.onerror = done;
  }});
  try {{ const c = await caches.open('slate_canary'); await c.put('/canary', new Response('{canary}')); }} catch (e) {{}}
  await report('stored', 'history=' + history.length);
}})();
"
    )
}

/// A page that tries every way to Slate's commands it might have, and reports what worked.
const PROBE_SCRIPT: &str = r"
(async () => {
  const results = [];
  results.push('tauri=' + (typeof window.__TAURI__));
  results.push('internals=' + (typeof window.__TAURI_INTERNALS__));
  results.push('ipc_post=' + (typeof window.ipc));
  for (const url of ['ipc://localhost/sign_out', 'http://ipc.localhost/sign_out', 'tauri://localhost/index.html']) {
    try {
      const r = await fetch(url, { method: 'POST', body: '{}', headers: { 'Tauri-Callback': '1', 'Tauri-Error': '2' } });
      results.push(url + '=status ' + r.status);
    } catch (e) {
      results.push(url + '=refused');
    }
  }
  if (!window.__TAURI_INTERNALS__) {
    results.push('invoke=unavailable');
  } else {
    try {
      await window.__TAURI_INTERNALS__.invoke('sign_out');
      results.push('invoke=reached');
    } catch (e) {
      results.push('invoke=refused');
    }
  }
  await report('probe', results.join(' '));
})();
";

/// `/kinds?TARGETS` (a JSON list of origins, URL-encoded): tries every kind of request a page can
/// make against each origin and against its own (the control, which must get through), all at
/// once, then reports `/report/kinds` with what each gave, one `kind@target=result` a line.
const KINDS_SCRIPT: &str = r##"
(async () => {
  const own = location.origin;
  const targets = [own, ...JSON.parse(decodeURIComponent(location.search.slice(1)))];
  const wait = (ms, value) => new Promise((done) => setTimeout(() => done(value), ms));
  // An element that loads something: its load or error event, or nothing within 5 s.
  const element = (tag, props, events = ["load", "error"]) => new Promise((done) => {
    const e = document.createElement(tag);
    for (const ev of events) e.addEventListener(ev, () => done(ev));
    Object.assign(e, props);
    document.body.append(e);
  });
  const link = (rel, href, extra = {}) => element("link", { rel, href, ...extra });
  const kinds = {
    img: (t) => element("img", { src: t + "/k/img.png" }),
    script: (t) => element("script", { src: t + "/k/script.js" }),
    module: (t) => import(t + "/k/module.js").then(() => "loaded"),
    stylesheet: (t) => link("stylesheet", t + "/k/style.css"),
    css_background: (t) => {
      const d = document.createElement("div");
      d.style.cssText = `width:10px;height:10px;background-image:url(${t}/k/background.png)`;
      document.body.append(d);
      return wait(3000, "set");
    },
    font: (t) => new FontFace("probe" + Math.random().toString(36).slice(2), `url(${t}/k/font.woff)`).load().then(() => "loaded"),
    iframe: (t) => element("iframe", { src: t + "/k/frame" }),
    object: (t) => element("object", { data: t + "/k/object" }),
    embed: (t) => element("embed", { src: t + "/k/embed" }),
    audio: (t) => element("audio", { src: t + "/k/audio.wav", preload: "auto" }, ["loadeddata", "error"]),
    video: (t) => element("video", { src: t + "/k/video.webm", preload: "auto" }, ["loadeddata", "error"]),
    favicon: (t) => link("icon", t + "/k/favicon.ico"),
    prefetch: (t) => link("prefetch", t + "/k/prefetch"),
    preload: (t) => link("preload", t + "/k/preload", { as: "fetch", crossOrigin: "anonymous" }),
    preconnect: (t) => { link("preconnect", t); return wait(3000, "added"); },
    fetch: (t) => fetch(t + "/k/fetch").then((r) => "status " + r.status),
    fetch_no_cors: (t) => fetch(t + "/k/fetch-no-cors", { mode: "no-cors" }).then((r) => r.type),
    fetch_keepalive: (t) => fetch(t + "/k/fetch-keepalive", { method: "POST", body: "x", keepalive: true, mode: "no-cors" }).then((r) => r.type),
    xhr: (t) => new Promise((done) => {
      const x = new XMLHttpRequest();
      x.open("GET", t + "/k/xhr");
      x.onload = () => done("status " + x.status);
      x.onerror = () => done("error");
      x.send();
    }),
    websocket: (t) => new Promise((done) => {
      const w = new WebSocket(t.replace(/^http/, "ws") + "/k/websocket");
      w.onopen = () => { done("open"); w.close(); };
      w.onerror = () => done("error");
    }),
    eventsource: (t) => new Promise((done) => {
      const e = new EventSource(t + "/k/events");
      e.onopen = () => { done("open"); e.close(); };
      e.onerror = () => { done("error"); e.close(); };
    }),
    beacon: (t) => Promise.resolve("queued " + navigator.sendBeacon(t + "/k/beacon", "x")),
    redirect: (t) => element("img", { src: own + "/bounce?" + encodeURIComponent(t + "/k/redirected.png") }),
    worker: (t) => new Promise((done) => {
      const w = new Worker("/worker.js?" + encodeURIComponent(t));
      w.onmessage = (e) => done(e.data);
      w.onerror = () => done("error");
    }),
    cross_origin_worker: (t) => new Promise((done) => {
      const w = new Worker(t + "/k/worker.js");
      w.onerror = () => done("error");
      w.onmessage = () => done("message");
    }),
    service_worker: (t) => navigator.serviceWorker
      ? navigator.serviceWorker.register("/sw.js?" + encodeURIComponent(t), { scope: "/sw-scope/" + Math.random() }).then(() => wait(3000, "registered"))
      : Promise.resolve("unavailable"),
    ping: (t) => {
      const a = document.createElement("a");
      a.href = "#pinged";
      a.ping = t + "/k/ping";
      document.body.append(a);
      a.click();
      return wait(3000, "clicked");
    },
    form: (t) => {
      const name = "form" + Math.random().toString(36).slice(2);
      const frame = element("iframe", { name });
      const f = document.createElement("form");
      Object.assign(f, { action: t + "/k/form", method: "post", target: name });
      document.body.append(f);
      f.submit();
      return Promise.race([frame, wait(4000, "submitted")]);
    },
    webrtc: () => Promise.resolve("RTCPeerConnection " + typeof window.RTCPeerConnection),
  };
  const attempt = async (kind, target) => {
    let result;
    try {
      result = await Promise.race([kinds[kind](target), wait(6000, "no answer")]);
    } catch (e) {
      result = "refused (" + (e && e.name) + ")";
    }
    return `${kind}@${target}=${result}`;
  };
  const tries = [];
  for (const target of targets) for (const kind of Object.keys(kinds)) tries.push(attempt(kind, target));
  const lines = await Promise.all(tries);
  await report("kinds", lines.join(String.fromCharCode(10)));
})();
"##;

/// `/media?KIND&SECONDS`: plays `/tone.wav` (30 s long) for that many seconds from when it
/// starts, then pauses, reporting `/report/playing` and `/report/paused`. KIND is `video` (a
/// muted video in view, which may start by itself), `audio` (an audio element, not shown, which
/// starts with a real click anywhere: sound does not start by itself) or `hidden-video` (a muted
/// video out of view).
fn media_page(query: &str) -> String {
    let (kind, secs) = query.split_once('&').unwrap_or((query, "10"));
    let secs: u32 = secs.parse().unwrap_or(10);
    let element = match kind {
        "audio" => "<audio id=\"m\" src=\"/tone.wav\"></audio><button id=\"play\" style=\"position:fixed;inset:0;width:100vw;height:100vh\">Play</button>",
        "hidden-video" => "<video id=\"m\" src=\"/tone.wav\" muted style=\"position:fixed;top:-2000px\"></video>",
        _ => "<video id=\"m\" src=\"/tone.wav\" muted style=\"width:320px;height:180px;background:#000\"></video>",
    };
    format!(
        "<h1>Media</h1>{element}<script>
         const m = document.getElementById('m');
         m.addEventListener('playing', () => {{
           report('playing', '{kind}');
           setTimeout(() => {{ m.pause(); report('paused', '{kind}'); }}, {ms});
         }}, {{ once: true }});
         m.addEventListener('error', () => report('media-error', String(m.error && m.error.code)));
         const play = () => m.play().catch((e) => report('media-error', e.name));
         const button = document.getElementById('play');
         if (button) button.addEventListener('click', () => {{ button.remove(); play(); }});
         else play();
         </script>",
        ms = secs * 1000
    )
}

/// Thirty seconds of a 440 Hz square tone: 8 kHz, 8-bit mono WAV.
fn tone_wav() -> Vec<u8> {
    let rate: u32 = 8000;
    let seconds = 30;
    let samples: Vec<u8> = (0..rate * seconds)
        // A quiet square wave around the 8-bit midpoint.
        .map(|i| {
            if (i * 440 * 2 / rate).is_multiple_of(2) {
                144
            } else {
                112
            }
        })
        .collect();
    let mut wav = Vec::new();
    wav.extend(b"RIFF");
    wav.extend((36 + rate * seconds).to_le_bytes());
    wav.extend(b"WAVEfmt ");
    wav.extend(16u32.to_le_bytes());
    wav.extend(1u16.to_le_bytes()); // PCM
    wav.extend(1u16.to_le_bytes()); // mono
    wav.extend(rate.to_le_bytes());
    wav.extend(rate.to_le_bytes()); // bytes a second
    wav.extend(1u16.to_le_bytes()); // bytes a frame
    wav.extend(8u16.to_le_bytes()); // bits a sample
    wav.extend(b"data");
    wav.extend((rate * seconds).to_le_bytes());
    wav.extend(samples);
    wav
}

/// Reports the name and text of the file chosen in the upload form.
const UPLOAD_SCRIPT: &str = r"
document.getElementById('file').addEventListener('change', async (ev) => {
  const f = ev.target.files[0];
  await report('uploaded', f ? f.name + ':' + (await f.text()) : 'nothing');
});
";
