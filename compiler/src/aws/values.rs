//! Single values AWS bounds: Fargate task sizes, durations AWS takes in whole units, zones that
//! exist in the region, subnet sizes, the subnets a load balancer needs, and the cache engine
//! versions that sign in with IAM.

use std::collections::BTreeSet;

use crate::diagnostics::codes::{
    CACHE_ENGINE_VERSION, DUPLICATE_ZONE, DURATION_REFUSED, FARGATE_TASK_SIZE, LOAD_BALANCER_SUBNETS,
    SUBNET_SIZE, UNKNOWN_ZONE,
};
use crate::ir::{CacheEngine, CacheNodes, DAY, DeployStrategy, EnvIr, Ir, Schedule};
use crate::regions;
use crate::rules::{Finding, Findings};
use crate::span::Origin;

/// The memory sizes (MiB) Fargate allows with each CPU size: (cpu, smallest, largest, step).
/// Source: Amazon ECS Developer Guide, "Task CPU and memory" (Fargate task sizes).
const FARGATE_SIZES: &[(i64, i64, i64, i64)] = &[
    (256, 512, 2048, 512),
    (512, 1024, 4096, 1024),
    (1024, 2048, 8192, 1024),
    (2048, 4096, 16384, 1024),
    (4096, 8192, 30720, 1024),
    (8192, 16384, 61440, 4096),
    (16384, 32768, 122880, 8192),
];

/// `A001`: a task's CPU and memory must be a pair of Fargate's table (256 CPU takes 512, 1024
/// or 2048 MiB: the 1536 step between is refused too).
pub fn task_sizes(_ir: &Ir, env: &EnvIr, out: &mut Findings) {
    let tasks = env
        .services
        .iter()
        .map(|s| (&s.name, &s.cpu, &s.memory))
        .chain(env.jobs.iter().map(|j| (&j.name, &j.cpu, &j.memory)));
    for (name, cpu, memory) in tasks {
        let Some(&(_, low, high, step)) = FARGATE_SIZES.iter().find(|(c, ..)| *c == cpu.value) else {
            let sizes: Vec<String> = FARGATE_SIZES.iter().map(|(c, ..)| c.to_string()).collect();
            out.push(
                Finding::error(
                    FARGATE_TASK_SIZE,
                    &cpu.origin,
                    format!("Fargate has no task size with {} CPU units (`{name}`)", cpu.value),
                )
                .help(format!("use one of {}", sizes.join(", "))),
            );
            continue;
        };
        let fits = (low..=high).contains(&memory.value)
            && (memory.value - low) % step == 0
            // 256 CPU units take 512, 1024 or 2048 MiB only.
            && (cpu.value != 256 || memory.value != 1536);
        if !fits {
            let allowed = if cpu.value == 256 {
                "512, 1024 or 2048 MiB".to_owned()
            } else {
                format!("{low} to {high} MiB in steps of {step}")
            };
            out.push(
                Finding::error(
                    FARGATE_TASK_SIZE,
                    &memory.origin,
                    format!(
                        "Fargate does not run {} CPU units with {} MiB (`{name}`)",
                        cpu.value, memory.value
                    ),
                )
                .label(&cpu.origin, format!("{} CPU units", cpu.value))
                .help(format!("with {} CPU units, use {allowed}", cpu.value)),
            );
        }
    }
}

/// A duration AWS takes only in whole `unit`s, between `min` and `max` of them.
struct Bound {
    what: &'static str,
    unit: (&'static str, u64),
    min: u64,
    max: u64,
    source: &'static str,
}

const MINUTE: (&str, u64) = ("minute", 60);
const DAYS: (&str, u64) = ("day", DAY);
const SECOND: (&str, u64) = ("second", 1);

const SCHEDULE_RATE: Bound = Bound {
    what: "an EventBridge Scheduler rate",
    unit: MINUTE,
    min: 1,
    max: u32::MAX as u64,
    source: "EventBridge Scheduler: schedule types, rate-based schedules",
};
const EXPIRY: Bound = Bound {
    what: "an S3 lifecycle expiration",
    unit: DAYS,
    min: 1,
    max: u32::MAX as u64,
    source: "Amazon S3 API: LifecycleExpiration, Days (a positive integer)",
};
const BACKUP_RETENTION: Bound = Bound {
    what: "Aurora's backup retention",
    unit: DAYS,
    min: 1,
    max: 35,
    source: "Amazon Aurora: backup retention period, 1 to 35 days",
};
const ALARM_PERIOD: Bound = Bound {
    what: "an alarm's evaluation time (one-minute periods, at most a day)",
    unit: MINUTE,
    min: 1,
    max: 1_440,
    source: "Amazon CloudWatch: PutMetricAlarm, Period × EvaluationPeriods at most 86,400 seconds",
};
const IDLE_TIMEOUT: Bound = Bound {
    what: "a load balancer's idle timeout",
    unit: SECOND,
    min: 1,
    max: 4_000,
    source: "Elastic Load Balancing: idle_timeout.timeout_seconds, 1–4000",
};

const BAKE_TIME: Bound = Bound {
    what: "a blue/green deployment's bake time",
    unit: MINUTE,
    min: 0,
    max: 1_440,
    source: "Amazon ECS: DeploymentConfiguration.bakeTimeInMinutes, 0–1440",
};

const VISIBILITY_TIMEOUT: Bound = Bound {
    what: "an SQS visibility timeout",
    unit: SECOND,
    min: 0,
    max: 43_200,
    source: "Amazon SQS: SetQueueAttributes, VisibilityTimeout 0 to 43,200 seconds (12 hours)",
};
const MESSAGE_RETENTION: Bound = Bound {
    what: "an SQS message retention period",
    unit: SECOND,
    min: 60,
    max: 1_209_600,
    source: "Amazon SQS: SetQueueAttributes, MessageRetentionPeriod 60 to 1,209,600 seconds (14 days)",
};

/// `A017`: a node-based cache's engine version signs in with IAM authentication (Valkey 7.2 or
/// later, Redis OSS 7.0 or later), which is how tasks reach every cache.
pub fn cache_versions(_ir: &Ir, env: &EnvIr, out: &mut Findings) {
    for cache in &env.caches {
        let CacheNodes::Nodes { engine, version, .. } = &cache.nodes else {
            continue;
        };
        let (needed, name) = match engine {
            CacheEngine::Valkey => ((7, 2), "Valkey"),
            CacheEngine::Redis => ((7, 0), "Redis OSS"),
        };
        let mut parts = version.value.split('.').map(|p| p.parse::<u32>().unwrap_or(0));
        let written = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
        if written < needed {
            out.push(
                Finding::error(
                    CACHE_ENGINE_VERSION,
                    &version.origin,
                    format!(
                        "cache `{}` runs {name} {}, which has no IAM authentication (it needs {}.{} or later)",
                        cache.name, version.value, needed.0, needed.1
                    ),
                )
                .help(format!(
                    "use a current version, e.g. `version = \"{}\"`: tasks sign in to every cache with IAM, never a password",
                    if *engine == CacheEngine::Valkey { "8.0" } else { "7.1" }
                )),
            );
        }
    }
}

/// `A002`: durations AWS takes in whole minutes or days, within its limits (a rate of 30 s, an
/// expiry of 0 or 12 hours, 40 days of backups, an idle timeout over 4,000 s).
pub fn durations(_ir: &Ir, env: &EnvIr, out: &mut Findings) {
    for job in &env.jobs {
        if let Schedule::Rate(seconds) = job.schedule.value {
            bound(&SCHEDULE_RATE, seconds, &job.schedule.origin, out);
        }
    }
    for bucket in &env.buckets {
        if let Some(expiry) = &bucket.expire_after_seconds {
            bound(&EXPIRY, expiry.value, &expiry.origin, out);
        }
    }
    for database in &env.databases {
        let retention = &database.backup_retention_seconds;
        bound(&BACKUP_RETENTION, retention.value, &retention.origin, out);
    }
    for alarm in &env.alarms {
        bound(
            &ALARM_PERIOD,
            alarm.period_seconds.value,
            &alarm.period_seconds.origin,
            out,
        );
    }
    for service in &env.services {
        if service.deploy.value == DeployStrategy::BlueGreen {
            let bake = &service.bake_time_seconds;
            bound(&BAKE_TIME, bake.value, &bake.origin, out);
        }
    }
    for lb in &env.load_balancers {
        let timeout = &lb.idle_timeout_seconds;
        bound(&IDLE_TIMEOUT, timeout.value, &timeout.origin, out);
    }
    for queue in &env.queues {
        let visibility = &queue.visibility_timeout_seconds;
        bound(&VISIBILITY_TIMEOUT, visibility.value, &visibility.origin, out);
        for retention in [&queue.retention_seconds, &queue.dead_letter_retention_seconds] {
            bound(&MESSAGE_RETENTION, retention.value, &retention.origin, out);
        }
    }
}

fn bound(bound: &Bound, seconds: u64, origin: &Origin, out: &mut Findings) {
    let (unit, size) = bound.unit;
    let whole = seconds.is_multiple_of(size);
    let count = seconds / size;
    if whole && (bound.min..=bound.max).contains(&count) {
        return;
    }
    let shown = crate::ir::duration_text(seconds);
    let message = if !whole {
        format!("{} is whole {unit}s; {shown} is not", bound.what)
    } else if count < bound.min {
        format!(
            "{} is at least {} {unit}{}; {shown} is less",
            bound.what,
            bound.min,
            plural(bound.min)
        )
    } else {
        format!(
            "{} is at most {} {unit}{}; {shown} is more",
            bound.what,
            bound.max,
            plural(bound.max)
        )
    };
    let nearest = (seconds.div_ceil(size)).clamp(bound.min, bound.max) * size;
    out.push(Finding::error(DURATION_REFUSED, origin, message).help(format!(
        "use e.g. `{}` ({})",
        crate::ir::duration_text(nearest),
        bound.source
    )));
}

fn plural(n: u64) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// `A003` and `A004`: every zone exists in the environment's region (also the zones an
/// environment inherits after it changes region), and none is listed twice.
pub fn zones(_ir: &Ir, env: &EnvIr, out: &mut Findings) {
    if !env.network {
        return;
    }
    let zones = &env.vpc.zones;
    let letters = regions::zone_letters(&env.region);
    let mut seen = BTreeSet::new();
    for zone in &zones.value {
        let letter = zone.strip_prefix(env.region.as_str()).unwrap_or(zone);
        if !seen.insert(zone) {
            out.push(
                Finding::error(
                    DUPLICATE_ZONE,
                    &zones.origin,
                    format!("zone `{letter}` is listed twice"),
                )
                .help("list each zone once: one subnet per tier and zone"),
            );
        }
        if let Some(letters) = letters
            && !regions::zone_exists(&env.region, letter)
        {
            let known: Vec<String> = letters.chars().map(|c| format!("\"{c}\"")).collect();
            out.push(
                Finding::error(
                    UNKNOWN_ZONE,
                    &zones.origin,
                    format!("{} has no availability zone `{zone}`", env.region),
                )
                .help(format!(
                    "the zones of {} are {}; list zones for this region, or give this environment its own `zones`",
                    env.region,
                    known.join(", ")
                )),
            );
        }
    }
}

/// `A005`: AWS takes subnets from `/16` to `/28`.
pub fn subnet_sizes(_ir: &Ir, env: &EnvIr, out: &mut Findings) {
    for tier in &env.tiers {
        let Some(subnet) = tier
            .subnets
            .iter()
            .find(|s| !(16..=28).contains(&s.cidr.prefix_len()))
        else {
            continue;
        };
        out.push(
            Finding::error(
                SUBNET_SIZE,
                &tier.cidrs_origin,
                format!(
                    "tier `{}` has a /{} subnet ({}); AWS takes subnets from /16 to /28",
                    tier.name,
                    subnet.cidr.prefix_len(),
                    subnet.cidr
                ),
            )
            .help("use a subnet size from `/16` to `/28`, e.g. `subnet = /24` (Amazon VPC: subnet sizing)"),
        );
    }
}

/// `A006`: a load balancer needs subnets in at least two zones, each at least `/27`.
pub fn load_balancer_subnets(_ir: &Ir, env: &EnvIr, out: &mut Findings) {
    for lb in &env.load_balancers {
        let Some(tier) = env.tiers.iter().find(|t| t.name == lb.tier) else {
            continue;
        };
        let zones: BTreeSet<&str> = tier.subnets.iter().map(|s| s.zone.as_str()).collect();
        if zones.len() < 2 {
            out.push(
                Finding::error(
                    LOAD_BALANCER_SUBNETS,
                    &lb.origin,
                    format!(
                        "load balancer `{}` is in {} zone; an Application Load Balancer needs subnets in at least two",
                        lb.name,
                        zones.len()
                    ),
                )
                .label(&env.vpc.zones.origin, "the zones")
                .help("list at least two zones (Elastic Load Balancing: Availability Zones for your Application Load Balancer)"),
            );
        }
        if let Some(small) = tier.subnets.iter().find(|s| s.cidr.prefix_len() > 27) {
            out.push(
                Finding::error(
                    LOAD_BALANCER_SUBNETS,
                    &tier.cidrs_origin,
                    format!(
                        "load balancer `{}` is in tier `{}`, whose subnets are /{} ({}); an Application Load Balancer needs at least /27",
                        lb.name,
                        tier.name,
                        small.cidr.prefix_len(),
                        small.cidr
                    ),
                )
                .label(&lb.origin, "placed here")
                .help(format!(
                    "give tier `{}` `subnet = /27` or larger (Elastic Load Balancing: subnets need a /27 and 8 free addresses)",
                    tier.name
                )),
            );
        }
    }
}
