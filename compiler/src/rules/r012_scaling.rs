//! R012 scaling: `min` ≤ `max`, the scale-out cooldown is shorter than the scale-in cooldown
//! (out fast, in slowly), and production runs at least two tasks of a service that serves
//! requests (a worker that listens on no port and scales on its queue's backlog may scale to
//! zero: its queue holds the work while it is down).

use super::{Finding, Findings};
use crate::diagnostics::codes::SCALING;
use crate::ir::{EnvIr, Ir, Stage};

pub fn check(_ir: &Ir, env: &EnvIr, out: &mut Findings) {
    for service in &env.services {
        let scale = &service.scale;
        if scale.min.value > scale.max.value {
            out.push(
                Finding::error(
                    SCALING,
                    &scale.min.origin,
                    format!(
                        "`{}` scales between min {} and max {}: min is above max",
                        service.name, scale.min.value, scale.max.value
                    ),
                )
                .label(&scale.max.origin, "max")
                .help("make `min` at most `max`"),
            );
        }
        let (out_cooldown, in_cooldown) = (
            &scale.scale_out_cooldown_seconds,
            &scale.scale_in_cooldown_seconds,
        );
        if out_cooldown.value >= in_cooldown.value {
            out.push(
                Finding::error(
                    SCALING,
                    &out_cooldown.origin,
                    format!(
                        "`{}` scales out no faster than it scales in ({}s out, {}s in)",
                        service.name, out_cooldown.value, in_cooldown.value
                    ),
                )
                .label(&in_cooldown.origin, "scale-in cooldown")
                .help("scale out fast and in slowly, e.g. `out = 60s  in = 600s`"),
            );
        }
        let queue_worker = service.port.is_none() && scale.queue.is_some();
        if env.stage.value == Stage::Production && scale.min.value < 2 && !queue_worker {
            out.push(
                Finding::error(
                    SCALING,
                    &scale.min.origin,
                    format!(
                        "`{}` runs {} task{} in production",
                        service.name,
                        scale.min.value,
                        if scale.min.value == 1 { "" } else { "s" }
                    ),
                )
                .help("run at least two tasks in production: `scale { min = 2 … }`"),
            );
        }
    }
}
