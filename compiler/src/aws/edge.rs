//! The edge's domains, certificates and routes: each environment serves its own domain, the
//! certificates cover it, path patterns are unique, only buckets meant to be public are
//! origins, its web ACL is one AWS WAF takes, and an SPA fallback hides no origin's errors.

use crate::diagnostics::codes::{
    ALIAS_COLLISION, CERTIFICATE_MISMATCH, DUPLICATE_ROUTE, NO_DOMAIN, SECOND_EDGE, SENSITIVE_ORIGIN,
    SPA_FALLBACK, WEB_ACL_LIMITS,
};
use crate::ir::{BucketPurpose, Certificate, EdgeOriginKind, EnvIr, Ir};
use crate::rules::{Finding, Findings};

/// `A007`: CloudFront takes each path pattern once per distribution.
pub fn routes(_ir: &Ir, env: &EnvIr, out: &mut Findings) {
    let Some(edge) = &env.edge else { return };
    for (i, behaviour) in edge.behaviours.iter().enumerate() {
        let Some(first) = edge
            .behaviours
            .iter()
            .take(i)
            .find(|b| b.pattern == behaviour.pattern)
        else {
            continue;
        };
        out.push(
            Finding::error(
                DUPLICATE_ROUTE,
                &behaviour.origin,
                format!("the route \"{}\" is declared twice on `{}`", behaviour.pattern, edge.name),
            )
            .label(&first.origin, "first declared here")
            .help("CloudFront takes each path pattern once per distribution (CacheBehavior, PathPattern): remove one, or merge them"),
        );
    }
}

/// `A008` and `A009`: a DNS-validated certificate and an edge in front of a load balancer need
/// the environment's domain (its hosted zone, the origin's host name); two environments never
/// claim one domain, since a CloudFront alias is unique across every account.
pub fn domains(ir: &Ir, env: &EnvIr, out: &mut Findings) {
    if env.domain.is_none() {
        let certificates = env
            .edge
            .iter()
            .map(|e| (&e.certificate, format!("the edge `{}`", e.name), &e.origin))
            .chain(env.load_balancers.iter().map(|lb| {
                (
                    &lb.certificate,
                    format!("load balancer `{}`", lb.name),
                    &lb.origin,
                )
            }));
        for (certificate, user, origin) in certificates {
            if certificate.arn.is_some() {
                continue;
            }
            let (at, message) = match &certificate.domain {
                Some(domain) => (
                    &certificate.origin,
                    format!(
                        "the certificate `acm(\"{domain}\")` of {user} is validated in the domain's hosted zone, but the system has no `domain`"
                    ),
                ),
                None => (
                    origin,
                    format!("{user} needs a certificate, and there is no `domain` to issue one for"),
                ),
            };
            out.push(
                Finding::error(NO_DOMAIN, at, message)
                    .help("give the system its domain, e.g. `domain = \"example.com\"` (each environment may set its own), or use `certificate_arn(\"…\")`"),
            );
        }
        if let Some(edge) = &env.edge
            && edge.origins.iter().any(|o| o.kind == EdgeOriginKind::VpcOrigin)
        {
            out.push(
                Finding::error(
                    NO_DOMAIN,
                    &edge.origin,
                    format!("the edge `{}` reaches a load balancer over HTTPS by the environment's domain, and there is none", edge.name),
                )
                .help("give the system its domain, e.g. `domain = \"example.com\"`: the load balancer's certificate must match the host name CloudFront connects with"),
            );
        }
    }
    // Each pair of environments once: this one against the ones declared after it.
    let Some(domain) = &env.domain else { return };
    let later = ir.envs.iter().skip_while(|e| e.name != env.name).skip(1);
    for other in later {
        let Some(theirs) = other
            .domain
            .as_ref()
            .filter(|d| d.value.eq_ignore_ascii_case(&domain.value))
        else {
            continue;
        };
        out.push(
            Finding::error(
                ALIAS_COLLISION,
                &other.origin,
                format!(
                    "envs `{}` and `{}` both serve {}: a CloudFront alias belongs to one distribution in all of AWS",
                    env.name, other.name, theirs.value
                ),
            )
            .label(&domain.origin, "the domain comes from here")
            .help(format!(
                "give env `{}` its own domain, e.g. `domain = \"{}.{}\"`",
                other.name,
                other.name.replace('_', "-"),
                domain.value
            ))
            .across_envs(),
        );
    }
}

/// Whether a certificate for `name` (`example.com`, `*.example.com`) covers `host`. A wildcard
/// covers exactly one label: `*.example.com` covers `stg.example.com`, not `example.com`.
pub fn covers(name: &str, host: &str) -> bool {
    let (name, host) = (name.to_ascii_lowercase(), host.to_ascii_lowercase());
    match name.strip_prefix("*.") {
        Some(parent) => host
            .split_once('.')
            .is_some_and(|(label, rest)| !label.is_empty() && rest == parent),
        None => name == host,
    }
}

/// The longest first domain name of an ACM certificate (its subject's common name).
const ACM_FIRST_NAME: usize = 64;

/// `A010`: the edge's certificate covers the alias it serves, and a load balancer's the host
/// name CloudFront connects to it with (the environment's domain).
pub fn certificates(_ir: &Ir, env: &EnvIr, out: &mut Findings) {
    let Some(domain) = &env.domain else { return };
    let mut check = |certificate: &Certificate, user: String| {
        let Some(name) = &certificate.domain else { return };
        if name.len() > ACM_FIRST_NAME {
            out.push(
                Finding::error(
                    CERTIFICATE_MISMATCH,
                    &certificate.origin,
                    format!(
                        "the certificate of {user} would be for {name}, {} characters; ACM takes at most {ACM_FIRST_NAME} in a certificate's domain name",
                        name.len()
                    ),
                )
                .label(&domain.origin, "the domain comes from here")
                .help("use a shorter domain for this environment (`domain = \"…\"`), or a wildcard certificate of its parent, e.g. `acm(\"*.example.com\")` (AWS Certificate Manager: RequestCertificate, DomainName)"),
            );
            return;
        }
        if !covers(name, &domain.value) {
            out.push(
                Finding::error(
                    CERTIFICATE_MISMATCH,
                    &certificate.origin,
                    format!(
                        "the certificate of {user} is for {name}, which does not cover {}, the domain it serves",
                        domain.value
                    ),
                )
                .label(&domain.origin, format!("{} comes from here", domain.value))
                .help(format!(
                    "leave `certificate` out to get one for {}, or use `acm(\"{}\")`",
                    domain.value, domain.value
                )),
            );
        }
    };
    if let Some(edge) = &env.edge {
        check(&edge.certificate, format!("the edge `{}`", edge.name));
    }
    for lb in &env.load_balancers {
        check(&lb.certificate, format!("load balancer `{}`", lb.name));
    }
}

/// `A011`: only buckets meant to be served (`purpose = static`, websites) are the edge's
/// origins; CloudFront would be granted read on state, logs or data, and every key would
/// become a public URL.
pub fn origins(_ir: &Ir, env: &EnvIr, out: &mut Findings) {
    let Some(edge) = &env.edge else { return };
    for behaviour in &edge.behaviours {
        let reason = match behaviour.target_purpose {
            Some(BucketPurpose::TerraformState) => {
                "holds the Terraform state (secrets, every resource's attributes)"
            }
            Some(BucketPurpose::AccessLogs) => "holds access logs (viewers' addresses and requests)",
            Some(BucketPurpose::Data) => "holds application data",
            Some(BucketPurpose::Static) | None => continue,
        };
        out.push(
            Finding::error(
                SENSITIVE_ORIGIN,
                &behaviour.origin,
                format!(
                    "the route \"{}\" serves bucket `{}`, which {reason}: every key would be a public URL",
                    behaviour.pattern, behaviour.target
                ),
            )
            .help("route only to buckets with `purpose = static` or to `s3_website` buckets; keep what is served in a bucket of its own"),
        );
    }
}

/// `A012`: one edge per system. The IR holds the first; the others would build nothing and
/// claim the same alias.
pub fn single_edge(ir: &Ir, env: &EnvIr, out: &mut Findings) {
    let Some(edge) = &env.edge else { return };
    for other in &ir.other_edges {
        out.push(
            Finding::error(
                SECOND_EDGE,
                &other.origin,
                format!(
                    "`{}` is a second edge; the system has one, `{}`",
                    other.value, edge.name
                ),
            )
            .label(&edge.origin, "the edge")
            .help(format!(
                "add this edge's routes to `{}`: one distribution serves the environment's domain",
                edge.name
            )),
        );
    }
}

/// `A020`: a rate limit AWS WAF would refuse (under 10 requests per 5 minutes; `0` is none).
pub fn web_acl(_ir: &Ir, env: &EnvIr, out: &mut Findings) {
    let Some((edge, waf)) = env.edge.as_ref().and_then(|e| Some((e, e.waf.as_ref()?))) else {
        return;
    };
    if let Some(limit) = waf.rate_limit.as_ref().filter(|l| l.value < 10) {
        out.push(
            Finding::error(
                WEB_ACL_LIMITS,
                &limit.origin,
                format!(
                    "`{}`'s web ACL limits a client to {} requests in 5 minutes; AWS WAF takes 10 to 2,000,000,000",
                    edge.name, limit.value
                ),
            )
            .help("set `rate_limit` to 10 or more, or to 0 for no rate limit"),
        );
    }
}

/// `A021`: CloudFront's custom error responses are the distribution's, not a behaviour's: with
/// an SPA fallback, a load balancer's own 403s and 404s (an API's "not found") would become
/// `/index.html` too.
pub fn spa_fallback(_ir: &Ir, env: &EnvIr, out: &mut Findings) {
    let Some((edge, status)) = env
        .edge
        .as_ref()
        .and_then(|e| Some((e, e.spa_fallback.as_ref()?)))
    else {
        return;
    };
    for behaviour in edge
        .behaviours
        .iter()
        .filter(|b| b.target_kind == EdgeOriginKind::VpcOrigin)
    {
        out.push(
            Finding::error(
                SPA_FALLBACK,
                &status.origin,
                format!(
                    "`{}` answers missing paths with /index.html, and routes `{}` to the load balancer `{}`, whose 403 and 404 responses would become /index.html too",
                    edge.name, behaviour.pattern, behaviour.target
                ),
            )
            .label(&behaviour.origin, "a route to a load balancer")
            .help("serve the single-page application from an edge of its own (a separate system), or let the application answer unknown paths itself and remove `spa_fallback`"),
        );
    }
}
