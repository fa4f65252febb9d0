//! R017 static-bucket-writes: what the edge serves is written only by the component that
//! publishes it. A flow that lets a task write into (or delete from) a `static` bucket or a
//! website bucket, other than the bucket's `published_by`, is refused: a compromised task could
//! replace what every viewer downloads.

use rustc_hash::FxHashMap as HashMap;

use super::{Finding, Findings};
use crate::diagnostics::codes::STATIC_BUCKET_WRITES;
use crate::ir::{Access, Bucket, BucketPurpose, EnvIr, GrantTarget, Ir};

pub fn check(_ir: &Ir, env: &EnvIr, out: &mut Findings) {
    if env.grants.is_empty() {
        return;
    }
    let routes = |bucket: &str| -> Vec<&str> {
        env.edge
            .iter()
            .flat_map(|edge| &edge.behaviours)
            .filter(|b| b.target == bucket)
            .map(|b| b.pattern.as_str())
            .collect()
    };
    let served: HashMap<&str, &Bucket> = env
        .buckets
        .iter()
        .filter(|b| {
            b.website.is_some() || b.purpose == Some(BucketPurpose::Static) || !routes(&b.name).is_empty()
        })
        .map(|b| (b.name.as_str(), b))
        .collect();
    for grant in env.grants.iter().filter(|g| g.target == GrantTarget::Bucket) {
        let Some(bucket) = served.get(grant.to.as_str()) else {
            continue;
        };
        let changes: Vec<&str> = grant
            .access
            .iter()
            .filter(|a| matches!(a, Access::Write | Access::Delete))
            .map(|a| a.as_str())
            .collect();
        let publisher = bucket.published_by.as_ref();
        if changes.is_empty() || publisher.is_some_and(|p| p.value == grant.from) {
            continue;
        }
        let patterns = routes(&bucket.name);
        let served_at = if patterns.is_empty() {
            "content the edge serves".to_owned()
        } else {
            format!("served to the internet at {}", patterns.join(", "))
        };
        let mut finding = Finding::error(
            STATIC_BUCKET_WRITES,
            &grant.origin,
            format!(
                "`{}` may {} objects in `{}`, {served_at}; only its publisher may change them",
                grant.from,
                changes.join(" and "),
                bucket.name
            ),
        )
        .label(&bucket.origin, "a bucket the edge serves");
        finding = match publisher {
            Some(p) => finding.label(&p.origin, format!("published by `{}`", p.value)),
            None => finding,
        };
        let help = match publisher {
            Some(p) => format!(
                "let `{}` alone write here, or grant `{}` only `read`",
                p.value, grant.from
            ),
            None => format!(
                "if `{}` publishes this content, declare it: `published_by = {}` on `{}`; otherwise grant it only `read`",
                grant.from, grant.from, bucket.name
            ),
        };
        out.push(finding.help(help));
    }
}
