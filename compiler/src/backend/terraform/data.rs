//! The `data.tf` of an environment: Aurora clusters, caches (`cache.rs`) and buckets with their
//! policies.

use super::*;
use crate::diagnostics::codes;

pub(super) fn data(ctx: &Ctx<'_>, blocks: &mut Blocks) {
    for database in &ctx.env.databases {
        blocks.extend(aurora(ctx, database));
    }
    for cache in &ctx.env.caches {
        blocks.extend(cache_blocks(ctx, cache));
    }
    for bucket in &ctx.env.buckets {
        if bucket.purpose == Some(BucketPurpose::TerraformState) {
            // The bootstrap owns the state bucket. An earlier build managed it here: forget it
            // without destroying it (a no-op for a root that never had it).
            blocks.extend(
                bucket_blocks(ctx, bucket)
                    .iter()
                    .filter_map(Block::resource_address)
                    .map(|address| {
                        Block::new("removed", &[])
                            .attr("from", reference(address))
                            .block(Block::new("lifecycle", &[]).attr("destroy", Expr::Bool(false)))
                    }),
            );
            continue;
        }
        blocks.extend(bucket_blocks(ctx, bucket));
    }
    // The account Elastic Load Balancing delivers access logs from, declared once for every
    // log bucket a load balancer writes to.
    if ctx.env.load_balancers.iter().any(|lb| lb.access_logs.is_some()) {
        blocks.push(Block::data("aws_elb_service_account", "main"));
    }
}

pub(super) fn aurora(ctx: &Ctx<'_>, database: &Database) -> Vec<Block> {
    let id = ctx.ident(&database.name);
    let identifier = ctx.item_name(&database.name);
    let mut cluster = Block::resource("aws_rds_cluster", &id)
        .comment("checkov:skip=CKV_AWS_327:encrypted with the RDS service key; a customer key is not part of the design")
        .comment("checkov:skip=CKV2_AWS_8:Aurora's automated backups (backup_retention_period) are the backup plan")
        .attr("cluster_identifier", s(&identifier))
        .attr("engine", s(&database.engine))
        .attr("engine_version", s(&database.version))
        .attr("database_name", s(ctx.env.physical(&database.name)))
        .attr("master_username", s(format!("{}_admin", ctx.env.physical(&database.name))))
        .attr("manage_master_user_password", Expr::Bool(true))
        .attr("db_subnet_group_name", reference(format!("aws_db_subnet_group.{id}.name")))
        .attr("db_cluster_parameter_group_name", reference(format!("aws_rds_cluster_parameter_group.{id}.name")))
        .attr("vpc_security_group_ids", refs([format!("aws_security_group.{id}.id")]))
        .attr("port", Expr::Num(i64::from(database.port)))
        .attr("storage_encrypted", Expr::Bool(database.encrypted.value))
        .attr("deletion_protection", Expr::Bool(database.deletion_protection.value))
        .attr("backup_retention_period", Expr::Num(i64::try_from(database.backup_retention_seconds.value / DAY).unwrap_or(7)))
        .attr("skip_final_snapshot", Expr::Bool(!database.final_snapshot.value))
        .attr_opt(
            "final_snapshot_identifier",
            database.final_snapshot.value.then(|| s(format!("{identifier}-final"))),
        )
        .attr("copy_tags_to_snapshot", Expr::Bool(true))
        .attr("iam_database_authentication_enabled", Expr::Bool(true))
        .attr("enabled_cloudwatch_logs_exports", strings(["postgresql"]));
    if !database.deletion_protection.value {
        cluster = cluster.comment(&format!(
            "checkov:skip=CKV_AWS_139:{}",
            ctx.why_off(codes::DATA_PROTECTION, &database.origin)
        ));
    }
    if !database.encrypted.value {
        cluster = cluster.comment(&format!(
            "checkov:skip=CKV_AWS_96:{}",
            ctx.why_off(codes::DATA_PROTECTION, &database.origin)
        ));
    }
    if ctx.production() {
        cluster = cluster.block(Block::new("lifecycle", &[]).attr("prevent_destroy", Expr::Bool(true)));
    }
    let major = database.version.split('.').next().unwrap_or_default();
    let parameter = |name: &str, value: &str| {
        Block::new("parameter", &[])
            .attr("name", s(name))
            .attr("value", s(value))
    };
    let mut blocks = vec![
        Block::resource("aws_db_subnet_group", &id)
            .attr("name", s(&identifier))
            .attr("subnet_ids", ctx.subnet_ids(&database.tier)),
        // TLS only, and statements logged: schema changes always, anything slower than a second.
        Block::resource("aws_rds_cluster_parameter_group", &id)
            .attr("name", s(&identifier))
            .attr("family", s(format!("aurora-postgresql{major}")))
            .block(parameter("rds.force_ssl", "1"))
            .block(parameter("log_statement", "ddl"))
            .block(parameter("log_min_duration_statement", "1000")),
        cluster,
    ];
    let instances = (1..=database.writers)
        .map(|n| format!("{id}_writer_{n}"))
        .chain((1..=database.readers).map(|n| format!("{id}_reader_{n}")));
    for (n, instance) in instances.enumerate() {
        blocks.push(
            Block::resource("aws_rds_cluster_instance", &instance)
                .comment("checkov:skip=CKV_AWS_118:Performance Insights and CloudWatch metrics watch the instance; enhanced monitoring is not part of the design")
                .comment("checkov:skip=CKV_AWS_354:Performance Insights data is encrypted with the RDS service key; a customer key is not part of the design")
                .attr("identifier", s(format!("{identifier}-{}", n + 1)))
                .attr("cluster_identifier", reference(format!("aws_rds_cluster.{id}.id")))
                .attr("engine", reference(format!("aws_rds_cluster.{id}.engine")))
                .attr("engine_version", reference(format!("aws_rds_cluster.{id}.engine_version")))
                .attr("instance_class", s(&database.instance_class))
                .attr("publicly_accessible", Expr::Bool(false))
                .attr("auto_minor_version_upgrade", Expr::Bool(true))
                .attr("performance_insights_enabled", Expr::Bool(true)),
        );
    }
    blocks
}

pub(super) fn bucket_blocks(ctx: &Ctx<'_>, bucket: &Bucket) -> Vec<Block> {
    let id = ctx.ident(&bucket.name);
    let logs = bucket.purpose == Some(BucketPurpose::AccessLogs);
    // Served by the edge: static assets, and websites (which have no purpose).
    let served = matches!(bucket.purpose, Some(BucketPurpose::Static) | None);
    let mut main = Block::resource("aws_s3_bucket", &id)
        .comment("checkov:skip=CKV_AWS_144:one region by design; versioning and the state of the source are the recovery path")
        .comment("checkov:skip=CKV2_AWS_62:nothing consumes object events");
    if logs {
        main = main.comment(
            "checkov:skip=CKV_AWS_18:this is the access-log bucket; logging it into itself would loop",
        );
    } else if ctx.log_bucket().is_none() {
        main = main.comment(
            "checkov:skip=CKV_AWS_18:the system declares no access-log bucket (`purpose = access_logs`) to log into",
        );
    }
    if !bucket.versioning {
        main = main
            .comment("checkov:skip=CKV_AWS_21:versioning is off as the design says (`versioning = false`)");
    }
    if logs && !ctx.env.load_balancers.is_empty() {
        main = main.comment("checkov:skip=CKV_AWS_145:SSE-S3: ALB access logs are delivered only to buckets with S3-managed keys");
    } else if logs {
        main = main.comment("checkov:skip=CKV_AWS_145:SSE-S3: log delivery writes with S3-managed keys; a KMS key would need a key policy for the delivering service");
    } else if served {
        main = main.comment("checkov:skip=CKV_AWS_145:SSE-S3: CloudFront reads it through origin access control, which a KMS key would need a key policy for");
    }
    main = main.attr("bucket", s(ctx.bucket_name(&bucket.name)));
    if ctx.production() {
        main = main.block(Block::new("lifecycle", &[]).attr("prevent_destroy", Expr::Bool(true)));
    }
    let algorithm = if logs || served { "AES256" } else { "aws:kms" };
    let mut blocks = vec![
        main,
        public_access_block(&id),
        ownership_controls(&id, logs),
        Block::resource("aws_s3_bucket_server_side_encryption_configuration", &id)
            .attr("bucket", reference(format!("aws_s3_bucket.{id}.id")))
            .block(
                Block::new("rule", &[])
                    .attr("bucket_key_enabled", Expr::Bool(algorithm == "aws:kms"))
                    .block(
                        Block::new("apply_server_side_encryption_by_default", &[])
                            .attr("sse_algorithm", s(algorithm)),
                    ),
            ),
        Block::resource("aws_s3_bucket_versioning", &id)
            .attr("bucket", reference(format!("aws_s3_bucket.{id}.id")))
            .block(Block::new("versioning_configuration", &[]).attr(
                "status",
                s(if bucket.versioning { "Enabled" } else { "Suspended" }),
            )),
    ];
    let mut lifecycle = Block::new("rule", &[])
        .attr("id", s("housekeeping"))
        .attr("status", s("Enabled"))
        .block(Block::new("filter", &[]))
        .block(
            Block::new("abort_incomplete_multipart_upload", &[]).attr("days_after_initiation", Expr::Num(7)),
        );
    if let Some(days) = bucket.expire_after_seconds.as_ref().map(|s| s.value / DAY) {
        lifecycle = lifecycle
            .block(Block::new("expiration", &[]).attr("days", Expr::Num(i64::try_from(days).unwrap_or(90))));
    }
    if bucket.versioning {
        lifecycle = lifecycle
            .block(Block::new("noncurrent_version_expiration", &[]).attr("noncurrent_days", Expr::Num(90)));
    }
    blocks.push(
        Block::resource("aws_s3_bucket_lifecycle_configuration", &id)
            .attr("bucket", reference(format!("aws_s3_bucket.{id}.id")))
            .block(lifecycle),
    );
    if let (false, Some(log_bucket)) = (logs, ctx.log_bucket()) {
        blocks.push(
            Block::resource("aws_s3_bucket_logging", &id)
                .attr("bucket", reference(format!("aws_s3_bucket.{id}.id")))
                .attr(
                    "target_bucket",
                    reference(format!("aws_s3_bucket.{}.id", ctx.ident(&log_bucket.name))),
                )
                .attr(
                    "target_prefix",
                    s(format!("s3/{}/", ctx.env.physical(&bucket.name))),
                ),
        );
    }
    if let Some(website) = &bucket.website {
        let mut config = Block::resource("aws_s3_bucket_website_configuration", &id)
            .attr("bucket", reference(format!("aws_s3_bucket.{id}.id")));
        config = match &website.redirect_all_to {
            Some(host) => config.block(
                Block::new("redirect_all_requests_to", &[])
                    .attr("host_name", s(host))
                    .attr("protocol", s("https")),
            ),
            None => {
                config.block(Block::new("index_document", &[]).attr("suffix", s(&website.index_document)))
            }
        };
        blocks.push(config);
    }
    blocks.extend(bucket_policy(ctx, bucket));
    blocks
}

pub(super) fn ownership_controls(id: &str, logs: bool) -> Block {
    let mut block = Block::resource("aws_s3_bucket_ownership_controls", id);
    if logs {
        block = block.comment("checkov:skip=CKV2_AWS_65:CloudFront standard logs are delivered with ACLs, so the log bucket keeps them");
    }
    // CloudFront's standard logs are delivered with an ACL; every other bucket disables ACLs.
    block
        .attr("bucket", reference(format!("aws_s3_bucket.{id}.id")))
        .block(Block::new("rule", &[]).attr(
            "object_ownership",
            s(if logs {
                "BucketOwnerPreferred"
            } else {
                "BucketOwnerEnforced"
            }),
        ))
}

/// Every public access of bucket `id` blocked.
pub(super) fn public_access_block(id: &str) -> Block {
    Block::resource("aws_s3_bucket_public_access_block", id)
        .attr("bucket", reference(format!("aws_s3_bucket.{id}.id")))
        .attr("block_public_acls", Expr::Bool(true))
        .attr("block_public_policy", Expr::Bool(true))
        .attr("ignore_public_acls", Expr::Bool(true))
        .attr("restrict_public_buckets", Expr::Bool(true))
}

/// The policy statement that refuses every request to bucket `id` not made over TLS.
pub(super) fn deny_insecure_transport(id: &str) -> Block {
    let arn = format!("aws_s3_bucket.{id}.arn");
    deny_plain_http("s3:*", vec![reference(arn.clone()), interpolated(arn, "/*")])
}

/// The resource-policy statement that refuses every request of a service (`actions`, e.g.
/// `s3:*`) to `resources` not made over TLS, whoever makes it.
pub(super) fn deny_plain_http(actions: &str, resources: Vec<Expr>) -> Block {
    Block::new("statement", &[])
        .attr("sid", s("DenyInsecureTransport"))
        .attr("effect", s("Deny"))
        .attr("actions", strings([actions]))
        .attr("resources", Expr::List(resources))
        .block(
            Block::new("principals", &[])
                .attr("type", s("*"))
                .attr("identifiers", strings(["*"])),
        )
        .block(
            Block::new("condition", &[])
                .attr("test", s("Bool"))
                .attr("variable", s("aws:SecureTransport"))
                .attr("values", strings(["false"])),
        )
}

/// TLS only for everyone; CloudFront (through OAC) may read static buckets; the region's load
/// balancer account may write access logs.
pub(super) fn bucket_policy(ctx: &Ctx<'_>, bucket: &Bucket) -> Vec<Block> {
    let id = ctx.ident(&bucket.name);
    let arn = format!("aws_s3_bucket.{id}.arn");
    let mut document =
        Block::data("aws_iam_policy_document", &format!("{id}_bucket")).block(deny_insecure_transport(&id));
    let mut extra = Vec::new();
    let edge = ctx.env.edge.as_ref();
    let read_by_edge = edge.is_some_and(|e| {
        e.origins
            .iter()
            .any(|o| o.name == bucket.name && o.kind == EdgeOriginKind::S3)
    });
    if let (true, Some(edge)) = (read_by_edge, edge) {
        document = document.block(
            Block::new("statement", &[])
                .attr("sid", s("CloudFrontReads"))
                .attr("actions", strings(["s3:GetObject"]))
                .attr("resources", Expr::List(vec![interpolated(arn.clone(), "/*")]))
                .block(
                    Block::new("principals", &[])
                        .attr("type", s("Service"))
                        .attr("identifiers", strings(["cloudfront.amazonaws.com"])),
                )
                .block(
                    Block::new("condition", &[])
                        .attr("test", s("StringEquals"))
                        .attr("variable", s("AWS:SourceArn"))
                        .attr(
                            "values",
                            refs([format!(
                                "aws_cloudfront_distribution.{}.arn",
                                ctx.ident(&edge.name)
                            )]),
                        ),
                ),
        );
    }
    let load_balancer_logs = ctx.env.load_balancers.iter().any(|lb| {
        lb.access_logs
            .as_ref()
            .is_some_and(|logs| logs.value == bucket.name)
    });
    if load_balancer_logs {
        document = document.block(
            Block::new("statement", &[])
                .attr("sid", s("LoadBalancerLogs"))
                .attr("actions", strings(["s3:PutObject"]))
                .attr("resources", Expr::List(vec![interpolated(arn.clone(), "/alb/*")]))
                .block(
                    Block::new("principals", &[])
                        .attr("type", s("AWS"))
                        .attr("identifiers", refs(["data.aws_elb_service_account.main.arn"])),
                ),
        );
    }
    extra.push(document);
    extra.push(
        Block::resource("aws_s3_bucket_policy", &id)
            .attr("bucket", reference(format!("aws_s3_bucket.{id}.id")))
            .attr(
                "policy",
                reference(format!("data.aws_iam_policy_document.{id}_bucket.json")),
            ),
    );
    extra
}
