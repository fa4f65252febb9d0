//! The `messaging.tf` of an environment with queues: each SQS queue with its dead-letter queue
//! (encrypted with SSE-SQS, redriven after `max_receives`, only its own queue may redrive into
//! it) and a queue policy that refuses plain HTTP.

use super::*;

pub(super) fn messaging(ctx: &Ctx<'_>, blocks: &mut Blocks) {
    for queue in &ctx.env.queues {
        blocks.extend(queue_blocks(ctx, queue));
    }
}

fn queue_blocks(ctx: &Ctx<'_>, queue: &Queue) -> Vec<Block> {
    let id = ctx.ident(&queue.name);
    let dead = format!("{id}_dead_letters");
    let (system, env, physical) = (&ctx.ir.system, &ctx.env.name, ctx.env.physical(&queue.name));
    let fifo = |block: Block| {
        if queue.fifo {
            block.attr("fifo_queue", Expr::Bool(true))
        } else {
            block
        }
    };
    let policy = |label: &str| {
        vec![
            Block::data("aws_iam_policy_document", &format!("{label}_queue")).block(deny_plain_http(
                "sqs:*",
                vec![reference(format!("aws_sqs_queue.{label}.arn"))],
            )),
            Block::resource("aws_sqs_queue_policy", label)
                .attr("queue_url", reference(format!("aws_sqs_queue.{label}.id")))
                .attr(
                    "policy",
                    reference(format!("data.aws_iam_policy_document.{label}_queue.json")),
                ),
        ]
    };
    let mut blocks = vec![
        fifo(
            Block::resource("aws_sqs_queue", &dead)
                .attr("name", s(crate::naming::dead_letter_queue(system, env, physical, queue.fifo))),
        )
        .attr(
            "message_retention_seconds",
            Expr::Num(seconds(queue.dead_letter_retention_seconds.value)),
        )
        .attr("sqs_managed_sse_enabled", Expr::Bool(true)),
        fifo(
            Block::resource("aws_sqs_queue", &id)
                .attr("name", s(crate::naming::queue(system, env, physical, queue.fifo))),
        )
        .attr(
            "visibility_timeout_seconds",
            Expr::Num(seconds(queue.visibility_timeout_seconds.value)),
        )
        .attr("message_retention_seconds", Expr::Num(seconds(queue.retention_seconds.value)))
        .attr("sqs_managed_sse_enabled", Expr::Bool(true))
        .attr(
            "redrive_policy",
            r(format!(
                "jsonencode({{ deadLetterTargetArn = aws_sqs_queue.{dead}.arn, maxReceiveCount = {} }})",
                queue.max_receives
            )),
        ),
        Block::resource("aws_sqs_queue_redrive_allow_policy", &dead)
            .attr("queue_url", reference(format!("aws_sqs_queue.{dead}.id")))
            .attr(
                "redrive_allow_policy",
                r(format!(
                    "jsonencode({{ redrivePermission = \"byQueue\", sourceQueueArns = [aws_sqs_queue.{id}.arn] }})"
                )),
            ),
    ];
    blocks.extend(policy(&id));
    blocks.extend(policy(&dead));
    blocks
}

/// Seconds as Terraform takes them (a duration never exceeds ten years, so it fits).
fn seconds(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}
