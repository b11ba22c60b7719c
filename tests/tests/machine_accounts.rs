//! Sign-in with the machine's own accounts on the real app: real accounts made with `useradd`
//! and `chpasswd` (`slate_core::test_util::machine_accounts`, as root; skipped otherwise) sign in
//! through the sign-in screen and the PAM service file the package installs; someone outside the
//! allowed group reads what a wrong password reads.

use slate_core::test_util::machine_accounts::{is_root, MachineAccounts};
use slate_e2e::{artifacts_dir, prepared_data_dir, with_kiosk_launched, Launch};

#[tokio::test]
async fn a_member_of_the_group_signs_in_with_the_machine_s_account() {
    if !is_root() {
        eprintln!("skipped: making accounts with useradd needs root (CI runs as root)");
        return;
    }
    let accounts = MachineAccounts::create("e");
    let dir = prepared_data_dir(&[
        ("signin_sources", "local, pam"),
        ("pam_service", &accounts.service),
        ("pam_group", &accounts.group),
        ("pam_admin_group", &accounts.admin_group),
    ]);
    with_kiosk_launched("machine_accounts", Launch::on(&dir), async |k| {
        k.type_into("Username", &accounts.name("o")).await;
        k.type_into("Password", "otto's passphrase").await;
        k.click("Sign in").await;
        k.wait_for_text("Wrong username or password.").await;
        k.sign_in(&accounts.name("p"), "pia's passphrase", "Pia Person")
            .await;
        k.screenshot(&artifacts_dir().join("machine-account-session.png"))
            .await;
        k.sign_out_to_sign_in().await;
        k.sign_in(&accounts.name("s"), "sol's passphrase", "Sol Staff")
            .await;
        k.wait_for_text("Administrator").await;
    })
    .await;
}
