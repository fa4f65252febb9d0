//! Private connections, written into `network.tf`: for each, a managed prefix list of the
//! address ranges behind it (what security-group rules of flows to and from it name), and the
//! connection itself: a Transit Gateway attachment in one subnet per zone of the first tier that
//! routes to it, a VPC peering request (accepted here when the peer is in this account and
//! region), or a virtual private gateway with a site-to-site VPN to the customer gateway and a
//! static route to each range. The routes themselves are the tiers' (`network.rs`).

use super::*;

pub(super) fn connections(ctx: &Ctx<'_>) -> Vec<Block> {
    let mut blocks = Vec::new();
    for connection in &ctx.env.connections {
        let id = ctx.ident(&connection.name);
        let name = ctx.item_name(&connection.name);
        let mut list = Block::resource("aws_ec2_managed_prefix_list", &id)
            .attr("name", s(&name))
            .attr("address_family", s("IPv4"))
            .attr(
                "max_entries",
                Expr::Num(i64::try_from(connection.cidrs.value.len()).unwrap_or(i64::MAX)),
            );
        for cidr in &connection.cidrs.value {
            list = list.block(
                Block::new("entry", &[])
                    .attr("cidr", s(cidr.to_string()))
                    .attr("description", s(format!("behind {}", connection.name))),
            );
        }
        blocks.push(list.attr("tags", tags(name.clone())));
        match &connection.kind {
            ConnectionKind::TransitGateway { gateway } => {
                let tiers = ctx.env.connection_tiers(&connection.name);
                let tier = tiers
                    .first()
                    .copied()
                    .or_else(|| ctx.env.tiers.first().map(|t| t.name.as_str()))
                    .unwrap_or_default();
                blocks.push(
                    Block::resource("aws_ec2_transit_gateway_vpc_attachment", &id)
                        .attr("transit_gateway_id", s(gateway))
                        .attr("vpc_id", reference("aws_vpc.main.id"))
                        .attr("subnet_ids", ctx.subnet_ids(tier))
                        .attr("dns_support", s("enable"))
                        .attr("tags", tags(name)),
                );
            }
            ConnectionKind::VpcPeering {
                peer_vpc,
                peer_account,
                peer_region,
            } => {
                // A request within the account and region is accepted here; any other is the
                // peer owner's to accept.
                let local = peer_account.as_deref().is_none_or(|a| a == ctx.env.account)
                    && peer_region.as_deref().is_none_or(|r| r == ctx.env.region);
                blocks.push(
                    Block::resource("aws_vpc_peering_connection", &id)
                        .attr("vpc_id", reference("aws_vpc.main.id"))
                        .attr("peer_vpc_id", s(peer_vpc))
                        .attr_opt("peer_owner_id", peer_account.as_deref().map(s))
                        .attr_opt("peer_region", peer_region.as_deref().map(s))
                        .attr("auto_accept", Expr::Bool(local))
                        .attr("tags", tags(name)),
                );
            }
            ConnectionKind::SiteToSiteVpn { customer_gateway } => {
                blocks.push(
                    Block::resource("aws_vpn_gateway", &id)
                        .attr("vpc_id", reference("aws_vpc.main.id"))
                        .attr("tags", tags(name.clone())),
                );
                blocks.push(
                    Block::resource("aws_vpn_connection", &id)
                        .attr("vpn_gateway_id", reference(format!("aws_vpn_gateway.{id}.id")))
                        .attr("customer_gateway_id", s(customer_gateway))
                        .attr("type", s("ipsec.1"))
                        .attr("static_routes_only", Expr::Bool(true))
                        .attr("tags", tags(name)),
                );
                for cidr in &connection.cidrs.value {
                    let label = format!("{id}_{}", cidr.to_string().replace(['.', '/'], "_"));
                    blocks.push(
                        Block::resource("aws_vpn_connection_route", &label)
                            .attr("destination_cidr_block", s(cidr.to_string()))
                            .attr(
                                "vpn_connection_id",
                                reference(format!("aws_vpn_connection.{id}.id")),
                            ),
                    );
                }
            }
        }
    }
    blocks
}
