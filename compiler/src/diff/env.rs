//! One environment's comparison: the facts of each side (components, what faces the internet,
//! flows, security-group rules, grants, routes out, operators), matched by the names AWS knows
//! them by, and what each difference does.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::Value;

use super::{Area, Change, ComponentCost, CostDelta, Effect, EnvDiff, EnvStatus, Side};
use crate::cost::cents;
use crate::diagnostics::plural;
use crate::ir::*;

/// Components whose replacement or removal loses data.
const STATEFUL: &[&str] = &["database", "bucket", "cache", "queue"];

pub(super) fn compare(
    base: &Side,
    head: &Side,
    name: &str,
    before: Option<&EnvIr>,
    after: Option<&EnvIr>,
    diagrams: bool,
) -> EnvDiff {
    let (old, new) = (Facts::of(before), Facts::of(after));
    let mut changes = Vec::new();
    let renames = components(&old, &new, &mut changes);
    exposure(&old, &new, &mut changes);
    access(&old, &new, &mut changes);
    permissions(&old, &new, &mut changes);
    network(before, after, &old, &new, &mut changes);
    waived(base, head, name, &mut changes);
    changes.sort();
    changes.dedup();
    let status = match (before, after) {
        (None, _) => EnvStatus::Added,
        (_, None) => EnvStatus::Removed,
        _ if changes.is_empty() => EnvStatus::Unchanged,
        _ => EnvStatus::Changed,
    };
    let cost = cost(base.costs.get(name), head.costs.get(name), &renames);
    let diagram = (diagrams && !changes.is_empty()).then(|| {
        // Components whose own settings changed (flows and grants are drawn as arrows).
        let changed: BTreeSet<&str> = changes
            .iter()
            .filter(|c| match c.area {
                Area::Resources | Area::Protection | Area::Exposure => true,
                Area::State => c.effect == Effect::Replace,
                Area::Access | Area::Permissions | Area::Network | Area::Waivers => false,
            })
            .map(|c| c.subject.as_str())
            .collect();
        crate::backend::mermaid::architecture_diff(before, after, &renames, &changed)
    });
    EnvDiff {
        env: name.to_owned(),
        status,
        changes,
        cost,
        diagram,
    }
}

/// What one side of an environment holds, keyed by identity (the physical name).
#[derive(Default)]
struct Facts<'a> {
    /// (kind, identity) → (name, the component).
    components: BTreeMap<(&'static str, String), (String, Part<'a>)>,
    /// identity → (name, why it faces the internet).
    internet_facing: BTreeMap<String, (String, String)>,
    /// Public subnets: `name cidr`.
    public_subnets: BTreeSet<String>,
    /// The edge's routes: path pattern → (identity, name) of what serves it.
    routes: BTreeMap<String, (String, String)>,
    /// (from, to, protocol, port) by identity → (from, to) by name.
    flows: BTreeMap<(String, String, &'static str, u16), (String, String)>,
    /// Security-group rules: (group, direction, peer, protocol, port) → the rule, described.
    rules: BTreeMap<(String, &'static str, String, &'static str, u16), Rule>,
    /// (from, to) by identity → (from, to, the actions allowed).
    grants: BTreeMap<(String, String), (String, String, BTreeSet<&'static str>)>,
    operators: BTreeSet<String>,
    /// Tiers with a route to the internet: identity → (name, through what).
    egress: BTreeMap<String, (String, String)>,
    /// Tiers: identity → (name, subnets).
    tiers: BTreeMap<String, (String, String)>,
}

struct Rule {
    group: String,
    peer: String,
    /// The flow's ends, by identity, that the rule was made for.
    ends: (String, String),
}

impl<'a> Facts<'a> {
    fn of(env: Option<&'a EnvIr>) -> Facts<'a> {
        let Some(env) = env else {
            return Facts::default();
        };
        let id = |name: &str| env.physical(name).to_owned();
        let mut facts = Facts::default();
        for (kind, name, value) in all_components(env) {
            facts
                .components
                .insert((kind, id(name)), (name.to_owned(), value));
        }
        if let Some(edge) = &env.edge {
            facts.internet_facing.insert(
                id(&edge.name),
                // Its web ACL is the edge's own change (`changed`).
                (edge.name.clone(), "CloudFront distribution".to_owned()),
            );
            for behaviour in &edge.behaviours {
                facts.routes.insert(
                    behaviour.pattern.clone(),
                    (id(&behaviour.target), behaviour.target.clone()),
                );
            }
        }
        for lb in env.load_balancers.iter().filter(|lb| !lb.internal.value) {
            facts.internet_facing.insert(
                id(&lb.name),
                (
                    lb.name.clone(),
                    format!("internet-facing load balancer on port {}", lb.listen),
                ),
            );
        }
        let public_tasks = env
            .services
            .iter()
            .filter(|s| s.public_ip.value)
            .map(|s| &s.name)
            .chain(env.jobs.iter().filter(|j| j.public_ip.value).map(|j| &j.name));
        for task in public_tasks {
            facts.internet_facing.insert(
                id(task),
                (task.clone(), "tasks with public IP addresses".to_owned()),
            );
        }
        for flow in env.flows.iter().filter(|f| f.from.is_internet()) {
            facts.internet_facing.insert(
                id(flow.to.name()),
                (
                    flow.to.name().to_owned(),
                    format!(
                        "takes {} {} straight from the internet",
                        flow.protocol.name(),
                        flow.port
                    ),
                ),
            );
        }
        for subnet in &env.public_subnets {
            facts
                .public_subnets
                .insert(format!("{} {}", subnet.name, subnet.cidr));
        }
        for flow in env.flows.iter().filter(|f| !f.implied) {
            let (from, to) = (flow.from.name(), flow.to.name());
            facts.flows.insert(
                (id(from), id(to), flow.protocol.name(), flow.port),
                (from.to_owned(), to.to_owned()),
            );
        }
        let directions = [("ingress", &env.ingress_rules), ("egress", &env.egress_rules)];
        for (direction, rules) in directions {
            for rule in rules {
                let (peer_id, peer) = match &rule.peer {
                    Peer::SecurityGroup(group) => {
                        (format!("sg {}", id(group)), format!("security group `{group}`"))
                    }
                    Peer::PrefixList(list) => (format!("pl {list}"), format!("prefix list {list}")),
                    Peer::Cidr(cidr) => (format!("cidr {cidr}"), cidr.to_string()),
                    Peer::Connection(name) => {
                        (format!("connection {}", id(name)), format!("connection `{name}`"))
                    }
                };
                facts.rules.insert(
                    (id(&rule.group), direction, peer_id, rule.protocol, rule.port),
                    Rule {
                        group: rule.group.clone(),
                        peer,
                        ends: (id(&rule.from), id(&rule.to)),
                    },
                );
            }
        }
        for grant in &env.grants {
            let entry = facts
                .grants
                .entry((id(&grant.from), id(&grant.to)))
                .or_insert_with(|| (grant.from.clone(), grant.to.clone(), BTreeSet::new()));
            entry
                .2
                .extend(grant.statements.iter().flat_map(|s| s.actions.iter().copied()));
        }
        for operator in &env.operators.value {
            facts.operators.insert(match operator {
                Operator::PermissionSet(name) => format!("permission set {name}"),
                Operator::Principal(arn) => arn.clone(),
            });
        }
        for tier in &env.tiers {
            let subnets: Vec<String> = tier.subnets.iter().map(|s| s.cidr.to_string()).collect();
            facts
                .tiers
                .insert(id(&tier.name), (tier.name.clone(), subnets.join(", ")));
            if tier.egress.value == TierEgress::Nat && !matches!(env.nat, Nat::None { .. }) {
                facts
                    .egress
                    .insert(id(&tier.name), (tier.name.clone(), env.nat.describe()));
            }
        }
        facts
    }
}

/// One component (or alarm) of either side, as the IR holds it: compared as it is first (equal
/// unless something about it changed, if only where it is written), then as JSON, without
/// origins.
#[derive(PartialEq, Serialize)]
#[serde(untagged)]
enum Part<'a> {
    Component(Component<'a>),
    Alarm(&'a Alarm),
}

impl Part<'_> {
    fn json(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }
}

/// Every component and alarm of an environment with its kind.
fn all_components(env: &EnvIr) -> impl Iterator<Item = (&'static str, &str, Part<'_>)> {
    env.each_component()
        .map(|(name, component)| (component.kind(), name, Part::Component(component)))
        .chain(
            env.alarms
                .iter()
                .map(|a| ("alarm", a.name.as_str(), Part::Alarm(a))),
        )
}

/// Components added, removed (stateful ones destroyed), renamed and changed; returns the
/// renames (old name → new name) for the diagram.
fn components(old: &Facts, new: &Facts, changes: &mut Vec<Change>) -> BTreeMap<String, String> {
    let mut renames = BTreeMap::new();
    let added: Vec<&(&str, String)> = new
        .components
        .keys()
        .filter(|k| !old.components.contains_key(*k))
        .collect();
    for (key @ (kind, identity), (name, _)) in &old.components {
        if new.components.contains_key(key) {
            continue;
        }
        if STATEFUL.contains(kind) {
            let same_kind: Vec<&str> = added
                .iter()
                .filter(|(k, _)| k == kind)
                .filter_map(|k| new.components.get(*k).map(|(n, _)| n.as_str()))
                .collect();
            let hint = match same_kind.as_slice() {
                [renamed] => format!(
                    "; if `{renamed}` is `{name}` renamed, add `was = \"{name}\"` to it and nothing is destroyed"
                ),
                _ => String::new(),
            };
            changes.push(Change::new(
                Area::State,
                Effect::Destroy,
                name.clone(),
                format!("{kind} `{name}` would be destroyed with its data{hint}"),
            ));
        } else if !old.internet_facing.contains_key(identity) {
            changes.push(Change::new(
                Area::Resources,
                Effect::Neutral,
                name.clone(),
                format!("{kind} `{name}` removed"),
            ));
        }
    }
    for key @ (kind, identity) in added {
        let Some((name, _)) = new.components.get(key) else {
            continue;
        };
        if !new.internet_facing.contains_key(identity) {
            changes.push(Change::new(
                Area::Resources,
                Effect::Neutral,
                name.clone(),
                format!("{kind} `{name}` added"),
            ));
        }
    }
    let matched = || {
        new.components
            .iter()
            .filter_map(|(key, (name, value))| Some((key.0, name, value, old.components.get(key)?)))
    };
    for (kind, name, _, (old_name, _)) in matched() {
        if old_name != name {
            renames.insert(old_name.clone(), name.clone());
            changes.push(Change::new(
                Area::State,
                Effect::Moved,
                name.clone(),
                format!("{kind} `{old_name}` renamed `{name}`: its state moves, AWS keeps its names"),
            ));
        }
    }
    for (kind, name, value, (_, old_value)) in matched() {
        if old_value != value {
            // A reference to a renamed component is the move, not a change of its own.
            let (a, b) = (renamed_references(old_value.json(), &renames), value.json());
            if a != b {
                changed(kind, name, &a, &b, changes);
            }
        }
    }
    renames
}

/// `value` with every string that names a renamed component (an alarm's component, a service's
/// load balancer) given its new name.
fn renamed_references(value: Value, renames: &BTreeMap<String, String>) -> Value {
    match value {
        Value::String(text) => Value::String(renames.get(&text).cloned().unwrap_or(text)),
        Value::Array(items) => Value::Array(
            items
                .into_iter()
                .map(|v| renamed_references(v, renames))
                .collect(),
        ),
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| (k, renamed_references(v, renames)))
                .collect(),
        ),
        other => other,
    }
}

/// The fields of a kind whose change this module judges itself (the rest is listed neutrally).
fn judged(kind: &str, field: &str) -> bool {
    let first = field.split(['.', '[']).next().unwrap_or_default();
    first == "name"
        || match kind {
            "edge" => matches!(first, "behaviours" | "origins" | "waf"),
            "load balancer" => first == "internal",
            "service" | "job" => first == "public_ip",
            "database" => matches!(
                first,
                "encrypted"
                    | "deletion_protection"
                    | "final_snapshot"
                    | "backup_retention_seconds"
                    | "engine"
            ),
            "bucket" => first == "versioning",
            "connection" => first == "cidrs",
            "queue" => first == "fifo",
            _ => false,
        }
}

/// One component on both sides, different: what the difference does.
fn changed(kind: &str, name: &str, old: &Value, new: &Value, changes: &mut Vec<Change>) {
    let field = |value: &Value, path: &str| -> Value {
        path.split('.')
            .try_fold(value, |v, key| v.get(key))
            .cloned()
            .unwrap_or(Value::Null)
    };
    let mut push = |area, effect, text: String| changes.push(Change::new(area, effect, name, text));
    let flag = |path: &str| (field(old, path).as_bool(), field(new, path).as_bool());
    // Protection turned off is broadening, on narrowing.
    let protections: &[(&str, &str)] = match kind {
        "database" => &[
            ("encrypted", "storage encryption"),
            ("deletion_protection", "deletion protection"),
            ("final_snapshot", "the final snapshot"),
        ],
        "bucket" => &[("versioning", "versioning")],
        _ => &[],
    };
    for (path, what) in protections {
        match flag(path) {
            (Some(true), Some(false)) => push(
                Area::Protection,
                Effect::Broadening,
                format!("{kind} `{name}`: {what} turned off"),
            ),
            (Some(false), Some(true)) => push(
                Area::Protection,
                Effect::Narrowing,
                format!("{kind} `{name}`: {what} turned on"),
            ),
            _ => {}
        }
    }
    match kind {
        "database" => {
            if flag("encrypted").0 != flag("encrypted").1 {
                push(
                    Area::State,
                    Effect::Replace,
                    format!(
                        "database `{name}` would be replaced (a new, empty cluster): its encryption changes"
                    ),
                );
            }
            let (a, b) = before_after(&field(old, "engine"), &field(new, "engine"));
            if a != b {
                push(
                    Area::State,
                    Effect::Replace,
                    format!(
                        "database `{name}` would be replaced (a new, empty cluster): its engine changes from {a} to {b}"
                    ),
                );
            }
            let (a, b) = before_after(&field(old, "version"), &field(new, "version"));
            if major(&b) < major(&a) {
                push(
                    Area::State,
                    Effect::Replace,
                    format!(
                        "database `{name}` would be replaced (a new, empty cluster): its engine version goes down from {a} to {b}"
                    ),
                );
            }
            let days = |v: &Value| v.as_u64().unwrap_or_default() / DAY;
            let (a, b) = (
                field(old, "backup_retention_seconds"),
                field(new, "backup_retention_seconds"),
            );
            if days(&a) != days(&b) {
                push(
                    Area::Protection,
                    Effect::widening(days(&b) < days(&a)),
                    format!(
                        "database `{name}`: backups kept {} days (was {})",
                        days(&b),
                        days(&a)
                    ),
                );
            }
        }
        "cache" => {
            let (a, b) = (cache_engine(old), cache_engine(new));
            if a != b {
                push(
                    Area::State,
                    Effect::Replace,
                    format!("cache `{name}` would be replaced (its data lost): {a} → {b}"),
                );
            }
        }
        "queue" if flag("fifo").0 != flag("fifo").1 => push(
            Area::State,
            Effect::Replace,
            format!("queue `{name}` would be replaced (its messages lost): FIFO or not changes its name"),
        ),
        "edge" => {
            let (a, b) = (field(old, "waf"), field(new, "waf"));
            match (a.is_null(), b.is_null()) {
                (false, true) => push(
                    Area::Exposure,
                    Effect::Broadening,
                    format!("edge `{name}`: web ACL (WAF) removed"),
                ),
                (true, false) => push(
                    Area::Exposure,
                    Effect::Narrowing,
                    format!("edge `{name}`: web ACL (WAF) added"),
                ),
                (false, false) if a != b => {
                    let set = |v: &Value, key: &str| -> BTreeSet<String> {
                        v.get(key)
                            .and_then(Value::as_array)
                            .map(|a| a.iter().map(scalar).collect())
                            .unwrap_or_default()
                    };
                    let fewer_rules = !set(&b, "managed").is_superset(&set(&a, "managed"))
                        || !set(&b, "deny").is_superset(&set(&a, "deny"))
                        || (a.get("rate_limit").is_some_and(|r| !r.is_null())
                            && b.get("rate_limit").is_none_or(Value::is_null));
                    push(
                        Area::Exposure,
                        if fewer_rules {
                            Effect::Broadening
                        } else {
                            Effect::Neutral
                        },
                        format!(
                            "edge `{name}`: web ACL rules changed{}",
                            if fewer_rules {
                                " (a rule or a blocked range dropped)"
                            } else {
                                ""
                            }
                        ),
                    );
                }
                _ => {}
            }
        }
        "connection" => {
            let ranges = |v: &Value| -> Vec<ipnet::Ipv4Net> {
                v.get("cidrs")
                    .and_then(Value::as_array)
                    .map(|a| a.iter().filter_map(|c| c.as_str()?.parse().ok()).collect())
                    .unwrap_or_default()
            };
            let (a, b) = (ranges(old), ranges(new));
            if a != b {
                let wider = b.iter().any(|n| !a.iter().any(|o| o.contains(n)));
                let text =
                    |r: &[ipnet::Ipv4Net]| r.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ");
                push(
                    Area::Network,
                    Effect::widening(wider),
                    format!("connection `{name}` reaches {} (was {})", text(&b), text(&a)),
                );
            }
        }
        _ => {}
    }
    let differences = differences(old, new, kind);
    if !differences.is_empty() {
        let shown: Vec<String> = differences.iter().take(6).cloned().collect();
        let more = match differences.len() {
            n if n > 6 => format!(", and {} more", n - 6),
            _ => String::new(),
        };
        changes.push(Change::new(
            Area::Resources,
            Effect::Neutral,
            name,
            format!("{kind} `{name}`: {}{more}", shown.join(", ")),
        ));
    }
}

fn before_after(a: &Value, b: &Value) -> (String, String) {
    (scalar(a), scalar(b))
}

/// The major version of a version string (`16.4` → 16).
fn major(version: &str) -> u64 {
    version
        .split('.')
        .next()
        .and_then(|m| m.parse().ok())
        .unwrap_or_default()
}

fn cache_engine(value: &Value) -> String {
    let nodes = value.get("nodes");
    let kind = nodes.and_then(|n| n.get("kind")).map(scalar).unwrap_or_default();
    match nodes.and_then(|n| n.get("engine")) {
        Some(engine) => format!("{} {kind}", scalar(engine)),
        None => format!("valkey {kind}"),
    }
}

/// A JSON value as one short piece of text.
fn scalar(value: &Value) -> String {
    let text = match value {
        Value::String(s) => s.clone(),
        Value::Null => "none".to_owned(),
        other => other.to_string(),
    };
    match text.char_indices().nth(60) {
        Some((cut, _)) => format!("{}…", text.get(..cut).unwrap_or_default()),
        None => text,
    }
}

/// `field: old → new` for every leaf that differs and is not judged elsewhere.
fn differences(old: &Value, new: &Value, kind: &str) -> Vec<String> {
    let (mut a, mut b) = (BTreeMap::new(), BTreeMap::new());
    flatten("", old, &mut a);
    flatten("", new, &mut b);
    let paths: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
    paths
        .into_iter()
        .filter(|path| !judged(kind, path))
        .filter_map(|path| {
            let (x, y) = (a.get(path), b.get(path));
            (x != y).then(|| {
                let show = |v: Option<&String>| v.cloned().unwrap_or_else(|| "none".to_owned());
                format!("{path} {} → {}", show(x), show(y))
            })
        })
        .collect()
}

/// Leaves of a JSON value by path (`scale.min`); a list of plain values is one leaf.
fn flatten(path: &str, value: &Value, out: &mut BTreeMap<String, String>) {
    let join = |key: &str| match path {
        "" => key.to_owned(),
        _ => format!("{path}.{key}"),
    };
    match value {
        Value::Object(map) => {
            for (key, value) in map {
                flatten(&join(key), value, out);
            }
        }
        Value::Array(items) if items.iter().all(|i| !i.is_object() && !i.is_array()) => {
            let items: Vec<String> = items.iter().map(scalar).collect();
            out.insert(path.to_owned(), format!("[{}]", items.join(", ")));
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                flatten(&format!("{path}[{i}]"), item, out);
            }
        }
        leaf => {
            out.insert(path.to_owned(), scalar(leaf));
        }
    }
}

/// What faces the internet, the public subnets, the edge's routes.
fn exposure(old: &Facts, new: &Facts, changes: &mut Vec<Change>) {
    for (identity, (name, why)) in &new.internet_facing {
        match old.internet_facing.get(identity) {
            None => changes.push(Change::new(
                Area::Exposure,
                Effect::Broadening,
                name.clone(),
                format!("`{name}` now faces the internet: {why}"),
            )),
            Some((_, was)) if was != why => changes.push(Change::new(
                Area::Exposure,
                Effect::Neutral,
                name.clone(),
                format!("`{name}` faces the internet as {why} (was {was})"),
            )),
            Some(_) => {}
        }
    }
    for (identity, (name, why)) in &old.internet_facing {
        if !new.internet_facing.contains_key(identity) {
            changes.push(Change::new(
                Area::Exposure,
                Effect::Narrowing,
                name.clone(),
                format!("`{name}` no longer faces the internet (was: {why})"),
            ));
        }
    }
    for subnet in new.public_subnets.difference(&old.public_subnets) {
        changes.push(Change::new(
            Area::Exposure,
            Effect::Broadening,
            "vpc",
            format!("public subnet {subnet} added (a route to the internet gateway)"),
        ));
    }
    for subnet in old.public_subnets.difference(&new.public_subnets) {
        changes.push(Change::new(
            Area::Exposure,
            Effect::Narrowing,
            "vpc",
            format!("public subnet {subnet} removed"),
        ));
    }
    for (pattern, (identity, target)) in &new.routes {
        match old.routes.get(pattern) {
            None => changes.push(Change::new(
                Area::Exposure,
                Effect::Broadening,
                target.clone(),
                format!("the edge serves `{pattern}` from `{target}`"),
            )),
            // Matched by identity: a target renamed with `was` still serves it.
            Some((was_identity, was)) if was_identity != identity => changes.push(Change::new(
                Area::Exposure,
                Effect::Broadening,
                target.clone(),
                format!("the edge serves `{pattern}` from `{target}` (was `{was}`)"),
            )),
            Some(_) => {}
        }
    }
    for (pattern, (_, target)) in &old.routes {
        if !new.routes.contains_key(pattern) {
            changes.push(Change::new(
                Area::Exposure,
                Effect::Narrowing,
                target.clone(),
                format!("the edge no longer serves `{pattern}` (from `{target}`)"),
            ));
        }
    }
}

/// Flows, and security-group rules no flow or component change explains (a widened range, a
/// port override, a tier move).
fn access(old: &Facts, new: &Facts, changes: &mut Vec<Change>) {
    let mut explained: BTreeSet<(String, String)> = BTreeSet::new();
    for (facts, other, effect, verb) in [
        (new, old, Effect::Broadening, "new flow"),
        (old, new, Effect::Narrowing, "flow removed:"),
    ] {
        for (key @ (from, to, protocol, port), (from_name, to_name)) in &facts.flows {
            if other.flows.contains_key(key) {
                continue;
            }
            explained.insert((from.clone(), to.clone()));
            let area = if from == crate::resolve::INTERNET {
                Area::Exposure
            } else {
                Area::Access
            };
            changes.push(Change::new(
                area,
                effect,
                from_name.clone(),
                format!("{verb} {from_name} → {to_name} ({protocol} {port})"),
            ));
        }
    }
    fn identities<'b>(facts: &'b Facts<'_>) -> BTreeSet<&'b str> {
        facts.components.keys().map(|(_, i)| i.as_str()).collect()
    }
    let (before, after) = (identities(old), identities(new));
    let component_changed = |identity: &str| before.contains(identity) != after.contains(identity);
    let unexplained = |rule: &Rule| {
        !explained.contains(&rule.ends)
            && !component_changed(&rule.ends.0)
            && !component_changed(&rule.ends.1)
    };
    // A CIDR peer whose range grows or shrinks under the same rule is one change, not two.
    let widened = |key: &(String, &str, String, &str, u16), facts: &Facts| {
        facts
            .rules
            .keys()
            .find(|(g, d, p, proto, port)| {
                (g, d, proto, port) == (&key.0, &key.1, &key.3, &key.4)
                    && p.starts_with("cidr ")
                    && key.2.starts_with("cidr ")
                    && p != &key.2
            })
            .cloned()
    };
    for (key, rule) in new
        .rules
        .iter()
        .filter(|(k, r)| !old.rules.contains_key(*k) && unexplained(r))
    {
        let (_, direction, _, protocol, port) = key;
        let text = match widened(key, old) {
            Some(was) => format!(
                "security group `{}`: {direction} {protocol} {port} now from {} (was {})",
                rule.group,
                rule.peer,
                was.2.trim_start_matches("cidr ")
            ),
            None => format!(
                "security group `{}`: new {direction} rule {protocol} {port} {} {}",
                rule.group,
                if *direction == "ingress" { "from" } else { "to" },
                rule.peer
            ),
        };
        let narrower = widened(key, old).is_some_and(|was| {
            let parse = |p: &str| p.trim_start_matches("cidr ").parse::<ipnet::Ipv4Net>().ok();
            matches!((parse(&was.2), parse(&key.2)), (Some(a), Some(b)) if a.contains(&b))
        });
        changes.push(Change::new(
            Area::Access,
            Effect::widening(!narrower),
            rule.group.clone(),
            text,
        ));
    }
    for (key, rule) in old
        .rules
        .iter()
        .filter(|(k, r)| !new.rules.contains_key(*k) && unexplained(r))
    {
        if widened(key, new).is_some() {
            continue;
        }
        let (_, direction, _, protocol, port) = key;
        changes.push(Change::new(
            Area::Access,
            Effect::Narrowing,
            rule.group.clone(),
            format!(
                "security group `{}`: {direction} rule {protocol} {port} {} {} removed",
                rule.group,
                if *direction == "ingress" { "from" } else { "to" },
                rule.peer
            ),
        ));
    }
}

/// IAM: the actions each task role gains or loses on each component, and the operators.
fn permissions(old: &Facts, new: &Facts, changes: &mut Vec<Change>) {
    let none = BTreeSet::new();
    let keys: BTreeSet<&(String, String)> = old.grants.keys().chain(new.grants.keys()).collect();
    for key in keys {
        let (a, b) = (old.grants.get(key), new.grants.get(key));
        let (from, to) = match (a, b) {
            (_, Some((from, to, _))) | (Some((from, to, _)), None) => (from, to),
            (None, None) => continue,
        };
        let (before, after) = (a.map_or(&none, |g| &g.2), b.map_or(&none, |g| &g.2));
        let gained: Vec<&str> = after.difference(before).copied().collect();
        let lost: Vec<&str> = before.difference(after).copied().collect();
        if !gained.is_empty() {
            changes.push(Change::new(
                Area::Permissions,
                Effect::Broadening,
                from.clone(),
                format!("`{from}` may now {} on `{to}`", gained.join(", ")),
            ));
        }
        if !lost.is_empty() {
            changes.push(Change::new(
                Area::Permissions,
                Effect::Narrowing,
                from.clone(),
                format!("`{from}` may no longer {} on `{to}`", lost.join(", ")),
            ));
        }
    }
    for operator in new.operators.difference(&old.operators) {
        changes.push(Change::new(
            Area::Permissions,
            Effect::Broadening,
            "operators",
            format!("{operator} may now operate the environment (assume its Terraform role)"),
        ));
    }
    for operator in old.operators.difference(&new.operators) {
        changes.push(Change::new(
            Area::Permissions,
            Effect::Narrowing,
            "operators",
            format!("{operator} may no longer operate the environment"),
        ));
    }
}

/// The VPC, its tiers and their ways out; the account and region everything lives in.
fn network(
    before: Option<&EnvIr>,
    after: Option<&EnvIr>,
    old: &Facts,
    new: &Facts,
    changes: &mut Vec<Change>,
) {
    let vpc_replaced = matches!((before, after), (Some(a), Some(b))
        if a.network && b.network && a.vpc.cidr.value != b.vpc.cidr.value);
    for (identity, (name, through)) in &new.egress {
        if !old.egress.contains_key(identity) {
            changes.push(Change::new(
                Area::Network,
                Effect::Broadening,
                name.clone(),
                format!("tier `{name}` can now reach the internet (through the {through})"),
            ));
        }
    }
    for (identity, (name, _)) in &old.egress {
        if !new.egress.contains_key(identity) {
            changes.push(Change::new(
                Area::Network,
                Effect::Narrowing,
                name.clone(),
                format!("tier `{name}` no longer reaches the internet"),
            ));
        }
    }
    for (identity, (name, subnets)) in &new.tiers {
        match old.tiers.get(identity) {
            None => changes.push(Change::new(Area::Network, Effect::Neutral, name.clone(), format!("tier `{name}` added ({subnets})"))),
            // A new VPC CIDR replaces every subnet with the VPC: said once, below.
            Some((_, was)) if was != subnets && !was.is_empty() && !vpc_replaced => changes.push(Change::new(
                Area::Network,
                Effect::Replace,
                name.clone(),
                format!("tier `{name}`'s subnets would be replaced: {subnets} (was {was}); what runs in them must move first"),
            )),
            Some(_) => {}
        }
    }
    for (identity, (name, _)) in &old.tiers {
        if !new.tiers.contains_key(identity) {
            changes.push(Change::new(
                Area::Network,
                Effect::Neutral,
                name.clone(),
                format!("tier `{name}` removed"),
            ));
        }
    }
    let (Some(before), Some(after)) = (before, after) else {
        return;
    };
    let stateful: Vec<String> = before
        .databases
        .iter()
        .map(|d| format!("database `{}`", d.name))
        .chain(before.caches.iter().map(|c| format!("cache `{}`", c.name)))
        .collect();
    let with_data = match stateful.as_slice() {
        [] => String::new(),
        all => format!(" ({} lose their data)", all.join(", ")),
    };
    if vpc_replaced {
        changes.push(Change::new(
            Area::State,
            Effect::Replace,
            "vpc",
            format!(
                "the VPC would be replaced, and everything in it{with_data}: its CIDR changes from {} to {}",
                before.vpc.cidr.value, after.vpc.cidr.value
            ),
        ));
    }
    for (what, a, b) in [
        ("account", &before.account, &after.account),
        ("region", &before.region, &after.region),
    ] {
        if a != b {
            changes.push(Change::new(
                Area::State,
                Effect::Replace,
                what,
                format!("the environment moves from {what} {a} to {b}: everything is created anew there and destroyed here{with_data}"),
            ));
        }
    }
    if before.nat.describe() != after.nat.describe() {
        changes.push(Change::new(
            Area::Network,
            Effect::Neutral,
            "nat",
            format!("NAT: {} (was {})", after.nat.describe(), before.nat.describe()),
        ));
    }
    let strength = |mode: BlockPublicAccess| match mode {
        BlockPublicAccess::Off => 0,
        BlockPublicAccess::Ingress => 1,
        BlockPublicAccess::Bidirectional => 2,
    };
    let (a, b) = (
        before.vpc.block_public_access.mode.value,
        after.vpc.block_public_access.mode.value,
    );
    if a != b {
        changes.push(Change::new(
            Area::Network,
            Effect::widening(strength(b) < strength(a)),
            "vpc",
            format!("VPC Block Public Access: {} (was {})", b.as_str(), a.as_str()),
        ));
    }
    let endpoints =
        |env: &EnvIr| -> Vec<&str> { env.vpc.endpoints.value.iter().map(|e| e.as_str()).collect() };
    if endpoints(before) != endpoints(after) {
        changes.push(Change::new(
            Area::Network,
            Effect::Neutral,
            "vpc",
            format!(
                "VPC endpoints: [{}] (was [{}])",
                endpoints(after).join(", "),
                endpoints(before).join(", ")
            ),
        ));
    }
    let domain = |env: &EnvIr| env.domain.as_ref().map(|d| d.value.clone());
    if domain(before) != domain(after) {
        changes.push(Change::new(
            Area::Exposure,
            Effect::Neutral,
            "domain",
            format!(
                "served at {} (was {})",
                domain(after).unwrap_or_else(|| "no domain".into()),
                domain(before).unwrap_or_else(|| "no domain".into())
            ),
        ));
    }
    if before.stage.value != after.stage.value {
        changes.push(Change::new(
            Area::Resources,
            Effect::Neutral,
            "stage",
            format!(
                "stage {} (was {})",
                after.stage.value.as_str(),
                before.stage.value.as_str()
            ),
        ));
    }
}

/// Design rules newly waived, or no longer, in this environment.
fn waived(base: &Side, head: &Side, env: &str, changes: &mut Vec<Change>) {
    let counts = |side: &Side| -> BTreeMap<String, usize> {
        side.waived
            .iter()
            .filter(|((e, _), _)| e == env)
            .map(|((_, code), n)| (code.clone(), *n))
            .collect()
    };
    let (a, b) = (counts(base), counts(head));
    for (code, n) in &b {
        if !a.contains_key(code) {
            changes.push(Change::new(
                Area::Waivers,
                Effect::Broadening,
                code.clone(),
                format!("{code} is now waived here ({} silenced)", plural(*n, "finding")),
            ));
        }
    }
    for (code, n) in &a {
        if !b.contains_key(code) {
            changes.push(Change::new(
                Area::Waivers,
                Effect::Narrowing,
                code.clone(),
                format!(
                    "{code} is no longer waived here (it silenced {})",
                    plural(*n, "finding")
                ),
            ));
        }
    }
}

/// The monthly cost before and after, with the components whose cost moved (a renamed one
/// under its new name); `None` when nothing costs differently.
fn cost(
    before: Option<&crate::cost::Estimate>,
    after: Option<&crate::cost::Estimate>,
    renames: &BTreeMap<String, String>,
) -> Option<CostDelta> {
    let by_component = |estimate: Option<&crate::cost::Estimate>| -> BTreeMap<String, f64> {
        let mut totals = BTreeMap::new();
        for line in estimate.iter().flat_map(|e| &e.lines) {
            *totals.entry(line.component.clone()).or_insert(0.0) += line.monthly;
        }
        totals
    };
    // A renamed component's cost is compared under its new name.
    let a: BTreeMap<String, f64> = by_component(before)
        .into_iter()
        .map(|(name, cost)| (renames.get(&name).cloned().unwrap_or(name), cost))
        .collect();
    let b = by_component(after);
    let names: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
    let components: Vec<ComponentCost> = names
        .into_iter()
        .filter_map(|name| {
            let (x, y) = (
                cents(*a.get(name).unwrap_or(&0.0)),
                cents(*b.get(name).unwrap_or(&0.0)),
            );
            (x != y).then(|| ComponentCost {
                component: name.clone(),
                before: x,
                after: y,
                delta: cents(y - x),
            })
        })
        .collect();
    let total = |e: Option<&crate::cost::Estimate>| cents(e.map_or(0.0, |e| e.total));
    let (x, y) = (total(before), total(after));
    if components.is_empty() && x == y {
        return None;
    }
    Some(CostDelta {
        currency: after
            .or(before)
            .map_or_else(|| "USD".to_owned(), |e| e.currency.clone()),
        before: x,
        after: y,
        delta: cents(y - x),
        components,
    })
}
