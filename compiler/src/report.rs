//! The exposure report `archc check` ends with: per environment, what faces the internet, how
//! traffic leaves, the security-group chain, and every waiver in force. Data first; `render`
//! turns it into the text the CLI prints.

use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;

use crate::db::{Db, Workspace};
use crate::ir::{
    Access, BlockPublicAccess, BpaExclusionMode, BpaExclusionReason, EnvIr, GrantTarget, Operator, Peer,
    TierEgress,
};
use crate::line_index::LineIndex;
use crate::lower::lower;
use crate::rules::run_rules;

/// The report of one environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvReport {
    /// `prd (production, account 111111111111, ap-northeast-1, VPC 10.0.0.0/16 over 3 zones)`
    pub title: String,
    /// Everything reachable from the internet.
    pub exposure: Vec<String>,
    /// How each tier leaves the VPC.
    pub egress: Vec<String>,
    /// The security-group chains, from each source that nothing else reaches.
    pub chains: Vec<String>,
    /// Who may do what to each bucket and topic (the flows' IAM grants), writers first.
    pub grants: Vec<String>,
    /// What the system sends as e-mail, from which domain, and whether SES still holds it in
    /// the sandbox.
    pub mail: Vec<String>,
    /// Who may operate the environment (assume its Terraform role).
    pub operators: Vec<String>,
    /// The waivers that silenced a finding in this environment.
    pub waivers: Vec<String>,
}

/// The report for every environment, or only `only` when given.
pub fn exposure(db: &dyn Db, workspace: Workspace, only: Option<&str>) -> Vec<EnvReport> {
    let ir = &lower(db, workspace).ir;
    let waivers = &run_rules(db, workspace).waivers;
    ir.envs
        .iter()
        .filter(|env| only.is_none_or(|name| env.name == name))
        .map(|env| EnvReport {
            title: format!(
                "{} ({}, account {}, {}, {})",
                env.name,
                stage(env),
                env.account,
                env.region,
                if env.network {
                    format!(
                        "VPC {} over {} zones",
                        env.vpc.cidr.value,
                        env.vpc.zones.value.len()
                    )
                } else {
                    "no network".to_owned()
                }
            ),
            exposure: exposure_points(env),
            egress: egress(env),
            chains: chains(env),
            grants: grants(env),
            mail: mail(env),
            operators: operators(env),
            waivers: waivers
                .iter()
                .filter(|w| w.silenced_in(&env.name) > 0)
                .map(|w| {
                    let file = w.waiver.origin.file;
                    let (line, _) = LineIndex::of(db, file).line_col(w.waiver.origin.span.start);
                    let until = w
                        .waiver
                        .until
                        .as_ref()
                        .map_or_else(String::new, |(date, _)| format!(", until {date}"));
                    let silenced = w.silenced_in(&env.name);
                    format!(
                        "{} at {}:{line} — \"{}\"{until} ({silenced} finding{} silenced)",
                        w.waiver.code,
                        file.path(db),
                        w.waiver.reason,
                        if silenced == 1 { "" } else { "s" }
                    )
                })
                .collect(),
        })
        .collect()
}

fn stage(env: &EnvIr) -> &'static str {
    env.stage.value.as_str()
}

fn exposure_points(env: &EnvIr) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(edge) = &env.edge {
        let filter = match &edge.waf {
            None => "no web ACL".to_owned(),
            Some(waf) => {
                let mut parts: Vec<String> = Vec::new();
                if !waf.allow.is_empty() {
                    parts.push(format!("{} allowed range(s)", waf.allow.len()));
                }
                if !waf.deny.is_empty() {
                    parts.push(format!("{} blocked range(s)", waf.deny.len()));
                }
                if let Some(limit) = &waf.rate_limit {
                    parts.push(format!("{} requests per 5 minutes per address", limit.value));
                }
                let groups: Vec<&str> = waf.managed.iter().map(|g| g.as_str()).collect();
                if !groups.is_empty() {
                    parts.push(groups.join(", "));
                }
                if parts.is_empty() {
                    "a web ACL with no rules".to_owned()
                } else {
                    format!("WAF: {}", parts.join("; "))
                }
            }
        };
        out.push(format!("{} (CloudFront distribution, {filter})", edge.name));
    }
    for lb in env.load_balancers.iter().filter(|lb| !lb.internal.value) {
        out.push(format!("{} (internet-facing load balancer)", lb.name));
    }
    for rule in &env.ingress_rules {
        match &rule.peer {
            Peer::Cidr(cidr) => out.push(format!("{} (admits {cidr} on port {})", rule.group, rule.port)),
            Peer::Connection(name) => {
                let ranges = env
                    .connections
                    .iter()
                    .find(|c| &c.name == name)
                    .map(|c| c.ranges())
                    .unwrap_or_default();
                out.push(format!(
                    "{} (admits connection {name}: {ranges} on port {})",
                    rule.group, rule.port
                ));
            }
            Peer::SecurityGroup(_) | Peer::PrefixList(_) => {}
        }
    }
    for subnet in &env.public_subnets {
        out.push(format!(
            "{} (public subnet {} for the NAT; admits no inbound traffic)",
            subnet.name, subnet.cidr
        ));
    }
    if out.is_empty() {
        out.push("nothing".into());
    }
    out
}

fn egress(env: &EnvIr) -> Vec<String> {
    if !env.network {
        return vec!["none: the system declares no network (no VPC, no NAT, nothing runs in AWS's networks of this account)".to_owned()];
    }
    let nat = env.nat.describe();
    let mut out = Vec::new();
    let mut closed = Vec::new();
    // One pass over the flows: each flow to the internet under its source's tier, written
    // flows apart from the egress tasks need to start (thousands of flows and groups).
    let tier_of: BTreeMap<&str, &str> = env
        .security_groups
        .iter()
        .map(|g| (g.name.as_str(), g.tier.as_str()))
        .collect();
    let mut callers: BTreeMap<(&str, bool), Vec<&str>> = BTreeMap::new();
    for flow in env.flows.iter().filter(|f| f.to.is_internet()) {
        if let Some(tier) = tier_of.get(flow.from.name()) {
            callers
                .entry((tier, flow.implied))
                .or_default()
                .push(flow.from.name());
        }
    }
    for tier in &env.tiers {
        if tier.egress.value == TierEgress::None {
            closed.push(tier.name.as_str());
            continue;
        }
        let out_of_tier = |implied: bool| -> &[&str] {
            callers
                .get(&(tier.name.as_str(), implied))
                .map_or(&[], Vec::as_slice)
        };
        let mut parts = Vec::new();
        for (implied, what) in [(false, "flows out"), (true, "image pulls and logs")] {
            let callers = out_of_tier(implied);
            if !callers.is_empty() {
                parts.push(format!("{what}: {}", listed(callers)));
            }
        }
        let callers = if parts.is_empty() {
            String::new()
        } else {
            format!(" ({})", parts.join("; "))
        };
        out.push(format!(
            "{} → {nat} → internet gateway → internet{callers}",
            tier.name
        ));
    }
    if !closed.is_empty() {
        out.push(format!("no route to the internet: {}", closed.join(", ")));
    }
    let endpoints = &env.vpc.endpoints.value;
    if !endpoints.is_empty() {
        let names: Vec<&str> = endpoints.iter().map(|e| e.as_str()).collect();
        let place = match &env.vpc.endpoint_tier {
            Some(tier) => format!("; interface endpoints in tier {tier}"),
            None => String::new(),
        };
        out.push(format!("VPC endpoints: {}{place}", names.join(", ")));
    }
    for connection in &env.connections {
        let tiers = env.connection_tiers(&connection.name);
        let mut callers: Vec<&str> = Vec::new();
        let mut callees: Vec<&str> = Vec::new();
        for flow in env.flows.iter() {
            if flow.to == connection.name && !callers.contains(&flow.from.name()) {
                callers.push(flow.from.name());
            } else if flow.from == connection.name && !callees.contains(&flow.to.name()) {
                callees.push(flow.to.name());
            }
        }
        let mut parts = Vec::new();
        if !callers.is_empty() {
            parts.push(format!("flows out: {}", listed(&callers)));
        }
        if !callees.is_empty() {
            parts.push(format!("flows in: {}", listed(&callees)));
        }
        out.push(format!(
            "{} → {} ({}) → {}{}",
            if tiers.is_empty() {
                "no tier".to_owned()
            } else {
                tiers.join(", ")
            },
            connection.kind.describe(),
            connection.name,
            connection.ranges(),
            if parts.is_empty() {
                String::new()
            } else {
                format!(" ({})", parts.join("; "))
            }
        ));
    }
    out.extend(block_public_access(env));
    // A network without tiers: say what exists anyway.
    if env.tiers.is_empty() {
        out.push("no tier: the VPC is built, and nothing runs in it (no NAT)".to_owned());
    }
    out
}

/// VPC Block Public Access when the account has it on: the exclusions archc creates, grouped
/// by what they are for.
fn block_public_access(env: &EnvIr) -> Option<String> {
    let bpa = &env.vpc.block_public_access;
    if bpa.mode.value == BlockPublicAccess::Off {
        return None;
    }
    let mut groups: Vec<(&BpaExclusionReason, BpaExclusionMode, Vec<&str>)> = Vec::new();
    for exclusion in &bpa.exclusions {
        let scope = exclusion.subnet.as_deref().unwrap_or("the VPC");
        match groups
            .iter_mut()
            .find(|(reason, mode, _)| *reason == &exclusion.reason && *mode == exclusion.mode)
        {
            Some((_, _, scopes)) => scopes.push(scope),
            None => groups.push((&exclusion.reason, exclusion.mode, vec![scope])),
        }
    }
    let exclusions = if groups.is_empty() {
        "no exclusion needed".to_owned()
    } else {
        let parts: Vec<String> = groups
            .iter()
            .map(|(reason, mode, scopes)| {
                format!("{} {} ({})", listed(scopes), mode.aws_name(), reason.describe())
            })
            .collect();
        let forbidden = if bpa.exclusions_allowed.value {
            ""
        } else {
            " — forbidden in this account (A022)"
        };
        format!("excluded: {}{forbidden}", parts.join("; "))
    };
    Some(format!(
        "Block Public Access {} (the account's); {exclusions}",
        bpa.mode.value.as_str()
    ))
}

/// How many security-group chains the report prints; the rest are counted (`archc diagram
/// --kind security-groups` draws the whole graph).
const MOST_CHAINS: usize = 40;

/// How many hops of one chain are printed before the middle is elided.
const LONGEST_CHAIN: usize = 12;

/// How many names a list in the report shows before it says how many more there are.
const MOST_NAMES: usize = 20;

/// Maximal paths through the ingress rules, from each source nothing reaches, depth first.
/// Bounded: at most `MOST_CHAINS` chains of at most `LONGEST_CHAIN` printed hops, in time
/// linear in the rules for each chain printed, however many paths the graph has.
fn chains(env: &EnvIr) -> Vec<String> {
    let source = |peer: &Peer| match peer {
        Peer::SecurityGroup(name) => name.clone(),
        Peer::PrefixList(_) => "cloudfront-prefix-list".to_owned(),
        Peer::Cidr(cidr) => format!("internet ({cidr})"),
        Peer::Connection(name) => format!("connection {name}"),
    };
    let mut next: BTreeMap<String, Vec<(u16, &str)>> = BTreeMap::new();
    let mut sources: Vec<String> = Vec::new();
    for rule in &env.ingress_rules {
        let from = source(&rule.peer);
        if !next.contains_key(&from) {
            sources.push(from.clone());
        }
        next.entry(from)
            .or_default()
            .push((rule.port, rule.group.as_str()));
    }
    let reached: HashSet<&str> = next.values().flatten().map(|&(_, to)| to).collect();
    let mut walk = ChainWalk {
        next: &next,
        out: Vec::new(),
        full: false,
    };
    for root in sources.iter().filter(|from| !reached.contains(from.as_str())) {
        walk.from(root);
    }
    let mut out = walk.out;
    if walk.full {
        out.push(format!(
            "… more chains than the {MOST_CHAINS} shown (`archc diagram --kind security-groups` draws every rule)"
        ));
    }
    out
}

/// A depth-first walk over the ingress rules that prints each maximal path it finds.
struct ChainWalk<'a> {
    next: &'a BTreeMap<String, Vec<(u16, &'a str)>>,
    out: Vec<String>,
    /// A path was found after the report had printed `MOST_CHAINS`: the walk stops (counting
    /// every path of a large graph could take exponential time).
    full: bool,
}

impl<'a> ChainWalk<'a> {
    /// Every maximal path from `root` (an explicit stack: chains can be thousands of hops).
    fn from(&mut self, root: &'a str) {
        if self.full {
            return;
        }
        let mut path: Vec<(u16, &'a str)> = vec![(0, root)];
        let mut on_path: HashSet<&'a str> = HashSet::from([root]);
        // For each node on the path, the index of the next rule to follow.
        let mut cursor: Vec<usize> = vec![0];
        while let (Some(&(_, at)), Some(index)) = (path.last(), cursor.last_mut()) {
            let rules = self.next.get(at).map_or(&[][..], Vec::as_slice);
            if rules.is_empty() {
                self.emit(&path, None);
            }
            match rules.get(*index) {
                Some(&(port, to)) => {
                    *index += 1;
                    if on_path.contains(to) {
                        self.emit(&path, Some((port, to)));
                    } else {
                        path.push((port, to));
                        on_path.insert(to);
                        cursor.push(0);
                    }
                }
                None => {
                    if let Some((_, left)) = path.pop() {
                        on_path.remove(left);
                    }
                    cursor.pop();
                }
            }
            if self.full {
                return;
            }
        }
    }

    /// Prints a path (ending in a rule back into it, for a cycle), eliding the middle of a
    /// long one.
    fn emit(&mut self, path: &[(u16, &str)], cycle: Option<(u16, &str)>) {
        if self.out.len() >= MOST_CHAINS {
            self.full = true;
            return;
        }
        let hops: Vec<(u16, &str)> = path.iter().copied().chain(cycle).collect();
        let mut text = String::new();
        let shown = |text: &mut String, (i, &(port, name)): (usize, &(u16, &str))| {
            if i == 0 {
                text.push_str(name);
            } else {
                let _ = write!(text, " →{port}→ {name}");
            }
        };
        if hops.len() > LONGEST_CHAIN {
            // The two ends, and how much lies between them (at least five hops).
            let half = LONGEST_CHAIN / 3;
            hops.iter()
                .enumerate()
                .take(half)
                .for_each(|hop| shown(&mut text, hop));
            let _ = write!(text, " → … {} hops …", hops.len() - 2 * half);
            hops.iter()
                .enumerate()
                .skip(hops.len() - half)
                .for_each(|hop| shown(&mut text, hop));
        } else {
            hops.iter().enumerate().for_each(|hop| shown(&mut text, hop));
        }
        if cycle.is_some() {
            text.push_str(" (cycle)");
        }
        self.out.push(text);
    }
}

/// One line per bucket, queue or topic that flows grant access to, in the order of the flows: each
/// level with the tasks that have it, the levels that change the target first.
fn grants(env: &EnvIr) -> Vec<String> {
    // Per target: each level (the ones that change it first; a cache's IAM sign-in is
    // `connect`) with the tasks that have it.
    type Levels<'a> = BTreeMap<(bool, &'static str), Vec<&'a str>>;
    let mut targets: Vec<(&str, GrantTarget, Levels<'_>)> = Vec::new();
    for grant in &env.grants {
        let index = match targets.iter().position(|(name, ..)| *name == grant.to) {
            Some(index) => index,
            None => {
                targets.push((&grant.to, grant.target, BTreeMap::new()));
                targets.len() - 1
            }
        };
        let Some((_, _, levels)) = targets.get_mut(index) else {
            continue;
        };
        let written: Vec<(bool, &'static str)> = if grant.target == GrantTarget::Cache {
            vec![(false, "connect")]
        } else {
            grant
                .access
                .iter()
                .map(|a| (*a == Access::Read, a.as_str()))
                .collect()
        };
        for level in written {
            let holders = levels.entry(level).or_default();
            if !holders.contains(&grant.from.as_str()) {
                holders.push(&grant.from);
            }
        }
    }
    if targets.is_empty() {
        return vec!["none (no task role has a permission of its own)".to_owned()];
    }
    let purposes: BTreeMap<&str, &str> = env
        .buckets
        .iter()
        .filter(|b| targets.iter().any(|(name, ..)| *name == b.name))
        .map(|b| (b.name.as_str(), b.purpose.map_or("website", |p| p.as_str())))
        .collect();
    targets
        .into_iter()
        .map(|(name, target, levels)| {
            let served: Vec<&str> = env
                .edge
                .iter()
                .flat_map(|edge| &edge.behaviours)
                .filter(|b| b.target == name)
                .map(|b| b.pattern.as_str())
                .collect();
            let purpose = purposes.get(name).copied().unwrap_or_default();
            let what = match target {
                GrantTarget::Bucket if !served.is_empty() => {
                    format!("bucket, {purpose}, served at {}", served.join(", "))
                }
                GrantTarget::Bucket => format!("bucket, {purpose}"),
                GrantTarget::Topic => "topic".to_owned(),
                GrantTarget::Queue => "queue".to_owned(),
                GrantTarget::Cache => "cache, IAM authentication".to_owned(),
                GrantTarget::Secret => "secret".to_owned(),
                GrantTarget::Mail => format!("mail from {}", env.mail_domain()),
            };
            let parts: Vec<String> = levels
                .iter()
                .map(|((_, level), holders)| format!("{level} {}", listed(holders)))
                .collect();
            format!("{name} ({what}): {}", parts.join(" · "))
        })
        .collect()
}

/// Each mail component: its identity, signing and policy, who sends, and the sandbox.
fn mail(env: &EnvIr) -> Vec<String> {
    if env.mail.is_empty() {
        return vec!["none (nothing sends e-mail)".to_owned()];
    }
    let mut senders: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for grant in env.grants.iter().filter(|g| g.target == GrantTarget::Mail) {
        let list = senders.entry(grant.to.as_str()).or_default();
        if !list.contains(&grant.from.as_str()) {
            list.push(&grant.from);
        }
    }
    env.mail
        .iter()
        .map(|mail| {
            let dkim = if mail.dkim.value { "DKIM" } else { "no DKIM" };
            let dmarc = mail
                .dmarc
                .value
                .tag()
                .map_or_else(|| "no DMARC record".to_owned(), |p| format!("DMARC p={p}"));
            let mail_from = mail
                .mail_from_domain(env)
                .map_or_else(String::new, |d| format!(", MAIL FROM {d}"));
            let sent_by = senders
                .get(mail.name.as_str())
                .map_or_else(|| "nothing sends yet".to_owned(), |s| format!("sent by {}", listed(s)));
            format!(
                "{} (SES identity {}, {dkim}, {dmarc}{mail_from}; {sent_by}): SES sandbox until production access is requested (a manual request to AWS for account {} in {}); until then only verified recipients",
                mail.name,
                env.mail_domain(),
                env.account,
                env.region
            )
        })
        .collect()
}

/// Who may assume the environment's Terraform role.
fn operators(env: &EnvIr) -> Vec<String> {
    let names: Vec<String> = env
        .operators
        .value
        .iter()
        .map(|operator| match operator {
            Operator::PermissionSet(name) => format!("permission set {name} (IAM Identity Center)"),
            Operator::Principal(arn) => arn.clone(),
        })
        .collect();
    if names.is_empty() {
        return vec!["nobody (no operators: only the bootstrap's administrator credentials)".to_owned()];
    }
    vec![format!("{} may assume the Terraform role", names.join(", "))]
}

/// `names` joined, the first `MOST_NAMES` of them and a count of the rest.
fn listed(names: &[&str]) -> String {
    match names.get(..MOST_NAMES) {
        Some(first) if names.len() > MOST_NAMES => {
            format!("{} and {} more", first.join(", "), names.len() - MOST_NAMES)
        }
        _ => names.join(", "),
    }
}

/// The report as the CLI prints it.
pub fn render(reports: &[EnvReport]) -> String {
    let mut text = String::new();
    for report in reports {
        let _ = writeln!(text, "env {}", report.title);
        section(&mut text, "exposure", &report.exposure);
        section(&mut text, "egress", &report.egress);
        section(&mut text, "sg chain", &report.chains);
        section(&mut text, "grants", &report.grants);
        section(&mut text, "mail", &report.mail);
        section(&mut text, "operators", &report.operators);
        let waivers = if report.waivers.is_empty() {
            vec!["none".to_owned()]
        } else {
            report.waivers.clone()
        };
        section(&mut text, "waivers", &waivers);
    }
    text
}

fn section(text: &mut String, title: &str, lines: &[String]) {
    for (i, line) in lines.iter().enumerate() {
        let label = if i == 0 { title } else { "" };
        let _ = writeln!(text, "  {label:<9} {line}");
    }
}
