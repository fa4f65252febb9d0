//! The cost estimate in every region archc has prices for: each line computed from that
//! region's catalogue, a line for every component of every kind, and a clear note where a
//! region has no catalogue.

use archc::{RootDatabase, Workspace};

use crate::fixture::{TODAY, example_sources};

/// The example moved to `region` (its zones too, so that they exist there).
fn example_in(region: &str) -> Vec<(String, String)> {
    example_sources()
        .into_iter()
        .map(|(path, text)| {
            (
                path,
                text.replace("\"ap-northeast-1\"", &format!("\"{region}\""))
                    .replace("zones  = [\"a\", \"c\", \"d\"]", "zones  = [\"a\", \"b\", \"c\"]"),
            )
        })
        .collect()
}

fn cents(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}

#[test]
fn every_catalogue_prices_every_line_from_its_own_numbers() {
    let regions = archc::cost::regions();
    for wanted in [
        "us-east-1",
        "us-west-2",
        "eu-west-1",
        "eu-central-1",
        "ap-northeast-1",
        "ap-southeast-1",
    ] {
        assert!(regions.contains(&wanted), "no catalogue for {wanted}");
    }
    for region in regions {
        let catalogue = archc::cost::catalogue(region).unwrap();
        assert_eq!(catalogue.region, region);
        assert!(
            catalogue.source.contains("AWS") && catalogue.date.len() == 10,
            "{region}"
        );
        let sources = if region == "ap-northeast-1" {
            example_sources()
        } else {
            example_in(region)
        };
        let db = RootDatabase::default();
        let workspace = Workspace::from_sources(&db, sources, TODAY);
        let errors: Vec<_> = archc::diagnostics(&db, workspace)
            .into_iter()
            .filter(|d| d.severity == archc::diagnostics::Severity::Error)
            .map(|d| format!("{} {}", d.code.id, d.message))
            .collect();
        assert!(errors.is_empty(), "{region}: {errors:?}");
        let ir = &archc::lower::lower(&db, workspace).ir;
        let estimates = archc::cost::estimate(ir, None).unwrap();
        let prd = estimates.iter().find(|e| e.env == "prd").unwrap();
        let (p, a, hours) = (
            &catalogue.prices,
            &catalogue.assumptions,
            catalogue.hours_per_month,
        );
        let line = |component: &str| {
            prd.lines
                .iter()
                .find(|l| l.component == component)
                .unwrap_or_else(|| panic!("{region}: no line for {component}"))
                .monthly
        };
        assert_eq!(
            line("nat"),
            cents(3.0 * hours * p.nat_gateway_hour_per_az + a.nat_data_gb_per_month * p.nat_gateway_data_gb),
            "{region}"
        );
        assert_eq!(
            line("api"),
            cents(2.0 * hours * (0.5 * p.fargate_vcpu_hour + 1.0 * p.fargate_gb_hour)),
            "{region}"
        );
        assert_eq!(
            line("alb"),
            cents(hours * p.alb_hour + a.alb_lcu * hours * p.alb_lcu_hour),
            "{region}"
        );
        assert_eq!(
            line("main"),
            cents(
                hours * p.aurora_instance_hour["db.r6g.large"]
                    + a.aurora_storage_gb * p.aurora_storage_gb_month
            ),
            "{region}"
        );
        assert_eq!(
            line("assets"),
            cents(a.s3_gb_per_bucket * p.s3_gb_month),
            "{region}"
        );
        assert_eq!(line("api_cpu"), cents(p.cloudwatch_alarm_month), "{region}");
        assert!(prd.unpriced.is_empty(), "{region}: {:?}", prd.unpriced);
        // Every component of every kind has its line.
        let env = ir.envs.iter().find(|e| e.name == "prd").unwrap();
        let components = env
            .services
            .iter()
            .map(|s| &s.name)
            .chain(env.jobs.iter().map(|j| &j.name))
            .chain(env.databases.iter().map(|d| &d.name))
            .chain(env.buckets.iter().map(|b| &b.name))
            .chain(env.topics.iter().map(|t| &t.name))
            .chain(env.alarms.iter().map(|a| &a.name))
            .chain(env.load_balancers.iter().map(|l| &l.name))
            .chain(env.edge.iter().map(|e| &e.name));
        for component in components {
            line(component);
        }
        // The NAT instance of staging is priced too, and R001 quotes this region's numbers.
        let stg = estimates.iter().find(|e| e.env == "stg").unwrap();
        let instance = cents(hours * p.ec2_hour["t3.micro"]);
        assert_eq!(stg.nat(), instance, "{region}");
        let r001 = archc::diagnostics(&db, workspace)
            .into_iter()
            .find(|d| d.code.id == "R001")
            .unwrap();
        assert!(r001.help.unwrap().contains(&format!("in {region}")), "{region}");
    }
}

#[test]
fn a_region_without_a_catalogue_is_said_in_the_design_document() {
    let db = RootDatabase::default();
    let workspace = Workspace::from_sources(&db, example_in("sa-east-1"), TODAY);
    let document = archc::backend::design_document(&db, workspace);
    assert!(
        document
            .contents
            .contains("## Cost\n\nNot estimated: archc has no price catalogue for sa-east-1"),
        "{}",
        document.contents
    );
}
