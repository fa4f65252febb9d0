//! AWS's own constraints (`A001`–`A024`): what AWS would refuse when the output is applied, or
//! accept and then not run, checked at compile time over each environment's IR.
//!
//! The design rules (`rules`) say what a good design is and can be waived; these say what AWS
//! allows, and cannot. Each check names the limit and where AWS documents it (the `archc
//! explain` page of its code). They share the rules' findings, so a constraint broken alike in
//! every environment is reported once. Where the fix is obvious and safe, lowering makes it
//! instead (the egress a task needs to start, the VPC origin's port), and nothing here checks it.
//! Like the rules, they read only the IR.
//!
//! `values` holds the single values AWS bounds (task sizes, durations, zones, subnet sizes,
//! cache engine versions);
//! `edge` the domains, certificates and routes; `flows` what flows and tasks need to work;
//! `queues` what queues and their consumers need to work; `mail` what sending mail needs;
//! `network` what VPC Block Public Access leaves of the design and the ranges of private
//! connections; `deploys` what a service's
//! deployment strategy needs.

mod deploys;
mod edge;
mod flows;
mod mail;
mod network;
mod queues;
mod values;

use crate::ir::{EnvIr, Ir};
use crate::rules::Findings;

type Check = fn(&Ir, &EnvIr, &mut Findings);

/// Every check, in code order.
pub(crate) const CHECKS: &[Check] = &[
    values::task_sizes,
    values::durations,
    values::zones,
    values::subnet_sizes,
    values::load_balancer_subnets,
    values::cache_versions,
    edge::routes,
    edge::domains,
    edge::certificates,
    edge::origins,
    edge::single_edge,
    edge::web_acl,
    edge::spa_fallback,
    flows::tasks_can_start,
    flows::flows_have_effect,
    flows::load_balancer_targets,
    flows::jobs_call_no_service,
    queues::queue_consumers,
    mail::mail_identity,
    network::block_public_access,
    network::connection_ranges,
    deploys::blue_green,
    deploys::test_listeners,
];
