//! R019 mail-dkim: mail is signed with DKIM. SES (its v2 API, which archc uses) verifies a
//! domain identity through its DKIM records, so an identity without them never sends; and
//! receivers (Gmail, Yahoo and Microsoft since 2024) refuse or junk bulk mail that is not signed.
//! This rule cannot be waived.

use super::{Finding, Findings};
use crate::diagnostics::codes::MAIL_DKIM;
use crate::ir::{EnvIr, Ir};

pub fn check(_ir: &Ir, env: &EnvIr, out: &mut Findings) {
    for mail in env.mail.iter().filter(|m| !m.dkim.value) {
        out.push(
            Finding::error(
                MAIL_DKIM,
                &mail.dkim.origin,
                format!(
                    "`{}` sends from {} without DKIM: SES verifies the domain by its DKIM records, so it would never send, and receivers refuse unsigned bulk mail",
                    mail.name,
                    if env.mail_domain().is_empty() { "the environment's domain" } else { env.mail_domain() }
                ),
            )
            .help("remove `dkim = false`: archc writes the three DKIM records in the hosted zone itself"),
        );
    }
}
