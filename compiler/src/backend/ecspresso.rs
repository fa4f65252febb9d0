//! The ecspresso backend and the deploy workflow, read only from the IR.
//!
//! Per environment and service: `<env>/ecspresso/<service>/ecspresso.yml`, `ecs-service-def.json`,
//! `ecs-task-def.json` and, when the service declares `migrate`, `ecs-task-def-migrate.json`
//! (`ecspresso run` before each deploy). Per job: a config with a task definition that the
//! scheduler runs and `ecspresso run` can start by hand. Everything Terraform owns is read from
//! the SSM parameters it publishes (names from `parameters.rs`, the same module the Terraform
//! backend writes them from) with ecspresso's default `ssm` plugin; secrets are referenced with
//! its `secretsmanager_arn` plugin. Per environment: `.github/workflows/deploy-<env>.yml`.

use serde_json::{Value, json};

use super::{CommentStyle, OutputFile, header};
use crate::ir::*;
use crate::parameters;

/// The ecspresso release line the files are written for: its `ssm` and `secretsmanager`
/// plugins are built in from 2.3.0.
const ECSPRESSO_VERSION: &str = ">= 2.3.0, < 3";
/// The ecspresso binary the workflow installs.
const ECSPRESSO_RELEASE: &str = "v2.6.1";

struct Ctx<'a> {
    ir: &'a Ir,
    env: &'a EnvIr,
}

impl Ctx<'_> {
    fn system(&self) -> &str {
        &self.ir.system
    }
    fn env_name(&self) -> &str {
        &self.env.name
    }
    fn cluster(&self) -> String {
        format!("{}-{}", self.ir.system, self.env.name)
    }
    fn family(&self, task: &str) -> String {
        format!("{}-{}-{task}", self.ir.system, self.env.name).replace('_', "-")
    }
}

/// `{{ ssm `/name` }}`, or with an index into a `StringList`.
fn ssm(name: &str, index: Option<usize>) -> String {
    match index {
        Some(i) => format!("{{{{ ssm `{name}` {i} }}}}"),
        None => format!("{{{{ ssm `{name}` }}}}"),
    }
}

/// The files of one environment.
pub fn files(ir: &Ir, env: &EnvIr, source_hash: &str) -> Vec<OutputFile> {
    let ctx = Ctx { ir, env };
    let head = header(CommentStyle::Hash, source_hash);
    let mut out = Vec::new();
    for service in &env.services {
        let dir = format!("{}/ecspresso/{}", env.name, service.name);
        let task = TaskView::service(service);
        out.push(yaml(
            format!("{dir}/ecspresso.yml"),
            &head,
            &config(&ctx, Some(&service.name)),
        ));
        out.push(json_file(
            format!("{dir}/ecs-service-def.json"),
            &service_definition(&ctx, service),
        ));
        out.push(json_file(
            format!("{dir}/ecs-task-def.json"),
            &task_definition(&ctx, &task, None),
        ));
        if !service.migrate.value.is_empty() {
            out.push(json_file(
                format!("{dir}/ecs-task-def-migrate.json"),
                &task_definition(&ctx, &task, Some(&service.migrate.value)),
            ));
        }
    }
    for job in &env.jobs {
        let dir = format!("{}/ecspresso/{}", env.name, job.name);
        out.push(yaml(format!("{dir}/ecspresso.yml"), &head, &config(&ctx, None)));
        out.push(json_file(
            format!("{dir}/ecs-service-def.json"),
            &run_definition(&ctx, &job.name, &job.tier),
        ));
        out.push(json_file(
            format!("{dir}/ecs-task-def.json"),
            &task_definition(&ctx, &TaskView::job(job), None),
        ));
    }
    if !env.services.is_empty() || !env.jobs.is_empty() {
        out.push(yaml(
            format!(".github/workflows/deploy-{}.yml", env.name),
            &head,
            &workflow(&ctx),
        ));
    }
    out
}

fn yaml(path: String, head: &str, body: &str) -> OutputFile {
    OutputFile {
        path,
        contents: format!("{head}{body}"),
    }
}

/// JSON cannot carry a comment; the output manifest records that archc wrote it.
fn json_file(path: String, value: &Value) -> OutputFile {
    let text = serde_json::to_string_pretty(value).unwrap_or_default();
    OutputFile {
        path,
        contents: format!("{text}\n"),
    }
}

/// `ecspresso.yml`. A job's config has no service: it only registers and runs its task.
fn config(ctx: &Ctx<'_>, service: Option<&str>) -> String {
    let mut text = format!(
        "required_version: \"{ECSPRESSO_VERSION}\"\nregion: \"{}\"\ncluster: \"{}\"\n",
        ctx.env.region,
        ctx.cluster()
    );
    if let Some(service) = service {
        text.push_str(&format!("service: \"{service}\"\n"));
    }
    text.push_str(
        "service_definition: ecs-service-def.json\ntask_definition: ecs-task-def.json\ntimeout: \"10m\"\n\
         # The definitions use the built-in `ssm` and `secretsmanager_arn` template functions.\n",
    );
    text
}

fn network(ctx: &Ctx<'_>, task: &str, tier: &str, public_ip: bool) -> Value {
    let subnets_parameter = parameters::subnet_ids(ctx.system(), ctx.env_name(), tier);
    let count = ctx
        .env
        .tiers
        .iter()
        .find(|t| t.name == tier)
        .map_or(0, |t| t.subnets.len());
    let subnets: Vec<String> = (0..count).map(|i| ssm(&subnets_parameter, Some(i))).collect();
    json!({
        "awsvpcConfiguration": {
            "assignPublicIp": if public_ip { "ENABLED" } else { "DISABLED" },
            "subnets": subnets,
            "securityGroups": [ssm(&parameters::security_group_id(ctx.system(), ctx.env_name(), task), None)],
        }
    })
}

/// The service definition: Fargate in the service's tier, no public IP, the circuit breaker
/// rolling back a failed deploy, and the load balancer's target group when one fronts it.
/// `desiredCount` is left out: the autoscaling target (Terraform) owns the count.
fn service_definition(ctx: &Ctx<'_>, service: &Service) -> Value {
    let mut definition = json!({
        "launchType": "FARGATE",
        "platformVersion": "LATEST",
        "schedulingStrategy": "REPLICA",
        "deploymentConfiguration": {
            "deploymentCircuitBreaker": { "enable": true, "rollback": true },
            "maximumPercent": 200,
            "minimumHealthyPercent": 100,
        },
        "networkConfiguration": network(ctx, &service.name, &service.tier, service.public_ip.value),
        "propagateTags": "SERVICE",
        "enableECSManagedTags": true,
    });
    if let (Some(_), Value::Object(map)) = (&service.load_balancer, &mut definition) {
        let target_group = parameters::target_group_arn(ctx.system(), ctx.env_name(), &service.name);
        map.insert(
            "loadBalancers".into(),
            json!([{
                "containerName": service.name,
                "containerPort": service.port,
                "targetGroupArn": ssm(&target_group, None),
            }]),
        );
        map.insert("healthCheckGracePeriodSeconds".into(), json!(60));
    }
    definition
}

/// A job's "service definition": only what `ecspresso run` takes from it.
fn run_definition(ctx: &Ctx<'_>, job: &str, tier: &str) -> Value {
    json!({
        "launchType": "FARGATE",
        "platformVersion": "LATEST",
        "networkConfiguration": network(ctx, job, tier, false),
    })
}

/// What a task definition needs of a service or a job.
struct TaskView<'a> {
    name: &'a str,
    image: &'a str,
    cpu: i64,
    memory: i64,
    port: Option<u16>,
    command: &'a [String],
    secrets: &'a [Secret],
    environment: &'a [EnvVar],
}

impl<'a> TaskView<'a> {
    fn service(service: &'a Service) -> Self {
        TaskView {
            name: &service.name,
            image: &service.image,
            cpu: service.cpu,
            memory: service.memory,
            port: Some(service.port.value),
            command: &service.command,
            secrets: &service.secrets,
            environment: &service.environment,
        }
    }
    fn job(job: &'a Job) -> Self {
        TaskView {
            name: &job.name,
            image: &job.image,
            cpu: job.cpu,
            memory: job.memory,
            port: None,
            command: &job.command,
            secrets: &job.secrets,
            environment: &job.environment,
        }
    }
}

/// The task definition; with `migrate`, the one-off migration task (same image and settings,
/// the migration command, no port).
fn task_definition(ctx: &Ctx<'_>, task: &TaskView<'_>, migrate: Option<&[String]>) -> Value {
    let (system, env) = (ctx.system(), ctx.env_name());
    let image = format!(
        "{}:{}",
        ssm(&parameters::repository_url(system, env, task.image), None),
        ssm(&parameters::image_tag(system, env, task.image), None)
    );
    let mut environment: Vec<Value> = task
        .environment
        .iter()
        .map(|v| json!({ "name": v.name, "value": v.value }))
        .collect();
    let mut secrets: Vec<Value> = task
        .secrets
        .iter()
        .map(|s| json!({ "name": s.variable, "valueFrom": format!("{{{{ secretsmanager_arn `{}` }}}}", s.secret_name) }))
        .collect();
    // Databases the task flows to: where they are, and their credentials from Secrets Manager.
    for database in ctx.env.databases.iter().filter(|d| {
        ctx.env
            .flows
            .iter()
            .any(|f| f.from == task.name && f.to == d.name)
    }) {
        let prefix = database.name.to_uppercase();
        let secret = ssm(
            &parameters::database_secret_arn(system, env, &database.name),
            None,
        );
        environment.push(json!({ "name": format!("{prefix}_DB_HOST"), "value": ssm(&parameters::database_endpoint(system, env, &database.name), None) }));
        environment.push(json!({ "name": format!("{prefix}_DB_PORT"), "value": database.port.to_string() }));
        environment.push(json!({ "name": format!("{prefix}_DB_NAME"), "value": database.name }));
        secrets.push(
            json!({ "name": format!("{prefix}_DB_USER"), "valueFrom": format!("{secret}:username::") }),
        );
        secrets.push(
            json!({ "name": format!("{prefix}_DB_PASSWORD"), "valueFrom": format!("{secret}:password::") }),
        );
    }
    environment.sort_by(|a, b| a["name"].as_str().cmp(&b["name"].as_str()));
    secrets.sort_by(|a, b| a["name"].as_str().cmp(&b["name"].as_str()));
    let mut container = json!({
        "name": task.name,
        "image": image,
        "essential": true,
        "environment": environment,
        "secrets": secrets,
        "logConfiguration": {
            "logDriver": "awslogs",
            "options": {
                "awslogs-group": ssm(&parameters::log_group(system, env, task.name), None),
                "awslogs-region": ctx.env.region,
                "awslogs-stream-prefix": if migrate.is_some() { "migrate" } else { task.name },
            }
        },
    });
    if let Value::Object(map) = &mut container {
        match (migrate, task.port) {
            (Some(command), _) => {
                map.insert("command".into(), json!(command));
            }
            (None, port) => {
                if let Some(port) = port {
                    map.insert(
                        "portMappings".into(),
                        json!([{ "containerPort": port, "protocol": "tcp" }]),
                    );
                }
                if !task.command.is_empty() {
                    map.insert("command".into(), json!(task.command));
                }
            }
        }
    }
    let family = match migrate {
        Some(_) => format!("{}-migrate", ctx.family(task.name)),
        None => ctx.family(task.name),
    };
    json!({
        "family": family,
        "cpu": task.cpu.to_string(),
        "memory": task.memory.to_string(),
        "networkMode": "awsvpc",
        "requiresCompatibilities": ["FARGATE"],
        "runtimePlatform": { "cpuArchitecture": "X86_64", "operatingSystemFamily": "LINUX" },
        "executionRoleArn": ssm(&parameters::execution_role_arn(system, env, task.name), None),
        "taskRoleArn": ssm(&parameters::task_role_arn(system, env, task.name), None),
        "containerDefinitions": [container],
    })
}

/// The deploy workflow: build and push each image tagged with the commit, publish the tag to
/// SSM, run each migration and wait for it, deploy each service, register each job's task.
/// Paths are relative to the output directory, which is meant to be the repository root.
fn workflow(ctx: &Ctx<'_>) -> String {
    let env = ctx.env;
    let (system, name) = (ctx.system(), ctx.env_name());
    let trigger = if env.stage.value == Stage::Production {
        "on:\n  workflow_dispatch: {}\n"
    } else {
        "on:\n  push:\n    branches: [main]\n  workflow_dispatch: {}\n"
    };
    let mut repositories: Vec<&str> = env
        .services
        .iter()
        .map(|s| s.image.as_str())
        .chain(env.jobs.iter().map(|j| j.image.as_str()))
        .collect();
    repositories.sort_unstable();
    repositories.dedup();
    let mut steps = format!(
        "      - uses: actions/checkout@v4\n      - uses: aws-actions/configure-aws-credentials@v6\n        with:\n          role-to-assume: \"arn:aws:iam::{account}:role/{system}-deploy\"\n          aws-region: \"{region}\"\n          role-session-name: \"{system}-{name}-deploy\"\n      - id: ecr\n        uses: aws-actions/amazon-ecr-login@v2\n",
        account = env.account,
        region = env.region,
    );
    for repository in &repositories {
        steps.push_str(&format!(
            "      - name: build and push {repository}\n        env:\n          REGISTRY: ${{{{ steps.ecr.outputs.registry }}}}\n        run: |\n          image=\"$REGISTRY/{repository}:$GITHUB_SHA\"\n          docker build --tag \"$image\" \"{repository}\"\n          docker push \"$image\"\n          aws ssm put-parameter --overwrite --type String --name \"{tag}\" --value \"$GITHUB_SHA\"\n",
            tag = parameters::image_tag(system, name, repository),
        ));
    }
    steps.push_str(&format!(
        "      - uses: kayac/ecspresso@v2\n        with:\n          version: \"{ECSPRESSO_RELEASE}\"\n"
    ));
    for service in env.services.iter().filter(|s| !s.migrate.value.is_empty()) {
        let dir = format!("{name}/ecspresso/{}", service.name);
        steps.push_str(&format!(
            "      - name: migrate {service}\n        run: ecspresso run --config \"{dir}/ecspresso.yml\" --task-def \"{dir}/ecs-task-def-migrate.json\" --watch-container \"{service}\" --wait-until stopped\n",
            service = service.name,
        ));
    }
    for service in &env.services {
        steps.push_str(&format!(
            "      - name: deploy {service}\n        run: ecspresso deploy --config \"{name}/ecspresso/{service}/ecspresso.yml\"\n",
            service = service.name,
        ));
    }
    for job in &env.jobs {
        steps.push_str(&format!(
            "      - name: register {job}\n        run: ecspresso register --config \"{name}/ecspresso/{job}/ecspresso.yml\"\n",
            job = job.name,
        ));
    }
    format!(
        "name: \"deploy {name}\"\n{trigger}permissions:\n  id-token: write\n  contents: read\nconcurrency:\n  group: \"deploy-{name}\"\n  cancel-in-progress: false\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    environment: \"{name}\"\n    timeout-minutes: 60\n    steps:\n{steps}"
    )
}
