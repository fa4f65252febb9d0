//! Caches, in `data.tf`: each ElastiCache cache (serverless Valkey, or a replication group of
//! Valkey or Redis OSS nodes) in its tier's subnets behind its security group, TLS only and
//! encrypted at rest, with a user group of two users: `default`, turned off, and the
//! application's user, which signs in with IAM authentication (the tasks' `redis` flows grant
//! `elasticache:Connect` on the cache and that user), so no password exists anywhere.

use super::*;

/// The Terraform address of a cache's cache resource.
pub(super) fn cache_address(ctx: &Ctx<'_>, cache: &str) -> String {
    let serverless = matches!(
        ctx.components.get(cache),
        Some(Component::Cache(Cache {
            nodes: CacheNodes::Serverless { .. },
            ..
        }))
    );
    let kind = if serverless {
        "aws_elasticache_serverless_cache"
    } else {
        "aws_elasticache_replication_group"
    };
    format!("{kind}.{}", ctx.ident(cache))
}

/// The expression of a cache's endpoint address (what tasks connect to).
pub(super) fn cache_endpoint(ctx: &Ctx<'_>, cache: &str) -> String {
    let address = cache_address(ctx, cache);
    if address.starts_with("aws_elasticache_serverless_cache.") {
        format!("{address}.endpoint[0].address")
    } else {
        format!("{address}.primary_endpoint_address")
    }
}

pub(super) fn cache_blocks(ctx: &Ctx<'_>, cache: &Cache) -> Vec<Block> {
    let id = ctx.ident(&cache.name);
    let (system, env, physical) = (&ctx.ir.system, &ctx.env.name, ctx.env.physical(&cache.name));
    let name = crate::naming::cache(system, env, physical);
    let engine = cache.engine();
    let mut blocks = vec![
        Block::resource("aws_elasticache_user", &format!("{id}_default"))
            .attr(
                "user_id",
                s(crate::naming::cache_default_user(system, env, physical)),
            )
            .attr("user_name", s("default"))
            .attr("engine", s(engine))
            .attr("access_string", s("off -@all"))
            .block(Block::new("authentication_mode", &[]).attr("type", s("no-password-required"))),
        Block::resource("aws_elasticache_user", &format!("{id}_app"))
            .attr("user_id", s(crate::naming::cache_user(system, env, physical)))
            .attr("user_name", s(crate::naming::cache_user(system, env, physical)))
            .attr("engine", s(engine))
            .attr("access_string", s("on ~* +@all"))
            .block(Block::new("authentication_mode", &[]).attr("type", s("iam"))),
        Block::resource("aws_elasticache_user_group", &id)
            .attr("user_group_id", s(&name))
            .attr("engine", s(engine))
            .attr(
                "user_ids",
                refs([
                    format!("aws_elasticache_user.{id}_default.user_id"),
                    format!("aws_elasticache_user.{id}_app.user_id"),
                ]),
            ),
    ];
    match &cache.nodes {
        CacheNodes::Serverless {
            max_data_gb,
            max_ecpu,
        } => blocks.push(
            Block::resource("aws_elasticache_serverless_cache", &id)
                .attr("name", s(&name))
                .attr("engine", s(engine))
                .attr("major_engine_version", s("8"))
                .attr(
                    "security_group_ids",
                    refs([format!("aws_security_group.{id}.id")]),
                )
                .attr("subnet_ids", ctx.subnet_ids(&cache.tier))
                .attr(
                    "user_group_id",
                    reference(format!("aws_elasticache_user_group.{id}.user_group_id")),
                )
                .attr("snapshot_retention_limit", Expr::Num(cache.snapshots))
                .block(
                    Block::new("cache_usage_limits", &[])
                        .block(
                            Block::new("data_storage", &[])
                                .attr("maximum", Expr::Num(*max_data_gb))
                                .attr("unit", s("GB")),
                        )
                        .block(Block::new("ecpu_per_second", &[]).attr("maximum", Expr::Num(*max_ecpu))),
                ),
        ),
        CacheNodes::Nodes {
            version,
            node_type,
            replicas,
            ..
        } => {
            let failover = replicas.value > 0;
            blocks.push(
                Block::resource("aws_elasticache_subnet_group", &id)
                    .attr("name", s(&name))
                    .attr("subnet_ids", ctx.subnet_ids(&cache.tier)),
            );
            blocks.push(
                Block::resource("aws_elasticache_replication_group", &id)
                    .comment("checkov:skip=CKV_AWS_31:tasks sign in with IAM authentication through the user group, not a shared AUTH token")
                    .comment("checkov:skip=CKV_AWS_191:encrypted at rest with the ElastiCache service key; a customer key is not part of the design")
                    .attr("replication_group_id", s(&name))
                    .attr("description", s(format!("{} cache of {system} {env}", cache.name)))
                    .attr("engine", s(engine))
                    .attr("engine_version", s(&version.value))
                    .attr("node_type", s(node_type))
                    .attr("num_cache_clusters", Expr::Num(replicas.value + 1))
                    .attr("automatic_failover_enabled", Expr::Bool(failover))
                    .attr("multi_az_enabled", Expr::Bool(failover))
                    .attr("port", Expr::Num(i64::from(cache.port)))
                    .attr("subnet_group_name", reference(format!("aws_elasticache_subnet_group.{id}.name")))
                    .attr("security_group_ids", refs([format!("aws_security_group.{id}.id")]))
                    .attr("at_rest_encryption_enabled", Expr::Bool(true))
                    .attr("transit_encryption_enabled", Expr::Bool(true))
                    .attr("user_group_ids", refs([format!("aws_elasticache_user_group.{id}.user_group_id")]))
                    .attr("snapshot_retention_limit", Expr::Num(cache.snapshots))
                    .attr("auto_minor_version_upgrade", Expr::Bool(true)),
            );
        }
    }
    blocks
}
