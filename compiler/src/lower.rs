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
use crate::vocabulary::{NatMode, StdlibEnum};

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
    alarms: Arc<[Alarm]>,
    renames: Arc<[Rename]>,
    /// Internal errors (`E2999`): items that could not be lowered.
    faults: Vec<Diagnostic>,
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
    let alarms = keep(of("alarm").map(alarm), &mut faults);
    let renames = keep(renames(&components), &mut faults);
    FilePart {
        security_groups,
        services,
        jobs,
        databases,
        buckets,
        topics,
        alarms,
        renames,
        faults,
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

/// A value lowering needs and that the checker and the model guarantee (a required field, a
/// stdlib default, a member of a closed set) but did not find: a bug in archc. It becomes an
/// `E2999` diagnostic at the item being lowered, never a guess.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Fault {
    field: String,
    expected: String,
    origin: Origin,
}

impl Fault {
    fn new(field: &str, expected: impl Into<String>, origin: &Origin) -> Self {
        Fault {
            field: field.to_owned(),
            expected: expected.into(),
            origin: origin.clone(),
        }
    }

    fn diagnostic(&self) -> Diagnostic {
        Diagnostic::error(
            codes::INTERNAL_ERROR,
            self.origin.file,
            self.origin.span.clone(),
            format!(
                "internal error: lowering found no {} for `{}` here, although the checks passed",
                self.expected, self.field
            ),
        )
        .with_help("this is a bug in archc, not in your sources: please report it with this file")
    }
}

type Lowering<T> = Result<T, Fault>;

/// The lowered items of `results`; each fault becomes its diagnostic in `faults`.
fn keep<T>(results: impl Iterator<Item = Lowering<T>>, faults: &mut Vec<Diagnostic>) -> Arc<[T]> {
    results
        .filter_map(|result| result.map_err(|fault| faults.push(fault.diagnostic())).ok())
        .collect()
}

/// Reads typed values out of resolved fields. A field the stdlib gives a default is always
/// there (the model fills defaults in), so reading it cannot fail but by a bug: a [`Fault`].
/// Optional fields (no default, not required) read as `Option`.
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
    /// The value of a field that must be there, read by `read`.
    fn require<T>(&self, name: &str, expected: &str, read: impl FnOnce(&'a Val) -> Option<T>) -> Lowering<T> {
        self.setting(name)
            .and_then(|s| read(&s.value))
            .ok_or_else(|| Fault::new(name, expected, &self.origin(name)))
    }
    /// The value of an optional field, read by `read`: `None` when it is not set.
    fn optional<T>(
        &self,
        name: &str,
        expected: &str,
        read: impl FnOnce(&'a Val) -> Option<T>,
    ) -> Lowering<Option<T>> {
        match self.setting(name) {
            None => Ok(None),
            Some(setting) => read(&setting.value)
                .map(Some)
                .ok_or_else(|| Fault::new(name, expected, &setting.origin)),
        }
    }
    fn str(&self, name: &str) -> Lowering<String> {
        self.require(name, "string", |v| v.as_str().map(str::to_owned))
    }
    fn optional_str(&self, name: &str) -> Lowering<Option<String>> {
        self.optional(name, "string", |v| v.as_str().map(str::to_owned))
    }
    fn int(&self, name: &str) -> Lowering<i64> {
        self.require(name, "integer", Val::as_int)
    }
    fn port(&self, name: &str) -> Lowering<u16> {
        self.require(name, "port", |v| v.as_int().and_then(|n| u16::try_from(n).ok()))
    }
    fn bool(&self, name: &str) -> Lowering<bool> {
        self.require(name, "boolean", Val::as_bool)
    }
    fn duration(&self, name: &str) -> Lowering<u64> {
        self.require(name, "duration", duration)
    }
    fn optional_duration(&self, name: &str) -> Lowering<Option<u64>> {
        self.optional(name, "duration", duration)
    }
    fn optional_percent(&self, name: &str) -> Lowering<Option<u8>> {
        self.optional(name, "percentage", |v| match v {
            Val::Percent(p) => Some(*p),
            _ => None,
        })
    }
    /// A list of strings; not set is the empty list.
    fn strings(&self, name: &str) -> Lowering<Vec<String>> {
        Ok(self
            .optional(name, "list of strings", |v| match v {
                Val::List(items) => items.iter().map(|i| i.as_str().map(str::to_owned)).collect(),
                _ => None,
            })?
            .unwrap_or_default())
    }
    fn block(&self, name: &str) -> Lowering<&'a Fields> {
        self.require(name, "block", Val::as_block)
    }
    fn spanned_bool(&self, name: &str) -> Lowering<Spanned<bool>> {
        Ok(Spanned {
            value: self.bool(name)?,
            origin: self.origin(name),
        })
    }
    /// A member of a closed set (`purpose = static`).
    fn choice<T: StdlibEnum>(&self, name: &str) -> Lowering<T> {
        self.require(name, T::NAME, |v| v.as_str().and_then(T::named))
    }
    /// A list of members of a closed set (`connections = [peering]`).
    fn choices<T: StdlibEnum>(&self, name: &str) -> Lowering<Vec<T>> {
        self.require(name, T::NAME, |v| match v {
            Val::List(items) => items.iter().map(|i| i.as_str().and_then(T::named)).collect(),
            _ => None,
        })
    }
    /// The function and first string argument of an optional call such as `ecr("webapp-api")`.
    fn optional_call(&self, name: &str) -> Lowering<Option<(&'a str, String)>> {
        self.optional(name, "call", |v| match v {
            Val::Call { function, args } => Some((function.as_str(), args.first()?.as_str()?.to_owned())),
            _ => None,
        })
    }
    /// The first string argument of a required call such as `ecr("webapp-api")`.
    fn call_arg(&self, name: &str) -> Lowering<String> {
        self.optional_call(name)?
            .map(|(_, arg)| arg)
            .ok_or_else(|| Fault::new(name, "call", &self.origin(name)))
    }
}

fn duration(value: &Val) -> Option<u64> {
    match value {
        Val::Duration(seconds) => Some(*seconds),
        _ => None,
    }
}

/// The tier a placed component is in (the checker requires one).
fn tier_of(component: &Component) -> Lowering<String> {
    component
        .tier
        .clone()
        .ok_or_else(|| Fault::new("in <tier>", "tier", &component.origin))
}

impl EnvLowerer<'_> {
    fn env(&mut self, env: &crate::model::Env) -> Lowering<EnvIr> {
        let model = self.model;
        let settings = Get::new(&env.settings, &env.origin);
        let system_origin = model.system_origin.clone().unwrap_or_else(|| env.origin.clone());
        let system = Get::new(&model.settings, &system_origin);
        let network_fields = system.block("network")?;
        let network = Get::new(network_fields, &system_origin);

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
            None => (
                cidr_of(&network)?
                    .ok_or_else(|| Fault::new("cidr", "CIDR block", &network.origin("cidr")))?,
                network.origin("cidr"),
            ),
        };
        let (zone_suffixes, zones_origin) = if settings.setting("zones").is_some() {
            (settings.strings("zones")?, settings.origin("zones"))
        } else {
            (network.strings("zones")?, network.origin("zones"))
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
        let nat = self.nat(&settings)?;

        let mut allocator = Allocator::new(cidr);
        let tier_irs = self.allocate_tiers(&tiers, &zones, &mut allocator)?;
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
            .map(|c| self.edge(c, &components))
            .transpose()?;
        let domain = system.optional_str("domain")?;
        let load_balancers: Vec<LoadBalancer> = components
            .iter()
            .filter(|c| c.category == "load_balancer")
            .map(|c| self.load_balancer(c, &region, domain.clone()))
            .collect::<Lowering<_>>()?;

        let mut ir = EnvIr {
            name: env.name.clone(),
            stage: Spanned {
                value: stage,
                origin: settings.origin("stage"),
            },
            account: settings.str("account")?,
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
                    value: network.choices("connections")?,
                    origin: network.origin("connections"),
                },
                egress: Spanned {
                    value: network.choice("egress")?,
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
            self.diagnostics.extend(part.faults.iter().cloned());
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
        ir.renames
            .push(renames(&tiers).collect::<Lowering<Vec<_>>>()?.into());
        self.deployable(&ir);
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

    fn allocate_tiers(
        &mut self,
        tiers: &[Resolved<'_>],
        zones: &[String],
        allocator: &mut Allocator,
    ) -> Lowering<Vec<Tier>> {
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
            let egress = egress_of(&get)?;
            let explicit: Vec<Ipv4Net> = get
                .optional("cidrs", "list of CIDR blocks", |v| match v {
                    Val::List(items) => items
                        .iter()
                        .map(|item| match item {
                            Val::Cidr(net) => Some(*net),
                            _ => None,
                        })
                        .collect(),
                    _ => None,
                })?
                .unwrap_or_default();
            let (block, subnets, cidrs_origin) = if explicit.is_empty() {
                let prefix = get.require("subnet", "prefix length", |v| match v {
                    Val::Prefix(p) => Some(*p),
                    _ => None,
                })?;
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
        Ok(out)
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

    fn edge(&self, component: &Component, components: &[Resolved<'_>]) -> Lowering<Edge> {
        let get = Get::new(&component.fields, &component.origin);
        let mut origins: Vec<EdgeOrigin> = Vec::new();
        let mut behaviours = Vec::new();
        for route in &component.routes {
            let target = components.iter().find(|c| c.name == route.target);
            let target_kind = match target.map(|t| (t.category.as_str(), t.kind.as_str())) {
                Some(("bucket", "s3_website")) => EdgeOriginKind::S3Website,
                Some(("bucket", _)) => EdgeOriginKind::S3,
                Some(("load_balancer", _)) => EdgeOriginKind::VpcOrigin,
                _ => return Err(Fault::new(&route.target, "route target", &route.origin)),
            };
            if !origins.iter().any(|o| o.name == route.target) {
                origins.push(EdgeOrigin {
                    name: route.target.clone(),
                    kind: target_kind.clone(),
                });
            }
            let route_get = Get::new(&route.fields, &route.origin);
            let target_purpose = match (&target_kind, target) {
                (EdgeOriginKind::S3, Some(t)) => {
                    Some(Get::new(&t.fields, &t.origin).choice::<BucketPurpose>("purpose")?)
                }
                _ => None,
            };
            behaviours.push(Behaviour {
                pattern: route.pattern.clone(),
                target: route.target.clone(),
                target_kind,
                target_purpose,
                cache_policy: Spanned {
                    value: CachePolicy::of(route_get.choice("cache")?),
                    origin: route_get.origin("cache"),
                },
                origin_request_policy: Spanned {
                    value: OriginRequestPolicy::of(route_get.choice("forward")?),
                    origin: route_get.origin("forward"),
                },
                origin: route.origin.clone(),
            });
        }
        Ok(Edge {
            name: component.name.clone(),
            certificate: certificate(&get, "us-east-1", None)?,
            headers: get.choice("headers")?,
            price_class: get.choice("price_class")?,
            access_logs: get.optional_str("access_logs")?.map(|bucket| Spanned {
                value: bucket,
                origin: get.origin("access_logs"),
            }),
            origins,
            behaviours,
            origin: component.origin.clone(),
        })
    }

    fn load_balancer(
        &self,
        component: &Component,
        region: &str,
        domain: Option<String>,
    ) -> Lowering<LoadBalancer> {
        let get = Get::new(&component.fields, &component.origin);
        Ok(LoadBalancer {
            name: component.name.clone(),
            tier: tier_of(component)?,
            internal: get.spanned_bool("internal")?,
            listen: get.port("listen")?,
            certificate: certificate(&get, region, domain)?,
            access_logs: get.optional_str("access_logs")?.map(|bucket| Spanned {
                value: bucket,
                origin: get.origin("access_logs"),
            }),
            health_check: get.str("health_check")?,
            idle_timeout_seconds: get.duration("idle_timeout")?,
            origin: component.origin.clone(),
        })
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
                from: Endpoint::Component(edge.name.clone()),
                to: Endpoint::Component(lb.name.clone()),
                protocol: Protocol::Named(WebProtocol::Https),
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
    let mut faults = Vec::new();
    let flows = keep(
        file_model(db, workspace, file).flows.iter().map(|flow| {
            let (protocol, port) = protocol_port(&flow.protocol, ports.get(&flow.to), &flow.origin)?;
            Ok(FlowIr {
                from: Endpoint::named(&flow.from),
                to: Endpoint::named(&flow.to),
                protocol,
                port,
                implied: false,
                origin: flow.origin.clone(),
            })
        }),
        &mut faults,
    );
    let symbols = workspace_symbols(db, workspace);
    let (ingress, egress) = sg_rules(&flows, symbols);
    let mut diagnostics = unroutable(&flows, symbols, tier_egress(db, workspace, env));
    diagnostics.extend(faults);
    FileFlows {
        flows,
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
    for flow in flows.iter().filter(|f| f.to.is_internet()) {
        let Some(component) = symbols.component(flow.from.name()) else {
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
    port: Lowering<u16>,
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
                "load_balancer" => get.port("listen"),
                _ => get.port("port"),
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
        // A tier whose egress cannot be read is reported where the tier is allocated.
        .filter_map(|tier| {
            Some((
                tier.name.clone(),
                egress_of(&Get::new(&tier.fields, &tier.origin)).ok()?,
            ))
        })
        .collect()
}

/// A tier's route out: through the NAT, or none.
fn egress_of(tier: &Get<'_>) -> Lowering<Spanned<TierEgress>> {
    Ok(Spanned {
        value: tier.choice("egress")?,
        origin: tier.origin("egress"),
    })
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

fn certificate(get: &Get<'_>, region: &str, domain: Option<String>) -> Lowering<Certificate> {
    let origin = get.origin("certificate");
    Ok(match get.optional_call("certificate")? {
        Some(("certificate_arn", arn)) => Certificate {
            domain: None,
            region: arn
                .split(':')
                .nth(3)
                .ok_or_else(|| Fault::new("certificate", "ARN with a region", &origin))?
                .to_owned(),
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
    })
}

/// The protocol and port of a flow: named protocols have their well-known ports (`https` to a
/// load balancer uses its listener, `postgres` or `mysql` to a database uses its port).
fn protocol_port(protocol: &Val, target: Option<&TargetPort>, origin: &Origin) -> Lowering<(Protocol, u16)> {
    let fault = || Fault::new("protocol", "protocol", origin);
    match protocol {
        Val::Call { args, .. } => {
            let port = args
                .first()
                .and_then(Val::as_int)
                .and_then(|n| u16::try_from(n).ok())
                .ok_or_else(fault)?;
            Ok((Protocol::Tcp, port))
        }
        Val::Name(name) => {
            let named = WebProtocol::named(name).ok_or_else(fault)?;
            let port = match (named, target) {
                (WebProtocol::Https, Some(t)) if t.category == "load_balancer" => t.port.clone()?,
                (WebProtocol::Postgres | WebProtocol::Mysql, Some(t)) if t.category == "database" => {
                    t.port.clone()?
                }
                _ => named.port(),
            };
            Ok((Protocol::Named(named), port))
        }
        _ => Err(fault()),
    }
}

/// One ingress rule on the target and one egress rule on the source per flow between groups
/// (placed components); the edge enters through CloudFront's prefix list; `internet` is
/// `0.0.0.0/0`. A rule an earlier flow made already is not made twice.
fn sg_rules(flows: &[FlowIr], symbols: &SymbolTable) -> (Vec<SgRule>, Vec<SgRule>) {
    let is_group = |name: &str| symbols.component(name).is_some_and(|c| c.tier.is_some());
    let is_edge = |name: &str| symbols.component(name).is_some_and(|c| c.category == "edge");
    let mut ingress: Vec<SgRule> = Vec::new();
    let mut egress: Vec<SgRule> = Vec::new();
    let mut seen: HashSet<(bool, &str, PeerKey<'_>, u16)> = HashSet::default();
    for flow in flows {
        let (from, to) = (flow.from.name(), flow.to.name());
        let ingress_peer = if !is_group(to) {
            None
        } else if flow.from.is_internet() {
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
        } else if flow.to.is_internet() {
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
            description: format!("{} from {from} to {to}", flow.protocol.name()),
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

fn secrets_and_environment(get: &Get<'_>) -> Lowering<(Vec<Secret>, Vec<EnvVar>)> {
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

fn service(component: &Component, load_balancer: Option<String>) -> Lowering<Service> {
    let get = Get::new(&component.fields, &component.origin);
    let scale_origin = get.origin("scale");
    let scale = Get::new(get.block("scale")?, &scale_origin);
    let spanned_int = |get: &Get<'_>, name: &str| -> Lowering<Spanned<i64>> {
        Ok(Spanned {
            value: get.int(name)?,
            origin: get.origin(name),
        })
    };
    let spanned_duration = |get: &Get<'_>, name: &str| -> Lowering<Spanned<u64>> {
        Ok(Spanned {
            value: get.duration(name)?,
            origin: get.origin(name),
        })
    };
    let (secrets, environment) = secrets_and_environment(&get)?;
    Ok(Service {
        name: component.name.clone(),
        tier: tier_of(component)?,
        image: get.call_arg("image")?,
        port: Spanned {
            value: get.port("port")?,
            origin: get.origin("port"),
        },
        cpu: get.int("cpu")?,
        memory: get.int("memory")?,
        scale: Scaling {
            min: spanned_int(&scale, "min")?,
            max: spanned_int(&scale, "max")?,
            cpu_target: scale.optional_percent("cpu")?,
            memory_target: scale.optional_percent("memory")?,
            scale_out_cooldown_seconds: spanned_duration(&scale, "out")?,
            scale_in_cooldown_seconds: spanned_duration(&scale, "in")?,
        },
        secrets,
        environment,
        migrate: Spanned {
            value: get.strings("migrate")?,
            origin: get.origin("migrate"),
        },
        command: get.strings("command")?,
        health_check: get.optional_str("health_check")?,
        public_ip: get.spanned_bool("public_ip")?,
        load_balancer,
        origin: component.origin.clone(),
    })
}

fn job(component: &Component) -> Lowering<Job> {
    let get = Get::new(&component.fields, &component.origin);
    let (secrets, environment) = secrets_and_environment(&get)?;
    let schedule = get.require("schedule", "cron(…) or rate(…)", |v| match v {
        Val::Call { function, args } if function == "cron" => {
            Some(format!("cron({})", args.first()?.as_str()?))
        }
        Val::Call { function, args } if function == "rate" => duration(args.first()?).map(rate),
        _ => None,
    })?;
    Ok(Job {
        name: component.name.clone(),
        tier: tier_of(component)?,
        image: get.call_arg("image")?,
        schedule,
        command: get.strings("command")?,
        cpu: get.int("cpu")?,
        memory: get.int("memory")?,
        secrets,
        environment,
        public_ip: get.spanned_bool("public_ip")?,
        origin: component.origin.clone(),
    })
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

fn database(component: &Component) -> Lowering<Database> {
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
        backup_retention_days: get.duration("backup_retention")? / 86_400,
        origin: component.origin.clone(),
    })
}

fn bucket(component: &Component) -> Lowering<Bucket> {
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
        expire_after_days: get.optional_duration("expire_after")?.map(|s| s / 86_400),
        website,
        origin: component.origin.clone(),
    })
}

fn alarm(component: &Component) -> Lowering<Alarm> {
    let get = Get::new(&component.fields, &component.origin);
    let (target, metric) = get.require("on", "metric", |v| match v {
        Val::Metric { component, metric } => Some((component.clone(), metric.clone())),
        _ => None,
    })?;
    let (threshold, threshold_is_percent) = get.require("above", "threshold", |v| match v {
        Val::Percent(p) => Some((i64::from(*p), true)),
        Val::Int(n) => Some((*n, false)),
        _ => None,
    })?;
    Ok(Alarm {
        name: component.name.clone(),
        component: target,
        metric,
        threshold,
        threshold_is_percent,
        period_seconds: get.duration("for")?,
        topic: get.str("notify")?,
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
