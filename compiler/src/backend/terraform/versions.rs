//! The `versions.tf` of an environment: Terraform and provider versions, the providers (one per
//! region the environment uses) and the S3 state backend.

use super::*;

pub(super) fn versions(ctx: &Ctx<'_>) -> Vec<Block> {
    let env = ctx.env;
    let providers = Block::new("required_providers", &[])
        .attr(
            "aws",
            Expr::Object(vec![
                ("source".into(), s("hashicorp/aws")),
                ("version".into(), s(AWS_PROVIDER)),
            ]),
        )
        .attr(
            "archive",
            Expr::Object(vec![
                ("source".into(), s("hashicorp/archive")),
                ("version".into(), s(ARCHIVE_PROVIDER)),
            ]),
        );
    let state_bucket = ctx.state_bucket();
    let terraform = Block::new("terraform", &[])
        .attr("required_version", s(">= 1.10"))
        .block(providers)
        .block(
            Block::new("backend", &["s3"])
                .attr("bucket", s(state_bucket))
                .attr(
                    "key",
                    s(format!("{}/{}/terraform.tfstate", ctx.ir.system, env.name)),
                )
                .attr("region", s(&env.region))
                .attr("encrypt", Expr::Bool(true))
                .attr("use_lockfile", Expr::Bool(true)),
        );
    let provider = |alias: Option<&str>, region: &str| {
        Block::new("provider", &["aws"])
            .attr_opt("alias", alias.map(s))
            .attr("region", s(region))
            .attr("allowed_account_ids", strings([env.account.clone()]))
            .block(
                Block::new("assume_role", &[])
                    .attr(
                        "role_arn",
                        s(format!(
                            "arn:aws:iam::{}:role/{}-terraform",
                            env.account, ctx.ir.system
                        )),
                    )
                    .attr("session_name", s(format!("archc-{}-{}", ctx.ir.system, env.name))),
            )
            .block(Block::new("default_tags", &[]).attr(
                "tags",
                Expr::Object(vec![
                    ("Environment".into(), s(&env.name)),
                    ("ManagedBy".into(), s("archc")),
                    ("System".into(), s(&ctx.ir.system)),
                ]),
            ))
    };
    vec![
        terraform,
        provider(None, &env.region),
        provider(Some("us_east_1"), "us-east-1"),
        Block::data("aws_caller_identity", "current"),
    ]
}
