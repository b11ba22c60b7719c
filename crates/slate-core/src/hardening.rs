//! What a Slate process does first, before it reads a password or the audit key: it can leave
//! no core dump (a dump would write the memory that held a password to disk), it is not
//! dumpable (another process of the same account cannot read its memory through ptrace or
//! `/proc/PID/mem`), and a panic ends the whole process instead of one task, so a session is
//! never left running without the manager that keeps its deadlines (the kiosk's wrapper starts
//! it again, and the next start ends and wipes the session as `recovered`). And the one call
//! that gives freed memory back to the system ([`give_back_free_memory`]).

use std::io;

use rustix::process::{DumpableBehavior, Resource, Rlimit};

/// Whether this is an installed program (the packages put them in `/usr/bin`): it cannot be
/// driven or inspected from outside, and it logs to the systemd journal where that runs. A
/// build run from a checkout (the tests run those) does neither.
pub fn installed() -> bool {
    std::env::current_exe().is_ok_and(|exe| exe.starts_with("/usr/"))
}

/// Gives the system back the memory glibc's allocator holds free. glibc keeps what a thread
/// freed in that thread's arena (up to 16 of them on two cores), so what several threads freed
/// over a day stays resident: Argon2 buffers of 19 MiB each and the sessions' own work held
/// about 200 MiB of a kiosk's app after a thousand sessions (BENCHMARKS.md, "Soak through the
/// real app"). Called when a burst of such work is over (the screen, at the end of each
/// session; [`crate::auth::hashing`]'s thread, ten seconds after its last hash), never on a hot
/// path: it walks and locks every arena in turn. Does nothing off glibc.
#[allow(unsafe_code)]
pub fn give_back_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: `malloc_trim` takes no pointer and has no precondition for its caller; glibc
    // locks each arena while it trims it, so it is safe beside other threads' allocations.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// No core dumps for this process and the ones it starts (the limit is inherited, also by the
/// web engine's processes), and not dumpable. Lowering a limit is always allowed, so an error
/// here means something is badly wrong: the binaries refuse to start.
pub fn no_core_dumps() -> io::Result<()> {
    rustix::process::setrlimit(
        Resource::Core,
        Rlimit {
            current: Some(0),
            maximum: Some(0),
        },
    )?;
    rustix::process::set_dumpable_behavior(DumpableBehavior::NotDumpable)?;
    Ok(())
}

/// A panic anywhere ends the process (after one line on stderr naming where), instead of
/// ending only the task or thread that panicked. Release builds abort on panic anyway
/// (`panic = "abort"` in the workspace's release profile); this makes debug builds, which the
/// end-to-end tests run, behave the same. The panic's message is printed only in debug builds:
/// it may hold a value the code was handling.
pub fn panic_ends_the_process(program: &'static str) {
    std::panic::set_hook(Box::new(move |info| {
        let at = info
            .location()
            .map_or_else(String::new, |l| format!(" at {}:{}", l.file(), l.line()));
        if cfg!(debug_assertions) {
            let said = info
                .payload()
                .downcast_ref::<&str>()
                .map(ToString::to_string)
                .or_else(|| info.payload().downcast_ref::<String>().cloned())
                .unwrap_or_default();
            eprintln!("{program}: an internal error stopped it{at}: {said}");
        } else {
            eprintln!("{program}: an internal error stopped it{at}.");
        }
        std::process::abort();
    }));
}

#[cfg(test)]
mod tests {
    #[test]
    fn no_core_dumps_sets_the_limit_to_zero_and_the_process_not_dumpable() {
        // In a child process: the test runner's own process stays as it was.
        if std::env::var_os("SLATE_HARDENING_CHILD").is_none() {
            let out = std::process::Command::new(std::env::current_exe().unwrap())
                .args([
                    "--exact",
                    "hardening::tests::no_core_dumps_sets_the_limit_to_zero_and_the_process_not_dumpable",
                    "--nocapture",
                ])
                .env("SLATE_HARDENING_CHILD", "1")
                .output()
                .unwrap();
            let said = String::from_utf8_lossy(&out.stdout);
            assert!(out.status.success(), "{said}");
            assert!(said.contains("hardened: core 0/0, dumpable 0"), "{said}");
            return;
        }
        super::no_core_dumps().unwrap();
        let limit = rustix::process::getrlimit(rustix::process::Resource::Core);
        let dumpable = rustix::process::dumpable_behavior().unwrap();
        // /proc/self/status says the same as the kernel's own view.
        let status = std::fs::read_to_string("/proc/self/limits").unwrap();
        let core = status
            .lines()
            .find(|l| l.starts_with("Max core file size"))
            .unwrap()
            .split_whitespace()
            .collect::<Vec<_>>();
        assert_eq!(&core[4..6], ["0", "0"], "{core:?}");
        println!(
            "hardened: core {}/{}, dumpable {}",
            limit.current.unwrap_or(u64::MAX),
            limit.maximum.unwrap_or(u64::MAX),
            dumpable as i32
        );
    }
}
