//! The physical names archc gives resources in AWS, and AWS's limits on them. One place, read by
//! the Terraform backend (which writes the names) and by lowering (which reports a name AWS
//! would refuse as `E2005` before anything is generated), so the two cannot disagree.

/// `<system>-<env>-<part>`, in the characters AWS names take (`_` becomes `-`).
pub fn physical(system: &str, env: &str, part: &str) -> String {
    format!("{system}-{env}-{part}").replace('_', "-")
}

/// A bucket's name: global across accounts, so it carries the account; lowercase.
pub fn bucket(system: &str, env: &str, account: &str, bucket: &str) -> String {
    format!("{system}-{env}-{account}-{bucket}")
        .replace('_', "-")
        .to_lowercase()
}

/// A queue's name: `<system>-<env>-<queue>`, and AWS's `.fifo` suffix for a FIFO queue (its
/// dead-letter queue is `<name>-dead-letters`, before the suffix).
pub fn queue(system: &str, env: &str, queue: &str, fifo: bool) -> String {
    let name = physical(system, env, queue);
    if fifo { format!("{name}.fifo") } else { name }
}

/// The dead-letter queue of a queue (a FIFO queue's must be FIFO too).
pub fn dead_letter_queue(system: &str, env: &str, queue: &str, fifo: bool) -> String {
    let name = physical(system, env, &format!("{queue}-dead-letters"));
    if fifo { format!("{name}.fifo") } else { name }
}

/// The item name of a blue/green service's alternate target group (`api-alt`): ECS moves the
/// service between the two at each deployment, so neither is "blue" for long.
pub fn alternate_target_group(service: &str) -> String {
    format!("{service}-alt")
}

/// The item name of the role ECS assumes to shift blue/green services' traffic
/// (`<system>-<env>-ecs-load-balancers`).
pub const BLUE_GREEN_ROLE: &str = "ecs-load-balancers";

/// A cache's name (serverless cache name, replication group id, user group id): lowercase, as
/// ElastiCache stores them.
pub fn cache(system: &str, env: &str, cache: &str) -> String {
    physical(system, env, cache).to_lowercase()
}

/// The user id and name (IAM authentication needs them equal) of a cache's application user.
pub fn cache_user(system: &str, env: &str, cache: &str) -> String {
    format!("{}-app", self::cache(system, env, cache))
}

/// The id of a cache's disabled `default` user.
pub fn cache_default_user(system: &str, env: &str, cache: &str) -> String {
    format!("{}-default", self::cache(system, env, cache))
}

/// The ARN of a Secrets Manager secret known by name: Secrets Manager appends a hyphen and six
/// random characters, which `-??????` matches (and nothing longer, such as `<name>-old`).
pub fn secret_arn(region: &str, account: &str, name: &str) -> String {
    format!("arn:aws:secretsmanager:{region}:{account}:secret:{name}-??????")
}

/// What AWS allows for one kind of name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    /// What the name is, in messages: "load balancer name".
    pub what: &'static str,
    pub max: usize,
    /// RDS identifiers and S3 bucket names may not hold `--`.
    pub no_double_hyphen: bool,
}

const fn limit(what: &'static str, max: usize, no_double_hyphen: bool) -> Limit {
    Limit {
        what,
        max,
        no_double_hyphen,
    }
}

pub const LOAD_BALANCER: Limit = limit("load balancer name", 32, false);
pub const TARGET_GROUP: Limit = limit("target group name", 32, false);
pub const IAM_ROLE: Limit = limit("IAM role name", 64, false);
pub const SCHEDULE: Limit = limit("EventBridge schedule name", 64, false);
pub const DB_CLUSTER: Limit = limit("Aurora cluster identifier", 63, true);
pub const BUCKET: Limit = limit("S3 bucket name", 63, true);
pub const CACHE: Limit = limit("ElastiCache replication group or user id", 40, true);
pub const QUEUE: Limit = limit("SQS queue name", 80, false);
pub const CONFIGURATION_SET: Limit = limit("SES configuration set name", 64, false);
pub const CLOUDFRONT_ORIGIN: Limit = limit("CloudFront VPC origin or origin access control name", 64, false);

impl Limit {
    /// Why AWS would refuse `name` for this, if it would.
    pub fn breach(self, name: &str) -> Option<String> {
        let length = name.chars().count();
        if length > self.max {
            return Some(format!(
                "the {} `{name}` has {length} characters; AWS allows {}",
                self.what, self.max
            ));
        }
        if self.no_double_hyphen && name.contains("--") {
            return Some(format!(
                "the {} `{name}` holds `--`, which AWS refuses",
                self.what
            ));
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_checked_against_the_limits() {
        assert_eq!(
            physical("webapp", "prd", "daily_report"),
            "webapp-prd-daily-report"
        );
        assert_eq!(
            bucket("Web", "prd", "111111111111", "a_b"),
            "web-prd-111111111111-a-b"
        );
        assert_eq!(LOAD_BALANCER.breach("webapp-prd-alb"), None);
        assert!(
            LOAD_BALANCER
                .breach(&"a".repeat(33))
                .is_some_and(|m| m.contains("33 characters; AWS allows 32"))
        );
        assert!(
            DB_CLUSTER
                .breach("webapp-prd--main")
                .is_some_and(|m| m.contains("`--`"))
        );
        assert_eq!(IAM_ROLE.breach("webapp-prd--main"), None);
    }
}
