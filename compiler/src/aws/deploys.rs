//! What a service's deployment strategy needs: ECS's built-in blue/green shifts a load
//! balancer's traffic between two target groups, so a service deployed blue/green needs a load
//! balancer in front of it; a load balancer's test listener needs a port of its own.

use crate::diagnostics::codes::BLUE_GREEN;
use crate::ir::{DeployStrategy, EnvIr, Ir};
use crate::rules::{Finding, Findings};

pub fn blue_green(_ir: &Ir, env: &EnvIr, out: &mut Findings) {
    for service in &env.services {
        if service.deploy.value != DeployStrategy::BlueGreen || service.load_balancer.is_some() {
            continue;
        }
        out.push(
            Finding::error(
                BLUE_GREEN,
                &service.deploy.origin,
                format!(
                    "`{}` is deployed blue/green, and no load balancer forwards to it: blue/green moves a load balancer's traffic from one target group to the other",
                    service.name
                ),
            )
            .label(&service.origin, "no `flow <load_balancer> -> …` reaches this service")
            .help("deploy it `rolling` (its circuit breaker still rolls back a version whose tasks do not start), or put it behind a load balancer (`flow alb -> … : tcp(<port>)`)"),
        );
    }
}

/// A load balancer's test listener is on a port of its own.
pub fn test_listeners(_ir: &Ir, env: &EnvIr, out: &mut Findings) {
    for lb in &env.load_balancers {
        let Some(test) = &lb.test_listen else {
            continue;
        };
        if test.value == lb.listen {
            out.push(
                Finding::error(
                    BLUE_GREEN,
                    &test.origin,
                    format!(
                        "`{}` would listen for test traffic on {}, its production port",
                        lb.name, test.value
                    ),
                )
                .help("give the test listener a port of its own, e.g. `test_listen = 8443`"),
            );
        }
    }
}
