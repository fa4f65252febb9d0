//! The cost estimate: monthly cost per environment and component, from a dated price
//! catalogue for the region (`stdlib/prices/<region>.json`) and printed assumptions.
//!
//! The NAT line follows the seed's comparison: a NAT gateway costs its hours per zone plus the
//! data it processes; a NAT instance costs its instance hours (the data it forwards is ordinary
//! transfer, which both options pay alike, and public IPv4 charges are left out of both, as in
//! the seed's estimate). Services count their declared minimum tasks; everything else uses the
//! catalogue's stated baseline assumptions.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::ir::{CacheEngine, CacheNodes, ConnectionKind, EnvIr, Ir, Nat, Stage};

/// The embedded catalogues, by region.
const CATALOGUES: &[(&str, &str)] = &[
    (
        "ap-northeast-1",
        include_str!("../../stdlib/prices/ap-northeast-1.json"),
    ),
    (
        "ap-southeast-1",
        include_str!("../../stdlib/prices/ap-southeast-1.json"),
    ),
    (
        "eu-central-1",
        include_str!("../../stdlib/prices/eu-central-1.json"),
    ),
    ("eu-west-1", include_str!("../../stdlib/prices/eu-west-1.json")),
    ("us-east-1", include_str!("../../stdlib/prices/us-east-1.json")),
    ("us-west-2", include_str!("../../stdlib/prices/us-west-2.json")),
];

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct Catalogue {
    pub region: String,
    pub currency: String,
    pub date: String,
    pub source: String,
    pub hours_per_month: f64,
    pub assumptions: Assumptions,
    pub prices: Prices,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct Assumptions {
    pub nat_data_gb_per_month: f64,
    /// Data through each interface endpoint (image pulls, logs).
    pub endpoint_data_gb_per_month: f64,
    pub alb_lcu: f64,
    pub job_hours_per_month: f64,
    pub aurora_storage_gb: f64,
    pub cloudfront_data_gb_per_month: f64,
    pub cloudfront_requests_per_month: f64,
    pub s3_gb_per_bucket: f64,
    /// E-mails each topic sends.
    pub sns_emails_per_month: f64,
    /// Requests to each queue (sends, receives including long polls that find nothing, deletes).
    pub sqs_requests_per_queue_per_month: f64,
    /// Data each serverless cache holds on average.
    pub cache_data_gb: f64,
    /// Millions of ElastiCache Processing Units each serverless cache uses.
    pub cache_ecpu_millions_per_month: f64,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct Prices {
    pub nat_gateway_hour_per_az: f64,
    pub nat_gateway_data_gb: f64,
    /// An interface endpoint, per zone and hour (a gateway endpoint is free).
    pub vpc_endpoint_hour_per_az: f64,
    pub vpc_endpoint_data_gb: f64,
    /// A Transit Gateway attachment, per hour (its data processing is not estimated).
    pub transit_gateway_attachment_hour: f64,
    /// A site-to-site VPN connection, per hour (VPC peering has no hourly charge).
    pub vpn_connection_hour: f64,
    pub ec2_hour: BTreeMap<String, f64>,
    pub alb_hour: f64,
    pub alb_lcu_hour: f64,
    pub fargate_vcpu_hour: f64,
    pub fargate_gb_hour: f64,
    pub aurora_instance_hour: BTreeMap<String, f64>,
    pub aurora_storage_gb_month: f64,
    pub cloudfront_data_gb: f64,
    pub cloudfront_https_requests_per_10k: f64,
    pub s3_gb_month: f64,
    /// A standard-resolution CloudWatch alarm.
    pub cloudwatch_alarm_month: f64,
    pub sns_email_per_100k: f64,
    pub sqs_standard_per_million: f64,
    pub sqs_fifo_per_million: f64,
    /// Outbound e-mail through SES (the same in every region).
    pub ses_per_1000_messages: f64,
    /// AWS WAF (global prices): a web ACL, each of its rules, its requests, and the request fee
    /// for each 500 capacity units past the 1,500 a CloudFront web ACL includes.
    pub waf_web_acl_month: f64,
    pub waf_rule_month: f64,
    pub waf_per_million_requests: f64,
    pub waf_per_million_requests_per_500_wcu_over_1500: f64,
    pub elasticache_serverless_valkey_gb_hour: f64,
    pub elasticache_serverless_valkey_ecpu_per_million: f64,
    /// Redis OSS nodes by type; Valkey nodes cost `elasticache_valkey_node_discount` less.
    pub elasticache_redis_node_hour: BTreeMap<String, f64>,
    pub elasticache_valkey_node_discount: f64,
}

impl Catalogue {
    /// `count` NAT gateways for a month: their hours and the data they process.
    fn nat_gateways_monthly(&self, count: f64) -> f64 {
        let (p, a) = (&self.prices, &self.assumptions);
        count * self.hours_per_month * p.nat_gateway_hour_per_az
            + a.nat_data_gb_per_month * p.nat_gateway_data_gb
    }

    /// An EC2 instance of `instance_type` for a month, if the catalogue prices the type.
    fn instance_monthly(&self, instance_type: &str) -> Option<f64> {
        Some(self.prices.ec2_hour.get(instance_type)? * self.hours_per_month)
    }
}

/// The catalogue of a region, if archc has one.
pub fn catalogue(region: &str) -> Option<Catalogue> {
    let (_, text) = CATALOGUES.iter().find(|(r, _)| *r == region)?;
    serde_json::from_str(text).ok()
}

/// The regions archc has prices for.
pub fn regions() -> Vec<&'static str> {
    CATALOGUES.iter().map(|(region, _)| *region).collect()
}

/// One line of an estimate.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Line {
    pub component: String,
    /// What is priced, with the formula: `Regional NAT Gateway: 3 AZ × 730 h × $0.062 + …`.
    pub item: String,
    /// USD per month, rounded to cents.
    pub monthly: f64,
}

/// The estimate of one environment.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Estimate {
    pub env: String,
    pub production: bool,
    pub region: String,
    pub currency: String,
    pub prices_date: String,
    pub lines: Vec<Line>,
    pub total: f64,
    /// Things that could not be priced (an instance type the catalogue lacks).
    pub unpriced: Vec<String>,
}

impl Estimate {
    /// The NAT line's monthly cost.
    pub fn nat(&self) -> f64 {
        self.lines
            .iter()
            .find(|l| l.component == "nat")
            .map_or(0.0, |l| l.monthly)
    }
}

/// Rounded to cents.
pub fn cents(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}

fn money(value: f64) -> String {
    format!("${value}")
}

/// The estimate of every environment (only `only` when given). `Err` names a region without
/// a catalogue.
pub fn estimate(ir: &Ir, only: Option<&str>) -> Result<Vec<Estimate>, String> {
    ir.envs
        .iter()
        .filter(|env| only.is_none_or(|name| env.name == name))
        .map(|env| {
            let catalogue = catalogue(&env.region).ok_or_else(|| env.region.clone())?;
            Ok(estimate_env(env, &catalogue))
        })
        .collect()
}

/// The estimate of one environment; `None` when archc has no catalogue for its region.
pub fn estimate_one(env: &EnvIr) -> Option<Estimate> {
    Some(estimate_env(env, &catalogue(&env.region)?))
}

fn estimate_env(env: &EnvIr, catalogue: &Catalogue) -> Estimate {
    let (p, a, hours) = (
        &catalogue.prices,
        &catalogue.assumptions,
        catalogue.hours_per_month,
    );
    let mut lines = Vec::new();
    let mut unpriced = Vec::new();
    let zones = env.vpc.zones.value.len() as f64;
    let nat_gateway = |count: f64, what: &str| Line {
        component: "nat".into(),
        item: format!(
            "{what}: {count} AZ × {hours} h × {} + {} GB × {}",
            money(p.nat_gateway_hour_per_az),
            a.nat_data_gb_per_month,
            money(p.nat_gateway_data_gb)
        ),
        monthly: cents(catalogue.nat_gateways_monthly(count)),
    };
    let nat = match &env.nat {
        Nat::None { .. } => None,
        Nat::Regional { .. } => Some(nat_gateway(zones, "Regional NAT Gateway")),
        Nat::Zonal { subnets, .. } => Some(nat_gateway(subnets.len() as f64, "zonal NAT gateways")),
        Nat::Instance { instance_type, .. } => {
            let hourly = p.ec2_hour.get(instance_type).copied();
            if hourly.is_none() {
                unpriced.push(format!("NAT instance type {instance_type}"));
            }
            Some(Line {
                component: "nat".into(),
                item: format!(
                    "NAT instance {instance_type}: {hours} h × {}",
                    money(hourly.unwrap_or(0.0))
                ),
                monthly: cents(catalogue.instance_monthly(instance_type).unwrap_or(0.0)),
            })
        }
    };
    lines.extend(nat);
    let interface: Vec<&str> = env
        .vpc
        .endpoints
        .value
        .iter()
        .filter(|e| !e.is_gateway())
        .flat_map(|e| e.services().iter().copied())
        .collect();
    if !interface.is_empty() && env.vpc.endpoint_tier.is_some() {
        let count = interface.len() as f64;
        lines.push(Line {
            component: "endpoints".into(),
            item: format!(
                "{count} interface endpoint{} ({}) × {zones} AZ × {hours} h × {} + {} GB × {} each",
                if count == 1.0 { "" } else { "s" },
                interface.join(", "),
                money(p.vpc_endpoint_hour_per_az),
                a.endpoint_data_gb_per_month,
                money(p.vpc_endpoint_data_gb)
            ),
            monthly: cents(
                count
                    * (zones * hours * p.vpc_endpoint_hour_per_az
                        + a.endpoint_data_gb_per_month * p.vpc_endpoint_data_gb),
            ),
        });
    }
    for lb in &env.load_balancers {
        lines.push(Line {
            component: lb.name.clone(),
            item: format!(
                "ALB: {hours} h × {} + {} LCU × {hours} h × {}",
                money(p.alb_hour),
                a.alb_lcu,
                money(p.alb_lcu_hour)
            ),
            monthly: cents(hours * p.alb_hour + a.alb_lcu * hours * p.alb_lcu_hour),
        });
    }
    let task_hourly = |cpu: i64, memory: i64| {
        (cpu as f64 / 1024.0) * p.fargate_vcpu_hour + (memory as f64 / 1024.0) * p.fargate_gb_hour
    };
    for service in &env.services {
        let tasks = service.scale.min.value.max(0) as f64;
        lines.push(Line {
            component: service.name.clone(),
            item: format!(
                "Fargate: {tasks} task{} × {hours} h × ({} vCPU × {} + {} GB × {})",
                if tasks == 1.0 { "" } else { "s" },
                service.cpu.value as f64 / 1024.0,
                money(p.fargate_vcpu_hour),
                service.memory.value as f64 / 1024.0,
                money(p.fargate_gb_hour)
            ),
            monthly: cents(tasks * hours * task_hourly(service.cpu.value, service.memory.value)),
        });
    }
    for job in &env.jobs {
        lines.push(Line {
            component: job.name.clone(),
            item: format!("Fargate: {} h of runs (assumed)", a.job_hours_per_month),
            monthly: cents(a.job_hours_per_month * task_hourly(job.cpu.value, job.memory.value)),
        });
    }
    for database in &env.databases {
        let instances = (database.writers + database.readers) as f64;
        let hourly = p.aurora_instance_hour.get(&database.instance_class).copied();
        if hourly.is_none() {
            unpriced.push(format!("Aurora instance class {}", database.instance_class));
        }
        lines.push(Line {
            component: database.name.clone(),
            item: format!(
                "Aurora: {instances} × {} × {hours} h × {} + {} GB × {}",
                database.instance_class,
                money(hourly.unwrap_or(0.0)),
                a.aurora_storage_gb,
                money(p.aurora_storage_gb_month)
            ),
            monthly: cents(
                instances * hours * hourly.unwrap_or(0.0) + a.aurora_storage_gb * p.aurora_storage_gb_month,
            ),
        });
    }
    for cache in &env.caches {
        let line = match &cache.nodes {
            CacheNodes::Serverless { .. } => {
                // Valkey meters at least 100 MB.
                let data = a.cache_data_gb.max(0.1);
                Line {
                    component: cache.name.clone(),
                    item: format!(
                        "ElastiCache Serverless Valkey: {data} GB × {hours} h × {} + {} M ECPU × {}",
                        money(p.elasticache_serverless_valkey_gb_hour),
                        a.cache_ecpu_millions_per_month,
                        money(p.elasticache_serverless_valkey_ecpu_per_million)
                    ),
                    monthly: cents(
                        data * hours * p.elasticache_serverless_valkey_gb_hour
                            + a.cache_ecpu_millions_per_month
                                * p.elasticache_serverless_valkey_ecpu_per_million,
                    ),
                }
            }
            CacheNodes::Nodes {
                engine,
                node_type,
                replicas,
                ..
            } => {
                let nodes = (replicas.value + 1) as f64;
                let redis = p.elasticache_redis_node_hour.get(node_type).copied();
                if redis.is_none() {
                    unpriced.push(format!("ElastiCache node type {node_type}"));
                }
                let hourly = match engine {
                    CacheEngine::Valkey => redis.unwrap_or(0.0) * (1.0 - p.elasticache_valkey_node_discount),
                    CacheEngine::Redis => redis.unwrap_or(0.0),
                };
                Line {
                    component: cache.name.clone(),
                    item: format!(
                        "ElastiCache {}: {nodes} × {node_type} × {hours} h × {}",
                        engine.as_str(),
                        money(hourly)
                    ),
                    monthly: cents(nodes * hours * hourly),
                }
            }
        };
        lines.push(line);
    }
    if let Some(edge) = &env.edge {
        let requests = a.cloudfront_requests_per_month / 10_000.0;
        lines.push(Line {
            component: edge.name.clone(),
            item: format!(
                "CloudFront: {} GB × {} + {} × 10k requests × {}",
                a.cloudfront_data_gb_per_month,
                money(p.cloudfront_data_gb),
                requests,
                money(p.cloudfront_https_requests_per_10k)
            ),
            monthly: cents(
                a.cloudfront_data_gb_per_month * p.cloudfront_data_gb
                    + requests * p.cloudfront_https_requests_per_10k,
            ),
        });
        if let Some(waf) = &edge.waf {
            let rules = waf.rule_count() as f64;
            let millions = a.cloudfront_requests_per_month / 1_000_000.0;
            let extra_wcu = f64::from(waf.capacity().saturating_sub(1_500).div_ceil(500));
            let per_million =
                p.waf_per_million_requests + extra_wcu * p.waf_per_million_requests_per_500_wcu_over_1500;
            lines.push(Line {
                component: edge.name.clone(),
                item: format!(
                    "WAF: web ACL {} + {rules} rules × {} + {millions} million requests × {} ({} WCU)",
                    money(p.waf_web_acl_month),
                    money(p.waf_rule_month),
                    money(per_million),
                    waf.capacity()
                ),
                monthly: cents(p.waf_web_acl_month + rules * p.waf_rule_month + millions * per_million),
            });
        }
    }
    for connection in &env.connections {
        let hourly = match connection.kind {
            ConnectionKind::TransitGateway { .. } => {
                Some(("Transit Gateway attachment", p.transit_gateway_attachment_hour))
            }
            ConnectionKind::SiteToSiteVpn { .. } => {
                Some(("site-to-site VPN connection", p.vpn_connection_hour))
            }
            ConnectionKind::VpcPeering { .. } => None,
        };
        if let Some((what, hourly)) = hourly {
            lines.push(Line {
                component: connection.name.clone(),
                item: format!("{what}: {hours} h × {}", money(hourly)),
                monthly: cents(hours * hourly),
            });
        }
    }
    for bucket in &env.buckets {
        lines.push(Line {
            component: bucket.name.clone(),
            item: format!("S3: {} GB × {}", a.s3_gb_per_bucket, money(p.s3_gb_month)),
            monthly: cents(a.s3_gb_per_bucket * p.s3_gb_month),
        });
    }
    for topic in &env.topics {
        lines.push(Line {
            component: topic.name.clone(),
            item: format!(
                "SNS: {} e-mails × {} per 100k",
                a.sns_emails_per_month,
                money(p.sns_email_per_100k)
            ),
            monthly: cents(a.sns_emails_per_month / 100_000.0 * p.sns_email_per_100k),
        });
    }
    for queue in &env.queues {
        let (kind, price) = if queue.fifo {
            ("FIFO", p.sqs_fifo_per_million)
        } else {
            ("standard", p.sqs_standard_per_million)
        };
        lines.push(Line {
            component: queue.name.clone(),
            item: format!(
                "SQS {kind}: {} requests × {} per million (the free tier not counted)",
                a.sqs_requests_per_queue_per_month,
                money(price)
            ),
            monthly: cents(a.sqs_requests_per_queue_per_month / 1_000_000.0 * price),
        });
    }
    for mail in &env.mail {
        lines.push(Line {
            component: mail.name.clone(),
            item: format!(
                "SES: {} messages × {} per 1,000 (attachments' data not counted)",
                mail.monthly_messages,
                money(p.ses_per_1000_messages)
            ),
            monthly: cents(mail.monthly_messages as f64 / 1_000.0 * p.ses_per_1000_messages),
        });
    }
    for alarm in &env.alarms {
        lines.push(Line {
            component: alarm.name.clone(),
            item: format!("CloudWatch alarm: {}", money(p.cloudwatch_alarm_month)),
            monthly: cents(p.cloudwatch_alarm_month),
        });
    }
    let total = cents(lines.iter().map(|l| l.monthly).sum());
    Estimate {
        env: env.name.clone(),
        production: env.stage.value == Stage::Production,
        region: env.region.clone(),
        currency: catalogue.currency.clone(),
        prices_date: catalogue.date.clone(),
        lines,
        total,
        unpriced,
    }
}

/// The monthly cost of a NAT instance of `instance_type` beside a Regional NAT Gateway over the
/// environment's zones, from its region's catalogue (`None` without a price for either).
pub fn nat_instance_versus_gateway(env: &EnvIr, instance_type: &str) -> Option<(f64, f64)> {
    let catalogue = catalogue(&env.region)?;
    let instance = catalogue.instance_monthly(instance_type)?;
    let gateway = catalogue.nat_gateways_monthly(env.vpc.zones.value.len() as f64);
    Some((instance, gateway))
}

/// How much less each non-production environment's NAT costs than the first production one's:
/// `(env, baseline env, percent less)`.
pub fn nat_reductions(estimates: &[Estimate]) -> Vec<(String, String, f64)> {
    let Some(baseline) = estimates.iter().find(|e| e.production) else {
        return Vec::new();
    };
    estimates
        .iter()
        .filter(|e| !e.production && baseline.nat() > 0.0)
        .map(|e| {
            let percent = ((baseline.nat() - e.nat()) / baseline.nat() * 1000.0).round() / 10.0;
            (e.env.clone(), baseline.env.clone(), percent)
        })
        .collect()
}

/// The estimate as the CLI prints it.
pub fn render(estimates: &[Estimate]) -> String {
    let mut text = String::new();
    for estimate in estimates {
        let stage = if estimate.production {
            "production"
        } else {
            "non-production"
        };
        text.push_str(&format!(
            "env {} ({stage}, {}): estimated monthly cost in {}, prices of {}\n",
            estimate.env, estimate.region, estimate.currency, estimate.prices_date
        ));
        let width = estimate
            .lines
            .iter()
            .map(|l| l.component.len())
            .max()
            .unwrap_or(0)
            .max(5);
        for line in &estimate.lines {
            text.push_str(&format!(
                "  {:<width$}  {:>9.2}  {}\n",
                line.component, line.monthly, line.item
            ));
        }
        text.push_str(&format!("  {:<width$}  {:>9.2}\n", "total", estimate.total));
        for missing in &estimate.unpriced {
            text.push_str(&format!("  not priced: {missing} (not in the catalogue)\n"));
        }
    }
    for (env, baseline, percent) in nat_reductions(estimates) {
        let nat = |name: &str| {
            estimates
                .iter()
                .find(|e| e.env == name)
                .map_or(0.0, Estimate::nat)
        };
        text.push_str(&format!(
            "nat: {env} {:.2} vs {baseline} {:.2}: {percent}% less\n",
            nat(&env),
            nat(&baseline)
        ));
    }
    if let Some(catalogue) = estimates.first().and_then(|e| catalogue(&e.region)) {
        let a = &catalogue.assumptions;
        text.push_str(&format!(
            "assumptions: {} GB/month through a NAT gateway; {} GB/month through each interface endpoint; {} ALB LCU; {} h/month of each job; {} GB of Aurora storage; \
             {} GB and {} requests/month through CloudFront; {} GB per bucket; {} e-mails per topic; {} requests per queue; {} GB and {} million ECPUs per serverless cache; services at their minimum task count; \
             public IPv4 and data transfer out not included.\nprices: {}\n",
            a.nat_data_gb_per_month,
            a.endpoint_data_gb_per_month,
            a.alb_lcu,
            a.job_hours_per_month,
            a.aurora_storage_gb,
            a.cloudfront_data_gb_per_month,
            a.cloudfront_requests_per_month,
            a.s3_gb_per_bucket,
            a.sns_emails_per_month,
            a.sqs_requests_per_queue_per_month,
            a.cache_data_gb,
            a.cache_ecpu_millions_per_month,
            catalogue.source
        ));
    }
    text
}
