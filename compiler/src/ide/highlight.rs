//! Semantic tokens: colours from meaning, not regexes. Every name is coloured by what the
//! checker resolved it to (`crate::semantics`): a component is a variable wherever it appears
//! (in a flow, a value or an environment override), a kind is a type, a tier a namespace, a
//! field or a metric a property, an enum value an enum member, a function a function;
//! declarations carry the `declaration` modifier and `///` comments `documentation`. The syntax
//! gives the rest: keywords, strings, numbers, comments. A name the checker could not resolve
//! gets no semantic colour (the editor's grammar still colours it).

use crate::db::{Db, SourceFile, Workspace};
use crate::semantics::Meaning;
use crate::syntax::ast::{Body, Ident, Member, MemberKind, Span, Value, ValueKind};

/// What a token is (the language server maps these to LSP's token types, in this order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Keyword,
    Variable,
    Type,
    Namespace,
    Property,
    String,
    Number,
    Comment,
    Function,
    EnumMember,
}

/// Modifier bits: the name a declaration declares.
pub const DECLARATION: u32 = 1;
/// Modifier bits: a `///` comment.
pub const DOCUMENTATION: u32 = 2;

/// One token: a span of the file, what it is, and its modifier bits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub span: Span,
    pub kind: Kind,
    pub modifiers: u32,
}

/// The tokens of a file, sorted by position.
pub fn tokens(db: &dyn Db, workspace: Workspace, file: SourceFile) -> Vec<Token> {
    let text = file.text(db);
    let mut out = Collector {
        text,
        tokens: Vec::new(),
    };
    for name in crate::types::file_names(db, workspace, file) {
        let (kind, modifiers) = match &name.meaning {
            Meaning::Declaration { keyword, .. } if keyword == "tier" => (Kind::Namespace, DECLARATION),
            Meaning::Declaration { .. } => (Kind::Variable, DECLARATION),
            Meaning::Reference { category } if category == "tier" => (Kind::Namespace, 0),
            Meaning::Reference { .. } | Meaning::Internet => (Kind::Variable, 0),
            Meaning::Kind => (Kind::Type, 0),
            Meaning::EnumValue { .. } => (Kind::EnumMember, 0),
            Meaning::Field { .. } | Meaning::Metric { .. } | Meaning::Key => (Kind::Property, 0),
            Meaning::Function => (Kind::Function, 0),
        };
        out.push(name.span.clone(), kind, modifiers);
    }
    for member in &crate::syntax::parse(db, file).ast.members {
        out.member(member);
    }
    out.comments();
    let mut tokens = out.tokens;
    tokens.sort_by_key(|t| t.span.start);
    tokens.dedup_by(|later, earlier| later.span.start < earlier.span.end);
    tokens
}

struct Collector<'a> {
    text: &'a str,
    tokens: Vec<Token>,
}

impl Collector<'_> {
    fn push(&mut self, span: Span, kind: Kind, modifiers: u32) {
        if span.start < span.end {
            self.tokens.push(Token {
                span,
                kind,
                modifiers,
            });
        }
    }

    fn ident(&mut self, ident: &Ident, kind: Kind) {
        self.push(ident.span.clone(), kind, 0);
    }

    /// A keyword at the start of a member (`flow`, `route`, `allow`, `use`).
    fn leading_keyword(&mut self, member: &Member, keyword: &str) {
        if self
            .text
            .get(member.span.clone())
            .is_some_and(|t| t.starts_with(keyword))
        {
            self.push(
                member.span.start..member.span.start + keyword.len(),
                Kind::Keyword,
                0,
            );
        }
    }

    fn member(&mut self, member: &Member) {
        match &member.kind {
            MemberKind::Decl(decl) => {
                self.ident(&decl.keyword, Kind::Keyword);
                if let Some(tier) = &decl.tier {
                    self.keyword_before(tier.span.start, "in");
                }
                self.body(&decl.body);
            }
            MemberKind::Attribute { value, .. } => self.value(value),
            MemberKind::Block { body, .. } => self.body(body),
            MemberKind::Flow { protocol, .. } => {
                self.leading_keyword(member, "flow");
                self.value(protocol);
            }
            MemberKind::Route { pattern, body, .. } => {
                self.leading_keyword(member, "route");
                self.push(pattern.span.clone(), Kind::String, 0);
                if let Some(body) = body {
                    self.body(body);
                }
            }
            MemberKind::Allow { code, reason, until } => {
                self.leading_keyword(member, "allow");
                self.ident(code, Kind::EnumMember);
                if let Some(reason) = reason {
                    self.keyword_before(reason.span.start, "reason");
                    self.push(reason.span.clone(), Kind::String, 0);
                }
                if let Some(until) = until {
                    self.keyword_before(until.span.start, "until");
                    self.ident(until, Kind::Number);
                }
            }
            MemberKind::Use { module } => {
                self.leading_keyword(member, "use");
                self.ident(module, Kind::Namespace);
            }
        }
    }

    /// The keyword that ends, after white space, right before `at` (`in`, `reason`, `until`).
    fn keyword_before(&mut self, at: usize, keyword: &str) {
        let before = self.text.get(..at).unwrap_or_default().trim_end();
        if before.ends_with(keyword) {
            self.push(before.len() - keyword.len()..before.len(), Kind::Keyword, 0);
        }
    }

    fn body(&mut self, body: &Body) {
        for member in &body.members {
            self.member(member);
        }
    }

    fn value(&mut self, value: &Value) {
        match &value.kind {
            ValueKind::String(_) => self.push(value.span.clone(), Kind::String, 0),
            ValueKind::Number(_) | ValueKind::Cidr(_) | ValueKind::Prefix(_) | ValueKind::Quantity { .. } => {
                self.push(value.span.clone(), Kind::Number, 0);
            }
            ValueKind::Bool(_) => self.push(value.span.clone(), Kind::Keyword, 0),
            ValueKind::List(items) => items.iter().for_each(|item| self.value(item)),
            ValueKind::Call { args, .. } => args.iter().for_each(|arg| self.value(arg)),
            ValueKind::Path(_) => {}
        }
    }

    /// `//` comments (outside strings) to the end of their line; `///` is documentation.
    fn comments(&mut self) {
        let mut offset = 0;
        for line in self.text.split_inclusive('\n') {
            let mut in_string = false;
            let mut escaped = false;
            let bytes = line.as_bytes();
            for (i, &byte) in bytes.iter().enumerate() {
                match byte {
                    _ if escaped => escaped = false,
                    b'\\' if in_string => escaped = true,
                    b'"' => in_string = !in_string,
                    b'/' if !in_string && bytes.get(i + 1) == Some(&b'/') => {
                        let end = line.trim_end_matches(['\n', '\r']).len();
                        let documentation = bytes.get(i + 2) == Some(&b'/');
                        let modifiers = if documentation { DOCUMENTATION } else { 0 };
                        self.push(offset + i..offset + end, Kind::Comment, modifiers);
                        break;
                    }
                    _ => {}
                }
            }
            offset += line.len();
        }
    }
}
