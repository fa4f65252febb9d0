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
fn mail_links(env: &EnvIr) -> Vec<Link> {
    env.mail
        .iter()
        .map(|mail| {
            let signed = if mail.dkim.value {
                "SMTP · DKIM-signed"
            } else {
                "SMTP"
            };
            Link::new(
                node(&mail.name),
                "-.->",
                Some(signed.to_owned()),
                "internet".into(),
            )
        })
        .collect()
}

fn mail_out(env: &EnvIr, out: &mut String) {
    for link in mail_links(env) {
        let _ = writeln!(out, "{}", link.render());
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
    architecture_graph(env, nodes).render()
}

/// One node of a diagram: its id and its whole declaration (`c_api["…"]`).
#[derive(Debug, Clone, PartialEq)]
struct Node {
    id: String,
    declaration: String,
}

/// What a diagram (or one of its subgraphs) holds, in order.
#[derive(Debug, Clone, PartialEq)]
enum Item {
    Node(Node),
    Group {
        id: String,
        /// The subgraph's title, already escaped.
        title: String,
        direction: Option<&'static str>,
        items: Vec<Item>,
    },
}

/// An arrow between two nodes: `a -->|"label"| b`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Link {
    from: String,
    arrow: &'static str,
    label: Option<String>,
    to: String,
}

impl Link {
    fn new(from: String, arrow: &'static str, label: Option<String>, to: String) -> Self {
        Link {
            from,
            arrow,
            label,
            to,
        }
    }

    fn render(&self) -> String {
        match &self.label {
            Some(label) => format!("  {} {}|\"{label}\"| {}", self.from, self.arrow, self.to),
            None => format!("  {} {} {}", self.from, self.arrow, self.to),
        }
    }
}

/// A flowchart as data, so that two versions of it can be merged (`architecture_diff`).
#[derive(Debug, Clone, PartialEq)]
struct Graph {
    direction: &'static str,
    items: Vec<Item>,
    links: Vec<Link>,
}

impl Graph {
    fn node(&mut self, id: String, declaration: String) {
        self.items.push(Item::Node(Node { id, declaration }));
    }

    fn link(&mut self, from: String, arrow: &'static str, label: Option<String>, to: String) {
        self.links.push(Link::new(from, arrow, label, to));
    }

    fn render(&self) -> String {
        let mut out = format!("flowchart {}\n", self.direction);
        render_items(&self.items, 1, &mut out);
        for link in &self.links {
            let _ = writeln!(out, "{}", link.render());
        }
        out
    }
}

fn render_items(items: &[Item], depth: usize, out: &mut String) {
    let indent = "  ".repeat(depth);
    for item in items {
        match item {
            Item::Node(node) => {
                let _ = writeln!(out, "{indent}{}", node.declaration);
            }
            Item::Group {
                id,
                title,
                direction,
                items,
            } => {
                let _ = writeln!(out, "{indent}subgraph {id}[\"{title}\"]");
                if let Some(direction) = direction {
                    let _ = writeln!(out, "{indent}  direction {direction}");
                }
                render_items(items, depth + 1, out);
                let _ = writeln!(out, "{indent}end");
            }
        }
    }
}

fn architecture_graph(env: &EnvIr, nodes: &Nodes<'_>) -> Graph {
    // Top to bottom: internet, edge, VPC with its tiers side by side, reads like the seed's figure.
    let mut graph = Graph {
        direction: "TB",
        items: Vec::new(),
        links: Vec::new(),
    };
    graph.node("internet".into(), "internet((Internet))".into());
    let outside = env
        .edge
        .iter()
        .map(|e| e.name.as_str())
        .chain(env.buckets.iter().map(|c| c.name.as_str()))
        .chain(env.topics.iter().map(|c| c.name.as_str()))
        .chain(env.queues.iter().map(|c| c.name.as_str()))
        .chain(env.secrets.iter().map(|c| c.name.as_str()))
        .chain(env.mail.iter().map(|c| c.name.as_str()))
        .chain(env.connections.iter().map(|c| c.name.as_str()));
    for name in outside {
        graph.node(node(name), nodes.declaration(name));
    }
    if env.network {
        graph.items.push(vpc(env, nodes));
    }
    let quoted = |label: &str| Some(label.to_owned());
    if let Some(edge) = &env.edge {
        graph.link("internet".into(), "-->", quoted("HTTPS"), node(&edge.name));
        for origin in &edge.origins {
            let label = match origin.kind {
                EdgeOriginKind::VpcOrigin => "VPC origin (PrivateLink)",
                EdgeOriginKind::S3 => "OAC",
                EdgeOriginKind::S3Website => "website endpoint",
            };
            if !matches!(origin.kind, EdgeOriginKind::VpcOrigin) {
                graph.link(node(&edge.name), "-->", quoted(label), node(&origin.name));
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
        let label = if by_name.contains(&(flow.from.name(), flow.to.name())) {
            format!("{} · Service Connect", flow_label(flow))
        } else {
            flow_label(flow)
        };
        graph.link(node(flow.from.name()), "-->", Some(label), node(flow.to.name()));
    }
    for flow in env.flows.iter().filter(|f| f.from.is_internet()) {
        graph.link(
            "internet".into(),
            "-->",
            Some(flow_label(flow)),
            node(flow.to.name()),
        );
    }
    // Grants are thick: permissions on the task role, not traffic through a security group.
    for grant in &env.grants {
        graph.link(
            node(&grant.from),
            "==>",
            Some(format!("IAM · {}", grant.levels())),
            node(&grant.to),
        );
    }
    if let Some((nat_id, _)) = nat_node(env) {
        for flow in env.flows.iter().filter(|f| f.to.is_internet()) {
            graph.link(
                node(flow.from.name()),
                "-.->",
                Some(flow_label(flow)),
                nat_id.clone(),
            );
        }
        graph.link(nat_id, "-.->", None, "igw".into());
        graph.link("igw".into(), "-.->", None, "internet".into());
    }
    graph.links.extend(mail_links(env));
    graph
}

/// The VPC: its internet gateway, the NAT (at the boundary, or in the public subnets), and
/// each tier with what it holds.
fn vpc(env: &EnvIr, nodes: &Nodes<'_>) -> Item {
    let mut items = Vec::new();
    if let Some((nat_id, nat)) = nat_node(env) {
        items.push(Item::Node(Node {
            id: "igw".into(),
            declaration: "igw[[\"Internet Gateway\"]]".into(),
        }));
        let nat = Item::Node(Node {
            id: nat_id,
            declaration: nat,
        });
        if matches!(env.nat, Nat::Regional { .. }) {
            // At the VPC boundary: the Regional NAT Gateway is in no subnet.
            items.push(nat);
        } else {
            let subnets: Vec<String> = env
                .public_subnets
                .iter()
                .map(|s| format!("{} {}", s.name, s.cidr))
                .collect();
            items.push(Item::Group {
                id: "public".into(),
                title: format!("public subnet · {}", subnets.join(", ")),
                direction: None,
                items: vec![nat],
            });
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
        let members = in_tier
            .get(tier.name.as_str())
            .map(Vec::as_slice)
            .unwrap_or_default();
        let mut held: Vec<Item> = members
            .iter()
            .map(|member| {
                Item::Node(Node {
                    id: node(member),
                    declaration: nodes.declaration(member),
                })
            })
            .collect();
        if members.is_empty() {
            held.push(Item::Node(Node {
                id: format!("t_{}_empty", tier.name),
                declaration: format!("t_{}_empty[\" \"]", tier.name),
            }));
        }
        items.push(Item::Group {
            id: format!("t_{}", tier.name),
            title: format!("{} tier · {} · {route}", text(&tier.name), cidrs.join(", ")),
            direction: None,
            items: held,
        });
    }
    Item::Group {
        id: "vpc".into(),
        title: format!(
            "VPC {} · {} · account {}",
            env.vpc.cidr.value,
            text(&env.region),
            text(&env.account)
        ),
        direction: Some("LR"),
        items,
    }
}

/// How a node, group or link of a compared diagram changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    Same,
    Added,
    Removed,
    Changed,
}

/// Above this many nodes, a compared diagram shows only what changed and its neighbours.
const FULL_DIAGRAM_NODES: usize = 60;

/// The architecture diagram of an environment as it is after a change (`after`; `None` when
/// the environment is removed), with what the change added, removed and changed styled (a
/// legend says how) and what it removed drawn where it was. `renames` maps the old names of
/// renamed components to their new ones; `changed` names components whose change does not
/// show in their label. A large diagram keeps only the changed nodes and their neighbours.
pub fn architecture_diff(
    before: Option<&EnvIr>,
    after: Option<&EnvIr>,
    renames: &std::collections::BTreeMap<String, String>,
    changed: &std::collections::BTreeSet<&str>,
) -> String {
    let graph = |env: &EnvIr| architecture_graph(env, &Nodes::of(env));
    let empty = Graph {
        direction: "TB",
        items: Vec::new(),
        links: Vec::new(),
    };
    let mut base = before.map_or_else(|| empty.clone(), graph);
    let head = after.map_or(empty, graph);
    let renamed: HashMap<String, String> = renames.iter().map(|(from, to)| (node(from), node(to))).collect();
    base.rename(&renamed);
    let (old_nodes, new_nodes) = (base.nodes(), head.nodes());
    let changed: HashSet<String> = changed.iter().map(|name| node(name)).collect();
    let mut status: HashMap<String, Status> = HashMap::default();
    for (id, declaration) in &new_nodes {
        let state = match old_nodes.get(id) {
            None => Status::Added,
            Some(old) if old != declaration || changed.contains(id) => Status::Changed,
            Some(_) => Status::Same,
        };
        status.insert(id.clone(), state);
    }
    for id in old_nodes.keys().filter(|id| !new_nodes.contains_key(*id)) {
        status.insert(id.clone(), Status::Removed);
    }
    // What was removed, drawn in the group it was in (or at the top when that is gone too).
    let mut merged = head.clone();
    let (old_groups, new_groups) = (base.group_ids(), head.group_ids());
    let mut groups_added: Vec<String> = new_groups
        .iter()
        .filter(|g| !old_groups.contains(g))
        .cloned()
        .collect();
    let mut groups_removed = Vec::new();
    base.walk_removed(&new_nodes, &new_groups, &mut |parent, item| {
        if let Item::Group { id, .. } = &item {
            groups_removed.push(id.clone());
        }
        merged.insert(parent, item);
    });
    let old_links: HashSet<&Link> = base.links.iter().collect();
    let new_links: HashSet<&Link> = head.links.iter().collect();
    let mut links: Vec<(Link, Status)> = head
        .links
        .iter()
        .map(|l| {
            (
                l.clone(),
                if old_links.contains(l) {
                    Status::Same
                } else {
                    Status::Added
                },
            )
        })
        .collect();
    links.extend(
        base.links
            .iter()
            .filter(|l| !new_links.contains(l))
            .map(|l| (l.clone(), Status::Removed)),
    );
    let total = status.len();
    if total > FULL_DIAGRAM_NODES {
        let differ: HashSet<&String> = status
            .iter()
            .filter(|(_, s)| **s != Status::Same)
            .map(|(id, _)| id)
            .collect();
        // The nodes that changed, and their neighbours (one link away, never further).
        let mut keep: HashSet<String> = differ.iter().map(|id| (*id).clone()).collect();
        for (link, state) in &links {
            let touches = differ.contains(&link.from) || differ.contains(&link.to);
            if touches || *state != Status::Same {
                keep.insert(link.from.clone());
                keep.insert(link.to.clone());
            }
        }
        merged.retain(&keep);
        let kept_groups = merged.group_ids();
        groups_added.retain(|g| kept_groups.contains(g));
        groups_removed.retain(|g| kept_groups.contains(g));
        links.retain(|(l, _)| keep.contains(&l.from) && keep.contains(&l.to));
        let hidden = total.saturating_sub(keep.len());
        if hidden > 0 {
            merged.node(
                "x_hidden".into(),
                format!("x_hidden[\"… {hidden} unchanged components not shown\"]"),
            );
        }
    }
    let present = merged.nodes();
    let mut out = Graph {
        direction: merged.direction,
        items: merged.items,
        links: links.iter().map(|(l, _)| l.clone()).collect(),
    }
    .render();
    out.push_str("  subgraph legend[\"legend\"]\n    direction LR\n    l_added[\"added\"]\n    l_changed[\"changed\"]\n    l_removed[\"removed\"]\n  end\n");
    out.push_str("  classDef added fill:#dafbe1,stroke:#1a7f37,stroke-width:2px,color:#0d1117\n");
    out.push_str("  classDef changed fill:#fff8c5,stroke:#9a6700,stroke-width:2px,color:#0d1117\n");
    out.push_str("  classDef removed fill:#ffebe9,stroke:#cf222e,stroke-width:2px,stroke-dasharray:5 5,color:#0d1117\n");
    for (class, wanted) in [
        ("added", Status::Added),
        ("changed", Status::Changed),
        ("removed", Status::Removed),
    ] {
        let mut ids: Vec<&str> = status
            .iter()
            .filter(|(id, s)| **s == wanted && present.contains_key(*id))
            .map(|(id, _)| id.as_str())
            .collect();
        ids.sort_unstable();
        ids.push(match wanted {
            Status::Added => "l_added",
            Status::Changed => "l_changed",
            _ => "l_removed",
        });
        let _ = writeln!(out, "  class {} {class}", ids.join(","));
    }
    for group in &groups_added {
        let _ = writeln!(out, "  style {group} stroke:#1a7f37,stroke-width:2px");
    }
    for group in &groups_removed {
        let _ = writeln!(
            out,
            "  style {group} stroke:#cf222e,stroke-width:2px,stroke-dasharray:5 5"
        );
    }
    for (style, wanted) in [
        ("stroke:#1a7f37,stroke-width:3px", Status::Added),
        (
            "stroke:#cf222e,stroke-width:3px,stroke-dasharray:5 5",
            Status::Removed,
        ),
    ] {
        let indices: Vec<String> = links
            .iter()
            .enumerate()
            .filter(|(_, (_, s))| *s == wanted)
            .map(|(i, _)| i.to_string())
            .collect();
        if !indices.is_empty() {
            let _ = writeln!(out, "  linkStyle {} {style}", indices.join(","));
        }
    }
    out
}

impl Graph {
    /// Every node's declaration by id.
    fn nodes(&self) -> HashMap<String, String> {
        fn walk(items: &[Item], out: &mut HashMap<String, String>) {
            for item in items {
                match item {
                    Item::Node(node) => {
                        out.insert(node.id.clone(), node.declaration.clone());
                    }
                    Item::Group { items, .. } => walk(items, out),
                }
            }
        }
        let mut out = HashMap::default();
        walk(&self.items, &mut out);
        out
    }

    fn group_ids(&self) -> Vec<String> {
        fn walk(items: &[Item], out: &mut Vec<String>) {
            for item in items {
                if let Item::Group { id, items, .. } = item {
                    out.push(id.clone());
                    walk(items, out);
                }
            }
        }
        let mut out = Vec::new();
        walk(&self.items, &mut out);
        out
    }

    /// Gives renamed nodes their new ids (their declarations keep the old name: a changed label).
    fn rename(&mut self, renamed: &HashMap<String, String>) {
        fn walk(items: &mut [Item], renamed: &HashMap<String, String>) {
            for item in items {
                match item {
                    Item::Node(node) => {
                        if let Some(new) = renamed.get(&node.id) {
                            node.declaration = format!(
                                "{new}{}",
                                node.declaration.get(node.id.len()..).unwrap_or_default()
                            );
                            node.id = new.clone();
                        }
                    }
                    Item::Group { items, .. } => walk(items, renamed),
                }
            }
        }
        walk(&mut self.items, renamed);
        for link in &mut self.links {
            for end in [&mut link.from, &mut link.to] {
                if let Some(new) = renamed.get(end.as_str()) {
                    *end = new.clone();
                }
            }
        }
    }

    /// Calls `found(parent group, item)` for each node of this graph not in `kept`, and each
    /// group not in `groups` (whole, and then not its nodes one by one).
    fn walk_removed(
        &self,
        kept: &HashMap<String, String>,
        groups: &[String],
        found: &mut dyn FnMut(Option<&str>, Item),
    ) {
        fn walk(
            items: &[Item],
            parent: Option<&str>,
            kept: &HashMap<String, String>,
            groups: &[String],
            found: &mut dyn FnMut(Option<&str>, Item),
        ) {
            for item in items {
                match item {
                    Item::Node(node) if !kept.contains_key(&node.id) => found(parent, item.clone()),
                    Item::Node(_) => {}
                    Item::Group { id, .. } if !groups.contains(id) => found(parent, item.clone()),
                    Item::Group { id, items, .. } => walk(items, Some(id), kept, groups, found),
                }
            }
        }
        walk(&self.items, None, kept, groups, found);
    }

    /// Adds `item` to the group `parent` (at the top when there is none).
    fn insert(&mut self, parent: Option<&str>, item: Item) {
        fn find<'a>(items: &'a mut [Item], id: &str) -> Option<&'a mut Vec<Item>> {
            for entry in items.iter_mut() {
                if let Item::Group { id: group, items, .. } = entry {
                    if group == id {
                        return Some(items);
                    }
                    if let Some(found) = find(items, id) {
                        return Some(found);
                    }
                }
            }
            None
        }
        match parent.and_then(|p| find(&mut self.items, p)) {
            Some(items) => items.push(item),
            None => self.items.push(item),
        }
    }

    /// Keeps only the nodes in `keep`, and the groups that still hold something.
    fn retain(&mut self, keep: &HashSet<String>) {
        fn walk(items: &mut Vec<Item>, keep: &HashSet<String>) {
            items.retain_mut(|item| match item {
                Item::Node(node) => keep.contains(&node.id),
                Item::Group { items, .. } => {
                    walk(items, keep);
                    !items.is_empty()
                }
            });
        }
        walk(&mut self.items, keep);
    }
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
