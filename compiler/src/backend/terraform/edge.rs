//! The `edge.tf` of an environment: CloudFront with its origins (VPC origin, OAC, website),
//! behaviours, managed policies and security headers, certificates and DNS records.

use super::*;

/// An ACM certificate validated by DNS in the domain's zone, or the ARN given.
pub(super) fn certificate(
    ctx: &Ctx<'_>,
    name: &str,
    certificate: &Certificate,
    provider: Option<&str>,
) -> (Vec<Block>, Expr) {
    let (Some(domain), None) = (&certificate.domain, &certificate.arn) else {
        return (Vec::new(), s(certificate.arn.clone().unwrap_or_default()));
    };
    let provider = provider.map(|p| reference(format!("aws.{p}")));
    let mut certificate_block = Block::resource("aws_acm_certificate", name);
    if domain.starts_with("*.") {
        certificate_block = certificate_block.comment(
            "checkov:skip=CKV2_AWS_71:the design asks for a wildcard certificate, acm(\"*.…\"), for the domain's subdomains",
        );
    }
    let blocks = vec![
        certificate_block
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
            .attr("zone_id", reference("data.aws_route53_zone.main.zone_id"))
            .attr("name", reference("each.value.resource_record_name"))
            .attr("type", reference("each.value.resource_record_type"))
            .attr("records", refs(["each.value.resource_record_value"]))
            .attr("ttl", Expr::Num(60))
            .attr("allow_overwrite", Expr::Bool(true)),
        Block::resource("aws_acm_certificate_validation", name)
            .attr_opt("provider", provider)
            .attr("certificate_arn", reference(format!("aws_acm_certificate.{name}.arn")))
            .attr(
                "validation_record_fqdns",
                r(format!("[for record in aws_route53_record.{name}_validation : record.fqdn]")),
            ),
    ];
    (
        blocks,
        reference(format!("aws_acm_certificate_validation.{name}.certificate_arn")),
    )
}

/// The environment's public hosted zone, named after its domain, where the edge's records, the
/// certificates' validation records and the mail records go (declared once, by whichever uses
/// it).
pub(super) fn hosted_zone(ctx: &Ctx<'_>) -> Option<Block> {
    let domain = &ctx.env.domain.as_ref()?.value;
    let validated = |c: &Certificate| c.arn.is_none() && c.domain.is_some();
    let used = ctx.env.edge.is_some()
        || !ctx.env.mail.is_empty()
        || ctx.env.load_balancers.iter().any(|lb| validated(&lb.certificate));
    used.then(|| {
        Block::data("aws_route53_zone", "main")
            .attr("name", s(domain))
            .attr("private_zone", Expr::Bool(false))
    })
}

pub(super) fn edge(ctx: &Ctx<'_>) -> Vec<Block> {
    let Some(edge) = &ctx.env.edge else {
        return Vec::new();
    };
    let name = ctx.ident(&edge.name);
    let mut blocks = Vec::new();
    let domain = ctx.env.domain.as_ref().map(|d| d.value.as_str());
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
                // CloudFront connects on the listener's port, whatever it is.
                let listen = ctx
                    .env
                    .load_balancers
                    .iter()
                    .find(|lb| lb.name == origin.name)
                    .map_or(443, |lb| lb.listen);
                blocks.push(
                    Block::resource("aws_cloudfront_vpc_origin", &id).block(
                        Block::new("vpc_origin_endpoint_config", &[])
                            .attr("name", s(ctx.item_name(&origin.name)))
                            .attr("arn", reference(format!("aws_lb.{id}.arn")))
                            .attr("http_port", Expr::Num(80))
                            .attr("https_port", Expr::Num(i64::from(listen)))
                            .attr("origin_protocol_policy", s("https-only"))
                            .block(
                                Block::new("origin_ssl_protocols", &[])
                                    .attr("items", strings(["TLSv1.2"]))
                                    .attr("quantity", Expr::Num(1)),
                            ),
                    ),
                );
                // The Host and SNI name must be on the ALB's certificate; no DNS record points at it.
                let domain = domain.map_or_else(|| reference(format!("aws_lb.{id}.dns_name")), s);
                origins.push(
                    Block::new("origin", &[])
                        .attr("origin_id", s(ctx.env.physical(&origin.name)))
                        .attr("domain_name", domain)
                        .block(
                            Block::new("vpc_origin_config", &[])
                                .attr(
                                    "vpc_origin_id",
                                    reference(format!("aws_cloudfront_vpc_origin.{id}.id")),
                                )
                                .attr("origin_read_timeout", Expr::Num(30))
                                .attr("origin_keepalive_timeout", Expr::Num(5)),
                        ),
                );
            }
            EdgeOriginKind::S3 => {
                blocks.push(
                    Block::resource("aws_cloudfront_origin_access_control", &id)
                        .attr("name", s(ctx.item_name(&origin.name)))
                        .attr("origin_access_control_origin_type", s("s3"))
                        .attr("signing_behavior", s("always"))
                        .attr("signing_protocol", s("sigv4")),
                );
                origins.push(
                    Block::new("origin", &[])
                        .attr("origin_id", s(ctx.env.physical(&origin.name)))
                        .attr(
                            "domain_name",
                            reference(format!("aws_s3_bucket.{id}.bucket_regional_domain_name")),
                        )
                        .attr(
                            "origin_access_control_id",
                            reference(format!("aws_cloudfront_origin_access_control.{id}.id")),
                        ),
                );
            }
            EdgeOriginKind::S3Website => origins.push(
                Block::new("origin", &[])
                    .attr("origin_id", s(ctx.env.physical(&origin.name)))
                    .attr(
                        "domain_name",
                        reference(format!(
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
            .attr("target_origin_id", s(ctx.env.physical(&b.target)))
            .attr("viewer_protocol_policy", s("redirect-to-https"))
            .attr("allowed_methods", strings(methods.iter().copied()))
            .attr("cached_methods", strings(["GET", "HEAD"]))
            .attr("compress", Expr::Bool(true))
            .attr(
                "cache_policy_id",
                reference(format!(
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
                        reference(format!(
                            "data.aws_cloudfront_origin_request_policy.{}.id",
                            policy_ident(p)
                        ))
                    }),
            )
            .attr_opt(
                "response_headers_policy_id",
                headers.then(|| reference("aws_cloudfront_response_headers_policy.security.id")),
            )
    };
    let default = edge
        .behaviours
        .iter()
        .find(|b| b.pattern == "/*")
        .or_else(|| edge.behaviours.first());
    let web_acl = edge.waf.as_ref().map(|waf| web_acl(ctx, edge, waf));
    let mut distribution = Block::resource("aws_cloudfront_distribution", &name);
    match &edge.waf {
        None => {
            distribution = distribution
                .comment(&format!("checkov:skip=CKV_AWS_68:{}", no_web_acl(ctx, edge)))
                .comment("checkov:skip=CKV2_AWS_47:no web ACL (see CKV_AWS_68)");
        }
        // checkov's Log4j check asks for the known-bad-inputs group (Log4j) and the anonymous
        // IP list too, which blocks every VPN and proxy user: the source decides.
        Some(waf) if !waf.managed.contains(&ManagedRuleGroup::KnownBadInputs) => {
            distribution = distribution.comment(
                "checkov:skip=CKV2_AWS_47:the web ACL's managed rule groups leave out known_bad_inputs (Log4j), as the source chose",
            );
        }
        Some(waf) if !waf.managed.contains(&ManagedRuleGroup::AnonymousIp) => {
            distribution = distribution.comment(
                "checkov:skip=CKV2_AWS_47:known_bad_inputs covers Log4j; the check also wants anonymous_ip, which blocks every VPN and proxy user, and the source leaves it out",
            );
        }
        Some(_) => {}
    }
    let through_load_balancer = edge.origins.iter().any(|o| o.kind == EdgeOriginKind::VpcOrigin);
    distribution = distribution
        .comment(if through_load_balancer {
            "checkov:skip=CKV_AWS_310:one origin per behaviour; the internal ALB spans every zone"
        } else {
            "checkov:skip=CKV_AWS_310:one origin per behaviour; each is a regional S3 bucket with no second copy to fail over to"
        })
        .comment("checkov:skip=CKV_AWS_374:the application serves every country");
    // `/`: the application answers it, a website endpoint serves its index document, and an
    // S3 origin gets `index.html` as the root object.
    let root_kind = default.map(|b| &b.target_kind);
    match root_kind {
        Some(EdgeOriginKind::VpcOrigin) => {
            distribution = distribution.comment(
                "checkov:skip=CKV_AWS_305:`/` is served by the application through the load balancer",
            );
        }
        Some(EdgeOriginKind::S3Website) => {
            distribution = distribution
                .comment("checkov:skip=CKV_AWS_305:`/` goes to an S3 website endpoint, which serves its own index document");
        }
        Some(EdgeOriginKind::S3) | None => {}
    }
    if edge.access_logs.is_none() {
        distribution = distribution.comment(&format!(
            "checkov:skip=CKV_AWS_86:{}",
            ctx.why_off(crate::diagnostics::codes::ACCESS_LOGS, &edge.origin)
        ));
    }
    if !edge.origins.iter().any(|o| o.kind == EdgeOriginKind::S3) {
        distribution = distribution.comment(
            "checkov:skip=CKV2_AWS_46:no S3 origin: the distribution reads no bucket (it only writes its logs to one)",
        );
    }
    distribution = distribution
        .attr("enabled", Expr::Bool(true))
        .attr("is_ipv6_enabled", Expr::Bool(true))
        .attr("http_version", s("http2and3"))
        .attr("comment", s(ctx.item_name(&edge.name)))
        .attr("price_class", s(price_class(edge.price_class)))
        .attr_opt("aliases", domain.map(|d| strings([d])))
        .attr_opt("web_acl_id", web_acl.as_ref().map(|(_, arn)| arn.clone()))
        .attr_opt(
            "default_root_object",
            (root_kind == Some(&EdgeOriginKind::S3)).then(|| s("index.html")),
        )
        .blocks(origins);
    if let Some(b) = default {
        distribution = distribution.block(behaviour(b, true));
    }
    for b in edge.behaviours.iter().filter(|b| Some(*b) != default) {
        distribution = distribution.block(behaviour(b, false));
    }
    // A single-page application: a path with no object (403 through OAC, 404) loads the app.
    if let Some(status) = &edge.spa_fallback {
        for error in [403, 404] {
            distribution = distribution.block(
                Block::new("custom_error_response", &[])
                    .attr("error_code", Expr::Num(error))
                    .attr("response_code", Expr::Num(status.value))
                    .attr("response_page_path", s("/index.html"))
                    .attr("error_caching_min_ttl", Expr::Num(10)),
            );
        }
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
                    reference(format!(
                        "aws_s3_bucket.{}.bucket_domain_name",
                        ctx.ident(&logs.value)
                    )),
                )
                .attr("prefix", s("cloudfront/"))
                .attr("include_cookies", Expr::Bool(false)),
        );
    }
    if let Some((acl, _)) = web_acl {
        blocks.extend(acl);
    }
    blocks.push(distribution);
    if let Some(domain) = domain {
        for record in ["A", "AAAA"] {
            blocks.push(
                Block::resource("aws_route53_record", &format!("{name}_{}", record.to_lowercase()))
                    .attr("zone_id", reference("data.aws_route53_zone.main.zone_id"))
                    .attr("name", s(domain))
                    .attr("type", s(record))
                    .block(
                        Block::new("alias", &[])
                            .attr(
                                "name",
                                reference(format!("aws_cloudfront_distribution.{name}.domain_name")),
                            )
                            .attr(
                                "zone_id",
                                reference(format!("aws_cloudfront_distribution.{name}.hosted_zone_id")),
                            )
                            .attr("evaluate_target_health", Expr::Bool(false)),
                    ),
            );
        }
    }
    blocks
}

pub(super) fn policy_ident(policy: &str) -> String {
    policy
        .trim_start_matches("Managed-")
        .replace('-', "_")
        .to_lowercase()
}

pub(super) fn price_class(class: PriceClass) -> &'static str {
    match class {
        PriceClass::Class100 => "PriceClass_100",
        PriceClass::Class200 => "PriceClass_200",
        PriceClass::All => "PriceClass_All",
    }
}

pub(super) fn response_headers_policy(ctx: &Ctx<'_>) -> Block {
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

/// Why the edge has no web ACL: a waiver's reason, the stage, or R022's warning.
fn no_web_acl(ctx: &Ctx<'_>, edge: &Edge) -> String {
    let rule = crate::diagnostics::codes::EDGE_WAF;
    match ctx.waiver(rule, &edge.origin) {
        Some(reason) => reason,
        None if ctx.production() => format!(
            "no `waf {{ … }}` on the edge; {} warns about it in production",
            rule.id
        ),
        None => ctx.why_off(rule, &edge.origin),
    }
}
