//! R016 one-account-per-env: each environment deploys into its own AWS account (the seed's
//! account model: one account per environment under AWS Organizations), so that staging can
//! never touch production's resources, quotas or bills. Waivable with a reason.

use super::{Finding, Findings};
use crate::diagnostics::codes::ONE_ACCOUNT_PER_ENV;
use crate::ir::{EnvIr, Ir};

pub fn check(ir: &Ir, env: &EnvIr, out: &mut Findings) {
    // Each pair of environments once: this one against the ones declared after it.
    let later = ir.envs.iter().skip_while(|e| e.name != env.name).skip(1);
    for other in later.filter(|o| o.account == env.account) {
        out.push(
            Finding::error(
                ONE_ACCOUNT_PER_ENV,
                &other.origin,
                format!(
                    "envs `{}` and `{}` share the account {}",
                    env.name, other.name, env.account
                ),
            )
            .label(&env.origin, format!("env `{}` deploys there too", env.name))
            .help(format!(
                "give env `{}` its own account (AWS Organizations), or waive it in its block with the reason: `allow R016 reason \"…\"`",
                other.name
            ))
            .across_envs(),
        );
    }
}
