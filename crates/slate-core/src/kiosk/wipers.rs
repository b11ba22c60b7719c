//! The core's wipe surfaces that need the kiosk: the session's stored values, and the list of
//! every surface in Slate's data folder ([`core_wipers`]).

use std::sync::Arc;

use super::Kiosk;
use crate::wipe::{Removed, SessionFiles, WipeTarget, Wiper};

/// The session's key-value store (preferences chosen during the session), in SQLite. Its rows are
/// deleted with `secure_delete` on and the WAL is checkpointed and truncated, so deleted pages do
/// not linger in the `-wal` file.
pub struct SessionStore {
    kiosk: Arc<Kiosk>,
}

impl SessionStore {
    pub fn new(kiosk: Arc<Kiosk>) -> Self {
        Self { kiosk }
    }
}

impl Wiper for SessionStore {
    fn name(&self) -> &'static str {
        "session_store"
    }

    fn wipe(&self, target: &WipeTarget) -> Result<Removed, String> {
        let (items, bytes) = self
            .kiosk
            .wipe_session_values(&target.session_id)
            .map_err(|e| e.to_string())?;
        Ok(Removed { items, bytes })
    }

    /// No value of the session is left, and the write-ahead log is empty: a reader that kept
    /// the wipe from emptying it fails the check too, so the receipt never says erased while
    /// the deleted pages may still be in the log.
    fn check(&self, target: &WipeTarget) -> Result<(), String> {
        match self.kiosk.session_values(&target.session_id) {
            Ok(v) if v.is_empty() => {}
            Ok(v) => {
                return Err(format!(
                    "{} still stored",
                    crate::phrase::count(v.len() as u64, "value is", "values are")
                ))
            }
            Err(e) => return Err(e.to_string()),
        }
        self.kiosk.empty_the_log().map_err(|e| e.to_string())
    }
}

/// The surfaces that live in Slate's data folder: the session folder and the session's values.
/// The shell adds the desktop's (recently-used list, webview data, clipboard, notifications).
pub fn core_wipers(kiosk: &Arc<Kiosk>) -> Vec<Arc<dyn Wiper>> {
    vec![
        Arc::new(SessionFiles),
        Arc::new(SessionStore::new(Arc::clone(kiosk))),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::datadir::DataDir;
    use crate::wipe::wipe_all;

    fn target(dir: &std::path::Path) -> WipeTarget {
        WipeTarget {
            session_id: "s1".into(),
            folder: dir.join("sessions/s1"),
            started_at: chrono::Utc::now(),
        }
    }

    #[test]
    fn the_session_store_is_wiped_and_its_pages_leave_the_wal() {
        let tmp = crate::test_util::private_tempdir();
        let kiosk = Arc::new(Kiosk::open(DataDir::prepare(Some(tmp.path())).unwrap()).unwrap());
        let marker = "canary-4e1f9a7c";
        kiosk.set_session_value("s1", "language", "es").unwrap();
        kiosk.set_session_value("s1", "contrast", "high").unwrap();
        assert!(kiosk.set_session_value("s1", "colour", marker).is_err());
        assert!(kiosk.set_session_value("s1", "language", marker).is_err());
        kiosk.set_session_value("s2", "language", "en").unwrap();
        let receipt = wipe_all(&core_wipers(&kiosk), &target(tmp.path()));
        assert!(receipt.complete(), "{receipt:?}");
        assert_eq!(receipt.surfaces[1].items, 2);
        assert!(kiosk.session_values("s1").unwrap().is_empty());
        assert_eq!(
            kiosk.session_values("s2").unwrap().len(),
            1,
            "other sessions untouched"
        );
        let wal = std::fs::metadata(tmp.path().join("slate.db-wal")).map_or(0, |m| m.len());
        assert_eq!(wal, 0, "the WAL was checkpointed and truncated");
    }

    #[test]
    fn a_log_another_reader_holds_is_not_reported_erased() {
        let tmp = crate::test_util::private_tempdir();
        let kiosk = Arc::new(Kiosk::open(DataDir::prepare(Some(tmp.path())).unwrap()).unwrap());
        kiosk.set_session_value("s1", "contrast", "high").unwrap();
        // Another process reading the database, in the middle of a read transaction.
        let reader = rusqlite::Connection::open(tmp.path().join("slate.db")).unwrap();
        reader.execute_batch("BEGIN").unwrap();
        let _: i64 = reader
            .query_row("SELECT count(*) FROM session_values", [], |r| r.get(0))
            .unwrap();
        let receipt = wipe_all(&core_wipers(&kiosk), &target(tmp.path()));
        assert!(!receipt.complete(), "{receipt:?}");
        let store = &receipt.surfaces[1];
        assert_eq!(store.surface, "session_store");
        assert!(!store.wiped, "{store:?}");
        assert!(
            !store.verified,
            "the check found the log not emptied: {store:?}"
        );
        assert_eq!(
            store.error.as_deref(),
            Some("The database's write-ahead log is still held by another reader, so it could not be emptied."),
        );
        assert!(
            receipt
                .failure_sentence()
                .unwrap()
                .to_string()
                .contains("session_store (The database's write-ahead log is still held"),
            "{receipt:?}"
        );

        // Once the reader is done, the retry empties it.
        reader.execute_batch("COMMIT").unwrap();
        assert!(wipe_all(&core_wipers(&kiosk), &target(tmp.path())).complete());
    }
}
