//! Lowering: the model, once per environment, to the IR of what will exist in AWS.
//!
//! Per environment: apply the `env` overrides, allocate subnet CIDRs, choose the NAT and the
//! route tables, derive one security group per placed component and one rule per flow, and
//! resolve the edge, the load balancers and every component's values. Lowering runs only on a
//! workspace without front-end errors; what it still cannot place (subnets that do not fit the
//! VPC, an internet flow from a closed tier) it reports as `E2xxx` diagnostics.
//!
//! **Subnet allocation** is deterministic and stable as the design grows. Each tier gets an
//! aligned block with room for four zones of its subnet size (or the next power of two above
//! the zone count), in declaration order from the bottom of the VPC, so adding a zone or
//! appending a tier moves nothing. Public subnets (only for a NAT instance or zonal NAT
//! gateways) are `/28`s allocated from the top of the VPC. Explicit `cidrs` are honoured and
//! allocation steps around them. What remains is reported as spare space.
//!
//! **Incrementality.** What belongs to one file is lowered per file and environment:
//! `lower_file` (its components) and `lower_flows` (its flows, their ports and security-group
//! rules). `lower_env` assembles an environment from those pieces (shared, not copied: see
//! `ir::Pieces`) plus what needs the whole system: allocation, NAT, the edge, the load
//! balancers, the flows each edge route implies, rules deduplicated across files, and the
//! deploy checks. The per-file queries read the rest of the system only through small
//! firewall queries (`file_overrides`, `target_ports`, `tier_egress`, `fronted`, the symbol
//! table) that an ordinary edit leaves equal.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

use ipnet::Ipv4Net;
use rustc_hash::FxHashSet as HashSet;

use std::sync::Arc;

use crate::db::{Db, SourceFile, Workspace};
use crate::diagnostics::{Diagnostic, codes};
use crate::ir::*;
use crate::model::{Component, Fields, Model, Override, Setting, Val, file_model, model};
use crate::resolve::{SymbolTable, workspace_symbols};
use crate::span::Origin;

/// The IR of every environment, and what lowering could not place.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Lowered {
    pub ir: Ir,
    pub diagnostics: Vec<Diagnostic>,
}

/// Lowers every environment of the workspace's system.
#[salsa::tracked(returns(ref))]
pub fn lower(db: &dyn Db, workspace: Workspace) -> Lowered {
    let model = model(db, workspace);
    let mut lowered = Lowered {
        ir: Ir {
            system: model.system.clone(),
            doc: model.system_doc.clone(),
            domain: model
                .settings
                .get("domain")
                .and_then(|s| s.value.as_str())
                .map(str::to_owned),
            envs: Vec::new(),
        },
        diagnostics: Vec::new(),
    };
    for env in &model.envs {
        let env = lower_env(db, workspace, env.name.clone());
        lowered.ir.envs.extend(env.ir.iter().cloned());
        lowered.diagnostics.extend(env.diagnostics.iter().cloned());
    }
    lowered
}

/// One environment lowered, and what lowering could not place in it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct LoweredEnv {
    pub ir: Option<Arc<EnvIr>>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Lowers one environment (its own query, so that environments can be lowered on several
/// cores: see `check::prime`).
#[salsa::tracked(returns(ref))]
pub fn lower_env(db: &dyn Db, workspace: Workspace, env: String) -> LoweredEnv {
    let model = model(db, workspace);
    let Some(env) = model.envs.iter().find(|e| e.name == env) else {
        return LoweredEnv::default();
    };
    let mut lowerer = EnvLowerer {
        db,
        workspace,
        model,
        diagnostics: Vec::new(),
    };
    let ir = lowerer.env(env).map(Arc::new);
    LoweredEnv {
        ir,
        diagnostics: lowerer.diagnostics,
    }
}

/// A component or tier as one environment sees it.
type Resolved<'a> = Cow<'a, Component>;

/// The address size of public subnets (NAT instance, zonal NAT gateways): the smallest AWS allows.
const PUBLIC_SUBNET_PREFIX: u8 = 28;
const ANYWHERE: Ipv4Net = Ipv4Net::new_assert(std::net::Ipv4Addr::UNSPECIFIED, 0);

struct EnvLowerer<'a> {
    db: &'a dyn Db,
    workspace: Workspace,
    model: &'a Model,
    diagnostics: Vec<Diagnostic>,
}

/// What one file's components become in one environment: the per-component part of the IR
/// (everything but the edge, the load balancers, the flows and their rules, which need the
/// whole system). Memoized per file and environment, so an edit re-lowers one file; the IR
/// shares these pieces.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct FilePart {
    security_groups: Arc<[SecurityGroup]>,
    services: Arc<[Service]>,
    jobs: Arc<[Job]>,
    databases: Arc<[Database]>,
    buckets: Arc<[Bucket]>,
    topics: Arc<[Topic]>,
    alarms: Arc<[Alarm]>,
    renames: Arc<[Rename]>,
}

#[salsa::tracked(returns(ref))]
fn lower_file(db: &dyn Db, workspace: Workspace, file: SourceFile, env: String) -> FilePart {
    let part = file_model(db, workspace, file);
    let components = with_overrides(&part.components, file_overrides(db, workspace, file, env));
    let fronted = fronted(db, workspace);
    // The components of one category, as this environment sees them.
    let of = |category: &'static str| {
        components
            .iter()
            .filter(move |c| c.category == category)
            .map(AsRef::as_ref)
    };
    FilePart {
        security_groups: components
            .iter()
            .filter_map(|c| {
                Some(SecurityGroup {
                    name: c.name.clone(),
                    category: c.category.clone(),
                    tier: c.tier.clone()?,
                    origin: c.origin.clone(),
                })
            })
            .collect(),
        services: of("service")
            .map(|c| service(c, fronted.get(&c.name).cloned()))
            .collect(),
        jobs: of("job").map(job).collect(),
        databases: of("database").map(database).collect(),
        buckets: of("bucket").map(bucket).collect(),
        topics: of("topic")
            .map(|c| Topic {
                name: c.name.clone(),
                email: Get::new(&c.fields, &c.origin).strings("email"),
                origin: c.origin.clone(),
            })
            .collect(),
        alarms: of("alarm").filter_map(alarm).collect(),
        renames: renames(&components).collect(),
    }
}

/// The overrides of environment `env`. It re-runs after any edit, but its value changes only
/// when that environment's block does, so the per-file parts that read it stay memoized.
#[salsa::tracked(returns(ref))]
fn env_overrides(db: &dyn Db, workspace: Workspace, env: String) -> Vec<Override> {
    model(db, workspace)
        .envs
        .iter()
        .find(|e| e.name == env)
        .map(|e| e.overrides.clone())
        .unwrap_or_default()
}

/// The overrides of environment `env` that name a component of `file`: a firewall per file,
/// so that an edit to one override re-lowers only the file whose component it names.
#[salsa::tracked(returns(ref))]
fn file_overrides(db: &dyn Db, workspace: Workspace, file: SourceFile, env: String) -> Vec<Override> {
    let overrides = env_overrides(db, workspace, env);
    if overrides.is_empty() {
        return Vec::new();
    }
    let names: HashSet<&str> = file_model(db, workspace, file)
        .components
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    overrides
        .iter()
        .filter(|o| o.path.first().is_some_and(|name| names.contains(name.as_str())))
        .cloned()
        .collect()
}

/// For each component a load balancer sends traffic to, the first such load balancer (by
/// name: it changes only when such a flow is added or removed, whatever else moves).
#[salsa::tracked(returns(ref))]
fn fronted(db: &dyn Db, workspace: Workspace) -> BTreeMap<String, String> {
    let model = model(db, workspace);
    let balancers: BTreeSet<&str> = model
        .components()
        .filter(|c| c.category == "load_balancer")
        .map(|c| c.name.as_str())
        .collect();
    let mut fronted = BTreeMap::new();
    for flow in model.flows().filter(|f| balancers.contains(f.from.as_str())) {
        fronted
            .entry(flow.to.clone())
            .or_insert_with(|| flow.from.clone());
    }
    fronted
}

/// `was = "old"` of each item that has it.
fn renames<'a>(items: &'a [Resolved<'_>]) -> impl Iterator<Item = Rename> + 'a {
    items.iter().filter_map(|c| {
        let was = c.fields.get("was")?.value.as_str()?;
        Some(Rename {
            from: was.to_owned(),
            to: c.name.clone(),
        })
    })
}

/// Reads typed values out of resolved fields.
struct Get<'a> {
    fields: &'a Fields,
    fallback: &'a Origin,
}

impl<'a> Get<'a> {
    fn new(fields: &'a Fields, fallback: &'a Origin) -> Self {
        Self { fields, fallback }
    }
    fn setting(&self, name: &str) -> Option<&'a Setting> {
        self.fields.get(name)
    }
    fn origin(&self, name: &str) -> Origin {
        self.setting(name)
            .map_or_else(|| self.fallback.clone(), |s| s.origin.clone())
    }
    fn str(&self, name: &str) -> Option<String> {
        self.setting(name)
            .and_then(|s| s.value.as_str())
            .map(str::to_owned)
    }
    fn int(&self, name: &str) -> Option<i64> {
        self.setting(name).and_then(|s| s.value.as_int())
    }
    fn bool(&self, name: &str) -> Option<bool> {
        self.setting(name).and_then(|s| s.value.as_bool())
    }
    fn duration(&self, name: &str) -> Option<u64> {
        match self.setting(name).map(|s| &s.value) {
            Some(Val::Duration(seconds)) => Some(*seconds),
            _ => None,
        }
    }
    fn percent(&self, name: &str) -> Option<u8> {
        match self.setting(name).map(|s| &s.value) {
            Some(Val::Percent(p)) => Some(*p),
            _ => None,
        }
    }
    fn strings(&self, name: &str) -> Vec<String> {
        match self.setting(name).map(|s| &s.value) {
            Some(Val::List(items)) => items
                .iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect(),
            _ => Vec::new(),
        }
    }
    fn block(&self, name: &str) -> Option<&'a Fields> {
        self.setting(name).and_then(|s| s.value.as_block())
    }
    fn spanned_bool(&self, name: &str, default: bool) -> Spanned<bool> {
        Spanned {
            value: self.bool(name).unwrap_or(default),
            origin: self.origin(name),
        }
    }
    /// The first string argument of a call such as `ecr("webapp-api")`.
    fn call_arg(&self, name: &str) -> Option<(String, String)> {
        match self.setting(name).map(|s| &s.value) {
            Some(Val::Call { function, args }) => {
                let first = args.first().and_then(Val::as_str).unwrap_or_default().to_owned();
                Some((function.clone(), first))
            }
            _ => None,
        }
    }
}

impl EnvLowerer<'_> {
    fn env(&mut self, env: &crate::model::Env) -> Option<EnvIr> {
        let model = self.model;
        let settings = Get::new(&env.settings, &env.origin);
        let network_fields = model.network().cloned().unwrap_or_default();
        let system_origin = model.system_origin.clone().unwrap_or_else(|| env.origin.clone());
        let network = Get::new(&network_fields, &system_origin);
        let system = Get::new(&model.settings, &system_origin);

        let region = settings.str("region").or_else(|| system.str("region"))?;
        let stage = match settings.str("stage").as_deref() {
            Some("staging") => Stage::Staging,
            Some("development") => Stage::Development,
            _ => Stage::Production,
        };
        let (cidr, cidr_origin) = match settings.setting("cidr").map(|s| (&s.value, &s.origin)) {
            Some((Val::Cidr(net), origin)) => (*net, origin.clone()),
            _ => match network.setting("cidr").map(|s| (&s.value, &s.origin)) {
                Some((Val::Cidr(net), origin)) => (*net, origin.clone()),
                _ => return None,
            },
        };
        let (zone_suffixes, zones_origin) = if settings.setting("zones").is_some() {
            (settings.strings("zones"), settings.origin("zones"))
        } else {
            (network.strings("zones"), network.origin("zones"))
        };
        let zones: Vec<String> = zone_suffixes.iter().map(|z| format!("{region}{z}")).collect();

        // Only the edge, the load balancers and the edge's route targets are lowered here; every
        // other component is its file's (`lower_file`), every flow too (`lower_flows`).
        let route_targets: BTreeSet<&str> = model
            .components()
            .filter(|c| c.category == "edge")
            .flat_map(|c| c.routes.iter().map(|r| r.target.as_str()))
            .collect();
        let components = with_overrides(
            model.components().filter(|c| {
                matches!(c.category.as_str(), "edge" | "load_balancer")
                    || route_targets.contains(c.name.as_str())
            }),
            &env.overrides,
        );
        let tiers = with_overrides(&model.tiers, &env.overrides);
        let nat = self.nat(&settings);

        let mut allocator = Allocator::new(cidr);
        let tier_irs = self.allocate_tiers(&tiers, &zones, &mut allocator);
        let needs_public = !matches!(nat, Nat::Regional { .. });
        let public_subnets = if needs_public {
            let count = if matches!(nat, Nat::Zonal { .. }) {
                zones.len()
            } else {
                1
            };
            self.allocate_public(&zones, count, &mut allocator, nat.origin())
        } else {
            Vec::new()
        };
        let nat = match nat {
            Nat::Zonal { origin, .. } => Nat::Zonal {
                subnets: public_subnets.iter().map(|s| s.name.clone()).collect(),
                origin,
            },
            Nat::Instance {
                instance_type,
                origin,
                ..
            } => Nat::Instance {
                instance_type,
                subnet: public_subnets.first().map(|s| s.name.clone()).unwrap_or_default(),
                origin,
            },
            regional => regional,
        };
        let route_tables = route_tables(&tier_irs, &public_subnets, &nat);

        let edge = components
            .iter()
            .find(|c| c.category == "edge")
            .map(|c| self.edge(c, &components));
        let load_balancers: Vec<LoadBalancer> = components
            .iter()
            .filter(|c| c.category == "load_balancer")
            .map(|c| self.load_balancer(c, &region, system.str("domain")))
            .collect();

        let mut ir = EnvIr {
            name: env.name.clone(),
            stage: Spanned {
                value: stage,
                origin: settings.origin("stage"),
            },
            account: settings.str("account").unwrap_or_default(),
            region,
            origin: env.origin.clone(),
            vpc: Vpc {
                cidr: Spanned {
                    value: cidr,
                    origin: cidr_origin,
                },
                zones: Spanned {
                    value: zones,
                    origin: zones_origin,
                },
                connections: Spanned {
                    value: network.strings("connections"),
                    origin: network.origin("connections"),
                },
                egress: Spanned {
                    value: network.str("egress").unwrap_or_else(|| "internet_only".into()),
                    origin: network.origin("egress"),
                },
            },
            spare: allocator.free_blocks(),
            tiers: tier_irs,
            public_subnets,
            internet_gateway: true,
            nat,
            route_tables,
            security_groups: Pieces::default(),
            ingress_rules: Pieces::default(),
            egress_rules: Pieces::default(),
            edge,
            services: Pieces::default(),
            load_balancers,
            jobs: Pieces::default(),
            databases: Pieces::default(),
            buckets: Pieces::default(),
            topics: Pieces::default(),
            alarms: Pieces::default(),
            flows: Pieces::default(),
            renames: Pieces::default(),
        };
        // Each file's components and flows, as lowered (and memoized) per file.
        let mut rules = Vec::new();
        for &file in self.workspace.files(self.db) {
            let part = lower_file(self.db, self.workspace, file, env.name.clone());
            ir.security_groups.push(Arc::clone(&part.security_groups));
            ir.services.push(Arc::clone(&part.services));
            ir.jobs.push(Arc::clone(&part.jobs));
            ir.databases.push(Arc::clone(&part.databases));
            ir.buckets.push(Arc::clone(&part.buckets));
            ir.topics.push(Arc::clone(&part.topics));
            ir.alarms.push(Arc::clone(&part.alarms));
            ir.renames.push(Arc::clone(&part.renames));
            let flows = lower_flows(self.db, self.workspace, file, env.name.clone());
            ir.flows.push(Arc::clone(&flows.flows));
            rules.push((Arc::clone(&flows.ingress), Arc::clone(&flows.egress)));
            self.diagnostics.extend(flows.diagnostics.iter().cloned());
        }
        // The flows the edge's routes imply, after the written ones.
        let implied = implied_flows(ir.edge.as_ref(), &ir.load_balancers, &ir.flows);
        let (ingress, egress) = sg_rules(&implied, workspace_symbols(self.db, self.workspace));
        rules.push((ingress.into(), egress.into()));
        ir.flows.push(implied.into());
        // A rule that an earlier flow already made (same group, peer and port) is not made twice.
        let mut seen = HashSet::default();
        for (ingress, egress) in &rules {
            ir.ingress_rules.push(first_rules(ingress, true, &mut seen));
            ir.egress_rules.push(first_rules(egress, false, &mut seen));
        }
        ir.renames.push(renames(&tiers).collect());
        self.deployable(&ir);
        Some(ir)
    }

    fn nat(&self, settings: &Get<'_>) -> Nat {
        let origin = settings.origin("nat");
        match settings.setting("nat").map(|s| &s.value) {
            Some(Val::Name(mode)) if mode == "zonal" => Nat::Zonal {
                subnets: Vec::new(),
                origin,
            },
            Some(Val::Call { args, .. }) => Nat::Instance {
                instance_type: args
                    .first()
                    .and_then(Val::as_str)
                    .unwrap_or("t3.micro")
                    .to_owned(),
                subnet: String::new(),
                origin,
            },
            _ => Nat::Regional { origin },
        }
    }

    fn allocate_tiers(
        &mut self,
        tiers: &[Resolved<'_>],
        zones: &[String],
        allocator: &mut Allocator,
    ) -> Vec<Tier> {
        // Explicit CIDRs first, so automatic allocation steps around them.
        for tier in tiers {
            if let Some(Val::List(cidrs)) = tier.fields.get("cidrs").map(|s| &s.value) {
                for cidr in cidrs {
                    if let Val::Cidr(net) = cidr {
                        allocator.reserve(*net);
                    }
                }
            }
        }
        let mut out = Vec::new();
        for tier in tiers {
            let get = Get::new(&tier.fields, &tier.origin);
            let egress = egress_of(&get);
            let explicit: Vec<Ipv4Net> = match get.setting("cidrs").map(|s| &s.value) {
                Some(Val::List(items)) => items
                    .iter()
                    .filter_map(|v| match v {
                        Val::Cidr(net) => Some(*net),
                        _ => None,
                    })
                    .collect(),
                _ => Vec::new(),
            };
            let (block, subnets, cidrs_origin) = if explicit.is_empty() {
                let prefix = match get.setting("subnet").map(|s| &s.value) {
                    Some(Val::Prefix(p)) => *p,
                    _ => 24,
                };
                let slots = zones.len().max(4).next_power_of_two();
                let block = allocator.allocate(prefix, slots, Direction::FromBottom);
                if block.is_none() {
                    self.diagnostics.push(
                        Diagnostic::error(
                            codes::SUBNETS_DO_NOT_FIT,
                            get.origin("subnet").file,
                            get.origin("subnet").span,
                            format!(
                                "tier `{}` needs {} subnets of /{prefix}, and they do not fit in the VPC {} beside the tiers before it",
                                tier.name,
                                zones.len(),
                                allocator.vpc
                            ),
                        )
                        .with_help("use a larger VPC CIDR, smaller subnets, or fewer tiers or zones"),
                    );
                }
                let subnets = block
                    .map(|b| subnets_of(b, prefix, zones, &tier.name))
                    .unwrap_or_default();
                (block, subnets, get.origin("subnet"))
            } else {
                let subnets = zones
                    .iter()
                    .zip(&explicit)
                    .map(|(zone, cidr)| Subnet {
                        name: subnet_name(&tier.name, zone),
                        zone: zone.clone(),
                        cidr: *cidr,
                    })
                    .collect();
                (None, subnets, get.origin("cidrs"))
            };
            out.push(Tier {
                name: tier.name.clone(),
                egress,
                block,
                subnets,
                explicit: !explicit.is_empty(),
                origin: tier.origin.clone(),
                cidrs_origin,
            });
        }
        out
    }

    fn allocate_public(
        &mut self,
        zones: &[String],
        count: usize,
        allocator: &mut Allocator,
        origin: &Origin,
    ) -> Vec<Subnet> {
        let Some(block) = allocator.allocate(
            PUBLIC_SUBNET_PREFIX,
            zones.len().max(4).next_power_of_two(),
            Direction::FromTop,
        ) else {
            self.diagnostics.push(
                Diagnostic::error(
                    codes::SUBNETS_DO_NOT_FIT,
                    origin.file,
                    origin.span.clone(),
                    format!(
                        "no room is left in the VPC {} for the public subnet this NAT needs",
                        allocator.vpc
                    ),
                )
                .with_help("use a larger VPC CIDR, or smaller tier subnets"),
            );
            return Vec::new();
        };
        let zones: Vec<String> = zones.iter().take(count).cloned().collect();
        subnets_of(block, PUBLIC_SUBNET_PREFIX, &zones, "public")
    }

    fn edge(&self, component: &Component, components: &[Resolved<'_>]) -> Edge {
        let get = Get::new(&component.fields, &component.origin);
        let mut origins: Vec<EdgeOrigin> = Vec::new();
        let mut behaviours = Vec::new();
        for route in &component.routes {
            let target = components.iter().find(|c| c.name == route.target);
            let target_kind = match target.map(|t| t.kind.as_str()) {
                Some("s3_website") => EdgeOriginKind::S3Website,
                Some("s3") => EdgeOriginKind::S3,
                _ => EdgeOriginKind::VpcOrigin,
            };
            if !origins.iter().any(|o| o.name == route.target) {
                origins.push(EdgeOrigin {
                    name: route.target.clone(),
                    kind: target_kind.clone(),
                });
            }
            let route_get = Get::new(&route.fields, &route.origin);
            let cache = match route_get.str("cache").as_deref() {
                Some("optimized") => "Managed-CachingOptimized",
                _ => "Managed-CachingDisabled",
            };
            let forward = match route_get.str("forward").as_deref() {
                Some("all_viewer") => Some("Managed-AllViewer".to_owned()),
                Some("cors_s3") => Some("Managed-CORS-S3Origin".to_owned()),
                _ => None,
            };
            behaviours.push(Behaviour {
                pattern: route.pattern.clone(),
                target: route.target.clone(),
                target_kind,
                target_purpose: target.and_then(|t| match t.kind.as_str() {
                    "s3_website" => Some("website".to_owned()),
                    _ => Get::new(&t.fields, &t.origin).str("purpose"),
                }),
                cache_policy: Spanned {
                    value: cache.to_owned(),
                    origin: route_get.origin("cache"),
                },
                origin_request_policy: Spanned {
                    value: forward,
                    origin: route_get.origin("forward"),
                },
                origin: route.origin.clone(),
            });
        }
        Edge {
            name: component.name.clone(),
            certificate: certificate(&get, "us-east-1", None),
            headers: get.str("headers").unwrap_or_else(|| "security_headers".into()),
            price_class: get.str("price_class").unwrap_or_else(|| "all".into()),
            access_logs: get.str("access_logs").map(|bucket| Spanned {
                value: bucket,
                origin: get.origin("access_logs"),
            }),
            origins,
            behaviours,
            origin: component.origin.clone(),
        }
    }

    fn load_balancer(&self, component: &Component, region: &str, domain: Option<String>) -> LoadBalancer {
        let get = Get::new(&component.fields, &component.origin);
        LoadBalancer {
            name: component.name.clone(),
            tier: component.tier.clone().unwrap_or_default(),
            internal: get.spanned_bool("internal", true),
            listen: port(get.int("listen").unwrap_or(443)),
            certificate: certificate(&get, region, domain),
            access_logs: get.str("access_logs").map(|bucket| Spanned {
                value: bucket,
                origin: get.origin("access_logs"),
            }),
            health_check: get.str("health_check").unwrap_or_else(|| "/health".into()),
            idle_timeout_seconds: get.duration("idle_timeout").unwrap_or(60),
            origin: component.origin.clone(),
        }
    }

    /// What the deploy side needs to make sense: a service port that some flow uses, and a
    /// migration only where the service has a database to migrate.
    fn deployable(&mut self, ir: &EnvIr) {
        // Indexes, not scans: a workspace has thousands of services and flows.
        let reached: HashSet<(&str, u16)> = ir.flows.iter().map(|f| (f.to.as_str(), f.port)).collect();
        let databases: HashSet<&str> = ir.databases.iter().map(|d| d.name.as_str()).collect();
        let with_database: HashSet<&str> = ir
            .flows
            .iter()
            .filter(|f| databases.contains(f.to.as_str()))
            .map(|f| f.from.as_str())
            .collect();
        for service in &ir.services {
            let port = service.port.value;
            if !reached.contains(&(service.name.as_str(), port)) {
                let origin = &service.port.origin;
                self.diagnostics.push(
                    Diagnostic {
                        severity: crate::diagnostics::Severity::Warning,
                        ..Diagnostic::error(
                            codes::PORT_UNUSED,
                            origin.file,
                            origin.span.clone(),
                            format!("no flow reaches `{}` on its port {port}", service.name),
                        )
                    }
                    .with_help(format!(
                        "add the flow that calls it, e.g. `flow alb -> {} : tcp({port})`, or change the port to the one its callers use",
                        service.name
                    )),
                );
            }
            if !service.migrate.value.is_empty() && !with_database.contains(service.name.as_str()) {
                let origin = &service.migrate.origin;
                self.diagnostics.push(
                    Diagnostic::error(
                        codes::MIGRATION_WITHOUT_DATABASE,
                        origin.file,
                        origin.span.clone(),
                        format!("`{}` runs a migration but has no flow to a database", service.name),
                    )
                    .with_help(format!(
                        "add the flow to the database it migrates, e.g. `flow {} -> main : postgres`, or remove `migrate`",
                        service.name
                    )),
                );
            }
        }
    }
}

/// The flow each edge route to a load balancer implies, unless a written flow says it already.
fn implied_flows(
    edge: Option<&Edge>,
    load_balancers: &[LoadBalancer],
    written: &Pieces<FlowIr>,
) -> Vec<FlowIr> {
    let mut implied: Vec<FlowIr> = Vec::new();
    let Some(edge) = edge else {
        return implied;
    };
    for behaviour in &edge.behaviours {
        let Some(lb) = load_balancers.iter().find(|lb| lb.name == behaviour.target) else {
            continue;
        };
        let said = |f: &FlowIr| f.from == edge.name && f.to == lb.name;
        if !written.iter().any(said) && !implied.iter().any(said) {
            implied.push(FlowIr {
                from: edge.name.clone(),
                to: lb.name.clone(),
                protocol: "https".into(),
                port: lb.listen,
                implied: true,
                origin: behaviour.origin.clone(),
            });
        }
    }
    implied
}

/// What one file's flows become in one environment: the flows with their ports, the
/// security-group rules they make (each once), and what cannot be routed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct FileFlows {
    flows: Arc<[FlowIr]>,
    ingress: Arc<[SgRule]>,
    egress: Arc<[SgRule]>,
    diagnostics: Vec<Diagnostic>,
}

/// Lowers the flows written in one file, in one environment. Memoized per file: it reads the
/// symbol table and two small firewalls (the ports of load balancers and databases, the tiers'
/// egress), none of which an ordinary edit changes.
#[salsa::tracked(returns(ref))]
fn lower_flows(db: &dyn Db, workspace: Workspace, file: SourceFile, env: String) -> FileFlows {
    let ports = target_ports(db, workspace, env.clone());
    let flows: Vec<FlowIr> = file_model(db, workspace, file)
        .flows
        .iter()
        .map(|flow| {
            let (protocol, port) = protocol_port(&flow.protocol, ports.get(&flow.to));
            FlowIr {
                from: flow.from.clone(),
                to: flow.to.clone(),
                protocol,
                port,
                implied: false,
                origin: flow.origin.clone(),
            }
        })
        .collect();
    let symbols = workspace_symbols(db, workspace);
    let (ingress, egress) = sg_rules(&flows, symbols);
    let diagnostics = unroutable(&flows, symbols, tier_egress(db, workspace, env));
    FileFlows {
        flows: flows.into(),
        ingress: ingress.into(),
        egress: egress.into(),
        diagnostics,
    }
}

/// A flow to the internet needs a default route from its tier (databases are R005's).
fn unroutable(
    flows: &[FlowIr],
    symbols: &SymbolTable,
    tiers: &BTreeMap<String, Spanned<TierEgress>>,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for flow in flows.iter().filter(|f| f.to == crate::resolve::INTERNET) {
        let Some(component) = symbols.component(&flow.from) else {
            continue;
        };
        if component.category == "database" {
            continue;
        }
        let Some((tier, egress)) = component.tier.as_ref().and_then(|t| tiers.get_key_value(t)) else {
            continue;
        };
        if egress.value == TierEgress::None {
            out.push(
                Diagnostic::error(
                    codes::NO_ROUTE_TO_INTERNET,
                    flow.origin.file,
                    flow.origin.span.clone(),
                    format!(
                        "`{}` flows to the internet, but its tier `{tier}` has no route out",
                        flow.from
                    ),
                )
                .with_label(
                    egress.origin.file,
                    egress.origin.span.clone(),
                    "no default route here",
                )
                .with_help(format!(
                    "give tier `{tier}` `egress = nat`, or place `{}` in a tier that has it",
                    flow.from
                )),
            );
        }
    }
    out
}

/// The port a flow to a load balancer (`https`: its listener) or to a database (`postgres`,
/// `mysql`: its `port`) resolves to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct TargetPort {
    category: String,
    port: Option<u16>,
}

/// The ports of the load balancers and databases in one environment, by name: a few entries,
/// and a firewall (it changes only when one of those ports does).
#[salsa::tracked(returns(ref))]
fn target_ports(db: &dyn Db, workspace: Workspace, env: String) -> BTreeMap<String, TargetPort> {
    let model = model(db, workspace);
    let targets = model
        .components()
        .filter(|c| matches!(c.category.as_str(), "load_balancer" | "database"));
    with_overrides(targets, env_overrides(db, workspace, env))
        .iter()
        .map(|c| {
            let get = Get::new(&c.fields, &c.origin);
            let port = match c.category.as_str() {
                "load_balancer" => Some(port(get.int("listen").unwrap_or(443))),
                _ => get.int("port").map(port),
            };
            (
                c.name.clone(),
                TargetPort {
                    category: c.category.clone(),
                    port,
                },
            )
        })
        .collect()
}

/// Each tier's egress in one environment (a firewall, like `target_ports`).
#[salsa::tracked(returns(ref))]
fn tier_egress(db: &dyn Db, workspace: Workspace, env: String) -> BTreeMap<String, Spanned<TierEgress>> {
    with_overrides(&model(db, workspace).tiers, env_overrides(db, workspace, env))
        .iter()
        .map(|tier| {
            (
                tier.name.clone(),
                egress_of(&Get::new(&tier.fields, &tier.origin)),
            )
        })
        .collect()
}

/// A tier's route out: through the NAT, or none.
fn egress_of(tier: &Get<'_>) -> Spanned<TierEgress> {
    Spanned {
        value: if tier.str("egress").as_deref() == Some("nat") {
            TierEgress::Nat
        } else {
            TierEgress::None
        },
        origin: tier.origin("egress"),
    }
}

/// The rules of `rules` that no earlier piece made, sharing the piece when that is all of them.
fn first_rules<'a>(
    rules: &'a Arc<[SgRule]>,
    ingress: bool,
    seen: &mut HashSet<(bool, &'a str, &'a Peer, u16)>,
) -> Arc<[SgRule]> {
    let first: Vec<bool> = rules
        .iter()
        .map(|rule| seen.insert((ingress, rule.group.as_str(), &rule.peer, rule.port)))
        .collect();
    if first.iter().all(|&f| f) {
        return Arc::clone(rules);
    }
    rules
        .iter()
        .zip(first)
        .filter(|(_, first)| *first)
        .map(|(rule, _)| rule.clone())
        .collect()
}

/// The items with an environment's overrides applied; only overridden items are copied.
fn with_overrides<'a>(
    items: impl IntoIterator<Item = &'a Component>,
    overrides: &[Override],
) -> Vec<Resolved<'a>> {
    let overridden: BTreeSet<&str> = overrides
        .iter()
        .filter_map(|o| o.path.first())
        .map(String::as_str)
        .collect();
    items
        .into_iter()
        .map(|item| {
            if !overridden.contains(item.name.as_str()) {
                return Cow::Borrowed(item);
            }
            let mut item = item.clone();
            for o in overrides.iter().filter(|o| o.path.first() == Some(&item.name)) {
                set_path(&mut item.fields, o.path.get(1..).unwrap_or_default(), o);
            }
            Cow::Owned(item)
        })
        .collect()
}

fn set_path(fields: &mut Fields, path: &[String], item: &crate::model::Override) {
    match path {
        [] => {}
        [last] => {
            fields.insert(
                last.clone(),
                Setting {
                    value: item.value.clone(),
                    origin: item.origin.clone(),
                    written: true,
                },
            );
        }
        [head, rest @ ..] => {
            let entry = fields.entry(head.clone()).or_insert_with(|| Setting {
                value: Val::Block(Fields::new()),
                origin: item.origin.clone(),
                written: true,
            });
            if let Val::Block(inner) = &mut entry.value {
                set_path(inner, rest, item);
            }
        }
    }
}

fn certificate(get: &Get<'_>, region: &str, domain: Option<String>) -> Certificate {
    let origin = get.origin("certificate");
    match get.call_arg("certificate") {
        Some((function, arn)) if function == "certificate_arn" => Certificate {
            domain: None,
            region: arn.split(':').nth(3).unwrap_or_default().to_owned(),
            arn: Some(arn),
            origin,
        },
        Some((_, domain)) => Certificate {
            domain: Some(domain),
            arn: None,
            region: region.to_owned(),
            origin,
        },
        None => Certificate {
            domain,
            arn: None,
            region: region.to_owned(),
            origin,
        },
    }
}

/// The protocol's name and port of a flow: named protocols have their well-known ports
/// (`https` to a load balancer uses its listener, `postgres` to a database uses its port).
fn protocol_port(protocol: &Val, target: Option<&TargetPort>) -> (String, u16) {
    match protocol {
        Val::Call { args, .. } => ("tcp".into(), args.first().and_then(Val::as_int).map_or(0, port)),
        Val::Name(name) => {
            let well_known = match name.as_str() {
                "https" => 443,
                "http" => 80,
                "postgres" => 5432,
                "mysql" => 3306,
                "redis" => 6379,
                _ => 0,
            };
            let target_port = match (name.as_str(), target) {
                ("https", Some(t)) if t.category == "load_balancer" => t.port,
                ("postgres" | "mysql", Some(t)) if t.category == "database" => t.port,
                _ => None,
            };
            (name.clone(), target_port.unwrap_or(well_known))
        }
        _ => (String::new(), 0),
    }
}

fn port(value: i64) -> u16 {
    u16::try_from(value).unwrap_or(0)
}

/// One ingress rule on the target and one egress rule on the source per flow between groups
/// (placed components); the edge enters through CloudFront's prefix list; `internet` is
/// `0.0.0.0/0`. A rule an earlier flow made already is not made twice.
fn sg_rules(flows: &[FlowIr], symbols: &SymbolTable) -> (Vec<SgRule>, Vec<SgRule>) {
    let is_group = |name: &str| symbols.component(name).is_some_and(|c| c.tier.is_some());
    let is_edge = |name: &str| symbols.component(name).is_some_and(|c| c.category == "edge");
    let internet = crate::resolve::INTERNET;
    let mut ingress: Vec<SgRule> = Vec::new();
    let mut egress: Vec<SgRule> = Vec::new();
    let mut seen: HashSet<(bool, &str, PeerKey<'_>, u16)> = HashSet::default();
    for flow in flows {
        let (from, to) = (flow.from.as_str(), flow.to.as_str());
        let ingress_peer = if !is_group(to) {
            None
        } else if from == internet {
            Some(PeerKey::Anywhere)
        } else if is_edge(from) {
            Some(PeerKey::CloudFront)
        } else if is_group(from) {
            Some(PeerKey::Group(from))
        } else {
            None
        };
        let egress_peer = if !is_group(from) {
            None
        } else if to == internet {
            Some(PeerKey::Anywhere)
        } else if is_group(to) {
            Some(PeerKey::Group(to))
        } else {
            None
        };
        let rule = |group: &str, peer: PeerKey<'_>| SgRule {
            group: group.to_owned(),
            peer: peer.peer(),
            port: flow.port,
            description: format!("{} from {from} to {to}", flow.protocol),
            origin: flow.origin.clone(),
        };
        if let Some(peer) = ingress_peer
            && seen.insert((true, to, peer, flow.port))
        {
            ingress.push(rule(to, peer));
        }
        if let Some(peer) = egress_peer
            && seen.insert((false, from, peer, flow.port))
        {
            egress.push(rule(from, peer));
        }
    }
    (ingress, egress)
}

/// A rule's peer, borrowed, for telling rules apart without building them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum PeerKey<'a> {
    Anywhere,
    CloudFront,
    Group(&'a str),
}

impl PeerKey<'_> {
    fn peer(self) -> Peer {
        match self {
            PeerKey::Anywhere => Peer::Cidr(ANYWHERE),
            PeerKey::CloudFront => Peer::PrefixList(CLOUDFRONT_PREFIX_LIST.to_owned()),
            PeerKey::Group(name) => Peer::SecurityGroup(name.to_owned()),
        }
    }
}

fn route_tables(tiers: &[Tier], public: &[Subnet], nat: &Nat) -> Vec<RouteTable> {
    let default_route = |target| RouteEntry {
        destination: ANYWHERE,
        target,
    };
    let mut tables = Vec::new();
    for tier in tiers {
        let names = |subnets: &[Subnet]| subnets.iter().map(|s| s.name.clone()).collect::<Vec<_>>();
        match (tier.egress.value, nat) {
            (TierEgress::None, _) => tables.push(RouteTable {
                name: tier.name.clone(),
                subnets: names(&tier.subnets),
                routes: Vec::new(),
            }),
            (TierEgress::Nat, Nat::Regional { .. }) => tables.push(RouteTable {
                name: tier.name.clone(),
                subnets: names(&tier.subnets),
                routes: vec![default_route(RouteTarget::RegionalNatGateway)],
            }),
            (TierEgress::Nat, Nat::Instance { .. }) => tables.push(RouteTable {
                name: tier.name.clone(),
                subnets: names(&tier.subnets),
                routes: vec![default_route(RouteTarget::NatInstance)],
            }),
            (TierEgress::Nat, Nat::Zonal { .. }) => {
                // One table per zone: each zone's subnets leave through that zone's gateway.
                for subnet in &tier.subnets {
                    let gateway = public
                        .iter()
                        .find(|p| p.zone == subnet.zone)
                        .map_or_else(String::new, |p| p.name.clone());
                    tables.push(RouteTable {
                        name: subnet.name.clone(),
                        subnets: vec![subnet.name.clone()],
                        routes: vec![default_route(RouteTarget::ZonalNatGateway(gateway))],
                    });
                }
            }
        }
    }
    if !public.is_empty() {
        tables.push(RouteTable {
            name: "public".into(),
            subnets: public.iter().map(|s| s.name.clone()).collect(),
            routes: vec![default_route(RouteTarget::InternetGateway)],
        });
    }
    tables
}

fn subnet_name(tier: &str, zone: &str) -> String {
    format!("{tier}-{}", zone.chars().last().unwrap_or('x'))
}

fn subnets_of(block: Ipv4Net, prefix: u8, zones: &[String], tier: &str) -> Vec<Subnet> {
    let Ok(subnets) = block.subnets(prefix) else {
        return Vec::new();
    };
    zones
        .iter()
        .zip(subnets)
        .map(|(zone, cidr)| Subnet {
            name: subnet_name(tier, zone),
            zone: zone.clone(),
            cidr,
        })
        .collect()
}

fn secrets_and_environment(get: &Get<'_>) -> (Vec<Secret>, Vec<EnvVar>) {
    let secrets = get
        .block("secret")
        .map(|fields| {
            fields
                .iter()
                .filter_map(|(variable, setting)| match &setting.value {
                    Val::Call { args, .. } => Some(Secret {
                        variable: variable.clone(),
                        secret_name: args.first().and_then(Val::as_str).unwrap_or_default().to_owned(),
                    }),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default();
    let environment = get
        .block("environment")
        .map(|fields| {
            fields
                .iter()
                .map(|(name, setting)| EnvVar {
                    name: name.clone(),
                    value: setting.value.as_str().unwrap_or_default().to_owned(),
                    origin: setting.origin.clone(),
                })
                .collect()
        })
        .unwrap_or_default();
    (secrets, environment)
}

fn service(component: &Component, load_balancer: Option<String>) -> Service {
    let get = Get::new(&component.fields, &component.origin);
    let empty = Fields::new();
    let scale_origin = get.origin("scale");
    let scale = Get::new(get.block("scale").unwrap_or(&empty), &scale_origin);
    let (secrets, environment) = secrets_and_environment(&get);
    Service {
        name: component.name.clone(),
        tier: component.tier.clone().unwrap_or_default(),
        image: get.call_arg("image").map(|(_, repo)| repo).unwrap_or_default(),
        port: Spanned {
            value: port(get.int("port").unwrap_or(0)),
            origin: get.origin("port"),
        },
        cpu: get.int("cpu").unwrap_or(256),
        memory: get.int("memory").unwrap_or(512),
        scale: Scaling {
            min: Spanned {
                value: scale.int("min").unwrap_or(1),
                origin: scale.origin("min"),
            },
            max: Spanned {
                value: scale.int("max").unwrap_or(1),
                origin: scale.origin("max"),
            },
            cpu_target: scale.percent("cpu"),
            memory_target: scale.percent("memory"),
            scale_out_cooldown_seconds: Spanned {
                value: scale.duration("out").unwrap_or(60),
                origin: scale.origin("out"),
            },
            scale_in_cooldown_seconds: Spanned {
                value: scale.duration("in").unwrap_or(300),
                origin: scale.origin("in"),
            },
        },
        secrets,
        environment,
        migrate: Spanned {
            value: get.strings("migrate"),
            origin: get.origin("migrate"),
        },
        command: get.strings("command"),
        health_check: get.str("health_check"),
        public_ip: get.spanned_bool("public_ip", false),
        load_balancer,
        origin: component.origin.clone(),
    }
}

fn job(component: &Component) -> Job {
    let get = Get::new(&component.fields, &component.origin);
    let (secrets, environment) = secrets_and_environment(&get);
    let schedule = match get.setting("schedule").map(|s| &s.value) {
        Some(Val::Call { function, args }) if function == "cron" => {
            format!("cron({})", args.first().and_then(Val::as_str).unwrap_or_default())
        }
        Some(Val::Call { args, .. }) => match args.first() {
            Some(Val::Duration(seconds)) => rate(*seconds),
            _ => String::new(),
        },
        _ => String::new(),
    };
    Job {
        name: component.name.clone(),
        tier: component.tier.clone().unwrap_or_default(),
        image: get.call_arg("image").map(|(_, repo)| repo).unwrap_or_default(),
        schedule,
        command: get.strings("command"),
        cpu: get.int("cpu").unwrap_or(256),
        memory: get.int("memory").unwrap_or(512),
        secrets,
        environment,
        public_ip: get.spanned_bool("public_ip", false),
        origin: component.origin.clone(),
    }
}

/// EventBridge Scheduler's `rate(…)` in the largest whole unit.
fn rate(seconds: u64) -> String {
    let (amount, unit) = if seconds.is_multiple_of(86_400) {
        (seconds / 86_400, "day")
    } else if seconds.is_multiple_of(3_600) {
        (seconds / 3_600, "hour")
    } else {
        (seconds.div_ceil(60).max(1), "minute")
    };
    let plural = if amount == 1 { "" } else { "s" };
    format!("rate({amount} {unit}{plural})")
}

fn database(component: &Component) -> Database {
    let get = Get::new(&component.fields, &component.origin);
    Database {
        name: component.name.clone(),
        tier: component.tier.clone().unwrap_or_default(),
        engine: "aurora-postgresql".into(),
        version: get.str("version").unwrap_or_default(),
        writers: get.int("writers").unwrap_or(1),
        readers: get.int("readers").unwrap_or(0),
        instance_class: get.str("instance_class").unwrap_or_default(),
        port: port(get.int("port").unwrap_or(5432)),
        deletion_protection: get.spanned_bool("deletion_protection", true),
        encrypted: get.spanned_bool("encrypted", true),
        final_snapshot: get.spanned_bool("final_snapshot", true),
        backup_retention_days: get.duration("backup_retention").unwrap_or(7 * 86_400) / 86_400,
        origin: component.origin.clone(),
    }
}

fn bucket(component: &Component) -> Bucket {
    let get = Get::new(&component.fields, &component.origin);
    let website = (component.kind == "s3_website").then(|| Website {
        index_document: get.str("index_document").unwrap_or_else(|| "index.html".into()),
        redirect_all_to: get.str("redirect_all_to"),
    });
    Bucket {
        name: component.name.clone(),
        purpose: get.str("purpose").unwrap_or_else(|| "website".into()),
        versioning: get.bool("versioning").unwrap_or(true),
        expire_after_days: get.duration("expire_after").map(|s| s / 86_400),
        website,
        origin: component.origin.clone(),
    }
}

fn alarm(component: &Component) -> Option<Alarm> {
    let get = Get::new(&component.fields, &component.origin);
    let Some(Val::Metric {
        component: target,
        metric,
    }) = get.setting("on").map(|s| &s.value)
    else {
        return None;
    };
    let (threshold, threshold_is_percent) = match get.setting("above").map(|s| &s.value) {
        Some(Val::Percent(p)) => (i64::from(*p), true),
        Some(Val::Int(n)) => (*n, false),
        _ => (0, false),
    };
    Some(Alarm {
        name: component.name.clone(),
        component: target.clone(),
        metric: metric.clone(),
        threshold,
        threshold_is_percent,
        period_seconds: get.duration("for").unwrap_or(300),
        topic: get.str("notify").unwrap_or_default(),
        origin: component.origin.clone(),
    })
}

#[derive(Clone, Copy)]
enum Direction {
    FromBottom,
    FromTop,
}

/// Hands out aligned blocks of a VPC, avoiding what is already taken.
struct Allocator {
    vpc: Ipv4Net,
    used: Vec<Ipv4Net>,
}

impl Allocator {
    fn new(vpc: Ipv4Net) -> Self {
        Self {
            vpc,
            used: Vec::new(),
        }
    }

    /// Marks a block as taken (explicit CIDRs).
    fn reserve(&mut self, net: Ipv4Net) {
        self.used.push(net);
    }

    fn allocate(&mut self, prefix: u8, slots: usize, direction: Direction) -> Option<Ipv4Net> {
        let extra = u8::try_from(slots.trailing_zeros()).ok()?;
        let block_prefix = prefix.checked_sub(extra)?;
        if block_prefix < self.vpc.prefix_len() {
            return None;
        }
        let candidates = self.vpc.subnets(block_prefix).ok()?;
        let free = |net: &Ipv4Net| !self.used.iter().any(|u| u.contains(net) || net.contains(u));
        let found = match direction {
            Direction::FromBottom => candidates.into_iter().find(free),
            Direction::FromTop => candidates.into_iter().filter(free).last(),
        }?;
        self.used.push(found);
        Some(found)
    }

    /// What is left, as the fewest aligned blocks.
    fn free_blocks(&self) -> Vec<Ipv4Net> {
        let mut free = vec![self.vpc];
        for used in &self.used {
            free = free
                .into_iter()
                .flat_map(|block| subtract(block, *used))
                .collect();
        }
        Ipv4Net::aggregate(&free)
    }
}

/// `block` minus `taken`, as aligned blocks.
fn subtract(block: Ipv4Net, taken: Ipv4Net) -> Vec<Ipv4Net> {
    if taken.contains(&block) {
        return Vec::new();
    }
    if !block.contains(&taken) {
        return vec![block];
    }
    let Ok(halves) = block.subnets(block.prefix_len().saturating_add(1)) else {
        return vec![block];
    };
    halves.flat_map(|half| subtract(half, taken)).collect()
}
