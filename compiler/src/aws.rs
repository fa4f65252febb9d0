//! AWS's own constraints (`A001`–`A015`): what AWS would refuse when the output is applied, or
//! accept and then not run, checked at compile time over each environment's IR.
//!
//! The design rules (`rules`) say what a good design is and can be waived; these say what AWS
//! allows, and cannot. Each check names the limit and where AWS documents it (the `archc
//! explain` page of its code). They share the rules' findings, so a constraint broken alike in
//! every environment is reported once. Where the fix is obvious and safe, lowering makes it
//! instead (the egress a task needs to start, the VPC origin's port), and nothing here checks it.
//! A second edge (`A012`) is found in the model, since the IR holds one.
//!
//! `values` holds the single values AWS bounds (task sizes, durations, zones, subnet sizes);
//! `edge` the domains, certificates and routes; `flows` what flows and tasks need to work.

mod edge;
mod flows;
mod values;

pub use values::default_zones;

use crate::diagnostics::{Diagnostic, codes};
use crate::ir::{EnvIr, Ir};
use crate::model::Model;
use crate::rules::Findings;

type Check = fn(&Ir, &EnvIr, &mut Findings);

/// Every check, in code order.
pub(crate) const CHECKS: &[Check] = &[
    values::task_sizes,
    values::durations,
    values::zones,
    values::subnet_sizes,
    values::load_balancer_subnets,
    edge::routes,
    edge::domains,
    edge::certificates,
    edge::origins,
    flows::tasks_can_start,
    flows::flows_have_effect,
    flows::load_balancer_targets,
];

/// `A012`: one edge per system (the IR holds the first; the others would build nothing).
pub(crate) fn second_edges(model: &Model) -> Vec<Diagnostic> {
    let mut edges = model.components().filter(|c| c.category == "edge");
    let Some(first) = edges.next() else {
        return Vec::new();
    };
    edges
        .map(|other| {
            Diagnostic::error(
                codes::SECOND_EDGE,
                other.origin.file,
                other.origin.span.clone(),
                format!(
                    "`{}` is a second edge; the system has one, `{}`",
                    other.name, first.name
                ),
            )
            .with_label(first.origin.file, first.origin.span.clone(), "the edge")
            .with_help(format!(
                "add this edge's routes to `{}`: one distribution serves the environment's domain",
                first.name
            ))
        })
        .collect()
}
