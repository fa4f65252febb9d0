//! The design rules (R001–R022) over the IR, AWS's own constraints (`aws`, A001–A015) beside
//! them, and waivers (of design rules only: AWS's constraints cannot be waived).
//!
//! Each rule is one file in `rules/`, a function from one environment's IR to findings. Rules
//! read only the IR. A finding that every environment produces alike is reported once; one that
//! only some produce says which. A waiver (`allow R001 reason "…"`) silences the findings of its
//! rule that point inside the item it stands in (or, in an `env` block, that environment's);
//! waivers that silence nothing are reported, and every waiver is listed in the exposure report.

mod r001_no_public_subnet;
mod r002_one_exposure_point;
mod r003_sg_references_only;
mod r004_one_way_flows;
mod r005_closed_db_tier;
mod r006_regional_nat_scope;
mod r007_cidr_plan;
mod r008_multi_az;
mod r009_certificate_regions;
mod r010_caching;
mod r011_secrets_manager;
mod r012_scaling;
mod r013_access_logs;
mod r014_data_protection;
mod r015_no_task_public_ip;
mod r016_one_account_per_env;
mod r017_static_bucket_writes;
mod r018_sealed_state_bucket;
mod r019_mail_dkim;
mod r020_mail_dmarc;
mod r021_operators_sign_in;
mod r022_edge_waf;

use crate::db::{Db, Workspace};
use crate::diagnostics::{Code, Diagnostic, Label, Severity, codes};
use crate::ir::{EnvIr, Ir};
use crate::lower::lower;
use crate::model::{Waiver, model};
use crate::span::Origin;

type Rule = fn(&Ir, &EnvIr, &mut Findings);

/// Every rule, in code order.
const RULES: &[Rule] = &[
    r001_no_public_subnet::check,
    r002_one_exposure_point::check,
    r003_sg_references_only::check,
    r004_one_way_flows::check,
    r005_closed_db_tier::check,
    r006_regional_nat_scope::check,
    r007_cidr_plan::check,
    r008_multi_az::check,
    r009_certificate_regions::check,
    r010_caching::check,
    r011_secrets_manager::check,
    r012_scaling::check,
    r013_access_logs::check,
    r014_data_protection::check,
    r015_no_task_public_ip::check,
    r016_one_account_per_env::check,
    r017_static_bucket_writes::check,
    r018_sealed_state_bucket::check,
    r019_mail_dkim::check,
    r020_mail_dmarc::check,
    r021_operators_sign_in::check,
    r022_edge_waf::check,
];

/// One rule's finding in one environment.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Finding {
    pub code: Code,
    pub severity: Severity,
    pub origin: Origin,
    pub message: String,
    pub labels: Vec<(Origin, String)>,
    pub help: String,
    /// The finding is about several environments at once (it names them itself).
    pub across_envs: bool,
}

impl Finding {
    pub fn error(code: Code, origin: &Origin, message: impl Into<String>) -> Finding {
        Finding::new(code, Severity::Error, origin, message.into())
    }
    pub fn warning(code: Code, origin: &Origin, message: impl Into<String>) -> Finding {
        Finding::new(code, Severity::Warning, origin, message.into())
    }
    fn new(code: Code, severity: Severity, origin: &Origin, message: String) -> Finding {
        Finding {
            code,
            severity,
            origin: origin.clone(),
            message,
            labels: Vec::new(),
            help: String::new(),
            across_envs: false,
        }
    }
    /// Marks a finding that compares environments, so it is not attributed to one of them.
    pub fn across_envs(mut self) -> Self {
        self.across_envs = true;
        self
    }
    pub fn label(mut self, origin: &Origin, message: impl Into<String>) -> Self {
        self.labels.push((origin.clone(), message.into()));
        self
    }
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = help.into();
        self
    }
}

/// The findings of one environment.
#[derive(Default)]
pub struct Findings {
    list: Vec<Finding>,
}

impl Findings {
    pub fn push(&mut self, finding: Finding) {
        self.list.push(finding);
    }
}

/// A waiver and what it silenced, for the exposure report.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct WaiverUse {
    pub waiver: Waiver,
    /// The environment of each finding it silenced.
    pub silenced: Vec<String>,
}

impl WaiverUse {
    /// How many findings it silenced in `env`.
    pub fn silenced_in(&self, env: &str) -> usize {
        self.silenced.iter().filter(|e| *e == env).count()
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct RuleResults {
    pub diagnostics: Vec<Diagnostic>,
    pub waivers: Vec<WaiverUse>,
}

/// Every rule's findings in one environment (its own query, so that environments can be
/// checked on several cores: see `check::prime`).
#[salsa::tracked(returns(ref))]
pub fn env_findings(db: &dyn Db, workspace: Workspace, env: String) -> Vec<Finding> {
    let ir = &lower(db, workspace).ir;
    let mut findings = Findings::default();
    if let Some(env) = ir.envs.iter().find(|e| e.name == env) {
        for rule in RULES.iter().chain(crate::aws::CHECKS) {
            rule(ir, env, &mut findings);
        }
    }
    findings.list
}

/// Runs every rule on every environment and applies the waivers.
#[salsa::tracked(returns(ref))]
pub fn run_rules(db: &dyn Db, workspace: Workspace) -> RuleResults {
    let ir = &lower(db, workspace).ir;
    let model = model(db, workspace);
    let today = workspace.today(db);
    let mut waivers: Vec<WaiverUse> = model
        .waivers
        .iter()
        .filter(|w| codes::lookup(&w.code).is_some_and(|c| c.id == w.code && codes::waivable(&c)))
        .map(|w| WaiverUse {
            waiver: w.clone(),
            silenced: Vec::new(),
        })
        .collect();
    let env_blocks: Vec<(&str, &Origin)> = model.envs.iter().map(|e| (e.name.as_str(), &e.block)).collect();

    // (finding, the environments that produced it), in first-seen order.
    let mut grouped: Vec<(Finding, Vec<String>)> = Vec::new();
    for env in &ir.envs {
        for finding in env_findings(db, workspace, env.name.clone()).iter().cloned() {
            let env_block = env_blocks
                .iter()
                .find(|(name, _)| *name == env.name)
                .map(|(_, o)| *o);
            let waiver = waivers.iter_mut().find(|w| {
                w.waiver.code == finding.code.id
                    && w.waiver.until.as_ref().is_none_or(|(until, _)| *until >= today)
                    && (w.waiver.scope.contains(&finding.origin) || env_block == Some(&w.waiver.scope))
            });
            if let Some(waiver) = waiver {
                waiver.silenced.push(env.name.clone());
                continue;
            }
            match grouped.iter_mut().find(|(f, _)| *f == finding) {
                Some((_, envs)) => envs.push(env.name.clone()),
                None => grouped.push((finding, vec![env.name.clone()])),
            }
        }
    }

    let all_envs = ir.envs.len();
    let mut diagnostics: Vec<Diagnostic> = grouped
        .into_iter()
        .map(|(finding, envs)| {
            let message = if envs.len() == all_envs || finding.across_envs {
                finding.message
            } else {
                let names: Vec<String> = envs.iter().map(|e| format!("`{e}`")).collect();
                let noun = if envs.len() == 1 { "env" } else { "envs" };
                format!("{noun} {}: {}", names.join(", "), finding.message)
            };
            Diagnostic {
                code: finding.code,
                severity: finding.severity,
                file: finding.origin.file,
                span: finding.origin.span,
                message,
                labels: finding
                    .labels
                    .into_iter()
                    .map(|(origin, message)| Label {
                        file: origin.file,
                        span: origin.span,
                        message,
                    })
                    .collect(),
                help: Some(finding.help).filter(|h| !h.is_empty()),
            }
        })
        .collect();
    for waiver in &waivers {
        if let Some((until, origin)) = waiver.waiver.until.as_ref().filter(|(until, _)| *until < today) {
            diagnostics.push(
                Diagnostic::error(
                    codes::EXPIRED_WAIVER,
                    origin.file,
                    origin.span.clone(),
                    format!("the waiver of {} expired on {until}", waiver.waiver.code),
                )
                .with_help("fix what the rule reports, or renew the waiver with a new date and a reason"),
            );
        }
    }
    let active = |w: &&WaiverUse| w.waiver.until.as_ref().is_none_or(|(until, _)| *until >= today);
    for unused in waivers.iter().filter(active).filter(|w| w.silenced.is_empty()) {
        diagnostics.push(
            Diagnostic {
                code: codes::UNUSED_WAIVER,
                severity: Severity::Warning,
                file: unused.waiver.origin.file,
                span: unused.waiver.origin.span.clone(),
                message: format!(
                    "this waiver of {} waives nothing: the rule reports nothing here",
                    unused.waiver.code
                ),
                labels: Vec::new(),
                help: None,
            }
            .with_help("remove the waiver"),
        );
    }
    RuleResults { diagnostics, waivers }
}
