//! The names of the SSM parameters Terraform publishes for the deploy side (ecspresso and the
//! workflow read them). This is the one place they are spelled, so the writer and the readers
//! cannot disagree.

use crate::ir::EnvIr;

/// An SSM parameter Terraform writes: `/<system>/<env>/<path>`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Parameter {
    pub name: String,
    pub value: ParameterValue,
}

/// What a parameter holds.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ParameterValue {
    VpcId,
    ClusterName,
    /// The tier's subnet IDs, comma-separated (a `StringList`).
    SubnetIds(String),
    SecurityGroupId(String),
    TargetGroupArn(String),
    /// A blue/green service's second target group.
    AlternateTargetGroupArn(String),
    /// A blue/green service's production listener rule, whose weights ECS moves.
    ProductionListenerRuleArn(String),
    /// A blue/green service's test listener rule (when its load balancer has a test listener).
    TestListenerRuleArn(String),
    /// The role ECS assumes to move blue/green services' listener rules.
    BlueGreenRoleArn,
    TaskRoleArn(String),
    ExecutionRoleArn(String),
    LogGroupName(String),
    RepositoryUrl(String),
    /// The image tag the deploy workflow publishes.
    ImageTag(String),
    /// The database cluster's writer endpoint.
    DatabaseEndpoint(String),
    /// The cache's primary (or serverless) endpoint address.
    CacheEndpoint(String),
    /// The ARN of the Secrets Manager secret holding the database's master credentials.
    DatabaseSecretArn(String),
}

/// `/<system>/<env>`
fn prefix(system: &str, env: &str) -> String {
    format!("/{system}/{env}")
}

pub fn vpc_id(system: &str, env: &str) -> String {
    format!("{}/vpc/id", prefix(system, env))
}

pub fn subnet_ids(system: &str, env: &str, tier: &str) -> String {
    format!("{}/subnets/{tier}/ids", prefix(system, env))
}

pub fn security_group_id(system: &str, env: &str, component: &str) -> String {
    format!("{}/security-groups/{component}/id", prefix(system, env))
}

pub fn cluster_name(system: &str, env: &str) -> String {
    format!("{}/ecs/cluster/name", prefix(system, env))
}

pub fn target_group_arn(system: &str, env: &str, service: &str) -> String {
    format!("{}/services/{service}/target-group/arn", prefix(system, env))
}

pub fn repository_url(system: &str, env: &str, repository: &str) -> String {
    format!("{}/ecr/{repository}/url", prefix(system, env))
}

pub fn alternate_target_group_arn(system: &str, env: &str, service: &str) -> String {
    format!(
        "{}/services/{service}/alternate-target-group/arn",
        prefix(system, env)
    )
}

pub fn production_listener_rule_arn(system: &str, env: &str, service: &str) -> String {
    format!(
        "{}/services/{service}/production-listener-rule/arn",
        prefix(system, env)
    )
}

pub fn test_listener_rule_arn(system: &str, env: &str, service: &str) -> String {
    format!(
        "{}/services/{service}/test-listener-rule/arn",
        prefix(system, env)
    )
}

pub fn blue_green_role_arn(system: &str, env: &str) -> String {
    format!("{}/ecs/load-balancers-role/arn", prefix(system, env))
}

pub fn task_role_arn(system: &str, env: &str, task: &str) -> String {
    format!("{}/tasks/{task}/task-role/arn", prefix(system, env))
}

pub fn execution_role_arn(system: &str, env: &str, task: &str) -> String {
    format!("{}/tasks/{task}/execution-role/arn", prefix(system, env))
}

pub fn log_group(system: &str, env: &str, task: &str) -> String {
    format!("{}/tasks/{task}/log-group/name", prefix(system, env))
}

pub fn image_tag(system: &str, env: &str, repository: &str) -> String {
    format!("{}/ecr/{repository}/tag", prefix(system, env))
}

pub fn database_endpoint(system: &str, env: &str, database: &str) -> String {
    format!("{}/databases/{database}/endpoint", prefix(system, env))
}

pub fn cache_endpoint(system: &str, env: &str, cache: &str) -> String {
    format!("{}/caches/{cache}/endpoint", prefix(system, env))
}

pub fn database_secret_arn(system: &str, env: &str, database: &str) -> String {
    format!("{}/databases/{database}/secret/arn", prefix(system, env))
}

/// Every parameter of an environment, in a fixed order.
pub fn publish(system: &str, env: &EnvIr) -> Vec<Parameter> {
    let name = env.name.as_str();
    let mut out = Vec::new();
    if env.network {
        out.push(Parameter {
            name: vpc_id(system, name),
            value: ParameterValue::VpcId,
        });
    }
    if env.has_tasks() {
        out.push(Parameter {
            name: cluster_name(system, name),
            value: ParameterValue::ClusterName,
        });
    }
    for tier in &env.tiers {
        out.push(Parameter {
            name: subnet_ids(system, name, env.physical(&tier.name)),
            value: ParameterValue::SubnetIds(tier.name.clone()),
        });
    }
    for group in &env.security_groups {
        out.push(Parameter {
            name: security_group_id(system, name, env.physical(&group.name)),
            value: ParameterValue::SecurityGroupId(group.name.clone()),
        });
    }
    for service in &env.services {
        if service.load_balancer.is_some() {
            let physical = env.physical(&service.name);
            out.push(Parameter {
                name: target_group_arn(system, name, physical),
                value: ParameterValue::TargetGroupArn(service.name.clone()),
            });
            if service.is_blue_green() {
                out.push(Parameter {
                    name: alternate_target_group_arn(system, name, physical),
                    value: ParameterValue::AlternateTargetGroupArn(service.name.clone()),
                });
                out.push(Parameter {
                    name: production_listener_rule_arn(system, name, physical),
                    value: ParameterValue::ProductionListenerRuleArn(service.name.clone()),
                });
                if env.has_test_listener(service) {
                    out.push(Parameter {
                        name: test_listener_rule_arn(system, name, physical),
                        value: ParameterValue::TestListenerRuleArn(service.name.clone()),
                    });
                }
            }
        }
    }
    if env.has_blue_green() {
        out.push(Parameter {
            name: blue_green_role_arn(system, name),
            value: ParameterValue::BlueGreenRoleArn,
        });
    }
    let tasks = env
        .services
        .iter()
        .map(|s| (&s.name, &s.image))
        .chain(env.jobs.iter().map(|j| (&j.name, &j.image)));
    let mut repositories: Vec<&String> = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for (task, image) in tasks {
        out.push(Parameter {
            name: task_role_arn(system, name, env.physical(task)),
            value: ParameterValue::TaskRoleArn(task.clone()),
        });
        out.push(Parameter {
            name: execution_role_arn(system, name, env.physical(task)),
            value: ParameterValue::ExecutionRoleArn(task.clone()),
        });
        out.push(Parameter {
            name: log_group(system, name, env.physical(task)),
            value: ParameterValue::LogGroupName(task.clone()),
        });
        if seen.insert(image) {
            repositories.push(image);
        }
    }
    for database in &env.databases {
        out.push(Parameter {
            name: database_endpoint(system, name, env.physical(&database.name)),
            value: ParameterValue::DatabaseEndpoint(database.name.clone()),
        });
        out.push(Parameter {
            name: database_secret_arn(system, name, env.physical(&database.name)),
            value: ParameterValue::DatabaseSecretArn(database.name.clone()),
        });
    }
    for cache in &env.caches {
        out.push(Parameter {
            name: cache_endpoint(system, name, env.physical(&cache.name)),
            value: ParameterValue::CacheEndpoint(cache.name.clone()),
        });
    }
    for repository in repositories {
        out.push(Parameter {
            name: repository_url(system, name, repository),
            value: ParameterValue::RepositoryUrl(repository.clone()),
        });
        out.push(Parameter {
            name: image_tag(system, name, repository),
            value: ParameterValue::ImageTag(repository.clone()),
        });
    }
    out
}
