//! The `network.tf` of an environment: the VPC, its subnets and route tables, the NAT (a Regional
//! NAT Gateway, zonal gateways or a NAT instance), security groups and their rules, flow logs,
//! and the public hosted zone that DNS records and certificate validations go in.

use super::*;

pub(super) fn network(ctx: &Ctx<'_>, blocks: &mut Blocks) {
    let env = ctx.env;
    if !env.network {
        // No VPC: the hosted zone that DNS records and certificate validations go in.
        blocks.extend(hosted_zone(ctx));
        return;
    }
    blocks.extend([
        Block::resource("aws_vpc", "main")
            .attr("cidr_block", s(env.vpc.cidr.value.to_string()))
            .attr("enable_dns_support", Expr::Bool(true))
            .attr("enable_dns_hostnames", Expr::Bool(true))
            .attr("tags", tags(ctx.name("vpc"))),
        // The default security group admits nothing; every component has its own.
        Block::resource("aws_default_security_group", "default").attr("vpc_id", reference("aws_vpc.main.id")),
        Block::resource("aws_internet_gateway", "main")
            .attr("vpc_id", reference("aws_vpc.main.id"))
            .attr("tags", tags(ctx.name("igw"))),
    ]);
    blocks.extend(flow_logs(ctx));
    blocks.extend(hosted_zone(ctx));
    for tier in &env.tiers {
        for subnet in &tier.subnets {
            blocks.push(subnet_block(ctx, subnet, false));
        }
    }
    for subnet in &env.public_subnets {
        blocks.push(subnet_block(ctx, subnet, true));
    }
    blocks.extend(nat(ctx));
    blocks.extend(bpa_exclusions(ctx));
    blocks.extend(connections(ctx));
    for table in &env.route_tables {
        let name = ctx.ident(&table.name);
        blocks.push(
            Block::resource("aws_route_table", &name)
                .attr("vpc_id", reference("aws_vpc.main.id"))
                .attr("tags", tags(ctx.tier_part_name(&table.name))),
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
                RouteTarget::Connection(connection) => connection_target(ctx, connection),
            };
            let label = match &route.target {
                RouteTarget::Connection(connection) => format!(
                    "{name}_{}_{}",
                    ctx.ident(connection),
                    route.destination.to_string().replace(['.', '/'], "_")
                ),
                _ => format!("{name}_default"),
            };
            blocks.push(
                Block::resource("aws_route", &label)
                    .attr("route_table_id", reference(format!("aws_route_table.{name}.id")))
                    .attr("destination_cidr_block", s(route.destination.to_string()))
                    .attr(target.0, reference(target.1)),
            );
        }
        for subnet in &table.subnets {
            blocks.push(
                Block::resource("aws_route_table_association", &ctx.ident(subnet))
                    .attr(
                        "subnet_id",
                        reference(format!("aws_subnet.{}.id", ctx.ident(subnet))),
                    )
                    .attr("route_table_id", reference(format!("aws_route_table.{name}.id"))),
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
                .attr("name", s(ctx.item_name(&group.name)))
                .attr(
                    "description",
                    s(format!(
                        "{} {} (archc)",
                        group.category.replace('_', " "),
                        ctx.env.physical(&group.name)
                    )),
                )
                .attr("vpc_id", reference("aws_vpc.main.id"))
                .attr("tags", tags(ctx.item_name(&group.name))),
        );
    }
    blocks.extend(endpoints(ctx));
    for rule in &env.ingress_rules {
        blocks.push(sg_rule(ctx, rule, true));
    }
    for rule in &env.egress_rules {
        blocks.push(sg_rule(ctx, rule, false));
    }
}

/// The argument and target of a route to a private connection: the Transit Gateway (through
/// the attachment, so the route waits for it), the peering connection, or the VPN gateway.
fn connection_target(ctx: &Ctx<'_>, name: &str) -> (&'static str, String) {
    let id = ctx.ident(name);
    let kind = ctx
        .env
        .connections
        .iter()
        .find(|c| c.name == name)
        .map(|c| &c.kind);
    match kind {
        Some(ConnectionKind::VpcPeering { .. }) => (
            "vpc_peering_connection_id",
            format!("aws_vpc_peering_connection.{id}.id"),
        ),
        Some(ConnectionKind::SiteToSiteVpn { .. }) => ("gateway_id", format!("aws_vpn_gateway.{id}.id")),
        Some(ConnectionKind::TransitGateway { .. }) | None => (
            "transit_gateway_id",
            format!("aws_ec2_transit_gateway_vpc_attachment.{id}.transit_gateway_id"),
        ),
    }
}

/// The VPC Block Public Access exclusions the design needs (none unless the env declares BPA
/// on): each says why. An exclusion opens no path by itself; the routes still decide.
fn bpa_exclusions(ctx: &Ctx<'_>) -> Vec<Block> {
    let bpa = &ctx.env.vpc.block_public_access;
    bpa.exclusions
        .iter()
        .map(|exclusion| {
            let (label, scope, name) = match &exclusion.subnet {
                Some(subnet) => (
                    ctx.ident(subnet),
                    ("subnet_id", format!("aws_subnet.{}.id", ctx.ident(subnet))),
                    format!("{}-bpa", ctx.tier_part_name(subnet)),
                ),
                None => (
                    "vpc".to_owned(),
                    ("vpc_id", "aws_vpc.main.id".to_owned()),
                    ctx.name("vpc-bpa"),
                ),
            };
            Block::resource("aws_vpc_block_public_access_exclusion", &label)
                .comment(&format!(
                    "Block Public Access is {} in this account: {}",
                    bpa.mode.value.as_str(),
                    exclusion.reason.describe()
                ))
                .attr(scope.0, reference(scope.1))
                .attr("internet_gateway_exclusion_mode", s(exclusion.mode.aws_name()))
                .attr("tags", tags(name))
        })
        .collect()
}

/// The VPC endpoints the network declares: the S3 gateway on every tier's route table, and
/// each interface endpoint (private DNS, so the services' usual names resolve to it) in the
/// endpoint tier's subnets behind the endpoints' security group.
pub(super) fn endpoints(ctx: &Ctx<'_>) -> Vec<Block> {
    let env = ctx.env;
    let mut blocks = Vec::new();
    for endpoint in &env.vpc.endpoints.value {
        for service in endpoint.services() {
            let service_name = format!("com.amazonaws.{}.{service}", env.region);
            let label = service.replace('.', "_");
            let block = Block::resource("aws_vpc_endpoint", &label)
                .attr("vpc_id", reference("aws_vpc.main.id"))
                .attr("service_name", s(service_name));
            let block = if endpoint.is_gateway() {
                // Every tier's tables: one per tier, or one per zone with zonal NAT gateways
                // (never the public subnets' table).
                let in_tiers = |subnet: &String| {
                    env.tiers
                        .iter()
                        .any(|tier| tier.subnets.iter().any(|s| &s.name == subnet))
                };
                let tables = env
                    .route_tables
                    .iter()
                    .filter(|t| !t.subnets.is_empty() && t.subnets.iter().all(in_tiers))
                    .map(|t| format!("aws_route_table.{}.id", ctx.ident(&t.name)));
                block
                    .attr("vpc_endpoint_type", s("Gateway"))
                    .attr("route_table_ids", refs(tables))
            } else {
                let Some(tier) = &env.vpc.endpoint_tier else {
                    continue;
                };
                block
                    .attr("vpc_endpoint_type", s("Interface"))
                    .attr("subnet_ids", ctx.subnet_ids(tier))
                    .attr(
                        "security_group_ids",
                        refs([format!("aws_security_group.{}.id", ctx.ident(ENDPOINTS_GROUP))]),
                    )
                    .attr("private_dns_enabled", Expr::Bool(true))
            };
            blocks.push(block.attr("tags", tags(ctx.name(&format!("endpoint-{label}")))));
        }
    }
    blocks
}

pub(super) fn subnet_block(ctx: &Ctx<'_>, subnet: &Subnet, public: bool) -> Block {
    let mut block = Block::resource("aws_subnet", &ctx.ident(&subnet.name));
    if public {
        block = block.comment("checkov:skip=CKV_AWS_130:the NAT's public subnet; the NAT needs a public address, nothing else lives here");
    }
    block
        .attr("vpc_id", reference("aws_vpc.main.id"))
        .attr("cidr_block", s(subnet.cidr.to_string()))
        .attr("availability_zone", s(&subnet.zone))
        .attr("map_public_ip_on_launch", Expr::Bool(public))
        .attr("tags", tags(ctx.tier_part_name(&subnet.name)))
}

pub(super) fn peer_label(ctx: &Ctx<'_>, peer: &Peer) -> String {
    match peer {
        Peer::SecurityGroup(name) => ctx.ident(name),
        Peer::PrefixList(list) if list == CLOUDFRONT_PREFIX_LIST => "cloudfront".into(),
        Peer::PrefixList(_) => "s3".into(),
        Peer::Cidr(_) => "internet".into(),
        Peer::Connection(name) => ctx.ident(name),
    }
}

pub(super) fn sg_rule(ctx: &Ctx<'_>, rule: &SgRule, ingress: bool) -> Block {
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
        block = block.comment(if rule.to_start {
            "checkov:skip=CKV_AWS_382:the egress a Fargate task needs to start (image pulls, logs, secrets), HTTPS only"
        } else {
            "checkov:skip=CKV_AWS_382:egress to the internet is the declared `flow … -> internet`, on its port only"
        });
    }
    block = block
        .attr(
            "security_group_id",
            reference(format!("aws_security_group.{}.id", ctx.ident(&rule.group))),
        )
        .attr("description", s(rule.description(|name| ctx.env.physical(name))))
        .attr("ip_protocol", s("tcp"))
        .attr("from_port", Expr::Num(i64::from(rule.port)))
        .attr("to_port", Expr::Num(i64::from(rule.port)));
    match &rule.peer {
        Peer::SecurityGroup(peer) => block.attr(
            "referenced_security_group_id",
            reference(format!("aws_security_group.{}.id", ctx.ident(peer))),
        ),
        Peer::PrefixList(list) if list == CLOUDFRONT_PREFIX_LIST => block.attr(
            "prefix_list_id",
            reference("data.aws_ec2_managed_prefix_list.cloudfront.id"),
        ),
        // The only other prefix list is the S3 gateway endpoint's.
        Peer::PrefixList(_) => block.attr("prefix_list_id", reference("aws_vpc_endpoint.s3.prefix_list_id")),
        Peer::Cidr(cidr) => block.attr("cidr_ipv4", s(cidr.to_string())),
        Peer::Connection(name) => block.attr(
            "prefix_list_id",
            reference(format!("aws_ec2_managed_prefix_list.{}.id", ctx.ident(name))),
        ),
    }
}

pub(super) fn flow_logs(ctx: &Ctx<'_>) -> Vec<Block> {
    vec![
        Block::resource("aws_cloudwatch_log_group", "vpc_flow_logs")
            .comment("checkov:skip=CKV_AWS_158:encrypted with the CloudWatch Logs service key; a customer key is not part of the design")
            .attr("name", s(format!("/vpc/{}", ctx.cluster_name())))
            .attr("retention_in_days", Expr::Num(365)),
        assume_role_policy("flow_logs_assume", "vpc-flow-logs.amazonaws.com"),
        Block::resource("aws_iam_role", "flow_logs")
            .attr("name", s(ctx.name("flow-logs")))
            .attr("assume_role_policy", reference("data.aws_iam_policy_document.flow_logs_assume.json")),
        Block::data("aws_iam_policy_document", "flow_logs").block(
            Block::new("statement", &[])
                .attr(
                    "actions",
                    strings(["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"]),
                )
                .attr("resources", Expr::List(vec![interpolated("aws_cloudwatch_log_group.vpc_flow_logs.arn", ":*")])),
        ),
        Block::resource("aws_iam_role_policy", "flow_logs")
            .attr("role", reference("aws_iam_role.flow_logs.id"))
            .attr("policy", reference("data.aws_iam_policy_document.flow_logs.json")),
        Block::resource("aws_flow_log", "vpc")
            .attr("vpc_id", reference("aws_vpc.main.id"))
            .attr("traffic_type", s("ALL"))
            .attr("log_destination_type", s("cloud-watch-logs"))
            .attr("log_destination", reference("aws_cloudwatch_log_group.vpc_flow_logs.arn"))
            .attr("iam_role_arn", reference("aws_iam_role.flow_logs.arn")),
    ]
}

/// The CPU architecture of an EC2 instance type, for its AMI: Graviton types (`t4g`, `m7g`,
/// `c7gn`, `im4gn`, and `a1`) boot only arm64 images.
pub(super) fn architecture(instance_type: &str) -> &'static str {
    let family = instance_type.split('.').next().unwrap_or_default();
    let after_generation = family
        .trim_start_matches(|c: char| c.is_ascii_lowercase())
        .trim_start_matches(|c: char| c.is_ascii_digit());
    if family == "a1" || after_generation.starts_with('g') {
        "arm64"
    } else {
        "x86_64"
    }
}

pub(super) fn nat(ctx: &Ctx<'_>) -> Vec<Block> {
    match &ctx.env.nat {
        Nat::None { .. } => Vec::new(),
        Nat::Regional { .. } => vec![
            Block::resource("aws_nat_gateway", "regional")
                .attr("vpc_id", reference("aws_vpc.main.id"))
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
                        .attr("tags", tags(ctx.tier_part_name(subnet))),
                    Block::resource("aws_nat_gateway", &name)
                        .attr("allocation_id", reference(format!("aws_eip.{name}.id")))
                        .attr("subnet_id", reference(format!("aws_subnet.{name}.id")))
                        .attr("tags", tags(ctx.tier_part_name(&format!("{subnet}-nat"))))
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
pub(super) fn nat_instance(ctx: &Ctx<'_>, instance_type: &str, subnet: &str) -> Vec<Block> {
    let mut blocks = vec![
        Block::data("aws_ami", "nat")
            .attr("most_recent", Expr::Bool(true))
            .attr("owners", strings(["amazon"]))
            .block(Block::new("filter", &[]).attr("name", s("name")).attr(
                "values",
                strings([format!("al2023-ami-minimal-*-{}", architecture(instance_type))]),
            )),
        Block::resource("aws_security_group", "nat")
            .attr("name", s(ctx.name("nat")))
            .attr("description", s("NAT instance (archc)"))
            .attr("vpc_id", reference("aws_vpc.main.id"))
            .attr("tags", tags(ctx.name("nat"))),
        Block::resource("aws_instance", "nat")
            .comment(
                "checkov:skip=CKV2_AWS_41:the NAT instance calls no AWS API, so it has no instance profile",
            )
            .comment("checkov:skip=CKV_AWS_88:a NAT instance needs a public address to forward traffic")
            .attr("ami", reference("data.aws_ami.nat.id"))
            .attr("instance_type", s(instance_type))
            .attr(
                "subnet_id",
                reference(format!("aws_subnet.{}.id", ctx.ident(subnet))),
            )
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
            .attr("security_group_id", reference("aws_security_group.nat.id"))
            .attr(
                "description",
                s(format!(
                    "egress of {} through the NAT",
                    ctx.env.physical(&rule.group)
                )),
            )
            .attr("ip_protocol", s("tcp"))
            .attr("from_port", Expr::Num(i64::from(rule.port)))
            .attr("to_port", Expr::Num(i64::from(rule.port)))
            .attr(
                "referenced_security_group_id",
                reference(format!("aws_security_group.{}.id", ctx.ident(&rule.group))),
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
            .attr("security_group_id", reference("aws_security_group.nat.id"))
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
pub(super) const NAT_USER_DATA: &str = include_str!("nat_user_data.sh");

/// The boot script as an indented heredoc (no `${` or `%{` in it: HCL would interpolate them).
pub(super) fn nat_user_data() -> String {
    let body: String = NAT_USER_DATA
        .lines()
        .map(|line| format!("    {line}\n"))
        .collect();
    format!("<<-EOT\n{body}  EOT")
}

#[cfg(test)]
mod tests {
    use super::architecture;

    #[test]
    fn graviton_instance_types_boot_arm64_images() {
        for arm in [
            "t4g.nano",
            "m7g.large",
            "c7gn.xlarge",
            "im4gn.large",
            "a1.medium",
            "r8g.large",
        ] {
            assert_eq!(architecture(arm), "arm64", "{arm}");
        }
        for x86 in ["t3.micro", "t3a.nano", "c5n.large", "g4dn.xlarge", "m7i.large"] {
            assert_eq!(architecture(x86), "x86_64", "{x86}");
        }
    }
}
