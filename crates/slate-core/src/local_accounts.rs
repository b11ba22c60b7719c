//! The machine's own accounts and groups (`/etc/passwd`, `/etc/group`): the kiosk account that
//! `slatectl kiosk` sets up, and who the session service lets in (the kiosk's screen, and the
//! administrators' group). Only local accounts: the ones this machine decides about.

use std::path::PathBuf;

/// A local account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalAccount {
    pub name: String,
    pub uid: u32,
    pub gid: u32,
    pub home: PathBuf,
    /// The first field of its GECOS (the full name); empty when none.
    pub full_name: String,
}

fn passwd() -> Vec<LocalAccount> {
    std::fs::read_to_string("/etc/passwd")
        .unwrap_or_default()
        .lines()
        .filter_map(|line| {
            let f: Vec<&str> = line.split(':').collect();
            (f.len() >= 7).then_some(())?;
            Some(LocalAccount {
                name: f[0].to_owned(),
                uid: f[2].parse().ok()?,
                gid: f[3].parse().ok()?,
                home: PathBuf::from(f[5]),
                full_name: f[4].split(',').next().unwrap_or("").trim().to_owned(),
            })
        })
        .collect()
}

/// The account called `name`.
pub fn by_name(name: &str) -> Option<LocalAccount> {
    passwd().into_iter().find(|a| a.name == name)
}

/// The account with this uid.
pub fn by_uid(uid: u32) -> Option<LocalAccount> {
    passwd().into_iter().find(|a| a.uid == uid)
}

/// The uids of the accounts in group `group`: those whose primary group it is and its listed
/// members. Empty when there is no such group.
pub fn group_members(group: &str) -> Vec<u32> {
    let groups = std::fs::read_to_string("/etc/group").unwrap_or_default();
    let Some((gid, listed)) = groups.lines().find_map(|line| {
        let f: Vec<&str> = line.split(':').collect();
        (f.len() >= 4 && f[0] == group).then(|| (f[2].parse::<u32>().ok(), f[3].to_owned()))
    }) else {
        return Vec::new();
    };
    let listed: Vec<&str> = listed.split(',').filter(|n| !n.is_empty()).collect();
    passwd()
        .into_iter()
        .filter(|a| Some(a.gid) == gid || listed.contains(&a.name.as_str()))
        .map(|a| a.uid)
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn root_is_found_by_name_and_uid() {
        let root = super::by_name("root").expect("every machine has root");
        assert_eq!((root.uid, root.gid), (0, 0));
        assert_eq!(super::by_uid(0).unwrap().name, "root");
        assert!(super::by_name("no-such-account-here").is_none());
        assert!(super::group_members("root").contains(&0));
        assert!(super::group_members("no-such-group-here").is_empty());
    }
}
