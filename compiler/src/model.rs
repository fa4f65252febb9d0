//! The model: the checked system gathered from every file into one resolved value, with each
//! field's value typed and its defaults filled in from the catalogue.
//!
//! The model is what lowering reads; it does not check anything (the checker has), and it
//! tolerates what it cannot read by leaving it out. Every value keeps the place it was written
//! (or, for a default, the place of the item that took it), so rule diagnostics can point there.

use std::collections::BTreeMap;
use std::sync::Arc;

use ipnet::Ipv4Net;

use crate::catalogue::{Catalogue, Schema, Type, catalogue};
use crate::date::Date;
use crate::db::{Db, SourceFile, Workspace};
use crate::resolve::{ENV_KEYWORD, NETWORK_BLOCK, SYSTEM_KEYWORD};
use crate::span::{Origin, Span};
use crate::syntax::ast::{Body, Decl, Member, MemberKind, ValueKind};
use crate::syntax::parse;

/// A typed value.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Val {
    Str(String),
    Int(i64),
    Bool(bool),
    Cidr(Ipv4Net),
    Prefix(u8),
    /// Seconds.
    Duration(u64),
    Percent(u8),
    List(Vec<Val>),
    /// An enum value or a reference: `internet_only`, `ops`.
    Name(String),
    Metric {
        component: String,
        metric: String,
    },
    Call {
        function: String,
        args: Vec<Val>,
    },
    /// A nested block or a map block: `scale { … }`, `secret { … }`.
    Block(Fields),
}

/// A value with the place it came from.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Setting {
    pub value: Val,
    pub origin: Origin,
    /// False when the value is the catalogue's default.
    pub written: bool,
}

pub type Fields = BTreeMap<String, Setting>;

/// A waiver: `allow R001 reason "…" until …`, and the item it stands in.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Waiver {
    pub code: String,
    pub reason: String,
    /// The expiry date and where it is written.
    pub until: Option<(Date, Origin)>,
    /// The `allow` item itself.
    pub origin: Origin,
    /// The item the waiver stands in; it waives diagnostics whose primary span lies inside.
    pub scope: Origin,
}

/// A component or tier.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Component {
    pub name: String,
    pub category: String,
    pub kind: String,
    pub tier: Option<String>,
    pub fields: Fields,
    pub routes: Vec<Route>,
    /// The component's name as declared.
    pub origin: Origin,
    /// The placement (`in container`), if any.
    pub tier_origin: Option<Origin>,
    pub doc: Option<String>,
}

/// `route "/images/*" -> assets { … }`
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Route {
    pub pattern: String,
    pub target: String,
    pub fields: Fields,
    pub origin: Origin,
}

/// `flow api -> main : postgres`
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Flow {
    pub from: String,
    pub to: String,
    pub protocol: Val,
    pub origin: Origin,
}

/// An environment override: `api.scale.min = 1` or `api.scale { min = 1 }`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Override {
    /// Component, then field names.
    pub path: Vec<String>,
    pub value: Val,
    pub origin: Origin,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Env {
    pub name: String,
    pub settings: Fields,
    pub overrides: Vec<Override>,
    pub origin: Origin,
    /// The whole `env` block, for waivers that stand in it.
    pub block: Origin,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Model {
    pub system: String,
    pub system_origin: Option<Origin>,
    /// The `///` documentation of the system block(s).
    pub system_doc: Option<String>,
    /// `region`, `domain`, `network` (a block).
    pub settings: Fields,
    /// Tiers in declaration order (the order subnets are allocated in).
    pub tiers: Vec<Component>,
    pub envs: Vec<Env>,
    pub waivers: Vec<Waiver>,
    /// Each file's part, files by path: shared with `file_model`, not copied. Its components
    /// and flows are read through `components()` and `flows()`.
    pub files: Vec<Arc<FileModel>>,
}

/// What one file contributes to the system (memoized per file, so an edit rebuilds one).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct FileModel {
    /// The name and place of the file's first `system` declaration.
    pub system: Option<(String, Origin)>,
    /// The first `///` documentation of a `system` declaration in the file.
    pub system_doc: Option<String>,
    /// System settings written in the file (defaults are filled in once, for the system).
    pub settings: Fields,
    pub tiers: Vec<Component>,
    /// Components in source order.
    pub components: Vec<Component>,
    pub flows: Vec<Flow>,
    pub envs: Vec<Env>,
    pub waivers: Vec<Waiver>,
}

impl Model {
    /// Components in declaration order (files by path, then source order).
    pub fn components(&self) -> impl Iterator<Item = &Component> + Clone {
        self.files.iter().flat_map(|part| &part.components)
    }

    /// Flows in declaration order.
    pub fn flows(&self) -> impl Iterator<Item = &Flow> + Clone {
        self.files.iter().flat_map(|part| &part.flows)
    }

    pub fn network(&self) -> Option<&Fields> {
        match self.settings.get(NETWORK_BLOCK).map(|s| &s.value) {
            Some(Val::Block(fields)) => Some(fields),
            _ => None,
        }
    }
}

impl Val {
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Val::Str(s) | Val::Name(s) => Some(s),
            _ => None,
        }
    }
    pub fn as_int(&self) -> Option<i64> {
        match self {
            Val::Int(n) => Some(*n),
            _ => None,
        }
    }
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Val::Bool(b) => Some(*b),
            _ => None,
        }
    }
    pub fn as_block(&self) -> Option<&Fields> {
        match self {
            Val::Block(fields) => Some(fields),
            _ => None,
        }
    }
}

/// Builds the model of the workspace's system from its files' parts.
#[salsa::tracked(returns(ref))]
pub fn model(db: &dyn Db, workspace: Workspace) -> Model {
    let catalogue = catalogue(db, workspace);
    let mut model = Model::default();
    for &file in workspace.files(db) {
        let part = file_model(db, workspace, file);
        if model.system_origin.is_none()
            && let Some((name, origin)) = &part.system
        {
            model.system = name.clone();
            model.system_origin = Some(origin.clone());
        }
        if model.system_doc.is_none() {
            model.system_doc = part.system_doc.clone();
        }
        // A setting written again in a later file wins, as it would in one file.
        model
            .settings
            .extend(part.settings.iter().map(|(k, v)| (k.clone(), v.clone())));
        model.tiers.extend(part.tiers.iter().cloned());
        model.envs.extend(part.envs.iter().cloned());
        model.waivers.extend(part.waivers.iter().cloned());
        model.files.push(Arc::clone(part));
    }
    // Defaults of system fields that no file set.
    if let Some(origin) = &model.system_origin
        && let Some(schema) = catalogue.block(crate::catalogue::SYSTEM_BLOCK)
    {
        defaults(catalogue, schema, origin, &mut model.settings);
    }
    model
}

/// One file's part of the model.
#[salsa::tracked(returns(ref))]
pub fn file_model(db: &dyn Db, workspace: Workspace, file: SourceFile) -> Arc<FileModel> {
    let mut builder = Builder {
        catalogue: catalogue(db, workspace),
        part: FileModel::default(),
    };
    for member in &parse(db, file).ast.members {
        builder.top_level(file, member);
    }
    Arc::new(builder.part)
}

struct Builder<'a> {
    catalogue: &'a Catalogue,
    part: FileModel,
}

impl Builder<'_> {
    fn origin(&self, file: SourceFile, span: &Span) -> Origin {
        Origin {
            file,
            span: span.clone(),
        }
    }

    fn top_level(&mut self, file: SourceFile, member: &Member) {
        let MemberKind::Decl(decl) = &member.kind else {
            return;
        };
        match decl.keyword.text.as_str() {
            SYSTEM_KEYWORD => {
                if self.part.system.is_none() {
                    self.part.system = Some((decl.name.text.clone(), self.origin(file, &decl.name.span)));
                }
                if self.part.system_doc.is_none() {
                    self.part.system_doc = member.doc.clone();
                }
                let scope = self.origin(file, &member.span);
                self.system_body(file, &decl.body, &scope);
            }
            ENV_KEYWORD => self.env(file, member, decl),
            _ => {}
        }
    }

    fn system_body(&mut self, file: SourceFile, body: &Body, scope: &Origin) {
        let Some(schema) = self.catalogue.block(crate::catalogue::SYSTEM_BLOCK) else {
            return;
        };
        for member in &body.members {
            match &member.kind {
                MemberKind::Decl(decl) => self.component(file, member, decl),
                MemberKind::Flow { from, to, protocol } => {
                    if let Some(protocol) = value(&protocol.kind) {
                        self.part.flows.push(Flow {
                            from: from.text.clone(),
                            to: to.text.clone(),
                            protocol,
                            origin: self.origin(file, &member.span),
                        });
                    }
                }
                MemberKind::Block { path, body } if path.dotted() == NETWORK_BLOCK => {
                    for inner in &body.members {
                        if let MemberKind::Decl(tier) = &inner.kind {
                            self.component(file, inner, tier);
                        }
                    }
                    let mut settings = std::mem::take(&mut self.part.settings);
                    self.setting(file, schema, member, &mut settings);
                    self.part.settings = settings;
                }
                MemberKind::Allow { .. } => self.waiver(file, member, scope),
                _ => {
                    let mut settings = std::mem::take(&mut self.part.settings);
                    self.setting(file, schema, member, &mut settings);
                    self.part.settings = settings;
                }
            }
        }
    }

    /// Sets one attribute or block member into `fields` (as checked against `schema`).
    fn setting(&mut self, file: SourceFile, schema: &Schema, member: &Member, fields: &mut Fields) {
        match &member.kind {
            MemberKind::Attribute { path, value: v } => {
                let Some(name) = path.single() else { return };
                if let Some(val) = value(&v.kind) {
                    fields.insert(
                        name.text.clone(),
                        Setting {
                            value: val,
                            origin: self.origin(file, &v.span),
                            written: true,
                        },
                    );
                }
            }
            MemberKind::Block { path, body } => {
                let Some(name) = path.single() else { return };
                let Some(field) = schema.field(&name.text) else {
                    return;
                };
                let inner_schema = match &field.ty {
                    Type::Block(block) => self.catalogue.block(block).cloned().unwrap_or_default(),
                    _ => Schema::default(),
                };
                let mut inner = Fields::new();
                for member in &body.members {
                    if !matches!(member.kind, MemberKind::Decl(_)) {
                        self.setting(file, &inner_schema, member, &mut inner);
                    }
                }
                let origin = self.origin(file, &path.span);
                defaults(self.catalogue, &inner_schema, &origin, &mut inner);
                fields.insert(
                    name.text.clone(),
                    Setting {
                        value: Val::Block(inner),
                        origin,
                        written: true,
                    },
                );
            }
            _ => {}
        }
    }

    fn component(&mut self, file: SourceFile, member: &Member, decl: &Decl) {
        let Some(kind) = self
            .catalogue
            .kind_of(&decl.keyword.text, decl.kind.as_ref().map(|k| k.text.as_str()))
        else {
            return;
        };
        let origin = self.origin(file, &decl.name.span);
        let scope = self.origin(file, &member.span);
        let mut fields = Fields::new();
        let mut routes = Vec::new();
        for inner in &decl.body.members {
            match &inner.kind {
                MemberKind::Route {
                    pattern,
                    target,
                    body,
                } => {
                    let mut route_fields = Fields::new();
                    let schema = self
                        .catalogue
                        .block(crate::catalogue::ROUTE_BLOCK)
                        .cloned()
                        .unwrap_or_default();
                    for route_member in body.iter().flat_map(|b| &b.members) {
                        self.setting(file, &schema, route_member, &mut route_fields);
                    }
                    let route_origin = self.origin(file, &inner.span);
                    defaults(self.catalogue, &schema, &route_origin, &mut route_fields);
                    routes.push(Route {
                        pattern: pattern.value.clone(),
                        target: target.text.clone(),
                        fields: route_fields,
                        origin: route_origin,
                    });
                }
                MemberKind::Allow { .. } => self.waiver(file, inner, &scope),
                _ => self.setting(file, &kind.schema, inner, &mut fields),
            }
        }
        defaults(self.catalogue, &kind.schema, &origin, &mut fields);
        let component = Component {
            name: decl.name.text.clone(),
            category: decl.keyword.text.clone(),
            kind: kind.name.clone(),
            tier: decl.tier.as_ref().map(|t| t.text.clone()),
            fields,
            routes,
            tier_origin: decl.tier.as_ref().map(|t| self.origin(file, &t.span)),
            origin,
            doc: member.doc.clone(),
        };
        if decl.keyword.text == "tier" {
            self.part.tiers.push(component);
        } else {
            self.part.components.push(component);
        }
    }

    fn env(&mut self, file: SourceFile, member: &Member, decl: &Decl) {
        let Some(schema) = self.catalogue.block(crate::catalogue::ENV_BLOCK).cloned() else {
            return;
        };
        let origin = self.origin(file, &decl.name.span);
        let block = self.origin(file, &member.span);
        let mut settings = Fields::new();
        let mut overrides = Vec::new();
        for inner in &decl.body.members {
            match &inner.kind {
                MemberKind::Allow { .. } => self.waiver(file, inner, &block),
                MemberKind::Attribute { path, value: v } if schema.field(&path.dotted()).is_none() => {
                    if let Some(val) = value(&v.kind) {
                        overrides.push(Override {
                            path: path.segments.iter().map(|s| s.text.clone()).collect(),
                            value: val,
                            origin: self.origin(file, &v.span),
                        });
                    }
                }
                MemberKind::Block { path, body } if schema.field(&path.dotted()).is_none() => {
                    for entry in &body.members {
                        if let MemberKind::Attribute { path: key, value: v } = &entry.kind
                            && let Some(val) = value(&v.kind)
                        {
                            let mut full: Vec<String> =
                                path.segments.iter().map(|s| s.text.clone()).collect();
                            full.extend(key.segments.iter().map(|s| s.text.clone()));
                            overrides.push(Override {
                                path: full,
                                value: val,
                                origin: self.origin(file, &v.span),
                            });
                        }
                    }
                }
                _ => self.setting(file, &schema, inner, &mut settings),
            }
        }
        defaults(self.catalogue, &schema, &origin, &mut settings);
        self.part.envs.push(Env {
            name: decl.name.text.clone(),
            settings,
            overrides,
            origin,
            block,
        });
    }

    fn waiver(&mut self, file: SourceFile, member: &Member, scope: &Origin) {
        let MemberKind::Allow { code, reason, until } = &member.kind else {
            return;
        };
        self.part.waivers.push(Waiver {
            code: code.text.clone(),
            reason: reason.as_ref().map(|r| r.value.clone()).unwrap_or_default(),
            until: until
                .as_ref()
                .and_then(|u| Some((Date::parse(&u.text)?, self.origin(file, &u.span)))),
            origin: self.origin(file, &member.span),
            scope: scope.clone(),
        });
    }
}

/// Fills in the catalogue's defaults (and empty nested blocks with theirs).
fn defaults(catalogue: &Catalogue, schema: &Schema, origin: &Origin, fields: &mut Fields) {
    for field in &schema.fields {
        if fields.contains_key(&field.name) {
            continue;
        }
        let value = match (&field.default, &field.ty) {
            (Some(default), _) => value(&default.kind),
            (None, Type::Block(block)) => {
                let mut inner = Fields::new();
                if let Some(schema) = catalogue.block(block) {
                    defaults(catalogue, schema, origin, &mut inner);
                }
                Some(Val::Block(inner))
            }
            (None, Type::Map(_)) => Some(Val::Block(Fields::new())),
            (None, _) => None,
        };
        if let Some(value) = value {
            fields.insert(
                field.name.clone(),
                Setting {
                    value,
                    origin: origin.clone(),
                    written: false,
                },
            );
        }
    }
}

/// The typed value of a literal (by its form; the checker has matched it to its field).
pub fn value(kind: &ValueKind) -> Option<Val> {
    Some(match kind {
        ValueKind::String(s) => Val::Str(s.clone()),
        ValueKind::Number(n) => Val::Int(n.parse().ok()?),
        ValueKind::Bool(b) => Val::Bool(*b),
        ValueKind::Cidr(c) => Val::Cidr(c.parse().ok()?),
        ValueKind::Prefix(p) => Val::Prefix(p.parse().ok()?),
        ValueKind::Quantity { amount, unit } => {
            let amount: u64 = amount.parse().ok()?;
            match unit.as_str() {
                "%" => Val::Percent(u8::try_from(amount).ok()?),
                unit => Val::Duration(crate::date::duration_seconds(amount, unit)?),
            }
        }
        ValueKind::List(items) => Val::List(items.iter().filter_map(|v| value(&v.kind)).collect()),
        ValueKind::Call { name, args } => Val::Call {
            function: name.text.clone(),
            args: args.iter().filter_map(|v| value(&v.kind)).collect(),
        },
        ValueKind::Path(path) => match path.segments.as_slice() {
            [one] => Val::Name(one.text.clone()),
            [component, metric] => Val::Metric {
                component: component.text.clone(),
                metric: metric.text.clone(),
            },
            _ => return None,
        },
    })
}
