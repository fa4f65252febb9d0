//! What queues need to work: a consumer finishes a message before SQS shows it to another, a
//! worker scales on a queue it consumes, and a message moved to the dead-letter queue is kept
//! long enough there to be looked at.

use rustc_hash::FxHashMap as HashMap;

use crate::diagnostics::codes::QUEUE_CONSUMERS;
use crate::ir::{Access, EnvIr, GrantTarget, Ir, Queue, Spanned, duration_text};
use crate::rules::{Finding, Findings};

/// `A016`: a consumer's `handle_time` within its queue's visibility timeout; `scale { queue }`
/// only on a queue the service consumes; a dead-letter queue that keeps messages at least as
/// long as its queue (SQS keeps a message's first enqueue time when it moves, so a shorter
/// retention there deletes it on arrival).
pub fn queue_consumers(_ir: &Ir, env: &EnvIr, out: &mut Findings) {
    if env.queues.is_empty() {
        return;
    }
    let queues: HashMap<&str, &Queue> = env.queues.iter().map(|q| (q.name.as_str(), q)).collect();
    let handle_times: HashMap<&str, &Spanned<u64>> = env
        .services
        .iter()
        .filter_map(|s| Some((s.name.as_str(), s.handle_time_seconds.as_ref()?)))
        .chain(
            env.jobs
                .iter()
                .filter_map(|j| Some((j.name.as_str(), j.handle_time_seconds.as_ref()?))),
        )
        .collect();
    let consumes = |from: &str, queue: &str| {
        env.grants.iter().any(|g| {
            g.target == GrantTarget::Queue
                && g.from == from
                && g.to == queue
                && g.access.contains(&Access::Consume)
        })
    };
    for grant in env.grants.iter().filter(|g| g.access.contains(&Access::Consume)) {
        let (Some(queue), Some(handle)) = (
            queues.get(grant.to.as_str()),
            handle_times.get(grant.from.as_str()),
        ) else {
            continue;
        };
        let visibility = &queue.visibility_timeout_seconds;
        if handle.value > visibility.value {
            out.push(
                Finding::error(
                    QUEUE_CONSUMERS,
                    &visibility.origin,
                    format!(
                        "`{}` hides a received message for {}, but `{}` takes up to {} to handle one: SQS hands it to another consumer meanwhile, and it is handled twice",
                        queue.name,
                        duration_text(visibility.value),
                        grant.from,
                        duration_text(handle.value)
                    ),
                )
                .label(&handle.origin, format!("`{}`'s handle time", grant.from))
                .help(format!(
                    "set `visibility_timeout` above the handle time, e.g. `visibility_timeout = {}`",
                    duration_text(handle.value.saturating_mul(2))
                )),
            );
        }
    }
    for service in &env.services {
        let Some(scaling) = &service.scale.queue else {
            continue;
        };
        if !consumes(&service.name, &scaling.queue.value) {
            out.push(
                Finding::error(
                    QUEUE_CONSUMERS,
                    &scaling.queue.origin,
                    format!(
                        "`{}` scales on `{}`'s backlog but does not consume it: more tasks would not shorten it",
                        service.name, scaling.queue.value
                    ),
                )
                .help(format!(
                    "add `flow {} -> {} : consume`, or scale on what it does consume",
                    service.name, scaling.queue.value
                )),
            );
        }
    }
    for queue in &env.queues {
        let (kept, dead) = (&queue.retention_seconds, &queue.dead_letter_retention_seconds);
        if dead.value < kept.value {
            out.push(
                Finding::error(
                    QUEUE_CONSUMERS,
                    &dead.origin,
                    format!(
                        "`{}`'s dead-letter queue keeps messages {}, less than the queue's {}: a message that fails late is deleted as it arrives there",
                        queue.name,
                        duration_text(dead.value),
                        duration_text(kept.value)
                    ),
                )
                .label(&kept.origin, "the queue's retention")
                .help("SQS keeps a message's first enqueue time when it moves: give the dead-letter queue at least the queue's retention (`dead_letter_retention = 14d`)"),
            );
        }
    }
}
