//! What the timing harness and the long loops read about the kiosk's processes from `/proc`:
//! the process tree (the app and the `WebKit` processes it starts), their CPU time, their
//! proportional memory (PSS, so pages shared between them count once), open descriptors, and
//! when a process started, on the boot clock.

use std::path::Path;

/// The kernel's clock tick (`getconf CLK_TCK`; 100 on Linux for every architecture Slate targets).
pub const TICKS_PER_SECOND: f64 = 100.0;

fn stat_fields(pid: u32) -> Option<Vec<String>> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) is in parentheses and may hold spaces: split after it.
    let rest = &stat[stat.rfind(')')? + 2..];
    Some(rest.split_whitespace().map(str::to_owned).collect())
}

/// `pid` and every process below it.
pub fn tree(pid: u32) -> Vec<u32> {
    let mut all = vec![pid];
    let mut i = 0;
    let parents: Vec<(u32, u32)> = std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let child: u32 = e.file_name().to_str()?.parse().ok()?;
            // Field 4 (index 1 after the name): the parent.
            let parent: u32 = stat_fields(child)?.get(1)?.parse().ok()?;
            Some((child, parent))
        })
        .collect();
    while i < all.len() {
        let p = all[i];
        all.extend(parents.iter().filter(|(_, pp)| *pp == p).map(|(c, _)| *c));
        i += 1;
    }
    all
}

/// User plus system CPU time of `pids`, in clock ticks.
pub fn cpu_ticks(pids: &[u32]) -> u64 {
    pids.iter()
        .filter_map(|p| {
            let f = stat_fields(*p)?;
            // Fields 14 and 15: utime, stime (indexes 11 and 12 after the name).
            Some(f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?)
        })
        .sum()
}

/// The proportional set size of `pids` together, in KiB.
pub fn pss_kib(pids: &[u32]) -> u64 {
    pids.iter()
        .filter_map(|p| {
            let rollup = std::fs::read_to_string(format!("/proc/{p}/smaps_rollup")).ok()?;
            rollup
                .lines()
                .find_map(|l| l.strip_prefix("Pss:"))?
                .split_whitespace()
                .next()?
                .parse::<u64>()
                .ok()
        })
        .sum()
}

/// What each open descriptor of `pid` points at (`socket:[…]`, a path, `anon_inode:…`), sorted.
pub fn fd_targets(pid: u32) -> Vec<String> {
    let mut out: Vec<String> = std::fs::read_dir(format!("/proc/{pid}/fd"))
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| std::fs::read_link(e.path()).ok())
        .map(|t| t.display().to_string())
        .collect();
    out.sort();
    out
}

/// When `pid` started, in seconds since boot (a clock tick's resolution).
pub fn started_since_boot(pid: u32) -> Option<f64> {
    // Field 22: starttime, in ticks since boot (index 19 after the name).
    let ticks: f64 = stat_fields(pid)?.get(19)?.parse().ok()?;
    Some(ticks / TICKS_PER_SECOND)
}

/// Seconds since boot now (`/proc/uptime`, the same clock as [`started_since_boot`]), and the
/// wall clock read at the same moment, in milliseconds since the epoch.
pub fn uptime_and_wall_ms() -> (f64, f64) {
    let wall = || {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    };
    let before = wall();
    let up: f64 = std::fs::read_to_string("/proc/uptime")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .unwrap_or(0.0);
    (up, f64::midpoint(before, wall()))
}

/// The size of a file and its `-wal` beside it, in bytes.
pub fn db_bytes(db: &Path) -> u64 {
    let wal = db.with_extension("db-wal");
    [db, wal.as_path()]
        .iter()
        .filter_map(|p| std::fs::metadata(p).ok())
        .map(|m| m.len())
        .sum()
}

/// The command name of `pid` (`/proc/PID/comm`: at most 15 bytes, so `WebKitWebProces`).
pub fn name(pid: u32) -> Option<String> {
    std::fs::read_to_string(format!("/proc/{pid}/comm"))
        .ok()
        .map(|s| s.trim_end().to_owned())
}

/// The mount namespace `pid` lives in (`mnt:[4026531841]`): a process in `WebKit`'s bubblewrap
/// sandbox has its own.
pub fn mount_namespace(pid: u32) -> Option<String> {
    std::fs::read_link(format!("/proc/{pid}/ns/mnt"))
        .ok()
        .map(|p| p.display().to_string())
}

/// Every thread of `pids`: its process, its name (`/proc/PID/task/TID/comm`) and how many
/// times it has been switched out so far (voluntary and involuntary context switches): a thread
/// asleep until something is due does not move; one woken by a timer moves at each wake.
pub fn thread_switches(pids: &[u32]) -> Vec<(u32, u32, String, u64)> {
    let mut out = Vec::new();
    for pid in pids {
        let tasks = std::fs::read_dir(format!("/proc/{pid}/task"))
            .into_iter()
            .flatten();
        for task in tasks.flatten() {
            let Some(tid) = task.file_name().to_str().and_then(|t| t.parse().ok()) else {
                continue;
            };
            let Ok(status) = std::fs::read_to_string(task.path().join("status")) else {
                continue;
            };
            let count = |key: &str| -> u64 {
                status
                    .lines()
                    .find_map(|l| l.strip_prefix(key))
                    .and_then(|v| v.trim().parse().ok())
                    .unwrap_or(0)
            };
            let switches = count("voluntary_ctxt_switches:") + count("nonvoluntary_ctxt_switches:");
            let comm = std::fs::read_to_string(task.path().join("comm"))
                .unwrap_or_default()
                .trim_end()
                .to_owned();
            out.push((*pid, tid, comm, switches));
        }
    }
    out
}

/// The wakes of each thread of `pids` over `secs` seconds (threads that moved, most first).
pub fn wakes_over(pids: &[u32], secs: u64) -> Vec<(u32, String, u64)> {
    let before = thread_switches(pids);
    std::thread::sleep(std::time::Duration::from_secs(secs));
    let mut moved: Vec<(u32, String, u64)> = thread_switches(pids)
        .into_iter()
        .filter_map(|(pid, tid, comm, n)| {
            let was = before.iter().find(|b| b.1 == tid).map_or(0, |b| b.3);
            (n > was).then(|| (pid, comm, n - was))
        })
        .collect();
    moved.sort_by_key(|m| std::cmp::Reverse(m.2));
    moved
}

#[cfg(test)]
mod tests {
    #[test]
    fn reads_this_process() {
        let me = std::process::id();
        assert!(super::tree(me).contains(&me));
        assert!(super::pss_kib(&[me]) > 0);
        assert!(super::fd_targets(me).len() >= 3);
        let (up, _) = super::uptime_and_wall_ms();
        let started = super::started_since_boot(me).expect("a start time");
        assert!(started > 0.0 && started <= up + 0.01, "{started} {up}");
    }
}
