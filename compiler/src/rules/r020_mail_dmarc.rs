//! R020 mail-dmarc: in production, the domain mail is sent from publishes a DMARC policy that
//! receivers act on (`quarantine` or `reject`), so nobody else can send mail in its name and
//! have it delivered. `monitor` (`p=none`) and `off` are for rolling DMARC out; waivable with a
//! reason (e.g. the organisation publishes the policy for the parent domain itself).

use super::{Finding, Findings};
use crate::diagnostics::codes::MAIL_DMARC;
use crate::ir::{DmarcPolicy, EnvIr, Ir, Stage};

pub fn check(_ir: &Ir, env: &EnvIr, out: &mut Findings) {
    if env.stage.value != Stage::Production {
        return;
    }
    for mail in env.mail.iter().filter(|m| !m.dmarc.value.enforced()) {
        let what = match mail.dmarc.value {
            DmarcPolicy::Off => "publishes no DMARC record".to_owned(),
            other => format!("publishes DMARC `{}` (p=none: reports only)", other.as_str()),
        };
        out.push(
            Finding::error(
                MAIL_DMARC,
                &mail.dmarc.origin,
                format!(
                    "`{}` {what} for {} in production: receivers deliver mail that forges the domain",
                    mail.name,
                    env.mail_domain()
                ),
            )
            .label(&env.stage.origin, "production")
            .help("set `dmarc = quarantine` (or `reject` once the reports show every sender aligned); or waive it in the mail component with the reason: `allow R020 reason \"…\"`"),
        );
    }
}
