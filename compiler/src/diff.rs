//! `archc diff`: what a change does to the architecture, read from the IR of two versions of a
//! workspace, never from their text.
//!
//! Each version is captured as a [`Side`] (its IR, its waivers, what they silence, its cost),
//! then [`compare`] lists, per environment, every [`Change`] with the part of the design it
//! touches ([`Area`]) and what it does there ([`Effect`]): broadening (more is exposed, reachable
//! or allowed, or less protected), narrowing, neutral, and what Terraform would destroy,
//! replace or move. `env.rs` compares one environment; `render.rs` writes the result for people,
//! as JSON and as a pull-request comment; the picture is `backend::mermaid::architecture_diff`.
//!
//! Items are matched by the name AWS knows them by (`EnvIr::physical`), so a rename with `was`
//! is a move, not a removal and an addition.

mod env;
pub mod render;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::cost::Estimate;
use crate::date::Date;
use crate::db::{Db, Workspace};
use crate::ir::{EnvIr, Ir};
use crate::line_index::LineIndex;

/// One version of a workspace, as much of it as a comparison needs; it holds no query result,
/// so the database can move on to the other version.
#[derive(Debug, Clone)]
pub struct Side {
    pub ir: Ir,
    pub waivers: Vec<WaiverFact>,
    /// Findings silenced by waivers: (environment, code) → how many.
    pub waived: BTreeMap<(String, String), usize>,
    /// Each environment's cost estimate (none where archc has no prices for its region).
    pub costs: BTreeMap<String, Estimate>,
}

/// A waiver, by what it waives where: `allow R003` in `service api`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaiverFact {
    pub code: String,
    /// The item it stands in, as written: `service api`, `env prd`, `system shop`.
    pub item: String,
    pub reason: String,
    pub until: Option<Date>,
}

impl Side {
    /// A version with nothing in it: the workspace before it existed, or after it is gone.
    pub fn empty() -> Side {
        Side {
            ir: Ir::default(),
            waivers: Vec::new(),
            waived: BTreeMap::new(),
            costs: BTreeMap::new(),
        }
    }

    /// Captures the version of the workspace the database holds now (it must check clean).
    pub fn of(db: &dyn Db, workspace: Workspace) -> Side {
        let ir = crate::lower::lower(db, workspace).ir.clone();
        let results = crate::rules::run_rules(db, workspace);
        let mut waived = BTreeMap::new();
        for used in &results.waivers {
            for env in &used.silenced {
                *waived.entry((env.clone(), used.waiver.code.clone())).or_default() += 1;
            }
        }
        let waivers = crate::model::model(db, workspace)
            .waivers
            .iter()
            .map(|waiver| WaiverFact {
                code: waiver.code.clone(),
                item: item_header(db, &waiver.scope),
                reason: waiver.reason.clone(),
                until: waiver.until.as_ref().map(|(date, _)| *date),
            })
            .collect();
        let costs = ir
            .envs
            .iter()
            .filter_map(|env| Some((env.name.clone(), crate::cost::estimate_one(env)?)))
            .collect();
        Side {
            ir,
            waivers,
            waived,
            costs,
        }
    }
}

/// The first line of the item an origin spans, up to its `{`: `service api : fargate in app`.
fn item_header(db: &dyn Db, scope: &crate::span::Origin) -> String {
    let text = scope.file.text(db);
    let line = text
        .get(scope.span.start..)
        .and_then(|rest| rest.lines().next())
        .unwrap_or_default();
    let header = line.split('{').next().unwrap_or_default();
    // Only the keyword and the name: the rest (kind, tier) is not what identifies it.
    let words: Vec<&str> = header.split_whitespace().take(2).collect();
    match words.as_slice() {
        [] => {
            let (line, _) = LineIndex::of(db, scope.file).line_col(scope.span.start);
            format!("line {line}")
        }
        words => words.join(" "),
    }
}

/// The part of the design a change touches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Area {
    /// What faces the internet: internet-facing components, public subnets, the edge's routes.
    Exposure,
    /// Flows and the security-group rules they make.
    Access,
    /// IAM: what a task's role may do, who may operate the environment.
    Permissions,
    /// Routes out of the VPC and to private networks.
    Network,
    /// Encryption, deletion protection, snapshots, versioning.
    Protection,
    /// Waivers of design rules.
    Waivers,
    /// What Terraform's state holds: destroyed, replaced, moved resources.
    State,
    /// Components added, removed or changed in other ways.
    Resources,
}

impl Area {
    pub fn as_str(self) -> &'static str {
        match self {
            Area::Exposure => "exposure",
            Area::Access => "access",
            Area::Permissions => "permissions",
            Area::Network => "network",
            Area::Protection => "protection",
            Area::Waivers => "waivers",
            Area::State => "state",
            Area::Resources => "resources",
        }
    }
}

/// What a change does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Effect {
    /// More exposed, reachable or permitted, or less protected: needs a security review.
    Broadening,
    /// Terraform would destroy a stateful resource, with its data.
    Destroy,
    /// Terraform would replace a resource (destroy and create it again): its data is lost.
    Replace,
    /// Less exposed, reachable or permitted, or better protected.
    Narrowing,
    /// A rename whose state Terraform moves (`was`): nothing is replaced.
    Moved,
    Neutral,
}

impl Effect {
    /// Broadening when `wider`, else narrowing.
    fn widening(wider: bool) -> Effect {
        if wider {
            Effect::Broadening
        } else {
            Effect::Narrowing
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Effect::Broadening => "broadening",
            Effect::Destroy => "destroy",
            Effect::Replace => "replace",
            Effect::Narrowing => "narrowing",
            Effect::Moved => "moved",
            Effect::Neutral => "neutral",
        }
    }
}

/// One thing the change does.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Change {
    pub effect: Effect,
    pub area: Area,
    /// What it is about: a component's name, `vpc`, a tier, a waiver's code.
    pub subject: String,
    /// One sentence in the design's words.
    pub text: String,
}

impl Change {
    fn new(area: Area, effect: Effect, subject: impl Into<String>, text: impl Into<String>) -> Self {
        Change {
            effect,
            area,
            subject: subject.into(),
            text: text.into(),
        }
    }
}

/// How an environment compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EnvStatus {
    Added,
    Removed,
    Changed,
    Unchanged,
}

/// The monthly cost of one environment before and after, and the components whose cost moved.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CostDelta {
    pub currency: String,
    pub before: f64,
    pub after: f64,
    pub delta: f64,
    pub components: Vec<ComponentCost>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ComponentCost {
    pub component: String,
    pub before: f64,
    pub after: f64,
    pub delta: f64,
}

/// One environment's changes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EnvDiff {
    pub env: String,
    pub status: EnvStatus,
    /// Sorted: broadening first, then state, narrowing, moves, neutral.
    pub changes: Vec<Change>,
    /// Absent where neither side has prices for the region, or nothing costs differently.
    pub cost: Option<CostDelta>,
    /// The architecture diagram with what changed styled (Mermaid), when anything changed and
    /// diagrams were asked for.
    pub diagram: Option<String>,
}

/// The whole comparison.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Diff {
    pub system: String,
    /// Changes that belong to no one environment (waivers).
    pub changes: Vec<Change>,
    /// Every environment of either side, in the head's order (removed ones last).
    pub envs: Vec<EnvDiff>,
    pub summary: Summary,
}

/// How many changes of each effect, over the whole comparison.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub broadening: usize,
    pub destroy: usize,
    pub replace: usize,
    pub narrowing: usize,
    pub moved: usize,
    pub neutral: usize,
}

impl Summary {
    fn count(&mut self, change: &Change) {
        let slot = match change.effect {
            Effect::Broadening => &mut self.broadening,
            Effect::Destroy => &mut self.destroy,
            Effect::Replace => &mut self.replace,
            Effect::Narrowing => &mut self.narrowing,
            Effect::Moved => &mut self.moved,
            Effect::Neutral => &mut self.neutral,
        };
        *slot += 1;
    }
}

/// What `--deny` refuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deny {
    /// Any broadening change.
    Broadening,
    /// Any destroyed or replaced resource.
    Destroy,
}

impl Diff {
    /// Nothing architectural changed (cost included).
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty() && self.envs.iter().all(|e| e.changes.is_empty() && e.cost.is_none())
    }

    /// Every change, with its environment (`None` for the system's own).
    pub fn all(&self) -> impl Iterator<Item = (Option<&str>, &Change)> {
        self.changes.iter().map(|c| (None, c)).chain(
            self.envs
                .iter()
                .flat_map(|e| e.changes.iter().map(move |c| (Some(e.env.as_str()), c))),
        )
    }

    /// The changes `deny` refuses.
    pub fn denied(&self, deny: Deny) -> usize {
        match deny {
            Deny::Broadening => self.summary.broadening,
            Deny::Destroy => self.summary.destroy + self.summary.replace,
        }
    }
}

/// Compares two versions of a workspace: every environment, or only `only` (the system's own
/// changes, its waivers, always); `diagrams` says whether to draw each changed environment's
/// architecture (the human format shows none).
pub fn compare(base: &Side, head: &Side, only: Option<&str>, diagrams: bool) -> Diff {
    let find = |ir: &Ir, name: &str| -> Option<std::sync::Arc<EnvIr>> {
        ir.envs.iter().find(|e| e.name == name).cloned()
    };
    let names: Vec<String> = head
        .ir
        .envs
        .iter()
        .map(|e| e.name.clone())
        .chain(
            base.ir
                .envs
                .iter()
                .filter(|e| !head.ir.envs.iter().any(|h| h.name == e.name))
                .map(|e| e.name.clone()),
        )
        .filter(|name| only.is_none_or(|only| only == name))
        .collect();
    // One environment per core, as a build does.
    let envs = crate::parallel::on_cores(&names, &|name| {
        let (before, after) = (find(&base.ir, name), find(&head.ir, name));
        env::compare(base, head, name, before.as_deref(), after.as_deref(), diagrams)
    });
    let mut changes = waiver_changes(base, head);
    changes.sort();
    let system = match head.ir.system.as_str() {
        "" => base.ir.system.clone(),
        system => system.to_owned(),
    };
    let mut diff = Diff {
        system,
        changes,
        envs,
        summary: Summary::default(),
    };
    for change in diff
        .changes
        .iter()
        .chain(diff.envs.iter().flat_map(|e| &e.changes))
    {
        diff.summary.count(change);
    }
    diff
}

/// Waivers added, extended, shortened or removed (a waiver is the system's, not an
/// environment's; what it newly silences per environment is `env.rs`'s).
fn waiver_changes(base: &Side, head: &Side) -> Vec<Change> {
    let key = |w: &WaiverFact| (w.code.clone(), w.item.clone());
    let before: BTreeMap<_, &WaiverFact> = base.waivers.iter().map(|w| (key(w), w)).collect();
    let after: BTreeMap<_, &WaiverFact> = head.waivers.iter().map(|w| (key(w), w)).collect();
    let until = |w: &WaiverFact| match w.until {
        Some(date) => format!("until {date}"),
        None => "with no expiry".to_owned(),
    };
    let mut changes = Vec::new();
    for ((code, item), waiver) in &after {
        let subject = format!("{code} in {item}");
        match before.get(&(code.clone(), item.clone())) {
            None => changes.push(Change::new(
                Area::Waivers,
                Effect::Broadening,
                subject,
                format!(
                    "new waiver of {code} in `{item}` {}: \"{}\"",
                    until(waiver),
                    waiver.reason
                ),
            )),
            Some(old) if old.until != waiver.until => {
                // No expiry is the latest of all.
                let later = match (old.until, waiver.until) {
                    (_, None) => true,
                    (None, Some(_)) => false,
                    (Some(a), Some(b)) => b > a,
                };
                changes.push(Change::new(
                    Area::Waivers,
                    Effect::widening(later),
                    subject,
                    format!(
                        "waiver of {code} in `{item}` {}: {} (was {})",
                        if later { "extended" } else { "shortened" },
                        until(waiver),
                        until(old)
                    ),
                ));
            }
            Some(old) if old.reason != waiver.reason => changes.push(Change::new(
                Area::Waivers,
                Effect::Neutral,
                subject,
                format!("waiver of {code} in `{item}`: reason now \"{}\"", waiver.reason),
            )),
            Some(_) => {}
        }
    }
    for ((code, item), _) in before.iter().filter(|(k, _)| !after.contains_key(*k)) {
        changes.push(Change::new(
            Area::Waivers,
            Effect::Narrowing,
            format!("{code} in {item}"),
            format!("waiver of {code} in `{item}` removed: the rule applies there again"),
        ));
    }
    changes
}
