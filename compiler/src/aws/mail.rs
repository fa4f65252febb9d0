//! What a mail component needs to send: the environment's domain, whose SES identity it is,
//! and only one such identity per environment (SES keeps one identity per domain in an account
//! and region; a second would be the same one, created twice).

use crate::diagnostics::codes::MAIL_IDENTITY;
use crate::ir::{EnvIr, Ir};
use crate::rules::{Finding, Findings};

pub fn mail_identity(_ir: &Ir, env: &EnvIr, out: &mut Findings) {
    let mut mail = env.mail.iter();
    let Some(first) = mail.next() else {
        return;
    };
    if env.domain.is_none() {
        out.push(
            Finding::error(
                MAIL_IDENTITY,
                &first.origin,
                format!(
                    "`{}` sends from the environment's domain, and env `{}` has none",
                    first.name, env.name
                ),
            )
            .label(&env.origin, "no `domain` here or in the system")
            .help("give the system a `domain = \"example.com\"` (each environment sends from its own: `stg.example.com` for staging), or the env its own `domain`"),
        );
    }
    for other in mail {
        out.push(
            Finding::error(
                MAIL_IDENTITY,
                &other.origin,
                format!(
                    "`{}` and `{}` would both be the SES identity of {}: SES has one identity per domain",
                    first.name,
                    other.name,
                    env.mail_domain()
                ),
            )
            .label(&first.origin, "the environment's mail is declared here")
            .help("keep one mail component; every task that sends mail flows to it (`flow <task> -> <mail> : send`)"),
        );
    }
}
