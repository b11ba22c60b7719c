//! A real notification server for the tests: the test process owns
//! `org.freedesktop.Notifications` on its private D-Bus session and records every `Notify` and
//! `CloseNotification` call, with the process id of the caller, so a test can assert what the
//! kiosk announced (and that it closed it again).
//!
//! The server runs on its own thread and runtime, shared by every test in the process, because
//! each `#[tokio::test]` has a runtime that ends with the test.

// zbus's interface macro reads the unused `_`-named D-Bus arguments it generates code for.
#![allow(clippy::used_underscore_binding)]

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use zbus::message::Header;
use zbus::names::BusName;
use zbus::OwnedVariant;

/// One notification as the server received it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    pub id: u32,
    pub app_name: String,
    pub summary: String,
    pub body: String,
    /// The process that sent it.
    pub sender_pid: Option<u32>,
    /// Whether the sender closed it since.
    pub closed: bool,
}

type Log = Arc<Mutex<Vec<Notification>>>;

struct Server {
    log: Log,
    next_id: AtomicU32,
}

// The D-Bus method signatures are fixed by the specification: some arguments are unused, and
// two methods need no state.
#[allow(clippy::unused_self)]
#[zbus::interface(name = "org.freedesktop.Notifications")]
impl Server {
    #[allow(clippy::too_many_arguments)]
    async fn notify(
        &self,
        #[zbus(header)] header: Header<'_>,
        #[zbus(connection)] conn: &zbus::Connection,
        app_name: String,
        replaces_id: u32,
        _app_icon: String,
        summary: String,
        body: String,
        _actions: Vec<String>,
        _hints: HashMap<String, OwnedVariant>,
        _expire_timeout: i32,
    ) -> u32 {
        let sender_pid = match header.sender() {
            Some(sender) => match zbus::fdo::DBusProxy::new(conn).await {
                Ok(proxy) => proxy
                    .get_connection_unix_process_id(BusName::from(sender.to_owned()))
                    .await
                    .ok(),
                Err(_) => None,
            },
            None => None,
        };
        let id = if replaces_id == 0 {
            self.next_id.fetch_add(1, Ordering::SeqCst)
        } else {
            replaces_id
        };
        let mut log = self.log.lock().expect("log lock");
        log.retain(|n| n.id != id);
        log.push(Notification {
            id,
            app_name,
            summary,
            body,
            sender_pid,
            closed: false,
        });
        id
    }

    fn close_notification(&self, id: u32) {
        let mut log = self.log.lock().expect("log lock");
        for n in log.iter_mut().filter(|n| n.id == id) {
            n.closed = true;
        }
    }

    fn get_capabilities(&self) -> Vec<String> {
        vec!["body".into()]
    }

    fn get_server_information(&self) -> (String, String, String, String) {
        (
            "slate-e2e".into(),
            "Slate".into(),
            env!("CARGO_PKG_VERSION").into(),
            "1.2".into(),
        )
    }
}

/// The recorder: [`observer`] starts it once per test process.
#[derive(Debug, Clone)]
pub struct Observer {
    log: Log,
}

impl Observer {
    /// Every notification received so far.
    pub fn all(&self) -> Vec<Notification> {
        self.log.lock().expect("log lock").clone()
    }

    /// Notifications sent by one process.
    pub fn from_pid(&self, pid: u32) -> Vec<Notification> {
        self.all()
            .into_iter()
            .filter(|n| n.sender_pid == Some(pid))
            .collect()
    }

    /// Waits until a notification matching `pred` arrives, or panics after `timeout`.
    pub async fn wait_for(
        &self,
        timeout: Duration,
        pred: impl Fn(&Notification) -> bool,
    ) -> Notification {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(n) = self.all().into_iter().find(|n| pred(n)) {
                return n;
            }
            assert!(
                Instant::now() < deadline,
                "no matching notification within {timeout:?}; received: {:?}",
                self.all()
            );
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }
}

/// Starts (once) and returns the notification server of this test process.
pub fn observer() -> Observer {
    static OBSERVER: OnceLock<Observer> = OnceLock::new();
    OBSERVER.get_or_init(start).clone()
}

fn start() -> Observer {
    let log: Log = Arc::default();
    let (tx, rx) = std::sync::mpsc::channel();
    let server_log = Arc::clone(&log);
    std::thread::Builder::new()
        .name("notification-server".into())
        .spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime for the notification server");
            rt.block_on(async move {
                let server = Server {
                    log: server_log,
                    next_id: AtomicU32::new(1),
                };
                let built = async {
                    zbus::connection::Builder::session()
                        .serve_at("/org/freedesktop/Notifications", server)
                        .name("org.freedesktop.Notifications")
                        .build()
                        .await
                }
                .await;
                match built {
                    Ok(conn) => {
                        tx.send(Ok(())).ok();
                        let _keep = conn;
                        std::future::pending::<()>().await;
                    }
                    Err(e) => {
                        tx.send(Err(e.to_string())).ok();
                    }
                }
            });
        })
        .expect("a thread for the notification server");
    match rx.recv() {
        Ok(Ok(())) => Observer { log },
        Ok(Err(e)) => panic!(
            "cannot own org.freedesktop.Notifications on the session bus ({e}); \
             run the tests through `make test` (a private dbus-run-session)"
        ),
        Err(std::sync::mpsc::RecvError) => panic!("the notification server thread died"),
    }
}
