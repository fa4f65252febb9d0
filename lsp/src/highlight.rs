//! Semantic tokens: colours from meaning, not regexes. A component name is a variable
//! wherever it appears (in a flow, a value or an environment override), a kind is a type, a
//! tier a namespace, a field a property, an enum value an enum member; declarations carry the
//! `declaration` modifier and `///` comments `documentation`.

use std::collections::BTreeSet;

use archc::db::{Db, SourceFile, Workspace};
use archc::line_index::LineIndex;
use archc::syntax::ast::{Body, Ident, Member, MemberKind, Path, Span, Value, ValueKind};
use tower_lsp_server::ls_types::{
    SemanticToken, SemanticTokenModifier, SemanticTokenType, SemanticTokensLegend,
};

use crate::navigate;

/// The token types, in the legend's order (a token's type is its index here).
const TYPES: &[SemanticTokenType] = &[
    SemanticTokenType::KEYWORD,
    SemanticTokenType::VARIABLE,
    SemanticTokenType::TYPE,
    SemanticTokenType::NAMESPACE,
    SemanticTokenType::PROPERTY,
    SemanticTokenType::STRING,
    SemanticTokenType::NUMBER,
    SemanticTokenType::COMMENT,
    SemanticTokenType::FUNCTION,
    SemanticTokenType::ENUM_MEMBER,
];

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

const DECLARATION: u32 = 1;
const DOCUMENTATION: u32 = 2;

pub fn legend() -> SemanticTokensLegend {
    SemanticTokensLegend {
        token_types: TYPES.to_vec(),
        token_modifiers: vec![
            SemanticTokenModifier::DECLARATION,
            SemanticTokenModifier::DOCUMENTATION,
        ],
    }
}

/// One token: a span of the file, what it is, and its modifier bits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub span: Span,
    pub kind: Kind,
    pub modifiers: u32,
}

/// The tokens of a file, sorted by position.
pub fn tokens(db: &dyn Db, workspace: Workspace, file: SourceFile) -> Vec<Token> {
    let declared: BTreeSet<&str> = navigate::declarations(db, workspace)
        .into_iter()
        .map(|o| o.name.as_str())
        .collect();
    let text = file.text(db);
    let mut out = Collector {
        declared: &declared,
        text,
        tokens: Vec::new(),
    };
    for member in &archc::syntax::parse(db, file).ast.members {
        out.member(member, false);
    }
    out.comments();
    let mut tokens = out.tokens;
    tokens.sort_by_key(|t| t.span.start);
    tokens.dedup_by(|later, earlier| later.span.start < earlier.span.end);
    tokens
}

struct Collector<'a> {
    declared: &'a BTreeSet<&'a str>,
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

    fn member(&mut self, member: &Member, in_env: bool) {
        match &member.kind {
            MemberKind::Decl(decl) => {
                self.ident(&decl.keyword, Kind::Keyword);
                let name = if decl.keyword.text == "tier" {
                    Kind::Namespace
                } else {
                    Kind::Variable
                };
                self.push(decl.name.span.clone(), name, DECLARATION);
                if let Some(kind) = &decl.kind {
                    self.ident(kind, Kind::Type);
                }
                if let Some(tier) = &decl.tier {
                    self.keyword_before(tier.span.start, "in");
                    self.ident(tier, Kind::Namespace);
                }
                self.body(&decl.body, decl.keyword.text == "env");
            }
            MemberKind::Attribute { path, value } => {
                self.path_key(path, in_env);
                self.value(value);
            }
            MemberKind::Block { path, body } => {
                self.path_key(path, in_env);
                self.body(body, false);
            }
            MemberKind::Flow { from, to, protocol } => {
                self.leading_keyword(member, "flow");
                self.ident(from, Kind::Variable);
                self.ident(to, Kind::Variable);
                self.value(protocol);
            }
            MemberKind::Route {
                pattern,
                target,
                body,
            } => {
                self.leading_keyword(member, "route");
                self.push(pattern.span.clone(), Kind::String, 0);
                self.ident(target, Kind::Variable);
                if let Some(body) = body {
                    self.body(body, false);
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

    fn body(&mut self, body: &Body, in_env: bool) {
        for member in &body.members {
            self.member(member, in_env);
        }
    }

    /// An attribute's or block's name: fields are properties; in an environment a dotted
    /// path starts with the component it overrides.
    fn path_key(&mut self, path: &Path, in_env: bool) {
        for (i, segment) in path.segments.iter().enumerate() {
            let kind = if i == 0 && in_env && path.segments.len() > 1 {
                Kind::Variable
            } else {
                Kind::Property
            };
            self.ident(segment, kind);
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
            ValueKind::Call { name, args } => {
                self.ident(name, Kind::Function);
                args.iter().for_each(|arg| self.value(arg));
            }
            ValueKind::Path(path) => {
                for (i, segment) in path.segments.iter().enumerate() {
                    let kind = match i {
                        0 if self.declared.contains(segment.text.as_str()) => Kind::Variable,
                        0 => Kind::EnumMember,
                        _ => Kind::Property,
                    };
                    self.ident(segment, kind);
                }
            }
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

/// The tokens in LSP's relative encoding (UTF-16 lengths, one line each).
pub fn encode(text: &str, tokens: &[Token]) -> Vec<SemanticToken> {
    let index = LineIndex::new(text);
    let mut out = Vec::with_capacity(tokens.len());
    let (mut previous_line, mut previous_start) = (0, 0);
    for token in tokens {
        let Some(slice) = text.get(token.span.clone()) else {
            continue;
        };
        if slice.contains('\n') {
            continue;
        }
        let (line, start) = index.utf16_position(token.span.start);
        let length = slice.chars().map(char::len_utf16).sum::<usize>();
        out.push(SemanticToken {
            delta_line: line - previous_line,
            delta_start: if line == previous_line {
                start - previous_start
            } else {
                start
            },
            length: u32::try_from(length).unwrap_or(u32::MAX),
            token_type: token.kind as u32,
            token_modifiers_bitset: token.modifiers,
        });
        (previous_line, previous_start) = (line, start);
    }
    out
}
