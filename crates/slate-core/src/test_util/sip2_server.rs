//! A stand-in for a library's catalogue system speaking SIP2, for tests. No ILS (Koha,
//! Evergreen) installs on this machine, so this small server answers the messages Slate sends,
//! as the 3M SIP2 specification describes them: 93 Login → 94, 63 Patron Information → 64, 35 End
//! Patron Session → 36, each answer with its sequence number and checksum, each request's
//! checksum checked. It keeps every request it received, for tests to look at.
//!
//! | card | PIN | |
//! |---|---|---|
//! | `21234000` | `1234` | Ada Lovelace, in good standing |
//! | `21234001` | `1111` | expired on 2020-01-01 |
//! | `21234002` | `2222` | blocked (charge privileges denied) |
//! | `21234003` | `3333` | owes 12.50 |
//!
//! The terminal logs in as `slate-terminal` with `sip secret`.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::settings::Sip2Settings;
use crate::sources::sip2::{checksum, frame, parse, Message};

pub const LOGIN: &str = "slate-terminal";
pub const PASSWORD: &str = "sip secret";

/// A running stand-in; it stops taking connections when dropped.
pub struct Sip2Server {
    pub port: u16,
    /// Every request received, as text (checksums and all).
    pub received: Arc<Mutex<Vec<String>>>,
    stopping: Arc<AtomicBool>,
    accepting: Option<std::thread::JoinHandle<()>>,
}

struct Patron {
    card: &'static str,
    pin: &'static str,
    name: &'static str,
    status: &'static str,
    fines: &'static str,
    expires: &'static str,
    /// The patron class sent as `PC` (as Koha and Evergreen do), if any.
    class: &'static str,
}

const PATRONS: &[Patron] = &[
    Patron {
        card: "21234000",
        pin: "1234",
        name: "Ada Lovelace",
        status: "              ",
        fines: "0.00",
        expires: "20991231",
        class: "ADULT",
    },
    Patron {
        card: "21234001",
        pin: "1111",
        name: "Ben Expired",
        status: "              ",
        fines: "0.00",
        expires: "20200101",
        class: "",
    },
    Patron {
        card: "21234002",
        pin: "2222",
        name: "Cleo Blocked",
        status: "Y             ",
        fines: "0.00",
        expires: "20991231",
        class: "",
    },
    Patron {
        card: "21234003",
        pin: "3333",
        name: "Dev Owes",
        status: "              ",
        fines: "12.50",
        expires: "20991231",
        class: "",
    },
];

impl Sip2Server {
    pub fn start() -> Self {
        Self::start_with_pin_delay(Duration::ZERO)
    }

    /// A stand-in that takes `delay` longer to answer for a card it knows (as an ILS that
    /// hashes PINs would) than for one it does not: a source whose timing would tell which
    /// cards exist, for the bench.
    pub fn start_with_pin_delay(delay: Duration) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a local port");
        let port = listener.local_addr().expect("its address").port();
        let received = Arc::new(Mutex::new(Vec::new()));
        let stopping = Arc::new(AtomicBool::new(false));
        let log = Arc::clone(&received);
        let stop = Arc::clone(&stopping);
        // The listener lives in this thread only, so it closes (the port refuses) when the
        // thread ends.
        let accepting = std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stop.load(Ordering::SeqCst) {
                    return;
                }
                let Ok(stream) = stream else { return };
                let log = Arc::clone(&log);
                std::thread::spawn(move || serve(stream, &log, delay));
            }
        });
        Self {
            port,
            received,
            stopping,
            accepting: Some(accepting),
        }
    }

    /// Settings for this server (plain TCP: a catalogue system on the library's own network).
    pub fn settings(&self) -> Sip2Settings {
        Sip2Settings {
            url: format!("sip://127.0.0.1:{}", self.port),
            ca_file: String::new(),
            login: LOGIN.into(),
            password: crate::settings::SecretText::from_plain(PASSWORD),
            location: "main".into(),
            institution: "main".into(),
            fine_limit_cents: Some(500),
        }
    }

    /// The requests received whose command is `command`.
    pub fn requests(&self, command: &str) -> Vec<String> {
        self.received
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .iter()
            .filter(|r| r.starts_with(command))
            .cloned()
            .collect()
    }

    /// Stops taking connections (the catalogue system goes away).
    pub fn stop(&mut self) {
        if let Some(thread) = self.accepting.take() {
            self.stopping.store(true, Ordering::SeqCst);
            // Wakes the accepting thread, which sees it must stop and closes the listener.
            let _ = TcpStream::connect(("127.0.0.1", self.port));
            let _ = thread.join();
        }
    }
}

impl Drop for Sip2Server {
    fn drop(&mut self) {
        self.stop();
    }
}

fn serve(stream: TcpStream, log: &Mutex<Vec<String>>, pin_delay: Duration) {
    let Ok(mut out) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(stream);
    let mut logged_in = false;
    let mut line = Vec::new();
    while reader.read_until(b'\r', &mut line).is_ok_and(|n| n > 0) {
        let text = String::from_utf8_lossy(&line)
            .trim_end_matches('\r')
            .to_owned();
        line.clear();
        log.lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(text.clone());
        let fixed = match text.get(..2) {
            Some("93") => 2,
            Some("63") => 3 + 18 + 10,
            Some("35") => 18,
            _ => return,
        };
        let Ok(m) = parse(text.as_bytes(), fixed) else {
            // A request whose checksum is wrong: "96", please resend (the specification's answer).
            let _ = out.write_all(b"96AZFEF6\r");
            continue;
        };
        let answer = match m.command.as_str() {
            "93" => {
                logged_in = m.get("CN") == Some(LOGIN) && m.get("CO") == Some(PASSWORD);
                Message::new("94", if logged_in { "1" } else { "0" })
            }
            "63" if logged_in => {
                if PATRONS.iter().any(|p| Some(p.card) == m.get("AA")) {
                    std::thread::sleep(pin_delay);
                }
                patron_information(&m)
            }
            "35" if logged_in => Message::new("36", format!("Y{}", m.fixed))
                .field("AO", m.get("AO").unwrap_or_default())
                .field("AA", m.get("AA").unwrap_or_default()),
            _ => return,
        };
        let seq = text
            .find("AY")
            .and_then(|i| text.get(i + 2..i + 3))
            .and_then(|d| d.parse().ok())
            .unwrap_or(0);
        if out.write_all(&frame(&answer, seq)).is_err() {
            return;
        }
    }
}

fn patron_information(m: &Message) -> Message {
    let card = m.get("AA").unwrap_or_default();
    let pin = m.get("AD").unwrap_or_default();
    let date = m.fixed.get(3..21).unwrap_or_default().to_owned();
    let found = PATRONS.iter().find(|p| p.card == card);
    let status = found.map_or("              ", |p| p.status);
    let mut answer = Message::new("64", format!("{status}001{date}{}", "0000".repeat(6)))
        .field("AO", m.get("AO").unwrap_or_default())
        .field("AA", card);
    match found {
        Some(p) => {
            answer = answer
                .field("AE", p.name)
                .field("BL", "Y")
                .field("CQ", if pin == p.pin { "Y" } else { "N" })
                .field("BV", p.fines)
                .field("PA", p.expires);
            if !p.class.is_empty() {
                answer = answer.field("PC", p.class);
            }
        }
        None => {
            answer = answer.field("AE", "").field("BL", "N").field("CQ", "N");
        }
    }
    answer
}

/// The checksum a test can put on a hand-written message.
pub fn signed(text: &str) -> String {
    format!("{text}{}", checksum(text.as_bytes()))
}
