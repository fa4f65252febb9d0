//! R011 secrets-manager: passwords, tokens and keys come from Secrets Manager, never from plain
//! `environment` values (which land in task definitions, state and the deploy repository).

use super::{Finding, Findings};
use crate::diagnostics::codes::SECRETS_MANAGER;
use crate::ir::{EnvIr, EnvVar, Ir};

/// Parts of a variable name that mark it as a secret.
const SECRET_WORDS: &[&str] = &[
    "PASSWORD",
    "PASSWD",
    "SECRET",
    "TOKEN",
    "API_KEY",
    "APIKEY",
    "PRIVATE_KEY",
    "ACCESS_KEY",
    "CREDENTIAL",
];

pub fn check(_ir: &Ir, env: &EnvIr, out: &mut Findings) {
    let tasks = env
        .services
        .iter()
        .map(|s| (&s.name, &s.environment))
        .chain(env.jobs.iter().map(|j| (&j.name, &j.environment)));
    for (task, variables) in tasks {
        for variable in variables.iter().filter(|v| looks_secret(v)) {
            out.push(
                Finding::error(
                    SECRETS_MANAGER,
                    &variable.origin,
                    format!(
                        "`{}` of `{task}` looks like a secret but is a plain environment value",
                        variable.name
                    ),
                )
                .help(format!(
                    "store it in Secrets Manager and write `secret {{ {} = secrets_manager(\"…\") }}`",
                    variable.name
                )),
            );
        }
    }
}

fn looks_secret(variable: &EnvVar) -> bool {
    let name = variable.name.to_ascii_uppercase();
    SECRET_WORDS.iter().any(|word| name.contains(word))
}
