//! The Mermaid backend: four diagrams per environment, read only from the IR.
//!
//! - `architecture.mmd`: the VPC as a boundary, tiers as subgraphs, the edge, buckets, queues
//!   and topics outside, every flow labelled with its protocol and port (a call between
//!   services marked `Service Connect`), every grant (a flow to a bucket, a queue, a topic, or a
//!   cache's IAM sign-in) a thick arrow labelled `IAM · <levels>`. The Regional NAT Gateway is
//!   drawn at the VPC boundary, not in a subnet (it belongs to the VPC), as the seed document
//!   asks; a NAT instance or zonal gateways sit in their public subnets.
//! - `inbound.mmd`: internet → edge → (VPC origin) → load balancer → services, and the
//!   edge's routes to buckets.
//! - `outbound.mmd`: each tier's way out, or that it has none.
//! - `security-groups.mmd`: the security-group chain, one edge per ingress rule.
//!
//! Node ids are `.arch` names with a prefix (`c_api`, `t_container`), so they are stable and
//! never collide with Mermaid keywords such as `end`.

use std::fmt::Write as _;

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use super::{OutputFile, header_line};
use crate::ir::*;

/// The diagrams of one environment, as `(file name, Mermaid text)`.
pub fn diagrams(env: &EnvIr) -> Vec<(&'static str, String)> {
    let nodes = Nodes::of(env);
    vec![
        ("architecture.mmd", architecture(env, &nodes)),
        ("inbound.mmd", inbound(env, &nodes)),
        ("outbound.mmd", outbound(env, &nodes)),
        ("security-groups.mmd", security_groups(env)),
    ]
}

/// The diagram files of one environment, each with the generated-by header as a comment.
pub fn files(env: &EnvIr, emit: &mut dyn FnMut(OutputFile)) {
    for (name, text) in diagrams(env) {
        emit(OutputFile {
            path: format!("{}/diagrams/{name}", env.name),
            contents: format!("%% {}{text}", header_line()),
        });
    }
}

fn node(name: &str) -> String {
    match name.contains('-') {
        // archc's own groups (`vpc-endpoints`): ids cannot hold `-`, and `x_` keeps them apart
        // from components.
        true => format!("x_{}", name.replace('-', "_")),
        false => format!("c_{name}"),
    }
}

/// Text for a quoted label, shown as written: the characters that would end the label, start
/// an entity or markup (`"`, `#`, `&`, `<`, `>`, `` ` ``) become Mermaid's entity codes
/// (`#34;` …), and line breaks a space, so no string can add a node, an edge or markup.
fn text(label: &str) -> String {
    let mut out = String::with_capacity(label.len());
    for c in label.chars() {
        match c {
            '"' | '#' | '&' | '<' | '>' | '`' => {
                out.push('#');
                out.push_str(&u32::from(c).to_string());
                out.push(';');
            }
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Node declarations, each component found once by name.
struct Nodes<'a> {
    components: Components<'a>,
    /// The domain mail is sent from.
    mail_domain: &'a str,
}

impl<'a> Nodes<'a> {
    fn of(env: &'a EnvIr) -> Self {
        Self {
            components: env.components(),
            mail_domain: env.mail_domain(),
        }
    }

    /// A node declaration: shape by what the component is.
    fn declaration(&self, name: &str) -> String {
        let id = node(name);
        match self.components.get(name) {
            Some(Component::Edge(edge)) => format!(
                "{id}[\"CloudFront{}<br/>{}\"]",
                if edge.waf.is_some() { " + WAF" } else { "" },
                text(&edge.name)
            ),
            Some(Component::LoadBalancer(lb)) => {
                let exposure = if lb.internal.value {
                    "internal"
                } else {
                    "internet-facing"
                };
                format!("{id}[\"ALB ({exposure})<br/>{}\"]", text(&lb.name))
            }
            Some(Component::Service(service)) => format!(
                "{id}[\"ECS Fargate service<br/>{} · {}–{} tasks\"]",
                text(&service.name),
                service.scale.min.value,
                service.scale.max.value
            ),
            Some(Component::Job(job)) => format!(
                "{id}[\"ECS task on a schedule<br/>{} · {}\"]",
                text(&job.name),
                text(&job.schedule.value.expression())
            ),
            Some(Component::Database(database)) => format!(
                "{id}[(\"Aurora PostgreSQL {}<br/>{} · {} × {}\")]",
                text(&database.version),
                text(&database.name),
                database.writers + database.readers,
                text(&database.instance_class)
            ),
            Some(Component::Bucket(bucket)) => format!(
                "{id}[(\"S3 · {}<br/>{}\")]",
                text(&bucket.purpose.map_or("website", |p| p.as_str()).replace('_', " ")),
                text(&bucket.name)
            ),
            Some(Component::Topic(topic)) => format!("{id}([\"SNS topic<br/>{}\"])", text(&topic.name)),
            Some(Component::Cache(cache)) => format!(
                "{id}[(\"{}<br/>{}\")]",
                text(&match &cache.nodes {
                    CacheNodes::Serverless { .. } => "ElastiCache Serverless Valkey".to_owned(),
                    CacheNodes::Nodes {
                        engine,
                        version,
                        node_type,
                        replicas,
                    } => format!(
                        "ElastiCache {} {} · {} × {node_type}",
                        if *engine == CacheEngine::Valkey {
                            "Valkey"
                        } else {
                            "Redis OSS"
                        },
                        version.value,
                        replicas.value + 1
                    ),
                }),
                text(&cache.name)
            ),
            Some(Component::Secret(secret)) => format!(
                "{id}[/\"Secrets Manager<br/>{} · {}\"/]",
                text(&secret.name),
                text(&secret.secret_name)
            ),
            Some(Component::Queue(queue)) => format!(
                "{id}[[\"SQS queue{}<br/>{} · dead letters after {}\"]]",
                if queue.fifo { " (FIFO)" } else { "" },
                text(&queue.name),
                queue.max_receives
            ),
            Some(Component::Mail(mail)) => format!(
                "{id}>\"Amazon SES<br/>{} · from {}\"]",
                text(&mail.name),
                text(self.mail_domain)
            ),
            Some(Component::Connection(connection)) => format!(
                "{id}{{{{\"{}<br/>{} · {}\"}}}}",
                text(&connection.kind.describe()),
                text(&connection.name),
                connection.ranges()
            ),
            None => format!("{id}[\"{}\"]", text(name)),
        }
    }
}

/// Mail leaves through SES, signed, to the recipients' mail servers on the internet.
fn mail_out(env: &EnvIr, out: &mut String) {
    for mail in &env.mail {
        let signed = if mail.dkim.value {
            "SMTP · DKIM-signed"
        } else {
            "SMTP"
        };
        let _ = writeln!(out, "  {} -.->|\"{signed}\"| internet", node(&mail.name));
    }
}

fn flow_label(flow: &FlowIr) -> String {
    let label = format!("{} {}", flow.protocol.name(), flow.port);
    if flow.implied && flow.to.is_internet() {
        // What a task needs to start, which archc adds: see `lower::platform_egress`.
        format!("{label} · AWS APIs")
    } else {
        label
    }
}

/// `  c_a -->|"tcp 8080"| c_b`
fn flow_edge(flow: &FlowIr) -> String {
    format!(
        "  {} -->|\"{}\"| {}",
        node(flow.from.name()),
        flow_label(flow),
        node(flow.to.name())
    )
}

/// The NAT's node id and declaration, when the environment has one.
fn nat_node(env: &EnvIr) -> Option<(String, String)> {
    Some(match &env.nat {
        Nat::None { .. } => return None,
        Nat::Regional { .. } => ("nat".into(), "nat{{\"Regional NAT Gateway\"}}".into()),
        Nat::Zonal { subnets, .. } => (
            "nat".into(),
            format!("nat{{{{\"zonal NAT gateways<br/>{}\"}}}}", subnets.join(", ")),
        ),
        Nat::Instance {
            instance_type,
            subnet,
            ..
        } => (
            "nat".into(),
            format!(
                "nat{{{{\"NAT instance {}<br/>in {}\"}}}}",
                text(instance_type),
                text(subnet)
            ),
        ),
    })
}

fn architecture(env: &EnvIr, nodes: &Nodes<'_>) -> String {
    // Top to bottom: internet, edge, VPC with its tiers side by side, reads like the seed's figure.
    let mut out = String::from("flowchart TB\n");
    let _ = writeln!(out, "  internet((Internet))");
    if let Some(edge) = &env.edge {
        let _ = writeln!(out, "  {}", nodes.declaration(&edge.name));
    }
    for bucket in &env.buckets {
        let _ = writeln!(out, "  {}", nodes.declaration(&bucket.name));
    }
    for topic in &env.topics {
        let _ = writeln!(out, "  {}", nodes.declaration(&topic.name));
    }
    for queue in &env.queues {
        let _ = writeln!(out, "  {}", nodes.declaration(&queue.name));
    }
    for secret in &env.secrets {
        let _ = writeln!(out, "  {}", nodes.declaration(&secret.name));
    }
    for mail in &env.mail {
        let _ = writeln!(out, "  {}", nodes.declaration(&mail.name));
    }
    for connection in &env.connections {
        let _ = writeln!(out, "  {}", nodes.declaration(&connection.name));
    }
    if env.network {
        vpc(env, nodes, &mut out);
    }
    if let Some(edge) = &env.edge {
        let _ = writeln!(out, "  internet -->|\"HTTPS\"| {}", node(&edge.name));
        for origin in &edge.origins {
            let label = match origin.kind {
                EdgeOriginKind::VpcOrigin => "VPC origin (PrivateLink)",
                EdgeOriginKind::S3 => "OAC",
                EdgeOriginKind::S3Website => "website endpoint",
            };
            if !matches!(origin.kind, EdgeOriginKind::VpcOrigin) {
                let _ = writeln!(
                    out,
                    "  {} -->|\"{label}\"| {}",
                    node(&edge.name),
                    node(&origin.name)
                );
            }
        }
    }
    // A call between services is found by name: Service Connect.
    let by_name: HashSet<(&str, &str)> = env
        .service_calls
        .iter()
        .map(|c| (c.from.as_str(), c.to.as_str()))
        .collect();
    for flow in env
        .flows
        .iter()
        .filter(|f| !f.to.is_internet() && !f.from.is_internet())
    {
        if by_name.contains(&(flow.from.name(), flow.to.name())) {
            let _ = writeln!(
                out,
                "  {} -->|\"{} · Service Connect\"| {}",
                node(flow.from.name()),
                flow_label(flow),
                node(flow.to.name())
            );
        } else {
            let _ = writeln!(out, "{}", flow_edge(flow));
        }
    }
    for flow in env.flows.iter().filter(|f| f.from.is_internet()) {
        let _ = writeln!(
            out,
            "  internet -->|\"{}\"| {}",
            flow_label(flow),
            node(flow.to.name())
        );
    }
    // Grants are thick: permissions on the task role, not traffic through a security group.
    for grant in &env.grants {
        let _ = writeln!(
            out,
            "  {} ==>|\"IAM · {}\"| {}",
            node(&grant.from),
            grant.levels(),
            node(&grant.to)
        );
    }
    if let Some((nat_id, _)) = nat_node(env) {
        for flow in env.flows.iter().filter(|f| f.to.is_internet()) {
            let _ = writeln!(
                out,
                "  {} -.->|\"{}\"| {nat_id}",
                node(flow.from.name()),
                flow_label(flow)
            );
        }
        let _ = writeln!(out, "  {nat_id} -.-> igw");
        let _ = writeln!(out, "  igw -.-> internet");
    }
    mail_out(env, &mut out);
    out
}

/// The VPC: its internet gateway, the NAT (at the boundary, or in the public subnets), and
/// each tier with what it holds.
fn vpc(env: &EnvIr, nodes: &Nodes<'_>, out: &mut String) {
    let _ = writeln!(
        out,
        "  subgraph vpc[\"VPC {} · {} · account {}\"]",
        env.vpc.cidr.value,
        text(&env.region),
        text(&env.account)
    );
    let _ = writeln!(out, "    direction LR");
    if let Some((_, nat)) = nat_node(env) {
        let _ = writeln!(out, "    igw[[\"Internet Gateway\"]]");
        if matches!(env.nat, Nat::Regional { .. }) {
            // At the VPC boundary: the Regional NAT Gateway is in no subnet.
            let _ = writeln!(out, "    {nat}");
        } else {
            let subnets: Vec<String> = env
                .public_subnets
                .iter()
                .map(|s| format!("{} {}", s.name, s.cidr))
                .collect();
            let _ = writeln!(
                out,
                "    subgraph public[\"public subnet · {}\"]",
                subnets.join(", ")
            );
            let _ = writeln!(out, "      {nat}");
            let _ = writeln!(out, "    end");
        }
    }
    let mut in_tier: HashMap<&str, Vec<&str>> = HashMap::default();
    for group in &env.security_groups {
        in_tier
            .entry(group.tier.as_str())
            .or_default()
            .push(group.name.as_str());
    }
    for tier in &env.tiers {
        let cidrs: Vec<String> = tier.subnets.iter().map(|s| s.cidr.to_string()).collect();
        let route = match tier.egress.value {
            TierEgress::Nat => "route out: NAT",
            TierEgress::None => "no route out",
        };
        let _ = writeln!(
            out,
            "    subgraph t_{}[\"{} tier · {} · {route}\"]",
            tier.name,
            text(&tier.name),
            cidrs.join(", ")
        );
        let members = in_tier
            .get(tier.name.as_str())
            .map(Vec::as_slice)
            .unwrap_or_default();
        for member in members {
            let _ = writeln!(out, "      {}", nodes.declaration(member));
        }
        if members.is_empty() {
            let _ = writeln!(out, "      t_{}_empty[\" \"]", tier.name);
        }
        let _ = writeln!(out, "    end");
    }
    let _ = writeln!(out, "  end");
}

fn inbound(env: &EnvIr, nodes: &Nodes<'_>) -> String {
    let mut out = String::from("flowchart LR\n  internet((Internet))\n");
    let Some(edge) = &env.edge else {
        out.push_str("  none[\"no edge: nothing takes requests from the internet\"]\n  internet -.-x none\n");
        return out;
    };
    let _ = writeln!(out, "  {}", nodes.declaration(&edge.name));
    let _ = writeln!(
        out,
        "  internet -->|\"HTTPS · {}\"| {}",
        text(&edge.certificate.domain.clone().unwrap_or_default()),
        node(&edge.name)
    );
    let mut seen: HashSet<&str> = HashSet::from_iter([edge.name.as_str()]);
    for behaviour in &edge.behaviours {
        if seen.insert(&behaviour.target) {
            let _ = writeln!(out, "  {}", nodes.declaration(&behaviour.target));
        }
        let via = match behaviour.target_kind {
            EdgeOriginKind::VpcOrigin => "VPC origin",
            EdgeOriginKind::S3 => "OAC",
            EdgeOriginKind::S3Website => "website",
        };
        let cache = behaviour
            .cache_policy
            .value
            .managed_name()
            .trim_start_matches("Managed-");
        let _ = writeln!(
            out,
            "  {} -->|\"{} · {via} · {cache}\"| {}",
            node(&edge.name),
            text(&behaviour.pattern),
            node(&behaviour.target)
        );
    }
    // Private networks that call in, beside the edge.
    for flow in env
        .flows
        .iter()
        .filter(|f| env.connections.iter().any(|c| f.from == c.name))
    {
        for end in [flow.from.name(), flow.to.name()] {
            if seen.insert(end) {
                let _ = writeln!(out, "  {}", nodes.declaration(end));
            }
        }
        let _ = writeln!(out, "{}", flow_edge(flow));
    }
    // Onward from the load balancers to what they serve.
    for flow in env
        .flows
        .iter()
        .filter(|f| env.load_balancers.iter().any(|lb| f.from == lb.name))
    {
        if seen.insert(flow.to.name()) {
            let _ = writeln!(out, "  {}", nodes.declaration(flow.to.name()));
        }
        let _ = writeln!(out, "{}", flow_edge(flow));
    }
    out
}

fn outbound(env: &EnvIr, nodes: &Nodes<'_>) -> String {
    let nat = nat_node(env);
    let mut out = String::from("flowchart LR\n");
    if let Some((_, declaration)) = &nat {
        let _ = writeln!(out, "  {declaration}\n  igw[[\"Internet Gateway\"]]");
    }
    out.push_str("  internet((Internet))\n");
    if env.tiers.is_empty() {
        let what = if env.network { "no tier" } else { "no network" };
        let _ = writeln!(
            out,
            "  none[\"{what}: nothing of the system leaves through a VPC\"]"
        );
    }
    for tier in &env.tiers {
        let _ = writeln!(out, "  t_{}[\"{} tier\"]", tier.name, text(&tier.name));
        match (tier.egress.value, &nat) {
            (TierEgress::Nat, Some((nat_id, _))) => {
                let _ = writeln!(out, "  t_{} -->|\"0.0.0.0/0\"| {nat_id}", tier.name);
            }
            _ => {
                let _ = writeln!(out, "  t_{}_closed[\"no route to the internet\"]", tier.name);
                let _ = writeln!(out, "  t_{} -.-x t_{}_closed", tier.name, tier.name);
            }
        }
    }
    if let Some((nat_id, _)) = &nat {
        let _ = writeln!(out, "  {nat_id} --> igw\n  igw --> internet");
    }
    let groups: HashMap<&str, &SecurityGroup> = env
        .security_groups
        .iter()
        .map(|g| (g.name.as_str(), g))
        .rev()
        .collect();
    // Private connections: each routing tier's routes to the ranges behind them.
    for connection in &env.connections {
        let _ = writeln!(out, "  {}", nodes.declaration(&connection.name));
        for tier in env.connection_tiers(&connection.name) {
            let _ = writeln!(
                out,
                "  t_{tier} -->|\"{}\"| {}",
                connection.ranges(),
                node(&connection.name)
            );
        }
    }
    let private = |flow: &FlowIr| env.connections.iter().any(|c| flow.to == c.name);
    for flow in env.flows.iter().filter(|f| f.to.is_internet() || private(f)) {
        if let Some(group) = groups.get(flow.from.name()) {
            let _ = writeln!(
                out,
                "  {}[\"{}\"]",
                node(flow.from.name()),
                text(flow.from.name())
            );
            let _ = writeln!(
                out,
                "  {} -->|\"{}\"| t_{}",
                node(flow.from.name()),
                flow_label(flow),
                group.tier
            );
        }
    }
    // Tasks that reach AWS through the VPC endpoints instead.
    let endpoints = &env.vpc.endpoints.value;
    if !endpoints.is_empty() {
        let names: Vec<&str> = endpoints.iter().map(|e| e.as_str()).collect();
        let _ = writeln!(out, "  endpoints[(\"VPC endpoints<br/>{}\")]", names.join(", "));
        // Each task once, in rule order (a task has a rule to the interface endpoints and one
        // to the S3 gateway).
        let mut drawn = std::collections::BTreeSet::new();
        let users = env
            .egress_rules
            .iter()
            .filter(|r| match &r.peer {
                Peer::SecurityGroup(group) => group == ENDPOINTS_GROUP,
                Peer::PrefixList(list) => list != CLOUDFRONT_PREFIX_LIST,
                Peer::Cidr(_) | Peer::Connection(_) => false,
            })
            .map(|r| r.group.as_str())
            .filter(|user| drawn.insert(*user));
        for user in users {
            let _ = writeln!(out, "  {}[\"{}\"]", node(user), text(user));
            let _ = writeln!(out, "  {} -->|\"https 443\"| endpoints", node(user));
        }
    }
    // Mail: each sender calls SES's API (through its tier's way out), and SES delivers.
    for mail in &env.mail {
        let _ = writeln!(out, "  {}", nodes.declaration(&mail.name));
    }
    for grant in env.grants.iter().filter(|g| g.target == GrantTarget::Mail) {
        let _ = writeln!(out, "  {}[\"{}\"]", node(&grant.from), text(&grant.from));
        let _ = writeln!(
            out,
            "  {} -->|\"SES API · send\"| {}",
            node(&grant.from),
            node(&grant.to)
        );
    }
    mail_out(env, &mut out);
    out
}

fn security_groups(env: &EnvIr) -> String {
    let mut out = String::from("flowchart LR\n");
    let mut declared: HashSet<String> = HashSet::default();
    let mut declare = |out: &mut String, id: String, label: String| {
        if !declared.contains(&id) {
            let _ = writeln!(out, "  {id}[\"{label}\"]");
            declared.insert(id);
        }
    };
    for rule in &env.ingress_rules {
        let from = match &rule.peer {
            Peer::SecurityGroup(name) => {
                declare(&mut out, node(name), format!("SG {}", text(name)));
                node(name)
            }
            Peer::PrefixList(list) => {
                declare(
                    &mut out,
                    "prefix_list".into(),
                    format!("prefix list<br/>{}", text(list)),
                );
                "prefix_list".into()
            }
            Peer::Cidr(cidr) => {
                declare(&mut out, "anywhere".into(), format!("{cidr}"));
                "anywhere".into()
            }
            Peer::Connection(name) => {
                declare(&mut out, node(name), format!("connection {}", text(name)));
                node(name)
            }
        };
        declare(&mut out, node(&rule.group), format!("SG {}", text(&rule.group)));
        let _ = writeln!(out, "  {from} -->|\"{}\"| {}", rule.port, node(&rule.group));
    }
    // What leaves for a private network is an egress rule to its ranges: drawn too, since no
    // ingress rule of the system stands for it.
    for rule in &env.egress_rules {
        let Peer::Connection(name) = &rule.peer else {
            continue;
        };
        declare(&mut out, node(&rule.group), format!("SG {}", text(&rule.group)));
        declare(&mut out, node(name), format!("connection {}", text(name)));
        let _ = writeln!(
            out,
            "  {} -->|\"{}\"| {}",
            node(&rule.group),
            rule.port,
            node(name)
        );
    }
    if env.ingress_rules.is_empty() {
        out.push_str("  none[\"no ingress rules\"]\n");
    }
    out
}
