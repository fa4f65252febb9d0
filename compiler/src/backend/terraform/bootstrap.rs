//! The bootstrap root module of an environment, `<env>/bootstrap/`: what must exist before the
//! environment's own root can be planned, applied once by a person with administrator
//! credentials and local state. The state bucket (versioned, encrypted, TLS-only, public access
//! blocked, never destroyed), the role Terraform assumes (`<system>-terraform`, trusted only by
//! the operators' IAM Identity Center permission sets or roles), the role the
//! deploy workflow assumes by OIDC (`<system>-deploy`, trusted only from the source's GitHub
//! repository in the environment's GitHub environment) and GitHub's OIDC provider, and the
//! hosted zone when the source says to create it. Each role's permissions name the system's own
//! resources (`<system>-<env>-*`, its repositories, parameters and buckets); where AWS has no
//! name before creation (VPC resources, load balancers, distributions) they are limited to the
//! environment's regions.

use super::*;

/// The files of the bootstrap module.
pub(super) fn bootstrap(ctx: &Ctx<'_>) -> Vec<(&'static str, Vec<Block>)> {
    let mut files = vec![
        ("versions.tf", versions(ctx)),
        ("state.tf", state_bucket(ctx)),
        ("access.tf", access(ctx)),
    ];
    if ctx.env.hosted_zone == HostedZone::Create
        && let Some(zone) = hosted_zone(ctx)
    {
        files.push(("dns.tf", zone));
    }
    files.push(("outputs.tf", outputs(ctx)));
    files
}

/// Local state (this module creates the bucket the environment's state lives in) and the
/// provider with the person's own credentials, bound to the environment's account.
fn versions(ctx: &Ctx<'_>) -> Vec<Block> {
    vec![
        Block::new("terraform", &[])
            .attr("required_version", s(">= 1.10"))
            .block(Block::new("required_providers", &[]).attr(
                "aws",
                Expr::Object(vec![
                    ("source".into(), s("hashicorp/aws")),
                    ("version".into(), s(AWS_PROVIDER)),
                ]),
            )),
        Block::new("provider", &["aws"])
            .attr("region", s(&ctx.env.region))
            .attr("allowed_account_ids", strings([ctx.env.account.clone()]))
            .block(Block::new("default_tags", &[]).attr(
                "tags",
                Expr::Object(vec![
                    ("Environment".into(), s(&ctx.env.name)),
                    ("ManagedBy".into(), s("archc-bootstrap")),
                    ("System".into(), s(&ctx.ir.system)),
                ]),
            )),
    ]
}

/// The environment's state bucket.
fn state_bucket(ctx: &Ctx<'_>) -> Vec<Block> {
    let name = ctx.state_bucket();
    let bucket = reference("aws_s3_bucket.state.id");
    vec![
        Block::resource("aws_s3_bucket", "state")
            .comment("checkov:skip=CKV_AWS_144:Terraform state stays in the environment's region; versioning is the recovery path")
            .comment("checkov:skip=CKV2_AWS_62:nothing consumes the state bucket's object events")
            .comment("checkov:skip=CKV_AWS_18:only Terraform reads and writes it, through the Terraform role; CloudTrail records that role")
            .comment("checkov:skip=CKV_AWS_145:SSE-S3 encryption; the state is readable only through the Terraform role")
            .attr("bucket", s(&name))
            .block(Block::new("lifecycle", &[]).attr("prevent_destroy", Expr::Bool(true))),
        Block::resource("aws_s3_bucket_versioning", "state")
            .attr("bucket", bucket.clone())
            .block(Block::new("versioning_configuration", &[]).attr("status", s("Enabled"))),
        Block::resource("aws_s3_bucket_server_side_encryption_configuration", "state")
            .attr("bucket", bucket.clone())
            .block(
                Block::new("rule", &[]).block(
                    Block::new("apply_server_side_encryption_by_default", &[])
                        .attr("sse_algorithm", s("AES256")),
                ),
            ),
        public_access_block("state"),
        ownership_controls("state", false),
        Block::resource("aws_s3_bucket_lifecycle_configuration", "state")
            .attr("bucket", bucket.clone())
            .block(
                Block::new("rule", &[])
                    .attr("id", s("old-state-versions"))
                    .attr("status", s("Enabled"))
                    .block(Block::new("filter", &[]))
                    .block(Block::new("noncurrent_version_expiration", &[]).attr("noncurrent_days", Expr::Num(90)))
                    .block(
                        Block::new("abort_incomplete_multipart_upload", &[])
                            .attr("days_after_initiation", Expr::Num(7)),
                    ),
            ),
        Block::data("aws_iam_policy_document", "state").block(deny_insecure_transport("state")),
        Block::resource("aws_s3_bucket_policy", "state")
            .attr("bucket", bucket)
            .attr("policy", reference("data.aws_iam_policy_document.state.json")),
    ]
}

/// An IAM policy statement: `actions` on `resources`.
fn statement(sid: &str, actions: &[&str], resources: Vec<String>) -> Block {
    Block::new("statement", &[])
        .attr("sid", s(sid))
        .attr("actions", strings(actions.iter().copied()))
        .attr("resources", strings(resources))
}

/// A statement limited to the environment's regions (its own and us-east-1, where CloudFront's
/// certificate and alarms live), for resources that have no name before AWS creates them.
fn regional(sid: &str, actions: &[&str], regions: &[String]) -> Block {
    statement(sid, actions, vec!["*".into()]).block(
        Block::new("condition", &[])
            .attr("test", s("StringEquals"))
            .attr("variable", s("aws:RequestedRegion"))
            .attr("values", strings(regions.iter().cloned())),
    )
}

/// The services whose resources Terraform creates without a name it knows beforehand (VPC
/// resources, load balancers, distributions, certificates, ECS, RDS), and those the environment
/// uses besides: ElastiCache (caches, their users and groups), Cloud Map (Service Connect's
/// namespace), WAF (the edge's web ACL, in us-east-1). Limited to the environment's regions.
fn regional_services(ctx: &Ctx<'_>) -> Vec<&'static str> {
    let mut services = vec![
        "ec2:*",
        "elasticloadbalancing:*",
        "cloudfront:*",
        "acm:*",
        "application-autoscaling:*",
        "ecs:*",
        "rds:*",
    ];
    if !ctx.env.caches.is_empty() {
        services.push("elasticache:*");
    }
    if !ctx.env.service_calls.is_empty() {
        services.push("servicediscovery:*");
    }
    if ctx.env.edge.as_ref().is_some_and(|e| e.waf.is_some()) {
        services.push("wafv2:*");
    }
    services
}

/// The Terraform role, GitHub's OIDC provider and the deploy role.
fn access(ctx: &Ctx<'_>) -> Vec<Block> {
    let (system, env, account, region) = (&ctx.ir.system, &ctx.env.name, &ctx.env.account, &ctx.env.region);
    let prefix = crate::naming::physical(system, env, "");
    let mut regions = vec![region.clone()];
    if region != "us-east-1" {
        regions.push("us-east-1".into());
    }
    let repository_arns: Vec<String> = ctx
        .repositories()
        .iter()
        .map(|r| format!("arn:aws:ecr:{region}:{account}:repository/{r}"))
        .collect();
    let roles = format!("arn:aws:iam::{account}:role/{prefix}*");
    let parameters = format!("arn:aws:ssm:{region}:{account}:parameter/{system}/{env}/*");
    let state = ctx.state_bucket();
    let buckets = crate::naming::bucket(system, env, account, "");
    let cluster = ctx.cluster_name();

    let mut terraform = Block::data("aws_iam_policy_document", "terraform")
        .comment("checkov:skip=CKV_AWS_355:VPC resources, load balancers, distributions and certificates have no ARN before Terraform creates them; those statements are limited to the environment's regions")
        .comment("checkov:skip=CKV_AWS_356:the same: the resources have no ARN before creation, and the describe calls take none")
        .comment("checkov:skip=CKV_AWS_290:the same resources, created and changed by Terraform: write access limited to the environment's regions")
        .comment("checkov:skip=CKV_AWS_289:the permission actions are on the system's own roles (`<system>-<env>-*`) and its service-linked roles only")
        .comment("checkov:skip=CKV_AWS_288:reads are of the system's own resources and of what the regions' describe calls return")
        .comment("checkov:skip=CKV_AWS_286:iam:PassRole and role creation are on the system's own role names only")
        .comment("checkov:skip=CKV_AWS_287:no credentials are created; the only secrets are those RDS manages for the system's clusters")
        .comment("checkov:skip=CKV2_AWS_40:IAM actions are listed one by one and scoped to the system's role names");
    let mut terraform_statements = vec![
        statement(
            "State",
            &["s3:ListBucket", "s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
            vec![
                format!("arn:aws:s3:::{state}"),
                format!("arn:aws:s3:::{state}/{system}/{env}/*"),
            ],
        ),
        regional("NetworkAndEdge", &regional_services(ctx), &regions),
        statement("Repositories", &["ecr:*"], repository_arns.clone()),
        statement(
            "Roles",
            &[
                "iam:CreateRole",
                "iam:DeleteRole",
                "iam:GetRole",
                "iam:TagRole",
                "iam:UntagRole",
                "iam:UpdateRole",
                "iam:UpdateAssumeRolePolicy",
                "iam:PutRolePolicy",
                "iam:GetRolePolicy",
                "iam:DeleteRolePolicy",
                "iam:ListRolePolicies",
                "iam:ListAttachedRolePolicies",
                "iam:ListInstanceProfilesForRole",
                "iam:PassRole",
            ],
            vec![roles.clone()],
        ),
        statement(
            "ServiceLinkedRoles",
            &["iam:CreateServiceLinkedRole"],
            vec![format!("arn:aws:iam::{account}:role/aws-service-role/*")],
        ),
        statement(
            "Buckets",
            &["s3:*"],
            vec![
                format!("arn:aws:s3:::{buckets}*"),
                format!("arn:aws:s3:::{buckets}*/*"),
            ],
        ),
    ];
    if !ctx.env.queues.is_empty() {
        terraform_statements.push(statement(
            "Queues",
            &["sqs:*"],
            vec![format!("arn:aws:sqs:{region}:{account}:{prefix}*")],
        ));
    }
    if ctx.env.edge.as_ref().is_some_and(|e| e.waf.is_some()) {
        // The web ACL's log group in us-east-1, and the log delivery WAF sets up for it (its
        // resource policy on CloudWatch Logs, which takes no resource).
        terraform_statements.push(statement(
            "WebAclLogs",
            &["logs:*"],
            vec![format!(
                "arn:aws:logs:us-east-1:{account}:log-group:aws-waf-logs-{prefix}*"
            )],
        ));
        terraform_statements.push(statement(
            "WebAclLogDelivery",
            &[
                "logs:CreateLogDelivery",
                "logs:DeleteLogDelivery",
                "logs:PutResourcePolicy",
                "logs:DescribeResourcePolicies",
            ],
            vec!["*".into()],
        ));
    }
    let blue_green = ctx.env.has_blue_green();
    if blue_green {
        // The role ECS assumes for blue/green traffic shifts carries AWS's managed policy for
        // it: Terraform may attach that policy, and no other, to the system's roles.
        terraform_statements.push(
            statement(
                "BlueGreenRolePolicy",
                &["iam:AttachRolePolicy", "iam:DetachRolePolicy"],
                vec![roles.clone()],
            )
            .block(
                Block::new("condition", &[])
                    .attr("test", s("ArnEquals"))
                    .attr("variable", s("iam:PolicyARN"))
                    .attr("values", strings([super::compute::BLUE_GREEN_POLICY])),
            ),
        );
    }
    if !ctx.env.mail.is_empty() {
        // SES's identity is the environment's domain; its configuration sets are named after
        // the system. Creating an identity also reads the account's sending status.
        terraform_statements.push(statement(
            "Mail",
            &["ses:*"],
            vec![
                format!(
                    "arn:aws:ses:{region}:{account}:identity/{}",
                    ctx.env.mail_domain()
                ),
                format!("arn:aws:ses:{region}:{account}:configuration-set/{prefix}*"),
            ],
        ));
    }
    terraform_statements.extend([
        statement(
            "Parameters",
            &[
                "ssm:PutParameter",
                "ssm:GetParameter",
                "ssm:GetParameters",
                "ssm:DeleteParameter",
                "ssm:AddTagsToResource",
                "ssm:RemoveTagsFromResource",
                "ssm:ListTagsForResource",
            ],
            vec![parameters.clone()],
        ),
        statement(
            "Logs",
            &["logs:*"],
            vec![
                format!("arn:aws:logs:{region}:{account}:log-group:/ecs/{cluster}*"),
                format!("arn:aws:logs:{region}:{account}:log-group:/vpc/{cluster}*"),
                format!("arn:aws:logs:{region}:{account}:log-group:/aws/lambda/{prefix}*"),
            ],
        ),
        statement(
            "Monitoring",
            &["sns:*", "lambda:*", "events:*", "scheduler:*", "cloudwatch:*"],
            vec![
                format!("arn:aws:sns:{region}:{account}:{prefix}*"),
                format!("arn:aws:lambda:{region}:{account}:function:{prefix}*"),
                format!("arn:aws:events:*:{account}:rule/{prefix}*"),
                format!("arn:aws:scheduler:{region}:{account}:schedule/default/{prefix}*"),
                format!("arn:aws:cloudwatch:*:{account}:alarm:{prefix}*"),
            ],
        ),
        statement(
            "DatabaseSecrets",
            &["secretsmanager:*"],
            vec![format!("arn:aws:secretsmanager:{region}:{account}:secret:rds!*")],
        ),
        statement(
            "Dns",
            &[
                "route53:GetHostedZone",
                "route53:ListResourceRecordSets",
                "route53:ChangeResourceRecordSets",
                "route53:ListTagsForResource",
            ],
            vec!["arn:aws:route53:::hostedzone/*".into()],
        ),
        statement(
            "Describe",
            &[
                "route53:ListHostedZones",
                "route53:GetChange",
                "iam:ListRoles",
                "logs:DescribeLogGroups",
                "ssm:DescribeParameters",
                "ecr:GetAuthorizationToken",
                "sts:GetCallerIdentity",
            ],
            vec!["*".into()],
        ),
    ]);
    for block in terraform_statements {
        terraform = terraform.block(block);
    }

    let operators = &ctx.env.operators.value;
    let lookalikes: Vec<String> = operators
        .iter()
        .filter_map(|o| o.lookalike_pattern(account, operators))
        .collect();
    let mut blocks = vec![
        // The account's principals, narrowed to the operators' roles: an Identity Center
        // permission set's role names end in a suffix AWS picks, so they are matched by pattern
        // (a role's ARN cannot be a pattern in `principals`). No IAM user is ever admitted (R021).
        Block::data("aws_iam_policy_document", "terraform_trust").block(
            Block::new("statement", &[])
                .attr("sid", s("Operators"))
                .attr("actions", strings(["sts:AssumeRole", "sts:SetSourceIdentity"]))
                .block(
                    Block::new("principals", &[])
                        .attr("type", s("AWS"))
                        .attr("identifiers", strings([format!("arn:aws:iam::{account}:root")])),
                )
                .block(
                    Block::new("condition", &[])
                        .attr("test", s("ArnLike"))
                        .attr("variable", s("aws:PrincipalArn"))
                        .attr("values", strings(operators.iter().map(|o| o.principal_pattern(account)))),
                )
                .blocks((!lookalikes.is_empty()).then(|| {
                    Block::new("condition", &[])
                        .attr("test", s("ArnNotLike"))
                        .attr("variable", s("aws:PrincipalArn"))
                        .attr("values", strings(lookalikes))
                })),
        ),
        Block::resource("aws_iam_role", "terraform")
            .comment(if ctx.ir.repository.is_some() {
                "Assumed by the environment's operators (IAM Identity Center permission sets or roles, never IAM users) to apply its Terraform"
            } else {
                "No `repository = \"owner/name\"` in the system: the deploy role and GitHub's OIDC provider are not created"
            })
            .attr("name", s(format!("{system}-terraform")))
            .attr("description", s(format!("Terraform for {system} {env} (archc)")))
            .attr("assume_role_policy", reference("data.aws_iam_policy_document.terraform_trust.json"))
            .attr("max_session_duration", Expr::Num(3600)),
        terraform,
        Block::resource("aws_iam_role_policy", "terraform")
            .attr("role", reference("aws_iam_role.terraform.id"))
            .attr("policy", reference("data.aws_iam_policy_document.terraform.json")),
    ];
    let Some(repository) = &ctx.ir.repository else {
        return blocks;
    };

    // The deploy workflow: GitHub's OIDC token for this repository's runs in this
    // environment's GitHub environment, and what `deploy-<env>.yml` does with it.
    let deploy = Block::data("aws_iam_policy_document", "deploy")
        .comment("checkov:skip=CKV_AWS_356:ecr:GetAuthorizationToken, ecs:RegisterTaskDefinition and the describe calls take no resource; every other action names the system's resources")
        .comment("checkov:skip=CKV_AWS_111:write access is to the system's repositories, services, task families and parameters only")
        .block(statement("Login", &["ecr:GetAuthorizationToken"], vec!["*".into()]))
        .block(statement(
            "PushImages",
            &[
                "ecr:BatchCheckLayerAvailability",
                "ecr:BatchGetImage",
                "ecr:CompleteLayerUpload",
                "ecr:InitiateLayerUpload",
                "ecr:PutImage",
                "ecr:UploadLayerPart",
            ],
            repository_arns,
        ))
        .block(statement(
            "TaskDefinitions",
            &[
                "ecs:RegisterTaskDefinition",
                "ecs:DescribeTaskDefinition",
                "ecs:ListTaskDefinitions",
                "ecs:TagResource",
            ],
            vec!["*".into()],
        ))
        .block(statement(
            "Services",
            &["ecs:CreateService", "ecs:UpdateService", "ecs:DescribeServices"],
            vec![format!("arn:aws:ecs:{region}:{account}:service/{cluster}/*")],
        ))
        .block(statement(
            "Tasks",
            &["ecs:RunTask", "ecs:DescribeTasks", "ecs:StopTask"],
            vec![
                format!("arn:aws:ecs:{region}:{account}:task-definition/{prefix}*"),
                format!("arn:aws:ecs:{region}:{account}:task/{cluster}/*"),
            ],
        ))
        .block(statement(
            "Cluster",
            &["ecs:DescribeClusters"],
            vec![format!("arn:aws:ecs:{region}:{account}:cluster/{cluster}")],
        ))
        .block(
            statement("PassTaskRoles", &["iam:PassRole"], vec![roles]).block(
                Block::new("condition", &[])
                    .attr("test", s("StringEquals"))
                    .attr("variable", s("iam:PassedToService"))
                    .attr("values", strings(["ecs-tasks.amazonaws.com"])),
            ),
        )
        .block(statement(
            "Parameters",
            &["ssm:GetParameter", "ssm:GetParameters", "ssm:PutParameter"],
            vec![parameters],
        ))
        .block(statement(
            "TaskLogs",
            &["logs:GetLogEvents", "logs:FilterLogEvents"],
            vec![format!("arn:aws:logs:{region}:{account}:log-group:/ecs/{cluster}*")],
        ))
        .block(statement(
            "TargetHealth",
            &["elasticloadbalancing:DescribeTargetGroups", "elasticloadbalancing:DescribeTargetHealth"],
            vec!["*".into()],
        ));
    // ecspresso resolves the ARN of each secret a task names (`secretsmanager_arn`): only those.
    let secrets: BTreeSet<String> = ctx
        .env
        .services
        .iter()
        .flat_map(|s| &s.secrets)
        .chain(ctx.env.jobs.iter().flat_map(|j| &j.secrets))
        .map(|secret| ctx.secret_arn(&secret.secret_name))
        .collect();
    // A blue/green service's definition names the role ECS assumes to shift its traffic.
    let deploy = if blue_green {
        deploy.block(
            statement(
                "PassBlueGreenRole",
                &["iam:PassRole"],
                vec![format!(
                    "arn:aws:iam::{account}:role/{}",
                    crate::naming::physical(system, env, crate::naming::BLUE_GREEN_ROLE)
                )],
            )
            .block(
                Block::new("condition", &[])
                    .attr("test", s("StringEquals"))
                    .attr("variable", s("iam:PassedToService"))
                    .attr("values", strings(["ecs.amazonaws.com"])),
            ),
        )
    } else {
        deploy
    };
    let deploy = if secrets.is_empty() {
        deploy
    } else {
        deploy.block(statement(
            "Secrets",
            &["secretsmanager:DescribeSecret"],
            secrets.into_iter().collect(),
        ))
    };
    blocks.extend([
        Block::resource("aws_iam_openid_connect_provider", "github")
            .attr("url", s("https://token.actions.githubusercontent.com"))
            .attr("client_id_list", strings(["sts.amazonaws.com"])),
        Block::data("aws_iam_policy_document", "deploy_trust").block(
            Block::new("statement", &[])
                .attr("actions", strings(["sts:AssumeRoleWithWebIdentity"]))
                .block(Block::new("principals", &[]).attr("type", s("Federated")).attr(
                    "identifiers",
                    refs(["aws_iam_openid_connect_provider.github.arn"]),
                ))
                .block(
                    Block::new("condition", &[])
                        .attr("test", s("StringEquals"))
                        .attr("variable", s("token.actions.githubusercontent.com:aud"))
                        .attr("values", strings(["sts.amazonaws.com"])),
                )
                .block(
                    Block::new("condition", &[])
                        .attr("test", s("StringEquals"))
                        .attr("variable", s("token.actions.githubusercontent.com:sub"))
                        .attr(
                            "values",
                            strings([format!("repo:{repository}:environment:{env}")]),
                        ),
                ),
        ),
        Block::resource("aws_iam_role", "deploy")
            .attr("name", s(format!("{system}-deploy")))
            .attr(
                "description",
                s(format!(
                    "GitHub Actions deploy of {system} {env} from {repository} (archc)"
                )),
            )
            .attr(
                "assume_role_policy",
                reference("data.aws_iam_policy_document.deploy_trust.json"),
            )
            .attr("max_session_duration", Expr::Num(3600)),
        deploy,
        Block::resource("aws_iam_role_policy", "deploy")
            .attr("role", reference("aws_iam_role.deploy.id"))
            .attr("policy", reference("data.aws_iam_policy_document.deploy.json")),
    ]);
    blocks
}

/// The environment's public hosted zone, when the source says to create it.
fn hosted_zone(ctx: &Ctx<'_>) -> Option<Vec<Block>> {
    let domain = &ctx.env.domain.as_ref()?.value;
    Some(vec![
        Block::resource("aws_route53_zone", "main")
            .comment("checkov:skip=CKV2_AWS_38:DNSSEC signing needs a KMS key in us-east-1 and a DS record at the parent; not part of the design")
            .comment("checkov:skip=CKV2_AWS_39:query logging is not part of the design")
            .attr("name", s(domain))
            .attr("comment", s(format!("{} {} (archc)", ctx.ir.system, ctx.env.name)))
            .block(Block::new("lifecycle", &[]).attr("prevent_destroy", Expr::Bool(true))),
    ])
}

/// What the person applying it needs next: the bucket, the roles, the zone's name servers.
fn outputs(ctx: &Ctx<'_>) -> Vec<Block> {
    let mut blocks = vec![
        Block::new("output", &["state_bucket"])
            .attr(
                "description",
                s("The bucket of the environment's Terraform state (its backend)"),
            )
            .attr("value", reference("aws_s3_bucket.state.id")),
        Block::new("output", &["terraform_role_arn"])
            .attr("description", s("The role the environment's Terraform assumes"))
            .attr("value", reference("aws_iam_role.terraform.arn")),
    ];
    if ctx.ir.repository.is_some() {
        blocks.push(
            Block::new("output", &["deploy_role_arn"])
                .attr("description", s("The role the deploy workflow assumes"))
                .attr("value", reference("aws_iam_role.deploy.arn")),
        );
    }
    if ctx.env.hosted_zone == HostedZone::Create && ctx.env.domain.is_some() {
        blocks.push(
            Block::new("output", &["name_servers"])
                .attr("description", s("Delegate the domain to these name servers (an NS record at its parent, or the registrar)"))
                .attr("value", reference("aws_route53_zone.main.name_servers")),
        );
    }
    blocks
}
