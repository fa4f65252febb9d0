//! The Terraform backend: one root module per environment, `<env>/terraform/`, read only from
//! the IR. This module owns what every file shares (the context, labels, the file list and the
//! `moved` blocks of renames); one submodule per file it writes: `versions`, `network`, `edge`,
//! `compute`, `data`, `messaging`, `monitoring`, and `outputs` (`parameters.tf` and `outputs.tf`). The
//! Lambda program and the NAT instance's boot script are real files beside them.
//!
//! Addresses come from `.arch` names (`aws_subnet.container_a`, `aws_security_group.api`), so a
//! rebuild never moves state. Security-group rules are separate `aws_vpc_security_group_*_rule`
//! resources, one per IR rule. Where a checkov check does not fit the design, the resource
//! carries `checkov:skip` with the reason.

mod bootstrap;
mod cache;
mod compute;
mod connections;
mod data;
mod edge;
mod mail;
mod messaging;
mod monitoring;
mod network;
mod outputs;
mod versions;
mod waf;

use std::collections::BTreeSet;

use bootstrap::*;
use cache::*;
use compute::*;
use connections::*;
use data::*;
use edge::*;
use mail::*;
use messaging::*;
use monitoring::*;
use network::*;
use outputs::*;
use versions::*;
use waf::*;

use super::hcl::{Block, Blocks, Expr, interpolated, quote, r, reference, refs, render_file, s, strings};
use super::{CommentStyle, OutputFile, header};
use crate::ir::*;
use crate::parameters::{Parameter, ParameterValue};
use crate::rules::WaiverUse;

/// The provider constraint: 6.28 has Regional NAT gateways (6.24) and the VPC-origin fixes.
const AWS_PROVIDER: &str = ">= 6.28, < 7.0";
const ARCHIVE_PROVIDER: &str = "~> 2.7";
/// The TLS policy of the load balancers' HTTPS listeners: TLS 1.3 and 1.2 only.
const TLS_POLICY: &str = "ELBSecurityPolicy-TLS13-1-2-2021-06";

/// Everything an environment's files need to name things.
struct Ctx<'a> {
    ir: &'a Ir,
    env: &'a EnvIr,
    /// What Terraform publishes to SSM Parameter Store for the deploy side.
    parameters: Vec<Parameter>,
    /// Label renamed items by their old names (the pass that finds what `moved` blocks need).
    old_labels: bool,
    /// The design-rule waivers that silenced something in this environment: code, reason, and
    /// the item (or env block) each stands in.
    waived: Vec<(&'static str, String, crate::span::Origin)>,
    /// The environment's components by name (alarms look up what they watch).
    components: &'a Components<'a>,
}

impl Ctx<'_> {
    /// The Terraform label for an item's name. In the old-labels pass, a renamed item (and the
    /// subnets and route tables of a renamed tier) gets its old name.
    fn ident(&self, name: &str) -> String {
        if self.old_labels {
            for rename in &self.env.renames {
                if name == rename.to {
                    return ident(&rename.from);
                }
                let is_tier = self.env.tiers.iter().any(|t| t.name == rename.to);
                if let (true, Some(zone)) = (is_tier, name.strip_prefix(&format!("{}-", rename.to))) {
                    return ident(&format!("{}-{zone}", rename.from));
                }
            }
        }
        ident(name)
    }

    /// `webapp-prd-<part>`, in the character set AWS names accept.
    fn name(&self, part: &str) -> String {
        crate::naming::physical(&self.ir.system, &self.env.name, part)
    }

    /// The name of an item's resource: a renamed item keeps its old name (see `EnvIr::physical`).
    fn item_name(&self, item: &str) -> String {
        self.name(self.env.physical(item))
    }

    /// `item_name` with a suffix: `webapp-prd-api-execution`.
    fn item_name_with(&self, item: &str, suffix: &str) -> String {
        self.name(&format!("{}-{suffix}", self.env.physical(item)))
    }

    /// Bucket names are global: the account keeps them unique. A renamed bucket keeps its name.
    fn bucket_name(&self, bucket: &str) -> String {
        crate::naming::bucket(
            &self.ir.system,
            &self.env.name,
            &self.env.account,
            self.env.physical(bucket),
        )
    }

    /// The name of a subnet or route table, `<tier>-<zone>` or `<tier>` (names hold no `-`),
    /// its tier called by its physical name.
    fn tier_part_name(&self, part: &str) -> String {
        match part.split_once('-') {
            Some((tier, rest)) => self.item_name_with(tier, rest),
            None => self.item_name(part),
        }
    }

    /// The ECR repositories the tasks' images come from, each once.
    fn repositories(&self) -> BTreeSet<&str> {
        self.env
            .services
            .iter()
            .map(|s| s.image.as_str())
            .chain(self.env.jobs.iter().map(|j| j.image.as_str()))
            .collect()
    }

    /// The ARN of the Secrets Manager secret `name` (with the suffix AWS adds to it).
    fn secret_arn(&self, name: &str) -> String {
        crate::naming::secret_arn(&self.env.region, &self.env.account, name)
    }

    fn production(&self) -> bool {
        self.env.stage.value == Stage::Production
    }

    /// `<code> waived: <reason>` when a waiver of `rule` covers `item` (else the environment's
    /// block) in this environment.
    fn waiver(&self, rule: crate::diagnostics::Code, item: &crate::span::Origin) -> Option<String> {
        let of_rule = || self.waived.iter().filter(|(code, ..)| *code == rule.id);
        of_rule()
            .find(|(.., scope)| scope.contains(item))
            .or_else(|| of_rule().find(|(.., scope)| *scope == self.env.origin))
            .map(|(code, reason, _)| format!("{code} waived: {reason}"))
    }

    /// Why a protection the design rule `rule` asks for is off for `item`: the rule's waiver
    /// and its reason, or the environment's stage. The checkov skip of the matching check
    /// carries it.
    fn why_off(&self, rule: crate::diagnostics::Code, item: &crate::span::Origin) -> String {
        match self.waiver(rule, item) {
            Some(waived) => waived,
            None if !self.production() => format!(
                "{} asks for it in production; env `{}` is {}",
                rule.id,
                self.env.name,
                self.env.stage.value.as_str()
            ),
            None => format!("{} allows it here", rule.id),
        }
    }

    /// The bucket of the environment's Terraform state (the bootstrap creates it): the bucket
    /// with `purpose = terraform_state`, else `<system>-<env>-<account>-tfstate`.
    fn state_bucket(&self) -> String {
        self.env
            .buckets
            .iter()
            .find(|b| b.purpose == Some(BucketPurpose::TerraformState))
            .map_or_else(|| self.bucket_name("tfstate"), |b| self.bucket_name(&b.name))
    }

    fn cluster_name(&self) -> String {
        format!("{}-{}", self.ir.system, self.env.name)
    }

    fn family(&self, task: &str) -> String {
        self.item_name(task)
    }

    fn subnet_ids(&self, tier: &str) -> Expr {
        let subnets = self
            .env
            .tiers
            .iter()
            .find(|t| t.name == tier)
            .map(|t| t.subnets.as_slice())
            .unwrap_or_default();
        refs(
            subnets
                .iter()
                .map(|s| format!("aws_subnet.{}.id", self.ident(&s.name))),
        )
    }

    fn log_bucket(&self) -> Option<&Bucket> {
        self.env
            .buckets
            .iter()
            .find(|b| b.purpose == Some(BucketPurpose::AccessLogs))
    }
}

/// A Terraform identifier from an `.arch` or AWS name: letters, digits and underscores.
fn ident(name: &str) -> String {
    let text: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    text.trim_start_matches(|c: char| c == '_' || c.is_ascii_digit())
        .to_owned()
}

/// The files of one environment, each handed to `emit` as soon as it is rendered (a module's
/// blocks are dropped before the next is built); `waivers` carry their reasons into the
/// checkov skips of what they accept.
pub fn files(ir: &Ir, env: &EnvIr, waivers: &[WaiverUse], emit: &mut dyn FnMut(OutputFile)) {
    let components = env.components();
    let ctx = Ctx {
        ir,
        env,
        parameters: crate::parameters::publish(&ir.system, env),
        old_labels: false,
        waived: waived_in(waivers, env),
        components: &components,
    };
    let dir = format!("{}/terraform", env.name);
    let head = header(CommentStyle::Hash);
    let renamed = !env.renames.is_empty();
    let mut addresses = Vec::new();
    for (name, module) in modules(&ctx) {
        let mut blocks = Blocks::rendered(&format!("{head}\n"));
        if renamed {
            blocks = blocks.with_addresses();
        }
        module(&ctx, &mut blocks);
        let (contents, made) = blocks.finish();
        addresses.extend(made);
        emit(OutputFile {
            path: format!("{dir}/{name}"),
            contents,
        });
    }
    if renamed {
        let moved = moved_blocks(&addresses_with_old_labels(&ctx), &addresses);
        if !moved.is_empty() {
            emit(terraform_file(format!("{dir}/moved.tf"), &head, moved));
        }
    }
    if !env.alarms.is_empty() {
        emit(OutputFile {
            path: format!("{dir}/lambda/alarm_notifier.py"),
            contents: format!("{head}{}", ALARM_NOTIFIER),
        });
    }
    for (name, blocks) in bootstrap(&ctx) {
        emit(terraform_file(
            format!("{}/bootstrap/{name}", env.name),
            &head,
            blocks,
        ));
    }
}

fn terraform_file(path: String, head: &str, blocks: Vec<Block>) -> OutputFile {
    OutputFile {
        path,
        contents: render_file(&format!("{head}\n"), blocks),
    }
}

/// What makes one `.tf` file's blocks.
type Module = fn(&Ctx<'_>, &mut Blocks);

/// Every `.tf` file of the environment, by name.
fn modules(ctx: &Ctx<'_>) -> Vec<(&'static str, Module)> {
    let mut modules: Vec<(&'static str, Module)> = vec![
        ("versions.tf", |ctx, blocks| blocks.extend(versions(ctx))),
        ("network.tf", network),
    ];
    // Nothing to compute with, nothing for a deploy to read: no file (a static site).
    if ctx.env.has_tasks() || !ctx.env.load_balancers.is_empty() {
        modules.push(("compute.tf", compute));
    }
    modules.push(("data.tf", data));
    modules.push(("monitoring.tf", monitoring));
    if !ctx.parameters.is_empty() {
        modules.push(("parameters.tf", parameter_blocks));
    }
    modules.push(("outputs.tf", |ctx, blocks| blocks.extend(outputs(ctx))));
    if ctx.env.edge.is_some() {
        modules.push(("edge.tf", |ctx, blocks| blocks.extend(edge(ctx))));
    }
    if !ctx.env.queues.is_empty() {
        modules.push(("messaging.tf", messaging));
    }
    if !ctx.env.mail.is_empty() {
        modules.push(("mail.tf", mail));
    }
    modules
}

/// The resource addresses of every module with renamed items labelled by their old names.
fn addresses_with_old_labels(ctx: &Ctx<'_>) -> Vec<String> {
    let before = Ctx {
        ir: ctx.ir,
        env: ctx.env,
        parameters: ctx.parameters.clone(),
        old_labels: true,
        waived: ctx.waived.clone(),
        components: ctx.components,
    };
    let mut blocks = Blocks::addresses_only();
    for (_, module) in modules(&before) {
        module(&before, &mut blocks);
    }
    blocks.finish().1
}

/// The codes, reasons and scopes of the waivers that silenced a finding in `env`.
fn waived_in(waivers: &[WaiverUse], env: &EnvIr) -> Vec<(&'static str, String, crate::span::Origin)> {
    waivers
        .iter()
        .filter(|w| w.silenced_in(&env.name) > 0)
        .filter_map(|w| {
            let code = crate::diagnostics::codes::lookup(&w.waiver.code)?;
            Some((code.id, w.waiver.reason.clone(), w.waiver.scope.clone()))
        })
        .collect()
}

/// `moved` blocks from each resource's address under the old names to its address now. Both
/// passes emit the same blocks in the same order (the order follows the IR, not the labels),
/// so addresses pair up by position.
fn moved_blocks(before: &[String], now: &[String]) -> Vec<Block> {
    before
        .iter()
        .zip(now)
        .filter(|(from, to)| from != to)
        .map(|(from, to)| {
            Block::new("moved", &[])
                .attr("from", reference(from.as_str()))
                .attr("to", reference(to.as_str()))
        })
        .collect()
}

/// The policy document that lets an AWS service (`lambda.amazonaws.com`) assume a role.
fn assume_role_policy(label: &str, service: &str) -> Block {
    Block::data("aws_iam_policy_document", label).block(
        Block::new("statement", &[])
            .attr("actions", strings(["sts:AssumeRole"]))
            .block(
                Block::new("principals", &[])
                    .attr("type", s("Service"))
                    .attr("identifiers", strings([service])),
            ),
    )
}

/// `{ Name = "…" }`, the tags of a named resource.
fn tags(name: String) -> Expr {
    Expr::Object(vec![("Name".into(), s(name))])
}
