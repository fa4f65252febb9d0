//! The Terraform backend: one root module per environment, `<env>/terraform/`, split by concern
//! (versions and providers, network, edge, compute, data, monitoring, parameters, outputs),
//! read only from the IR.
//!
//! Addresses come from `.arch` names (`aws_subnet.container_a`, `aws_security_group.api`), so a
//! rebuild never moves state. Security-group rules are separate `aws_vpc_security_group_*_rule`
//! resources, one per IR rule. Where a checkov check does not fit the design, the resource
//! carries `checkov:skip` with the reason.

use std::collections::BTreeSet;

use super::hcl::{Block, Expr, r, refs, render_file, s, strings};
use super::{CommentStyle, OutputFile, header};
use crate::ir::*;
use crate::parameters::{Parameter, ParameterValue};

/// The provider constraint: 6.28 has Regional NAT gateways (6.24) and the VPC-origin fixes.
const AWS_PROVIDER: &str = ">= 6.28, < 7.0";
const ARCHIVE_PROVIDER: &str = "~> 2.7";
/// CloudFront's fixed hosted zone, for alias records.
const TLS_POLICY: &str = "ELBSecurityPolicy-TLS13-1-2-2021-06";

/// Everything an environment's files need to name things.
struct Ctx<'a> {
    ir: &'a Ir,
    env: &'a EnvIr,
    /// What Terraform publishes to SSM Parameter Store for the deploy side.
    parameters: Vec<Parameter>,
    /// Label renamed items by their old names (the pass that finds what `moved` blocks need).
    old_labels: bool,
}

impl Ctx<'_> {
    /// The Terraform label for an item's name. In the old-labels pass, a renamed item (and the
    /// subnets and route tables of a renamed tier) gets its old name.
    fn ident(&self, name: &str) -> String {
        if self.old_labels {
            for rename in &self.env.renames {
                if name == rename.to {
                    return ident(&rename.from);
                }
                let is_tier = self.env.tiers.iter().any(|t| t.name == rename.to);
                if let (true, Some(zone)) = (is_tier, name.strip_prefix(&format!("{}-", rename.to))) {
                    return ident(&format!("{}-{zone}", rename.from));
                }
            }
        }
        ident(name)
    }

    /// `webapp-prd-<part>`, in the character set AWS names accept.
    fn name(&self, part: &str) -> String {
        format!("{}-{}-{}", self.ir.system, self.env.name, part).replace('_', "-")
    }

    /// Bucket names are global: the account keeps them unique.
    fn bucket_name(&self, bucket: &str) -> String {
        format!(
            "{}-{}-{}-{}",
            self.ir.system, self.env.name, self.env.account, bucket
        )
        .replace('_', "-")
        .to_lowercase()
    }

    fn production(&self) -> bool {
        self.env.stage.value == Stage::Production
    }

    fn cluster_name(&self) -> String {
        format!("{}-{}", self.ir.system, self.env.name)
    }

    fn family(&self, task: &str) -> String {
        self.name(task)
    }

    fn subnet_ids(&self, tier: &str) -> Expr {
        let subnets = self
            .env
            .tiers
            .iter()
            .find(|t| t.name == tier)
            .map(|t| t.subnets.as_slice())
            .unwrap_or_default();
        refs(
            subnets
                .iter()
                .map(|s| format!("aws_subnet.{}.id", self.ident(&s.name))),
        )
    }

    fn log_bucket(&self) -> Option<&Bucket> {
        self.env
            .buckets
            .iter()
            .find(|b| b.purpose == Some(BucketPurpose::AccessLogs))
    }
}

/// A Terraform identifier from an `.arch` or AWS name: letters, digits and underscores.
fn ident(name: &str) -> String {
    let text: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    text.trim_start_matches(|c: char| c == '_' || c.is_ascii_digit())
        .to_owned()
}

/// The files of one environment.
pub fn files(ir: &Ir, env: &EnvIr, source_hash: &str) -> Vec<OutputFile> {
    let ctx = Ctx {
        ir,
        env,
        parameters: crate::parameters::publish(&ir.system, env),
        old_labels: false,
    };
    let dir = format!("{}/terraform", env.name);
    let head = header(CommentStyle::Hash, source_hash);
    let modules = modules(&ctx);
    let moved = moved_blocks(&modules, &modules_with_old_labels(ir, env));
    let mut out: Vec<OutputFile> = modules
        .into_iter()
        .chain((!moved.is_empty()).then_some(("moved.tf", moved)))
        .map(|(name, blocks)| OutputFile {
            path: format!("{dir}/{name}"),
            contents: format!("{head}\n{}", render_file(&blocks)),
        })
        .collect();
    if !env.alarms.is_empty() {
        out.push(OutputFile {
            path: format!("{dir}/lambda/alarm_notifier.py"),
            contents: format!("{head}{}", ALARM_NOTIFIER),
        });
    }
    out
}

/// Every `.tf` file of the environment, by name.
fn modules(ctx: &Ctx<'_>) -> Vec<(&'static str, Vec<Block>)> {
    let mut modules = vec![
        ("versions.tf", versions(ctx)),
        ("network.tf", network(ctx)),
        ("compute.tf", compute(ctx)),
        ("data.tf", data(ctx)),
        ("monitoring.tf", monitoring(ctx)),
        ("parameters.tf", parameter_blocks(ctx)),
        ("outputs.tf", outputs(ctx)),
    ];
    if ctx.env.edge.is_some() {
        modules.push(("edge.tf", edge(ctx)));
    }
    modules
}

fn modules_with_old_labels(ir: &Ir, env: &EnvIr) -> Vec<(&'static str, Vec<Block>)> {
    if env.renames.is_empty() {
        return Vec::new();
    }
    modules(&Ctx {
        ir,
        env,
        parameters: crate::parameters::publish(&ir.system, env),
        old_labels: true,
    })
}

/// `moved` blocks from each resource's address under the old names to its address now. Both
/// passes emit the same blocks in the same order (the order follows the IR, not the labels),
/// so addresses pair up by position.
fn moved_blocks(now: &[(&str, Vec<Block>)], before: &[(&str, Vec<Block>)]) -> Vec<Block> {
    let addresses = |modules: &[(&str, Vec<Block>)]| -> Vec<String> {
        modules
            .iter()
            .flat_map(|(_, blocks)| blocks.iter().filter_map(Block::resource_address))
            .collect()
    };
    addresses(before)
        .into_iter()
        .zip(addresses(now))
        .filter(|(from, to)| from != to)
        .map(|(from, to)| Block::new("moved", &[]).attr("from", r(from)).attr("to", r(to)))
        .collect()
}

// -- versions, providers, backend ------------------------------------------------------------

fn versions(ctx: &Ctx<'_>) -> Vec<Block> {
    let env = ctx.env;
    let providers = Block::new("required_providers", &[])
        .attr(
            "aws",
            Expr::Object(vec![
                ("source".into(), s("hashicorp/aws")),
                ("version".into(), s(AWS_PROVIDER)),
            ]),
        )
        .attr(
            "archive",
            Expr::Object(vec![
                ("source".into(), s("hashicorp/archive")),
                ("version".into(), s(ARCHIVE_PROVIDER)),
            ]),
        );
    let state_bucket = ctx
        .env
        .buckets
        .iter()
        .find(|b| b.purpose == Some(BucketPurpose::TerraformState))
        .map_or_else(|| ctx.bucket_name("tfstate"), |b| ctx.bucket_name(&b.name));
    let terraform = Block::new("terraform", &[])
        .attr("required_version", s(">= 1.10"))
        .block(providers)
        .block(
            Block::new("backend", &["s3"])
                .attr("bucket", s(state_bucket))
                .attr(
                    "key",
                    s(format!("{}/{}/terraform.tfstate", ctx.ir.system, env.name)),
                )
                .attr("region", s(&env.region))
                .attr("encrypt", Expr::Bool(true))
                .attr("use_lockfile", Expr::Bool(true)),
        );
    let provider = |alias: Option<&str>, region: &str| {
        Block::new("provider", &["aws"])
            .attr_opt("alias", alias.map(s))
            .attr("region", s(region))
            .attr("allowed_account_ids", strings([env.account.clone()]))
            .block(
                Block::new("assume_role", &[])
                    .attr(
                        "role_arn",
                        s(format!(
                            "arn:aws:iam::{}:role/{}-terraform",
                            env.account, ctx.ir.system
                        )),
                    )
                    .attr("session_name", s(format!("archc-{}-{}", ctx.ir.system, env.name))),
            )
            .block(Block::new("default_tags", &[]).attr(
                "tags",
                Expr::Object(vec![
                    ("Environment".into(), s(&env.name)),
                    ("ManagedBy".into(), s("archc")),
                    ("System".into(), s(&ctx.ir.system)),
                ]),
            ))
    };
    vec![
        terraform,
        provider(None, &env.region),
        provider(Some("us_east_1"), "us-east-1"),
        Block::data("aws_caller_identity", "current"),
    ]
}

// -- network ---------------------------------------------------------------------------------

fn tags(name: String) -> Expr {
    Expr::Object(vec![("Name".into(), s(name))])
}

fn network(ctx: &Ctx<'_>) -> Vec<Block> {
    let env = ctx.env;
    let mut blocks = vec![
        Block::resource("aws_vpc", "main")
            .attr("cidr_block", s(env.vpc.cidr.value.to_string()))
            .attr("enable_dns_support", Expr::Bool(true))
            .attr("enable_dns_hostnames", Expr::Bool(true))
            .attr("tags", tags(ctx.name("vpc"))),
        // The default security group admits nothing; every component has its own.
        Block::resource("aws_default_security_group", "default").attr("vpc_id", r("aws_vpc.main.id")),
        Block::resource("aws_internet_gateway", "main")
            .attr("vpc_id", r("aws_vpc.main.id"))
            .attr("tags", tags(ctx.name("igw"))),
    ];
    blocks.extend(flow_logs(ctx));
    for tier in &env.tiers {
        for subnet in &tier.subnets {
            blocks.push(subnet_block(ctx, subnet, false));
        }
    }
    for subnet in &env.public_subnets {
        blocks.push(subnet_block(ctx, subnet, true));
    }
    blocks.extend(nat(ctx));
    for table in &env.route_tables {
        let name = ctx.ident(&table.name);
        blocks.push(
            Block::resource("aws_route_table", &name)
                .attr("vpc_id", r("aws_vpc.main.id"))
                .attr("tags", tags(ctx.name(&table.name))),
        );
        for route in &table.routes {
            let target = match &route.target {
                RouteTarget::InternetGateway => ("gateway_id", "aws_internet_gateway.main.id".to_owned()),
                RouteTarget::RegionalNatGateway => {
                    ("nat_gateway_id", "aws_nat_gateway.regional.id".to_owned())
                }
                RouteTarget::ZonalNatGateway(subnet) => (
                    "nat_gateway_id",
                    format!("aws_nat_gateway.{}.id", ctx.ident(subnet)),
                ),
                RouteTarget::NatInstance => (
                    "network_interface_id",
                    "aws_instance.nat.primary_network_interface_id".to_owned(),
                ),
            };
            blocks.push(
                Block::resource("aws_route", &format!("{name}_default"))
                    .attr("route_table_id", r(format!("aws_route_table.{name}.id")))
                    .attr("destination_cidr_block", s(route.destination.to_string()))
                    .attr(target.0, r(target.1)),
            );
        }
        for subnet in &table.subnets {
            blocks.push(
                Block::resource("aws_route_table_association", &ctx.ident(subnet))
                    .attr("subnet_id", r(format!("aws_subnet.{}.id", ctx.ident(subnet))))
                    .attr("route_table_id", r(format!("aws_route_table.{name}.id"))),
            );
        }
    }
    blocks.push(
        Block::data("aws_ec2_managed_prefix_list", "cloudfront").attr("name", s(CLOUDFRONT_PREFIX_LIST)),
    );
    for group in &env.security_groups {
        let mut block = Block::resource("aws_security_group", &ctx.ident(&group.name));
        if matches!(group.category.as_str(), "service" | "job") {
            block = block.comment(
                "checkov:skip=CKV2_AWS_5:attached to the tasks by ecspresso's service and task definitions",
            );
        }
        blocks.push(
            block
                .attr("name", s(ctx.name(&group.name)))
                .attr(
                    "description",
                    s(format!(
                        "{} {} (archc)",
                        group.category.replace('_', " "),
                        group.name
                    )),
                )
                .attr("vpc_id", r("aws_vpc.main.id"))
                .attr("tags", tags(ctx.name(&group.name))),
        );
    }
    for rule in &env.ingress_rules {
        blocks.push(sg_rule(ctx, rule, true));
    }
    for rule in &env.egress_rules {
        blocks.push(sg_rule(ctx, rule, false));
    }
    blocks
}

fn subnet_block(ctx: &Ctx<'_>, subnet: &Subnet, public: bool) -> Block {
    let mut block = Block::resource("aws_subnet", &ctx.ident(&subnet.name));
    if public {
        block = block.comment("checkov:skip=CKV_AWS_130:the NAT's public subnet; the NAT needs a public address, nothing else lives here");
    }
    block
        .attr("vpc_id", r("aws_vpc.main.id"))
        .attr("cidr_block", s(subnet.cidr.to_string()))
        .attr("availability_zone", s(&subnet.zone))
        .attr("map_public_ip_on_launch", Expr::Bool(public))
        .attr("tags", tags(ctx.name(&subnet.name)))
}

fn peer_label(ctx: &Ctx<'_>, peer: &Peer) -> String {
    match peer {
        Peer::SecurityGroup(name) => ctx.ident(name),
        Peer::PrefixList(_) => "cloudfront".into(),
        Peer::Cidr(_) => "internet".into(),
    }
}

fn sg_rule(ctx: &Ctx<'_>, rule: &SgRule, ingress: bool) -> Block {
    let (kind, direction) = if ingress {
        ("aws_vpc_security_group_ingress_rule", "from")
    } else {
        ("aws_vpc_security_group_egress_rule", "to")
    };
    let name = format!(
        "{}_{direction}_{}_{}",
        ctx.ident(&rule.group),
        peer_label(ctx, &rule.peer),
        rule.port
    );
    let mut block = Block::resource(kind, &name);
    if let (Peer::Cidr(_), false) = (&rule.peer, ingress) {
        block = block.comment("checkov:skip=CKV_AWS_382:egress to the internet is the declared `flow … -> internet`, on its port only");
    }
    block = block
        .attr(
            "security_group_id",
            r(format!("aws_security_group.{}.id", ctx.ident(&rule.group))),
        )
        .attr("description", s(&rule.description))
        .attr("ip_protocol", s("tcp"))
        .attr("from_port", Expr::Num(i64::from(rule.port)))
        .attr("to_port", Expr::Num(i64::from(rule.port)));
    match &rule.peer {
        Peer::SecurityGroup(peer) => block.attr(
            "referenced_security_group_id",
            r(format!("aws_security_group.{}.id", ctx.ident(peer))),
        ),
        Peer::PrefixList(_) => block.attr(
            "prefix_list_id",
            r("data.aws_ec2_managed_prefix_list.cloudfront.id"),
        ),
        Peer::Cidr(cidr) => block.attr("cidr_ipv4", s(cidr.to_string())),
    }
}

fn flow_logs(ctx: &Ctx<'_>) -> Vec<Block> {
    vec![
        Block::resource("aws_cloudwatch_log_group", "vpc_flow_logs")
            .comment("checkov:skip=CKV_AWS_158:encrypted with the CloudWatch Logs service key; a customer key is not part of the design")
            .attr("name", s(format!("/vpc/{}", ctx.cluster_name())))
            .attr("retention_in_days", Expr::Num(365)),
        Block::data("aws_iam_policy_document", "flow_logs_assume").block(
            Block::new("statement", &[])
                .attr("actions", strings(["sts:AssumeRole"]))
                .block(
                    Block::new("principals", &[])
                        .attr("type", s("Service"))
                        .attr("identifiers", strings(["vpc-flow-logs.amazonaws.com"])),
                ),
        ),
        Block::resource("aws_iam_role", "flow_logs")
            .attr("name", s(ctx.name("flow-logs")))
            .attr("assume_role_policy", r("data.aws_iam_policy_document.flow_logs_assume.json")),
        Block::data("aws_iam_policy_document", "flow_logs").block(
            Block::new("statement", &[])
                .attr(
                    "actions",
                    strings(["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"]),
                )
                .attr("resources", refs(["\"${aws_cloudwatch_log_group.vpc_flow_logs.arn}:*\""])),
        ),
        Block::resource("aws_iam_role_policy", "flow_logs")
            .attr("role", r("aws_iam_role.flow_logs.id"))
            .attr("policy", r("data.aws_iam_policy_document.flow_logs.json")),
        Block::resource("aws_flow_log", "vpc")
            .attr("vpc_id", r("aws_vpc.main.id"))
            .attr("traffic_type", s("ALL"))
            .attr("log_destination_type", s("cloud-watch-logs"))
            .attr("log_destination", r("aws_cloudwatch_log_group.vpc_flow_logs.arn"))
            .attr("iam_role_arn", r("aws_iam_role.flow_logs.arn")),
    ]
}

fn nat(ctx: &Ctx<'_>) -> Vec<Block> {
    match &ctx.env.nat {
        Nat::Regional { .. } => vec![
            Block::resource("aws_nat_gateway", "regional")
                .attr("vpc_id", r("aws_vpc.main.id"))
                .attr("availability_mode", s("regional"))
                .attr("connectivity_type", s("public"))
                .attr("tags", tags(ctx.name("regional-nat")))
                .attr("depends_on", refs(["aws_internet_gateway.main"])),
        ],
        Nat::Zonal { subnets, .. } => subnets
            .iter()
            .flat_map(|subnet| {
                let name = ctx.ident(subnet);
                [
                    Block::resource("aws_eip", &name)
                        .attr("domain", s("vpc"))
                        .attr("tags", tags(ctx.name(subnet))),
                    Block::resource("aws_nat_gateway", &name)
                        .attr("allocation_id", r(format!("aws_eip.{name}.id")))
                        .attr("subnet_id", r(format!("aws_subnet.{name}.id")))
                        .attr("tags", tags(ctx.name(&format!("{subnet}-nat"))))
                        .attr("depends_on", refs(["aws_internet_gateway.main"])),
                ]
            })
            .collect(),
        Nat::Instance {
            instance_type,
            subnet,
            ..
        } => nat_instance(ctx, instance_type, subnet),
    }
}

/// The NAT instance: Amazon Linux 2023 forwarding and masquerading, its own security group
/// admitting only the egress the flows declare, from the groups that declare it.
fn nat_instance(ctx: &Ctx<'_>, instance_type: &str, subnet: &str) -> Vec<Block> {
    let mut blocks = vec![
        Block::data("aws_ami", "nat")
            .attr("most_recent", Expr::Bool(true))
            .attr("owners", strings(["amazon"]))
            .block(
                Block::new("filter", &[])
                    .attr("name", s("name"))
                    .attr("values", strings(["al2023-ami-minimal-*-x86_64"])),
            ),
        Block::resource("aws_security_group", "nat")
            .attr("name", s(ctx.name("nat")))
            .attr("description", s("NAT instance (archc)"))
            .attr("vpc_id", r("aws_vpc.main.id"))
            .attr("tags", tags(ctx.name("nat"))),
        Block::resource("aws_instance", "nat")
            .comment(
                "checkov:skip=CKV2_AWS_41:the NAT instance calls no AWS API, so it has no instance profile",
            )
            .comment("checkov:skip=CKV_AWS_88:a NAT instance needs a public address to forward traffic")
            .attr("ami", r("data.aws_ami.nat.id"))
            .attr("instance_type", s(instance_type))
            .attr("subnet_id", r(format!("aws_subnet.{}.id", ctx.ident(subnet))))
            .attr("vpc_security_group_ids", refs(["aws_security_group.nat.id"]))
            .attr("associate_public_ip_address", Expr::Bool(true))
            .attr("source_dest_check", Expr::Bool(false))
            .attr("monitoring", Expr::Bool(true))
            .attr("ebs_optimized", Expr::Bool(true))
            .attr("user_data", r(nat_user_data()))
            .attr("tags", tags(ctx.name("nat")))
            .block(
                Block::new("metadata_options", &[])
                    .attr("http_endpoint", s("enabled"))
                    .attr("http_tokens", s("required")),
            )
            .block(Block::new("root_block_device", &[]).attr("encrypted", Expr::Bool(true))),
    ];
    let mut ports: BTreeSet<u16> = BTreeSet::new();
    for rule in ctx
        .env
        .egress_rules
        .iter()
        .filter(|r| matches!(r.peer, Peer::Cidr(_)))
    {
        ports.insert(rule.port);
        blocks.push(
            Block::resource(
                "aws_vpc_security_group_ingress_rule",
                &format!("nat_from_{}_{}", ctx.ident(&rule.group), rule.port),
            )
            .attr("security_group_id", r("aws_security_group.nat.id"))
            .attr(
                "description",
                s(format!("egress of {} through the NAT", rule.group)),
            )
            .attr("ip_protocol", s("tcp"))
            .attr("from_port", Expr::Num(i64::from(rule.port)))
            .attr("to_port", Expr::Num(i64::from(rule.port)))
            .attr(
                "referenced_security_group_id",
                r(format!("aws_security_group.{}.id", ctx.ident(&rule.group))),
            ),
        );
    }
    for port in ports {
        blocks.push(
            Block::resource(
                "aws_vpc_security_group_egress_rule",
                &format!("nat_to_internet_{port}"),
            )
            .comment(
                "checkov:skip=CKV_AWS_382:the NAT forwards the declared internet egress, on its ports only",
            )
            .attr("security_group_id", r("aws_security_group.nat.id"))
            .attr("description", s("forwarded egress"))
            .attr("ip_protocol", s("tcp"))
            .attr("from_port", Expr::Num(i64::from(port)))
            .attr("to_port", Expr::Num(i64::from(port)))
            .attr("cidr_ipv4", s("0.0.0.0/0")),
        );
    }
    blocks
}

/// The NAT instance's boot script: IP forwarding and masquerading out of its interface.
const NAT_USER_DATA: &str = include_str!("terraform/nat_user_data.sh");

/// The boot script as an indented heredoc (no `${` or `%{` in it: HCL would interpolate them).
fn nat_user_data() -> String {
    let body: String = NAT_USER_DATA
        .lines()
        .map(|line| format!("    {line}\n"))
        .collect();
    format!("<<-EOT\n{body}  EOT")
}

// -- edge --------------------------------------------------------------------------------------

/// An ACM certificate validated by DNS in the domain's zone, or the ARN given.
fn certificate(
    ctx: &Ctx<'_>,
    name: &str,
    certificate: &Certificate,
    provider: Option<&str>,
) -> (Vec<Block>, Expr) {
    let (Some(domain), None) = (&certificate.domain, &certificate.arn) else {
        return (Vec::new(), s(certificate.arn.clone().unwrap_or_default()));
    };
    let provider = provider.map(|p| r(format!("aws.{p}")));
    let blocks = vec![
        Block::resource("aws_acm_certificate", name)
            .attr_opt("provider", provider.clone())
            .attr("domain_name", s(domain))
            .attr("validation_method", s("DNS"))
            .attr("tags", tags(ctx.name(name)))
            .block(Block::new("lifecycle", &[]).attr("create_before_destroy", Expr::Bool(true))),
        Block::resource("aws_route53_record", &format!("{name}_validation"))
            .attr(
                "for_each",
                r(format!(
                    "{{ for option in aws_acm_certificate.{name}.domain_validation_options : option.domain_name => option }}"
                )),
            )
            .attr("zone_id", r("data.aws_route53_zone.main.zone_id"))
            .attr("name", r("each.value.resource_record_name"))
            .attr("type", r("each.value.resource_record_type"))
            .attr("records", refs(["each.value.resource_record_value"]))
            .attr("ttl", Expr::Num(60))
            .attr("allow_overwrite", Expr::Bool(true)),
        Block::resource("aws_acm_certificate_validation", name)
            .attr_opt("provider", provider)
            .attr("certificate_arn", r(format!("aws_acm_certificate.{name}.arn")))
            .attr(
                "validation_record_fqdns",
                r(format!("[for record in aws_route53_record.{name}_validation : record.fqdn]")),
            ),
    ];
    (
        blocks,
        r(format!("aws_acm_certificate_validation.{name}.certificate_arn")),
    )
}

fn edge(ctx: &Ctx<'_>) -> Vec<Block> {
    let Some(edge) = &ctx.env.edge else {
        return Vec::new();
    };
    let name = ctx.ident(&edge.name);
    let mut blocks = Vec::new();
    if ctx.ir.domain.is_some() {
        blocks.push(
            Block::data("aws_route53_zone", "main")
                .attr("name", s(ctx.ir.domain.clone().unwrap_or_default()))
                .attr("private_zone", Expr::Bool(false)),
        );
    }
    let (cert_blocks, cert_arn) = certificate(
        ctx,
        &format!("{name}_certificate"),
        &edge.certificate,
        Some("us_east_1"),
    );
    blocks.extend(cert_blocks);

    let used_cache: BTreeSet<&str> = edge
        .behaviours
        .iter()
        .map(|b| b.cache_policy.value.managed_name())
        .collect();
    for policy in &used_cache {
        blocks
            .push(Block::data("aws_cloudfront_cache_policy", &policy_ident(policy)).attr("name", s(*policy)));
    }
    let used_request: BTreeSet<&str> = edge
        .behaviours
        .iter()
        .filter_map(|b| {
            b.origin_request_policy
                .value
                .map(OriginRequestPolicy::managed_name)
        })
        .collect();
    for policy in &used_request {
        blocks.push(
            Block::data("aws_cloudfront_origin_request_policy", &policy_ident(policy))
                .attr("name", s(*policy)),
        );
    }
    let headers = edge.headers == HeadersPolicy::SecurityHeaders;
    if headers {
        blocks.push(response_headers_policy(ctx));
    }
    let mut origins = Vec::new();
    for origin in &edge.origins {
        let id = ctx.ident(&origin.name);
        match origin.kind {
            EdgeOriginKind::VpcOrigin => {
                blocks.push(
                    Block::resource("aws_cloudfront_vpc_origin", &id).block(
                        Block::new("vpc_origin_endpoint_config", &[])
                            .attr("name", s(ctx.name(&origin.name)))
                            .attr("arn", r(format!("aws_lb.{id}.arn")))
                            .attr("http_port", Expr::Num(80))
                            .attr("https_port", Expr::Num(443))
                            .attr("origin_protocol_policy", s("https-only"))
                            .block(
                                Block::new("origin_ssl_protocols", &[])
                                    .attr("items", strings(["TLSv1.2"]))
                                    .attr("quantity", Expr::Num(1)),
                            ),
                    ),
                );
                // The Host and SNI name must be on the ALB's certificate; no DNS record points at it.
                let domain = ctx
                    .ir
                    .domain
                    .clone()
                    .map_or_else(|| r(format!("aws_lb.{id}.dns_name")), s);
                origins.push(
                    Block::new("origin", &[])
                        .attr("origin_id", s(&origin.name))
                        .attr("domain_name", domain)
                        .block(
                            Block::new("vpc_origin_config", &[])
                                .attr("vpc_origin_id", r(format!("aws_cloudfront_vpc_origin.{id}.id")))
                                .attr("origin_read_timeout", Expr::Num(30))
                                .attr("origin_keepalive_timeout", Expr::Num(5)),
                        ),
                );
            }
            EdgeOriginKind::S3 => {
                blocks.push(
                    Block::resource("aws_cloudfront_origin_access_control", &id)
                        .attr("name", s(ctx.name(&origin.name)))
                        .attr("origin_access_control_origin_type", s("s3"))
                        .attr("signing_behavior", s("always"))
                        .attr("signing_protocol", s("sigv4")),
                );
                origins.push(
                    Block::new("origin", &[])
                        .attr("origin_id", s(&origin.name))
                        .attr(
                            "domain_name",
                            r(format!("aws_s3_bucket.{id}.bucket_regional_domain_name")),
                        )
                        .attr(
                            "origin_access_control_id",
                            r(format!("aws_cloudfront_origin_access_control.{id}.id")),
                        ),
                );
            }
            EdgeOriginKind::S3Website => origins.push(
                Block::new("origin", &[])
                    .attr("origin_id", s(&origin.name))
                    .attr(
                        "domain_name",
                        r(format!(
                            "aws_s3_bucket_website_configuration.{id}.website_endpoint"
                        )),
                    )
                    .block(
                        Block::new("custom_origin_config", &[])
                            .attr("http_port", Expr::Num(80))
                            .attr("https_port", Expr::Num(443))
                            .attr("origin_protocol_policy", s("http-only"))
                            .attr("origin_ssl_protocols", strings(["TLSv1.2"])),
                    ),
            ),
        }
    }
    let behaviour = |b: &Behaviour, default: bool| {
        let kind = if default {
            "default_cache_behavior"
        } else {
            "ordered_cache_behavior"
        };
        let dynamic = b.target_kind == EdgeOriginKind::VpcOrigin;
        let methods: &[&str] = if dynamic {
            &["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"]
        } else {
            &["GET", "HEAD", "OPTIONS"]
        };
        let mut block = Block::new(kind, &[]);
        if !default {
            block = block.attr("path_pattern", s(&b.pattern));
        }
        block
            .attr("target_origin_id", s(&b.target))
            .attr("viewer_protocol_policy", s("redirect-to-https"))
            .attr("allowed_methods", strings(methods.iter().copied()))
            .attr("cached_methods", strings(["GET", "HEAD"]))
            .attr("compress", Expr::Bool(true))
            .attr(
                "cache_policy_id",
                r(format!(
                    "data.aws_cloudfront_cache_policy.{}.id",
                    policy_ident(b.cache_policy.value.managed_name())
                )),
            )
            .attr_opt(
                "origin_request_policy_id",
                b.origin_request_policy
                    .value
                    .map(OriginRequestPolicy::managed_name)
                    .map(|p| {
                        r(format!(
                            "data.aws_cloudfront_origin_request_policy.{}.id",
                            policy_ident(p)
                        ))
                    }),
            )
            .attr_opt(
                "response_headers_policy_id",
                headers.then(|| r("aws_cloudfront_response_headers_policy.security.id")),
            )
    };
    let default = edge
        .behaviours
        .iter()
        .find(|b| b.pattern == "/*")
        .or_else(|| edge.behaviours.first());
    let mut distribution = Block::resource("aws_cloudfront_distribution", &name)
        .comment("checkov:skip=CKV_AWS_68:WAF is not part of the reference design; the distribution is the one exposure point and can take a web ACL later")
        .comment("checkov:skip=CKV2_AWS_47:no WAF (see CKV_AWS_68)")
        .comment("checkov:skip=CKV_AWS_310:one origin per behaviour; the internal ALB spans every zone")
        .comment("checkov:skip=CKV_AWS_374:the application serves every country")
        .comment("checkov:skip=CKV_AWS_305:`/` is served by the application through the load balancer")
        .attr("enabled", Expr::Bool(true))
        .attr("is_ipv6_enabled", Expr::Bool(true))
        .attr("http_version", s("http2and3"))
        .attr("comment", s(ctx.name(&edge.name)))
        .attr("price_class", s(price_class(edge.price_class)))
        .attr_opt("aliases", ctx.ir.domain.clone().map(|d| strings([d])))
        .blocks(origins);
    if let Some(b) = default {
        distribution = distribution.block(behaviour(b, true));
    }
    for b in edge.behaviours.iter().filter(|b| Some(*b) != default) {
        distribution = distribution.block(behaviour(b, false));
    }
    distribution = distribution
        .block(
            Block::new("viewer_certificate", &[])
                .attr("acm_certificate_arn", cert_arn)
                .attr("ssl_support_method", s("sni-only"))
                .attr("minimum_protocol_version", s("TLSv1.2_2021")),
        )
        .block(
            Block::new("restrictions", &[])
                .block(Block::new("geo_restriction", &[]).attr("restriction_type", s("none"))),
        );
    if let Some(logs) = &edge.access_logs {
        distribution = distribution.block(
            Block::new("logging_config", &[])
                .attr(
                    "bucket",
                    r(format!(
                        "aws_s3_bucket.{}.bucket_domain_name",
                        ctx.ident(&logs.value)
                    )),
                )
                .attr("prefix", s("cloudfront/"))
                .attr("include_cookies", Expr::Bool(false)),
        );
    }
    blocks.push(distribution);
    if ctx.ir.domain.is_some() {
        for record in ["A", "AAAA"] {
            blocks.push(
                Block::resource("aws_route53_record", &format!("{name}_{}", record.to_lowercase()))
                    .attr("zone_id", r("data.aws_route53_zone.main.zone_id"))
                    .attr("name", s(ctx.ir.domain.clone().unwrap_or_default()))
                    .attr("type", s(record))
                    .block(
                        Block::new("alias", &[])
                            .attr(
                                "name",
                                r(format!("aws_cloudfront_distribution.{name}.domain_name")),
                            )
                            .attr(
                                "zone_id",
                                r(format!("aws_cloudfront_distribution.{name}.hosted_zone_id")),
                            )
                            .attr("evaluate_target_health", Expr::Bool(false)),
                    ),
            );
        }
    }
    blocks
}

fn policy_ident(policy: &str) -> String {
    policy
        .trim_start_matches("Managed-")
        .replace('-', "_")
        .to_lowercase()
}

fn price_class(class: PriceClass) -> &'static str {
    match class {
        PriceClass::Class100 => "PriceClass_100",
        PriceClass::Class200 => "PriceClass_200",
        PriceClass::All => "PriceClass_All",
    }
}

fn response_headers_policy(ctx: &Ctx<'_>) -> Block {
    Block::resource("aws_cloudfront_response_headers_policy", "security")
        .attr("name", s(ctx.name("security-headers")))
        .block(
            Block::new("security_headers_config", &[])
                .block(
                    Block::new("strict_transport_security", &[])
                        .attr("access_control_max_age_sec", Expr::Num(31_536_000))
                        .attr("include_subdomains", Expr::Bool(true))
                        .attr("preload", Expr::Bool(true))
                        .attr("override", Expr::Bool(true)),
                )
                .block(Block::new("content_type_options", &[]).attr("override", Expr::Bool(true)))
                .block(
                    Block::new("referrer_policy", &[])
                        .attr("referrer_policy", s("strict-origin-when-cross-origin"))
                        .attr("override", Expr::Bool(true)),
                )
                .block(
                    Block::new("content_security_policy", &[])
                        .attr(
                            "content_security_policy",
                            s("default-src 'self'; frame-ancestors 'none'"),
                        )
                        .attr("override", Expr::Bool(true)),
                ),
        )
}

// -- compute -----------------------------------------------------------------------------------

/// Every task (services, then jobs) with its image, secrets and whether it uses a database.
struct Task<'a> {
    name: &'a str,
    image: &'a str,
    secrets: &'a [Secret],
}

fn tasks(env: &EnvIr) -> Vec<Task<'_>> {
    env.services
        .iter()
        .map(|s| Task {
            name: &s.name,
            image: &s.image,
            secrets: &s.secrets,
        })
        .chain(env.jobs.iter().map(|j| Task {
            name: &j.name,
            image: &j.image,
            secrets: &j.secrets,
        }))
        .collect()
}

fn compute(ctx: &Ctx<'_>) -> Vec<Block> {
    let env = ctx.env;
    let mut blocks = vec![
        Block::resource("aws_ecs_cluster", "main")
            .attr("name", s(ctx.cluster_name()))
            .block(
                Block::new("setting", &[])
                    .attr("name", s("containerInsights"))
                    .attr("value", s("enabled")),
            ),
        Block::data("aws_iam_policy_document", "ecs_tasks_assume").block(
            Block::new("statement", &[])
                .attr("actions", strings(["sts:AssumeRole"]))
                .block(
                    Block::new("principals", &[])
                        .attr("type", s("Service"))
                        .attr("identifiers", strings(["ecs-tasks.amazonaws.com"])),
                ),
        ),
    ];
    let mut repositories: BTreeSet<&str> = BTreeSet::new();
    for task in tasks(env) {
        repositories.insert(task.image);
    }
    for repository in &repositories {
        let id = ctx.ident(repository);
        blocks.push(
            Block::resource("aws_ecr_repository", &id)
                .attr("name", s(*repository))
                .attr("image_tag_mutability", s("IMMUTABLE"))
                .block(Block::new("image_scanning_configuration", &[]).attr("scan_on_push", Expr::Bool(true)))
                .block(Block::new("encryption_configuration", &[]).attr("encryption_type", s("KMS"))),
        );
        blocks.push(
            Block::resource("aws_ecr_lifecycle_policy", &id)
                .attr("repository", r(format!("aws_ecr_repository.{id}.name")))
                .attr("policy", r(ECR_LIFECYCLE)),
        );
    }
    for task in tasks(env) {
        blocks.extend(task_iam(ctx, &task));
    }
    for lb in &env.load_balancers {
        blocks.extend(load_balancer(ctx, lb));
    }
    for service in &env.services {
        blocks.extend(autoscaling(ctx, service));
    }
    if !env.jobs.is_empty() {
        blocks.extend(scheduler(ctx));
    }
    blocks
}

const ECR_LIFECYCLE: &str = "jsonencode({
    rules = [{
      rulePriority = 1
      description  = \"keep the last 50 images\"
      selection    = { tagStatus = \"any\", countType = \"imageCountMoreThan\", countNumber = 50 }
      action       = { type = \"expire\" }
    }]
  })";

fn task_iam(ctx: &Ctx<'_>, task: &Task<'_>) -> Vec<Block> {
    let id = ctx.ident(task.name);
    let env = ctx.env;
    let secret_arns: Vec<String> = task
        .secrets
        .iter()
        .map(|secret| {
            format!(
                "arn:aws:secretsmanager:{}:{}:secret:{}-*",
                env.region, env.account, secret.secret_name
            )
        })
        .collect();
    let database_secrets: Vec<String> = env
        .flows
        .iter()
        .filter(|f| f.from == task.name)
        .filter(|f| env.databases.iter().any(|d| f.to == d.name))
        .map(|f| {
            format!(
                "aws_rds_cluster.{}.master_user_secret[0].secret_arn",
                ctx.ident(f.to.name())
            )
        })
        .collect();
    let mut execution = Block::data("aws_iam_policy_document", &format!("{id}_execution"))
        .block(
            Block::new("statement", &[])
                .attr("sid", s("PullAuthorization"))
                .attr("actions", strings(["ecr:GetAuthorizationToken"]))
                .attr("resources", strings(["*"])),
        )
        .block(
            Block::new("statement", &[])
                .attr("sid", s("PullImage"))
                .attr(
                    "actions",
                    strings([
                        "ecr:BatchCheckLayerAvailability",
                        "ecr:BatchGetImage",
                        "ecr:GetDownloadUrlForLayer",
                    ]),
                )
                .attr(
                    "resources",
                    refs([format!("aws_ecr_repository.{}.arn", ctx.ident(task.image))]),
                ),
        )
        .block(
            Block::new("statement", &[])
                .attr("sid", s("WriteLogs"))
                .attr("actions", strings(["logs:CreateLogStream", "logs:PutLogEvents"]))
                .attr(
                    "resources",
                    refs([format!("\"${{aws_cloudwatch_log_group.{id}.arn}}:*\"")]),
                ),
        );
    if !secret_arns.is_empty() || !database_secrets.is_empty() {
        let mut resources: Vec<Expr> = secret_arns.into_iter().map(Expr::Str).collect();
        resources.extend(database_secrets.into_iter().map(Expr::Raw));
        execution = execution.block(
            Block::new("statement", &[])
                .attr("sid", s("ReadSecrets"))
                .attr("actions", strings(["secretsmanager:GetSecretValue"]))
                .attr("resources", Expr::List(resources)),
        );
    }
    vec![
        Block::resource("aws_cloudwatch_log_group", &id)
            .comment("checkov:skip=CKV_AWS_158:encrypted with the CloudWatch Logs service key; a customer key is not part of the design")
            .attr("name", s(format!("/ecs/{}/{}", ctx.cluster_name(), task.name)))
            .attr("retention_in_days", Expr::Num(365)),
        Block::resource("aws_iam_role", &format!("{id}_execution"))
            .attr("name", s(ctx.name(&format!("{}-execution", task.name))))
            .attr("assume_role_policy", r("data.aws_iam_policy_document.ecs_tasks_assume.json")),
        execution,
        Block::resource("aws_iam_role_policy", &format!("{id}_execution"))
            .attr("role", r(format!("aws_iam_role.{id}_execution.id")))
            .attr("policy", r(format!("data.aws_iam_policy_document.{id}_execution.json"))),
        // The application's own permissions are the team's to grant; the role starts empty.
        Block::resource("aws_iam_role", &format!("{id}_task"))
            .attr("name", s(ctx.name(&format!("{}-task", task.name))))
            .attr("assume_role_policy", r("data.aws_iam_policy_document.ecs_tasks_assume.json")),
    ]
}

fn load_balancer(ctx: &Ctx<'_>, lb: &LoadBalancer) -> Vec<Block> {
    let env = ctx.env;
    let id = ctx.ident(&lb.name);
    let (mut blocks, cert_arn) = certificate(ctx, &format!("{id}_certificate"), &lb.certificate, None);
    let mut alb = Block::resource("aws_lb", &id)
        .comment("checkov:skip=CKV2_AWS_28:no WAF in the reference design; the ALB is internal and reached only through CloudFront");
    if !ctx.production() {
        alb = alb.comment("checkov:skip=CKV_AWS_150:deletion protection is for production; this environment is rebuilt at will");
    }
    alb = alb
        .attr("name", s(ctx.name(&lb.name)))
        .attr("internal", Expr::Bool(lb.internal.value))
        .attr("load_balancer_type", s("application"))
        .attr("subnets", ctx.subnet_ids(&lb.tier))
        .attr("security_groups", refs([format!("aws_security_group.{id}.id")]))
        .attr("drop_invalid_header_fields", Expr::Bool(true))
        .attr(
            "idle_timeout",
            Expr::Num(i64::try_from(lb.idle_timeout_seconds).unwrap_or(60)),
        )
        .attr("enable_deletion_protection", Expr::Bool(ctx.production()));
    if let Some(logs) = &lb.access_logs {
        alb = alb.block(
            Block::new("access_logs", &[])
                .attr(
                    "bucket",
                    r(format!("aws_s3_bucket.{}.id", ctx.ident(&logs.value))),
                )
                .attr("prefix", s(format!("alb/{}", lb.name)))
                .attr("enabled", Expr::Bool(true)),
        );
    }
    blocks.push(alb);
    let services: Vec<&Service> = env
        .services
        .iter()
        .filter(|s| s.load_balancer.as_deref() == Some(lb.name.as_str()))
        .collect();
    for service in &services {
        let sid = ctx.ident(&service.name);
        blocks.push(
            Block::resource("aws_lb_target_group", &sid)
                .comment("checkov:skip=CKV_AWS_378:TLS ends at the internal ALB; ALB to task is plain HTTP inside the private container tier, guarded by SG-to-SG rules")
                .attr("name", s(short_name(&ctx.name(&service.name))))
                .attr("port", Expr::Num(i64::from(service.port.value)))
                .attr("protocol", s("HTTP"))
                .attr("target_type", s("ip"))
                .attr("vpc_id", r("aws_vpc.main.id"))
                .attr("deregistration_delay", Expr::Num(30))
                .block(
                    Block::new("health_check", &[])
                        .attr("path", s(service.health_check.clone().unwrap_or_else(|| lb.health_check.clone())))
                        .attr("matcher", s("200-399")),
                ),
        );
    }
    let action = match services.first() {
        Some(service) => Block::new("default_action", &[]).attr("type", s("forward")).attr(
            "target_group_arn",
            r(format!("aws_lb_target_group.{}.arn", ctx.ident(&service.name))),
        ),
        None => Block::new("default_action", &[])
            .attr("type", s("fixed-response"))
            .block(
                Block::new("fixed_response", &[])
                    .attr("content_type", s("text/plain"))
                    .attr("status_code", s("404")),
            ),
    };
    blocks.push(
        Block::resource("aws_lb_listener", &format!("{id}_https"))
            .attr("load_balancer_arn", r(format!("aws_lb.{id}.arn")))
            .attr("port", Expr::Num(i64::from(lb.listen)))
            .attr("protocol", s("HTTPS"))
            .attr("ssl_policy", s(TLS_POLICY))
            .attr("certificate_arn", cert_arn)
            .block(action),
    );
    blocks
}

/// Target group names have at most 32 characters.
fn short_name(name: &str) -> String {
    name.chars()
        .take(32)
        .collect::<String>()
        .trim_end_matches('-')
        .to_owned()
}

fn autoscaling(ctx: &Ctx<'_>, service: &Service) -> Vec<Block> {
    let id = ctx.ident(&service.name);
    let scale = &service.scale;
    let mut blocks = vec![
        Block::resource("aws_appautoscaling_target", &id)
            .attr("service_namespace", s("ecs"))
            .attr("scalable_dimension", s("ecs:service:DesiredCount"))
            .attr(
                "resource_id",
                s(format!("service/{}/{}", ctx.cluster_name(), service.name)),
            )
            .attr("min_capacity", Expr::Num(scale.min.value))
            .attr("max_capacity", Expr::Num(scale.max.value)),
    ];
    let targets = [
        ("cpu", scale.cpu_target, "ECSServiceAverageCPUUtilization"),
        (
            "memory",
            scale.memory_target,
            "ECSServiceAverageMemoryUtilization",
        ),
    ];
    for (metric, target, predefined) in targets {
        let Some(target) = target else { continue };
        blocks.push(
            Block::resource("aws_appautoscaling_policy", &format!("{id}_{metric}"))
                .attr("name", s(ctx.name(&format!("{}-{metric}", service.name))))
                .attr("policy_type", s("TargetTrackingScaling"))
                .attr(
                    "service_namespace",
                    r(format!("aws_appautoscaling_target.{id}.service_namespace")),
                )
                .attr(
                    "scalable_dimension",
                    r(format!("aws_appautoscaling_target.{id}.scalable_dimension")),
                )
                .attr(
                    "resource_id",
                    r(format!("aws_appautoscaling_target.{id}.resource_id")),
                )
                .block(
                    Block::new("target_tracking_scaling_policy_configuration", &[])
                        .attr("target_value", Expr::Num(i64::from(target)))
                        .attr(
                            "scale_out_cooldown",
                            Expr::Num(i64::try_from(scale.scale_out_cooldown_seconds.value).unwrap_or(60)),
                        )
                        .attr(
                            "scale_in_cooldown",
                            Expr::Num(i64::try_from(scale.scale_in_cooldown_seconds.value).unwrap_or(300)),
                        )
                        .block(
                            Block::new("predefined_metric_specification", &[])
                                .attr("predefined_metric_type", s(predefined)),
                        ),
                ),
        );
    }
    blocks
}

/// EventBridge Scheduler runs each job's latest task definition on the cluster.
fn scheduler(ctx: &Ctx<'_>) -> Vec<Block> {
    let env = ctx.env;
    let families: Vec<String> = env
        .jobs
        .iter()
        .map(|j| {
            format!(
                "arn:aws:ecs:{}:{}:task-definition/{}",
                env.region,
                env.account,
                ctx.family(&j.name)
            )
        })
        .collect();
    let mut run_task: Vec<String> = families.clone();
    run_task.extend(families.iter().map(|f| format!("{f}:*")));
    let roles: Vec<String> = env
        .jobs
        .iter()
        .flat_map(|j| {
            let id = ctx.ident(&j.name);
            [
                format!("aws_iam_role.{id}_execution.arn"),
                format!("aws_iam_role.{id}_task.arn"),
            ]
        })
        .collect();
    let mut blocks = vec![
        Block::data("aws_iam_policy_document", "scheduler_assume").block(
            Block::new("statement", &[])
                .attr("actions", strings(["sts:AssumeRole"]))
                .block(
                    Block::new("principals", &[])
                        .attr("type", s("Service"))
                        .attr("identifiers", strings(["scheduler.amazonaws.com"])),
                ),
        ),
        Block::resource("aws_iam_role", "scheduler")
            .attr("name", s(ctx.name("scheduler")))
            .attr(
                "assume_role_policy",
                r("data.aws_iam_policy_document.scheduler_assume.json"),
            ),
        Block::data("aws_iam_policy_document", "scheduler")
            .block(
                Block::new("statement", &[])
                    .attr("sid", s("RunJobs"))
                    .attr("actions", strings(["ecs:RunTask"]))
                    .attr("resources", strings(run_task)),
            )
            .block(
                Block::new("statement", &[])
                    .attr("sid", s("PassJobRoles"))
                    .attr("actions", strings(["iam:PassRole"]))
                    .attr("resources", refs(roles)),
            ),
        Block::resource("aws_iam_role_policy", "scheduler")
            .attr("role", r("aws_iam_role.scheduler.id"))
            .attr("policy", r("data.aws_iam_policy_document.scheduler.json")),
    ];
    for (job, family) in env.jobs.iter().zip(&families) {
        let id = ctx.ident(&job.name);
        blocks.push(
            Block::resource("aws_scheduler_schedule", &id)
                .comment("checkov:skip=CKV_AWS_297:the schedule holds no secret; the service key is enough")
                .attr("name", s(ctx.name(&job.name)))
                .attr("schedule_expression", s(&job.schedule))
                .attr("schedule_expression_timezone", s("UTC"))
                .block(Block::new("flexible_time_window", &[]).attr("mode", s("OFF")))
                .block(
                    Block::new("target", &[])
                        .attr("arn", r("aws_ecs_cluster.main.arn"))
                        .attr("role_arn", r("aws_iam_role.scheduler.arn"))
                        .block(
                            Block::new("ecs_parameters", &[])
                                .attr("task_definition_arn", s(family))
                                .attr("launch_type", s("FARGATE"))
                                .attr("task_count", Expr::Num(1))
                                .block(
                                    Block::new("network_configuration", &[])
                                        .attr("subnets", ctx.subnet_ids(&job.tier))
                                        .attr(
                                            "security_groups",
                                            refs([format!("aws_security_group.{id}.id")]),
                                        )
                                        .attr("assign_public_ip", Expr::Bool(job.public_ip.value)),
                                ),
                        )
                        .block(Block::new("retry_policy", &[]).attr("maximum_retry_attempts", Expr::Num(0))),
                ),
        );
    }
    blocks
}

// -- data --------------------------------------------------------------------------------------

fn data(ctx: &Ctx<'_>) -> Vec<Block> {
    let mut blocks = Vec::new();
    for database in &ctx.env.databases {
        blocks.extend(aurora(ctx, database));
    }
    for bucket in &ctx.env.buckets {
        blocks.extend(bucket_blocks(ctx, bucket));
    }
    blocks
}

fn aurora(ctx: &Ctx<'_>, database: &Database) -> Vec<Block> {
    let id = ctx.ident(&database.name);
    let identifier = ctx.name(&database.name);
    let mut cluster = Block::resource("aws_rds_cluster", &id)
        .comment("checkov:skip=CKV_AWS_327:encrypted with the RDS service key; a customer key is not part of the design")
        .comment("checkov:skip=CKV2_AWS_8:Aurora's automated backups (backup_retention_period) are the backup plan")
        .attr("cluster_identifier", s(&identifier))
        .attr("engine", s(&database.engine))
        .attr("engine_version", s(&database.version))
        .attr("database_name", s(&database.name))
        .attr("master_username", s(format!("{}_admin", database.name)))
        .attr("manage_master_user_password", Expr::Bool(true))
        .attr("db_subnet_group_name", r(format!("aws_db_subnet_group.{id}.name")))
        .attr("db_cluster_parameter_group_name", r(format!("aws_rds_cluster_parameter_group.{id}.name")))
        .attr("vpc_security_group_ids", refs([format!("aws_security_group.{id}.id")]))
        .attr("port", Expr::Num(i64::from(database.port)))
        .attr("storage_encrypted", Expr::Bool(database.encrypted.value))
        .attr("deletion_protection", Expr::Bool(database.deletion_protection.value))
        .attr("backup_retention_period", Expr::Num(i64::try_from(database.backup_retention_days).unwrap_or(7)))
        .attr("skip_final_snapshot", Expr::Bool(!database.final_snapshot.value))
        .attr_opt(
            "final_snapshot_identifier",
            database.final_snapshot.value.then(|| s(format!("{identifier}-final"))),
        )
        .attr("copy_tags_to_snapshot", Expr::Bool(true))
        .attr("iam_database_authentication_enabled", Expr::Bool(true))
        .attr("enabled_cloudwatch_logs_exports", strings(["postgresql"]));
    if ctx.production() {
        cluster = cluster.block(Block::new("lifecycle", &[]).attr("prevent_destroy", Expr::Bool(true)));
    }
    let major = database.version.split('.').next().unwrap_or_default();
    let parameter = |name: &str, value: &str| {
        Block::new("parameter", &[])
            .attr("name", s(name))
            .attr("value", s(value))
    };
    let mut blocks = vec![
        Block::resource("aws_db_subnet_group", &id)
            .attr("name", s(&identifier))
            .attr("subnet_ids", ctx.subnet_ids(&database.tier)),
        // TLS only, and statements logged: schema changes always, anything slower than a second.
        Block::resource("aws_rds_cluster_parameter_group", &id)
            .attr("name", s(&identifier))
            .attr("family", s(format!("aurora-postgresql{major}")))
            .block(parameter("rds.force_ssl", "1"))
            .block(parameter("log_statement", "ddl"))
            .block(parameter("log_min_duration_statement", "1000")),
        cluster,
    ];
    let instances = (1..=database.writers)
        .map(|n| format!("{id}_writer_{n}"))
        .chain((1..=database.readers).map(|n| format!("{id}_reader_{n}")));
    for (n, instance) in instances.enumerate() {
        blocks.push(
            Block::resource("aws_rds_cluster_instance", &instance)
                .comment("checkov:skip=CKV_AWS_118:Performance Insights and CloudWatch metrics watch the instance; enhanced monitoring is not part of the design")
                .comment("checkov:skip=CKV_AWS_354:Performance Insights data is encrypted with the RDS service key; a customer key is not part of the design")
                .attr("identifier", s(format!("{identifier}-{}", n + 1)))
                .attr("cluster_identifier", r(format!("aws_rds_cluster.{id}.id")))
                .attr("engine", r(format!("aws_rds_cluster.{id}.engine")))
                .attr("engine_version", r(format!("aws_rds_cluster.{id}.engine_version")))
                .attr("instance_class", s(&database.instance_class))
                .attr("publicly_accessible", Expr::Bool(false))
                .attr("auto_minor_version_upgrade", Expr::Bool(true))
                .attr("performance_insights_enabled", Expr::Bool(true)),
        );
    }
    blocks
}

fn bucket_blocks(ctx: &Ctx<'_>, bucket: &Bucket) -> Vec<Block> {
    let id = ctx.ident(&bucket.name);
    let logs = bucket.purpose == Some(BucketPurpose::AccessLogs);
    // Served by the edge: static assets, and websites (which have no purpose).
    let served = matches!(bucket.purpose, Some(BucketPurpose::Static) | None);
    let mut main = Block::resource("aws_s3_bucket", &id)
        .comment("checkov:skip=CKV_AWS_144:one region by design; versioning and the state of the source are the recovery path")
        .comment("checkov:skip=CKV2_AWS_62:nothing consumes object events");
    if logs {
        main = main.comment(
            "checkov:skip=CKV_AWS_18:this is the access-log bucket; logging it into itself would loop",
        );
    }
    if logs || served {
        main = main
            .comment("checkov:skip=CKV_AWS_145:SSE-S3: ALB log delivery and CloudFront OAC reads need it");
    }
    main = main.attr("bucket", s(ctx.bucket_name(&bucket.name)));
    if ctx.production() {
        main = main.block(Block::new("lifecycle", &[]).attr("prevent_destroy", Expr::Bool(true)));
    }
    let algorithm = if logs || served { "AES256" } else { "aws:kms" };
    let mut blocks = vec![
        main,
        Block::resource("aws_s3_bucket_public_access_block", &id)
            .attr("bucket", r(format!("aws_s3_bucket.{id}.id")))
            .attr("block_public_acls", Expr::Bool(true))
            .attr("block_public_policy", Expr::Bool(true))
            .attr("ignore_public_acls", Expr::Bool(true))
            .attr("restrict_public_buckets", Expr::Bool(true)),
        ownership_controls(&id, logs),
        Block::resource("aws_s3_bucket_server_side_encryption_configuration", &id)
            .attr("bucket", r(format!("aws_s3_bucket.{id}.id")))
            .block(
                Block::new("rule", &[])
                    .attr("bucket_key_enabled", Expr::Bool(algorithm == "aws:kms"))
                    .block(
                        Block::new("apply_server_side_encryption_by_default", &[])
                            .attr("sse_algorithm", s(algorithm)),
                    ),
            ),
        Block::resource("aws_s3_bucket_versioning", &id)
            .attr("bucket", r(format!("aws_s3_bucket.{id}.id")))
            .block(Block::new("versioning_configuration", &[]).attr(
                "status",
                s(if bucket.versioning { "Enabled" } else { "Suspended" }),
            )),
    ];
    let mut lifecycle = Block::new("rule", &[])
        .attr("id", s("housekeeping"))
        .attr("status", s("Enabled"))
        .block(Block::new("filter", &[]))
        .block(
            Block::new("abort_incomplete_multipart_upload", &[]).attr("days_after_initiation", Expr::Num(7)),
        );
    if let Some(days) = bucket.expire_after_days {
        lifecycle = lifecycle
            .block(Block::new("expiration", &[]).attr("days", Expr::Num(i64::try_from(days).unwrap_or(90))));
    }
    if bucket.versioning {
        lifecycle = lifecycle
            .block(Block::new("noncurrent_version_expiration", &[]).attr("noncurrent_days", Expr::Num(90)));
    }
    blocks.push(
        Block::resource("aws_s3_bucket_lifecycle_configuration", &id)
            .attr("bucket", r(format!("aws_s3_bucket.{id}.id")))
            .block(lifecycle),
    );
    if let (false, Some(log_bucket)) = (logs, ctx.log_bucket()) {
        blocks.push(
            Block::resource("aws_s3_bucket_logging", &id)
                .attr("bucket", r(format!("aws_s3_bucket.{id}.id")))
                .attr(
                    "target_bucket",
                    r(format!("aws_s3_bucket.{}.id", ctx.ident(&log_bucket.name))),
                )
                .attr("target_prefix", s(format!("s3/{}/", bucket.name))),
        );
    }
    if let Some(website) = &bucket.website {
        let mut config = Block::resource("aws_s3_bucket_website_configuration", &id)
            .attr("bucket", r(format!("aws_s3_bucket.{id}.id")));
        config = match &website.redirect_all_to {
            Some(host) => config.block(
                Block::new("redirect_all_requests_to", &[])
                    .attr("host_name", s(host))
                    .attr("protocol", s("https")),
            ),
            None => {
                config.block(Block::new("index_document", &[]).attr("suffix", s(&website.index_document)))
            }
        };
        blocks.push(config);
    }
    blocks.extend(bucket_policy(ctx, bucket));
    blocks
}

fn ownership_controls(id: &str, logs: bool) -> Block {
    let mut block = Block::resource("aws_s3_bucket_ownership_controls", id);
    if logs {
        block = block.comment("checkov:skip=CKV2_AWS_65:CloudFront standard logs are delivered with ACLs, so the log bucket keeps them");
    }
    // CloudFront's standard logs are delivered with an ACL; every other bucket disables ACLs.
    block
        .attr("bucket", r(format!("aws_s3_bucket.{id}.id")))
        .block(Block::new("rule", &[]).attr(
            "object_ownership",
            s(if logs {
                "BucketOwnerPreferred"
            } else {
                "BucketOwnerEnforced"
            }),
        ))
}

/// TLS only for everyone; CloudFront (through OAC) may read static buckets; the region's load
/// balancer account may write access logs.
fn bucket_policy(ctx: &Ctx<'_>, bucket: &Bucket) -> Vec<Block> {
    let id = ctx.ident(&bucket.name);
    let arn = format!("aws_s3_bucket.{id}.arn");
    let mut document = Block::data("aws_iam_policy_document", &format!("{id}_bucket")).block(
        Block::new("statement", &[])
            .attr("sid", s("DenyInsecureTransport"))
            .attr("effect", s("Deny"))
            .attr("actions", strings(["s3:*"]))
            .attr("resources", refs([arn.clone(), format!("\"${{{arn}}}/*\"")]))
            .block(
                Block::new("principals", &[])
                    .attr("type", s("*"))
                    .attr("identifiers", strings(["*"])),
            )
            .block(
                Block::new("condition", &[])
                    .attr("test", s("Bool"))
                    .attr("variable", s("aws:SecureTransport"))
                    .attr("values", strings(["false"])),
            ),
    );
    let mut extra = Vec::new();
    let edge = ctx.env.edge.as_ref();
    let read_by_edge = edge.is_some_and(|e| {
        e.origins
            .iter()
            .any(|o| o.name == bucket.name && o.kind == EdgeOriginKind::S3)
    });
    if let (true, Some(edge)) = (read_by_edge, edge) {
        document = document.block(
            Block::new("statement", &[])
                .attr("sid", s("CloudFrontReads"))
                .attr("actions", strings(["s3:GetObject"]))
                .attr("resources", refs([format!("\"${{{arn}}}/*\"")]))
                .block(
                    Block::new("principals", &[])
                        .attr("type", s("Service"))
                        .attr("identifiers", strings(["cloudfront.amazonaws.com"])),
                )
                .block(
                    Block::new("condition", &[])
                        .attr("test", s("StringEquals"))
                        .attr("variable", s("AWS:SourceArn"))
                        .attr(
                            "values",
                            refs([format!(
                                "aws_cloudfront_distribution.{}.arn",
                                ctx.ident(&edge.name)
                            )]),
                        ),
                ),
        );
    }
    if bucket.purpose == Some(BucketPurpose::AccessLogs) && !ctx.env.load_balancers.is_empty() {
        extra.push(Block::data("aws_elb_service_account", "main"));
        document = document.block(
            Block::new("statement", &[])
                .attr("sid", s("LoadBalancerLogs"))
                .attr("actions", strings(["s3:PutObject"]))
                .attr("resources", refs([format!("\"${{{arn}}}/alb/*\"")]))
                .block(
                    Block::new("principals", &[])
                        .attr("type", s("AWS"))
                        .attr("identifiers", refs(["data.aws_elb_service_account.main.arn"])),
                ),
        );
    }
    extra.push(document);
    extra.push(
        Block::resource("aws_s3_bucket_policy", &id)
            .attr("bucket", r(format!("aws_s3_bucket.{id}.id")))
            .attr(
                "policy",
                r(format!("data.aws_iam_policy_document.{id}_bucket.json")),
            ),
    );
    extra
}

// -- monitoring --------------------------------------------------------------------------------

fn monitoring(ctx: &Ctx<'_>) -> Vec<Block> {
    let env = ctx.env;
    let mut blocks = Vec::new();
    for topic in &env.topics {
        let id = ctx.ident(&topic.name);
        blocks.push(
            Block::resource("aws_sns_topic", &id)
                .attr("name", s(ctx.name(&topic.name)))
                .attr("kms_master_key_id", s("alias/aws/sns")),
        );
        for (n, address) in topic.email.iter().enumerate() {
            blocks.push(
                Block::resource("aws_sns_topic_subscription", &format!("{id}_email_{}", n + 1))
                    .attr("topic_arn", r(format!("aws_sns_topic.{id}.arn")))
                    .attr("protocol", s("email"))
                    .attr("endpoint", s(address)),
            );
        }
    }
    for alarm in &env.alarms {
        blocks.push(alarm_block(ctx, alarm));
    }
    if !env.alarms.is_empty() {
        blocks.extend(notifier(ctx));
    }
    blocks
}

/// The CloudWatch namespace, metric and dimensions of an `.arch` metric.
fn metric(ctx: &Ctx<'_>, alarm: &Alarm) -> (bool, &'static str, &'static str, Vec<(String, Expr)>) {
    let env = ctx.env;
    let component = alarm.component.as_str();
    let cluster = ("ClusterName".to_owned(), r("aws_ecs_cluster.main.name"));
    if env.services.iter().any(|s| s.name == component) || env.jobs.iter().any(|j| j.name == component) {
        let name = if alarm.metric == "memory" {
            "MemoryUtilization"
        } else {
            "CPUUtilization"
        };
        return (
            false,
            "AWS/ECS",
            name,
            vec![cluster, ("ServiceName".into(), s(component))],
        );
    }
    if env.load_balancers.iter().any(|lb| lb.name == component) {
        let name = match alarm.metric.as_str() {
            "requests" => "RequestCount",
            "latency" => "TargetResponseTime",
            _ => "HTTPCode_Target_5XX_Count",
        };
        return (
            false,
            "AWS/ApplicationELB",
            name,
            vec![(
                "LoadBalancer".into(),
                r(format!("aws_lb.{}.arn_suffix", ctx.ident(component))),
            )],
        );
    }
    if env.databases.iter().any(|d| d.name == component) {
        let name = match alarm.metric.as_str() {
            "connections" => "DatabaseConnections",
            "freeable_memory" => "FreeableMemory",
            _ => "CPUUtilization",
        };
        return (
            false,
            "AWS/RDS",
            name,
            vec![(
                "DBClusterIdentifier".into(),
                r(format!(
                    "aws_rds_cluster.{}.cluster_identifier",
                    ctx.ident(component)
                )),
            )],
        );
    }
    // CloudFront publishes its metrics in us-east-1.
    let name = if alarm.metric == "requests" {
        "Requests"
    } else {
        "TotalErrorRate"
    };
    (
        true,
        "AWS/CloudFront",
        name,
        vec![
            (
                "DistributionId".into(),
                r(format!("aws_cloudfront_distribution.{}.id", ctx.ident(component))),
            ),
            ("Region".into(), s("Global")),
        ],
    )
}

fn alarm_block(ctx: &Ctx<'_>, alarm: &Alarm) -> Block {
    let (global, namespace, metric_name, dimensions) = metric(ctx, alarm);
    let period = 60;
    let evaluation = i64::try_from(alarm.period_seconds / 60).unwrap_or(1).max(1);
    Block::resource("aws_cloudwatch_metric_alarm", &ctx.ident(&alarm.name))
        .attr_opt("provider", global.then(|| r("aws.us_east_1")))
        .attr("alarm_name", s(ctx.name(&alarm.name)))
        .attr(
            "alarm_description",
            s(format!(
                "{}.{} above {}{} (notifies {})",
                alarm.component,
                alarm.metric,
                alarm.threshold,
                if alarm.threshold_is_percent { "%" } else { "" },
                alarm.topic
            )),
        )
        .attr("namespace", s(namespace))
        .attr("metric_name", s(metric_name))
        .attr("dimensions", Expr::Object(dimensions))
        .attr(
            "statistic",
            s(if metric_name.ends_with("Count") || metric_name == "Requests" {
                "Sum"
            } else {
                "Average"
            }),
        )
        .attr("period", Expr::Num(period))
        .attr("evaluation_periods", Expr::Num(evaluation))
        .attr("threshold", Expr::Num(alarm.threshold))
        .attr("comparison_operator", s("GreaterThanThreshold"))
        .attr("treat_missing_data", s("notBreaching"))
}

/// CloudWatch alarm state changes → EventBridge → a Lambda that writes a readable message → SNS.
fn notifier(ctx: &Ctx<'_>) -> Vec<Block> {
    let env = ctx.env;
    let topics: Vec<(String, Expr)> = env
        .alarms
        .iter()
        .map(|a| {
            (
                ctx.name(&a.name),
                r(format!("aws_sns_topic.{}.arn", ctx.ident(&a.topic))),
            )
        })
        .collect();
    let topic_arns: BTreeSet<String> = env
        .alarms
        .iter()
        .map(|a| format!("aws_sns_topic.{}.arn", ctx.ident(&a.topic)))
        .collect();
    vec![
        Block::data("archive_file", "alarm_notifier")
            .attr("type", s("zip"))
            .attr("source_file", r("\"${path.module}/lambda/alarm_notifier.py\""))
            .attr("output_path", r("\"${path.module}/.build/alarm_notifier.zip\"")),
        Block::resource("aws_cloudwatch_log_group", "alarm_notifier")
            .comment("checkov:skip=CKV_AWS_158:encrypted with the CloudWatch Logs service key; a customer key is not part of the design")
            .attr("name", s(format!("/aws/lambda/{}", ctx.name("alarm-notifier"))))
            .attr("retention_in_days", Expr::Num(365)),
        Block::data("aws_iam_policy_document", "lambda_assume").block(
            Block::new("statement", &[])
                .attr("actions", strings(["sts:AssumeRole"]))
                .block(
                    Block::new("principals", &[])
                        .attr("type", s("Service"))
                        .attr("identifiers", strings(["lambda.amazonaws.com"])),
                ),
        ),
        Block::resource("aws_iam_role", "alarm_notifier")
            .attr("name", s(ctx.name("alarm-notifier")))
            .attr("assume_role_policy", r("data.aws_iam_policy_document.lambda_assume.json")),
        Block::data("aws_iam_policy_document", "alarm_notifier")
            .block(
                Block::new("statement", &[])
                    .attr("sid", s("Publish"))
                    .attr("actions", strings(["sns:Publish"]))
                    .attr("resources", refs(topic_arns)),
            )
            .block(
                Block::new("statement", &[])
                    .attr("sid", s("WriteLogs"))
                    .attr("actions", strings(["logs:CreateLogStream", "logs:PutLogEvents"]))
                    .attr("resources", refs(["\"${aws_cloudwatch_log_group.alarm_notifier.arn}:*\""])),
            )
            .block(
                Block::new("statement", &[])
                    .attr("sid", s("Trace"))
                    .attr("actions", strings(["xray:PutTraceSegments", "xray:PutTelemetryRecords"]))
                    .attr("resources", strings(["*"])),
            ),
        Block::resource("aws_iam_role_policy", "alarm_notifier")
            .attr("role", r("aws_iam_role.alarm_notifier.id"))
            .attr("policy", r("data.aws_iam_policy_document.alarm_notifier.json")),
        Block::resource("aws_lambda_function", "alarm_notifier")
            .comment("checkov:skip=CKV_AWS_116:EventBridge retries delivery; a failed notification is visible in the function's logs")
            .comment("checkov:skip=CKV_AWS_117:the function talks only to SNS; it needs no VPC")
            .comment("checkov:skip=CKV_AWS_173:the environment holds topic ARNs, not secrets")
            .comment("checkov:skip=CKV_AWS_272:the code is generated by archc and deployed by Terraform, not signed separately")
            .attr("function_name", s(ctx.name("alarm-notifier")))
            .attr("role", r("aws_iam_role.alarm_notifier.arn"))
            .attr("runtime", s("python3.12"))
            .attr("handler", s("alarm_notifier.handler"))
            .attr("filename", r("data.archive_file.alarm_notifier.output_path"))
            .attr("source_code_hash", r("data.archive_file.alarm_notifier.output_base64sha256"))
            .attr("timeout", Expr::Num(10))
            .attr("reserved_concurrent_executions", Expr::Num(5))
            .block(Block::new("tracing_config", &[]).attr("mode", s("Active")))
            .block(Block::new("environment", &[]).attr(
                "variables",
                Expr::Object(vec![("TOPICS".into(), r(format!("jsonencode({})", inline_object(&topics))))]),
            ))
            .attr("depends_on", refs(["aws_cloudwatch_log_group.alarm_notifier"])),
        Block::resource("aws_cloudwatch_event_rule", "alarm_state")
            .attr("name", s(ctx.name("alarm-state")))
            .attr("description", s("CloudWatch alarm state changes of this system"))
            .attr(
                "event_pattern",
                r(format!(
                    "jsonencode({{ source = [\"aws.cloudwatch\"], \"detail-type\" = [\"CloudWatch Alarm State Change\"], detail = {{ alarmName = [{{ prefix = \"{}\" }}] }} }})",
                    ctx.name("")
                )),
            ),
        Block::resource("aws_cloudwatch_event_target", "alarm_state")
            .attr("rule", r("aws_cloudwatch_event_rule.alarm_state.name"))
            .attr("arn", r("aws_lambda_function.alarm_notifier.arn")),
        Block::resource("aws_lambda_permission", "alarm_state")
            .attr("statement_id", s("AllowEventBridge"))
            .attr("action", s("lambda:InvokeFunction"))
            .attr("function_name", r("aws_lambda_function.alarm_notifier.function_name"))
            .attr("principal", s("events.amazonaws.com"))
            .attr("source_arn", r("aws_cloudwatch_event_rule.alarm_state.arn")),
    ]
}

/// `{ "a" = x, "b" = y }` on one line, for `jsonencode`.
fn inline_object(fields: &[(String, Expr)]) -> String {
    let parts: Vec<String> = fields
        .iter()
        .map(|(k, v)| {
            let value = match v {
                Expr::Raw(text) => text.clone(),
                Expr::Str(text) => super::hcl::quote(text),
                _ => String::new(),
            };
            format!("{} = {value}", super::hcl::quote(k))
        })
        .collect();
    format!("{{ {} }}", parts.join(", "))
}

/// The Lambda function that turns alarm state changes into readable messages, shipped in
/// `lambda/`.
const ALARM_NOTIFIER: &str = include_str!("terraform/alarm_notifier.py");

// -- parameters and outputs ---------------------------------------------------------------------

fn parameter_blocks(ctx: &Ctx<'_>) -> Vec<Block> {
    ctx.parameters
        .iter()
        .map(|parameter| {
            let (kind, value, ignore) = parameter_value(ctx, &parameter.value);
            let mut block = Block::resource("aws_ssm_parameter", &parameter_label(ctx, &parameter.value))
                .comment("checkov:skip=CKV2_AWS_34:resource IDs and names for the deploy tools, not secrets")
                .attr("name", s(&parameter.name))
                .attr("type", s(kind))
                .attr("value", value);
            if ignore {
                // The deploy workflow publishes new image tags; Terraform only creates the parameter.
                block = block.block(Block::new("lifecycle", &[]).attr("ignore_changes", refs(["value"])));
            }
            block
        })
        .collect()
}

/// The label of a parameter's resource: what it holds and of which item (`security_group_id_api`).
fn parameter_label(ctx: &Ctx<'_>, value: &ParameterValue) -> String {
    let (what, of) = match value {
        ParameterValue::VpcId => ("vpc_id", None),
        ParameterValue::ClusterName => ("cluster_name", None),
        ParameterValue::SubnetIds(tier) => ("subnet_ids", Some(tier)),
        ParameterValue::SecurityGroupId(group) => ("security_group_id", Some(group)),
        ParameterValue::TargetGroupArn(service) => ("target_group_arn", Some(service)),
        ParameterValue::TaskRoleArn(task) => ("task_role_arn", Some(task)),
        ParameterValue::ExecutionRoleArn(task) => ("execution_role_arn", Some(task)),
        ParameterValue::LogGroupName(task) => ("log_group_name", Some(task)),
        ParameterValue::RepositoryUrl(repository) => ("repository_url", Some(repository)),
        ParameterValue::ImageTag(repository) => ("image_tag", Some(repository)),
        ParameterValue::DatabaseEndpoint(database) => ("database_endpoint", Some(database)),
        ParameterValue::DatabaseSecretArn(database) => ("database_secret_arn", Some(database)),
    };
    match of {
        Some(item) => format!("{what}_{}", ctx.ident(item)),
        None => what.to_owned(),
    }
}

/// The SSM type, value and whether the deploy side owns later values.
fn parameter_value(ctx: &Ctx<'_>, value: &ParameterValue) -> (&'static str, Expr, bool) {
    match value {
        ParameterValue::VpcId => ("String", r("aws_vpc.main.id"), false),
        ParameterValue::ClusterName => ("String", r("aws_ecs_cluster.main.name"), false),
        ParameterValue::SubnetIds(tier) => {
            let Expr::List(ids) = ctx.subnet_ids(tier) else {
                return ("StringList", s(""), false);
            };
            let ids: Vec<String> = ids
                .iter()
                .filter_map(|e| match e {
                    Expr::Raw(text) => Some(text.clone()),
                    _ => None,
                })
                .collect();
            (
                "StringList",
                r(format!("join(\",\", [{}])", ids.join(", "))),
                false,
            )
        }
        ParameterValue::SecurityGroupId(group) => (
            "String",
            r(format!("aws_security_group.{}.id", ctx.ident(group))),
            false,
        ),
        ParameterValue::TargetGroupArn(service) => (
            "String",
            r(format!("aws_lb_target_group.{}.arn", ctx.ident(service))),
            false,
        ),
        ParameterValue::TaskRoleArn(task) => (
            "String",
            r(format!("aws_iam_role.{}_task.arn", ctx.ident(task))),
            false,
        ),
        ParameterValue::ExecutionRoleArn(task) => (
            "String",
            r(format!("aws_iam_role.{}_execution.arn", ctx.ident(task))),
            false,
        ),
        ParameterValue::LogGroupName(task) => (
            "String",
            r(format!("aws_cloudwatch_log_group.{}.name", ctx.ident(task))),
            false,
        ),
        ParameterValue::RepositoryUrl(repository) => (
            "String",
            r(format!(
                "aws_ecr_repository.{}.repository_url",
                ctx.ident(repository)
            )),
            false,
        ),
        ParameterValue::ImageTag(_) => ("String", s("unset"), true),
        ParameterValue::DatabaseEndpoint(database) => (
            "String",
            r(format!("aws_rds_cluster.{}.endpoint", ctx.ident(database))),
            false,
        ),
        ParameterValue::DatabaseSecretArn(database) => (
            "String",
            r(format!(
                "aws_rds_cluster.{}.master_user_secret[0].secret_arn",
                ctx.ident(database)
            )),
            false,
        ),
    }
}

fn outputs(ctx: &Ctx<'_>) -> Vec<Block> {
    let env = ctx.env;
    let mut blocks = vec![
        Block::new("output", &["vpc_id"]).attr("value", r("aws_vpc.main.id")),
        Block::new("output", &["ecs_cluster_name"]).attr("value", r("aws_ecs_cluster.main.name")),
    ];
    if let Some(edge) = &env.edge {
        blocks.push(Block::new("output", &["cloudfront_domain_name"]).attr(
            "value",
            r(format!(
                "aws_cloudfront_distribution.{}.domain_name",
                ctx.ident(&edge.name)
            )),
        ));
    }
    blocks.push(
        Block::new("output", &["parameter_names"])
            .attr("value", strings(ctx.parameters.iter().map(|p| p.name.clone()))),
    );
    blocks
}
