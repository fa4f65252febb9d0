//! pest pairs → AST. With `grammar.rs`, the only code that sees pest types.
//!
//! The grammar guarantees the shape of each pair, so a pair of an unexpected shape can only
//! mean the grammar and this file disagree; lowering then drops the node rather than panic.

use pest::iterators::{Pair, Pairs};

use super::ast::*;
use super::grammar::Rule;

/// Lowers pairs of one piece of text that starts at `offset` in its file.
pub struct Lowerer<'a> {
    /// The whole file, for doc comments.
    pub file_text: &'a str,
    pub offset: usize,
}

impl Lowerer<'_> {
    fn span(&self, pair: &Pair<'_, Rule>) -> Span {
        let span = pair.as_span();
        self.offset + span.start()..self.offset + span.end()
    }

    fn ident(&self, pair: Pair<'_, Rule>) -> Ident {
        Ident {
            text: pair.as_str().to_owned(),
            span: self.span(&pair),
        }
    }

    /// Lowers the members found in `pairs` (the inner pairs of `members`/`member_only`/`body`).
    pub fn members(&self, pairs: Pairs<'_, Rule>) -> Vec<Member> {
        pairs.filter_map(|pair| self.member(pair)).collect()
    }

    pub fn member(&self, pair: Pair<'_, Rule>) -> Option<Member> {
        let span = self.span(&pair);
        let rule = pair.as_rule();
        let mut inner = pair.into_inner();
        let kind = match rule {
            Rule::use_item => {
                let _kw = inner.next()?;
                MemberKind::Use {
                    module: self.ident(inner.next()?),
                }
            }
            Rule::allow => {
                let _kw = inner.next()?;
                let code = self.ident(inner.next()?);
                let mut reason = None;
                let mut until = None;
                for part in inner {
                    match part.as_rule() {
                        Rule::string => reason = Some(self.string(part)),
                        Rule::date => until = Some(self.ident(part)),
                        _ => {}
                    }
                }
                MemberKind::Allow { code, reason, until }
            }
            Rule::flow => {
                let _kw = inner.next()?;
                MemberKind::Flow {
                    from: self.ident(inner.next()?),
                    to: self.ident(inner.next()?),
                    protocol: self.value(inner.next()?)?,
                }
            }
            Rule::route => {
                let (pattern, target) = self.route_head(inner.next()?)?;
                MemberKind::Route {
                    pattern,
                    target,
                    body: inner.next().map(|body| self.body(body)),
                }
            }
            Rule::attribute => MemberKind::Attribute {
                path: self.path(inner.next()?),
                value: self.value(inner.next()?)?,
            },
            Rule::decl => {
                let head = self.head(inner.next()?)?;
                let body = self.body(inner.next()?);
                return Some(self.with_body(head, body, span));
            }
            Rule::block => {
                let head = self.head(inner.next()?)?;
                let body = self.body(inner.next()?);
                return Some(self.with_body(head, body, span));
            }
            Rule::EOI => return None,
            _ => return None,
        };
        Some(Member {
            kind,
            doc: doc_above(self.file_text, span.start),
            span,
        })
    }

    fn route_head(&self, pair: Pair<'_, Rule>) -> Option<(StringLit, Ident)> {
        let mut inner = pair.into_inner();
        let _kw = inner.next()?;
        let pattern = self.string(inner.next()?);
        let target = self.ident(inner.next()?);
        Some((pattern, target))
    }

    /// Lowers the inner pair of `head` (or the head of a `decl`/`block`/`route`).
    pub fn head(&self, pair: Pair<'_, Rule>) -> Option<Head> {
        match pair.as_rule() {
            Rule::decl_head => {
                let mut keyword = None;
                let mut name = None;
                let mut kind = None;
                let mut tier = None;
                let mut after_in = false;
                for part in pair.into_inner() {
                    match part.as_rule() {
                        Rule::kw_in => after_in = true,
                        Rule::ident if keyword.is_none() => keyword = Some(self.ident(part)),
                        Rule::ident if name.is_none() => name = Some(self.ident(part)),
                        Rule::ident if after_in => tier = Some(self.ident(part)),
                        Rule::ident => kind = Some(self.ident(part)),
                        _ => {}
                    }
                }
                Some(Head::Decl {
                    keyword: keyword?,
                    name: name?,
                    kind,
                    tier,
                })
            }
            Rule::block_head => Some(Head::Block(self.path(pair.into_inner().next()?))),
            Rule::route_head => {
                let (pattern, target) = self.route_head(pair)?;
                Some(Head::Route { pattern, target })
            }
            _ => None,
        }
    }

    /// Builds a block-like member from its head and body (also used by recovery).
    pub fn with_body(&self, head: Head, body: Body, span: Span) -> Member {
        let kind = match head {
            Head::Decl {
                keyword,
                name,
                kind,
                tier,
            } => MemberKind::Decl(Decl {
                keyword,
                name,
                kind,
                tier,
                body,
            }),
            Head::Block(path) => MemberKind::Block { path, body },
            Head::Route { pattern, target } => MemberKind::Route {
                pattern,
                target,
                body: Some(body),
            },
        };
        Member {
            kind,
            doc: doc_above(self.file_text, span.start),
            span,
        }
    }

    fn body(&self, pair: Pair<'_, Rule>) -> Body {
        let span = self.span(&pair);
        Body {
            members: self.members(pair.into_inner()),
            span,
            recovered: false,
        }
    }

    fn path(&self, pair: Pair<'_, Rule>) -> Path {
        let span = self.span(&pair);
        Path {
            segments: pair.into_inner().map(|p| self.ident(p)).collect(),
            span,
        }
    }

    fn string(&self, pair: Pair<'_, Rule>) -> StringLit {
        let span = self.span(&pair);
        let raw = pair
            .into_inner()
            .next()
            .map(|inner| inner.as_str())
            .unwrap_or_default();
        StringLit {
            value: unescape(raw),
            span,
        }
    }

    pub fn value(&self, pair: Pair<'_, Rule>) -> Option<Value> {
        let span = self.span(&pair);
        let text = pair.as_str();
        let kind = match pair.as_rule() {
            Rule::string => ValueKind::String(self.string(pair).value),
            Rule::number => ValueKind::Number(text.to_owned()),
            Rule::boolean => ValueKind::Bool(text == "true"),
            Rule::cidr => ValueKind::Cidr(text.to_owned()),
            Rule::prefix => ValueKind::Prefix(text.trim_start_matches('/').to_owned()),
            Rule::quantity => {
                let digits = text.bytes().take_while(u8::is_ascii_digit).count();
                let (amount, unit) = text.split_at(digits);
                ValueKind::Quantity {
                    amount: amount.to_owned(),
                    unit: unit.to_owned(),
                }
            }
            Rule::list => ValueKind::List(pair.into_inner().filter_map(|v| self.value(v)).collect()),
            Rule::call => {
                let mut inner = pair.into_inner();
                let name = self.ident(inner.next()?);
                ValueKind::Call {
                    name,
                    args: inner.filter_map(|v| self.value(v)).collect(),
                }
            }
            Rule::path => ValueKind::Path(self.path(pair)),
            _ => return None,
        };
        Some(Value { kind, span })
    }

    // -- the stdlib catalogue ------------------------------------------------------------------

    pub fn schema_items(&self, pairs: Pairs<'_, Rule>) -> Vec<SchemaItem> {
        pairs.filter_map(|pair| self.schema_item(pair)).collect()
    }

    fn schema_item(&self, pair: Pair<'_, Rule>) -> Option<SchemaItem> {
        let doc = doc_above(self.file_text, self.span(&pair).start);
        let rule = pair.as_rule();
        let mut inner = pair.into_inner();
        let name = self.ident(inner.next()?);
        Some(match rule {
            Rule::category_def => SchemaItem::Category {
                name,
                settings: inner
                    .filter_map(|attr| {
                        let mut parts = attr.into_inner();
                        Some((self.path(parts.next()?), self.value(parts.next()?)?))
                    })
                    .collect(),
                doc,
            },
            Rule::kind_def => {
                let category = self.ident(inner.next()?);
                let mut fields = Vec::new();
                let mut metrics = Vec::new();
                for part in inner {
                    if part.as_rule() == Rule::metric_def {
                        let metric_doc = doc_above(self.file_text, self.span(&part).start);
                        if let Some(metric) = part.into_inner().find(|p| p.as_rule() == Rule::ident) {
                            metrics.push((self.ident(metric), metric_doc));
                        }
                    } else if let Some(field) = self.field(part) {
                        fields.push(field);
                    }
                }
                SchemaItem::Kind {
                    name,
                    category,
                    fields,
                    metrics,
                    doc,
                }
            }
            Rule::block_def => SchemaItem::Block {
                name,
                fields: inner.filter_map(|f| self.field(f)).collect(),
                doc,
            },
            Rule::enum_def => SchemaItem::Enum {
                name,
                variants: inner
                    .map(|v| {
                        let variant_doc = doc_above(self.file_text, self.span(&v).start);
                        (self.ident(v), variant_doc)
                    })
                    .collect(),
                doc,
            },
            Rule::fn_def => {
                let mut params = Vec::new();
                let mut returns = None;
                for part in inner {
                    if part.as_rule() == Rule::param {
                        let mut p = part.into_inner();
                        if let (Some(n), Some(t)) = (p.next(), p.next()) {
                            params.push((self.ident(n), self.type_expr(t)?));
                        }
                    } else {
                        returns = Some(self.ident(part));
                    }
                }
                SchemaItem::Function {
                    name,
                    params,
                    returns: returns?,
                    doc,
                }
            }
            _ => return None,
        })
    }

    fn field(&self, pair: Pair<'_, Rule>) -> Option<FieldDef> {
        let doc = doc_above(self.file_text, self.span(&pair).start);
        let mut inner = pair.into_inner();
        let name = self.ident(inner.next()?);
        let ty = self.type_expr(inner.next()?)?;
        let mut field = FieldDef {
            name,
            ty,
            default: None,
            required: false,
            repeated: false,
            doc,
        };
        for part in inner {
            match (part.as_rule(), part.as_str()) {
                (Rule::modifier, "required") => field.required = true,
                (Rule::modifier, _) => field.repeated = true,
                _ => field.default = self.value(part),
            }
        }
        Some(field)
    }

    fn type_expr(&self, pair: Pair<'_, Rule>) -> Option<TypeExpr> {
        match pair.as_rule() {
            Rule::type_expr => {
                let mut alternatives: Vec<TypeExpr> =
                    pair.into_inner().filter_map(|p| self.type_expr(p)).collect();
                if alternatives.len() == 1 {
                    alternatives.pop()
                } else {
                    Some(TypeExpr::Union(alternatives))
                }
            }
            Rule::list_type => Some(TypeExpr::List(Box::new(
                self.type_expr(pair.into_inner().next()?)?,
            ))),
            Rule::map_type => Some(TypeExpr::Map(Box::new(
                self.type_expr(pair.into_inner().next()?)?,
            ))),
            Rule::ref_type => Some(TypeExpr::Ref(pair.into_inner().map(|p| self.ident(p)).collect())),
            Rule::int_range => {
                let mut inner = pair.into_inner();
                Some(TypeExpr::IntRange {
                    min: inner.next()?.as_str().to_owned(),
                    max: inner.next()?.as_str().to_owned(),
                })
            }
            Rule::ident => Some(TypeExpr::Named(self.ident(pair))),
            _ => None,
        }
    }
}

/// The head of a block-like member.
pub enum Head {
    Decl {
        keyword: Ident,
        name: Ident,
        kind: Option<Ident>,
        tier: Option<Ident>,
    },
    Block(Path),
    Route {
        pattern: StringLit,
        target: Ident,
    },
}

/// The `///` lines directly above byte `start`, joined with newlines, without the slashes.
pub fn doc_above(text: &str, start: usize) -> Option<String> {
    let before = text.get(..start)?;
    // The text before must end at a line start (only indentation between).
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    if !before.get(line_start..)?.trim().is_empty() {
        return None;
    }
    let mut lines: Vec<&str> = Vec::new();
    for line in before.get(..line_start)?.lines().rev() {
        match line.trim_start().strip_prefix("///") {
            Some(doc) => lines.push(doc.strip_prefix(' ').unwrap_or(doc)),
            None => break,
        }
    }
    if lines.is_empty() {
        return None;
    }
    lines.reverse();
    Some(lines.join("\n"))
}

/// Resolves `\"`, `\\`, `\n` and `\t`; any other escaped character stands for itself.
fn unescape(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some(other) => out.push(other),
            None => {}
        }
    }
    out
}
