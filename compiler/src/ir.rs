//! The IR: what will exist in AWS for one environment, with every value resolved (overrides
//! applied, CIDRs allocated, security-group rules derived from flows, managed policies named).
//!
//! Rules and backends read only this. It carries everything they need, so none of them
//! re-derives a fact, and each node keeps the `Origin` of the source it came from, so a rule can
//! point at it. Collections are `Vec`s (or `Pieces`: per-file `Vec`s, shared with lowering's
//! memos) in a fixed order (declaration order, then zone order);
//! nothing here iterates a hash map, so output built from it is deterministic.

use std::sync::Arc;

use ipnet::Ipv4Net;
use serde::Serialize;

use crate::span::Origin;
pub use crate::vocabulary::{
    Access, BlockPublicAccess, BucketPurpose, CacheEngine, CacheMode, DeployStrategy, DmarcPolicy,
    EgressMode, ForwardMode, HeadersPolicy, HostedZone, ManagedRuleGroup, PriceClass, Stage, TierEgress,
    VpcEndpoint, WebProtocol,
};

/// Every environment of the system.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize)]
pub struct Ir {
    pub system: String,
    /// The system's `///` documentation (the design document's opening).
    pub doc: Option<String>,
    pub domain: Option<String>,
    /// The GitHub repository the deploy workflow runs in (`owner/name`), which the deploy role
    /// trusts.
    pub repository: Option<String>,
    /// Edges declared after the first, which the IR does not hold (an error: `A012`).
    pub other_edges: Vec<Spanned<String>>,
    /// Shared with each environment's lowering query.
    pub envs: Vec<Arc<EnvIr>>,
}

/// A list kept as shared pieces, one per source file: lowering memoizes each file's components
/// separately, and the IR shares those results instead of copying them (an edit re-lowers one
/// file). It reads as one sequence, in file order.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Pieces<T>(Vec<Arc<[T]>>);

impl<T> Default for Pieces<T> {
    fn default() -> Self {
        Self(Vec::new())
    }
}

impl<T> Pieces<T> {
    pub fn push(&mut self, piece: Arc<[T]>) {
        if !piece.is_empty() {
            self.0.push(piece);
        }
    }

    pub fn iter(&self) -> PiecesIter<'_, T> {
        self.0.iter().flat_map(|piece| piece.iter())
    }

    /// No items (an empty piece is never kept).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// The items of `Pieces`, in order.
pub type PiecesIter<'a, T> = std::iter::FlatMap<
    std::slice::Iter<'a, Arc<[T]>>,
    std::slice::Iter<'a, T>,
    fn(&'a Arc<[T]>) -> std::slice::Iter<'a, T>,
>;

impl<'a, T> IntoIterator for &'a Pieces<T> {
    type Item = &'a T;
    type IntoIter = PiecesIter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl<T: Serialize> Serialize for Pieces<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter())
    }
}

/// Seconds in a day: durations AWS takes in days are whole multiples of it.
pub const DAY: u64 = 86_400;

/// A duration as the language writes it, in its largest whole unit: `90s`, `5m`, `2h`, `7d`.
pub fn duration_text(seconds: u64) -> String {
    match seconds {
        0 => "0s".to_owned(),
        s if s.is_multiple_of(DAY) => format!("{}d", s / DAY),
        s if s.is_multiple_of(3_600) => format!("{}h", s / 3_600),
        s if s.is_multiple_of(60) => format!("{}m", s / 60),
        s => format!("{s}s"),
    }
}

/// A value with the place in the source that decided it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Spanned<T> {
    pub value: T,
    pub origin: Origin,
}

impl<T: Serialize> Serialize for Spanned<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.value.serialize(serializer)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct EnvIr {
    pub name: String,
    pub stage: Spanned<Stage>,
    pub account: String,
    pub region: String,
    /// The environment's public domain (the edge's alias), with where it was decided: the
    /// env's `domain`, or the system's from which it is derived.
    pub domain: Option<Spanned<String>>,
    /// Whether the bootstrap creates the domain's hosted zone or it exists.
    pub hosted_zone: HostedZone,
    /// Who may assume the environment's Terraform role (the system's `operators`, or the env's).
    pub operators: Spanned<Vec<Operator>>,
    #[serde(skip)]
    pub origin: Origin,
    /// Whether the system declares a network: without one (a static site, mail, queues), no
    /// VPC is built and `vpc` holds only defaults.
    pub network: bool,
    pub vpc: Vpc,
    pub tiers: Vec<Tier>,
    /// Public subnets, only where the NAT strategy needs them.
    pub public_subnets: Vec<Subnet>,
    /// Address space left unallocated, as the largest aligned blocks.
    pub spare: Vec<Ipv4Net>,
    pub internet_gateway: bool,
    pub nat: Nat,
    pub route_tables: Vec<RouteTable>,
    pub security_groups: Pieces<SecurityGroup>,
    pub ingress_rules: Pieces<SgRule>,
    pub egress_rules: Pieces<SgRule>,
    pub edge: Option<Edge>,
    pub load_balancers: Vec<LoadBalancer>,
    pub services: Pieces<Service>,
    pub jobs: Pieces<Job>,
    pub databases: Pieces<Database>,
    pub buckets: Pieces<Bucket>,
    pub topics: Pieces<Topic>,
    pub queues: Pieces<Queue>,
    pub caches: Pieces<Cache>,
    /// Secrets tasks read at run time (created outside archc).
    pub secrets: Pieces<StoredSecret>,
    /// Sending e-mail from the environment's domain (SES).
    pub mail: Pieces<Mail>,
    /// Private networks the VPC reaches (Transit Gateway, VPC peering, site-to-site VPN).
    pub connections: Pieces<PrivateConnection>,
    pub alarms: Pieces<Alarm>,
    pub flows: Pieces<FlowIr>,
    /// Flows to buckets, queues, topics and caches: IAM policies on the task roles of their
    /// sources.
    pub grants: Pieces<Grant>,
    /// Flows from one service to another: each caller finds its target by name through ECS
    /// Service Connect (in the environment's Cloud Map namespace), in the order of the flows.
    pub service_calls: Vec<ServiceCall>,
    /// Items renamed in the source (`was = "old"`), so backends can move their state.
    pub renames: Pieces<Rename>,
}

impl EnvIr {
    /// The name AWS knows an item by: its old name when it was renamed with `was`, so that a
    /// rename moves the resources' state and keeps every physical name (`cluster_identifier`,
    /// security group and role names, …) that would otherwise replace them.
    pub fn physical<'a>(&'a self, name: &'a str) -> &'a str {
        physical(self.renames.iter(), name)
    }

    /// Whether a blue/green service gets test traffic: its load balancer has a test listener.
    pub fn has_test_listener(&self, service: &Service) -> bool {
        service.is_blue_green()
            && self.load_balancers.iter().any(|lb| {
                Some(lb.name.as_str()) == service.load_balancer.as_deref() && lb.test_listen.is_some()
            })
    }

    /// Whether some service here is deployed blue/green (the role ECS shifts traffic with).
    pub fn has_blue_green(&self) -> bool {
        self.services.iter().any(Service::is_blue_green)
    }

    /// Whether anything runs on ECS here (services or jobs): the cluster exists only then.
    pub fn has_tasks(&self) -> bool {
        !self.services.is_empty() || !self.jobs.is_empty()
    }

    /// The tiers that route to a private connection (a component in them flows to or from
    /// it), in declaration order.
    pub fn connection_tiers(&self, connection: &str) -> Vec<&str> {
        let routed = |table: &RouteTable| {
            table
                .routes
                .iter()
                .any(|r| matches!(&r.target, RouteTarget::Connection(c) if c == connection))
        };
        self.tiers
            .iter()
            .filter(|tier| {
                self.route_tables.iter().filter(|t| routed(t)).any(|t| {
                    t.subnets
                        .iter()
                        .any(|s| tier.subnets.iter().any(|ts| &ts.name == s))
                })
            })
            .map(|tier| tier.name.as_str())
            .collect()
    }

    /// A queue's name in AWS: `<system>-<env>-<name>`, with `.fifo` for a FIFO queue.
    pub fn queue_name(&self, system: &str, queue: &str) -> String {
        let fifo = self.queues.iter().any(|q| q.name == queue && q.fifo);
        crate::naming::queue(system, &self.name, self.physical(queue), fifo)
    }

    /// The domain mail is sent from: the environment's (the edge's alias too). Without one, A019
    /// refuses the mail component, so no output is written with this empty.
    pub fn mail_domain(&self) -> &str {
        self.domain.as_ref().map_or("", |d| d.value.as_str())
    }

    /// The name a secret item stands for in Secrets Manager.
    pub fn secret_name(&self, secret: &str) -> String {
        self.secrets
            .iter()
            .find(|s| s.name == secret)
            .map_or_else(|| secret.to_owned(), |s| s.secret_name.clone())
    }

    /// Every component with its name, in a fixed order (edge, load balancers, services, jobs,
    /// databases, buckets, topics, queues, caches, secrets, mail, connections; each in the IR's
    /// order).
    pub fn each_component(&self) -> impl Iterator<Item = (&str, Component<'_>)> {
        (self.edge.iter().map(|e| (e.name.as_str(), Component::Edge(e))))
            .chain(
                self.load_balancers
                    .iter()
                    .map(|l| (l.name.as_str(), Component::LoadBalancer(l))),
            )
            .chain(
                self.services
                    .iter()
                    .map(|s| (s.name.as_str(), Component::Service(s))),
            )
            .chain(self.jobs.iter().map(|j| (j.name.as_str(), Component::Job(j))))
            .chain(
                self.databases
                    .iter()
                    .map(|d| (d.name.as_str(), Component::Database(d))),
            )
            .chain(
                self.buckets
                    .iter()
                    .map(|b| (b.name.as_str(), Component::Bucket(b))),
            )
            .chain(self.topics.iter().map(|t| (t.name.as_str(), Component::Topic(t))))
            .chain(self.queues.iter().map(|q| (q.name.as_str(), Component::Queue(q))))
            .chain(self.caches.iter().map(|c| (c.name.as_str(), Component::Cache(c))))
            .chain(
                self.secrets
                    .iter()
                    .map(|s| (s.name.as_str(), Component::Secret(s))),
            )
            .chain(self.mail.iter().map(|m| (m.name.as_str(), Component::Mail(m))))
            .chain(
                self.connections
                    .iter()
                    .map(|c| (c.name.as_str(), Component::Connection(c))),
            )
    }

    /// The components by name, for a reader that looks many of them up (a scan of every
    /// component per lookup is quadratic: minutes at 100,000 components).
    pub fn components(&self) -> Components<'_> {
        let mut index = rustc_hash::FxHashMap::default();
        for (name, component) in self.each_component() {
            // Names are unique (the checker says so); were two the same, the first here wins.
            index.entry(name).or_insert(component);
        }
        Components(index)
    }
}

/// One component of an environment, as `EnvIr::components` finds it (serialized as the
/// component itself).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Component<'a> {
    Edge(&'a Edge),
    LoadBalancer(&'a LoadBalancer),
    Service(&'a Service),
    Job(&'a Job),
    Database(&'a Database),
    Bucket(&'a Bucket),
    Topic(&'a Topic),
    Queue(&'a Queue),
    Cache(&'a Cache),
    Secret(&'a StoredSecret),
    Mail(&'a Mail),
    Connection(&'a PrivateConnection),
}

impl Component<'_> {
    /// What it is, in words: `load balancer`, `database`, …
    pub fn kind(&self) -> &'static str {
        match self {
            Component::Edge(_) => "edge",
            Component::LoadBalancer(_) => "load balancer",
            Component::Service(_) => "service",
            Component::Job(_) => "job",
            Component::Database(_) => "database",
            Component::Bucket(_) => "bucket",
            Component::Topic(_) => "topic",
            Component::Queue(_) => "queue",
            Component::Cache(_) => "cache",
            Component::Secret(_) => "secret",
            Component::Mail(_) => "mail",
            Component::Connection(_) => "connection",
        }
    }
}

/// An environment's components by name (only looked up, never iterated: output order stays
/// the IR's).
pub struct Components<'a>(rustc_hash::FxHashMap<&'a str, Component<'a>>);

impl<'a> Components<'a> {
    pub fn get(&self, name: &str) -> Option<Component<'a>> {
        self.0.get(name).copied()
    }
}

/// The name AWS knows `name` by, given these renames (see [`EnvIr::physical`]).
pub fn physical<'a>(mut renames: impl Iterator<Item = &'a Rename>, name: &'a str) -> &'a str {
    renames
        .find(|rename| rename.to == name)
        .map_or(name, |rename| rename.from.as_str())
}

/// A component or tier that was called `from` and is now called `to`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Rename {
    pub from: String,
    pub to: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Vpc {
    pub cidr: Spanned<Ipv4Net>,
    /// Full availability-zone names, e.g. `ap-northeast-1a`.
    pub zones: Spanned<Vec<String>>,
    pub egress: Spanned<EgressMode>,
    /// The VPC endpoints the network declares.
    pub endpoints: Spanned<Vec<VpcEndpoint>>,
    /// The tier whose subnets hold the interface endpoints: the first that holds a task
    /// (`None` without interface endpoints or tasks).
    pub endpoint_tier: Option<String>,
    /// VPC Block Public Access, as the account has it, and the exclusions the design needs.
    pub block_public_access: BlockPublicAccessIr,
}

/// A private network the VPC reaches, and the address ranges behind it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct PrivateConnection {
    pub name: String,
    pub kind: ConnectionKind,
    pub cidrs: Spanned<Vec<Ipv4Net>>,
    #[serde(skip)]
    pub origin: Origin,
}

/// How the VPC reaches a private network.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum ConnectionKind {
    /// An attachment to an existing Transit Gateway.
    TransitGateway { gateway: String },
    /// VPC peering with another VPC (another account or region when given).
    VpcPeering {
        peer_vpc: String,
        peer_account: Option<String>,
        peer_region: Option<String>,
    },
    /// A site-to-site VPN from a virtual private gateway to an existing customer gateway.
    SiteToSiteVpn { customer_gateway: String },
}

impl PrivateConnection {
    /// Its address ranges, comma-separated: `172.16.0.0/16, 172.17.0.0/16`.
    pub fn ranges(&self) -> String {
        let cidrs: Vec<String> = self.cidrs.value.iter().map(ToString::to_string).collect();
        cidrs.join(", ")
    }
}

impl ConnectionKind {
    /// "Transit Gateway tgw-…", "VPC peering with vpc-…", "site-to-site VPN to cgw-…".
    pub fn describe(&self) -> String {
        match self {
            ConnectionKind::TransitGateway { gateway } => format!("Transit Gateway {gateway}"),
            ConnectionKind::VpcPeering { peer_vpc, .. } => format!("VPC peering with {peer_vpc}"),
            ConnectionKind::SiteToSiteVpn { customer_gateway } => {
                format!("site-to-site VPN to {customer_gateway}")
            }
        }
    }
}

/// VPC Block Public Access in an environment's account (`block_public_access`,
/// `bpa_exclusions`), and the exclusions archc creates so that the design still works.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct BlockPublicAccessIr {
    pub mode: Spanned<BlockPublicAccess>,
    /// Whether the account may create exclusions (an organization's policy can forbid them).
    pub exclusions_allowed: Spanned<bool>,
    /// What must be excluded for the design to work, whether or not exclusions are allowed
    /// (A022 refuses these when they are not).
    pub exclusions: Vec<BpaExclusion>,
}

/// One VPC Block Public Access exclusion: a subnet, or the whole VPC.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct BpaExclusion {
    /// The subnet's name (`alb-a`, `public-c`), or `None` for the VPC.
    pub subnet: Option<String>,
    pub mode: BpaExclusionMode,
    pub reason: BpaExclusionReason,
}

/// What an exclusion lets through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BpaExclusionMode {
    /// Inbound and outbound (CloudFront's VPC origin connections arrive inbound).
    AllowBidirectional,
    /// Outbound only (NAT egress; takes effect under bidirectional blocking).
    AllowEgress,
}

impl BpaExclusionMode {
    /// The provider's `internet_gateway_exclusion_mode`.
    pub fn aws_name(self) -> &'static str {
        match self {
            BpaExclusionMode::AllowBidirectional => "allow-bidirectional",
            BpaExclusionMode::AllowEgress => "allow-egress",
        }
    }
}

/// Why the design needs an exclusion.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case", tag = "for")]
pub enum BpaExclusionReason {
    /// CloudFront reaches this load balancer through a VPC origin in its subnets.
    VpcOrigin { load_balancer: String },
    /// The NAT's traffic to the internet (tiers with `egress = nat` use it).
    NatEgress,
}

impl BpaExclusionReason {
    /// "CloudFront's VPC origin for `alb`", "the NAT's egress".
    pub fn describe(&self) -> String {
        match self {
            BpaExclusionReason::VpcOrigin { load_balancer } => {
                format!("CloudFront's VPC origin for `{load_balancer}`")
            }
            BpaExclusionReason::NatEgress => "the NAT's egress".to_owned(),
        }
    }
}

/// The security group of the interface endpoints (a name no `.arch` item can have).
pub const ENDPOINTS_GROUP: &str = "vpc-endpoints";

/// What every task needs to start, besides its own flows: its image from ECR (whose layers are
/// in S3) and its logs, and Secrets Manager when it has secrets. Fargate reaches them through
/// the task's own network interface.
pub fn task_needs(has_secrets: bool) -> Vec<VpcEndpoint> {
    let mut needs = vec![VpcEndpoint::Ecr, VpcEndpoint::S3, VpcEndpoint::Logs];
    if has_secrets {
        needs.push(VpcEndpoint::SecretsManager);
    }
    needs
}

/// The prefix list of the S3 gateway endpoint in `region`.
pub fn s3_prefix_list(region: &str) -> String {
    format!("com.amazonaws.{region}.s3")
}

/// A tier of private subnets, one per zone, sharing one route table.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Tier {
    pub name: String,
    pub egress: Spanned<TierEgress>,
    /// The block the tier's subnets were allocated from (`None` for explicit CIDRs).
    pub block: Option<Ipv4Net>,
    pub subnets: Vec<Subnet>,
    /// True when the subnets came from `cidrs = […]`.
    pub explicit: bool,
    #[serde(skip)]
    pub origin: Origin,
    /// Where the subnet size or the explicit CIDRs were written.
    #[serde(skip)]
    pub cidrs_origin: Origin,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Subnet {
    /// `container-a`, `public-a`
    pub name: String,
    pub zone: String,
    pub cidr: Ipv4Net,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case", tag = "strategy")]
pub enum Nat {
    /// One Regional NAT Gateway for the VPC; no public subnet.
    Regional {
        #[serde(skip)]
        origin: Origin,
    },
    /// One NAT gateway per zone, each in that zone's public subnet.
    Zonal {
        subnets: Vec<String>,
        #[serde(skip)]
        origin: Origin,
    },
    /// No NAT: no tier routes to the internet (or there is no network at all).
    None {
        #[serde(skip)]
        origin: Origin,
    },
    /// One NAT instance in the first zone's public subnet.
    Instance {
        instance_type: String,
        subnet: String,
        #[serde(skip)]
        origin: Origin,
    },
}

impl Nat {
    /// "Regional NAT Gateway", "zonal NAT gateways in public-a, public-c", "NAT instance t3.micro in public-a".
    pub fn describe(&self) -> String {
        match self {
            Nat::Regional { .. } => "Regional NAT Gateway".to_owned(),
            Nat::None { .. } => "no NAT".to_owned(),
            Nat::Zonal { subnets, .. } => format!("zonal NAT gateways in {}", subnets.join(", ")),
            Nat::Instance {
                instance_type,
                subnet,
                ..
            } => format!("NAT instance {instance_type} in {subnet}"),
        }
    }

    pub fn origin(&self) -> &Origin {
        match self {
            Nat::Regional { origin }
            | Nat::None { origin }
            | Nat::Zonal { origin, .. }
            | Nat::Instance { origin, .. } => origin,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct RouteTable {
    /// The tier's name, or `public`.
    pub name: String,
    pub subnets: Vec<String>,
    pub routes: Vec<RouteEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct RouteEntry {
    pub destination: Ipv4Net,
    pub target: RouteTarget,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "name")]
pub enum RouteTarget {
    InternetGateway,
    RegionalNatGateway,
    /// The NAT gateway in this zone's public subnet.
    ZonalNatGateway(String),
    NatInstance,
    /// A private connection: its Transit Gateway, peering connection or VPN gateway.
    Connection(String),
}

/// One security group per component in the VPC.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct SecurityGroup {
    /// The component's name.
    pub name: String,
    pub category: String,
    pub tier: String,
    #[serde(skip)]
    pub origin: Origin,
}

/// The CloudFront origin-facing managed prefix list.
pub const CLOUDFRONT_PREFIX_LIST: &str = "com.amazonaws.global.cloudfront.origin-facing";

/// The other side of a security-group rule.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "name")]
pub enum Peer {
    SecurityGroup(String),
    PrefixList(String),
    Cidr(Ipv4Net),
    /// The address ranges behind a private connection (a managed prefix list of them).
    Connection(String),
}

/// One security-group rule: on `group`, to or from `peer`, TCP on `port`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct SgRule {
    pub group: String,
    pub peer: Peer,
    pub port: u16,
    /// The flow it was made for: its protocol and ends (`postgres`, `api`, `main`).
    pub protocol: &'static str,
    pub from: String,
    pub to: String,
    /// Added so that a task can start (its image, logs and secrets), not written as a flow.
    pub to_start: bool,
    /// The flow (or route) the rule was derived from.
    #[serde(skip)]
    pub origin: Origin,
}

impl SgRule {
    /// What the rule is for, e.g. `postgres from api to main`, with each item called by
    /// `name` (its physical name, in what reaches AWS).
    pub fn description<'a>(&'a self, name: impl Fn(&'a str) -> &'a str) -> String {
        if self.to_start {
            return format!(
                "{} from {} to AWS APIs (image, logs, secrets)",
                self.protocol,
                name(&self.from)
            );
        }
        format!(
            "{} from {} to {}",
            self.protocol,
            name(&self.from),
            name(&self.to)
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct FlowIr {
    pub from: Endpoint,
    pub to: Endpoint,
    pub protocol: Protocol,
    pub port: u16,
    /// True for flows implied by an edge route, not written as `flow`.
    pub implied: bool,
    #[serde(skip)]
    pub origin: Origin,
}

/// A service calling another by name through ECS Service Connect: the caller's proxy resolves
/// `<to>` (its discovery name, in the environment's namespace) and connects to its port.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct ServiceCall {
    pub from: String,
    pub to: String,
    /// The target's port (the flow's).
    pub port: u16,
    /// `http` for an `http` flow (Service Connect then reports HTTP metrics), else none.
    pub http: bool,
    #[serde(skip)]
    pub origin: Origin,
}

impl ServiceCall {
    /// The name the caller reaches its target by (`daily-report`): DNS has no `_`.
    pub fn dns_name(&self) -> String {
        dns_label(&self.to)
    }
}

/// A name as a DNS label and Service Connect port name: `_` becomes `-`, lowercase.
pub fn dns_label(name: &str) -> String {
    name.replace('_', "-").to_lowercase()
}

/// A flow to a bucket or a topic: what its source (a service or a job) may do there, as the
/// IAM statements its task role gets.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Grant {
    /// The service or job whose task role gets the statements.
    pub from: String,
    /// The bucket or topic.
    pub to: String,
    pub target: GrantTarget,
    /// The levels written, in the stdlib's order, each once.
    pub access: Vec<Access>,
    /// The narrowest statements for those levels, on that one resource.
    pub statements: Vec<Statement>,
    /// The environment variable that tells the source's tasks where the target is (its bucket
    /// name or topic ARN), e.g. `UPLOADS_BUCKET`.
    pub variable: String,
    #[serde(skip)]
    pub origin: Origin,
}

/// What a grant goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GrantTarget {
    Bucket,
    Topic,
    Queue,
    /// A cache a `redis` flow reaches: IAM authentication as its application user.
    Cache,
    Secret,
    /// A mail component: sending through its SES identity and configuration set.
    Mail,
}

/// One IAM policy statement: `Allow` these actions on one resource.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Statement {
    /// Unique in the role's policy, alphanumeric (`UploadsReadWriteObjects`).
    pub sid: String,
    /// Sorted, each once, never a wildcard.
    pub actions: Vec<&'static str>,
    pub resource: GrantResource,
    /// A condition narrowing the statement further, if any.
    pub condition: Option<GrantCondition>,
}

/// A condition on a statement, in terms of the environment it is written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GrantCondition {
    /// `StringLike` `ses:FromAddress` `*@<the environment's domain>`: mail only from addresses
    /// of the domain its identity verifies.
    FromAddressInDomain,
}

impl GrantCondition {
    /// The condition's test, key and values in `env`.
    pub fn parts(self, env: &EnvIr) -> (&'static str, &'static str, Vec<String>) {
        match self {
            GrantCondition::FromAddressInDomain => (
                "StringLike",
                "ses:FromAddress",
                vec![format!("*@{}", env.mail_domain())],
            ),
        }
    }

    /// In words, for the design document and hover: `when ses:FromAddress StringLike `*@…``.
    pub fn describe(self, env: &EnvIr) -> String {
        let (test, key, values) = self.parts(env);
        format!("when {key} {test} `{}`", values.join("`, `"))
    }
}

/// The resource of a statement, named by component.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "name")]
pub enum GrantResource {
    /// The bucket itself (`arn:aws:s3:::<bucket>`), for listing it.
    Bucket(String),
    /// The bucket's objects (`arn:aws:s3:::<bucket>/*`).
    Objects(String),
    /// The topic (`arn:aws:sns:<region>:<account>:<topic>`).
    Topic(String),
    /// The queue (`arn:aws:sqs:<region>:<account>:<queue>`).
    Queue(String),
    /// The cache (`…:serverlesscache:<name>` or `…:replicationgroup:<name>`).
    Cache(String),
    /// The cache's application user (`arn:aws:elasticache:<region>:<account>:user:<id>`).
    CacheUser(String),
    /// The secret (`arn:aws:secretsmanager:<region>:<account>:secret:<name>-??????`).
    Secret(String),
    /// A mail component's SES domain identity (`arn:aws:ses:<region>:<account>:identity/<domain>`).
    MailIdentity(String),
    /// A mail component's configuration set (`…:configuration-set/<system>-<env>-<name>`).
    MailConfigurationSet(String),
}

impl GrantResource {
    /// The component the resource belongs to.
    pub fn component(&self) -> &str {
        match self {
            GrantResource::Bucket(name)
            | GrantResource::Objects(name)
            | GrantResource::Topic(name)
            | GrantResource::Queue(name)
            | GrantResource::Cache(name)
            | GrantResource::CacheUser(name)
            | GrantResource::Secret(name)
            | GrantResource::MailIdentity(name)
            | GrantResource::MailConfigurationSet(name) => name,
        }
    }

    /// Its ARN in `env` of `system`, as AWS will know it (a renamed component keeps its
    /// physical name).
    pub fn arn(&self, system: &str, env: &EnvIr) -> String {
        let physical = env.physical(self.component());
        match self {
            GrantResource::Bucket(_) => format!(
                "arn:aws:s3:::{}",
                crate::naming::bucket(system, &env.name, &env.account, physical)
            ),
            GrantResource::Objects(_) => format!(
                "arn:aws:s3:::{}/*",
                crate::naming::bucket(system, &env.name, &env.account, physical)
            ),
            GrantResource::Topic(_) => format!(
                "arn:aws:sns:{}:{}:{}",
                env.region,
                env.account,
                crate::naming::physical(system, &env.name, physical)
            ),
            GrantResource::Queue(queue) => format!(
                "arn:aws:sqs:{}:{}:{}",
                env.region,
                env.account,
                env.queue_name(system, queue)
            ),
            GrantResource::Cache(cache) => {
                let serverless = env
                    .caches
                    .iter()
                    .any(|c| c.name == *cache && matches!(c.nodes, CacheNodes::Serverless { .. }));
                format!(
                    "arn:aws:elasticache:{}:{}:{}:{}",
                    env.region,
                    env.account,
                    if serverless {
                        "serverlesscache"
                    } else {
                        "replicationgroup"
                    },
                    crate::naming::cache(system, &env.name, physical)
                )
            }
            GrantResource::Secret(secret) => {
                crate::naming::secret_arn(&env.region, &env.account, &env.secret_name(secret))
            }
            GrantResource::CacheUser(_) => format!(
                "arn:aws:elasticache:{}:{}:user:{}",
                env.region,
                env.account,
                crate::naming::cache_user(system, &env.name, physical)
            ),
            GrantResource::MailIdentity(_) => format!(
                "arn:aws:ses:{}:{}:identity/{}",
                env.region,
                env.account,
                env.mail_domain()
            ),
            GrantResource::MailConfigurationSet(_) => format!(
                "arn:aws:ses:{}:{}:configuration-set/{}",
                env.region,
                env.account,
                crate::naming::physical(system, &env.name, physical)
            ),
        }
    }
}

impl Grant {
    /// What it allows, as the language says it: `read, write`; `connect` for a cache's IAM
    /// sign-in (which a `redis` flow grants, with no level written).
    pub fn levels(&self) -> String {
        if self.target == GrantTarget::Cache {
            return "connect".to_owned();
        }
        let levels: Vec<&str> = self.access.iter().map(|a| a.as_str()).collect();
        levels.join(", ")
    }

    /// The value of the grant's environment variable in `env`: the bucket's name, the
    /// topic's ARN, the queue's URL, or the cache's application user.
    pub fn location(&self, system: &str, env: &EnvIr) -> String {
        let physical = env.physical(&self.to);
        match self.target {
            GrantTarget::Cache => crate::naming::cache_user(system, &env.name, physical),
            GrantTarget::Secret => env.secret_name(&self.to),
            GrantTarget::Mail => env.mail_domain().to_owned(),
            GrantTarget::Bucket => crate::naming::bucket(system, &env.name, &env.account, physical),
            GrantTarget::Topic => GrantResource::Topic(self.to.clone()).arn(system, env),
            GrantTarget::Queue => format!(
                "https://sqs.{}.amazonaws.com/{}/{}",
                env.region,
                env.account,
                env.queue_name(system, &self.to)
            ),
        }
    }
}

/// One end of a flow: a component of the system, or the internet outside it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Endpoint {
    Internet,
    Component(String),
}

impl Endpoint {
    /// The endpoint a flow names: `internet` or a component.
    pub fn named(name: &str) -> Self {
        if name == crate::resolve::INTERNET {
            Endpoint::Internet
        } else {
            Endpoint::Component(name.to_owned())
        }
    }

    /// `internet`, or the component's name.
    pub fn name(&self) -> &str {
        match self {
            Endpoint::Internet => crate::resolve::INTERNET,
            Endpoint::Component(name) => name,
        }
    }

    pub fn component(&self) -> Option<&str> {
        match self {
            Endpoint::Internet => None,
            Endpoint::Component(name) => Some(name),
        }
    }

    pub fn is_internet(&self) -> bool {
        matches!(self, Endpoint::Internet)
    }
}

/// An endpoint equals a component's name when it is that component (never the internet).
impl PartialEq<String> for Endpoint {
    fn eq(&self, name: &String) -> bool {
        self.component() == Some(name.as_str())
    }
}

impl PartialEq<&str> for Endpoint {
    fn eq(&self, name: &&str) -> bool {
        self.component() == Some(*name)
    }
}

impl PartialEq<str> for Endpoint {
    fn eq(&self, name: &str) -> bool {
        self.component() == Some(name)
    }
}

impl std::fmt::Display for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl Serialize for Endpoint {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

/// What a flow carries: a named protocol, or plain TCP on its port.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Protocol {
    Named(WebProtocol),
    Tcp,
}

impl Protocol {
    /// `https`, `postgres`, `tcp`.
    pub fn name(self) -> &'static str {
        match self {
            Protocol::Named(protocol) => protocol.as_str(),
            Protocol::Tcp => "tcp",
        }
    }
}

impl Serialize for Protocol {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Certificate {
    /// The domain of `acm("…")`, or `None` for a certificate given by ARN.
    pub domain: Option<String>,
    pub arn: Option<String>,
    /// Where it is (or must be) issued.
    pub region: String,
    #[serde(skip)]
    pub origin: Origin,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Edge {
    pub name: String,
    pub certificate: Certificate,
    pub headers: HeadersPolicy,
    pub price_class: PriceClass,
    pub access_logs: Option<Spanned<String>>,
    pub origins: Vec<EdgeOrigin>,
    pub behaviours: Vec<Behaviour>,
    /// The web ACL in front of the distribution, if the source asks for one.
    pub waf: Option<WebAcl>,
    /// The status `/index.html` answers missing paths with (a single-page application).
    pub spa_fallback: Option<Spanned<i64>>,
    #[serde(skip)]
    pub origin: Origin,
}

/// An AWS WAF web ACL of the edge (scope CLOUDFRONT, in us-east-1).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct WebAcl {
    /// AWS managed rule groups, in the order written, each once.
    pub managed: Vec<ManagedRuleGroup>,
    /// Requests per client address in 5 minutes; `None` for no rate limit.
    pub rate_limit: Option<Spanned<i64>>,
    /// Addresses always blocked.
    pub deny: Vec<Ipv4Net>,
    /// Addresses always let through.
    pub allow: Vec<Ipv4Net>,
    #[serde(skip)]
    pub origin: Origin,
}

/// The capacity a rate-based rule and an IP set reference take (AWS WAF Developer Guide,
/// "Web ACL capacity units"): 2 for a rate limit on the client address, 1 for an IP set.
pub const RATE_LIMIT_CAPACITY: u32 = 2;
pub const IP_SET_CAPACITY: u32 = 1;

impl WebAcl {
    /// The rules it holds: one per managed group, the rate limit and each address list.
    pub fn rule_count(&self) -> usize {
        self.managed.len()
            + usize::from(self.rate_limit.is_some())
            + usize::from(!self.deny.is_empty())
            + usize::from(!self.allow.is_empty())
    }

    /// Its web ACL capacity units (CloudFront includes 1,500; up to 5,000 at a request fee).
    pub fn capacity(&self) -> u32 {
        self.managed.iter().map(|g| g.capacity()).sum::<u32>()
            + if self.rate_limit.is_some() {
                RATE_LIMIT_CAPACITY
            } else {
                0
            }
            + IP_SET_CAPACITY * (u32::from(!self.deny.is_empty()) + u32::from(!self.allow.is_empty()))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EdgeOriginKind {
    /// The internal load balancer through a CloudFront VPC origin.
    VpcOrigin,
    /// A bucket through origin access control.
    S3,
    /// An S3 website endpoint (HTTP custom origin).
    S3Website,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct EdgeOrigin {
    /// The target component's name.
    pub name: String,
    pub kind: EdgeOriginKind,
}

/// A CloudFront cache behaviour.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Behaviour {
    pub pattern: String,
    pub target: String,
    pub target_kind: EdgeOriginKind,
    /// The purpose of an `s3` bucket target (`None` for a website or a load balancer).
    pub target_purpose: Option<BucketPurpose>,
    pub cache_policy: Spanned<CachePolicy>,
    pub origin_request_policy: Spanned<Option<OriginRequestPolicy>>,
    #[serde(skip)]
    pub origin: Origin,
}

/// CloudFront's managed cache policies that routes use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum CachePolicy {
    #[serde(rename = "Managed-CachingDisabled")]
    CachingDisabled,
    #[serde(rename = "Managed-CachingOptimized")]
    CachingOptimized,
}

impl CachePolicy {
    /// The policy for a route's `cache` mode.
    pub fn of(mode: CacheMode) -> Self {
        match mode {
            CacheMode::Disabled => CachePolicy::CachingDisabled,
            CacheMode::Optimized => CachePolicy::CachingOptimized,
        }
    }

    /// The managed policy's name in AWS.
    pub fn managed_name(self) -> &'static str {
        match self {
            CachePolicy::CachingDisabled => "Managed-CachingDisabled",
            CachePolicy::CachingOptimized => "Managed-CachingOptimized",
        }
    }
}

/// CloudFront's managed origin request policies that routes use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum OriginRequestPolicy {
    #[serde(rename = "Managed-AllViewer")]
    AllViewer,
    #[serde(rename = "Managed-CORS-S3Origin")]
    CorsS3Origin,
}

impl OriginRequestPolicy {
    /// The policy for a route's `forward` mode (`none` forwards nothing: no policy).
    pub fn of(mode: ForwardMode) -> Option<Self> {
        match mode {
            ForwardMode::AllViewer => Some(OriginRequestPolicy::AllViewer),
            ForwardMode::CorsS3 => Some(OriginRequestPolicy::CorsS3Origin),
            ForwardMode::None => None,
        }
    }

    /// The managed policy's name in AWS.
    pub fn managed_name(self) -> &'static str {
        match self {
            OriginRequestPolicy::AllViewer => "Managed-AllViewer",
            OriginRequestPolicy::CorsS3Origin => "Managed-CORS-S3Origin",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct LoadBalancer {
    pub name: String,
    pub tier: String,
    pub internal: Spanned<bool>,
    pub listen: u16,
    /// The listener for blue/green test traffic, when it has one.
    pub test_listen: Option<Spanned<u16>>,
    pub certificate: Certificate,
    pub access_logs: Option<Spanned<String>>,
    pub health_check: String,
    pub idle_timeout_seconds: Spanned<u64>,
    #[serde(skip)]
    pub origin: Origin,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Scaling {
    pub min: Spanned<i64>,
    pub max: Spanned<i64>,
    pub cpu_target: Option<u8>,
    pub memory_target: Option<u8>,
    pub scale_out_cooldown_seconds: Spanned<u64>,
    pub scale_in_cooldown_seconds: Spanned<u64>,
    /// Scaling on a queue's backlog (a worker), instead of or beside CPU and memory.
    pub queue: Option<QueueScaling>,
}

/// Target tracking on a queue's backlog: visible messages per running task.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct QueueScaling {
    pub queue: Spanned<String>,
    /// The messages per task to keep.
    pub backlog: i64,
}

/// A secret injected from Secrets Manager.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Secret {
    pub variable: String,
    pub secret_name: String,
}

/// A plain environment variable.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct EnvVar {
    pub name: String,
    pub value: String,
    #[serde(skip)]
    pub origin: Origin,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Service {
    pub name: String,
    pub tier: String,
    /// The ECR repository name.
    pub image: String,
    /// The port it listens on; `None` for a worker that only consumes a queue.
    pub port: Option<Spanned<u16>>,
    /// CPU units and MiB per task (AWS takes only the pairs of its Fargate table).
    pub cpu: Spanned<i64>,
    pub memory: Spanned<i64>,
    pub scale: Scaling,
    pub secrets: Vec<Secret>,
    pub environment: Vec<EnvVar>,
    pub migrate: Spanned<Vec<String>>,
    pub command: Vec<String>,
    pub health_check: Option<String>,
    /// The longest one queue message takes to handle, when it consumes a queue.
    pub handle_time_seconds: Option<Spanned<u64>>,
    pub public_ip: Spanned<bool>,
    /// How a new version replaces the running one (`rolling`, or ECS's built-in blue/green).
    pub deploy: Spanned<DeployStrategy>,
    /// With blue/green: how long the old version stays after traffic has moved.
    pub bake_time_seconds: Spanned<u64>,
    /// The load balancer whose flow reaches this service, if any.
    pub load_balancer: Option<String>,
    #[serde(skip)]
    pub origin: Origin,
}

impl Service {
    /// Deployed with ECS's built-in blue/green, behind its load balancer (A023 refuses
    /// `deploy = blue_green` without one).
    pub fn is_blue_green(&self) -> bool {
        self.deploy.value == DeployStrategy::BlueGreen && self.load_balancer.is_some()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Job {
    pub name: String,
    pub tier: String,
    pub image: String,
    pub schedule: Spanned<Schedule>,
    pub command: Vec<String>,
    pub cpu: Spanned<i64>,
    pub memory: Spanned<i64>,
    pub secrets: Vec<Secret>,
    pub environment: Vec<EnvVar>,
    /// The longest one queue message takes to handle, when it consumes a queue.
    pub handle_time_seconds: Option<Spanned<u64>>,
    pub public_ip: Spanned<bool>,
    #[serde(skip)]
    pub origin: Origin,
}

/// When a job runs.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Schedule {
    /// The six fields of `cron(…)`.
    Cron(String),
    /// `rate(…)`, in seconds as written (EventBridge Scheduler takes whole minutes).
    Rate(u64),
}

impl Schedule {
    /// `cron(0 18 * * ? *)` or `rate(1 hour)`, as EventBridge Scheduler writes it: a rate in its
    /// largest whole unit (a rate that is not whole minutes is refused before it gets here).
    pub fn expression(&self) -> String {
        match self {
            Schedule::Cron(fields) => format!("cron({fields})"),
            Schedule::Rate(seconds) => {
                let (amount, unit) = if seconds.is_multiple_of(86_400) {
                    (seconds / 86_400, "day")
                } else if seconds.is_multiple_of(3_600) {
                    (seconds / 3_600, "hour")
                } else {
                    (seconds / 60, "minute")
                };
                let plural = if amount == 1 { "" } else { "s" };
                format!("rate({amount} {unit}{plural})")
            }
        }
    }
}

impl Serialize for Schedule {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.expression())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Database {
    pub name: String,
    pub tier: String,
    pub engine: String,
    pub version: String,
    pub writers: i64,
    pub readers: i64,
    pub instance_class: String,
    pub port: u16,
    pub deletion_protection: Spanned<bool>,
    pub encrypted: Spanned<bool>,
    pub final_snapshot: Spanned<bool>,
    /// How long automated backups are kept, in seconds as written (AWS takes 1–35 whole days).
    pub backup_retention_seconds: Spanned<u64>,
    #[serde(skip)]
    pub origin: Origin,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Bucket {
    pub name: String,
    /// What an `s3` bucket holds; `None` for an `s3_website` bucket (see `website`).
    pub purpose: Option<BucketPurpose>,
    pub versioning: bool,
    /// Objects expire this long after creation, in seconds as written (AWS takes whole days).
    pub expire_after_seconds: Option<Spanned<u64>>,
    pub website: Option<Website>,
    /// The service or job that publishes its content (`published_by`), the one whose flows may
    /// write into it when the edge serves it.
    pub published_by: Option<Spanned<String>>,
    #[serde(skip)]
    pub origin: Origin,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Website {
    pub index_document: String,
    pub redirect_all_to: Option<String>,
}

/// The port of an ElastiCache Serverless cache's endpoint (AWS's, not a choice).
pub const SERVERLESS_CACHE_PORT: u16 = 6379;

/// A Valkey or Redis OSS cache in a tier; tasks sign in to it with IAM authentication as its
/// application user.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Cache {
    pub name: String,
    pub tier: String,
    pub nodes: CacheNodes,
    pub port: u16,
    /// Daily snapshots kept.
    pub snapshots: i64,
    #[serde(skip)]
    pub origin: Origin,
}

/// How a cache runs.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum CacheNodes {
    /// ElastiCache Serverless for Valkey, within these ceilings.
    Serverless { max_data_gb: i64, max_ecpu: i64 },
    /// A replication group: a primary and `replicas` in other zones.
    Nodes {
        engine: CacheEngine,
        version: Spanned<String>,
        node_type: String,
        replicas: Spanned<i64>,
    },
}

impl Cache {
    /// The engine as ElastiCache spells it.
    pub fn engine(&self) -> &'static str {
        match &self.nodes {
            CacheNodes::Serverless { .. } => "valkey",
            CacheNodes::Nodes { engine, .. } => engine.as_str(),
        }
    }
}

/// Sending e-mail through Amazon SES from the environment's domain (`EnvIr::mail_domain`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Mail {
    pub name: String,
    /// Easy DKIM signing (R019 requires it).
    pub dkim: Spanned<bool>,
    /// The DMARC policy archc publishes (R020: enforced in production).
    pub dmarc: Spanned<DmarcPolicy>,
    /// Where DMARC aggregate reports go.
    pub dmarc_reports: Option<String>,
    /// The first label of the custom MAIL FROM domain.
    pub mail_from: Option<String>,
    /// Messages a month, for the cost estimate.
    pub monthly_messages: i64,
    #[serde(skip)]
    pub origin: Origin,
}

impl Mail {
    /// The custom MAIL FROM domain in `env`: `<label>.<domain>`.
    pub fn mail_from_domain(&self, env: &EnvIr) -> Option<String> {
        self.mail_from
            .as_ref()
            .map(|label| format!("{label}.{}", env.mail_domain()))
    }

    /// The DMARC record's text, when archc publishes one.
    pub fn dmarc_record(&self) -> Option<String> {
        let policy = self.dmarc.value.tag()?;
        Some(match &self.dmarc_reports {
            Some(address) => format!("v=DMARC1; p={policy}; rua=mailto:{address}"),
            None => format!("v=DMARC1; p={policy}"),
        })
    }
}

/// Someone who may assume an environment's Terraform role.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "name")]
pub enum Operator {
    /// An IAM Identity Center permission set: the roles Identity Center provisions for it in
    /// the account, `AWSReservedSSO_<name>_<suffix>` under `aws-reserved/sso.amazonaws.com/`.
    PermissionSet(String),
    /// An IAM principal by ARN.
    Principal(String),
}

impl Operator {
    /// What the source wrote: a permission set's name, or an ARN.
    pub fn parse(text: &str) -> Operator {
        if text.starts_with("arn:") {
            Operator::Principal(text.to_owned())
        } else {
            Operator::PermissionSet(text.to_owned())
        }
    }

    /// The `aws:PrincipalArn` pattern (`ArnLike`) that admits it in `account`. An Identity
    /// Center role's path may carry a region (`…/sso.amazonaws.com/eu-west-1/`), hence the `*`.
    pub fn principal_pattern(&self, account: &str) -> String {
        match self {
            Operator::PermissionSet(name) => {
                format!("arn:aws:iam::{account}:role/aws-reserved/sso.amazonaws.com/*AWSReservedSSO_{name}_*")
            }
            Operator::Principal(arn) => arn.clone(),
        }
    }

    /// A pattern of roles `principal_pattern` admits by accident, if any: the role of a
    /// permission set is `AWSReservedSSO_<name>_<suffix>` with a suffix of hex digits, so
    /// `…_<name>_*` also admits a set named `<name>_<more>`, which `…_<name>_*_*` refuses
    /// (unless such a set is among `operators` too).
    pub fn lookalike_pattern(&self, account: &str, operators: &[Operator]) -> Option<String> {
        let Operator::PermissionSet(name) = self else {
            return None;
        };
        let longer = format!("{name}_");
        let listed = operators
            .iter()
            .any(|o| matches!(o, Operator::PermissionSet(other) if other.starts_with(&longer)));
        (!listed).then(|| {
            format!("arn:aws:iam::{account}:role/aws-reserved/sso.amazonaws.com/*AWSReservedSSO_{name}_*_*")
        })
    }

    /// Why it may not operate, if so: an IAM user holds long-lived keys; the account root
    /// admits every user and role of the account.
    pub fn refused(&self) -> Option<&'static str> {
        let Operator::Principal(arn) = self else {
            return None;
        };
        let resource = arn.splitn(6, ':').nth(5).unwrap_or_default();
        if resource.starts_with("user/") {
            Some("an IAM user: long-lived access keys or a password of its own, outside single sign-on")
        } else if resource == "root" {
            Some("the account root: it admits every IAM user and role of the account")
        } else {
            None
        }
    }
}

/// A Secrets Manager secret, by the name it was created with outside archc.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct StoredSecret {
    pub name: String,
    pub secret_name: String,
    #[serde(skip)]
    pub origin: Origin,
}

/// An SQS queue with its dead-letter queue.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Queue {
    pub name: String,
    pub fifo: bool,
    pub visibility_timeout_seconds: Spanned<u64>,
    pub retention_seconds: Spanned<u64>,
    pub max_receives: i64,
    pub dead_letter_retention_seconds: Spanned<u64>,
    #[serde(skip)]
    pub origin: Origin,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Topic {
    pub name: String,
    pub email: Vec<String>,
    #[serde(skip)]
    pub origin: Origin,
}

/// What an alarm's threshold counts, as written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ThresholdUnit {
    Count,
    Percent,
    Seconds,
}

impl ThresholdUnit {
    /// The threshold as the language writes it: `80%`, `10`, `5m`.
    pub fn text(self, threshold: i64) -> String {
        match self {
            ThresholdUnit::Count => threshold.to_string(),
            ThresholdUnit::Percent => format!("{threshold}%"),
            ThresholdUnit::Seconds => duration_text(u64::try_from(threshold).unwrap_or_default()),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Alarm {
    pub name: String,
    pub component: String,
    pub metric: String,
    /// A percentage, a count or seconds, as written (see `threshold_unit`).
    pub threshold: i64,
    pub threshold_unit: ThresholdUnit,
    /// How long the metric must stay above the threshold (one-minute periods).
    pub period_seconds: Spanned<u64>,
    pub topic: String,
    #[serde(skip)]
    pub origin: Origin,
}

#[cfg(test)]
mod tests {
    use super::Operator;

    #[test]
    fn an_operator_admits_its_permission_sets_roles_and_no_lookalike_unless_listed() {
        let admin = Operator::parse("Admin");
        let listed = [admin.clone(), Operator::parse("Admin_Readonly")];
        assert_eq!(
            admin.principal_pattern("111111111111"),
            "arn:aws:iam::111111111111:role/aws-reserved/sso.amazonaws.com/*AWSReservedSSO_Admin_*"
        );
        // Alone, `Admin` refuses the roles of `Admin_<more>`; beside `Admin_Readonly` it may not.
        assert_eq!(
            admin.lookalike_pattern("111111111111", std::slice::from_ref(&admin)),
            Some(
                "arn:aws:iam::111111111111:role/aws-reserved/sso.amazonaws.com/*AWSReservedSSO_Admin_*_*"
                    .into()
            )
        );
        assert_eq!(admin.lookalike_pattern("111111111111", &listed), None);
        let role = Operator::parse("arn:aws:iam::111111111111:role/break-glass");
        assert_eq!(
            role.principal_pattern("111111111111"),
            "arn:aws:iam::111111111111:role/break-glass"
        );
        assert_eq!(role.lookalike_pattern("111111111111", &listed), None);
        assert_eq!(role.refused(), None);
        assert!(
            Operator::parse("arn:aws:iam::111111111111:user/alice")
                .refused()
                .is_some()
        );
        assert!(
            Operator::parse("arn:aws:iam::111111111111:root")
                .refused()
                .is_some()
        );
    }
}
