//! The exposure report `archc check` ends with: per environment, what faces the internet, how
//! traffic leaves, the security-group chain, and every waiver in force. Data first; `render`
//! turns it into the text the CLI prints.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::db::{Db, Workspace};
use crate::ir::{EnvIr, Peer, TierEgress};
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
                "{} ({}, account {}, {}, VPC {} over {} zones)",
                env.name,
                stage(env),
                env.account,
                env.region,
                env.vpc.cidr.value,
                env.vpc.zones.value.len()
            ),
            exposure: exposure_points(env),
            egress: egress(env),
            chains: chains(env),
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
        out.push(format!("{} (CloudFront distribution)", edge.name));
    }
    for lb in env.load_balancers.iter().filter(|lb| !lb.internal.value) {
        out.push(format!("{} (internet-facing load balancer)", lb.name));
    }
    for rule in &env.ingress_rules {
        if let Peer::Cidr(cidr) = &rule.peer {
            out.push(format!("{} (admits {cidr} on port {})", rule.group, rule.port));
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
                parts.push(format!("{what}: {}", callers.join(", ")));
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
        out.push(format!("no route out: {}", closed.join(", ")));
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
    out
}

/// Each maximal path through the ingress rules, from a source nothing reaches.
fn chains(env: &EnvIr) -> Vec<String> {
    let source = |peer: &Peer| match peer {
        Peer::SecurityGroup(name) => name.clone(),
        Peer::PrefixList(_) => "cloudfront-prefix-list".to_owned(),
        Peer::Cidr(cidr) => format!("internet ({cidr})"),
    };
    let edges: Vec<(String, u16, String)> = env
        .ingress_rules
        .iter()
        .map(|r| (source(&r.peer), r.port, r.group.clone()))
        .collect();
    let mut roots: Vec<&str> = edges
        .iter()
        .map(|(from, _, _)| from.as_str())
        .filter(|from| !edges.iter().any(|(_, _, to)| to == from))
        .collect();
    roots.dedup();
    let mut out = Vec::new();
    for root in roots {
        if out.iter().any(|c: &String| c.starts_with(&format!("{root} "))) {
            continue;
        }
        walk(&edges, root, root.to_owned(), &mut vec![root], &mut out);
    }
    out
}

fn walk<'a>(
    edges: &'a [(String, u16, String)],
    at: &str,
    path: String,
    seen: &mut Vec<&'a str>,
    out: &mut Vec<String>,
) {
    let next: Vec<&(String, u16, String)> = edges.iter().filter(|(from, _, _)| from == at).collect();
    if next.is_empty() {
        out.push(path);
        return;
    }
    for (_, port, to) in next {
        if seen.contains(&to.as_str()) {
            out.push(format!("{path} →{port}→ {to} (cycle)"));
            continue;
        }
        seen.push(to);
        let mut extended = path.clone();
        let _ = write!(extended, " →{port}→ {to}");
        walk(edges, to, extended, seen, out);
        seen.pop();
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
