//! R021 operators-sign-in: the people who operate an environment sign in through IAM Identity
//! Center (or a role of the organisation's), with temporary credentials only (the seed's
//! account model). No IAM user, which has long-lived access keys or a password of its own, and
//! not the account root, which admits every user of the account, may assume the Terraform role;
//! and someone must (a role nobody can assume cannot apply the environment). Nothing archc
//! writes creates an IAM user or an access key. This rule cannot be waived.

use super::{Finding, Findings};
use crate::diagnostics::codes::OPERATORS_SIGN_IN;
use crate::ir::{EnvIr, Ir, Operator};

pub fn check(_ir: &Ir, env: &EnvIr, out: &mut Findings) {
    let operators = &env.operators;
    if operators.value.is_empty() {
        out.push(
            Finding::error(
                OPERATORS_SIGN_IN,
                &operators.origin,
                format!("env `{}` has no operators: nobody could assume its Terraform role", env.name),
            )
            .help("name the IAM Identity Center permission sets that operate it, e.g. `operators = [\"AdministratorAccess\"]`"),
        );
    }
    for operator in &operators.value {
        let (Operator::Principal(arn), Some(why)) = (operator, operator.refused()) else {
            continue;
        };
        out.push(
            Finding::error(
                OPERATORS_SIGN_IN,
                &operators.origin,
                format!("`{arn}` may not operate env `{}`: {why}", env.name),
            )
            .help("name an IAM Identity Center permission set (`\"AdministratorAccess\"`) or a role people assume through single sign-on"),
        );
    }
}
