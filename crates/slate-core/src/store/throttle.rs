//! The sign-in throttle's tables: `signin_throttle`, consecutive failed sign-ins per name, known
//! or not, keyed by the name's digest under the throttle key (never what someone typed), and
//! `signin_failures`, the terminal's most recent failures whatever the name. Each failure is kept
//! as a [`Moment`] so waits are measured on the boot clock within a boot. The rules (how long to
//! wait) are in [`crate::auth`]; applying them is [`crate::kiosk`]'s. In a room, names are the
//! room's ([`crate::room::Room`]): a name slowed on one terminal is slowed on all; the terminal's
//! own count stays in its file.

use std::time::Duration;

use rusqlite::{params, OptionalExtension};

use super::{Store, StoreError};
use crate::clock::{from_db, to_db, Moment};

/// How long a name's failures are remembered after its last one: longer than any wait, so
/// pruning never shortens one.
pub const FORGET_AFTER: Duration = Duration::from_secs(24 * 60 * 60);

fn moment(at: &str, boot: String, ms: i64) -> Option<Moment> {
    Some(Moment {
        wall: from_db(at)?,
        boot_id: boot,
        since_boot: Duration::from_millis(u64::try_from(ms).ok()?),
    })
}

fn ms(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

/// Whose count a name is in: the room's when the terminal is in one (a person's name, slowed at
/// every terminal alike), or this terminal's alone (the guest-pass codes, which are this
/// terminal's and must work while the room is away).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThrottleScope {
    Shared,
    Terminal,
}

/// A name's throttle row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameThrottle {
    /// Consecutive failures.
    pub failures: u32,
    pub last_failure: Moment,
    /// The last attempt that was checked: a failure, or one checked during a cool-down.
    pub last_attempt: Moment,
}

impl Store {
    /// A name's failures. A row that cannot be read (a hand-edited time) reads as a failure
    /// just now, so it never shortens a wait.
    pub fn throttle_state(
        &self,
        scope: ThrottleScope,
        digest: &str,
        now: &Moment,
    ) -> Result<Option<NameThrottle>, StoreError> {
        type Row = (i64, String, String, i64, String, String, i64);
        if let Some(room) = self.names_room(scope) {
            return Ok(room.throttle_row(digest)?.map(|r| {
                let (f_at, f_boot, f_ms) = r.last_failure;
                let (a_at, a_boot, a_ms) = r.last_attempt;
                NameThrottle {
                    failures: u32::try_from(r.failures).unwrap_or(u32::MAX),
                    last_failure: moment(&f_at, f_boot, f_ms).unwrap_or_else(|| now.clone()),
                    last_attempt: moment(&a_at, a_boot, a_ms).unwrap_or_else(|| now.clone()),
                }
            }));
        }
        let row: Option<Row> = self
            .conn()
            .query_row(
                "SELECT failures, last_failure_at, last_failure_boot, last_failure_ms,
                        last_attempt_at, last_attempt_boot, last_attempt_ms
                 FROM signin_throttle WHERE name_digest = ?1",
                [digest],
                |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                        r.get(6)?,
                    ))
                },
            )
            .optional()?;
        Ok(
            row.map(|(n, f_at, f_boot, f_ms, a_at, a_boot, a_ms)| NameThrottle {
                failures: u32::try_from(n).unwrap_or(u32::MAX),
                last_failure: moment(&f_at, f_boot, f_ms).unwrap_or_else(|| now.clone()),
                last_attempt: moment(&a_at, a_boot, a_ms).unwrap_or_else(|| now.clone()),
            }),
        )
    }

    /// Records one failed sign-in: one more for the name (returns its new count), one more for
    /// the terminal (keeping only its `keep` most recent), and forgets names quiet for
    /// [`FORGET_AFTER`]. Call inside [`Store::atomically`] with the audit record.
    pub fn throttle_fail(
        &self,
        scope: ThrottleScope,
        digest: &str,
        now: &Moment,
        keep: u32,
    ) -> Result<u32, StoreError> {
        let at = to_db(now.wall);
        if let Some(room) = self.names_room(scope) {
            let n = room.throttle_fail(digest, &at, &now.boot_id, now.since_boot)?;
            self.terminal_fail(now, keep)?;
            return Ok(u32::try_from(n).unwrap_or(u32::MAX));
        }
        let n: i64 = self.conn().query_row(
            "INSERT INTO signin_throttle
                (name_digest, failures, last_failure_at, last_failure_boot, last_failure_ms,
                 last_attempt_at, last_attempt_boot, last_attempt_ms)
             VALUES (?1, 1, ?2, ?3, ?4, ?2, ?3, ?4)
             ON CONFLICT (name_digest) DO UPDATE
                SET failures = failures + 1,
                    last_failure_at = excluded.last_failure_at,
                    last_failure_boot = excluded.last_failure_boot,
                    last_failure_ms = excluded.last_failure_ms,
                    last_attempt_at = excluded.last_attempt_at,
                    last_attempt_boot = excluded.last_attempt_boot,
                    last_attempt_ms = excluded.last_attempt_ms
             RETURNING failures",
            params![digest, at, now.boot_id, ms(now.since_boot)],
            |r| r.get(0),
        )?;
        self.terminal_fail(now, keep)?;
        let forget = chrono::Duration::from_std(FORGET_AFTER).expect("a day is representable");
        self.conn().execute(
            "DELETE FROM signin_throttle WHERE last_failure_at < ?1",
            [to_db(now.wall - forget)],
        )?;
        Ok(u32::try_from(n).unwrap_or(u32::MAX))
    }

    /// Records an attempt checked during a name's cool-down and refused: the back-off starts
    /// again from now (the cool-down and the count stay), and the terminal counts a failure.
    pub fn throttle_checked(
        &self,
        scope: ThrottleScope,
        digest: &str,
        now: &Moment,
        keep: u32,
    ) -> Result<(), StoreError> {
        if let Some(room) = self.names_room(scope) {
            room.throttle_checked(digest, &to_db(now.wall), &now.boot_id, now.since_boot)?;
            return self.terminal_fail(now, keep);
        }
        self.conn().execute(
            "UPDATE signin_throttle
             SET last_attempt_at = ?2, last_attempt_boot = ?3, last_attempt_ms = ?4
             WHERE name_digest = ?1",
            params![digest, to_db(now.wall), now.boot_id, ms(now.since_boot)],
        )?;
        self.terminal_fail(now, keep)
    }

    /// The room that keeps names of `scope`, if it is the room's.
    fn names_room(&self, scope: ThrottleScope) -> Option<&crate::room::Room> {
        self.room
            .as_deref()
            .filter(|_| scope == ThrottleScope::Shared)
    }

    fn terminal_fail(&self, now: &Moment, keep: u32) -> Result<(), StoreError> {
        self.conn().execute(
            "INSERT INTO signin_failures (at, boot, boot_ms) VALUES (?1, ?2, ?3)",
            params![to_db(now.wall), now.boot_id, ms(now.since_boot)],
        )?;
        self.conn().execute(
            "DELETE FROM signin_failures
             WHERE id <= (SELECT max(id) FROM signin_failures) - ?1",
            [i64::from(keep.max(1))],
        )?;
        Ok(())
    }

    /// The terminal's recent failures (at most as many as the last [`Store::throttle_fail`]
    /// kept), newest first. Unreadable rows read as just now.
    pub fn recent_failures(&self, now: &Moment) -> Result<Vec<Moment>, StoreError> {
        let mut stmt = self
            .conn()
            .prepare("SELECT at, boot, boot_ms FROM signin_failures ORDER BY id DESC")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get(1)?, r.get(2)?)))?;
        let mut out = Vec::new();
        for row in rows {
            let (at, boot, at_ms) = row?;
            out.push(moment(&at, boot, at_ms).unwrap_or_else(|| now.clone()));
        }
        Ok(out)
    }

    /// Forgets the failures of a name (after a success, or an administrator's unlock). The
    /// terminal's count stays: it is about the terminal, not the name.
    pub fn throttle_clear(&self, scope: ThrottleScope, digest: &str) -> Result<(), StoreError> {
        if let Some(room) = self.names_room(scope) {
            return room.throttle_clear(digest);
        }
        self.conn().execute(
            "DELETE FROM signin_throttle WHERE name_digest = ?1",
            [digest],
        )?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::Clock;
    use crate::test_util::FakeClock;

    #[test]
    fn failures_count_per_name_and_the_terminal_keeps_only_its_most_recent() {
        let tmp = tempfile::tempdir().unwrap();
        let s = Store::open(&tmp.path().join("slate.db")).unwrap();
        let clock = FakeClock::new();
        let now = clock.moment();
        assert_eq!(
            s.throttle_state(ThrottleScope::Shared, "a", &now).unwrap(),
            None
        );
        for expected in 1..=4 {
            assert_eq!(
                s.throttle_fail(ThrottleScope::Shared, "a", &clock.moment(), 3)
                    .unwrap(),
                expected
            );
            clock.advance(Duration::from_secs(1));
        }
        let state = s
            .throttle_state(ThrottleScope::Shared, "a", &clock.moment())
            .unwrap()
            .unwrap();
        assert_eq!(state.failures, 4);
        assert_eq!(
            state.last_failure.age_at(&clock.moment()),
            Duration::from_secs(1)
        );
        assert_eq!(state.last_attempt, state.last_failure);
        clock.advance(Duration::from_secs(5));
        s.throttle_checked(ThrottleScope::Shared, "a", &clock.moment(), 3)
            .unwrap();
        let checked = s
            .throttle_state(ThrottleScope::Shared, "a", &clock.moment())
            .unwrap()
            .unwrap();
        assert_eq!(
            checked.failures, 4,
            "a checked attempt is no failure of the name"
        );
        assert_eq!(checked.last_failure, state.last_failure);
        assert_eq!(checked.last_attempt, clock.moment());
        assert_eq!(s.recent_failures(&clock.moment()).unwrap().len(), 3);
        s.throttle_clear(ThrottleScope::Shared, "a").unwrap();
        assert_eq!(
            s.throttle_state(ThrottleScope::Shared, "a", &clock.moment())
                .unwrap(),
            None
        );
        assert_eq!(s.recent_failures(&clock.moment()).unwrap().len(), 3);
    }

    #[test]
    fn a_name_quiet_for_a_day_is_forgotten_at_the_next_failure() {
        let tmp = tempfile::tempdir().unwrap();
        let s = Store::open(&tmp.path().join("slate.db")).unwrap();
        let clock = FakeClock::new();
        s.throttle_fail(ThrottleScope::Shared, "old", &clock.moment(), 30)
            .unwrap();
        clock.advance(FORGET_AFTER.checked_sub(Duration::from_secs(1)).unwrap());
        s.throttle_fail(ThrottleScope::Shared, "new", &clock.moment(), 30)
            .unwrap();
        assert!(s
            .throttle_state(ThrottleScope::Shared, "old", &clock.moment())
            .unwrap()
            .is_some());
        clock.advance(Duration::from_secs(2));
        s.throttle_fail(ThrottleScope::Shared, "new", &clock.moment(), 30)
            .unwrap();
        assert_eq!(
            s.throttle_state(ThrottleScope::Shared, "old", &clock.moment())
                .unwrap(),
            None
        );
    }
}
