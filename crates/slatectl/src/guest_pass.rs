//! `slatectl guest-pass create|list|revoke`: one-time guest passes, made in batches to print
//! (the codes shown once, as a list, JSON or a printable HTML sheet), listed by number and
//! state (never a code), and revoked while unused. The same core calls as the panel's Guest
//! passes section, audited alike.

use slate_core::api::PassState;
use slate_core::guest_pass;
use slate_core::Kiosk;

use crate::cli::GuestPassCommand;
use crate::output::{self, Failure};
use crate::Ctx;

pub fn run(ctx: &Ctx, cmd: GuestPassCommand) -> Result<(), Failure> {
    let (kiosk, json) = (ctx.kiosk, ctx.json);
    match cmd {
        GuestPassCommand::Create {
            count,
            minutes,
            valid_until,
            html,
            title,
        } => {
            let (batch, issued) =
                kiosk.create_guest_passes(&ctx.actor, count, minutes, &valid_until)?;
            if html {
                output::emit(
                    slate_core::wire::Stream::Stdout,
                    &guest_pass::sheet(&batch, &issued, &title),
                );
            } else if json {
                output::answer(true, &Kiosk::issued_passes(&batch, &issued), "");
            } else {
                outln!(
                    "{} guest passes of {} minutes, valid until the end of {} (the codes are not shown again):",
                    issued.len(),
                    batch.minutes,
                    batch.valid_until
                );
                for pass in &issued {
                    outln!("  pass {:>5}  {}", pass.id, pass.code.shown());
                }
            }
        }
        GuestPassCommand::List => {
            let passes = kiosk.guest_passes()?;
            if json {
                output::answer(true, &passes, "");
            } else if passes.is_empty() {
                outln!("No guest passes.");
            } else {
                outln!("pass   batch     minutes  last day    state");
                for p in &passes {
                    let state = match p.state {
                        PassState::Unused => "unused".to_owned(),
                        PassState::Used => {
                            format!("used {}", p.used_at.as_deref().unwrap_or_default())
                        }
                        PassState::Expired => "out of date".to_owned(),
                        PassState::Revoked => "revoked".to_owned(),
                    };
                    outln!(
                        "{:<6} {:<9} {:>7}  {}  {}",
                        p.id,
                        p.batch,
                        p.minutes,
                        p.valid_until,
                        state
                    );
                }
            }
        }
        GuestPassCommand::Revoke { id, batch } => {
            let n = kiosk.revoke_guest_passes(&ctx.actor, id, batch.as_deref())?;
            output::answer(
                json,
                &serde_json::json!({ "revoked": n }),
                &format!(
                    "Revoked {n} unused guest pass{}.",
                    if n == 1 { "" } else { "es" }
                ),
            );
        }
    }
    Ok(())
}
