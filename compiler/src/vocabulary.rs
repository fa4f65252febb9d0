//! The closed sets of the language as Rust enums: each mirrors one stdlib `enum`, which stays
//! the one place its members, their docs and the fields' defaults are declared. A test checks
//! that every enum here has exactly the members of its stdlib namesake, so a member added to
//! the stdlib without code to lower it fails the build's tests instead of falling through to a
//! guess.

use serde::Serialize;

/// An enum of the language: its stdlib name and its members by name.
pub trait StdlibEnum: Sized + Copy + 'static {
    /// The stdlib enum this mirrors (`bucket_purpose`).
    const NAME: &'static str;
    /// Every member with the name the stdlib spells it by, in the stdlib's order.
    const MEMBERS: &'static [(&'static str, Self)];

    /// The member the stdlib calls `name`.
    fn named(name: &str) -> Option<Self> {
        Self::MEMBERS.iter().find(|(n, _)| *n == name).map(|(_, m)| *m)
    }
}

/// Declares an enum that mirrors a stdlib enum, with its members' stdlib names.
macro_rules! stdlib_enum {
    ($(#[$doc:meta])* $name:ident = $stdlib:literal { $($(#[$member_doc:meta])* $member:ident = $spelled:literal,)* }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $($(#[$member_doc])* $member,)*
        }

        impl StdlibEnum for $name {
            const NAME: &'static str = $stdlib;
            const MEMBERS: &'static [(&'static str, Self)] = &[$(($spelled, $name::$member),)*];
        }

        /// Serialized as the stdlib spells it (`class_200`).
        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl $name {
            /// The name the stdlib spells this member by.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$member => $spelled,)*
                }
            }
        }
    };
}

stdlib_enum! {
    /// How strict the design rules are for an environment.
    Stage = "stage" {
        Production = "production",
        Staging = "staging",
        Development = "development",
    }
}

stdlib_enum! {
    /// The NAT strategy of an environment (besides a NAT instance, which is a call).
    NatMode = "nat_mode" {
        Regional = "regional",
        Zonal = "zonal",
    }
}

stdlib_enum! {
    /// The named protocols of flows, each with its well-known port.
    WebProtocol = "web_protocol" {
        Https = "https",
        Http = "http",
        Postgres = "postgres",
        Mysql = "mysql",
        Redis = "redis",
    }
}

impl WebProtocol {
    pub fn port(self) -> u16 {
        match self {
            WebProtocol::Https => 443,
            WebProtocol::Http => 80,
            WebProtocol::Postgres => 5432,
            WebProtocol::Mysql => 3306,
            WebProtocol::Redis => 6379,
        }
    }
}

stdlib_enum! {
    /// What a bucket holds.
    BucketPurpose = "bucket_purpose" {
        Static = "static",
        AccessLogs = "access_logs",
        TerraformState = "terraform_state",
        Data = "data",
    }
}

stdlib_enum! {
    /// How the edge caches a route.
    CacheMode = "cache_mode" {
        Disabled = "disabled",
        Optimized = "optimized",
    }
}

stdlib_enum! {
    /// What the edge forwards to a route's origin.
    ForwardMode = "forward_mode" {
        AllViewer = "all_viewer",
        CorsS3 = "cors_s3",
        None = "none",
    }
}

stdlib_enum! {
    /// The response headers the edge adds.
    HeadersPolicy = "headers_policy" {
        SecurityHeaders = "security_headers",
        None = "none",
    }
}

stdlib_enum! {
    /// Where CloudFront serves from.
    PriceClass = "price_class" {
        All = "all",
        Class200 = "class_200",
        Class100 = "class_100",
    }
}

stdlib_enum! {
    /// Where a network's traffic may go besides the internet.
    EgressMode = "egress_mode" {
        InternetOnly = "internet_only",
        Private = "private",
    }
}

stdlib_enum! {
    /// How a tier reaches the internet.
    TierEgress = "tier_egress" {
        Nat = "nat",
        None = "none",
    }
}

stdlib_enum! {
    /// The VPC endpoints a network may declare, so that tasks reach AWS without the NAT.
    VpcEndpoint = "vpc_endpoint" {
        S3 = "s3",
        Ecr = "ecr",
        Logs = "logs",
        SecretsManager = "secrets_manager",
        Ssm = "ssm",
    }
}

impl VpcEndpoint {
    /// The AWS service names of the endpoints this stands for, after `com.amazonaws.<region>.`
    /// (ECR needs two: its API and the Docker registry).
    pub fn services(self) -> &'static [&'static str] {
        match self {
            VpcEndpoint::S3 => &["s3"],
            VpcEndpoint::Ecr => &["ecr.api", "ecr.dkr"],
            VpcEndpoint::Logs => &["logs"],
            VpcEndpoint::SecretsManager => &["secretsmanager"],
            VpcEndpoint::Ssm => &["ssm"],
        }
    }

    /// A gateway endpoint (a route, free) rather than interface endpoints (ENIs, billed hourly).
    pub fn is_gateway(self) -> bool {
        self == VpcEndpoint::S3
    }
}

stdlib_enum! {
    /// Where an environment's public hosted zone comes from.
    HostedZone = "hosted_zone" {
        Create = "create",
        Existing = "existing",
    }
}

stdlib_enum! {
    /// How a service's new version replaces the running one.
    DeployStrategy = "deploy_strategy" {
        Rolling = "rolling",
        BlueGreen = "blue_green",
    }
}

stdlib_enum! {
    /// VPC Block Public Access, as an environment's account has it.
    BlockPublicAccess = "block_public_access" {
        Off = "off",
        Ingress = "ingress",
        Bidirectional = "bidirectional",
    }
}

stdlib_enum! {
    /// What a flow to a bucket, a queue or a topic grants its source.
    Access = "access" {
        Read = "read",
        Write = "write",
        Delete = "delete",
        Publish = "publish",
        Send = "send",
        Consume = "consume",
    }
}

stdlib_enum! {
    /// The engine of a node-based cache.
    CacheEngine = "cache_engine" {
        Valkey = "valkey",
        Redis = "redis",
    }
}

stdlib_enum! {
    /// A DMARC policy (`p=`), or no record.
    DmarcPolicy = "dmarc_policy" {
        Reject = "reject",
        Quarantine = "quarantine",
        Monitor = "monitor",
        Off = "off",
    }
}

impl DmarcPolicy {
    /// The `p=` of the record, when archc publishes one.
    pub fn tag(self) -> Option<&'static str> {
        match self {
            DmarcPolicy::Reject => Some("reject"),
            DmarcPolicy::Quarantine => Some("quarantine"),
            DmarcPolicy::Monitor => Some("none"),
            DmarcPolicy::Off => None,
        }
    }

    /// Whether receivers act on mail that fails (a policy, not only reports).
    pub fn enforced(self) -> bool {
        matches!(self, DmarcPolicy::Reject | DmarcPolicy::Quarantine)
    }
}

stdlib_enum! {
    /// An AWS managed rule group of WAF.
    ManagedRuleGroup = "managed_rule_group" {
        Common = "common",
        KnownBadInputs = "known_bad_inputs",
        IpReputation = "ip_reputation",
        AnonymousIp = "anonymous_ip",
        SqlInjection = "sql_injection",
        Linux = "linux",
        Unix = "unix",
        AdminProtection = "admin_protection",
        Php = "php",
        Wordpress = "wordpress",
        Windows = "windows",
    }
}

impl ManagedRuleGroup {
    /// Its name in AWS WAF (vendor `AWS`).
    pub fn aws_name(self) -> &'static str {
        match self {
            ManagedRuleGroup::Common => "AWSManagedRulesCommonRuleSet",
            ManagedRuleGroup::KnownBadInputs => "AWSManagedRulesKnownBadInputsRuleSet",
            ManagedRuleGroup::IpReputation => "AWSManagedRulesAmazonIpReputationList",
            ManagedRuleGroup::AnonymousIp => "AWSManagedRulesAnonymousIpList",
            ManagedRuleGroup::SqlInjection => "AWSManagedRulesSQLiRuleSet",
            ManagedRuleGroup::Linux => "AWSManagedRulesLinuxRuleSet",
            ManagedRuleGroup::Unix => "AWSManagedRulesUnixRuleSet",
            ManagedRuleGroup::AdminProtection => "AWSManagedRulesAdminProtectionRuleSet",
            ManagedRuleGroup::Php => "AWSManagedRulesPHPRuleSet",
            ManagedRuleGroup::Wordpress => "AWSManagedRulesWordPressRuleSet",
            ManagedRuleGroup::Windows => "AWSManagedRulesWindowsRuleSet",
        }
    }

    /// The web ACL capacity units it takes (AWS WAF Developer Guide, "AWS Managed Rules rule
    /// groups list").
    pub fn capacity(self) -> u32 {
        match self {
            ManagedRuleGroup::Common => 700,
            ManagedRuleGroup::KnownBadInputs
            | ManagedRuleGroup::SqlInjection
            | ManagedRuleGroup::Linux
            | ManagedRuleGroup::Windows => 200,
            ManagedRuleGroup::IpReputation => 25,
            ManagedRuleGroup::AnonymousIp => 50,
            ManagedRuleGroup::Unix
            | ManagedRuleGroup::AdminProtection
            | ManagedRuleGroup::Php
            | ManagedRuleGroup::Wordpress => 100,
        }
    }
}

/// Every enum here, as (stdlib name, member names), for the test against the stdlib.
pub fn all() -> Vec<(&'static str, Vec<&'static str>)> {
    fn names<T: StdlibEnum>() -> (&'static str, Vec<&'static str>) {
        (T::NAME, T::MEMBERS.iter().map(|(n, _)| *n).collect())
    }
    vec![
        names::<Stage>(),
        names::<NatMode>(),
        names::<WebProtocol>(),
        names::<BucketPurpose>(),
        names::<CacheMode>(),
        names::<ForwardMode>(),
        names::<HeadersPolicy>(),
        names::<PriceClass>(),
        names::<EgressMode>(),
        names::<TierEgress>(),
        names::<VpcEndpoint>(),
        names::<HostedZone>(),
        names::<BlockPublicAccess>(),
        names::<DeployStrategy>(),
        names::<Access>(),
        names::<CacheEngine>(),
        names::<DmarcPolicy>(),
        names::<ManagedRuleGroup>(),
    ]
}

#[cfg(test)]
mod tests {
    use crate::date::Date;
    use crate::db::{RootDatabase, Workspace};

    #[test]
    fn every_enum_has_exactly_the_members_of_its_stdlib_namesake() {
        let db = RootDatabase::default();
        let workspace = Workspace::from_sources(&db, Vec::new(), Date::from_unix_days(0));
        let catalogue = crate::catalogue::catalogue(&db, workspace);
        for (name, members) in super::all() {
            let Some(stdlib) = catalogue.enums.get(name) else {
                panic!("the stdlib has no enum `{name}`");
            };
            assert_eq!(
                stdlib.variant_names(),
                members,
                "`{name}`: the stdlib and vocabulary.rs differ"
            );
        }
    }
}
