//! The `compute.tf` of an environment: the ECS cluster, ECR repositories, task roles, load
//! balancers with their listeners and target groups, autoscaling, and the scheduler for jobs.

use super::*;

/// Every task (services, then jobs) with its image, secrets, the databases it flows to and
/// what its flows grant it.
pub(super) struct Task<'a> {
    name: &'a str,
    image: &'a str,
    secrets: &'a [Secret],
    /// In the order of the flows.
    databases: Vec<&'a str>,
    /// In the order of the flows.
    grants: Vec<&'a Grant>,
}

pub(super) fn tasks(env: &EnvIr) -> Vec<Task<'_>> {
    // One pass over the flows (a workspace has thousands of tasks and flows).
    let databases: BTreeSet<&str> = env.databases.iter().map(|d| d.name.as_str()).collect();
    let mut flows_to_databases: std::collections::BTreeMap<&str, Vec<&str>> =
        std::collections::BTreeMap::new();
    for flow in env.flows.iter().filter(|f| databases.contains(f.to.name())) {
        flows_to_databases
            .entry(flow.from.name())
            .or_default()
            .push(flow.to.name());
    }
    let mut grants: std::collections::BTreeMap<&str, Vec<&Grant>> = std::collections::BTreeMap::new();
    for grant in &env.grants {
        grants.entry(grant.from.as_str()).or_default().push(grant);
    }
    let services = env.services.iter().map(|s| (&s.name, &s.image, &s.secrets));
    let jobs = env.jobs.iter().map(|j| (&j.name, &j.image, &j.secrets));
    services
        .chain(jobs)
        .map(|(name, image, secrets)| Task {
            name,
            image,
            secrets,
            databases: flows_to_databases.remove(name.as_str()).unwrap_or_default(),
            grants: grants.remove(name.as_str()).unwrap_or_default(),
        })
        .collect()
}

pub(super) fn compute(ctx: &Ctx<'_>, blocks: &mut Blocks) {
    let env = ctx.env;
    let mut cluster = Block::resource("aws_ecs_cluster", "main")
        .attr("name", s(ctx.cluster_name()))
        .block(
            Block::new("setting", &[])
                .attr("name", s("containerInsights"))
                .attr("value", s("enabled")),
        );
    // Services that call each other find each other in the environment's Cloud Map namespace
    // (ECS Service Connect; the services' definitions name it).
    if !env.service_calls.is_empty() {
        blocks.push(
            Block::resource("aws_service_discovery_http_namespace", "main")
                .attr("name", s(ctx.cluster_name()))
                .attr(
                    "description",
                    s("ECS Service Connect: the services that call each other"),
                ),
        );
        cluster = cluster.block(Block::new("service_connect_defaults", &[]).attr(
            "namespace",
            reference("aws_service_discovery_http_namespace.main.arn"),
        ));
    }
    // The cluster and the tasks' trust only where something runs (a static site has nothing).
    if env.has_tasks() {
        blocks.extend([
            cluster,
            assume_role_policy("ecs_tasks_assume", "ecs-tasks.amazonaws.com"),
        ]);
    }
    for repository in &ctx.repositories() {
        let id = ctx.ident(repository);
        blocks.push(
            Block::resource("aws_ecr_repository", &id)
                .attr("name", s(*repository))
                .attr("image_tag_mutability", s("IMMUTABLE"))
                .block(Block::new("image_scanning_configuration", &[]).attr("scan_on_push", Expr::Bool(true)))
                .block(Block::new("encryption_configuration", &[]).attr("encryption_type", s("KMS"))),
        );
        blocks.push(
            Block::resource("aws_ecr_lifecycle_policy", &id)
                .attr("repository", reference(format!("aws_ecr_repository.{id}.name")))
                .attr("policy", r(ECR_LIFECYCLE)),
        );
    }
    for task in tasks(env) {
        blocks.extend(task_iam(ctx, &task));
    }
    for lb in &env.load_balancers {
        blocks.extend(load_balancer(ctx, lb));
    }
    blocks.extend(blue_green_role(ctx));
    for service in &env.services {
        blocks.extend(autoscaling(ctx, service));
    }
    if !env.jobs.is_empty() {
        blocks.extend(scheduler(ctx));
    }
}

pub(super) const ECR_LIFECYCLE: &str = "jsonencode({
    rules = [{
      rulePriority = 1
      description  = \"keep the last 50 images\"
      selection    = { tagStatus = \"any\", countType = \"imageCountMoreThan\", countNumber = 50 }
      action       = { type = \"expire\" }
    }]
  })";

pub(super) fn task_iam(ctx: &Ctx<'_>, task: &Task<'_>) -> Vec<Block> {
    let id = ctx.ident(task.name);
    let secret_arns: Vec<String> = task
        .secrets
        .iter()
        .map(|secret| ctx.secret_arn(&secret.secret_name))
        .collect();
    let database_secrets: Vec<String> = task
        .databases
        .iter()
        .map(|database| {
            format!(
                "aws_rds_cluster.{}.master_user_secret[0].secret_arn",
                ctx.ident(database)
            )
        })
        .collect();
    let mut execution = Block::data("aws_iam_policy_document", &format!("{id}_execution"))
        .block(
            Block::new("statement", &[])
                .attr("sid", s("PullAuthorization"))
                .attr("actions", strings(["ecr:GetAuthorizationToken"]))
                .attr("resources", strings(["*"])),
        )
        .block(
            Block::new("statement", &[])
                .attr("sid", s("PullImage"))
                .attr(
                    "actions",
                    strings([
                        "ecr:BatchCheckLayerAvailability",
                        "ecr:BatchGetImage",
                        "ecr:GetDownloadUrlForLayer",
                    ]),
                )
                .attr(
                    "resources",
                    refs([format!("aws_ecr_repository.{}.arn", ctx.ident(task.image))]),
                ),
        )
        .block(
            Block::new("statement", &[])
                .attr("sid", s("WriteLogs"))
                .attr("actions", strings(["logs:CreateLogStream", "logs:PutLogEvents"]))
                .attr(
                    "resources",
                    Expr::List(vec![interpolated(
                        format!("aws_cloudwatch_log_group.{id}.arn"),
                        ":*",
                    )]),
                ),
        );
    if !secret_arns.is_empty() || !database_secrets.is_empty() {
        let mut resources: Vec<Expr> = secret_arns.into_iter().map(Expr::Str).collect();
        resources.extend(database_secrets.into_iter().map(reference));
        execution = execution.block(
            Block::new("statement", &[])
                .attr("sid", s("ReadSecrets"))
                .attr("actions", strings(["secretsmanager:GetSecretValue"]))
                .attr("resources", Expr::List(resources)),
        );
    }
    let mut blocks = vec![
        Block::resource("aws_cloudwatch_log_group", &id)
            .comment("checkov:skip=CKV_AWS_158:encrypted with the CloudWatch Logs service key; a customer key is not part of the design")
            .attr("name", s(format!("/ecs/{}/{}", ctx.cluster_name(), ctx.env.physical(task.name))))
            .attr("retention_in_days", Expr::Num(365)),
        Block::resource("aws_iam_role", &format!("{id}_execution"))
            .attr("name", s(ctx.item_name_with(task.name, "execution")))
            .attr("assume_role_policy", reference("data.aws_iam_policy_document.ecs_tasks_assume.json")),
        execution,
        Block::resource("aws_iam_role_policy", &format!("{id}_execution"))
            .attr("role", reference(format!("aws_iam_role.{id}_execution.id")))
            .attr("policy", reference(format!("data.aws_iam_policy_document.{id}_execution.json"))),
        // The application's own permissions: exactly what its flows to buckets and topics grant.
        Block::resource("aws_iam_role", &format!("{id}_task"))
            .attr("name", s(ctx.item_name_with(task.name, "task")))
            .attr("assume_role_policy", reference("data.aws_iam_policy_document.ecs_tasks_assume.json")),
    ];
    if !task.grants.is_empty() {
        blocks.push(task_policy(ctx, &id, &task.grants));
        blocks.push(
            Block::resource("aws_iam_role_policy", &format!("{id}_task"))
                .attr("role", reference(format!("aws_iam_role.{id}_task.id")))
                .attr(
                    "policy",
                    reference(format!("data.aws_iam_policy_document.{id}_task.json")),
                ),
        );
    }
    blocks
}

/// The task role's policy: every statement of the task's grants, each once (two flows that
/// grant the same levels on the same target make the same statements).
fn task_policy(ctx: &Ctx<'_>, id: &str, grants: &[&Grant]) -> Block {
    let mut policy = Block::data("aws_iam_policy_document", &format!("{id}_task"));
    let mut seen: BTreeSet<&str> = BTreeSet::new();
    for statement in grants.iter().flat_map(|g| &g.statements) {
        if !seen.insert(&statement.sid) {
            continue;
        }
        let resource = match &statement.resource {
            GrantResource::Bucket(bucket) => reference(format!("aws_s3_bucket.{}.arn", ctx.ident(bucket))),
            GrantResource::Objects(bucket) => {
                interpolated(format!("aws_s3_bucket.{}.arn", ctx.ident(bucket)), "/*")
            }
            GrantResource::Topic(topic) => reference(format!("aws_sns_topic.{}.arn", ctx.ident(topic))),
            GrantResource::Queue(queue) => reference(format!("aws_sqs_queue.{}.arn", ctx.ident(queue))),
            GrantResource::Cache(cache) => reference(format!("{}.arn", cache_address(ctx, cache))),
            GrantResource::Secret(secret) => Expr::Str(ctx.secret_arn(&ctx.env.secret_name(secret))),
            GrantResource::CacheUser(cache) => {
                reference(format!("aws_elasticache_user.{}_app.arn", ctx.ident(cache)))
            }
            GrantResource::MailIdentity(mail) => {
                reference(format!("aws_sesv2_email_identity.{}.arn", ctx.ident(mail)))
            }
            GrantResource::MailConfigurationSet(mail) => {
                reference(format!("aws_sesv2_configuration_set.{}.arn", ctx.ident(mail)))
            }
        };
        let mut block = Block::new("statement", &[])
            .attr("sid", s(&statement.sid))
            .attr("actions", strings(statement.actions.iter().copied()))
            .attr("resources", Expr::List(vec![resource]));
        if let Some(condition) = statement.condition {
            let (test, variable, values) = condition.parts(ctx.env);
            block = block.block(
                Block::new("condition", &[])
                    .attr("test", s(test))
                    .attr("variable", s(variable))
                    .attr("values", strings(values)),
            );
        }
        policy = policy.block(block);
    }
    policy
}

pub(super) fn load_balancer(ctx: &Ctx<'_>, lb: &LoadBalancer) -> Vec<Block> {
    let env = ctx.env;
    let id = ctx.ident(&lb.name);
    let (mut blocks, cert_arn) = certificate(ctx, &format!("{id}_certificate"), &lb.certificate, None);
    let mut alb = Block::resource("aws_lb", &id)
        .comment("checkov:skip=CKV2_AWS_28:no WAF in the reference design; the ALB is internal and reached only through CloudFront");
    if !ctx.production() {
        alb = alb.comment("checkov:skip=CKV_AWS_150:deletion protection is for production; this environment is rebuilt at will");
    }
    alb = alb
        .attr("name", s(ctx.item_name(&lb.name)))
        .attr("internal", Expr::Bool(lb.internal.value))
        .attr("load_balancer_type", s("application"))
        .attr("subnets", ctx.subnet_ids(&lb.tier))
        .attr("security_groups", refs([format!("aws_security_group.{id}.id")]))
        .attr("drop_invalid_header_fields", Expr::Bool(true))
        .attr(
            "idle_timeout",
            Expr::Num(i64::try_from(lb.idle_timeout_seconds.value).unwrap_or(60)),
        )
        .attr("enable_deletion_protection", Expr::Bool(ctx.production()));
    if lb.access_logs.is_none() {
        alb = alb.comment(&format!(
            "checkov:skip=CKV_AWS_91:{}",
            ctx.why_off(crate::diagnostics::codes::ACCESS_LOGS, &lb.origin)
        ));
    }
    if let Some(logs) = &lb.access_logs {
        alb = alb.block(
            Block::new("access_logs", &[])
                .attr(
                    "bucket",
                    reference(format!("aws_s3_bucket.{}.id", ctx.ident(&logs.value))),
                )
                .attr("prefix", s(format!("alb/{}", ctx.env.physical(&lb.name))))
                .attr("enabled", Expr::Bool(true)),
        );
    }
    blocks.push(alb);
    // A service a load balancer forwards to listens on a port (A014 refuses the flow otherwise).
    let services: Vec<(&Service, u16)> = env
        .services
        .iter()
        .filter(|s| s.load_balancer.as_deref() == Some(lb.name.as_str()))
        .filter_map(|s| Some((s, s.port.as_ref()?.value)))
        .collect();
    let target_group = |label: &str, name: String, port: u16, health_check: &str| {
        Block::resource("aws_lb_target_group", label)
            .comment("checkov:skip=CKV_AWS_378:TLS ends at the internal ALB; ALB to task is plain HTTP inside the private container tier, guarded by SG-to-SG rules")
            .attr("name", s(name))
            .attr("port", Expr::Num(i64::from(port)))
            .attr("protocol", s("HTTP"))
            .attr("target_type", s("ip"))
            .attr("vpc_id", reference("aws_vpc.main.id"))
            .attr("deregistration_delay", Expr::Num(30))
            .block(
                Block::new("health_check", &[])
                    .attr("path", s(health_check))
                    .attr("matcher", s("200-399")),
            )
    };
    for (service, port) in &services {
        let sid = ctx.ident(&service.name);
        let health_check = service.health_check.as_deref().unwrap_or(&lb.health_check);
        blocks.push(target_group(
            &sid,
            ctx.item_name(&service.name),
            *port,
            health_check,
        ));
        if service.is_blue_green() {
            let name = ctx.name(&crate::naming::alternate_target_group(
                ctx.env.physical(&service.name),
            ));
            blocks.push(target_group(&format!("{sid}_alt"), name, *port, health_check));
        }
    }
    let fixed_404 = Block::new("default_action", &[])
        .attr("type", s("fixed-response"))
        .block(
            Block::new("fixed_response", &[])
                .attr("content_type", s("text/plain"))
                .attr("status_code", s("404")),
        );
    // The listener forwards to the service's target group; a blue/green service's production
    // rule (every path) takes the traffic before it, so turning blue/green on or off never
    // leaves the listener without a target for a moment.
    let action = match services.first() {
        Some((service, _)) => Block::new("default_action", &[]).attr("type", s("forward")).attr(
            "target_group_arn",
            reference(format!("aws_lb_target_group.{}.arn", ctx.ident(&service.name))),
        ),
        None => fixed_404.clone(),
    };
    let blue_green = services
        .first()
        .map(|(service, _)| *service)
        .filter(|service| service.is_blue_green());
    let listener = |label: String, port: u16, action: Block| {
        Block::resource("aws_lb_listener", &label)
            .attr("load_balancer_arn", reference(format!("aws_lb.{id}.arn")))
            .attr("port", Expr::Num(i64::from(port)))
            .attr("protocol", s("HTTPS"))
            .attr("ssl_policy", s(TLS_POLICY))
            .attr("certificate_arn", cert_arn.clone())
            .block(action)
    };
    blocks.push(listener(format!("{id}_https"), lb.listen, action));
    if let Some(service) = blue_green {
        blocks.push(listener_rule(ctx, &id, service, Traffic::Production));
        // Test traffic, only where a blue/green service takes it (a rolling environment has no
        // test listener even when the load balancer declares one).
        if let Some(test) = &lb.test_listen {
            blocks.push(listener(format!("{id}_test"), test.value, fixed_404.clone()));
            blocks.push(listener_rule(ctx, &id, service, Traffic::Test));
        }
    }
    blocks
}

/// Which of a blue/green service's listener rules.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Traffic {
    Production,
    Test,
}

/// A blue/green service's listener rule for every path: production traffic forwarded to both of
/// its target groups (100 and 0 to begin with), test traffic to the alternate one. ECS moves
/// the weights at each deployment, so Terraform leaves the action alone once it has created it.
fn listener_rule(ctx: &Ctx<'_>, lb: &str, service: &Service, traffic: Traffic) -> Block {
    let sid = ctx.ident(&service.name);
    let weighted = |target: &str, weight: i64| {
        Block::new("target_group", &[])
            .attr("arn", reference(format!("aws_lb_target_group.{target}.arn")))
            .attr("weight", Expr::Num(weight))
    };
    let (label, listener, forward) = match traffic {
        Traffic::Production => (
            format!("{sid}_production"),
            format!("aws_lb_listener.{lb}_https.arn"),
            Block::new("forward", &[])
                .block(weighted(&sid, 100))
                .block(weighted(&format!("{sid}_alt"), 0)),
        ),
        Traffic::Test => (
            format!("{sid}_test"),
            format!("aws_lb_listener.{lb}_test.arn"),
            Block::new("forward", &[]).block(weighted(&format!("{sid}_alt"), 100)),
        ),
    };
    Block::resource("aws_lb_listener_rule", &label)
        .attr("listener_arn", reference(listener))
        .attr("priority", Expr::Num(1))
        .block(
            Block::new("action", &[])
                .attr("type", s("forward"))
                .block(forward),
        )
        .block(
            Block::new("condition", &[])
                .block(Block::new("path_pattern", &[]).attr("values", strings(["/*"]))),
        )
        .block(Block::new("lifecycle", &[]).attr("ignore_changes", refs(["action"])))
}

/// The role ECS assumes to move a blue/green service's listener rule between its target groups
/// (AWS's managed policy for it), when some service is deployed blue/green.
fn blue_green_role(ctx: &Ctx<'_>) -> Vec<Block> {
    if !ctx.env.has_blue_green() {
        return Vec::new();
    }
    vec![
        assume_role_policy("ecs_assume", "ecs.amazonaws.com"),
        Block::resource("aws_iam_role", BLUE_GREEN_ROLE)
            .attr("name", s(ctx.name(crate::naming::BLUE_GREEN_ROLE)))
            .attr(
                "assume_role_policy",
                reference("data.aws_iam_policy_document.ecs_assume.json"),
            ),
        Block::resource("aws_iam_role_policy_attachment", BLUE_GREEN_ROLE)
            .attr("role", reference(format!("aws_iam_role.{BLUE_GREEN_ROLE}.name")))
            .attr("policy_arn", s(BLUE_GREEN_POLICY)),
    ]
}

/// The label of the role ECS assumes for blue/green deployments.
pub(super) const BLUE_GREEN_ROLE: &str = "ecs_load_balancers";

/// AWS's managed policy for ECS's blue/green traffic shifts.
pub(super) const BLUE_GREEN_POLICY: &str =
    "arn:aws:iam::aws:policy/AmazonECSInfrastructureRolePolicyForLoadBalancers";

pub(super) fn autoscaling(ctx: &Ctx<'_>, service: &Service) -> Vec<Block> {
    let id = ctx.ident(&service.name);
    let scale = &service.scale;
    let mut blocks = vec![
        Block::resource("aws_appautoscaling_target", &id)
            .attr("service_namespace", s("ecs"))
            .attr("scalable_dimension", s("ecs:service:DesiredCount"))
            .attr(
                "resource_id",
                s(format!(
                    "service/{}/{}",
                    ctx.cluster_name(),
                    ctx.env.physical(&service.name)
                )),
            )
            .attr("min_capacity", Expr::Num(scale.min.value))
            .attr("max_capacity", Expr::Num(scale.max.value)),
    ];
    let targets = [
        ("cpu", scale.cpu_target, "ECSServiceAverageCPUUtilization"),
        (
            "memory",
            scale.memory_target,
            "ECSServiceAverageMemoryUtilization",
        ),
    ];
    for (metric, target, predefined) in targets {
        let Some(target) = target else { continue };
        blocks.push(target_tracking(
            ctx,
            service,
            metric,
            i64::from(target),
            Block::new("predefined_metric_specification", &[]).attr("predefined_metric_type", s(predefined)),
        ));
    }
    if let Some(queue) = &scale.queue {
        blocks.push(queue_scaling(ctx, service, queue));
    }
    blocks
}

/// Target tracking on a queue's backlog per task (the metric math of AWS's "scaling based on
/// Amazon SQS"): messages visible divided by the running tasks, or by one when none runs, so the
/// metric is defined at zero tasks and a worker with `min = 0` scales out when work arrives.
fn queue_scaling(ctx: &Ctx<'_>, service: &Service, queue: &QueueScaling) -> Block {
    let metric = |metric_id: &str, namespace: &str, name: &str, stat: &str, dimensions: Vec<(&str, Expr)>| {
        let mut metric = Block::new("metric", &[])
            .attr("metric_name", s(name))
            .attr("namespace", s(namespace));
        for (name, value) in dimensions {
            metric = metric.block(
                Block::new("dimensions", &[])
                    .attr("name", s(name))
                    .attr("value", value),
            );
        }
        Block::new("metrics", &[])
            .attr("id", s(metric_id))
            .attr("return_data", Expr::Bool(false))
            .block(Block::new("metric_stat", &[]).block(metric).attr("stat", s(stat)))
    };
    let expression = |metric_id: &str, expression: &str, returned: bool| {
        Block::new("metrics", &[])
            .attr("id", s(metric_id))
            .attr("expression", s(expression))
            .attr("return_data", Expr::Bool(returned))
    };
    target_tracking(
        ctx,
        service,
        "backlog",
        queue.backlog,
        Block::new("customized_metric_specification", &[])
            .block(metric(
                "visible",
                "AWS/SQS",
                "ApproximateNumberOfMessagesVisible",
                "Sum",
                vec![(
                    "QueueName",
                    reference(format!("aws_sqs_queue.{}.name", ctx.ident(&queue.queue.value))),
                )],
            ))
            .block(metric(
                "tasks",
                "ECS/ContainerInsights",
                "RunningTaskCount",
                "Average",
                vec![
                    ("ClusterName", reference("aws_ecs_cluster.main.name")),
                    ("ServiceName", s(ctx.env.physical(&service.name))),
                ],
            ))
            .block(expression("running", "FILL(tasks, 0)", false))
            .block(expression(
                "backlog",
                "visible / IF(running > 0, running, 1)",
                true,
            )),
    )
}

/// A target-tracking policy on the service's scalable target: `metric` (a predefined or a
/// customized metric specification) kept at `target`, with the service's cooldowns.
fn target_tracking(ctx: &Ctx<'_>, service: &Service, suffix: &str, target: i64, metric: Block) -> Block {
    let id = ctx.ident(&service.name);
    let scale = &service.scale;
    Block::resource("aws_appautoscaling_policy", &format!("{id}_{suffix}"))
        .attr("name", s(ctx.item_name_with(&service.name, suffix)))
        .attr("policy_type", s("TargetTrackingScaling"))
        .attr(
            "service_namespace",
            reference(format!("aws_appautoscaling_target.{id}.service_namespace")),
        )
        .attr(
            "scalable_dimension",
            reference(format!("aws_appautoscaling_target.{id}.scalable_dimension")),
        )
        .attr(
            "resource_id",
            reference(format!("aws_appautoscaling_target.{id}.resource_id")),
        )
        .block(
            Block::new("target_tracking_scaling_policy_configuration", &[])
                .attr("target_value", Expr::Num(target))
                .attr(
                    "scale_out_cooldown",
                    Expr::Num(i64::try_from(scale.scale_out_cooldown_seconds.value).unwrap_or(60)),
                )
                .attr(
                    "scale_in_cooldown",
                    Expr::Num(i64::try_from(scale.scale_in_cooldown_seconds.value).unwrap_or(300)),
                )
                .block(metric),
        )
}

/// EventBridge Scheduler runs each job's latest task definition on the cluster.
pub(super) fn scheduler(ctx: &Ctx<'_>) -> Vec<Block> {
    let env = ctx.env;
    let families: Vec<String> = env
        .jobs
        .iter()
        .map(|j| {
            format!(
                "arn:aws:ecs:{}:{}:task-definition/{}",
                env.region,
                env.account,
                ctx.family(&j.name)
            )
        })
        .collect();
    let mut run_task: Vec<String> = families.clone();
    run_task.extend(families.iter().map(|f| format!("{f}:*")));
    let roles: Vec<String> = env
        .jobs
        .iter()
        .flat_map(|j| {
            let id = ctx.ident(&j.name);
            [
                format!("aws_iam_role.{id}_execution.arn"),
                format!("aws_iam_role.{id}_task.arn"),
            ]
        })
        .collect();
    let mut blocks = vec![
        assume_role_policy("scheduler_assume", "scheduler.amazonaws.com"),
        Block::resource("aws_iam_role", "scheduler")
            .attr("name", s(ctx.name("scheduler")))
            .attr(
                "assume_role_policy",
                reference("data.aws_iam_policy_document.scheduler_assume.json"),
            ),
        Block::data("aws_iam_policy_document", "scheduler")
            .block(
                Block::new("statement", &[])
                    .attr("sid", s("RunJobs"))
                    .attr("actions", strings(["ecs:RunTask"]))
                    .attr("resources", strings(run_task)),
            )
            .block(
                Block::new("statement", &[])
                    .attr("sid", s("PassJobRoles"))
                    .attr("actions", strings(["iam:PassRole"]))
                    .attr("resources", refs(roles)),
            ),
        Block::resource("aws_iam_role_policy", "scheduler")
            .attr("role", reference("aws_iam_role.scheduler.id"))
            .attr("policy", reference("data.aws_iam_policy_document.scheduler.json")),
    ];
    for (job, family) in env.jobs.iter().zip(&families) {
        let id = ctx.ident(&job.name);
        blocks.push(
            Block::resource("aws_scheduler_schedule", &id)
                .comment("checkov:skip=CKV_AWS_297:the schedule holds no secret; the service key is enough")
                .attr("name", s(ctx.item_name(&job.name)))
                .attr("schedule_expression", s(job.schedule.value.expression()))
                .attr("schedule_expression_timezone", s("UTC"))
                .block(Block::new("flexible_time_window", &[]).attr("mode", s("OFF")))
                .block(
                    Block::new("target", &[])
                        .attr("arn", reference("aws_ecs_cluster.main.arn"))
                        .attr("role_arn", reference("aws_iam_role.scheduler.arn"))
                        .block(
                            Block::new("ecs_parameters", &[])
                                .attr("task_definition_arn", s(family))
                                .attr("launch_type", s("FARGATE"))
                                .attr("task_count", Expr::Num(1))
                                .block(
                                    Block::new("network_configuration", &[])
                                        .attr("subnets", ctx.subnet_ids(&job.tier))
                                        .attr(
                                            "security_groups",
                                            refs([format!("aws_security_group.{id}.id")]),
                                        )
                                        .attr("assign_public_ip", Expr::Bool(job.public_ip.value)),
                                ),
                        )
                        .block(Block::new("retry_policy", &[]).attr("maximum_retry_attempts", Expr::Num(0))),
                ),
        );
    }
    blocks
}
