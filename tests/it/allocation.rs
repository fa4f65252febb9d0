//! Subnet allocation, through real lowering on generated `.arch` text: for random tiers, subnet
//! sizes, zone counts and NAT strategies, every allocated subnet lies inside its VPC and no two
//! overlap; what does not fit is an `E2001` diagnostic, never a panic.

use archc::{RootDatabase, Workspace};
use proptest::prelude::*;

use crate::fixture::TODAY;

fn workspace_text(vpc_prefix: u8, tiers: &[u8], zones: usize, nat: &str) -> String {
    let zone_list: Vec<String> = ["a", "c", "d", "b", "e", "f"]
        .iter()
        .take(zones)
        .map(|z| format!("\"{z}\""))
        .collect();
    let mut text = format!(
        "system s {{\n  region = \"ap-northeast-1\"\n  network {{\n    cidr = 10.0.0.0/{vpc_prefix}\n    zones = [{}]\n",
        zone_list.join(", ")
    );
    for (i, prefix) in tiers.iter().enumerate() {
        text.push_str(&format!("    tier t{i} {{ subnet = /{prefix}  egress = nat }}\n"));
    }
    text.push_str(&format!(
        "  }}\n}}\nenv dev {{ account = \"111111111111\"  stage = development  nat = {nat} }}\n"
    ));
    text
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn allocated_subnets_never_overlap_and_stay_inside_the_vpc(
        vpc_prefix in 16u8..=24,
        tiers in proptest::collection::vec(20u8..=28, 1..7),
        zones in 1usize..=6,
        nat in prop_oneof![Just("regional"), Just("zonal"), Just("instance(\"t3.micro\")")],
    ) {
        let text = workspace_text(vpc_prefix, &tiers, zones, nat);
        let db = RootDatabase::default();
        let workspace = Workspace::from_sources(&db, vec![("main.arch".into(), text.clone())], TODAY);
        let diagnostics = archc::diagnostics(&db, workspace);
        let lowered = archc::lower::lower(&db, workspace);
        let Some(env) = lowered.ir.envs.first() else {
            return Err(TestCaseError::fail(format!("no IR for\n{text}\n{diagnostics:?}")));
        };
        let vpc = env.vpc.cidr.value;
        let mut subnets: Vec<ipnet::Ipv4Net> = env.tiers.iter().flat_map(|t| t.subnets.iter().map(|s| s.cidr)).collect();
        subnets.extend(env.public_subnets.iter().map(|s| s.cidr));
        for (i, a) in subnets.iter().enumerate() {
            prop_assert!(vpc.contains(a), "{a} outside {vpc}\n{text}");
            for b in subnets.iter().skip(i + 1) {
                prop_assert!(!a.contains(b) && !b.contains(a), "{a} overlaps {b}\n{text}");
            }
        }
        // Every tier and the NAT got all their subnets, or the shortfall is reported.
        let public_needed = match nat {
            "regional" => 0,
            "zonal" => zones,
            _ => 1,
        };
        let complete = env.tiers.iter().all(|t| t.subnets.len() == zones) && env.public_subnets.len() == public_needed;
        let reported = diagnostics.iter().any(|d| d.code.id == "E2001");
        prop_assert!(complete || reported, "a tier is short of subnets without E2001\n{text}");
        prop_assert!(!(complete && reported), "E2001 without a missing subnet\n{text}");
    }
}
