//! Credentials: usernames, passwords, Argon2id hashing and sign-in throttling arithmetic.
//!
//! - [`Username`]: NFC-normalised and trimmed, 1–64 characters, no control characters; compared
//!   case-insensitively through [`Username::key`].
//! - [`Password`]: the secret, zeroised when dropped; [`Password::check_new`] applies NIST SP
//!   800-63B rules (8–256 characters, anything allowed, not a common password).
//! - [`hash_password`] / [`verify_password`]: Argon2id at the argon2 crate's defaults, which are the
//!   OWASP minimum (m=19456 KiB, t=2, p=1); [`needs_rehash`] spots weaker stored hashes.
//!   [`verify_dummy`] spends the same time when there is no account to check against. Every
//!   hash of the process runs on one thread of its own ([`hashing`]).
//! - Sign-in throttling, the rules only (the kiosk applies them, the store keeps the counts):
//!   [`ThrottleKey`] keys the stored names; [`name_verdict`] decides an attempt for one name from
//!   its [`backoff`] (doubling between failures) and [`cooldown`] (15 min, 1 h, 4 h after every
//!   `signin_lock_after` failures, never permanent, and an administrator's right password still
//!   works); [`terminal_wait`] slows every name once the terminal has seen too many failures.

use std::time::Duration;

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::PasswordHasher;
use argon2::{Algorithm, Argon2, Params};
use unicode_normalization::UnicodeNormalization;
use zeroize::{Zeroize, Zeroizing};

/// Longest username, in characters, after normalisation.
pub const USERNAME_MAX: usize = 64;
/// Shortest and longest password, in characters (NIST SP 800-63B).
pub const PASSWORD_MIN: usize = 8;
pub const PASSWORD_MAX: usize = 256;

/// A small list of the most common passwords of 8 characters or more, refused for new passwords.
const COMMON_PASSWORDS: &str = include_str!("../data/common-passwords.txt");

/// Why a username or a new password is not acceptable. Messages are one sentence.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CredentialError {
    #[error("Enter a username.")]
    UsernameEmpty,
    #[error("A username can have at most 64 characters.")]
    UsernameTooLong,
    #[error("A username cannot contain control characters.")]
    UsernameControl,
    #[error("The password needs at least 8 characters.")]
    PasswordTooShort,
    #[error("The password can have at most 256 characters.")]
    PasswordTooLong,
    #[error("The password cannot contain the NUL character.")]
    PasswordNul,
    #[error("That password is too common and easy to guess; choose another.")]
    PasswordCommon,
    #[error("The password cannot be the username.")]
    PasswordIsUsername,
    #[error("A display name can have at most 128 characters and no control characters.")]
    DisplayName,
}

/// A valid username, as the person typed it (normalised), with its case-insensitive key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Username {
    display: String,
    key: String,
}

impl Username {
    /// Normalises (NFC), trims and checks a username.
    pub fn parse(raw: &str) -> Result<Self, CredentialError> {
        let display: String = raw.nfc().collect::<String>().trim().to_owned();
        if display.is_empty() {
            return Err(CredentialError::UsernameEmpty);
        }
        if display.chars().count() > USERNAME_MAX {
            return Err(CredentialError::UsernameTooLong);
        }
        if display.chars().any(char::is_control) {
            return Err(CredentialError::UsernameControl);
        }
        let key = display.to_lowercase().nfc().collect();
        Ok(Self { display, key })
    }

    /// The username as shown.
    pub fn as_str(&self) -> &str {
        &self.display
    }

    /// Whether `other` is this username, compared as usernames are (normalised, trimmed,
    /// case-insensitively). The one comparison of usernames in the core.
    pub fn is(&self, other: &str) -> bool {
        Username::parse(other).is_ok_and(|o| o.key == self.key)
    }

    /// The case-insensitive key usernames are compared by.
    pub fn key(&self) -> &str {
        &self.key
    }
}

impl std::fmt::Display for Username {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.display)
    }
}

/// A password in memory: zeroised on drop, never printed (its `Debug` is redacted).
#[derive(Clone, Default, serde::Deserialize)]
#[serde(transparent)]
pub struct Password(Zeroizing<String>);

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

/// Written only onto the local socket between the kiosk's screen and the session service (the
/// one place a password travels after the person typed it).
impl serde::Serialize for Password {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl From<String> for Password {
    fn from(mut s: String) -> Self {
        let p = Self(Zeroizing::new(s.clone()));
        s.zeroize();
        p
    }
}

impl Password {
    /// The secret bytes, for hashing.
    pub fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }

    /// The secret as text, for the one call that hands it to a directory.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Length in characters.
    pub fn chars(&self) -> usize {
        self.0.chars().count()
    }

    /// Checks a password being set (not one being verified): NIST SP 800-63B length, no NUL, not
    /// common, not the username.
    pub fn check_new(&self, username: &Username) -> Result<(), CredentialError> {
        let n = self.chars();
        if n < PASSWORD_MIN {
            return Err(CredentialError::PasswordTooShort);
        }
        if n > PASSWORD_MAX {
            return Err(CredentialError::PasswordTooLong);
        }
        if self.0.contains('\0') {
            return Err(CredentialError::PasswordNul);
        }
        let lowered = Zeroizing::new(self.0.to_lowercase());
        if is_common(&lowered) {
            return Err(CredentialError::PasswordCommon);
        }
        if *lowered == username.key() {
            return Err(CredentialError::PasswordIsUsername);
        }
        Ok(())
    }
}

fn is_common(lowered: &str) -> bool {
    COMMON_PASSWORDS
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .any(|l| l == lowered)
}

/// The hashing configuration: Argon2id v19 at the crate's defaults (the OWASP minimum).
fn hasher() -> Argon2<'static> {
    Argon2::default()
}

/// Hashes a password into a PHC string (`$argon2id$v=19$m=19456,t=2,p=1$…`) with a fresh salt.
pub fn hash_password(password: &Password) -> String {
    let password = password.clone();
    hashing::run(move |_| {
        hasher()
            .hash_password(password.as_bytes())
            .map(|h| h.to_string())
    })
    .and_then(Result::ok)
    .expect("Argon2id with default parameters and a generated salt cannot fail")
}

/// Whether `password` matches the stored PHC string. A malformed string never matches.
pub fn verify_password(password: &Password, phc: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(phc) else {
        return false;
    };
    let password = password.clone();
    hashing::run(move |memory| verify_in(memory, password.as_bytes(), &parsed)).unwrap_or(false)
}

/// What `argon2`'s `PasswordVerifier` does (the hash's own algorithm, version and parameters,
/// its salt, a constant-time comparison of the outputs), with the hashing thread's working
/// memory instead of a fresh buffer each time.
fn verify_in(memory: &mut hashing::Memory, password: &[u8], parsed: &PasswordHash) -> bool {
    let (Some(salt), Some(expected)) = (&parsed.salt, &parsed.hash) else {
        return false;
    };
    let Ok(algorithm) = Algorithm::try_from(parsed.algorithm.as_str()) else {
        return false;
    };
    let Ok(version) = parsed
        .version
        .map_or(Ok(argon2::Version::default()), argon2::Version::try_from)
    else {
        return false;
    };
    let Ok(params) = Params::try_from(parsed) else {
        return false;
    };
    let mut out = Zeroizing::new([0u8; argon2::password_hash::phc::Output::MAX_LENGTH]);
    let Some(out) = out.get_mut(..expected.len()) else {
        return false;
    };
    let blocks = params.block_count();
    if memory.len() < blocks {
        memory.resize(blocks, argon2::Block::new());
    }
    Argon2::new(algorithm, version, params)
        .hash_password_into_with_memory(password, salt.as_ref(), out, &mut memory[..blocks])
        .is_ok()
        && argon2::password_hash::phc::Output::new(out).is_ok_and(|computed| computed == *expected)
}

/// The one thread that runs every Argon2 hash of the process, started at the first.
///
/// Each hash works in 19 MiB of memory. On the runtime's blocking threads, which come and go,
/// each hash took a fresh buffer (its pages faulted in, about 4,900 of them) and glibc kept
/// the freed ones in the arena of each thread that had hashed: about 80 MiB of a kiosk after a
/// thousand sessions. This thread keeps one buffer ([`Memory`], zeroised when dropped) from one
/// verification to the next, so a sign-in costs what a bare hash does, and hashes run one at a
/// time. Once no hash came for [`IDLE`], it drops the buffer, gives the free memory back
/// ([`give_back_free_memory`]) and sleeps until the next one, with no timer.
///
/// [`give_back_free_memory`]: crate::hardening::give_back_free_memory
pub mod hashing {
    use std::sync::mpsc;
    use std::sync::OnceLock;
    use std::time::Duration;

    use zeroize::Zeroizing;

    /// How long the thread keeps its buffer after a hash: a retyped password, a second sign-in
    /// after a typo, reuses it; a terminal at rest holds none.
    pub const IDLE: Duration = Duration::from_secs(10);

    /// The thread's working memory for Argon2, kept between hashes, zeroised when dropped.
    pub type Memory = Zeroizing<Vec<argon2::Block>>;

    type Job = Box<dyn FnOnce(&mut Memory) + Send>;

    /// The thread's queue; `None` when it could not be started (then each hash runs on its
    /// caller's thread with memory of its own, as before there was one).
    static JOBS: OnceLock<Option<mpsc::Sender<Job>>> = OnceLock::new();

    fn jobs() -> Option<&'static mpsc::Sender<Job>> {
        JOBS.get_or_init(|| {
            let (tx, rx) = mpsc::channel::<Job>();
            std::thread::Builder::new()
                .name("argon2".into())
                .spawn(move || serve(&rx))
                .map_err(|e| tracing::warn!("no thread of its own for hashing: {e}"))
                .ok()
                .map(|_| tx)
        })
        .as_ref()
    }

    fn serve(rx: &mpsc::Receiver<Job>) {
        let mut memory = Memory::default();
        let mut hashed = false;
        loop {
            let job = if hashed {
                match rx.recv_timeout(IDLE) {
                    Ok(job) => job,
                    Err(mpsc::RecvTimeoutError::Timeout) => {
                        memory = Memory::default();
                        crate::hardening::give_back_free_memory();
                        hashed = false;
                        continue;
                    }
                    Err(mpsc::RecvTimeoutError::Disconnected) => return,
                }
            } else {
                match rx.recv() {
                    Ok(job) => job,
                    Err(mpsc::RecvError) => return,
                }
            };
            // A job that panics (never with valid parameters) drops its answer: its caller
            // hears `None`; the thread goes on, with fresh memory.
            if std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job(&mut memory))).is_err()
            {
                memory = Memory::default();
            }
            hashed = true;
        }
    }

    /// Runs `job` on the hashing thread, with its working memory, and waits for its answer;
    /// `None` if it panicked.
    pub fn run<R: Send + 'static>(
        job: impl FnOnce(&mut Memory) -> R + Send + 'static,
    ) -> Option<R> {
        let Some(jobs) = jobs() else {
            return Some(job(&mut Memory::default()));
        };
        let (answer, answered) = mpsc::sync_channel(1);
        jobs.send(Box::new(move |memory: &mut Memory| {
            let _ = answer.send(job(memory));
        }))
        .ok()?;
        answered.recv().ok()
    }
}

/// Spends the time of one verification against a hash at the current parameters, for sign-ins
/// with no account to check (unknown username), so both take about as long.
pub fn verify_dummy(password: &Password) {
    let _ = verify_password(password, DUMMY_HASH);
}

/// A fixed hash at the current parameters (a test checks they are current), so that even the
/// first unknown-name sign-in after start costs exactly one hash, like a wrong password does.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$Y64xOpRtBod0/2PpY1Iclg$1uy4/jY3KElA7MRdPKiFulDGO4YawN59EsWRJcnqkfY";

/// Whether a stored hash is weaker than what [`hash_password`] makes now (another algorithm, or
/// lower memory, time or parallelism), so it should be replaced at the next successful sign-in.
pub fn needs_rehash(phc: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(phc) else {
        return true;
    };
    if parsed.algorithm != Algorithm::Argon2id.ident() {
        return true;
    }
    let Ok(params) = Params::try_from(&parsed) else {
        return true;
    };
    let current = Params::default();
    params.m_cost() < current.m_cost()
        || params.t_cost() < current.t_cost()
        || params.p_cost() < current.p_cost()
}

/// How long to wait before the next attempt after `failures` consecutive failures: 1 s after the
/// first, doubling each time, never more than `cap`.
pub fn backoff(failures: u32, cap: Duration) -> Duration {
    if failures == 0 {
        return Duration::ZERO;
    }
    let exp = (failures - 1).min(30);
    Duration::from_secs(1u64 << exp).min(cap)
}

/// The cool-downs, one after another: after `signin_lock_after` consecutive failures, then
/// after twice as many, then after three times as many and every further step.
pub const COOLDOWNS: [Duration; 3] = [
    Duration::from_secs(15 * 60),
    Duration::from_secs(60 * 60),
    Duration::from_secs(4 * 60 * 60),
];

/// How long a name cools down after `failures` consecutive failures when it cools down every
/// `after` failures: none before the first step, then [`COOLDOWNS`] in turn.
pub fn cooldown(failures: u32, after: u32) -> Duration {
    let step = usize::try_from(failures / after.max(1)).unwrap_or(usize::MAX);
    match step {
        0 => Duration::ZERO,
        n => COOLDOWNS[(n - 1).min(COOLDOWNS.len() - 1)],
    }
}

/// The throttle's rules, as the settings set them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottleRules {
    /// The longest wait between failures to one name (`signin_backoff_cap`).
    pub backoff_cap: Duration,
    /// Failures to one name per step of cool-down (`signin_lock_after`).
    pub cooldown_after: u32,
    /// Failures at this terminal, any names, that make every sign-in wait
    /// (`signin_terminal_limit`)…
    pub terminal_limit: u32,
    /// …when they fall within this long (`signin_terminal_window`).
    pub terminal_window: Duration,
}

/// What to do with a sign-in attempt for one name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameVerdict {
    /// Check the password.
    Check,
    /// Refuse without checking it: try again after this long.
    Wait(Duration),
    /// The name cools down for this long yet: check the password (so the attempt takes the time
    /// of any other), but accept only an administrator's. Administrators are slowed by failures,
    /// never shut out by them; everyone else hears the same "try again in …".
    Cooling(Duration),
}

/// Decides an attempt for a name with `failures` consecutive failures, the last one
/// `since_failure` ago and the last checked attempt `since_attempt` ago (a failure is also an
/// attempt). The back-off runs from the last attempt, the cool-down from the last failure.
pub fn name_verdict(
    failures: u32,
    since_failure: Duration,
    since_attempt: Duration,
    rules: &ThrottleRules,
) -> NameVerdict {
    let backoff = backoff(failures, rules.backoff_cap).saturating_sub(since_attempt);
    let cooling = cooldown(failures, rules.cooldown_after).saturating_sub(since_failure);
    if !backoff.is_zero() {
        NameVerdict::Wait(backoff.max(cooling))
    } else if !cooling.is_zero() {
        NameVerdict::Cooling(cooling)
    } else {
        NameVerdict::Check
    }
}

/// How long every sign-in at this terminal waits, given how long ago its recent failures were
/// (any names, known or not): nothing while fewer than `terminal_limit` of them fall within
/// `terminal_window`; otherwise until enough of them have left it. So at most
/// `terminal_limit` failures are possible in any `terminal_window`, whatever names are tried
/// (one password tried across many names, "password spraying").
pub fn terminal_wait(ages: &[Duration], rules: &ThrottleRules) -> Duration {
    let limit = usize::try_from(rules.terminal_limit.max(1)).unwrap_or(usize::MAX);
    let mut inside: Vec<Duration> = ages
        .iter()
        .copied()
        .filter(|age| *age < rules.terminal_window)
        .collect();
    if inside.len() < limit {
        return Duration::ZERO;
    }
    inside.sort_unstable();
    // Once the limit-th most recent has left the window, fewer than the limit remain in it.
    rules.terminal_window.saturating_sub(inside[limit - 1])
}

/// The key the sign-in throttle's names are stored under: only an HMAC-SHA256 of each name
/// under it is kept, so neither the table nor a copy of the database says what anyone typed (it
/// may be a password typed into the name field), even to someone who tries every guess offline.
/// Derived from the audit key, the one secret kept outside the database.
pub struct ThrottleKey(Zeroizing<[u8; 32]>);

impl std::fmt::Debug for ThrottleKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ThrottleKey(<redacted>)")
    }
}

impl ThrottleKey {
    /// What the key is derived under (see [`crate::audit::AuditKey::derive`]).
    pub const LABEL: &'static str = "sign-in throttle v1";

    pub fn new(bytes: Zeroizing<[u8; 32]>) -> Self {
        Self(bytes)
    }

    /// The stored key of a name (its [`Username::key`], or the trimmed, lower-cased text when it
    /// is no valid username).
    pub fn digest(&self, name_key: &str) -> String {
        use hmac::{Hmac, KeyInit, Mac};
        let mut mac = <Hmac<sha2::Sha256> as KeyInit>::new_from_slice(&self.0[..])
            .expect("HMAC takes any key");
        mac.update(name_key.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pw(s: &str) -> Password {
        Password::from(s.to_owned())
    }

    #[test]
    fn usernames_are_normalised_trimmed_and_keyed_case_insensitively() {
        let decomposed = "  Jose\u{301}  ";
        let u = Username::parse(decomposed).unwrap();
        assert_eq!(u.as_str(), "Jos\u{e9}");
        assert_eq!(Username::parse("JOS\u{c9}").unwrap().key(), u.key());
        assert_eq!(
            Username::parse("").unwrap_err(),
            CredentialError::UsernameEmpty
        );
        assert_eq!(
            Username::parse(" \t ").unwrap_err(),
            CredentialError::UsernameEmpty
        );
        assert!(Username::parse(&"é".repeat(64)).is_ok());
        assert_eq!(
            Username::parse(&"é".repeat(65)).unwrap_err(),
            CredentialError::UsernameTooLong
        );
        assert_eq!(
            Username::parse("a\0b").unwrap_err(),
            CredentialError::UsernameControl
        );
        assert_eq!(
            Username::parse("a\nb").unwrap_err(),
            CredentialError::UsernameControl
        );
    }

    #[test]
    fn new_passwords_follow_nist_rules() {
        let ana = Username::parse("ana").unwrap();
        assert_eq!(
            pw("1234567").check_new(&ana),
            Err(CredentialError::PasswordTooShort)
        );
        assert_eq!(pw("horse battery").check_new(&ana), Ok(()));
        assert_eq!(
            pw("🔑🔑🔑🔑🔑🔑🔑🔑").check_new(&ana),
            Ok(()),
            "any Unicode"
        );
        assert_eq!(pw("        x").check_new(&ana), Ok(()), "spaces are fine");
        assert_eq!(pw(&"a".repeat(256)).check_new(&ana), Ok(()));
        assert_eq!(
            pw(&"a".repeat(257)).check_new(&ana),
            Err(CredentialError::PasswordTooLong)
        );
        assert_eq!(
            pw("PassWord1").check_new(&ana),
            Err(CredentialError::PasswordCommon)
        );
        assert_eq!(
            pw("12345678").check_new(&ana),
            Err(CredentialError::PasswordCommon)
        );
        assert_eq!(
            pw("abc\0defgh").check_new(&ana),
            Err(CredentialError::PasswordNul)
        );
        let long = Username::parse("Librarian").unwrap();
        assert_eq!(
            pw("librarian").check_new(&long),
            Err(CredentialError::PasswordIsUsername)
        );
    }

    #[test]
    fn the_hashing_thread_verifies_as_the_argon2_crate_does() {
        use argon2::password_hash::{CustomizedPasswordHasher, PasswordVerifier};
        let salt = [7u8; 16];
        let mut hashes = Vec::new();
        for (algorithm, m, t, p) in [
            (Algorithm::Argon2id, 19_456, 2, 1),
            (Algorithm::Argon2id, 8_192, 1, 1),
            (Algorithm::Argon2i, 8_192, 3, 2),
            (Algorithm::Argon2d, 4_096, 1, 1),
        ] {
            let params = Params::new(m, t, p, None).unwrap();
            let phc = Argon2::default()
                .hash_password_customized(
                    b"correct horse battery",
                    &salt,
                    Some(algorithm.ident().as_str()),
                    None,
                    params,
                )
                .unwrap()
                .to_string();
            hashes.push(phc);
        }
        for phc in &hashes {
            for password in ["correct horse battery", "correct horse batterY", ""] {
                let crate_says = PasswordHash::new(phc)
                    .is_ok_and(|h| hasher().verify_password(password.as_bytes(), &h).is_ok());
                assert_eq!(
                    verify_password(&pw(password), phc),
                    crate_says,
                    "{phc} {password:?}"
                );
            }
        }
        // Another salt, a cut output, no output: never a match.
        let cut = &hashes[0][..hashes[0].len() - 4];
        assert!(!verify_password(&pw("correct horse battery"), cut));
        let other_salt = hashes[0].replace("BwcHBwcHBwcHBwcHBwcHBw", "CAgICAgICAgICAgICAgICA");
        assert_ne!(other_salt, hashes[0]);
        assert!(!verify_password(&pw("correct horse battery"), &other_salt));
        let no_output = hashes[0].rsplit_once('$').unwrap().0;
        assert!(!verify_password(&pw("correct horse battery"), no_output));
    }

    #[test]
    fn every_hash_runs_on_the_one_hashing_thread_and_a_panic_does_not_stop_it() {
        let phc = hash_password(&pw("correct horse battery"));
        let callers: Vec<_> = (0..4)
            .map(|i| {
                let phc = phc.clone();
                std::thread::spawn(move || {
                    let password = if i % 2 == 0 {
                        "correct horse battery"
                    } else {
                        "wrong horse battery"
                    };
                    let on = hashing::run(|_| std::thread::current().name().map(str::to_owned));
                    (verify_password(&pw(password), &phc), on)
                })
            })
            .collect();
        for (i, caller) in callers.into_iter().enumerate() {
            let (verified, on) = caller.join().unwrap();
            assert_eq!(verified, i % 2 == 0);
            assert_eq!(on.flatten().as_deref(), Some("argon2"));
        }
        assert_eq!(hashing::run(|_| -> u8 { panic!("a job that fails") }), None);
        assert!(verify_password(&pw("correct horse battery"), &phc));
    }

    #[test]
    fn hashes_are_argon2id_at_owasp_parameters_and_verify() {
        let p = pw("correct horse battery");
        let phc = hash_password(&p);
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert!(verify_password(&p, &phc));
        assert!(!verify_password(&pw("correct horse batterY"), &phc));
        assert!(!verify_password(&p, "not a hash"));
        assert!(!needs_rehash(&phc));
        assert_ne!(phc, hash_password(&p), "a fresh salt each time");
    }

    #[test]
    fn the_dummy_hash_costs_what_a_real_one_does() {
        assert!(
            !needs_rehash(DUMMY_HASH),
            "regenerate DUMMY_HASH at the current parameters"
        );
        assert_eq!(
            PasswordHash::new(DUMMY_HASH).unwrap().params,
            PasswordHash::new(&hash_password(&pw("anything at all")))
                .unwrap()
                .params
        );
        assert!(!verify_password(&pw("anything at all"), DUMMY_HASH));
    }

    #[test]
    fn weaker_hashes_need_a_rehash() {
        let p = pw("correct horse battery");
        let weak = Argon2::new(
            Algorithm::Argon2id,
            argon2::Version::V0x13,
            Params::new(8192, 1, 1, None).unwrap(),
        )
        .hash_password(p.as_bytes())
        .unwrap()
        .to_string();
        assert!(verify_password(&p, &weak), "old hashes still verify");
        assert!(needs_rehash(&weak));
        let argon2i = Argon2::new(
            Algorithm::Argon2i,
            argon2::Version::V0x13,
            Params::default(),
        )
        .hash_password(p.as_bytes())
        .unwrap()
        .to_string();
        assert!(needs_rehash(&argon2i));
        assert!(needs_rehash("garbage"));
    }

    #[test]
    fn backoff_doubles_from_one_second_up_to_the_cap() {
        let cap = Duration::from_secs(15 * 60);
        let secs: Vec<u64> = (0..=12).map(|n| backoff(n, cap).as_secs()).collect();
        assert_eq!(secs, [0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900]);
        assert_eq!(backoff(u32::MAX, cap), cap);
        assert_eq!(backoff(3, Duration::from_secs(3)), Duration::from_secs(3));
    }

    const RULES: ThrottleRules = ThrottleRules {
        backoff_cap: Duration::from_secs(900),
        cooldown_after: 10,
        terminal_limit: 30,
        terminal_window: Duration::from_secs(600),
    };

    #[test]
    fn a_name_cools_down_longer_at_each_step_and_never_for_good() {
        let mins = |n| cooldown(n, 10).as_secs() / 60;
        let steps: Vec<u64> = [0, 9, 10, 19, 20, 29, 30, 40, 1000, u32::MAX]
            .into_iter()
            .map(mins)
            .collect();
        assert_eq!(steps, [0, 0, 15, 15, 60, 60, 240, 240, 240, 240]);
        assert_eq!(cooldown(5, 0), COOLDOWNS[2], "a zero step is one");
    }

    #[test]
    fn an_attempt_waits_for_the_backoff_then_is_checked_during_a_cool_down() {
        let secs = Duration::from_secs;
        let verdict = |n, age| name_verdict(n, secs(age), secs(age), &RULES);
        assert_eq!(verdict(0, 0), NameVerdict::Check);
        assert_eq!(verdict(3, 1), NameVerdict::Wait(secs(3)));
        assert_eq!(verdict(3, 4), NameVerdict::Check);
        // The tenth failure: 512 s of backoff, and the wait said is the cool-down's 15 min.
        assert_eq!(verdict(10, 12), NameVerdict::Wait(secs(900 - 12)));
        // After the backoff, within the cool-down: checked, but only an administrator gets in.
        assert_eq!(verdict(10, 600), NameVerdict::Cooling(secs(300)));
        assert_eq!(verdict(10, 900), NameVerdict::Check);
        // Thirty failures: four hours, yet an attempt is checked every 15 minutes at most.
        assert_eq!(verdict(30, 900), NameVerdict::Cooling(secs(4 * 3600 - 900)));
        // An attempt checked during the cool-down restarts the back-off, not the cool-down.
        assert_eq!(
            name_verdict(10, secs(600), secs(10), &RULES),
            NameVerdict::Wait(secs(502))
        );
        assert_eq!(
            name_verdict(10, secs(890), secs(520), &RULES),
            NameVerdict::Cooling(secs(10))
        );
    }

    #[test]
    fn the_terminal_waits_once_it_has_seen_its_limit_of_failures_in_the_window() {
        let rules = ThrottleRules {
            terminal_limit: 3,
            terminal_window: Duration::from_secs(10),
            ..RULES
        };
        let ages = |a: &[u64]| {
            a.iter()
                .map(|s| Duration::from_secs(*s))
                .collect::<Vec<_>>()
        };
        assert_eq!(terminal_wait(&ages(&[]), &rules), Duration::ZERO);
        assert_eq!(terminal_wait(&ages(&[1, 2]), &rules), Duration::ZERO);
        assert_eq!(terminal_wait(&ages(&[1, 2, 10]), &rules), Duration::ZERO);
        assert_eq!(
            terminal_wait(&ages(&[3, 1, 2]), &rules),
            Duration::from_secs(7)
        );
        assert_eq!(
            terminal_wait(&ages(&[5, 4, 3, 2, 1]), &rules),
            Duration::from_secs(7),
            "until only two are left inside"
        );
    }

    #[test]
    fn the_throttle_key_keys_names_and_never_shows() {
        let a = ThrottleKey::new(Zeroizing::new([7; 32]));
        let b = ThrottleKey::new(Zeroizing::new([8; 32]));
        assert_eq!(a.digest("ana"), a.digest("ana"));
        assert_ne!(a.digest("ana"), a.digest("anb"));
        assert_ne!(
            a.digest("ana"),
            b.digest("ana"),
            "another key, another digest"
        );
        assert_eq!(a.digest("ana").len(), 64);
        assert_eq!(format!("{a:?}"), "ThrottleKey(<redacted>)");
    }

    #[test]
    fn passwords_never_show_in_debug_output() {
        assert_eq!(
            format!("{:?}", pw("hunter2hunter2")),
            "Password(<redacted>)"
        );
    }
}
