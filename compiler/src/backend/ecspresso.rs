//! The ecspresso backend and the deploy workflow, read only from the IR.
//!
//! Per environment and service: `<env>/ecspresso/<service>/ecspresso.yml`, `ecs-service-def.json`,
//! `ecs-task-def.json` and, when the service declares `migrate`, `ecs-task-def-migrate.json`
//! (`ecspresso run` before each deploy). Per job: a config with a task definition that the
//! scheduler runs and `ecspresso run` can start by hand. Everything Terraform owns is read from
//! the SSM parameters it publishes (names from `parameters.rs`, the same module the Terraform
//! backend writes them from) with ecspresso's default `ssm` plugin; secrets are referenced with
//! its `secretsmanager_arn` plugin. Per environment: `.github/workflows/deploy-<env>.yml`.
//!
//! Both YAML files are serialized from data, the JSON through serde; free text from the sources
//! (commands, environment values) is made a template literal for ecspresso, and the workflow's
//! scripts are constants that read every value from `env:`.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
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
    /// Every flow's `(from, to)`, for looking up which databases a task uses.
    flows: BTreeSet<(&'a str, &'a str)>,
    /// Each task's grants, in the order of the flows.
    grants: BTreeMap<&'a str, Vec<&'a Grant>>,
    /// Each calling service's calls through Service Connect, in the order of the flows.
    calls: BTreeMap<&'a str, Vec<&'a ServiceCall>>,
    /// The services others call, and whether any call is HTTP.
    called: BTreeMap<&'a str, bool>,
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
    /// A renamed task keeps its family (its revisions go on).
    fn family(&self, task: &str) -> String {
        crate::naming::physical(&self.ir.system, &self.env.name, self.env.physical(task))
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
pub fn files(ir: &Ir, env: &EnvIr, emit: &mut dyn FnMut(OutputFile)) {
    let ctx = Ctx {
        ir,
        env,
        flows: env.flows.iter().map(|f| (f.from.name(), f.to.name())).collect(),
        grants: env.grants.iter().fold(Default::default(), |mut by_task, grant| {
            by_task.entry(grant.from.as_str()).or_default().push(grant);
            by_task
        }),
        calls: env
            .service_calls
            .iter()
            .fold(Default::default(), |mut by_caller, call| {
                by_caller.entry(call.from.as_str()).or_default().push(call);
                by_caller
            }),
        called: env
            .service_calls
            .iter()
            .fold(Default::default(), |mut called, call| {
                *called.entry(call.to.as_str()).or_default() |= call.http;
                called
            }),
    };
    let head = header(CommentStyle::Hash);
    for service in &env.services {
        let dir = format!("{}/ecspresso/{}", env.name, service.name);
        let task = TaskView::service(service);
        emit(yaml(
            format!("{dir}/ecspresso.yml"),
            &head,
            &config(&ctx, Some(env.physical(&service.name))),
        ));
        emit(json_file(
            format!("{dir}/ecs-service-def.json"),
            &service_definition(&ctx, service),
        ));
        emit(json_file(
            format!("{dir}/ecs-task-def.json"),
            &task_definition(&ctx, &task, None),
        ));
        if !service.migrate.value.is_empty() {
            emit(json_file(
                format!("{dir}/ecs-task-def-migrate.json"),
                &task_definition(&ctx, &task, Some(&service.migrate.value)),
            ));
        }
    }
    for job in &env.jobs {
        let dir = format!("{}/ecspresso/{}", env.name, job.name);
        emit(yaml(format!("{dir}/ecspresso.yml"), &head, &config(&ctx, None)));
        emit(json_file(
            format!("{dir}/ecs-service-def.json"),
            &run_definition(&ctx, &job.name, &job.tier),
        ));
        emit(json_file(
            format!("{dir}/ecs-task-def.json"),
            &task_definition(&ctx, &TaskView::job(job), None),
        ));
    }
    if !env.services.is_empty() || !env.jobs.is_empty() {
        emit(yaml(
            format!(".github/workflows/deploy-{}.yml", env.name),
            &head,
            &workflow(&ctx),
        ));
    }
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
#[derive(Serialize)]
struct Config {
    required_version: &'static str,
    region: String,
    cluster: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    service: Option<String>,
    service_definition: &'static str,
    task_definition: &'static str,
    timeout: &'static str,
}

fn config(ctx: &Ctx<'_>, service: Option<&str>) -> String {
    let config = Config {
        required_version: ECSPRESSO_VERSION,
        region: template_literal(&ctx.env.region),
        cluster: template_literal(&ctx.cluster()),
        service: service.map(template_literal),
        service_definition: "ecs-service-def.json",
        task_definition: "ecs-task-def.json",
        timeout: "10m",
    };
    format!(
        "# The definitions use the built-in `ssm` and `secretsmanager_arn` template functions.\n{}",
        to_yaml(&config)
    )
}

/// ecspresso reads its config and definitions as Go templates before parsing them, so a `{{`
/// in a value would be evaluated at deploy time (`{{ env `AWS_SECRET_ACCESS_KEY` }}`). Every
/// string that comes from the sources goes through here: each `{{` becomes an action that
/// prints `{{`.
fn template_literal(text: &str) -> String {
    text.replace("{{", "{{ `{{` }}")
}

/// A list of strings from the sources, each a template literal.
fn literal_list(items: &[String]) -> Value {
    items.iter().map(|item| template_literal(item)).collect()
}

/// YAML from data: the serializer quotes and escapes, so no value becomes a key or a node.
fn to_yaml(value: &impl Serialize) -> String {
    serde_saphyr::to_string(value).unwrap_or_default()
}

fn network(ctx: &Ctx<'_>, task: &str, tier: &str, public_ip: bool) -> Value {
    let subnets_parameter = parameters::subnet_ids(ctx.system(), ctx.env_name(), ctx.env.physical(tier));
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
            "securityGroups": [ssm(&parameters::security_group_id(ctx.system(), ctx.env_name(), ctx.env.physical(task)), None)],
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
        "deploymentConfiguration": deployment_configuration(ctx, service),
        "networkConfiguration": network(ctx, &service.name, &service.tier, service.public_ip.value),
        "propagateTags": "SERVICE",
        "enableECSManagedTags": true,
    });
    if let (Some(config), Value::Object(map)) = (service_connect(ctx, service), &mut definition) {
        map.insert("serviceConnectConfiguration".into(), config);
    }
    if let (Some(_), Some(port), Value::Object(map)) =
        (&service.load_balancer, &service.port, &mut definition)
    {
        let target_group =
            parameters::target_group_arn(ctx.system(), ctx.env_name(), ctx.env.physical(&service.name));
        let mut load_balancer = json!({
            "containerName": ctx.env.physical(&service.name),
            "containerPort": port.value,
            "targetGroupArn": ssm(&target_group, None),
        });
        if let (true, Value::Object(lb)) = (service.is_blue_green(), &mut load_balancer) {
            let (system, env, name) = (ctx.system(), ctx.env_name(), ctx.env.physical(&service.name));
            let mut advanced = json!({
                "alternateTargetGroupArn": ssm(&parameters::alternate_target_group_arn(system, env, name), None),
                "productionListenerRule": ssm(&parameters::production_listener_rule_arn(system, env, name), None),
                "roleArn": ssm(&parameters::blue_green_role_arn(system, env), None),
            });
            if let (true, Value::Object(advanced)) = (ctx.env.has_test_listener(service), &mut advanced) {
                advanced.insert(
                    "testListenerRule".into(),
                    json!(ssm(&parameters::test_listener_rule_arn(system, env, name), None)),
                );
            }
            lb.insert("advancedConfiguration".into(), advanced);
        }
        map.insert("loadBalancers".into(), json!([load_balancer]));
        map.insert("healthCheckGracePeriodSeconds".into(), json!(60));
    }
    definition
}

/// How a new version replaces the running one. Rolling: a few tasks at a time, rolled back by
/// the circuit breaker when they do not start. Blue/green: the whole new version beside the old,
/// traffic moved at once, the old kept for the bake time, and the service's alarms (on it or its
/// load balancer) rolling it back as well as the circuit breaker.
fn deployment_configuration(ctx: &Ctx<'_>, service: &Service) -> Value {
    let mut configuration = json!({
        "deploymentCircuitBreaker": { "enable": true, "rollback": true },
        "maximumPercent": 200,
        "minimumHealthyPercent": 100,
        "strategy": "ROLLING",
    });
    let Value::Object(map) = &mut configuration else {
        return configuration;
    };
    if service.is_blue_green() {
        map.insert("strategy".into(), json!("BLUE_GREEN"));
        map.insert(
            "bakeTimeInMinutes".into(),
            json!(service.bake_time_seconds.value / 60),
        );
        let watched = |component: &str| {
            component == service.name || service.load_balancer.as_deref() == Some(component)
        };
        let alarms: Vec<String> = ctx
            .env
            .alarms
            .iter()
            .filter(|alarm| watched(&alarm.component))
            .map(|alarm| crate::naming::physical(ctx.system(), ctx.env_name(), ctx.env.physical(&alarm.name)))
            .collect();
        if !alarms.is_empty() {
            map.insert(
                "alarms".into(),
                json!({ "alarmNames": alarms, "enable": true, "rollback": true }),
            );
        }
    }
    configuration
}

/// The service's ECS Service Connect configuration, when it calls another service or another
/// calls it: the environment's namespace, and for a called service the name and port it is
/// found by (its task's port mapping carries the same name).
fn service_connect(ctx: &Ctx<'_>, service: &Service) -> Option<Value> {
    let called = ctx.called.contains_key(service.name.as_str());
    if !called && !ctx.calls.contains_key(service.name.as_str()) {
        return None;
    }
    let mut config = json!({ "enabled": true, "namespace": ctx.cluster() });
    if let (true, Some(port), Value::Object(map)) = (called, &service.port, &mut config) {
        let name = dns_label(&service.name);
        map.insert(
            "services".into(),
            json!([{
                "portName": name,
                "discoveryName": name,
                "clientAliases": [{ "port": port.value, "dnsName": name }],
            }]),
        );
    }
    Some(config)
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
            cpu: service.cpu.value,
            memory: service.memory.value,
            port: service.port.as_ref().map(|p| p.value),
            command: &service.command,
            secrets: &service.secrets,
            environment: &service.environment,
        }
    }
    fn job(job: &'a Job) -> Self {
        TaskView {
            name: &job.name,
            image: &job.image,
            cpu: job.cpu.value,
            memory: job.memory.value,
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
        .map(|v| json!({ "name": v.name, "value": template_literal(&v.value) }))
        .collect();
    let mut secrets: Vec<Value> = task
        .secrets
        .iter()
        .map(|s| json!({ "name": s.variable, "valueFrom": format!("{{{{ secretsmanager_arn `{}` }}}}", s.secret_name) }))
        .collect();
    // Databases the task flows to: where they are, and their credentials from Secrets Manager.
    for database in ctx
        .env
        .databases
        .iter()
        .filter(|d| ctx.flows.contains(&(task.name, d.name.as_str())))
    {
        let prefix = database.name.to_uppercase();
        let secret = ssm(
            &parameters::database_secret_arn(system, env, ctx.env.physical(&database.name)),
            None,
        );
        environment.push(json!({ "name": format!("{prefix}_DB_HOST"), "value": ssm(&parameters::database_endpoint(system, env, ctx.env.physical(&database.name)), None) }));
        environment.push(json!({ "name": format!("{prefix}_DB_PORT"), "value": database.port.to_string() }));
        environment
            .push(json!({ "name": format!("{prefix}_DB_NAME"), "value": ctx.env.physical(&database.name) }));
        secrets.push(
            json!({ "name": format!("{prefix}_DB_USER"), "valueFrom": format!("{secret}:username::") }),
        );
        secrets.push(
            json!({ "name": format!("{prefix}_DB_PASSWORD"), "valueFrom": format!("{secret}:password::") }),
        );
    }
    // Caches the task flows to: where they are (it signs in as the user its grant names, below,
    // with an IAM authentication token, over TLS).
    for cache in ctx
        .env
        .caches
        .iter()
        .filter(|c| ctx.flows.contains(&(task.name, c.name.as_str())))
    {
        let prefix = cache.name.to_uppercase();
        let endpoint = parameters::cache_endpoint(system, env, ctx.env.physical(&cache.name));
        environment.push(json!({ "name": format!("{prefix}_CACHE_HOST"), "value": ssm(&endpoint, None) }));
        environment.push(json!({ "name": format!("{prefix}_CACHE_PORT"), "value": cache.port.to_string() }));
    }
    // Services it calls through Service Connect: the name and port its proxy answers on.
    let mut called: BTreeSet<&str> = BTreeSet::new();
    for call in ctx.calls.get(task.name).into_iter().flatten() {
        if !called.insert(&call.to) {
            continue;
        }
        let prefix = call.to.to_uppercase();
        let endpoint = format!("{}:{}", call.dns_name(), call.port);
        if call.http {
            environment
                .push(json!({ "name": format!("{prefix}_URL"), "value": format!("http://{endpoint}") }));
        }
        environment.push(json!({ "name": format!("{prefix}_ENDPOINT"), "value": endpoint }));
    }
    // Buckets, queues, topics and caches the task's flows grant it: where they are (each once).
    let mut granted: BTreeSet<&str> = BTreeSet::new();
    for grant in ctx.grants.get(task.name).into_iter().flatten() {
        if granted.insert(&grant.variable) {
            environment.push(json!({ "name": grant.variable, "value": grant.location(system, ctx.env) }));
        }
    }
    environment.sort_by(|a, b| a["name"].as_str().cmp(&b["name"].as_str()));
    secrets.sort_by(|a, b| a["name"].as_str().cmp(&b["name"].as_str()));
    let mut container = json!({
        "name": ctx.env.physical(task.name),
        "image": image,
        "essential": true,
        "environment": environment,
        "secrets": secrets,
        "logConfiguration": {
            "logDriver": "awslogs",
            "options": {
                "awslogs-group": ssm(&parameters::log_group(system, env, ctx.env.physical(task.name)), None),
                "awslogs-region": ctx.env.region,
                "awslogs-stream-prefix": if migrate.is_some() { "migrate" } else { ctx.env.physical(task.name) },
            }
        },
    });
    if let Value::Object(map) = &mut container {
        match (migrate, task.port) {
            (Some(command), _) => {
                map.insert("command".into(), literal_list(command));
            }
            (None, port) => {
                if let Some(port) = port {
                    // A port other services call by name is named for Service Connect.
                    let mapping = match ctx.called.get(task.name) {
                        Some(&http) => {
                            let mut mapping = json!({ "name": dns_label(task.name), "containerPort": port, "protocol": "tcp" });
                            if let (true, Value::Object(fields)) = (http, &mut mapping) {
                                fields.insert("appProtocol".into(), json!("http"));
                            }
                            mapping
                        }
                        None => json!({ "containerPort": port, "protocol": "tcp" }),
                    };
                    map.insert("portMappings".into(), json!([mapping]));
                }
                if !task.command.is_empty() {
                    map.insert("command".into(), literal_list(task.command));
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
        "executionRoleArn": ssm(&parameters::execution_role_arn(system, env, ctx.env.physical(task.name)), None),
        "taskRoleArn": ssm(&parameters::task_role_arn(system, env, ctx.env.physical(task.name)), None),
        "containerDefinitions": [container],
    })
}

/// A GitHub Actions workflow, as far as archc writes one.
#[derive(Serialize)]
struct Workflow {
    name: String,
    on: Triggers,
    permissions: Permissions,
    concurrency: Concurrency,
    jobs: BTreeMap<&'static str, WorkflowJob>,
}

#[derive(Serialize)]
struct Triggers {
    #[serde(skip_serializing_if = "Option::is_none")]
    push: Option<Push>,
    workflow_dispatch: Empty,
}

#[derive(Serialize)]
struct Push {
    branches: Vec<&'static str>,
}

#[derive(Serialize)]
struct Empty {}

#[derive(Serialize)]
struct Permissions {
    #[serde(rename = "id-token")]
    id_token: &'static str,
    contents: &'static str,
}

#[derive(Serialize)]
struct Concurrency {
    group: String,
    #[serde(rename = "cancel-in-progress")]
    cancel_in_progress: bool,
}

#[derive(Serialize)]
struct WorkflowJob {
    #[serde(rename = "runs-on")]
    runs_on: &'static str,
    environment: String,
    #[serde(rename = "timeout-minutes")]
    timeout_minutes: u32,
    steps: Vec<Step>,
}

/// One step. A `run` script is constant text: every value it needs comes through `env`, so
/// nothing from the sources is ever read by the shell as code.
#[derive(Serialize, Default)]
struct Step {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    uses: Option<&'static str>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    with: BTreeMap<&'static str, String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    env: BTreeMap<&'static str, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    run: Option<&'static str>,
}

/// A value as GitHub Actions reads it: `${{` starts an expression wherever it stands, so it is
/// written as an expression that yields `${{`.
fn actions_literal(text: &str) -> String {
    text.replace("${{", "${{ '${{' }}")
}

const BUILD_AND_PUSH: &str = "image=\"$REGISTRY/$REPOSITORY:$GITHUB_SHA\"\n\
docker build --tag \"$image\" \"$REPOSITORY\"\n\
docker push \"$image\"\n\
aws ssm put-parameter --overwrite --type String --name \"$TAG_PARAMETER\" --value \"$GITHUB_SHA\"\n";
const MIGRATE: &str = "ecspresso run --config \"$DIR/ecspresso.yml\" --task-def \"$DIR/ecs-task-def-migrate.json\" --watch-container \"$CONTAINER\" --wait-until stopped\n";
const DEPLOY: &str = "ecspresso deploy --config \"$DIR/ecspresso.yml\"\n";
const REGISTER: &str = "ecspresso register --config \"$DIR/ecspresso.yml\"\n";

/// The deploy workflow: build and push each image tagged with the commit, publish the tag to
/// SSM, run each migration and wait for it, deploy each service, register each job's task.
/// Paths are relative to the output directory, which is meant to be the repository root.
fn workflow(ctx: &Ctx<'_>) -> String {
    let env = ctx.env;
    let (system, name) = (ctx.system(), ctx.env_name());
    let literal_env = |pairs: &[(&'static str, String)]| -> BTreeMap<&'static str, String> {
        pairs.iter().map(|(k, v)| (*k, actions_literal(v))).collect()
    };
    let mut repositories: Vec<&str> = env
        .services
        .iter()
        .map(|s| s.image.as_str())
        .chain(env.jobs.iter().map(|j| j.image.as_str()))
        .collect();
    repositories.sort_unstable();
    repositories.dedup();
    let mut steps = vec![
        Step {
            uses: Some("actions/checkout@v4"),
            ..Step::default()
        },
        Step {
            uses: Some("aws-actions/configure-aws-credentials@v6"),
            with: literal_env(&[
                (
                    "role-to-assume",
                    format!("arn:aws:iam::{}:role/{system}-deploy", env.account),
                ),
                ("aws-region", env.region.clone()),
                ("role-session-name", format!("{system}-{name}-deploy")),
            ]),
            ..Step::default()
        },
        Step {
            id: Some("ecr"),
            uses: Some("aws-actions/amazon-ecr-login@v2"),
            ..Step::default()
        },
    ];
    for repository in &repositories {
        let mut step_env = literal_env(&[
            ("REPOSITORY", (*repository).to_owned()),
            ("TAG_PARAMETER", parameters::image_tag(system, name, repository)),
        ]);
        step_env.insert("REGISTRY", "${{ steps.ecr.outputs.registry }}".into());
        steps.push(Step {
            name: Some(actions_literal(&format!("build and push {repository}"))),
            env: step_env,
            run: Some(BUILD_AND_PUSH),
            ..Step::default()
        });
    }
    steps.push(Step {
        uses: Some("kayac/ecspresso@v2"),
        with: literal_env(&[("version", ECSPRESSO_RELEASE.to_owned())]),
        ..Step::default()
    });
    let dir = |task: &str| format!("{name}/ecspresso/{task}");
    for service in env.services.iter().filter(|s| !s.migrate.value.is_empty()) {
        steps.push(Step {
            name: Some(actions_literal(&format!("migrate {}", service.name))),
            env: literal_env(&[
                ("DIR", dir(&service.name)),
                ("CONTAINER", env.physical(&service.name).to_owned()),
            ]),
            run: Some(MIGRATE),
            ..Step::default()
        });
    }
    for service in &env.services {
        steps.push(Step {
            name: Some(actions_literal(&format!("deploy {}", service.name))),
            env: literal_env(&[("DIR", dir(&service.name))]),
            run: Some(DEPLOY),
            ..Step::default()
        });
    }
    for job in &env.jobs {
        steps.push(Step {
            name: Some(actions_literal(&format!("register {}", job.name))),
            env: literal_env(&[("DIR", dir(&job.name))]),
            run: Some(REGISTER),
            ..Step::default()
        });
    }
    let production = env.stage.value == Stage::Production;
    let workflow = Workflow {
        name: actions_literal(&format!("deploy {name}")),
        on: Triggers {
            push: (!production).then(|| Push {
                branches: vec!["main"],
            }),
            workflow_dispatch: Empty {},
        },
        permissions: Permissions {
            id_token: "write",
            contents: "read",
        },
        concurrency: Concurrency {
            group: actions_literal(&format!("deploy-{name}")),
            cancel_in_progress: false,
        },
        jobs: BTreeMap::from([(
            "deploy",
            WorkflowJob {
                runs_on: "ubuntu-latest",
                environment: actions_literal(name),
                timeout_minutes: 60,
                steps,
            },
        )]),
    };
    to_yaml(&workflow)
}
