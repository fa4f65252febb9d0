//! The stdlib catalogue: kinds, blocks, enums, functions and categories, read from the
//! `stdlib/*.arch` declarations. The checker, hover and completion all read this one value;
//! nothing about a kind's fields is written anywhere else.

use std::collections::BTreeMap;

use crate::db::{Db, SourceFile, Workspace};
use crate::diagnostics::{Diagnostic, codes, one_of};
use crate::formats::TextFormat;
use crate::syntax::ast::{self, SchemaItem, TypeExpr, ValueKind};
use crate::syntax::parse_schema;

/// A field's type, resolved against the catalogue.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Type {
    String,
    Int {
        min: i64,
        max: i64,
    },
    Bool,
    /// `10.0.0.0/16`
    Cidr,
    /// `/24`
    Prefix,
    /// `60s`, `5m`, `1h`, `7d`
    Duration,
    /// `60%`
    Percent,
    /// A string holding a six-field EventBridge cron expression.
    Cron,
    /// A string of twelve digits.
    AccountId,
    /// A string that names something in AWS, in that name's format (`region`, `domain`, …).
    Text(TextFormat),
    /// `<component>.<metric>`
    Metric,
    List(Box<Type>),
    /// A block of free keys, each with a value of this type (`secret { KEY = … }`).
    Map(Box<Type>),
    /// A nested block with the named block schema.
    Block(String),
    /// The name of a component of one of these categories.
    Ref(Vec<String>),
    Enum(String),
    /// A value produced by calling one of the catalogue's functions (`image`, `certificate`).
    Produced(String),
    Union(Vec<Type>),
}

/// A category of components: the keyword that declares them (`service`, `tier`, …).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Category {
    pub name: String,
    /// Where its declarations may stand: `system` or `network`.
    pub scope: String,
    /// Whether a component must be placed `in` a tier.
    pub placed: bool,
    /// The kind used when the declaration names none (`load_balancer alb in ingress`).
    pub default_kind: Option<String>,
    /// Its components run with an IAM role that flows from them grant to (services, jobs).
    pub principal: bool,
    /// The access levels a flow to one of its components grants (members of the enum
    /// `access`); empty for components reached through the network, whose flows carry a
    /// protocol.
    pub access: Vec<String>,
    pub doc: Option<String>,
}

/// A field of a kind or block.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Field {
    pub name: String,
    pub ty: Type,
    pub default: Option<ast::Value>,
    pub required: bool,
    /// May appear many times (`route`).
    pub repeated: bool,
    pub doc: Option<String>,
}

/// The fields of a kind or block, in declaration order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Schema {
    pub fields: Vec<Field>,
}

impl Schema {
    pub fn field(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.name == name)
    }

    pub fn field_names(&self) -> impl Iterator<Item = &str> {
        self.fields.iter().map(|f| f.name.as_str())
    }
}

/// A component kind: `kind fargate : service { … }`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Kind {
    pub name: String,
    pub category: String,
    pub schema: Schema,
    pub metrics: Vec<(String, Option<String>)>,
    pub doc: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Enum {
    pub name: String,
    pub variants: Vec<(String, Option<String>)>,
    pub doc: Option<String>,
}

impl Enum {
    pub fn variant_names(&self) -> Vec<&str> {
        self.variants.iter().map(|(v, _)| v.as_str()).collect()
    }
}

/// A function usable in values: `fn ecr(repository: string) -> image`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Function {
    pub name: String,
    pub params: Vec<(String, Type)>,
    pub returns: String,
    pub doc: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Catalogue {
    pub categories: BTreeMap<String, Category>,
    pub kinds: BTreeMap<String, Kind>,
    pub blocks: BTreeMap<String, Schema>,
    pub block_docs: BTreeMap<String, Option<String>>,
    pub enums: BTreeMap<String, Enum>,
    pub functions: BTreeMap<String, Function>,
    /// Stdlib module names (file stems), for `use`.
    pub modules: Vec<String>,
    /// Problems in the stdlib itself; a test keeps this empty.
    pub diagnostics: Vec<Diagnostic>,
}

/// The schema every language construct reads its fields from.
pub const SYSTEM_BLOCK: &str = "system";
pub const ENV_BLOCK: &str = "env";
pub const FLOW_BLOCK: &str = "flow";
pub const ROUTE_BLOCK: &str = "route";
/// The enum of the access levels flows grant.
pub const ACCESS_ENUM: &str = "access";

impl Catalogue {
    pub fn block(&self, name: &str) -> Option<&Schema> {
        self.blocks.get(name)
    }

    /// The name of a declaration's kind: the one written after `:`, or its category's default
    /// (`alarm` → `cloudwatch_alarm`). The one place this is decided.
    pub fn kind_name(&self, keyword: &str, written: Option<&str>) -> Option<String> {
        match written {
            Some(kind) => Some(kind.to_owned()),
            None => self.categories.get(keyword)?.default_kind.clone(),
        }
    }

    /// A declaration's kind (see [`Catalogue::kind_name`]), if the catalogue has it.
    pub fn kind_of(&self, keyword: &str, written: Option<&str>) -> Option<&Kind> {
        self.kinds.get(&self.kind_name(keyword, written)?)
    }

    /// The functions whose result has the given type name.
    pub fn producers(&self, produced: &str) -> Vec<&Function> {
        self.functions
            .values()
            .filter(|f| f.returns == produced)
            .collect()
    }

    /// Words for a type in messages: "an integer from 1 to 65535", "one of `a` or `b`".
    pub fn describe(&self, ty: &Type) -> String {
        match ty {
            Type::String => "a string".into(),
            Type::Int { min, max } => format!("an integer from {min} to {max}"),
            Type::Bool => "`true` or `false`".into(),
            Type::Cidr => "a CIDR block such as `10.0.0.0/16`".into(),
            Type::Prefix => "a prefix length such as `/24`".into(),
            Type::Duration => "a duration such as `60s`, `5m`, `1h` or `7d`".into(),
            Type::Percent => "a percentage such as `60%`".into(),
            Type::Cron => "a cron expression string".into(),
            Type::AccountId => "a 12-digit AWS account ID in quotes".into(),
            Type::Text(format) => format.describe().into(),
            Type::Metric => "a metric such as `api.cpu`".into(),
            Type::List(inner) => format!("a list of {}", plural(&self.describe(inner))),
            Type::Map(inner) => format!("a block of `NAME = …` entries, each {}", self.describe(inner)),
            Type::Block(name) => format!("a `{name} {{ … }}` block"),
            Type::Ref(categories) => {
                let words: Vec<String> = categories.iter().map(|c| c.replace('_', " ")).collect();
                format!("the name of a {}", words.join(" or "))
            }
            Type::Enum(name) => match self.enums.get(name) {
                Some(e) => one_of(&e.variant_names()),
                None => format!("a `{name}`"),
            },
            Type::Produced(name) => {
                let calls: Vec<String> = self
                    .producers(name)
                    .iter()
                    .map(|f| format!("{}(…)", f.name))
                    .collect();
                let calls: Vec<&str> = calls.iter().map(String::as_str).collect();
                format!("{} (from {})", article(&name.replace('_', " ")), one_of(&calls))
            }
            Type::Union(alternatives) => {
                let words: Vec<String> = alternatives.iter().map(|t| self.describe(t)).collect();
                words.join(", or ")
            }
        }
    }
}

/// "an image", "a certificate".
pub fn article(noun: &str) -> String {
    match noun.chars().next() {
        Some('a' | 'e' | 'i' | 'o' | 'u') => format!("an {noun}"),
        _ => format!("a {noun}"),
    }
}

fn plural(description: &str) -> String {
    description
        .strip_prefix("a ")
        .or_else(|| description.strip_prefix("an "))
        .map_or_else(|| description.to_owned(), |rest| format!("{rest}s"))
}

/// Builds the catalogue from the workspace's stdlib files.
#[salsa::tracked(returns(ref))]
pub fn catalogue(db: &dyn Db, workspace: Workspace) -> Catalogue {
    let mut builder = Builder::default();
    for &file in workspace.stdlib(db) {
        let stem = file
            .path(db)
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .trim_end_matches(".arch")
            .to_owned();
        builder.catalogue.modules.push(stem);
        let parsed = parse_schema(db, file);
        builder
            .catalogue
            .diagnostics
            .extend(parsed.diagnostics.iter().cloned());
        builder.collect(file, &parsed.schema.items);
    }
    builder.resolve_all();
    builder.catalogue
}

#[derive(Default)]
struct Builder {
    catalogue: Catalogue,
    /// Items whose types are resolved once every name is known.
    pending: Vec<(SourceFile, SchemaItem)>,
    /// Access levels named by categories, checked against the enum `access` once all enums are read.
    access_levels: Vec<(SourceFile, ast::Value)>,
}

impl Builder {
    fn collect(&mut self, file: SourceFile, items: &[SchemaItem]) {
        for item in items {
            match item {
                SchemaItem::Enum { name, variants, doc } => {
                    self.catalogue.enums.insert(
                        name.text.clone(),
                        Enum {
                            name: name.text.clone(),
                            variants: variants
                                .iter()
                                .map(|(v, d)| (v.text.clone(), d.clone()))
                                .collect(),
                            doc: doc.clone(),
                        },
                    );
                }
                SchemaItem::Category { name, settings, doc } => {
                    let mut category = Category {
                        name: name.text.clone(),
                        scope: "system".into(),
                        placed: false,
                        default_kind: None,
                        principal: false,
                        access: Vec::new(),
                        doc: doc.clone(),
                    };
                    for (key, value) in settings {
                        match (key.dotted().as_str(), &value.kind) {
                            ("scope", ValueKind::Path(p)) => category.scope = p.dotted(),
                            ("placed", ValueKind::Bool(b)) => category.placed = *b,
                            ("default", ValueKind::Path(p)) => category.default_kind = Some(p.dotted()),
                            ("principal", ValueKind::Bool(b)) => category.principal = *b,
                            ("access", ValueKind::List(levels)) => {
                                category.access = levels
                                    .iter()
                                    .filter_map(|level| match &level.kind {
                                        ValueKind::Path(p) => Some(p.dotted()),
                                        _ => None,
                                    })
                                    .collect();
                                self.access_levels
                                    .extend(levels.iter().map(|level| (file, level.clone())));
                            }
                            _ => self.catalogue.diagnostics.push(Diagnostic::error(
                                codes::UNKNOWN_FIELD,
                                file,
                                key.span.clone(),
                                format!("unknown category setting `{}`", key.dotted()),
                            )),
                        }
                    }
                    self.catalogue.categories.insert(name.text.clone(), category);
                }
                SchemaItem::Block { name, doc, .. } => {
                    self.catalogue.block_docs.insert(name.text.clone(), doc.clone());
                    self.pending.push((file, item.clone()));
                }
                SchemaItem::Kind { .. } | SchemaItem::Function { .. } => {
                    self.pending.push((file, item.clone()));
                }
            }
        }
    }

    fn resolve_all(&mut self) {
        // Function results are type names; register them before resolving any field.
        let produced: Vec<String> = self
            .pending
            .iter()
            .filter_map(|(_, item)| match item {
                SchemaItem::Function { returns, .. } => Some(returns.text.clone()),
                _ => None,
            })
            .collect();
        let block_names: Vec<String> = self
            .pending
            .iter()
            .filter_map(|(_, item)| match item {
                SchemaItem::Block { name, .. } => Some(name.text.clone()),
                _ => None,
            })
            .collect();
        let names = Names {
            produced: &produced,
            blocks: &block_names,
            enums: &self.catalogue.enums,
        };
        let mut diagnostics = Vec::new();
        let mut category_errors = Vec::new();
        for (file, item) in std::mem::take(&mut self.pending) {
            let mut resolve = |ty: &TypeExpr| names.resolve(file, ty, &mut diagnostics);
            match item {
                SchemaItem::Block { name, fields, .. } => {
                    let schema = schema(&fields, &mut resolve);
                    self.catalogue.blocks.insert(name.text, schema);
                }
                SchemaItem::Kind {
                    name,
                    category,
                    fields,
                    metrics,
                    doc,
                } => {
                    if !self.catalogue.categories.contains_key(&category.text) {
                        category_errors.push(Diagnostic::error(
                            codes::UNKNOWN_KIND,
                            file,
                            category.span.clone(),
                            format!("unknown category `{}`", category.text),
                        ));
                    }
                    let schema = schema(&fields, &mut resolve);
                    self.catalogue.kinds.insert(
                        name.text.clone(),
                        Kind {
                            name: name.text,
                            category: category.text,
                            schema,
                            metrics: metrics.into_iter().map(|(m, d)| (m.text, d)).collect(),
                            doc,
                        },
                    );
                }
                SchemaItem::Function {
                    name,
                    params,
                    returns,
                    doc,
                } => {
                    let params = params
                        .iter()
                        .map(|(p, ty)| (p.text.clone(), resolve(ty)))
                        .collect();
                    self.catalogue.functions.insert(
                        name.text.clone(),
                        Function {
                            name: name.text,
                            params,
                            returns: returns.text,
                            doc,
                        },
                    );
                }
                SchemaItem::Enum { .. } | SchemaItem::Category { .. } => {}
            }
        }
        self.catalogue.diagnostics.extend(diagnostics);
        self.catalogue.diagnostics.extend(category_errors);
        let access = self.catalogue.enums.get(ACCESS_ENUM).map(Enum::variant_names);
        for (file, level) in std::mem::take(&mut self.access_levels) {
            let known = match &level.kind {
                ValueKind::Path(p) => access.as_ref().is_some_and(|a| a.contains(&p.dotted().as_str())),
                _ => false,
            };
            if !known {
                self.catalogue.diagnostics.push(Diagnostic::error(
                    codes::UNKNOWN_ENUM_VALUE,
                    file,
                    level.span.clone(),
                    format!("a category's access levels are members of the enum `{ACCESS_ENUM}`"),
                ));
            }
        }
    }
}

fn schema(fields: &[ast::FieldDef], resolve: &mut impl FnMut(&TypeExpr) -> Type) -> Schema {
    Schema {
        fields: fields
            .iter()
            .map(|f| Field {
                name: f.name.text.clone(),
                ty: resolve(&f.ty),
                default: f.default.clone(),
                required: f.required,
                repeated: f.repeated,
                doc: f.doc.clone(),
            })
            .collect(),
    }
}

struct Names<'a> {
    produced: &'a [String],
    blocks: &'a [String],
    enums: &'a BTreeMap<String, Enum>,
}

impl Names<'_> {
    fn resolve(&self, file: SourceFile, ty: &TypeExpr, diagnostics: &mut Vec<Diagnostic>) -> Type {
        match ty {
            TypeExpr::Named(name) => match name.text.as_str() {
                "string" => Type::String,
                "int" => Type::Int {
                    min: i64::MIN,
                    max: i64::MAX,
                },
                "bool" => Type::Bool,
                "cidr" => Type::Cidr,
                "prefix" => Type::Prefix,
                "duration" => Type::Duration,
                "percent" => Type::Percent,
                "cron" => Type::Cron,
                "account_id" => Type::AccountId,
                "metric" => Type::Metric,
                other if let Some(format) = TextFormat::named(other) => Type::Text(format),
                other if self.enums.contains_key(other) => Type::Enum(other.to_owned()),
                other if self.blocks.iter().any(|b| b == other) => Type::Block(other.to_owned()),
                other if self.produced.iter().any(|p| p == other) => Type::Produced(other.to_owned()),
                other => {
                    diagnostics.push(Diagnostic::error(
                        codes::UNKNOWN_KIND,
                        file,
                        name.span.clone(),
                        format!("unknown type `{other}` in the catalogue"),
                    ));
                    Type::String
                }
            },
            TypeExpr::List(inner) => Type::List(Box::new(self.resolve(file, inner, diagnostics))),
            TypeExpr::Map(inner) => Type::Map(Box::new(self.resolve(file, inner, diagnostics))),
            TypeExpr::Ref(categories) => Type::Ref(categories.iter().map(|c| c.text.clone()).collect()),
            TypeExpr::IntRange { min, max } => Type::Int {
                min: min.parse().unwrap_or(i64::MIN),
                max: max.parse().unwrap_or(i64::MAX),
            },
            TypeExpr::Union(alternatives) => Type::Union(
                alternatives
                    .iter()
                    .map(|t| self.resolve(file, t, diagnostics))
                    .collect(),
            ),
        }
    }
}
