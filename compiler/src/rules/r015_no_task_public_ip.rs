//! R015 no-task-public-ip: ECS tasks have no public IP; they leave through the NAT.

use super::{Finding, Findings};
use crate::diagnostics::codes::NO_TASK_PUBLIC_IP;
use crate::ir::{EnvIr, Ir};

pub fn check(_ir: &Ir, env: &EnvIr, out: &mut Findings) {
    let tasks = env
        .services
        .iter()
        .map(|s| (&s.name, &s.public_ip))
        .chain(env.jobs.iter().map(|j| (&j.name, &j.public_ip)));
    for (name, public_ip) in tasks.filter(|(_, ip)| ip.value) {
        out.push(
            Finding::error(
                NO_TASK_PUBLIC_IP,
                &public_ip.origin,
                format!("the tasks of `{name}` get a public IP"),
            )
            .help("remove `public_ip = true`: tasks stay private and reach the internet through the NAT"),
        );
    }
}
