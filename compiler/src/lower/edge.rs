//! The edge and the load balancers: CloudFront's origins and behaviours with their managed
//! policies, the load balancers' listeners and health checks, and certificates.

use super::*;

impl EnvLowerer<'_> {
    pub(super) fn edge(
        &self,
        component: &Component,
        components: &[Resolved<'_>],
        domain: Option<String>,
    ) -> Lowering<Edge> {
        let get = Get::new(&component.fields, &component.origin);
        let mut origins: Vec<EdgeOrigin> = Vec::new();
        let mut behaviours = Vec::new();
        for route in &component.routes {
            let target = components.iter().find(|c| c.name == route.target);
            let target_kind = match target.map(|t| (t.category.as_str(), t.kind.as_str())) {
                Some(("bucket", "s3_website")) => EdgeOriginKind::S3Website,
                Some(("bucket", _)) => EdgeOriginKind::S3,
                Some(("load_balancer", _)) => EdgeOriginKind::VpcOrigin,
                _ => return Err(Fault::new(&route.target, "route target", &route.origin)),
            };
            if !origins.iter().any(|o| o.name == route.target) {
                origins.push(EdgeOrigin {
                    name: route.target.clone(),
                    kind: target_kind.clone(),
                });
            }
            let route_get = Get::new(&route.fields, &route.origin);
            let target_purpose = match (&target_kind, target) {
                (EdgeOriginKind::S3, Some(t)) => {
                    Some(Get::new(&t.fields, &t.origin).choice::<BucketPurpose>("purpose")?)
                }
                _ => None,
            };
            behaviours.push(Behaviour {
                pattern: route.pattern.clone(),
                target: route.target.clone(),
                target_kind,
                target_purpose,
                cache_policy: Spanned {
                    value: CachePolicy::of(route_get.choice("cache")?),
                    origin: route_get.origin("cache"),
                },
                origin_request_policy: Spanned {
                    value: OriginRequestPolicy::of(route_get.choice("forward")?),
                    origin: route_get.origin("forward"),
                },
                origin: route.origin.clone(),
            });
        }
        Ok(Edge {
            waf: web_acl(&get)?,
            spa_fallback: get
                .setting("spa_fallback")
                .map(|_| get.spanned_int("spa_fallback"))
                .transpose()?,
            name: component.name.clone(),
            certificate: certificate(&get, "us-east-1", domain)?,
            headers: get.choice("headers")?,
            price_class: get.choice("price_class")?,
            access_logs: get.optional_str("access_logs")?.map(|bucket| Spanned {
                value: bucket,
                origin: get.origin("access_logs"),
            }),
            origins,
            behaviours,
            origin: component.origin.clone(),
        })
    }

    pub(super) fn load_balancer(
        &self,
        component: &Component,
        region: &str,
        domain: Option<String>,
    ) -> Lowering<LoadBalancer> {
        let get = Get::new(&component.fields, &component.origin);
        Ok(LoadBalancer {
            name: component.name.clone(),
            tier: tier_of(component)?,
            internal: get.spanned_bool("internal")?,
            listen: get.port("listen")?,
            test_listen: get.optional_port("test_listen")?,
            certificate: certificate(&get, region, domain)?,
            access_logs: get.optional_str("access_logs")?.map(|bucket| Spanned {
                value: bucket,
                origin: get.origin("access_logs"),
            }),
            health_check: get.str("health_check")?,
            idle_timeout_seconds: get.spanned_duration("idle_timeout")?,
            origin: component.origin.clone(),
        })
    }
}

pub(super) fn certificate(get: &Get<'_>, region: &str, domain: Option<String>) -> Lowering<Certificate> {
    let origin = get.origin("certificate");
    Ok(match get.optional_call("certificate")? {
        Some(("certificate_arn", arn)) => Certificate {
            domain: None,
            region: arn
                .split(':')
                .nth(3)
                .ok_or_else(|| Fault::new("certificate", "ARN with a region", &origin))?
                .to_owned(),
            arn: Some(arn),
            origin,
        },
        Some((_, domain)) => Certificate {
            domain: Some(domain),
            arn: None,
            region: region.to_owned(),
            origin,
        },
        None => Certificate {
            domain,
            arn: None,
            region: region.to_owned(),
            origin,
        },
    })
}

/// The edge's web ACL, when the source writes `waf { … }` (the model fills every block in with
/// its defaults, so an unwritten one is no web ACL).
fn web_acl(edge: &Get<'_>) -> Lowering<Option<WebAcl>> {
    if !edge.setting("waf").is_some_and(|s| s.written) {
        return Ok(None);
    }
    let origin = edge.origin("waf");
    let get = Get::new(edge.block("waf")?, &origin);
    let mut managed: Vec<ManagedRuleGroup> = Vec::new();
    for group in get.choices::<ManagedRuleGroup>("managed")? {
        if !managed.contains(&group) {
            managed.push(group);
        }
    }
    let rate_limit = get.spanned_int("rate_limit")?;
    Ok(Some(WebAcl {
        managed,
        rate_limit: (rate_limit.value > 0).then_some(rate_limit),
        deny: get.cidrs("deny")?,
        allow: get.cidrs("allow")?,
        origin,
    }))
}
