//! The .deb and .rpm that `make package` builds (and `make test` builds first): their contents,
//! permissions, dependencies and maintainer scripts, lintian, and a real install of the .deb on
//! this machine: `slate` and `slatectl` from the PATH, then remove (data kept) and purge (data
//! gone). Installing needs root (CI runs as root); elsewhere that part says so and is skipped.
//! Also the licence notices the packages ship: they name every crate in the programs.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use slate_e2e::workspace_root;

fn bundle(kind: &str, ext: &str) -> PathBuf {
    let dir = workspace_root().join("target/release/bundle").join(kind);
    std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e} (run `make package`)", dir.display()))
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == ext))
        .unwrap_or_else(|| panic!("no .{ext} in {} (run `make package`)", dir.display()))
}

fn run(program: &str, args: &[&str]) -> (bool, String) {
    let out = Command::new(program)
        .args(args)
        .env("DEBIAN_FRONTEND", "noninteractive")
        .output()
        .unwrap_or_else(|e| panic!("cannot run {program}: {e}"));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

fn ok(program: &str, args: &[&str]) -> String {
    let (success, text) = run(program, args);
    assert!(success, "{program} {args:?} failed:\n{text}");
    text
}

#[test]
fn the_deb_holds_what_a_kiosk_needs_and_lintian_finds_no_error() {
    let deb = bundle("deb", "deb");
    let deb = deb.to_str().unwrap();
    assert_eq!(ok("dpkg-deb", &["-f", deb, "Package"]).trim(), "slate");
    let depends = ok("dpkg-deb", &["-f", deb, "Depends"]);
    for needed in [
        "libwebkit2gtk-4.1-0",
        "libgtk-3-0",
        "libc6",
        "dbus-user-session",
    ] {
        assert!(
            depends.contains(needed),
            "Depends lacks {needed}: {depends}"
        );
    }
    let contents = ok("dpkg-deb", &["-c", deb]);
    let entry = |path: &str| {
        contents
            .lines()
            .find(|l| l.ends_with(&format!(" {}", &path[1..])) || l.ends_with(&format!(" .{path}")))
            .unwrap_or_else(|| panic!("{path} is not in the package:\n{contents}"))
            .to_owned()
    };
    for exe in [
        "/usr/bin/slate",
        "/usr/bin/slatectl",
        "/usr/lib/slate/slate-kiosk",
    ] {
        assert!(entry(exe).starts_with("-rwxr-xr-x 0/0"), "{}", entry(exe));
    }
    for file in [
        "/usr/share/applications/Slate.desktop",
        "/usr/share/icons/hicolor/128x128/apps/slate.png",
        "/usr/share/doc/slate/README.md",
        "/usr/share/doc/slate/copyright",
        "/usr/share/doc/slate/third-party-licenses.txt",
        "/usr/share/doc/slate/changelog.gz",
        "/usr/share/doc/slate/examples/policy.toml.example",
    ] {
        assert!(entry(file).starts_with("-rw-r--r-- 0/0"), "{}", entry(file));
    }
    assert!(
        !contents.lines().any(|l| l.as_bytes().get(8) == Some(&b'w')),
        "nothing is world-writable:\n{contents}"
    );
    // The maintainer scripts: the example policy in /etc, purge removes the data.
    let tmp = tempfile::tempdir().unwrap();
    ok("dpkg-deb", &["-e", deb, tmp.path().to_str().unwrap()]);
    let postinst = std::fs::read_to_string(tmp.path().join("postinst")).unwrap();
    assert!(postinst.contains("/etc/slate/policy.toml.example"));
    let postrm = std::fs::read_to_string(tmp.path().join("postrm")).unwrap();
    assert!(postrm.contains("purge)") && postrm.contains("rm -rf /var/lib/slate"));
    let (_, lint) = run("lintian", &["--tag-display-limit", "0", deb]);
    let errors: Vec<&str> = lint.lines().filter(|l| l.starts_with("E:")).collect();
    assert!(errors.is_empty(), "lintian errors:\n{lint}");
}

#[test]
fn the_rpm_holds_the_same_files_and_requires_the_libraries() {
    let rpm = bundle("rpm", "rpm");
    let rpm = rpm.to_str().unwrap();
    let files = ok("rpm", &["-qpl", rpm]);
    for f in [
        "/usr/bin/slate",
        "/usr/bin/slatectl",
        "/usr/lib/slate/slate-kiosk",
        "/usr/share/doc/slate/examples/policy.toml.example",
        "/usr/share/doc/slate/third-party-licenses.txt",
        "/usr/share/applications/Slate.desktop",
    ] {
        assert!(
            files.lines().any(|l| l == f),
            "{f} is not in the rpm:\n{files}"
        );
    }
    let requires = ok("rpm", &["-qpR", rpm]);
    assert!(requires.contains("libwebkit2gtk-4.1.so.0"), "{requires}");
    let scripts = ok("rpm", &["-qp", "--scripts", rpm]);
    assert!(
        scripts.contains("postinstall") && scripts.contains("postuninstall"),
        "{scripts}"
    );
}

#[test]
fn the_deb_installs_runs_from_the_path_and_removes_keeping_data_until_purged() {
    let root =
        std::fs::metadata("/proc/self").is_ok_and(|m| std::os::unix::fs::MetadataExt::uid(&m) == 0);
    if !root {
        eprintln!("skipped: installing a package needs root");
        return;
    }
    let data = Path::new("/var/lib/slate");
    let keep_existing = data.exists();
    let deb = bundle("deb", "deb");
    ok(
        "apt-get",
        &[
            "install",
            "-y",
            "-qq",
            "--no-install-recommends",
            deb.to_str().unwrap(),
        ],
    );
    let installed = std::panic::catch_unwind(|| {
        assert_eq!(
            ok("sh", &["-c", "command -v slate"]).trim(),
            "/usr/bin/slate"
        );
        let version = ok("slate", &["--version"]);
        assert_eq!(
            version.trim(),
            format!("slate {}", env!("CARGO_PKG_VERSION"))
        );
        let help = ok("slatectl", &["--help"]);
        assert!(
            help.contains("Usage: slatectl") && help.contains("audit"),
            "{help}"
        );
        assert!(Path::new("/etc/slate/policy.toml.example").exists());
    });
    if !keep_existing {
        std::fs::create_dir_all(data).unwrap();
        std::fs::write(data.join("slate.db"), b"a kiosk's data").unwrap();
    }
    ok("apt-get", &["remove", "-y", "-qq", "slate"]);
    assert!(!Path::new("/usr/bin/slate").exists(), "removed");
    assert!(
        data.join("slate.db").exists() || keep_existing,
        "remove keeps the data"
    );
    if keep_existing {
        eprintln!("/var/lib/slate existed before the test: not purging it");
    } else {
        ok("dpkg", &["--purge", "slate"]);
        assert!(!data.exists(), "purge removes the data");
        assert!(!Path::new("/etc/slate/policy.toml.example").exists());
    }
    if let Err(panic) = installed {
        std::panic::resume_unwind(panic);
    }
}

#[test]
fn the_kiosk_wrapper_starts_slate_again_until_it_exits_cleanly() {
    let tmp = tempfile::tempdir().unwrap();
    let runs = tmp.path().join("runs");
    let stub = tmp.path().join("slate");
    // A stand-in for slate that crashes twice (exit 101, as a panic does), then exits cleanly.
    std::fs::write(
        &stub,
        format!(
            "#!/bin/sh\necho \"$*\" >> {runs}\n[ $(wc -l < {runs}) -ge 3 ] && exit 0\nexit 101\n",
            runs = runs.display()
        ),
    )
    .unwrap();
    ok("chmod", &["755", stub.to_str().unwrap()]);
    let out = Command::new(workspace_root().join("packaging/slate-kiosk"))
        .env("SLATE_BIN", &stub)
        .env("SLATE_DATA_DIR", "/var/lib/kiosk-test")
        .output()
        .unwrap();
    assert!(out.status.success());
    let log = std::fs::read_to_string(&runs).unwrap();
    assert_eq!(
        log.lines().collect::<Vec<_>>(),
        ["--data-dir /var/lib/kiosk-test"; 3],
        "started three times, on the kiosk's data folder"
    );
}

/// The crates in the programs, as "name version": what `cargo tree -e normal` of `slate` and
/// `slatectl` lists for the packages' platform (x86-64 Linux), the crates cargo compiles into
/// them with its own feature resolution; Slate's own (path) crates left out. Not the closure of
/// `cargo metadata`'s resolve: that also holds optional dependencies no feature turns on (the tray
/// icon's libappindicator, jiff and others, a dozen crates no program contains).
fn crates_in_the_programs() -> BTreeSet<String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let args = [
        "tree",
        "--locked",
        "-p",
        "slate",
        "-p",
        "slatectl",
        "-e",
        "normal",
        "--target",
        "x86_64-unknown-linux-gnu",
        "--prefix",
        "none",
        "-f",
        "{p}",
    ];
    let out = Command::new(&cargo)
        .args(args)
        .current_dir(workspace_root())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cargo}: {e}"));
    assert!(
        out.status.success(),
        "cargo tree failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let crates: BTreeSet<String> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.contains("(/"))
        .map(|l| {
            let mut words = l.split(' ');
            let name = words.next().unwrap();
            let version = words.next().unwrap().trim_start_matches('v');
            format!("{name} {version}")
        })
        .collect();
    assert!(crates.len() > 100, "too few crates: {crates:?}");
    crates
}

/// The crates the notices list, as "name version": the lines under "Crates (N)" and its rule.
fn crates_named_in(notices: &str) -> BTreeSet<String> {
    notices
        .lines()
        .skip_while(|l| !l.starts_with("Crates ("))
        .skip(2)
        .take_while(|l| !l.is_empty())
        .map(|l| l.split_whitespace().take(2).collect::<Vec<_>>().join(" "))
        .collect()
}

#[test]
fn the_licence_notices_name_every_crate_in_the_programs_and_no_other() {
    let path = workspace_root().join("packaging/third-party-licenses.txt");
    let notices = std::fs::read_to_string(&path).unwrap();
    let named = crates_named_in(&notices);
    let built = crates_in_the_programs();
    let missing: Vec<&String> = built.difference(&named).collect();
    assert!(
        missing.is_empty(),
        "{} does not name {missing:?}, which Cargo.lock puts in the programs: run `make licenses` \
         and commit the file",
        path.display()
    );
    let gone: Vec<&String> = named.difference(&built).collect();
    assert!(
        gone.is_empty(),
        "{} names {gone:?}, which the programs no longer have: run `make licenses` and commit \
         the file",
        path.display()
    );
    // Every licence the notices quote is named in the copyright file's summary of them.
    let copyright = std::fs::read_to_string(workspace_root().join("packaging/copyright")).unwrap();
    let summary: String = copyright
        .lines()
        .skip_while(|l| !l.starts_with("Comment:"))
        .take_while(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let quoted: BTreeSet<&str> = notices
        .lines()
        .filter(|l| l.starts_with("Licence text "))
        .filter_map(|l| l.rsplit_once(" (")?.1.strip_suffix(')'))
        .collect();
    assert!(!quoted.is_empty(), "no licence text in the notices");
    for id in quoted.iter().flat_map(|q| q.split(" AND ")) {
        assert!(
            summary.contains(id),
            "packaging/copyright's first Comment does not name {id}, which the notices quote"
        );
    }
}
