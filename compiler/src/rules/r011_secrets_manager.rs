//! R011 secrets-manager: passwords, tokens and keys come from Secrets Manager, never from plain
//! `environment` values (which land in task definitions, state and the deploy repository).
//! A variable is a secret by its name (`STRIPE_KEY`, `JWT_SIGNING_KEY`) or by its value (a URL
//! with a password, a PEM private key, a known token format).

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
    "SIGNING_KEY",
    "ENCRYPTION_KEY",
    "MASTER_KEY",
    "AUTH_KEY",
    "DSN",
];

/// Prefixes of well-known credential formats: Stripe, AWS access keys, GitHub, Slack, OpenAI
/// and Anthropic keys, JSON Web Tokens.
const SECRET_PREFIXES: &[&str] = &[
    "sk_live_",
    "sk_test_",
    "rk_live_",
    "AKIA",
    "ASIA",
    "ghp_",
    "gho_",
    "github_pat_",
    "xoxb-",
    "xoxp-",
    "sk-",
    "eyJ",
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
    let words: Vec<&str> = name.split('_').collect();
    SECRET_WORDS.iter().any(|word| name.contains(word))
        || words.last().is_some_and(|last| *last == "KEY")
        || secret_value(&variable.value)
}

/// A value that is a credential whatever its variable is called: a URL that carries a password
/// (`postgres://admin:hunter2@db/app`), a PEM private key, or a well-known token format.
fn secret_value(value: &str) -> bool {
    let password_in_url = value.split_once("://").is_some_and(|(_, rest)| {
        let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
        authority.rsplit_once('@').is_some_and(|(user_info, _)| {
            user_info
                .split_once(':')
                .is_some_and(|(_, password)| !password.is_empty())
        })
    });
    let long_token = |prefix: &str| value.starts_with(prefix) && value.len() >= prefix.len() + 16;
    password_in_url || value.contains("PRIVATE KEY-----") || SECRET_PREFIXES.iter().copied().any(long_token)
}

#[cfg(test)]
mod tests {
    use super::secret_value;

    #[test]
    fn credentials_are_found_by_their_value() {
        for secret in [
            "postgres://admin:hunter2@db.internal:5432/app",
            "-----BEGIN RSA PRIVATE KEY-----\nMIIE...",
            "sk_live_51HxxxxxxxxxxxxxxxxxxxxAbc",
            "AKIAIOSFODNN7EXAMPLE",
            "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig",
        ] {
            assert!(secret_value(secret), "{secret}");
        }
        for plain in [
            "info",
            "https://api.example.com/v1",
            "postgres://db.internal:5432/app",
            "user@example.com",
            "sk-",
        ] {
            assert!(!secret_value(plain), "{plain}");
        }
    }
}
