//! The Ansible example (`packaging/ansible/`), checked as its own script checks it: the playbook
//! parses with ansible-core 2.14 (Debian 12's) and 2.19, and ansible-lint's production profile
//! finds nothing. The tools are installed by the script into virtualenvs, every Python package
//! pinned (`packaging/ansible/requirements-*.txt`); pip needs the Python package index. (The
//! playbook run against a machine, `check.sh --check-mode` and a real run, is not part of
//! `make test`: it installs packages and makes an account.)

use std::process::Command;

use slate_e2e::workspace_root;

#[test]
fn the_ansible_playbook_passes_its_syntax_check_and_ansible_lint() {
    // The virtualenvs are kept in target/ for the next run (made again when a pin changes).
    let out = Command::new(workspace_root().join("packaging/ansible/check.sh"))
        .env(
            "ANSIBLE_CHECK_DIR",
            slate_e2e::target_dir().join("ansible-check"),
        )
        .output()
        .expect("check.sh runs");
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{said}");
    for step in ["ok: syntax-2.14", "ok: syntax-2.19", "ok: lint"] {
        assert!(said.contains(step), "{step} missing:\n{said}");
    }
    eprintln!("{said}");
}
