//! R001 (no public subnet), R006 (the Regional NAT Gateway's scope) and R008 (multi-AZ, which
//! refuses a NAT instance in production) judge the same three settings: the network's egress,
//! its private connections and the environment's NAT. Every
//! combination is enumerated here, and what the two rules say must agree: when egress and
//! connections agree, one NAT strategy passes both rules, and every finding about another NAT
//! names that one; when they disagree, R006 says so, and nothing recommends a NAT the other
//! rule refuses.

use archc::diagnostics::Severity;
use archc::{RootDatabase, Workspace};

use crate::fixture::TODAY;

const EGRESS: &[&str] = &["internet_only", "private"];
/// The private connections a system declares (with the flow that uses each).
const CONNECTIONS: &[&str] = &[
    "",
    r#"connection dc : transit_gateway { gateway = "tgw-0a1b2c3d4e5f60718"  cidrs = [172.16.0.0/16] }
  flow sync -> dc : tcp(1521)"#,
    r#"connection peer : vpc_peering { peer_vpc = "vpc-0fedcba9876543210"  cidrs = [10.90.0.0/20] }
  connection office : site_to_site_vpn { customer_gateway = "cgw-0123456789abcdef0"  cidrs = [192.168.40.0/24] }
  flow sync -> peer : tcp(636)
  flow sync -> office : https"#,
    r#"connection office : site_to_site_vpn { customer_gateway = "cgw-0123456789abcdef0"  cidrs = [192.168.40.0/24] }
  flow sync -> office : https"#,
];
const NATS: &[&str] = &["regional", "zonal", "instance(\"t3.micro\")"];
const STAGES: &[&str] = &["production", "staging"];

fn system(egress: &str, connections: &str, nat: &str, stage: &str) -> String {
    format!(
        r#"system net {{
  region = "eu-west-1"
  network {{
    cidr        = 10.0.0.0/16
    zones       = ["a", "b"]
    egress      = {egress}
    tier app {{ subnet = /24  egress = nat }}
  }}
  job sync : ecs_task in app {{ image = ecr("net-sync")  schedule = rate(1h) }}
  flow sync -> internet : https
  {connections}
}}
env main {{ account = "111111111111"  stage = {stage}  nat = {nat} }}
"#
    )
}

/// (code, severity, help) of each R001, R006 and R008 finding.
fn findings(text: String) -> Vec<(&'static str, Severity, String)> {
    let db = RootDatabase::default();
    let workspace = Workspace::from_sources(&db, vec![("main.arch".to_owned(), text)], TODAY);
    archc::diagnostics(&db, workspace)
        .iter()
        .filter(|d| matches!(d.code.id, "R001" | "R006" | "R008"))
        .map(|d| (d.code.id, d.severity, d.help.clone().unwrap_or_default()))
        .collect()
}

#[test]
fn r001_r006_and_r008_agree_for_every_egress_connections_and_nat() {
    let mut combinations = 0;
    for egress in EGRESS {
        for connections in CONNECTIONS {
            for stage in STAGES {
                // What the network's own settings call for.
                let expected = match (*egress, connections.is_empty()) {
                    ("internet_only", true) => Some("regional"),
                    ("private", false) => Some("zonal"),
                    _ => None,
                };
                for nat in NATS {
                    combinations += 1;
                    let found = findings(system(egress, connections, nat, stage));
                    let case = format!(
                        "egress {egress}, connections {{{connections}}}, nat {nat}, {stage}: {found:?}"
                    );
                    let errors: Vec<_> = found.iter().filter(|(_, s, _)| *s == Severity::Error).collect();
                    match expected {
                        // Egress and connections disagree: R006 says so, whatever the NAT.
                        None => assert!(errors.iter().any(|(code, ..)| *code == "R006"), "{case}"),
                        // The NAT they call for passes both rules.
                        Some(good) if nat == &good => assert!(errors.is_empty(), "{case}"),
                        // Another NAT: each error names the one that passes.
                        Some(good) => {
                            for (code, _, help) in &errors {
                                assert!(
                                    help.contains(&format!("nat = {good}")),
                                    "{code} must recommend `nat = {good}`: {case}"
                                );
                            }
                        }
                    }
                    // No finding recommends a NAT these settings rule out.
                    let refused = match expected {
                        Some("regional") => Some("zonal"),
                        Some(_) => Some("regional"),
                        None => None,
                    };
                    if let Some(refused) = refused {
                        for (code, _, help) in &found {
                            let recommends = help.contains(&format!("use `nat = {refused}`"))
                                || help.contains(&format!("set `nat = {refused}`"));
                            assert!(!recommends, "{code} recommends `nat = {refused}`: {case}");
                        }
                    }
                }
            }
        }
    }
    assert_eq!(
        combinations,
        EGRESS.len() * CONNECTIONS.len() * NATS.len() * STAGES.len()
    );
}
