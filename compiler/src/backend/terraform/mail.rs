//! The `mail.tf` of an environment that sends e-mail: the SES domain identity of the
//! environment's domain with Easy DKIM and its three CNAME records, the DMARC record, the custom
//! MAIL FROM domain with its MX and SPF records, and the configuration set every message goes
//! through (TLS required, bounces and complaints suppressed, reputation metrics, and every
//! sending event counted in CloudWatch, where alarms watch them).

use super::*;

pub(super) fn mail(ctx: &Ctx<'_>, blocks: &mut Blocks) {
    for mail in &ctx.env.mail {
        blocks.extend(mail_blocks(ctx, mail));
    }
}

/// The dimension SES counts a configuration set's events under (its own automatic message tag).
pub(super) const CONFIGURATION_SET_DIMENSION: &str = "ses:configuration-set";

fn mail_blocks(ctx: &Ctx<'_>, mail: &Mail) -> Vec<Block> {
    let id = ctx.ident(&mail.name);
    let domain = ctx.env.mail_domain();
    let configuration_set = ctx.item_name(&mail.name);
    let zone = || reference("data.aws_route53_zone.main.zone_id");
    let identity = format!("aws_sesv2_email_identity.{id}");
    let mut blocks = vec![
        Block::resource("aws_sesv2_configuration_set", &id)
            .attr("configuration_set_name", s(&configuration_set))
            .block(Block::new("delivery_options", &[]).attr("tls_policy", s("REQUIRE")))
            .block(Block::new("reputation_options", &[]).attr("reputation_metrics_enabled", Expr::Bool(true)))
            .block(Block::new("sending_options", &[]).attr("sending_enabled", Expr::Bool(true)))
            .block(
                Block::new("suppression_options", &[])
                    .attr("suppressed_reasons", strings(["BOUNCE", "COMPLAINT"])),
            ),
        Block::resource(
            "aws_sesv2_configuration_set_event_destination",
            &format!("{id}_metrics"),
        )
        .attr(
            "configuration_set_name",
            reference(format!("aws_sesv2_configuration_set.{id}.configuration_set_name")),
        )
        .attr("event_destination_name", s("cloudwatch"))
        .block(
            Block::new("event_destination", &[])
                .attr("enabled", Expr::Bool(true))
                .attr(
                    "matching_event_types",
                    strings([
                        "SEND",
                        "REJECT",
                        "BOUNCE",
                        "COMPLAINT",
                        "DELIVERY",
                        "DELIVERY_DELAY",
                    ]),
                )
                .block(
                    Block::new("cloud_watch_destination", &[]).block(
                        Block::new("dimension_configuration", &[])
                            .attr("dimension_name", s(CONFIGURATION_SET_DIMENSION))
                            .attr("dimension_value_source", s("MESSAGE_TAG"))
                            .attr("default_dimension_value", s(&configuration_set)),
                    ),
                ),
        ),
    ];
    let mut identity_block = Block::resource("aws_sesv2_email_identity", &id)
        .attr("email_identity", s(domain))
        .attr(
            "configuration_set_name",
            reference(format!("aws_sesv2_configuration_set.{id}.configuration_set_name")),
        );
    if mail.dkim.value {
        identity_block = identity_block.block(
            Block::new("dkim_signing_attributes", &[]).attr("next_signing_key_length", s("RSA_2048_BIT")),
        );
    }
    blocks.push(identity_block);
    // Easy DKIM always makes three keys: one CNAME record each.
    if mail.dkim.value {
        for n in 0..3 {
            let token = format!("{identity}.dkim_signing_attributes[0].tokens[{n}]");
            blocks.push(
                Block::resource("aws_route53_record", &format!("{id}_dkim_{}", n + 1))
                    .attr("zone_id", zone())
                    .attr(
                        "name",
                        interpolated(token.as_str(), &format!("._domainkey.{domain}")),
                    )
                    .attr("type", s("CNAME"))
                    .attr("ttl", Expr::Num(1800))
                    .attr(
                        "records",
                        Expr::List(vec![interpolated(token.as_str(), ".dkim.amazonses.com")]),
                    ),
            );
        }
    }
    if let Some(record) = mail.dmarc_record() {
        blocks.push(
            Block::resource("aws_route53_record", &format!("{id}_dmarc"))
                .attr("zone_id", zone())
                .attr("name", s(format!("_dmarc.{domain}")))
                .attr("type", s("TXT"))
                .attr("ttl", Expr::Num(600))
                .attr("records", strings([record])),
        );
    }
    if let Some(mail_from) = mail.mail_from_domain(ctx.env) {
        blocks.extend([
            Block::resource("aws_sesv2_email_identity_mail_from_attributes", &id)
                .attr("email_identity", reference(format!("{identity}.email_identity")))
                .attr("mail_from_domain", s(&mail_from))
                // Until the MX record resolves, SES sends from amazonses.com instead of refusing.
                .attr("behavior_on_mx_failure", s("USE_DEFAULT_VALUE")),
            Block::resource("aws_route53_record", &format!("{id}_mail_from_mx"))
                .attr("zone_id", zone())
                .attr("name", s(&mail_from))
                .attr("type", s("MX"))
                .attr("ttl", Expr::Num(600))
                .attr(
                    "records",
                    strings([format!("10 feedback-smtp.{}.amazonses.com", ctx.env.region)]),
                ),
            Block::resource("aws_route53_record", &format!("{id}_mail_from_spf"))
                .attr("zone_id", zone())
                .attr("name", s(&mail_from))
                .attr("type", s("TXT"))
                .attr("ttl", Expr::Num(600))
                .attr("records", strings(["v=spf1 include:amazonses.com ~all"])),
        ]);
    }
    blocks
}
