//! `slatectl source test`: an account source tried with a name and a password, step by step,
//! as the panel's "Test this source" does (the same core call, the same audit).

use slate_core::accounts::Source;
use slate_core::api::SourceVerdict;
use slate_core::exit;

use crate::cli::SourceCommand;
use crate::output::{self, invalid, Failure};
use crate::{Ctx, PasswordAsk};

pub fn run(ctx: &Ctx, cmd: SourceCommand) -> Result<(), Failure> {
    let SourceCommand::Test {
        source,
        name,
        password_stdin,
    } = cmd;
    let source = Source::from_name(&source)
        .filter(|s| *s != Source::Local)
        .ok_or_else(|| invalid("The source is one of ldap, pam, sip2."))?;
    let password = crate::user::given_password(
        ctx,
        PasswordAsk {
            name: &name,
            from_stdin: password_stdin,
            new: false,
        },
    )?;
    let test = ctx
        .kiosk
        .test_source(&ctx.actor, source, &name, &password)?;
    if ctx.json {
        output::answer(true, &test, "");
    } else {
        outln!("Testing {} with {}:", source.as_str(), name.trim());
        for step in &test.steps {
            outln!("  {} {}", if step.ok { "ok  " } else { "FAIL" }, step.said);
        }
        if test.verdict == SourceVerdict::Accepted {
            outln!("{}", test.outcome);
        }
    }
    match test.verdict {
        SourceVerdict::Accepted => Ok(()),
        SourceVerdict::Refused | SourceVerdict::Barred => {
            Err(Failure::new(test.outcome.to_string(), exit::REFUSED))
        }
        SourceVerdict::Unavailable => Err(Failure::new(test.outcome.to_string(), exit::FAILURE)),
    }
}
