//! Flows and security groups: each file's flows with their protocols and ports (per file and
//! environment), the flows the edge's routes imply, one security-group rule per flow and peer
//! (each once), and flows to the internet that have no route out. The small firewall queries
//! (`target_ports`, `tier_egress`) keep the per-file work memoized.

use std::collections::hash_map::Entry;
use std::hash::BuildHasher;

use rustc_hash::{FxBuildHasher, FxHashMap as HashMap};

use super::*;

/// The flow each edge route to a load balancer implies, unless a written flow says it already.
pub(super) fn implied_flows(
    edge: Option<&Edge>,
    load_balancers: &[LoadBalancer],
    written: &Pieces<FlowIr>,
) -> Vec<FlowIr> {
    let mut implied: Vec<FlowIr> = Vec::new();
    let Some(edge) = edge else {
        return implied;
    };
    for behaviour in &edge.behaviours {
        let Some(lb) = load_balancers.iter().find(|lb| lb.name == behaviour.target) else {
            continue;
        };
        let said = |f: &FlowIr| f.from == edge.name && f.to == lb.name;
        if !written.iter().any(said) && !implied.iter().any(said) {
            implied.push(FlowIr {
                from: Endpoint::Component(edge.name.clone()),
                to: Endpoint::Component(lb.name.clone()),
                protocol: Protocol::Named(WebProtocol::Https),
                port: lb.listen,
                implied: true,
                origin: behaviour.origin.clone(),
            });
        }
    }
    implied
}

/// What one file's tasks need to start and no flow says: flows to the internet, and rules to
/// the VPC endpoints (see `platform_egress`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub(super) struct PlatformEgress {
    pub(super) flows: Arc<[FlowIr]>,
    pub(super) ingress: Rules,
    pub(super) egress: Rules,
    /// The tiers that hold this file's tasks (where interface endpoints may go).
    pub(super) task_tiers: Vec<String>,
}

/// What the egress of tasks depends on in one environment, besides the tasks: the region (the
/// S3 prefix list's name) and the VPC endpoints the network declares. A firewall: it changes
/// only when one of those does.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub(super) struct EnvNetwork {
    pub(super) region: String,
    pub(super) endpoints: Vec<VpcEndpoint>,
}

#[salsa::tracked(returns(ref))]
pub(super) fn env_network(db: &dyn Db, workspace: Workspace, env: String) -> EnvNetwork {
    let model = model(db, workspace);
    let setting = |fields: &Fields, name: &str| fields.get(name).map(|s| s.value.clone());
    let env_settings = model.envs.iter().find(|e| e.name == env).map(|e| &e.settings);
    let region = env_settings
        .and_then(|s| setting(s, "region"))
        .or_else(|| setting(&model.settings, "region"))
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    let endpoints = model
        .settings
        .get("network")
        .and_then(|s| s.value.as_block())
        .and_then(|network| network.get("endpoints"))
        .and_then(|s| match &s.value {
            Val::List(items) => items
                .iter()
                .map(|i| i.as_str().and_then(VpcEndpoint::named))
                .collect(),
            _ => None,
        })
        .unwrap_or_default();
    EnvNetwork { region, endpoints }
}

/// The components whose written flows already reach the internet on 443 (so they have the
/// egress a task needs). A firewall: it changes only when such a flow is added or removed.
#[salsa::tracked(returns(ref))]
pub(super) fn internet_https(db: &dyn Db, workspace: Workspace) -> BTreeSet<String> {
    model(db, workspace)
        .flows()
        // The port as lowering resolves it (`https` and `tcp(443)` alike; no target port to
        // look up for the internet).
        .filter(|f| {
            f.to == crate::resolve::INTERNET
                && protocol_port(&f.protocol, None, &f.origin)
                    .is_ok_and(|(_, port)| port == WebProtocol::Https.port())
        })
        .map(|f| f.from.clone())
        .collect()
}

/// The egress each of one file's tasks needs for its image, logs and secrets (`task_needs`):
/// through the VPC endpoints the network declares, and what they do not cover through the
/// tier's NAT, as an implied flow to the internet on 443 (unless the task's own flow says it
/// already). A task in a tier with neither cannot start (`A013`, checked on the IR).
pub(super) fn platform_egress(
    services: &[Service],
    jobs: &[Job],
    network: &EnvNetwork,
    tiers: &BTreeMap<String, Spanned<TierEgress>>,
    https_out: &BTreeSet<String>,
    symbols: &SymbolTable,
) -> PlatformEgress {
    let endpoints = &network.endpoints;
    let tasks = services
        .iter()
        .map(|s| (&s.name, &s.tier, !s.secrets.is_empty(), &s.origin))
        .chain(
            jobs.iter()
                .map(|j| (&j.name, &j.tier, !j.secrets.is_empty(), &j.origin)),
        );
    let mut flows = Vec::new();
    let (mut ingress, mut egress) = (Vec::new(), Vec::new());
    let mut task_tiers: Vec<String> = Vec::new();
    let https = |group: &str, peer: Peer, from: &str, to: &str, origin: &Origin| SgRule {
        group: group.to_owned(),
        peer,
        port: WebProtocol::Https.port(),
        protocol: WebProtocol::Https.as_str(),
        from: from.to_owned(),
        to: to.to_owned(),
        to_start: true,
        origin: origin.clone(),
    };
    for (name, tier, secrets, origin) in tasks {
        if !task_tiers.contains(tier) {
            task_tiers.push(tier.clone());
        }
        let needs = task_needs(secrets);
        let uncovered = needs.iter().any(|need| !endpoints.contains(need));
        let nat = tiers.get(tier).is_some_and(|e| e.value == TierEgress::Nat);
        if uncovered && nat && !https_out.contains(name) {
            flows.push(FlowIr {
                from: Endpoint::Component(name.clone()),
                to: Endpoint::Internet,
                protocol: Protocol::Named(WebProtocol::Https),
                port: WebProtocol::Https.port(),
                implied: true,
                origin: origin.clone(),
            });
        }
        if needs
            .iter()
            .any(|need| !need.is_gateway() && endpoints.contains(need))
        {
            let peer = Peer::SecurityGroup(ENDPOINTS_GROUP.to_owned());
            egress.push(https(name, peer, name, ENDPOINTS_GROUP, origin));
            let peer = Peer::SecurityGroup(name.clone());
            ingress.push(https(ENDPOINTS_GROUP, peer, name, ENDPOINTS_GROUP, origin));
        }
        if endpoints.contains(&VpcEndpoint::S3) {
            let peer = Peer::PrefixList(s3_prefix_list(&network.region));
            egress.push(https(name, peer, name, "s3", origin));
        }
    }
    let (nat_ingress, nat_egress) = sg_rules(&flows, symbols);
    ingress.extend(nat_ingress);
    egress.extend(nat_egress);
    PlatformEgress {
        flows: flows.into(),
        ingress: Rules::new(true, ingress),
        egress: Rules::new(false, egress),
        task_tiers,
    }
}

/// The interface endpoints' tier (the first tier that holds a task) and security group, when
/// the network declares interface endpoints.
pub(super) fn endpoint_group(ir: &mut EnvIr, task_tiers: &BTreeSet<&str>) -> Vec<SecurityGroup> {
    let interface = ir.vpc.endpoints.value.iter().any(|e| !e.is_gateway());
    ir.vpc.endpoint_tier = ir
        .tiers
        .iter()
        .find(|t| task_tiers.contains(t.name.as_str()))
        .filter(|_| interface)
        .map(|t| t.name.clone());
    ir.vpc
        .endpoint_tier
        .iter()
        .map(|tier| SecurityGroup {
            name: ENDPOINTS_GROUP.to_owned(),
            category: "endpoint".to_owned(),
            tier: tier.clone(),
            origin: ir.vpc.endpoints.origin.clone(),
        })
        .collect()
}

/// What one file's flows become in one environment: the flows with their ports, the
/// security-group rules they make (each once), and what cannot be routed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct FileFlows {
    pub(super) flows: Arc<[FlowIr]>,
    /// The flows to buckets and topics, as IAM grants.
    pub(super) grants: Arc<[Grant]>,
    pub(super) ingress: Rules,
    pub(super) egress: Rules,
    pub(super) diagnostics: Vec<Diagnostic>,
}

/// Lowers the flows written in one file, in one environment. Memoized per file: it reads the
/// symbol table and two small firewalls (the ports of load balancers and databases, the tiers'
/// egress), none of which an ordinary edit changes.
#[salsa::tracked(returns(ref))]
pub(super) fn lower_flows(db: &dyn Db, workspace: Workspace, file: SourceFile, env: String) -> FileFlows {
    let ports = target_ports(db, workspace, env.clone());
    let symbols = workspace_symbols(db, workspace);
    let mut faults = Vec::new();
    let written = &file_model(db, workspace, file).flows;
    // Each flow's kind, decided once: a flow to a category that takes access levels is a
    // grant; every other flow is in the network, and one from a task to a cache also grants
    // the cache's IAM sign-in.
    let catalogue = crate::catalogue::catalogue(db, workspace);
    let category = |name: &str| {
        let declared = symbols.component(name)?;
        Some((
            declared.category.as_str(),
            catalogue.categories.get(&declared.category)?,
        ))
    };
    let kinds: Vec<FlowKind<'_>> = written
        .iter()
        .map(|flow| match category(&flow.to) {
            Some((name, target)) if !target.access.is_empty() => FlowKind::Grant(name),
            Some(("cache", _)) if category(&flow.from).is_some_and(|(_, c)| c.principal) => FlowKind::ToCache,
            _ => FlowKind::Network,
        })
        .collect();
    let mut grants: Vec<Grant> = keep(
        written.iter().zip(&kinds).filter_map(|(flow, kind)| match kind {
            FlowKind::Grant(category) => Some(super::grants::grant(flow, category)),
            _ => None,
        }),
        &mut faults,
    )
    .to_vec();
    grants.extend(
        written
            .iter()
            .zip(&kinds)
            .filter(|(_, kind)| matches!(kind, FlowKind::ToCache))
            .map(|(flow, _)| super::grants::cache_connect(flow)),
    );
    let grants: Arc<[Grant]> = grants.into();
    let flows = keep(
        written
            .iter()
            .zip(&kinds)
            .filter(|(_, kind)| !matches!(kind, FlowKind::Grant(_)))
            .map(|(flow, _)| {
                let (protocol, port) = protocol_port(&flow.protocol, ports.get(&flow.to), &flow.origin)?;
                Ok(FlowIr {
                    from: Endpoint::named(&flow.from),
                    to: Endpoint::named(&flow.to),
                    protocol,
                    port,
                    implied: false,
                    origin: flow.origin.clone(),
                })
            }),
        &mut faults,
    );
    let (ingress, egress) = sg_rules(&flows, symbols);
    let mut diagnostics = unroutable(&flows, symbols, tier_egress(db, workspace, env));
    diagnostics.extend(faults);
    FileFlows {
        flows,
        grants,
        ingress: Rules::new(true, ingress),
        egress: Rules::new(false, egress),
        diagnostics,
    }
}

/// The written flows from one service to another service that listens on a port: each a call
/// through ECS Service Connect (a pass over the flows with an index of the services).
pub(super) fn service_calls(ir: &EnvIr, symbols: &SymbolTable) -> Vec<ServiceCall> {
    let is_service = |name: Option<&str>| {
        name.and_then(|n| symbols.component(n))
            .is_some_and(|c| c.category == "service")
    };
    let between_services =
        |f: &&FlowIr| !f.implied && is_service(f.from.component()) && is_service(f.to.component());
    if !ir.flows.iter().any(|f| between_services(&f)) {
        return Vec::new();
    }
    let services: HashMap<&str, &Service> = ir.services.iter().map(|s| (s.name.as_str(), s)).collect();
    ir.flows
        .iter()
        .filter(|f| !f.implied)
        .filter_map(|flow| {
            let from = services.get(flow.from.component()?)?;
            let to = services.get(flow.to.component()?)?;
            to.port.as_ref()?;
            Some(ServiceCall {
                from: from.name.clone(),
                to: to.name.clone(),
                port: flow.port,
                http: flow.protocol == Protocol::Named(WebProtocol::Http),
                origin: flow.origin.clone(),
            })
        })
        .collect()
}

/// What a written flow becomes.
enum FlowKind<'a> {
    /// IAM statements on a bucket, queue, topic or secret (of this category).
    Grant(&'a str),
    /// Security-group rules.
    Network,
    /// Security-group rules, and the cache's IAM sign-in.
    ToCache,
}

/// A flow to the internet needs a default route from its tier (databases are R005's).
pub(super) fn unroutable(
    flows: &[FlowIr],
    symbols: &SymbolTable,
    tiers: &BTreeMap<String, Spanned<TierEgress>>,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for flow in flows.iter().filter(|f| f.to.is_internet()) {
        let Some(component) = symbols.component(flow.from.name()) else {
            continue;
        };
        if component.category == "database" {
            continue;
        }
        let Some((tier, egress)) = component.tier.as_ref().and_then(|t| tiers.get_key_value(t)) else {
            continue;
        };
        if egress.value == TierEgress::None {
            out.push(
                Diagnostic::error(
                    codes::NO_ROUTE_TO_INTERNET,
                    flow.origin.file,
                    flow.origin.span.clone(),
                    format!(
                        "`{}` flows to the internet, but its tier `{tier}` has no route out",
                        flow.from
                    ),
                )
                .with_label(
                    egress.origin.file,
                    egress.origin.span.clone(),
                    "no default route here",
                )
                .with_help(format!(
                    "give tier `{tier}` `egress = nat`, or place `{}` in a tier that has it",
                    flow.from
                )),
            );
        }
    }
    out
}

/// The port a flow to a load balancer (`https`: its listener), to a database (`postgres`,
/// `mysql`: its `port`) or to a cache (`redis`: its port) resolves to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) struct TargetPort {
    pub(super) category: String,
    pub(super) port: Lowering<u16>,
}

/// The ports of the load balancers and databases in one environment, by name: a few entries,
/// and a firewall (it changes only when one of those ports does).
#[salsa::tracked(returns(ref))]
pub(super) fn target_ports(db: &dyn Db, workspace: Workspace, env: String) -> BTreeMap<String, TargetPort> {
    let model = model(db, workspace);
    let targets = model
        .components()
        .filter(|c| matches!(c.category.as_str(), "load_balancer" | "database" | "cache"));
    with_overrides(targets, env_overrides(db, workspace, env))
        .iter()
        .map(|c| {
            let get = Get::new(&c.fields, &c.origin);
            let port = match c.category.as_str() {
                "load_balancer" => get.port("listen"),
                // A serverless cache listens on AWS's port; a node-based one on its `port`.
                "cache" if c.kind == "valkey_serverless" => Ok(SERVERLESS_CACHE_PORT),
                _ => get.port("port"),
            };
            (
                c.name.clone(),
                TargetPort {
                    category: c.category.clone(),
                    port,
                },
            )
        })
        .collect()
}

/// Each tier's egress in one environment (a firewall, like `target_ports`).
#[salsa::tracked(returns(ref))]
pub(super) fn tier_egress(
    db: &dyn Db,
    workspace: Workspace,
    env: String,
) -> BTreeMap<String, Spanned<TierEgress>> {
    with_overrides(&model(db, workspace).tiers, env_overrides(db, workspace, env))
        .iter()
        // A tier whose egress cannot be read is reported where the tier is allocated.
        .filter_map(|tier| {
            Some((
                tier.name.clone(),
                egress_of(&Get::new(&tier.fields, &tier.origin)).ok()?,
            ))
        })
        .collect()
}

/// A tier's route out: through the NAT, or none.
pub(super) fn egress_of(tier: &Get<'_>) -> Lowering<Spanned<TierEgress>> {
    Ok(Spanned {
        value: tier.choice("egress")?,
        origin: tier.origin("egress"),
    })
}

/// Security-group rules, in one direction, each with the fingerprint of what makes two rules
/// the same (direction, group, peer, port). Made with the rules, so memoized per file:
/// deduplicating the rules of a whole environment on every edit hashes integers, not names.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub(super) struct Rules {
    ingress: bool,
    rules: Arc<[SgRule]>,
    fingerprints: Arc<[u64]>,
}

impl Rules {
    pub(super) fn new(ingress: bool, rules: Vec<SgRule>) -> Self {
        let fingerprints = rules
            .iter()
            .map(|rule| FxBuildHasher.hash_one(rule_key(ingress, rule)))
            .collect();
        Self {
            ingress,
            rules: rules.into(),
            fingerprints,
        }
    }

    pub(super) fn len(&self) -> usize {
        self.rules.len()
    }
}

/// What makes two security-group rules the same rule in AWS.
type RuleKey<'a> = (bool, &'a str, &'a Peer, u16);

fn rule_key(ingress: bool, rule: &SgRule) -> RuleKey<'_> {
    (ingress, rule.group.as_str(), &rule.peer, rule.port)
}

/// The rules an environment has made so far, by fingerprint; exact keys only for the rare
/// rules whose fingerprint an earlier, different rule has.
#[derive(Default)]
pub(super) struct MadeRules<'a> {
    by_fingerprint: HashMap<u64, RuleKey<'a>>,
    collided: HashSet<RuleKey<'a>>,
}

impl<'a> MadeRules<'a> {
    pub(super) fn with_capacity(rules: usize) -> Self {
        Self {
            by_fingerprint: HashMap::with_capacity_and_hasher(rules, FxBuildHasher),
            collided: HashSet::default(),
        }
    }

    /// Whether no rule made before is the same as this one (and records it).
    fn first(&mut self, fingerprint: u64, key: RuleKey<'a>) -> bool {
        match self.by_fingerprint.entry(fingerprint) {
            Entry::Vacant(entry) => {
                entry.insert(key);
                true
            }
            Entry::Occupied(entry) if *entry.get() == key => false,
            Entry::Occupied(_) => self.collided.insert(key),
        }
    }

    /// The rules of `rules` that no earlier piece made, sharing the piece when that is all of them.
    pub(super) fn keep_first(&mut self, rules: &'a Rules) -> Arc<[SgRule]> {
        let first: Vec<bool> = rules
            .rules
            .iter()
            .zip(rules.fingerprints.iter())
            .map(|(rule, &fingerprint)| self.first(fingerprint, rule_key(rules.ingress, rule)))
            .collect();
        if first.iter().all(|&f| f) {
            return Arc::clone(&rules.rules);
        }
        rules
            .rules
            .iter()
            .zip(first)
            .filter(|(_, first)| *first)
            .map(|(rule, _)| rule.clone())
            .collect()
    }
}

/// The protocol and port of a flow: named protocols have their well-known ports (`https` to a
/// load balancer uses its listener, `postgres` or `mysql` to a database uses its port).
pub(super) fn protocol_port(
    protocol: &Val,
    target: Option<&TargetPort>,
    origin: &Origin,
) -> Lowering<(Protocol, u16)> {
    let fault = || Fault::new("protocol", "protocol", origin);
    match protocol {
        Val::Call { args, .. } => {
            let port = args
                .first()
                .and_then(Val::as_int)
                .and_then(|n| u16::try_from(n).ok())
                .ok_or_else(fault)?;
            Ok((Protocol::Tcp, port))
        }
        Val::Name(name) => {
            let named = WebProtocol::named(name).ok_or_else(fault)?;
            let port = match (named, target) {
                (WebProtocol::Https, Some(t)) if t.category == "load_balancer" => t.port.clone()?,
                (WebProtocol::Postgres | WebProtocol::Mysql, Some(t)) if t.category == "database" => {
                    t.port.clone()?
                }
                (WebProtocol::Redis, Some(t)) if t.category == "cache" => t.port.clone()?,
                _ => named.port(),
            };
            Ok((Protocol::Named(named), port))
        }
        _ => Err(fault()),
    }
}

/// One ingress rule on the target and one egress rule on the source per flow between groups
/// (placed components); the edge enters through CloudFront's prefix list; `internet` is
/// `0.0.0.0/0`. A rule an earlier flow made already is not made twice.
pub(super) fn sg_rules(flows: &[FlowIr], symbols: &SymbolTable) -> (Vec<SgRule>, Vec<SgRule>) {
    let is_group = |name: &str| symbols.component(name).is_some_and(|c| c.tier.is_some());
    let is_edge = |name: &str| symbols.component(name).is_some_and(|c| c.category == "edge");
    let is_connection = |name: &str| {
        symbols
            .component(name)
            .is_some_and(|c| c.category == "connection")
    };
    let mut ingress: Vec<SgRule> = Vec::new();
    let mut egress: Vec<SgRule> = Vec::new();
    let mut seen: HashSet<(bool, &str, PeerKey<'_>, u16)> = HashSet::default();
    for flow in flows {
        let (from, to) = (flow.from.name(), flow.to.name());
        let ingress_peer = if !is_group(to) {
            None
        } else if flow.from.is_internet() {
            Some(PeerKey::Anywhere)
        } else if is_edge(from) {
            Some(PeerKey::CloudFront)
        } else if is_connection(from) {
            Some(PeerKey::Connection(from))
        } else if is_group(from) {
            Some(PeerKey::Group(from))
        } else {
            None
        };
        let egress_peer = if !is_group(from) {
            None
        } else if flow.to.is_internet() {
            Some(PeerKey::Anywhere)
        } else if is_connection(to) {
            Some(PeerKey::Connection(to))
        } else if is_group(to) {
            Some(PeerKey::Group(to))
        } else {
            None
        };
        let rule = |group: &str, peer: PeerKey<'_>| SgRule {
            group: group.to_owned(),
            peer: peer.peer(),
            port: flow.port,
            protocol: flow.protocol.name(),
            from: from.to_owned(),
            to: to.to_owned(),
            to_start: flow.implied && flow.to.is_internet(),
            origin: flow.origin.clone(),
        };
        if let Some(peer) = ingress_peer
            && seen.insert((true, to, peer, flow.port))
        {
            ingress.push(rule(to, peer));
        }
        if let Some(peer) = egress_peer
            && seen.insert((false, from, peer, flow.port))
        {
            egress.push(rule(from, peer));
        }
    }
    (ingress, egress)
}

/// A rule's peer, borrowed, for telling rules apart without building them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum PeerKey<'a> {
    Anywhere,
    CloudFront,
    Group(&'a str),
    Connection(&'a str),
}

impl PeerKey<'_> {
    pub(super) fn peer(self) -> Peer {
        match self {
            PeerKey::Anywhere => Peer::Cidr(ANYWHERE),
            PeerKey::CloudFront => Peer::PrefixList(CLOUDFRONT_PREFIX_LIST.to_owned()),
            PeerKey::Group(name) => Peer::SecurityGroup(name.to_owned()),
            PeerKey::Connection(name) => Peer::Connection(name.to_owned()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_that_share_a_fingerprint_are_told_apart_by_their_keys() {
        let peer = Peer::SecurityGroup("alb".to_owned());
        let api = (true, "api", &peer, 8080);
        let web = (true, "web", &peer, 8080);
        let mut made = MadeRules::default();
        assert!(made.first(7, api));
        // Another rule with the same fingerprint is still made, once.
        assert!(made.first(7, web));
        assert!(!made.first(7, web));
        assert!(!made.first(7, api));
        assert!(made.first(8, (false, "api", &peer, 8080)));
    }
}
