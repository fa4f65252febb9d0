//! R013 access-logs: the edge and every load balancer write access logs to a bucket whose
//! purpose is `access_logs`.

use super::{Finding, Findings};
use crate::diagnostics::codes::ACCESS_LOGS;
use crate::ir::{BucketPurpose, EnvIr, Ir, Spanned};
use crate::span::Origin;

pub fn check(_ir: &Ir, env: &EnvIr, out: &mut Findings) {
    if let Some(edge) = &env.edge {
        logs_to_log_bucket(
            env,
            &format!("the edge `{}`", edge.name),
            edge.access_logs.as_ref(),
            &edge.origin,
            out,
        );
    }
    for lb in &env.load_balancers {
        logs_to_log_bucket(
            env,
            &format!("load balancer `{}`", lb.name),
            lb.access_logs.as_ref(),
            &lb.origin,
            out,
        );
    }
}

fn logs_to_log_bucket(
    env: &EnvIr,
    what: &str,
    logs: Option<&Spanned<String>>,
    origin: &Origin,
    out: &mut Findings,
) {
    let log_buckets: Vec<&str> = env
        .buckets
        .iter()
        .filter(|b| b.purpose == Some(BucketPurpose::AccessLogs))
        .map(|b| b.name.as_str())
        .collect();
    let suggestion = match log_buckets.first() {
        Some(bucket) => format!("add `access_logs = {bucket}`"),
        None => {
            "declare `bucket logs : s3 { purpose = access_logs }` and add `access_logs = logs`".to_owned()
        }
    };
    match logs {
        None => out.push(
            Finding::error(ACCESS_LOGS, origin, format!("{what} writes no access logs")).help(suggestion),
        ),
        Some(bucket) if !log_buckets.contains(&bucket.value.as_str()) => out.push(
            Finding::error(
                ACCESS_LOGS,
                &bucket.origin,
                format!(
                    "{what} writes its access logs to `{}`, which is not a log bucket",
                    bucket.value
                ),
            )
            .help(match log_buckets.first() {
                Some(bucket) => format!("use `access_logs = {bucket}`"),
                None => "give the log bucket `purpose = access_logs`".to_owned(),
            }),
        ),
        Some(_) => {}
    }
}
