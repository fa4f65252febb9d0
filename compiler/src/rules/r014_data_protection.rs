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
            (&database.deletion_protection, "deletion_protection", "deletion protection is off"),
            (&database.encrypted, "encrypted", "storage is not encrypted"),
            (&database.final_snapshot, "final_snapshot", "no final snapshot is taken on deletion"),
        ];
        for (setting, field, problem) in settings {
            if !setting.value {
                out.push(
                    Finding::error(
                        DATA_PROTECTION,
                        &setting.origin,
                        format!("production database `{}`: {problem}", database.name),
                    )
                    .help(format!("set `{field} = true` (the default) for production")),
                );
            }
        }
    }
}
