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
//! **Layout.** This module assembles an environment (`lower_env`) and owns the per-file
//! queries; `read` reads the model's typed values (a missing guaranteed value is a `Fault`, an
//! `E2999`, never a guess), `allocation` places subnets and routes, `flows` turns flows into
//! ports and security-group rules, `edge` lowers CloudFront and the load balancers, and
//! `components` the services, jobs, databases, buckets and alarms.
//!
//! **Incrementality.** What belongs to one file is lowered per file and environment:
//! `lower_file` (its components) and `lower_flows` (its flows, their ports and security-group
//! rules). `lower_env` assembles an environment from those pieces (shared, not copied: see
//! `ir::Pieces`) plus what needs the whole system: allocation, NAT, the edge, the load
//! balancers, the flows each edge route implies, rules deduplicated across files, and the
//! deploy checks. The per-file queries read the rest of the system only through small
//! firewall queries (`file_overrides`, `target_ports`, `tier_egress`, `fronted`, the symbol
//! table) that an ordinary edit leaves equal.

mod allocation;
mod components;
mod edge;
mod flows;
mod grants;
mod read;

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

use ipnet::Ipv4Net;
use rustc_hash::FxHashSet as HashSet;

use std::sync::Arc;

use crate::db::{Db, SourceFile, Workspace};
use crate::diagnostics::{Diagnostic, codes};
use crate::ir::*;
use crate::model::{Component, Fields, Model, Override, Setting, Val, file_model, model};
use crate::naming;
use crate::resolve::{SymbolTable, workspace_symbols};
use crate::span::Origin;
use crate::vocabulary::{NatMode, StdlibEnum};

use allocation::*;
use components::*;
use flows::*;
use read::*;

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
            repository: model
                .settings
                .get("repository")
                .and_then(|s| s.value.as_str())
                .map(str::to_owned),
            other_edges: model
                .components()
                .filter(|c| c.category == "edge")
                .skip(1)
                .map(|c| Spanned {
                    value: c.name.clone(),
                    origin: c.origin.clone(),
                })
                .collect(),
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
    let ir = match lowerer.env(env) {
        Ok(ir) => Some(Arc::new(ir)),
        Err(fault) => {
            lowerer.diagnostics.push(fault.diagnostic());
            None
        }
    };
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
    queues: Arc<[Queue]>,
    caches: Arc<[Cache]>,
    secrets: Arc<[StoredSecret]>,
    mail: Arc<[Mail]>,
    connections: Arc<[PrivateConnection]>,
    alarms: Arc<[Alarm]>,
    renames: Arc<[Rename]>,
    /// The egress its tasks need to start.
    platform: PlatformEgress,
    /// Internal errors (`E2999`: items that could not be lowered) and physical names AWS
    /// would refuse (`E2005`).
    diagnostics: Vec<Diagnostic>,
}

#[salsa::tracked(returns(ref))]
fn lower_file(db: &dyn Db, workspace: Workspace, file: SourceFile, env: String) -> FilePart {
    let part = file_model(db, workspace, file);
    let components = with_overrides(&part.components, file_overrides(db, workspace, file, env.clone()));
    let fronted = fronted(db, workspace);
    // The components of one category, as this environment sees them.
    let of = |category: &'static str| {
        components
            .iter()
            .filter(move |c| c.category == category)
            .map(AsRef::as_ref)
    };
    let mut faults = Vec::new();
    let security_groups = keep(
        components.iter().filter(|c| c.tier.is_some()).map(|c| {
            Ok(SecurityGroup {
                name: c.name.clone(),
                category: c.category.clone(),
                tier: tier_of(c)?,
                origin: c.origin.clone(),
            })
        }),
        &mut faults,
    );
    let services = keep(
        of("service").map(|c| service(c, fronted.get(&c.name).cloned())),
        &mut faults,
    );
    let jobs = keep(of("job").map(job), &mut faults);
    let databases = keep(of("database").map(database), &mut faults);
    let buckets = keep(of("bucket").map(bucket), &mut faults);
    let topics = keep(
        of("topic").map(|c| {
            Ok(Topic {
                name: c.name.clone(),
                email: Get::new(&c.fields, &c.origin).strings("email")?,
                origin: c.origin.clone(),
            })
        }),
        &mut faults,
    );
    let queues = keep(of("queue").map(queue), &mut faults);
    let caches = keep(of("cache").map(cache), &mut faults);
    let secrets = keep(of("secret").map(stored_secret), &mut faults);
    let mail = keep(of("mail").map(self::components::mail), &mut faults);
    let connections = keep(of("connection").map(connection), &mut faults);
    let alarms = keep(of("alarm").map(alarm), &mut faults);
    let renames = keep(renames(&components), &mut faults);
    let platform = platform_egress(
        &services,
        &jobs,
        env_network(db, workspace, env.clone()),
        tier_egress(db, workspace, env.clone()),
        internet_https(db, workspace),
        workspace_symbols(db, workspace),
    );
    let mut part = FilePart {
        security_groups,
        services,
        jobs,
        databases,
        buckets,
        topics,
        queues,
        caches,
        secrets,
        mail,
        connections,
        alarms,
        renames,
        platform,
        diagnostics: faults,
    };
    let names = file_physical_names(env_identity(db, workspace, env), &part);
    part.diagnostics.extend(names);
    part
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
fn renames<'a>(items: &'a [Resolved<'_>]) -> impl Iterator<Item = Lowering<Rename>> + 'a {
    items.iter().filter_map(|c| {
        Get::new(&c.fields, &c.origin)
            .optional_str("was")
            .map(|was| {
                was.map(|from| Rename {
                    from,
                    to: c.name.clone(),
                })
            })
            .transpose()
    })
}

impl EnvLowerer<'_> {
    fn env(&mut self, env: &crate::model::Env) -> Lowering<EnvIr> {
        let model = self.model;
        let settings = Get::new(&env.settings, &env.origin);
        let system_origin = model.system_origin.clone().unwrap_or_else(|| env.origin.clone());
        let system = Get::new(&model.settings, &system_origin);
        // A system of buckets, mail and an edge needs no network: then no VPC is built.
        let has_network = system.setting("network").is_some_and(|s| s.written);
        // (Without one, the block holds the stdlib's defaults: egress, endpoints.)
        let network = Get::new(system.block("network")?, &system_origin);

        let region = match settings.optional_str("region")? {
            Some(region) => region,
            None => system.str("region")?,
        };
        let stage = settings.choice::<Stage>("stage")?;
        // The environment's own CIDR, zones: else the network's.
        let cidr_of = |get: &Get<'_>| {
            get.optional("cidr", "CIDR block", |v| match v {
                Val::Cidr(net) => Some(*net),
                _ => None,
            })
        };
        let (cidr, cidr_origin) = match cidr_of(&settings)? {
            Some(net) => (net, settings.origin("cidr")),
            None if !has_network => (Ipv4Net::default(), system_origin.clone()),
            None => (
                cidr_of(&network)?
                    .ok_or_else(|| Fault::new("cidr", "CIDR block", &network.origin("cidr")))?,
                network.origin("cidr"),
            ),
        };
        // The environment's zones, else the network's, else the region's default ones.
        let (zone_suffixes, zones_origin) = if settings.setting("zones").is_some() {
            (settings.strings("zones")?, settings.origin("zones"))
        } else if network.setting("zones").is_some() {
            (network.strings("zones")?, network.origin("zones"))
        } else {
            (crate::regions::default_zones(&region), network.origin("zones"))
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
        // A NAT only where a tier routes through it.
        let routes_out = tiers.iter().any(|tier| {
            Get::new(&tier.fields, &tier.origin)
                .choice::<TierEgress>("egress")
                .is_ok_and(|egress| egress == TierEgress::Nat)
        });
        let nat = if routes_out {
            self.nat(&settings)?
        } else {
            Nat::None {
                origin: settings.origin("nat"),
            }
        };

        let mut allocator = Allocator::new(cidr);
        let tier_irs = self.allocate_tiers(&tiers, &zones, &mut allocator)?;
        let needs_public = matches!(nat, Nat::Zonal { .. } | Nat::Instance { .. });
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

        let domain = env_domain(&env.name, stage, &settings, &system)?;
        // The environment's own operators, else the system's.
        let operators = if settings.setting("operators").is_some() {
            &settings
        } else {
            &system
        };
        let default_domain = domain.as_ref().map(|d| d.value.clone());
        let edge = components
            .iter()
            .find(|c| c.category == "edge")
            .map(|c| self.edge(c, &components, default_domain.clone()))
            .transpose()?;
        let load_balancers: Vec<LoadBalancer> = components
            .iter()
            .filter(|c| c.category == "load_balancer")
            .map(|c| self.load_balancer(c, &region, default_domain.clone()))
            .collect::<Lowering<_>>()?;
        let bpa_mode: BlockPublicAccess = settings.choice("block_public_access")?;
        let block_public_access = BlockPublicAccessIr {
            mode: Spanned {
                value: bpa_mode,
                origin: settings.origin("block_public_access"),
            },
            exclusions_allowed: Spanned {
                value: settings.bool("bpa_exclusions")?,
                origin: settings.origin("bpa_exclusions"),
            },
            exclusions: bpa_exclusions(bpa_mode, &tier_irs, &nat, edge.as_ref(), &load_balancers),
        };

        let mut ir = EnvIr {
            name: env.name.clone(),
            stage: Spanned {
                value: stage,
                origin: settings.origin("stage"),
            },
            account: settings.str("account")?,
            region,
            domain,
            hosted_zone: settings.choice("hosted_zone")?,
            operators: Spanned {
                value: operators
                    .strings("operators")?
                    .iter()
                    .map(|o| Operator::parse(o))
                    .collect(),
                origin: operators.origin("operators"),
            },
            origin: env.origin.clone(),
            network: has_network,
            vpc: Vpc {
                cidr: Spanned {
                    value: cidr,
                    origin: cidr_origin,
                },
                zones: Spanned {
                    value: zones,
                    origin: zones_origin,
                },
                egress: Spanned {
                    value: network.choice("egress")?,
                    origin: network.origin("egress"),
                },
                endpoints: Spanned {
                    value: network.choices("endpoints")?,
                    origin: network.origin("endpoints"),
                },
                endpoint_tier: None,
                block_public_access,
            },
            spare: allocator.free_blocks(),
            tiers: tier_irs,
            public_subnets,
            internet_gateway: has_network,
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
            queues: Pieces::default(),
            caches: Pieces::default(),
            secrets: Pieces::default(),
            mail: Pieces::default(),
            connections: Pieces::default(),
            alarms: Pieces::default(),
            flows: Pieces::default(),
            grants: Pieces::default(),
            service_calls: Vec::new(),
            renames: Pieces::default(),
        };
        // Each file's components and flows, as lowered (and memoized) per file.
        let mut rules = Vec::new();
        // What each file's tasks need to start, kept for after every written and route flow.
        let mut platforms: Vec<&PlatformEgress> = Vec::new();
        for &file in self.workspace.files(self.db) {
            let part = lower_file(self.db, self.workspace, file, env.name.clone());
            platforms.push(&part.platform);
            ir.security_groups.push(Arc::clone(&part.security_groups));
            ir.services.push(Arc::clone(&part.services));
            ir.jobs.push(Arc::clone(&part.jobs));
            ir.databases.push(Arc::clone(&part.databases));
            ir.buckets.push(Arc::clone(&part.buckets));
            ir.topics.push(Arc::clone(&part.topics));
            ir.queues.push(Arc::clone(&part.queues));
            ir.caches.push(Arc::clone(&part.caches));
            ir.secrets.push(Arc::clone(&part.secrets));
            ir.mail.push(Arc::clone(&part.mail));
            ir.connections.push(Arc::clone(&part.connections));
            ir.alarms.push(Arc::clone(&part.alarms));
            ir.renames.push(Arc::clone(&part.renames));
            self.diagnostics.extend(part.diagnostics.iter().cloned());
            let flows = lower_flows(self.db, self.workspace, file, env.name.clone());
            ir.flows.push(Arc::clone(&flows.flows));
            ir.grants.push(Arc::clone(&flows.grants));
            rules.push((&flows.ingress, &flows.egress));
            self.diagnostics.extend(flows.diagnostics.iter().cloned());
        }
        // The flows the edge's routes imply, after the written ones; then what tasks need to start.
        let symbols = workspace_symbols(self.db, self.workspace);
        let implied = implied_flows(ir.edge.as_ref(), &ir.load_balancers, &ir.flows);
        let (ingress, egress) = sg_rules(&implied, symbols);
        let implied_rules = (Rules::new(true, ingress), Rules::new(false, egress));
        rules.push((&implied_rules.0, &implied_rules.1));
        ir.flows.push(implied.into());
        let mut task_tiers: BTreeSet<&str> = BTreeSet::new();
        for platform in platforms {
            ir.flows.push(Arc::clone(&platform.flows));
            rules.push((&platform.ingress, &platform.egress));
            task_tiers.extend(platform.task_tiers.iter().map(String::as_str));
        }
        let groups = endpoint_group(&mut ir, &task_tiers);
        ir.security_groups.push(groups.into());
        // A rule that an earlier flow already made (same group, peer and port) is not made twice.
        let count = rules.iter().map(|(i, e)| i.len() + e.len()).sum();
        let mut made = MadeRules::with_capacity(count);
        for (ingress, egress) in rules {
            ir.ingress_rules.push(made.keep_first(ingress));
            ir.egress_rules.push(made.keep_first(egress));
        }
        ir.service_calls = service_calls(&ir, symbols);
        // Each tier where a component flows to or from a private connection routes to it (a
        // scan of every flow, so only where there are connections: a keystroke pays for it).
        if !ir.connections.is_empty() {
            let connections: HashSet<&str> = ir.connections.iter().map(|c| c.name.as_str()).collect();
            // (component, connection) of each flow between them, then the components' tiers.
            let ends: Vec<(&str, &str)> = ir
                .flows
                .iter()
                .filter_map(|flow| {
                    let (from, to) = (flow.from.name(), flow.to.name());
                    match (connections.contains(from), connections.contains(to)) {
                        (false, true) => Some((from, to)),
                        (true, false) => Some((to, from)),
                        _ => None,
                    }
                })
                .collect();
            let components: HashSet<&str> = ends.iter().map(|(component, _)| *component).collect();
            let tier_of: BTreeMap<&str, &str> = ir
                .security_groups
                .iter()
                .filter(|g| components.contains(g.name.as_str()))
                .map(|g| (g.name.as_str(), g.tier.as_str()))
                .collect();
            let reached: BTreeSet<(&str, &str)> = ends
                .iter()
                .filter_map(|(component, connection)| Some((*tier_of.get(component)?, *connection)))
                .collect();
            let mut tables = std::mem::take(&mut ir.route_tables);
            connection_routes(&mut tables, &ir.tiers, &reached, &ir.connections);
            ir.route_tables = tables;
        }
        ir.renames
            .push(renames(&tiers).collect::<Lowering<Vec<_>>>()?.into());
        self.deployable(&ir);
        self.physical_names(&ir);
        Ok(ir)
    }

    /// `nat = regional | zonal | instance("t3.micro")` (public subnets are allocated later).
    fn nat(&self, settings: &Get<'_>) -> Lowering<Nat> {
        let origin = settings.origin("nat");
        if let Some(Val::Call { .. }) = settings.setting("nat").map(|s| &s.value) {
            let (_, instance_type) = settings
                .optional_call("nat")?
                .ok_or_else(|| Fault::new("nat", "instance type", &origin))?;
            return Ok(Nat::Instance {
                instance_type,
                subnet: String::new(),
                origin,
            });
        }
        Ok(match settings.choice::<NatMode>("nat")? {
            NatMode::Zonal => Nat::Zonal {
                subnets: Vec::new(),
                origin,
            },
            NatMode::Regional => Nat::Regional { origin },
        })
    }

    /// The physical names of the system-wide items of this environment (load balancers, the
    /// edge's origins) that AWS would refuse; the other components' are checked per file.
    fn physical_names(&mut self, ir: &EnvIr) {
        let identity = env_identity(self.db, self.workspace, ir.name.clone());
        let mut checks: Vec<NameCheck<'_>> = Vec::new();
        for lb in &ir.load_balancers {
            checks.push((
                naming::LOAD_BALANCER,
                identity.name(ir.physical(&lb.name)),
                &lb.name,
                &lb.origin,
            ));
        }
        if let Some(edge) = &ir.edge {
            for origin in &edge.origins {
                checks.push((
                    naming::CLOUDFRONT_ORIGIN,
                    identity.name(ir.physical(&origin.name)),
                    &origin.name,
                    &edge.origin,
                ));
            }
        }
        self.diagnostics.extend(refused_names(&identity.env, checks));
    }

    /// What the deploy side needs to make sense: a service port that some flow uses, and a
    /// migration only where the service has a database to migrate.
    fn deployable(&mut self, ir: &EnvIr) {
        // Indexes, not scans: a workspace has thousands of services and flows.
        let reached: HashSet<(&str, u16)> = ir.flows.iter().map(|f| (f.to.name(), f.port)).collect();
        let databases: HashSet<&str> = ir.databases.iter().map(|d| d.name.as_str()).collect();
        let with_database: HashSet<&str> = ir
            .flows
            .iter()
            .filter(|f| databases.contains(f.to.name()))
            .map(|f| f.from.name())
            .collect();
        for service in &ir.services {
            let Some(port) = &service.port else { continue };
            let (origin, port) = (&port.origin, port.value);
            if !reached.contains(&(service.name.as_str(), port)) {
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

/// An environment's public domain: its own `domain`, else the system's for a production
/// environment and `<env>.<system domain>` for the others (the derivation the stdlib documents).
fn env_domain(
    env: &str,
    stage: Stage,
    settings: &Get<'_>,
    system: &Get<'_>,
) -> Lowering<Option<Spanned<String>>> {
    if let Some(domain) = settings.optional_str("domain")? {
        return Ok(Some(Spanned {
            value: domain,
            origin: settings.origin("domain"),
        }));
    }
    Ok(system.optional_str("domain")?.map(|domain| Spanned {
        value: match stage {
            Stage::Production => domain,
            Stage::Staging | Stage::Development => format!("{}.{domain}", env.replace('_', "-")),
        },
        origin: system.origin("domain"),
    }))
}

/// What AWS resources are named after in one environment: a firewall (it changes only when
/// the system's name, the environment's or its account does), so the per-file queries can
/// check physical names without depending on the whole model.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
struct EnvIdentity {
    system: String,
    env: String,
    account: String,
}

impl EnvIdentity {
    fn name(&self, part: &str) -> String {
        naming::physical(&self.system, &self.env, part)
    }
}

#[salsa::tracked(returns(ref))]
fn env_identity(db: &dyn Db, workspace: Workspace, env: String) -> EnvIdentity {
    let model = model(db, workspace);
    let account = model
        .envs
        .iter()
        .find(|e| e.name == env)
        .and_then(|e| e.settings.get("account"))
        .and_then(|s| s.value.as_str())
        .unwrap_or_default()
        .to_owned();
    EnvIdentity {
        system: model.system.clone(),
        env,
        account,
    }
}

/// A physical name to check: the limit, the name, the item it is named after, where.
type NameCheck<'a> = (naming::Limit, String, &'a str, &'a Origin);

/// `E2005` for each name AWS would refuse: never a name cut short (two names cut to the same
/// prefix would be one resource).
fn refused_names(env: &str, checks: Vec<NameCheck<'_>>) -> Vec<Diagnostic> {
    checks
        .into_iter()
        .filter_map(|(limit, physical, item, origin)| {
            let breach = limit.breach(&physical)?;
            Some(
                Diagnostic::error(
                    codes::AWS_NAME_REFUSED,
                    origin.file,
                    origin.span.clone(),
                    format!("env `{env}`: {breach}"),
                )
                .with_help(format!(
                    "AWS names are `<system>-<env>-<name>` with `-` for `_`: rename `{item}` (shorter, without `__`), or shorten the environment's or the system's name"
                )),
            )
        })
        .collect()
}

/// The physical names of one file's services, jobs, databases and buckets.
fn file_physical_names(identity: &EnvIdentity, part: &FilePart) -> Vec<Diagnostic> {
    // A renamed item keeps its old physical name (see `EnvIr::physical`): that is the one AWS sees.
    let physical = |name: &str| -> String { crate::ir::physical(part.renames.iter(), name).to_owned() };
    let mut checks: Vec<NameCheck<'_>> = Vec::new();
    for service in part.services.iter() {
        let item = physical(&service.name);
        if service.load_balancer.is_some() {
            // Blue/green's alternate target group has the longer name.
            let target_group = match service.deploy.value {
                DeployStrategy::BlueGreen => naming::alternate_target_group(&item),
                DeployStrategy::Rolling => item.clone(),
            };
            checks.push((
                naming::TARGET_GROUP,
                identity.name(&target_group),
                &service.name,
                &service.origin,
            ));
        }
        let role = identity.name(&format!("{item}-execution"));
        checks.push((naming::IAM_ROLE, role, &service.name, &service.origin));
    }
    for job in part.jobs.iter() {
        let item = physical(&job.name);
        checks.push((
            naming::IAM_ROLE,
            identity.name(&format!("{item}-execution")),
            &job.name,
            &job.origin,
        ));
        checks.push((naming::SCHEDULE, identity.name(&item), &job.name, &job.origin));
    }
    for database in part.databases.iter() {
        let item = physical(&database.name);
        checks.push((
            naming::DB_CLUSTER,
            identity.name(&item),
            &database.name,
            &database.origin,
        ));
    }
    for bucket in part.buckets.iter() {
        let item = physical(&bucket.name);
        let name = naming::bucket(&identity.system, &identity.env, &identity.account, &item);
        checks.push((naming::BUCKET, name, &bucket.name, &bucket.origin));
    }
    for cache in part.caches.iter() {
        let item = physical(&cache.name);
        // The disabled default user's id is the longest of the cache's names.
        let name = naming::cache_default_user(&identity.system, &identity.env, &item);
        checks.push((naming::CACHE, name, &cache.name, &cache.origin));
    }
    for queue in part.queues.iter() {
        // The dead-letter queue's name is the longer one.
        let item = physical(&queue.name);
        let name = naming::dead_letter_queue(&identity.system, &identity.env, &item, queue.fifo);
        checks.push((naming::QUEUE, name, &queue.name, &queue.origin));
    }
    for mail in part.mail.iter() {
        let name = identity.name(&physical(&mail.name));
        checks.push((naming::CONFIGURATION_SET, name, &mail.name, &mail.origin));
    }
    refused_names(&identity.env, checks)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::date::Date;
    use crate::db::RootDatabase;

    /// A component as the model would hand it over, but without the stdlib's defaults: what a
    /// bug in the model would look like.
    fn bare(db: &RootDatabase, category: &str, kind: &str) -> Component {
        let workspace = Workspace::from_sources(
            db,
            vec![("a.arch".into(), "system s {}\n".into())],
            Date::from_unix_days(0),
        );
        let origin = Origin {
            file: workspace.files(db)[0],
            span: 7..8,
        };
        Component {
            name: "api".into(),
            category: category.into(),
            kind: kind.into(),
            tier: Some("app".into()),
            fields: Fields::new(),
            routes: Vec::new(),
            origin,
            tier_origin: None,
            doc: None,
        }
    }

    #[test]
    fn a_missing_value_is_an_internal_error_never_a_guess() {
        let db = RootDatabase::default();
        let Err(fault) = service(&bare(&db, "service", "fargate"), None) else {
            panic!("a service without its fields must not lower");
        };
        let diagnostic = fault.diagnostic();
        assert_eq!(diagnostic.code, codes::INTERNAL_ERROR);
        assert_eq!(diagnostic.span, 7..8);
        assert!(diagnostic.message.contains("`scale`"), "{}", diagnostic.message);
        let Err(fault) = bucket(&bare(&db, "bucket", "s3")) else {
            panic!("a bucket without its purpose must not lower");
        };
        assert!(
            fault
                .diagnostic()
                .message
                .contains("bucket_purpose for `purpose`")
        );
    }
}
