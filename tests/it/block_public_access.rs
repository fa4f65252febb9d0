//! VPC Block Public Access, enumerated: every account mode × NAT × whether the edge reaches a
//! load balancer through a VPC origin × whether tasks leave through the NAT × whether the
//! account allows exclusions. What must be excluded is derived here from AWS's documentation
//! (BPA blocks CloudFront VPC origins in both modes, and NAT traffic in bidirectional mode; an
//! egress-only exclusion is enough for a NAT, whose subnet — or the VPC, for a Regional NAT
//! Gateway — is where its traffic leaves), not from archc: the generated `network.tf` must hold
//! exactly those exclusions, or, where the account forbids them, A022 must refuse the design.

use std::collections::BTreeSet;

use archc::{RootDatabase, Workspace};

use crate::fixture::TODAY;

const MODES: &[&str] = &["off", "ingress", "bidirectional"];
const NATS: &[&str] = &["regional", "zonal", "instance(\"t3.micro\")"];

fn system(mode: &str, nat: &str, vpc_origin: bool, egress: &str, allowed: bool) -> String {
    let (origin_tier, origin_items, route) = if vpc_origin {
        (
            "tier ingress { subnet = /24 }",
            r#"service api : fargate in app { image = ecr("bpa-api")  port = 8080 }
  load_balancer alb in ingress { access_logs = logs }
  flow alb -> api : tcp(8080)"#,
            r#"route "/*" -> alb { cache = disabled  forward = all_viewer }"#,
        )
    } else {
        ("", "", r#"route "/*" -> site { cache = optimized }"#)
    };
    // Zonal gateways are for private connectivity (R001, R006).
    let datacentre = if nat == "zonal" {
        r#"connection dc : transit_gateway { gateway = "tgw-0a1b2c3d4e5f60718"  cidrs = [172.16.0.0/16] }
  flow sync -> dc : tcp(1521)"#
    } else {
        ""
    };
    let connectivity = if nat == "zonal" { "egress = private" } else { "" };
    format!(
        r#"system bpa {{
  region = "eu-west-1"
  domain = "example.org"
  network {{
    cidr      = 10.0.0.0/16
    zones     = ["a", "b"]
    endpoints = [s3, ecr, logs]
    {connectivity}
    {origin_tier}
    tier app {{ subnet = /24  egress = {egress} }}
  }}
  job sync : ecs_task in app {{ image = ecr("bpa-sync")  schedule = rate(1h) }}
  {origin_items}
  edge cdn : cloudfront {{
    access_logs = logs
    {route}
  }}
  bucket site : s3 {{ purpose = static }}
  bucket logs : s3 {{ purpose = access_logs }}
  {datacentre}
}}
env main {{
  account             = "111111111111"
  stage               = staging
  nat                 = {nat}
  block_public_access = {mode}
  bpa_exclusions      = {allowed}
}}
"#
    )
}

/// (scope, mode) of each exclusion in a `network.tf`: `subnet:<label>` or `vpc`.
fn exclusions(network_tf: &str) -> BTreeSet<(String, String)> {
    let mut found = BTreeSet::new();
    let mut blocks = network_tf.split("resource \"aws_vpc_block_public_access_exclusion\"");
    blocks.next();
    for block in blocks {
        let body = block.split("\n}").next().unwrap_or_default();
        let value = |name: &str| {
            body.lines()
                .find_map(|line| {
                    line.trim()
                        .strip_prefix(name)?
                        .trim()
                        .strip_prefix('=')
                        .map(str::trim)
                })
                .map(|v| v.trim_matches('"').to_owned())
        };
        let scope = match (value("subnet_id"), value("vpc_id")) {
            (Some(subnet), None) => {
                let label = subnet.trim_start_matches("aws_subnet.").trim_end_matches(".id");
                format!("subnet:{label}")
            }
            (None, Some(vpc)) => {
                assert_eq!(vpc, "aws_vpc.main.id");
                "vpc".to_owned()
            }
            other => panic!("an exclusion names one subnet or the VPC: {other:?}"),
        };
        let mode = value("internet_gateway_exclusion_mode").expect("an exclusion has a mode");
        found.insert((scope, mode));
    }
    found
}

#[test]
fn block_public_access_gets_exactly_the_exclusions_the_design_needs_or_a022() {
    let mut combinations = 0;
    for mode in MODES {
        for nat in NATS {
            for vpc_origin in [false, true] {
                for egress in ["nat", "none"] {
                    for allowed in [true, false] {
                        combinations += 1;
                        let case = format!(
                            "BPA {mode}, nat {nat}, VPC origin {vpc_origin}, egress {egress}, exclusions allowed {allowed}"
                        );
                        // What AWS blocks, and so what must be excluded.
                        let mut needed = BTreeSet::new();
                        let mut reasons = 0;
                        if vpc_origin && *mode != "off" {
                            reasons += 1;
                            for subnet in ["ingress_a", "ingress_b"] {
                                needed.insert((format!("subnet:{subnet}"), "allow-bidirectional".to_owned()));
                            }
                        }
                        if egress == "nat" && *mode == "bidirectional" {
                            reasons += 1;
                            let scopes: &[&str] = match *nat {
                                "regional" => &["vpc"],
                                "zonal" => &["subnet:public_a", "subnet:public_b"],
                                _ => &["subnet:public_a"],
                            };
                            for scope in scopes {
                                needed.insert(((*scope).to_owned(), "allow-egress".to_owned()));
                            }
                        }
                        let db = RootDatabase::default();
                        let text = system(mode, nat, vpc_origin, egress, allowed);
                        let workspace =
                            Workspace::from_sources(&db, vec![("main.arch".to_owned(), text)], TODAY);
                        let diagnostics = archc::diagnostics(&db, workspace);
                        let errors: Vec<&str> = diagnostics
                            .iter()
                            .filter(|d| d.severity == archc::diagnostics::Severity::Error)
                            .map(|d| d.code.id)
                            .collect();
                        if !allowed && !needed.is_empty() {
                            assert_eq!(errors, vec!["A022"; reasons], "{case}");
                            continue;
                        }
                        assert!(errors.is_empty(), "{case}: {diagnostics:?}");
                        let files = archc::backend::build(&db, workspace, None);
                        let network = files
                            .iter()
                            .find(|f| f.path == "main/terraform/network.tf")
                            .expect("network.tf is generated");
                        assert_eq!(exclusions(&network.contents), needed, "{case}");
                    }
                }
            }
        }
    }
    assert_eq!(combinations, MODES.len() * NATS.len() * 2 * 2 * 2);
}
