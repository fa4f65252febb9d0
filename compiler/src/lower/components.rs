//! Components: services, jobs, databases, buckets, mail and alarms, each from its typed fields.

use super::*;

pub(super) fn secrets_and_environment(get: &Get<'_>) -> Lowering<(Vec<Secret>, Vec<EnvVar>)> {
    let secrets = get
        .block("secret")?
        .iter()
        .map(|(variable, setting)| match &setting.value {
            Val::Call { args, .. } => Ok(Secret {
                variable: variable.clone(),
                secret_name: args
                    .first()
                    .and_then(Val::as_str)
                    .ok_or_else(|| Fault::new(variable, "secret name", &setting.origin))?
                    .to_owned(),
            }),
            _ => Err(Fault::new(variable, "secret", &setting.origin)),
        })
        .collect::<Lowering<_>>()?;
    let environment = get
        .block("environment")?
        .iter()
        .map(|(name, setting)| {
            Ok(EnvVar {
                name: name.clone(),
                value: setting
                    .value
                    .as_str()
                    .ok_or_else(|| Fault::new(name, "string", &setting.origin))?
                    .to_owned(),
                origin: setting.origin.clone(),
            })
        })
        .collect::<Lowering<_>>()?;
    Ok((secrets, environment))
}

pub(super) fn service(component: &Component, load_balancer: Option<String>) -> Lowering<Service> {
    let get = Get::new(&component.fields, &component.origin);
    let scale_origin = get.origin("scale");
    let scale = Get::new(get.block("scale")?, &scale_origin);
    let (secrets, environment) = secrets_and_environment(&get)?;
    Ok(Service {
        name: component.name.clone(),
        tier: tier_of(component)?,
        image: get.call_arg("image")?,
        port: get.optional_port("port")?,
        cpu: get.spanned_int("cpu")?,
        memory: get.spanned_int("memory")?,
        scale: Scaling {
            min: scale.spanned_int("min")?,
            max: scale.spanned_int("max")?,
            cpu_target: scale.optional_percent("cpu")?,
            memory_target: scale.optional_percent("memory")?,
            scale_out_cooldown_seconds: scale.spanned_duration("out")?,
            scale_in_cooldown_seconds: scale.spanned_duration("in")?,
            queue: scale
                .optional_str("queue")?
                .map(|queue| {
                    Ok(QueueScaling {
                        queue: Spanned {
                            value: queue,
                            origin: scale.origin("queue"),
                        },
                        backlog: scale.int("backlog")?,
                    })
                })
                .transpose()?,
        },
        secrets,
        environment,
        migrate: Spanned {
            value: get.strings("migrate")?,
            origin: get.origin("migrate"),
        },
        command: get.strings("command")?,
        health_check: get.optional_str("health_check")?,
        handle_time_seconds: get.optional_spanned_duration("handle_time")?,
        public_ip: get.spanned_bool("public_ip")?,
        deploy: Spanned {
            value: get.choice("deploy")?,
            origin: get.origin("deploy"),
        },
        bake_time_seconds: get.spanned_duration("bake_time")?,
        load_balancer,
        origin: component.origin.clone(),
    })
}

pub(super) fn job(component: &Component) -> Lowering<Job> {
    let get = Get::new(&component.fields, &component.origin);
    let (secrets, environment) = secrets_and_environment(&get)?;
    let schedule = Spanned {
        value: get.require("schedule", "cron(…) or rate(…)", |v| match v {
            Val::Call { function, args } if function == "cron" => {
                Some(Schedule::Cron(args.first()?.as_str()?.to_owned()))
            }
            Val::Call { function, args } if function == "rate" => duration(args.first()?).map(Schedule::Rate),
            _ => None,
        })?,
        origin: get.origin("schedule"),
    };
    Ok(Job {
        name: component.name.clone(),
        tier: tier_of(component)?,
        image: get.call_arg("image")?,
        schedule,
        command: get.strings("command")?,
        cpu: get.spanned_int("cpu")?,
        memory: get.spanned_int("memory")?,
        secrets,
        environment,
        handle_time_seconds: get.optional_spanned_duration("handle_time")?,
        public_ip: get.spanned_bool("public_ip")?,
        origin: component.origin.clone(),
    })
}

pub(super) fn cache(component: &Component) -> Lowering<Cache> {
    let get = Get::new(&component.fields, &component.origin);
    let (nodes, port) = match component.kind.as_str() {
        "valkey_serverless" => (
            CacheNodes::Serverless {
                max_data_gb: get.int("max_data")?,
                max_ecpu: get.int("max_ecpu")?,
            },
            SERVERLESS_CACHE_PORT,
        ),
        "elasticache" => (
            CacheNodes::Nodes {
                engine: get.choice("engine")?,
                version: Spanned {
                    value: get.str("version")?,
                    origin: get.origin("version"),
                },
                node_type: get.str("node_type")?,
                replicas: get.spanned_int("replicas")?,
            },
            get.port("port")?,
        ),
        other => return Err(Fault::new(other, "cache kind", &component.origin)),
    };
    Ok(Cache {
        name: component.name.clone(),
        tier: tier_of(component)?,
        nodes,
        port,
        snapshots: get.int("snapshots")?,
        origin: component.origin.clone(),
    })
}

pub(super) fn mail(component: &Component) -> Lowering<Mail> {
    let get = Get::new(&component.fields, &component.origin);
    Ok(Mail {
        name: component.name.clone(),
        dkim: get.spanned_bool("dkim")?,
        dmarc: Spanned {
            value: get.choice("dmarc")?,
            origin: get.origin("dmarc"),
        },
        dmarc_reports: get.optional_str("dmarc_reports")?,
        mail_from: get.optional_str("mail_from")?,
        monthly_messages: get.int("monthly_messages")?,
        origin: component.origin.clone(),
    })
}

pub(super) fn connection(component: &Component) -> Lowering<PrivateConnection> {
    let get = Get::new(&component.fields, &component.origin);
    let kind = match component.kind.as_str() {
        "transit_gateway" => ConnectionKind::TransitGateway {
            gateway: get.str("gateway")?,
        },
        "vpc_peering" => ConnectionKind::VpcPeering {
            peer_vpc: get.str("peer_vpc")?,
            peer_account: get.optional_str("peer_account")?,
            peer_region: get.optional_str("peer_region")?,
        },
        "site_to_site_vpn" => ConnectionKind::SiteToSiteVpn {
            customer_gateway: get.str("customer_gateway")?,
        },
        _ => return Err(Fault::new("kind", "a connection kind", &component.origin)),
    };
    Ok(PrivateConnection {
        name: component.name.clone(),
        kind,
        cidrs: Spanned {
            value: get.cidrs("cidrs")?,
            origin: get.origin("cidrs"),
        },
        origin: component.origin.clone(),
    })
}

pub(super) fn stored_secret(component: &Component) -> Lowering<StoredSecret> {
    let get = Get::new(&component.fields, &component.origin);
    Ok(StoredSecret {
        name: component.name.clone(),
        secret_name: get.str("name")?,
        origin: component.origin.clone(),
    })
}

pub(super) fn queue(component: &Component) -> Lowering<Queue> {
    let get = Get::new(&component.fields, &component.origin);
    Ok(Queue {
        name: component.name.clone(),
        fifo: get.bool("fifo")?,
        visibility_timeout_seconds: get.spanned_duration("visibility_timeout")?,
        retention_seconds: get.spanned_duration("retention")?,
        max_receives: get.int("max_receives")?,
        dead_letter_retention_seconds: get.spanned_duration("dead_letter_retention")?,
        origin: component.origin.clone(),
    })
}

pub(super) fn database(component: &Component) -> Lowering<Database> {
    let get = Get::new(&component.fields, &component.origin);
    let engine = match component.kind.as_str() {
        "aurora_postgres" => "aurora-postgresql",
        other => return Err(Fault::new(other, "database engine", &component.origin)),
    };
    Ok(Database {
        name: component.name.clone(),
        tier: tier_of(component)?,
        engine: engine.into(),
        version: get.str("version")?,
        writers: get.int("writers")?,
        readers: get.int("readers")?,
        instance_class: get.str("instance_class")?,
        port: get.port("port")?,
        deletion_protection: get.spanned_bool("deletion_protection")?,
        encrypted: get.spanned_bool("encrypted")?,
        final_snapshot: get.spanned_bool("final_snapshot")?,
        backup_retention_seconds: get.spanned_duration("backup_retention")?,
        origin: component.origin.clone(),
    })
}

pub(super) fn bucket(component: &Component) -> Lowering<Bucket> {
    let get = Get::new(&component.fields, &component.origin);
    let (purpose, website) = match component.kind.as_str() {
        "s3_website" => (
            None,
            Some(Website {
                index_document: get.str("index_document")?,
                redirect_all_to: get.optional_str("redirect_all_to")?,
            }),
        ),
        _ => (Some(get.choice("purpose")?), None),
    };
    Ok(Bucket {
        name: component.name.clone(),
        purpose,
        versioning: get.bool("versioning")?,
        expire_after_seconds: get.optional_duration("expire_after")?.map(|seconds| Spanned {
            value: seconds,
            origin: get.origin("expire_after"),
        }),
        website,
        published_by: get.optional_str("published_by")?.map(|publisher| Spanned {
            value: publisher,
            origin: get.origin("published_by"),
        }),
        origin: component.origin.clone(),
    })
}

pub(super) fn alarm(component: &Component) -> Lowering<Alarm> {
    let get = Get::new(&component.fields, &component.origin);
    let (target, metric) = get.require("on", "metric", |v| match v {
        Val::Metric { component, metric } => Some((component.clone(), metric.clone())),
        _ => None,
    })?;
    let (threshold, threshold_unit) = get.require("above", "threshold", |v| match v {
        Val::Percent(p) => Some((i64::from(*p), ThresholdUnit::Percent)),
        Val::Int(n) => Some((*n, ThresholdUnit::Count)),
        Val::Duration(seconds) => Some((i64::try_from(*seconds).ok()?, ThresholdUnit::Seconds)),
        _ => None,
    })?;
    Ok(Alarm {
        name: component.name.clone(),
        component: target,
        metric,
        threshold,
        threshold_unit,
        period_seconds: get.spanned_duration("for")?,
        topic: get.str("notify")?,
        origin: component.origin.clone(),
    })
}
