//! R014 data-protection: production databases keep deletion protection, storage encryption
//! and a final snapshot.

use super::{Finding, Findings};
use crate::diagnostics::codes::DATA_PROTECTION;
use crate::ir::{EnvIr, Ir, Stage};

pub fn check(_ir: &Ir, env: &EnvIr, out: &mut Findings) {
    if env.stage.value != Stage::Production {
        return;
    }
    for database in &env.databases {
        let settings = [
            (
                &database.deletion_protection,
                "deletion_protection",
                "has deletion protection off",
            ),
            (&database.encrypted, "encrypted", "does not encrypt its storage"),
            (
                &database.final_snapshot,
                "final_snapshot",
                "takes no final snapshot on deletion",
            ),
        ];
        for (setting, field, problem) in settings {
            if !setting.value {
                out.push(
                    Finding::error(
                        DATA_PROTECTION,
                        &setting.origin,
                        format!("database `{}` {problem} in production", database.name),
                    )
                    .help(format!("set `{field} = true` (the default) for production")),
                );
            }
        }
    }
}
