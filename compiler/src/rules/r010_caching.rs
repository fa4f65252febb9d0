//! R010 caching: dynamic routes (to a load balancer) do not cache and forward all viewer data;
//! static routes (to a static bucket) cache on the URI only, without viewer cookies or headers.

use super::{Finding, Findings};
use crate::diagnostics::codes::CACHING;
use crate::ir::{BucketPurpose, CachePolicy, EdgeOriginKind, EnvIr, Ir, OriginRequestPolicy};

pub fn check(_ir: &Ir, env: &EnvIr, out: &mut Findings) {
    let Some(edge) = &env.edge else { return };
    for route in &edge.behaviours {
        let forward = route.origin_request_policy.value;
        match route.target_kind {
            EdgeOriginKind::VpcOrigin => {
                if route.cache_policy.value != CachePolicy::CachingDisabled {
                    out.push(
                        Finding::error(
                            CACHING,
                            &route.cache_policy.origin,
                            format!(
                                "the dynamic route \"{}\" caches responses of `{}`",
                                route.pattern, route.target
                            ),
                        )
                        .help("use `cache = disabled`: dynamic content always comes fresh from the origin"),
                    );
                }
                if forward != Some(OriginRequestPolicy::AllViewer) {
                    out.push(
                        Finding::error(
                            CACHING,
                            &route.origin_request_policy.origin,
                            format!(
                                "the dynamic route \"{}\" does not forward cookies, headers and query strings to `{}`",
                                route.pattern, route.target
                            ),
                        )
                        .help("use `forward = all_viewer`: sessions and authentication need the viewer's data"),
                    );
                }
            }
            EdgeOriginKind::S3 if route.target_purpose == Some(BucketPurpose::Static) => {
                if route.cache_policy.value != CachePolicy::CachingOptimized {
                    out.push(
                        Finding::error(
                            CACHING,
                            &route.cache_policy.origin,
                            format!(
                                "the static route \"{}\" to `{}` is not cached",
                                route.pattern, route.target
                            ),
                        )
                        .help("use `cache = optimized`: static content is cached at the edge on its URI"),
                    );
                }
                if forward == Some(OriginRequestPolicy::AllViewer) {
                    out.push(
                        Finding::error(
                            CACHING,
                            &route.origin_request_policy.origin,
                            format!(
                                "the static route \"{}\" forwards viewer cookies and headers to `{}`",
                                route.pattern, route.target
                            ),
                        )
                        .help("use `forward = cors_s3` (or `none`): static content is keyed on the URI only"),
                    );
                }
            }
            EdgeOriginKind::S3 | EdgeOriginKind::S3Website => {}
        }
    }
}
