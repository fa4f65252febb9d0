//! The `parameters.tf` (the SSM parameters the deploy side reads, named by `parameters.rs`) and
//! `outputs.tf` of an environment.

use super::*;

pub(super) fn parameter_blocks(ctx: &Ctx<'_>, blocks: &mut Blocks) {
    for parameter in &ctx.parameters {
        let (kind, value, ignore) = parameter_value(ctx, &parameter.value);
        let mut block = Block::resource("aws_ssm_parameter", &parameter_label(ctx, &parameter.value))
            .comment("checkov:skip=CKV2_AWS_34:resource IDs and names for the deploy tools, not secrets")
            .attr("name", s(&parameter.name))
            .attr("type", s(kind))
            .attr("value", value);
        if ignore {
            // The deploy workflow publishes new image tags; Terraform only creates the parameter.
            block = block.block(Block::new("lifecycle", &[]).attr("ignore_changes", refs(["value"])));
        }
        blocks.push(block);
    }
}

/// The label of a parameter's resource: what it holds and of which item (`security_group_id_api`).
pub(super) fn parameter_label(ctx: &Ctx<'_>, value: &ParameterValue) -> String {
    let (what, of) = match value {
        ParameterValue::VpcId => ("vpc_id", None),
        ParameterValue::ClusterName => ("cluster_name", None),
        ParameterValue::SubnetIds(tier) => ("subnet_ids", Some(tier)),
        ParameterValue::SecurityGroupId(group) => ("security_group_id", Some(group)),
        ParameterValue::TargetGroupArn(service) => ("target_group_arn", Some(service)),
        ParameterValue::AlternateTargetGroupArn(service) => ("alternate_target_group_arn", Some(service)),
        ParameterValue::ProductionListenerRuleArn(service) => ("production_listener_rule_arn", Some(service)),
        ParameterValue::TestListenerRuleArn(service) => ("test_listener_rule_arn", Some(service)),
        ParameterValue::BlueGreenRoleArn => ("blue_green_role_arn", None),
        ParameterValue::TaskRoleArn(task) => ("task_role_arn", Some(task)),
        ParameterValue::ExecutionRoleArn(task) => ("execution_role_arn", Some(task)),
        ParameterValue::LogGroupName(task) => ("log_group_name", Some(task)),
        ParameterValue::RepositoryUrl(repository) => ("repository_url", Some(repository)),
        ParameterValue::ImageTag(repository) => ("image_tag", Some(repository)),
        ParameterValue::DatabaseEndpoint(database) => ("database_endpoint", Some(database)),
        ParameterValue::CacheEndpoint(cache) => ("cache_endpoint", Some(cache)),
        ParameterValue::DatabaseSecretArn(database) => ("database_secret_arn", Some(database)),
    };
    match of {
        Some(item) => format!("{what}_{}", ctx.ident(item)),
        None => what.to_owned(),
    }
}

/// The SSM type, value and whether the deploy side owns later values.
pub(super) fn parameter_value(ctx: &Ctx<'_>, value: &ParameterValue) -> (&'static str, Expr, bool) {
    match value {
        ParameterValue::VpcId => ("String", reference("aws_vpc.main.id"), false),
        ParameterValue::ClusterName => ("String", reference("aws_ecs_cluster.main.name"), false),
        ParameterValue::SubnetIds(tier) => {
            let Expr::List(ids) = ctx.subnet_ids(tier) else {
                return ("StringList", s(""), false);
            };
            let ids: Vec<String> = ids
                .iter()
                .filter_map(|e| match e {
                    Expr::Ref(path) => Some(path.clone()),
                    _ => None,
                })
                .collect();
            (
                "StringList",
                r(format!("join({}, [{}])", quote(","), ids.join(", "))),
                false,
            )
        }
        ParameterValue::SecurityGroupId(group) => (
            "String",
            reference(format!("aws_security_group.{}.id", ctx.ident(group))),
            false,
        ),
        ParameterValue::TargetGroupArn(service) => (
            "String",
            reference(format!("aws_lb_target_group.{}.arn", ctx.ident(service))),
            false,
        ),
        ParameterValue::AlternateTargetGroupArn(service) => (
            "String",
            reference(format!("aws_lb_target_group.{}_alt.arn", ctx.ident(service))),
            false,
        ),
        ParameterValue::ProductionListenerRuleArn(service) => (
            "String",
            reference(format!(
                "aws_lb_listener_rule.{}_production.arn",
                ctx.ident(service)
            )),
            false,
        ),
        ParameterValue::TestListenerRuleArn(service) => (
            "String",
            reference(format!("aws_lb_listener_rule.{}_test.arn", ctx.ident(service))),
            false,
        ),
        ParameterValue::BlueGreenRoleArn => (
            "String",
            reference(format!("aws_iam_role.{}.arn", super::compute::BLUE_GREEN_ROLE)),
            false,
        ),
        ParameterValue::TaskRoleArn(task) => (
            "String",
            reference(format!("aws_iam_role.{}_task.arn", ctx.ident(task))),
            false,
        ),
        ParameterValue::ExecutionRoleArn(task) => (
            "String",
            reference(format!("aws_iam_role.{}_execution.arn", ctx.ident(task))),
            false,
        ),
        ParameterValue::LogGroupName(task) => (
            "String",
            reference(format!("aws_cloudwatch_log_group.{}.name", ctx.ident(task))),
            false,
        ),
        ParameterValue::RepositoryUrl(repository) => (
            "String",
            reference(format!(
                "aws_ecr_repository.{}.repository_url",
                ctx.ident(repository)
            )),
            false,
        ),
        ParameterValue::ImageTag(_) => ("String", s("unset"), true),
        ParameterValue::DatabaseEndpoint(database) => (
            "String",
            reference(format!("aws_rds_cluster.{}.endpoint", ctx.ident(database))),
            false,
        ),
        ParameterValue::CacheEndpoint(cache) => ("String", reference(cache_endpoint(ctx, cache)), false),
        ParameterValue::DatabaseSecretArn(database) => (
            "String",
            reference(format!(
                "aws_rds_cluster.{}.master_user_secret[0].secret_arn",
                ctx.ident(database)
            )),
            false,
        ),
    }
}

pub(super) fn outputs(ctx: &Ctx<'_>) -> Vec<Block> {
    let env = ctx.env;
    let mut blocks = Vec::new();
    if env.network {
        blocks.push(Block::new("output", &["vpc_id"]).attr("value", reference("aws_vpc.main.id")));
    }
    if env.has_tasks() {
        blocks.push(
            Block::new("output", &["ecs_cluster_name"]).attr("value", reference("aws_ecs_cluster.main.name")),
        );
    }
    if let Some(edge) = &env.edge {
        blocks.push(Block::new("output", &["cloudfront_domain_name"]).attr(
            "value",
            reference(format!(
                "aws_cloudfront_distribution.{}.domain_name",
                ctx.ident(&edge.name)
            )),
        ));
    }
    blocks.push(
        Block::new("output", &["parameter_names"])
            .attr("value", strings(ctx.parameters.iter().map(|p| p.name.clone()))),
    );
    blocks
}
