//! A real OpenLDAP server (`slapd` from Debian) for tests, on local ports in a temporary folder:
//! LDAPS and plain LDAP (for StartTLS), a certificate from a test CA made with `openssl`, and a
//! small directory:
//!
//! | entry | password | groups |
//! |---|---|---|
//! | `uid=lena,ou=people,dc=example,dc=org` ("Lena Ortiz") | `lena's passphrase` | patrons |
//! | `uid=sam,ou=people,dc=example,dc=org` ("Sam Reyes") | `sam's passphrase` | patrons, staff |
//! | `uid=omar,ou=people,dc=example,dc=org` ("Omar Haddad") | `omar's passphrase` | none |
//! | `cn=slate,ou=services,dc=example,dc=org` (the service account) | `service secret` | |
//!
//! People may read the directory once bound; anonymous binds read nothing. The server stops
//! when the [`Slapd`] is dropped; [`Slapd::stop`] and [`Slapd::start`] stop and start it in
//! between (a directory that goes away mid-test).

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::settings::LdapSettings;

pub const BASE: &str = "dc=example,dc=org";
pub const PEOPLE: &str = "ou=people,dc=example,dc=org";
pub const SERVICE_DN: &str = "cn=slate,ou=services,dc=example,dc=org";
pub const SERVICE_PASSWORD: &str = "service secret";
pub const PATRONS: &str = "cn=patrons,ou=groups,dc=example,dc=org";
pub const STAFF: &str = "cn=staff,ou=groups,dc=example,dc=org";

/// A running (or stopped) test directory.
#[derive(Debug)]
pub struct Slapd {
    dir: tempfile::TempDir,
    pub ldaps_port: u16,
    pub ldap_port: u16,
    child: Option<Child>,
}

pub(crate) fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free local port")
}

fn run(cmd: &mut Command) {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

impl Slapd {
    /// Makes the CA, the certificate and the directory, and starts the server.
    pub fn start_new() -> Self {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let d = dir.path();
        make_certificates(d);
        std::fs::create_dir(d.join("db")).expect("the database folder");
        std::fs::write(
            d.join("slapd.conf"),
            format!(
                "include /etc/ldap/schema/core.schema\n\
                 include /etc/ldap/schema/cosine.schema\n\
                 include /etc/ldap/schema/nis.schema\n\
                 include /etc/ldap/schema/inetorgperson.schema\n\
                 modulepath /usr/lib/ldap\n\
                 moduleload back_mdb\n\
                 pidfile {d}/slapd.pid\n\
                 TLSCACertificateFile {d}/ca.pem\n\
                 TLSCertificateFile {d}/server.pem\n\
                 TLSCertificateKeyFile {d}/server.key\n\
                 database mdb\n\
                 maxsize 10485760\n\
                 suffix \"{BASE}\"\n\
                 rootdn \"cn=admin,{BASE}\"\n\
                 directory {d}/db\n\
                 access to attrs=userPassword by anonymous auth by * none\n\
                 access to * by users read by * none\n",
                d = d.display()
            ),
        )
        .expect("slapd.conf");
        std::fs::write(d.join("data.ldif"), DATA).expect("the directory's entries");
        run(Command::new("slapadd")
            .arg("-f")
            .arg(d.join("slapd.conf"))
            .arg("-l")
            .arg(d.join("data.ldif")));
        let mut s = Self {
            dir,
            ldaps_port: free_port(),
            ldap_port: free_port(),
            child: None,
        };
        s.start();
        s
    }

    /// Starts the server (again), and waits until both ports take connections.
    pub fn start(&mut self) {
        assert!(self.child.is_none(), "already running");
        let d = self.dir.path();
        let child = Command::new("slapd")
            .arg("-d")
            .arg("0")
            .arg("-f")
            .arg(d.join("slapd.conf"))
            .arg("-h")
            .arg(format!(
                "ldaps://127.0.0.1:{}/ ldap://127.0.0.1:{}/",
                self.ldaps_port, self.ldap_port
            ))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("slapd (scripts/install-deps.sh test installs it)");
        self.child = Some(child);
        let started = Instant::now();
        while [self.ldaps_port, self.ldap_port]
            .iter()
            .any(|p| std::net::TcpStream::connect(("127.0.0.1", *p)).is_err())
        {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "slapd did not start"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Stops the server (the directory "goes away").
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// The test CA's certificate.
    pub fn ca_file(&self) -> PathBuf {
        self.dir.path().join("ca.pem")
    }

    /// Settings for search-then-bind over LDAPS with the service account, patrons may sign in,
    /// staff are administrators.
    pub fn settings(&self) -> LdapSettings {
        LdapSettings {
            url: format!("ldaps://127.0.0.1:{}", self.ldaps_port),
            ca_file: self.ca_file().display().to_string(),
            bind_dn: SERVICE_DN.into(),
            bind_password: secret(SERVICE_PASSWORD),
            base_dn: PEOPLE.into(),
            user_filter: "(uid={name})".into(),
            user_dn: String::new(),
            allow_group: PATRONS.into(),
            admin_group: STAFF.into(),
            group_attribute: "employeeType".into(),
        }
    }

    /// The same as `(key, value)` settings, for a kiosk.
    pub fn setting_values(&self) -> Vec<(&'static str, String)> {
        let s = self.settings();
        vec![
            ("ldap_url", s.url),
            ("ldap_ca_file", s.ca_file),
            ("ldap_bind_dn", s.bind_dn),
            ("ldap_bind_password", SERVICE_PASSWORD.into()),
            ("ldap_base_dn", s.base_dn),
            ("ldap_allow_group", s.allow_group),
            ("ldap_admin_group", s.admin_group),
            ("ldap_group_attribute", s.group_attribute),
        ]
    }
}

impl Drop for Slapd {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A secret setting's value from a literal.
pub fn secret(s: &str) -> crate::settings::SecretText {
    crate::settings::SecretText::from_plain(s)
}

/// A test CA, and a server certificate it signed for 127.0.0.1 and localhost.
pub(crate) fn make_certificates(d: &Path) {
    let at = |name: &str| d.join(name);
    run(Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
        ])
        .arg("-keyout")
        .arg(at("ca.key"))
        .arg("-out")
        .arg(at("ca.pem"))
        .args(["-subj", "/CN=Slate test CA"]));
    run(Command::new("openssl")
        .args(["req", "-newkey", "rsa:2048", "-nodes"])
        .arg("-keyout")
        .arg(at("server.key"))
        .arg("-out")
        .arg(at("server.csr"))
        .args(["-subj", "/CN=localhost"]));
    std::fs::write(
        at("san.ext"),
        "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n",
    )
    .expect("the certificate's extensions");
    run(Command::new("openssl")
        .args(["x509", "-req", "-days", "2"])
        .arg("-in")
        .arg(at("server.csr"))
        .arg("-CA")
        .arg(at("ca.pem"))
        .arg("-CAkey")
        .arg(at("ca.key"))
        .arg("-CAcreateserial")
        .arg("-extfile")
        .arg(at("san.ext"))
        .arg("-out")
        .arg(at("server.pem")));
}

const DATA: &str = "\
dn: dc=example,dc=org
objectClass: dcObject
objectClass: organization
dc: example
o: Example Library

dn: ou=people,dc=example,dc=org
objectClass: organizationalUnit
ou: people

dn: ou=groups,dc=example,dc=org
objectClass: organizationalUnit
ou: groups

dn: ou=services,dc=example,dc=org
objectClass: organizationalUnit
ou: services

dn: uid=lena,ou=people,dc=example,dc=org
objectClass: inetOrgPerson
uid: lena
cn: Lena Ortiz
sn: Ortiz
displayName: Lena Ortiz
employeeType: Adult
userPassword: lena's passphrase

dn: uid=sam,ou=people,dc=example,dc=org
objectClass: inetOrgPerson
uid: sam
cn: Sam Reyes
sn: Reyes
displayName: Sam Reyes
employeeType: Librarian
userPassword: sam's passphrase

dn: uid=omar,ou=people,dc=example,dc=org
objectClass: inetOrgPerson
uid: omar
cn: Omar Haddad
sn: Haddad
userPassword: omar's passphrase

dn: cn=slate,ou=services,dc=example,dc=org
objectClass: organizationalRole
objectClass: simpleSecurityObject
cn: slate
userPassword: service secret

dn: cn=patrons,ou=groups,dc=example,dc=org
objectClass: groupOfNames
cn: patrons
member: uid=lena,ou=people,dc=example,dc=org
member: uid=sam,ou=people,dc=example,dc=org

dn: cn=staff,ou=groups,dc=example,dc=org
objectClass: groupOfNames
cn: staff
member: uid=sam,ou=people,dc=example,dc=org
";
