//! What flows and tasks need to work: every task can reach what it starts from, every written
//! flow becomes something in AWS, and each load balancer forwards to one service.

use std::collections::BTreeMap;

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use crate::diagnostics::codes::{
    FLOW_WITHOUT_EFFECT, JOB_CALLS_SERVICE, TASK_CANNOT_START, UNROUTED_SERVICE,
};
use crate::ir::{EnvIr, FlowIr, Ir, TierEgress, task_needs};
use crate::rules::{Finding, Findings};

/// `A013`: a task starts only if it reaches ECR, S3 and CloudWatch Logs (and Secrets Manager
/// for its secrets): through the VPC endpoints the network declares, or its tier's NAT.
pub fn tasks_can_start(_ir: &Ir, env: &EnvIr, out: &mut Findings) {
    let endpoints = &env.vpc.endpoints;
    let tasks = env
        .services
        .iter()
        .map(|s| (&s.name, &s.tier, !s.secrets.is_empty(), &s.origin))
        .chain(
            env.jobs
                .iter()
                .map(|j| (&j.name, &j.tier, !j.secrets.is_empty(), &j.origin)),
        );
    for (name, tier_name, secrets, origin) in tasks {
        let Some(tier) = env.tiers.iter().find(|t| &t.name == tier_name) else {
            continue;
        };
        if tier.egress.value == TierEgress::Nat {
            continue;
        }
        let missing: Vec<&str> = task_needs(secrets)
            .into_iter()
            .filter(|need| !endpoints.value.contains(need))
            .map(|need| need.as_str())
            .collect();
        if missing.is_empty() {
            continue;
        }
        let list: Vec<String> = missing.iter().map(|m| format!("`{m}`")).collect();
        out.push(
            Finding::error(
                TASK_CANNOT_START,
                origin,
                format!(
                    "`{name}` cannot start: tier `{tier_name}` has no route out and no endpoint for {}",
                    list.join(", ")
                ),
            )
            .label(&tier.egress.origin, "no route out")
            .help(format!(
                "Fargate pulls the image, writes logs and reads secrets through the task's own network interface: \
                 give tier `{tier_name}` `egress = nat`, or declare the endpoints in the network: `endpoints = [{}]`",
                endpoints
                    .value
                    .iter()
                    .map(|e| e.as_str())
                    .chain(missing.iter().copied())
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        );
    }
}

/// `A014`: every written flow becomes a security-group rule, or an edge route's way in. Flows
/// from buckets, queues, topics or alarms, or to alarms, are nothing in the network (flows *to*
/// buckets, queues and topics are grants, not in this list); a load balancer forwards only to
/// services; nothing reaches a service that listens on no port (a worker); the edge's flow to a
/// load balancer needs a route there (a flow from the edge past the load balancer is R004's).
pub fn flows_have_effect(_ir: &Ir, env: &EnvIr, out: &mut Findings) {
    // Hash maps, not trees: this runs on every edit over thousands of components.
    let mut categories: HashMap<&str, &str> = HashMap::default();
    for (names, category) in [
        (
            env.services.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(),
            "service",
        ),
        (env.jobs.iter().map(|j| j.name.as_str()).collect(), "job"),
        (
            env.databases.iter().map(|d| d.name.as_str()).collect(),
            "database",
        ),
        (env.buckets.iter().map(|b| b.name.as_str()).collect(), "bucket"),
        (env.topics.iter().map(|t| t.name.as_str()).collect(), "topic"),
        (env.queues.iter().map(|q| q.name.as_str()).collect(), "queue"),
        (env.secrets.iter().map(|s| s.name.as_str()).collect(), "secret"),
        (env.mail.iter().map(|m| m.name.as_str()).collect(), "mail"),
        (env.alarms.iter().map(|a| a.name.as_str()).collect(), "alarm"),
        (
            env.load_balancers.iter().map(|l| l.name.as_str()).collect(),
            "load_balancer",
        ),
        (env.edge.iter().map(|e| e.name.as_str()).collect(), "edge"),
    ] {
        categories.extend(names.into_iter().map(|n| (n, category)));
    }
    let routed: HashSet<&str> = env
        .edge
        .iter()
        .flat_map(|e| e.behaviours.iter().map(|b| b.target.as_str()))
        .collect();
    // Each load balancer's listener ports: production, and blue/green test traffic.
    let listeners: HashMap<&str, (u16, Option<u16>)> = env
        .load_balancers
        .iter()
        .map(|l| {
            (
                l.name.as_str(),
                (l.listen, l.test_listen.as_ref().map(|t| t.value)),
            )
        })
        .collect();
    let portless: HashSet<&str> = env
        .services
        .iter()
        .filter(|s| s.port.is_none())
        .map(|s| s.name.as_str())
        .collect();
    for flow in env.flows.iter().filter(|f| !f.implied) {
        let from = flow.from.component().and_then(|n| categories.get(n).copied());
        let listen = flow.to.component().and_then(|n| listeners.get(n).copied());
        let to = flow.to.component().and_then(|n| categories.get(n).copied());
        let problem = match (from, to) {
            (_, Some(category @ ("bucket" | "topic" | "queue" | "secret" | "mail" | "alarm")))
            | (Some(category @ ("bucket" | "topic" | "queue" | "secret" | "mail" | "alarm")), _) => {
                let category = if category == "mail" {
                    "mail component"
                } else {
                    category
                };
                format!(
                    "a {category} is not in the VPC: this flow makes no security-group rule (a flow to a bucket, a queue, a topic, a secret or a mail component grants access instead, e.g. `: read` or `: send`)"
                )
            }
            (_, Some("service")) if portless.contains(flow.to.name()) => format!(
                "`{}` listens on no port (a worker): give it a `port` if something calls it",
                flow.to
            ),
            (Some("load_balancer"), Some(target)) if target != "service" => format!(
                "a load balancer forwards only to services (target groups); `{}` is a {target}",
                flow.to
            ),
            (Some("load_balancer"), None) => {
                "a load balancer forwards only to services; it makes no calls of its own".to_owned()
            }
            (Some("edge"), Some("load_balancer")) if !routed.contains(flow.to.name()) => format!(
                "the edge reaches `{}` only through a route, and none of its routes goes there",
                flow.to
            ),
            (Some("edge"), None) => "the edge makes no calls of its own".to_owned(),
            (_, Some("load_balancer"))
                if listen.is_some_and(|(port, test)| port != flow.port && test != Some(flow.port)) =>
            {
                format!(
                    "`{}` listens for HTTPS on port {}, and this flow opens port {}; write `: https`",
                    flow.to,
                    listen.map(|(port, _)| port).unwrap_or_default(),
                    flow.port
                )
            }
            (_, Some("edge")) if !flow.from.is_internet() => {
                "the edge takes requests only from the internet".to_owned()
            }
            _ => continue,
        };
        out.push(
            Finding::error(
                FLOW_WITHOUT_EFFECT,
                &flow.origin,
                format!("`flow {} -> {}` does nothing: {problem}", flow.from, flow.to),
            )
            .help("remove the flow, or write the one that carries the traffic (e.g. `flow alb -> api : tcp(8080)`, `route \"/*\" -> alb`)"),
        );
    }
}

/// `A015`: one load balancer forwards to one service (its listener's default action), and a
/// service has one load balancer; more would leave target groups attached to nothing.
pub fn load_balancer_targets(_ir: &Ir, env: &EnvIr, out: &mut Findings) {
    let mut fronted: BTreeMap<&str, Vec<&FlowIr>> = BTreeMap::new();
    let mut behind: BTreeMap<&str, Vec<&FlowIr>> = BTreeMap::new();
    let balancers: HashSet<&str> = env.load_balancers.iter().map(|l| l.name.as_str()).collect();
    let services: HashSet<&str> = env.services.iter().map(|s| s.name.as_str()).collect();
    for flow in env.flows.iter().filter(|f| !f.implied) {
        let (Some(from), Some(to)) = (flow.from.component(), flow.to.component()) else {
            continue;
        };
        if balancers.contains(from) && services.contains(to) {
            let targets = fronted.entry(from).or_default();
            if !targets.iter().any(|f| f.to == flow.to) {
                targets.push(flow);
            }
            let lbs = behind.entry(to).or_default();
            if !lbs.iter().any(|f| f.from == flow.from) {
                lbs.push(flow);
            }
        }
    }
    for (lb, first, second) in first_two(&fronted) {
        out.push(
            Finding::error(
                UNROUTED_SERVICE,
                &second.origin,
                format!(
                    "load balancer `{lb}` already forwards to `{}`; `{}` would get a target group that no listener uses",
                    first.to, second.to
                ),
            )
            .label(&first.origin, format!("`{lb}` forwards to `{}`", first.to))
            .help(format!(
                "give `{}` its own load balancer (`load_balancer {}_alb in …`), and a route to it on the edge (`route \"/…/*\" -> {}_alb`)",
                second.to, second.to, second.to
            )),
        );
    }
    for (service, first, second) in first_two(&behind) {
        out.push(
            Finding::error(
                UNROUTED_SERVICE,
                &second.origin,
                format!(
                    "`{service}` is already behind `{}`; ECS registers a service with one load balancer here",
                    first.from
                ),
            )
            .label(&first.origin, "its load balancer")
            .help(format!(
                "remove this flow; route `{}`'s requests to `{service}` through `{}`",
                second.from, first.from
            )),
        );
    }
}

/// Each key with at least two flows, and its first two.
fn first_two<'a>(
    groups: &'a BTreeMap<&'a str, Vec<&'a FlowIr>>,
) -> impl Iterator<Item = (&'a str, &'a FlowIr, &'a FlowIr)> {
    groups.iter().filter_map(|(key, flows)| match flows.as_slice() {
        [first, second, ..] => Some((*key, *first, *second)),
        _ => None,
    })
}

/// `A018`: a job cannot call a service by name. Services find each other through ECS Service
/// Connect, which serves only ECS services: a job's task (started by EventBridge Scheduler) has
/// no Service Connect proxy, and the Cloud Map namespace is not DNS.
pub fn jobs_call_no_service(_ir: &Ir, env: &EnvIr, out: &mut Findings) {
    if env.jobs.is_empty() {
        return;
    }
    let jobs: HashSet<&str> = env.jobs.iter().map(|j| j.name.as_str()).collect();
    let from_jobs: Vec<&FlowIr> = env
        .flows
        .iter()
        .filter(|f| !f.implied && f.from.component().is_some_and(|from| jobs.contains(from)))
        .collect();
    if from_jobs.is_empty() {
        return;
    }
    let services: HashSet<&str> = env.services.iter().map(|s| s.name.as_str()).collect();
    for flow in from_jobs {
        let (Some(from), Some(to)) = (flow.from.component(), flow.to.component()) else {
            continue;
        };
        if services.contains(to) {
            out.push(
                Finding::error(
                    JOB_CALLS_SERVICE,
                    &flow.origin,
                    format!("job `{from}` cannot find service `{to}`: ECS Service Connect serves services only, and a scheduled task has no proxy"),
                )
                .help(format!(
                    "let the job hand its work over a queue `{to}` consumes (`flow {from} -> <queue> : send`), or reach `{to}` through its load balancer"
                )),
            );
        }
    }
}
