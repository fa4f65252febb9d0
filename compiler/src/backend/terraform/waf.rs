//! The edge's AWS WAF web ACL, written into `edge.tf`: scope CLOUDFRONT, so in us-east-1; the
//! allow list, the deny list, the rate limit per client address and the AWS managed rule
//! groups, in that order; every rule's metrics and sampled requests on; its requests logged to
//! a CloudWatch log group in us-east-1 (named `aws-waf-logs-…`, as WAF requires).

use super::*;

/// The web ACL's blocks and the reference the distribution's `web_acl_id` takes.
pub(super) fn web_acl(ctx: &Ctx<'_>, edge: &Edge, waf: &WebAcl) -> (Vec<Block>, Expr) {
    let id = format!("{}_waf", ctx.ident(&edge.name));
    let name = ctx.item_name_with(&edge.name, "waf");
    let us_east_1 = || reference("aws.us_east_1");
    let visibility = |metric: &str| {
        Block::new("visibility_config", &[])
            .attr("cloudwatch_metrics_enabled", Expr::Bool(true))
            .attr("metric_name", s(metric))
            .attr("sampled_requests_enabled", Expr::Bool(true))
    };
    let mut blocks = Vec::new();
    let mut rules = Vec::new();
    let mut priority = 0;
    let mut next = || {
        priority += 10;
        Expr::Num(priority)
    };
    for (list, action, addresses) in [("allow", "allow", &waf.allow), ("deny", "block", &waf.deny)] {
        if addresses.is_empty() {
            continue;
        }
        let set = format!("{id}_{list}");
        blocks.push(
            Block::resource("aws_wafv2_ip_set", &set)
                .attr("provider", us_east_1())
                .attr("name", s(format!("{name}-{list}")))
                .attr("scope", s("CLOUDFRONT"))
                .attr("ip_address_version", s("IPV4"))
                .attr("addresses", strings(addresses.iter().map(ToString::to_string))),
        );
        rules.push(
            Block::new("rule", &[])
                .attr("name", s(format!("{list}-list")))
                .attr("priority", next())
                .block(Block::new("action", &[]).block(Block::new(action, &[])))
                .block(
                    Block::new("statement", &[]).block(
                        Block::new("ip_set_reference_statement", &[])
                            .attr("arn", reference(format!("aws_wafv2_ip_set.{set}.arn"))),
                    ),
                )
                .block(visibility(&format!("{name}-{list}-list"))),
        );
    }
    if let Some(limit) = &waf.rate_limit {
        rules.push(
            Block::new("rule", &[])
                .attr("name", s("rate-limit"))
                .attr("priority", next())
                .block(Block::new("action", &[]).block(Block::new("block", &[])))
                .block(
                    Block::new("statement", &[]).block(
                        Block::new("rate_based_statement", &[])
                            .attr("limit", Expr::Num(limit.value))
                            .attr("evaluation_window_sec", Expr::Num(300))
                            .attr("aggregate_key_type", s("IP")),
                    ),
                )
                .block(visibility(&format!("{name}-rate-limit"))),
        );
    }
    for group in &waf.managed {
        rules.push(
            Block::new("rule", &[])
                .attr("name", s(group.aws_name()))
                .attr("priority", next())
                // A rule group's own actions decide (its rules block what they match).
                .block(Block::new("override_action", &[]).block(Block::new("none", &[])))
                .block(
                    Block::new("statement", &[]).block(
                        Block::new("managed_rule_group_statement", &[])
                            .attr("name", s(group.aws_name()))
                            .attr("vendor_name", s("AWS")),
                    ),
                )
                .block(visibility(&format!(
                    "{name}-{}",
                    group.as_str().replace('_', "-")
                ))),
        );
    }
    let mut acl = Block::resource("aws_wafv2_web_acl", &id);
    if !waf.managed.contains(&ManagedRuleGroup::KnownBadInputs) {
        acl = acl.comment(
            "checkov:skip=CKV_AWS_192:the source's managed rule groups leave out known_bad_inputs (Log4j)",
        );
    }
    blocks.push(
        acl.attr("provider", us_east_1())
            .attr("name", s(&name))
            .attr(
                "description",
                s(format!("In front of {}", ctx.item_name(&edge.name))),
            )
            .attr("scope", s("CLOUDFRONT"))
            .block(Block::new("default_action", &[]).block(Block::new("allow", &[])))
            .blocks(rules)
            .block(visibility(&name)),
    );
    let logs = format!("{id}_logs");
    blocks.extend([
        Block::resource("aws_cloudwatch_log_group", &logs)
            .comment("checkov:skip=CKV_AWS_158:encrypted with the CloudWatch Logs service key; a customer key is not part of the design")
            .attr("provider", us_east_1())
            .attr("name", s(format!("aws-waf-logs-{name}")))
            .attr("retention_in_days", Expr::Num(365)),
        Block::resource("aws_wafv2_web_acl_logging_configuration", &id)
            .attr("provider", us_east_1())
            .attr("resource_arn", reference(format!("aws_wafv2_web_acl.{id}.arn")))
            .attr(
                "log_destination_configs",
                refs([format!("aws_cloudwatch_log_group.{logs}.arn")]),
            ),
    ]);
    (blocks, reference(format!("aws_wafv2_web_acl.{id}.arn")))
}
