//! A full disk, for real: the data folder on a 4 MiB tmpfs. Needs root to mount it (CI and the
//! development machines run as root); elsewhere the test says so and does nothing.
//!
//! 1. The session fills the disk from My files: the wipe frees the space, the ending is recorded,
//!    the terminal is ready.
//! 2. Something else fills the disk: the ending cannot be recorded (or the store cannot be wiped),
//!    so the terminal needs attention and nobody can sign in; once space is freed the retry
//!    succeeds and the terminal is ready again, with the ending recorded and erased.

use std::io::Write;
use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use slate_core::api::Screen;
use slate_core::datadir::DataDir;
use slate_core::kiosk::KioskError;
use slate_core::session::SessionManager;
use slate_core::test_util::set_up_for_guests;
use slate_core::test_util::FakeClock;
use slate_core::Kiosk;

struct Mount(std::path::PathBuf);

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

fn fill(dir: &Path) {
    let mut f = std::fs::File::create(dir.join("filler.bin")).unwrap();
    let chunk = vec![0x42u8; 64 * 1024];
    while f.write_all(&chunk).is_ok() {}
    let _ = f.sync_all();
}

#[tokio::test(start_paused = true)]
async fn a_full_disk_never_lets_a_session_slip_through() {
    let tmp = tempfile::tempdir().unwrap();
    let mnt = tmp.path().join("mnt");
    std::fs::create_dir(&mnt).unwrap();
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=4m", "tmpfs"])
        .arg(&mnt)
        .status()
        .is_ok_and(|s| s.success());
    if !mounted {
        eprintln!("skipped: mounting a tmpfs needs root");
        return;
    }
    let _mount = Mount(mnt.clone());

    let clock = Arc::new(FakeClock::following_tokio());
    let kiosk = Arc::new(
        Kiosk::open_with_clock(DataDir::prepare(Some(&mnt.join("data"))).unwrap(), clock).unwrap(),
    );
    set_up_for_guests(&kiosk);
    let wipers = slate_core::kiosk::wipers::core_wipers(&kiosk);
    let (manager, session) = SessionManager::new(Arc::clone(&kiosk), wipers).unwrap();
    tokio::spawn(manager.run());

    // 1. The session itself fills the disk.
    session.sign_in_guest().await.unwrap();
    let id = kiosk.open_sessions().unwrap()[0].id.clone();
    fill(&kiosk.session_folder(&id));
    let status = session.sign_out().await.unwrap();
    assert!(matches!(status.screen, Screen::SignIn { .. }), "{status:?}");
    assert!(kiosk.wipe_receipt(&id).unwrap().unwrap().complete());
    assert!(!kiosk.session_folder(&id).exists());

    // 2. The disk fills from elsewhere during a session.
    session.sign_in_guest().await.unwrap();
    let id = kiosk.open_sessions().unwrap()[0].id.clone();
    kiosk.set_session_value(&id, "contrast", "high").unwrap();
    fill(&mnt);
    let status = session.sign_out().await.unwrap();
    assert!(
        matches!(status.screen, Screen::NeedsAttention { .. }),
        "a full disk must close the terminal: {status:?}"
    );
    assert!(matches!(
        session.sign_in_guest().await,
        Err(KioskError::NeedsAttention(_) | KioskError::Store(_))
    ));
    std::fs::remove_file(mnt.join("filler.bin")).unwrap();
    tokio::time::sleep(Duration::from_secs(11)).await;
    session.settled().await;
    session.settled().await;
    assert!(
        matches!(session.status().screen, Screen::SignIn { .. }),
        "ready again once space is free: {:?}",
        session.status()
    );
    let record = kiosk.session_record(&id).unwrap().unwrap();
    assert!(record.ended_at.is_some(), "the ending is recorded");
    assert_eq!(record.erased, Some(true), "and erased");
    assert!(kiosk.session_values(&id).unwrap().is_empty());
}
