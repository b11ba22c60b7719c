//! The page's web process dies (a crash, the kernel's out-of-memory killer; here SIGKILL): the
//! app loads the page again in a new one instead of leaving a blank window. `WebKit` ends the
//! WebDriver session when a page's process dies, so after the kill the test watches the processes
//! and the app's log rather than the page: without the reload no new web process would start.

use std::process::Command;
use std::time::{Duration, Instant};

use slate_e2e::{procfs, with_kiosk, Kiosk};

fn web_processes(k: &Kiosk) -> Vec<u32> {
    procfs::tree(k.app_pid().expect("the app runs"))
        .into_iter()
        .filter(|p| procfs::name(*p).as_deref() == Some("WebKitWebProces"))
        .collect()
}

#[tokio::test]
async fn a_dead_page_process_is_replaced_by_a_new_one() {
    with_kiosk("web_process", async |k| {
        k.by_role("heading", "Set up this kiosk").await;
        let before = web_processes(k);
        assert_eq!(before.len(), 1, "one web process for the page: {before:?}");
        let app = k.app_pid().expect("the app runs");
        Command::new("kill")
            .args(["-KILL", &before[0].to_string()])
            .status()
            .expect("kill runs");

        let deadline = Instant::now() + Duration::from_secs(20);
        let again = loop {
            let now = web_processes(k);
            if now.len() == 1 && now != before {
                break now;
            }
            assert!(
                Instant::now() < deadline,
                "no new page after the web process died: {now:?}\n{}",
                k.log()
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        };
        assert_eq!(k.app_pid(), Some(app), "the app itself went on");
        assert!(
            k.log()
                .contains("the page's web process ended: loading the page again"),
            "{}",
            k.log()
        );
        eprintln!("web process {before:?} replaced by {again:?}");
    })
    .await;
}
