//! The syntax tree of user files and of the stdlib catalogue.
//!
//! Every node carries its byte span in its file. The tree knows nothing of kinds, types or
//! environments: it is exactly what was written. `Member` is the one node shape for everything
//! that can stand in a body, so that recovery, formatting and the editor treat all alike.

pub use crate::span::Span;

/// A name as written, with its span.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Ident {
    pub text: String,
    pub span: Span,
}

/// A dotted name: `api.scale.min`, `internet_only`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Path {
    pub segments: Vec<Ident>,
    pub span: Span,
}

impl Path {
    /// The path as written, e.g. `api.scale.min`.
    pub fn dotted(&self) -> String {
        let names: Vec<&str> = self.segments.iter().map(|s| s.text.as_str()).collect();
        names.join(".")
    }

    /// The only segment of a one-segment path.
    pub fn single(&self) -> Option<&Ident> {
        match self.segments.as_slice() {
            [only] => Some(only),
            _ => None,
        }
    }
}

/// One parsed file: its top-level members.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Ast {
    pub members: Vec<Member>,
}

/// Anything that can stand in a body.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Member {
    pub kind: MemberKind,
    pub span: Span,
    /// The `///` lines directly above the member, without the slashes.
    pub doc: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum MemberKind {
    /// `use network`
    Use { module: Ident },
    /// `port = 8080`, `api.scale.min = 1`
    Attribute { path: Path, value: Value },
    /// `network { … }`, `api.scale { … }`
    Block { path: Path, body: Body },
    /// `service api : fargate in container { … }`
    Decl(Decl),
    /// `allow R001 reason "…" until 2027-03-31`
    Allow {
        code: Ident,
        reason: Option<StringLit>,
        /// The date as written, with its span.
        until: Option<Ident>,
    },
    /// `flow api -> main : postgres`
    Flow { from: Ident, to: Ident, protocol: Value },
    /// `route "/images/*" -> assets { … }`
    Route {
        pattern: StringLit,
        target: Ident,
        body: Option<Body>,
    },
}

/// `keyword name [: kind] [in tier] { body }`
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Decl {
    pub keyword: Ident,
    pub name: Ident,
    pub kind: Option<Ident>,
    pub tier: Option<Ident>,
    pub body: Body,
}

/// `{ members }`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Body {
    pub members: Vec<Member>,
    pub span: Span,
    /// True when the body had a syntax error and holds only what could be recovered.
    /// Checks that need the whole body (missing required fields) stay quiet then.
    pub recovered: bool,
}

/// A string literal: its value with escapes resolved, and its span (quotes included).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct StringLit {
    pub value: String,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Value {
    pub kind: ValueKind,
    pub span: Span,
}

/// Literal forms. Numbers keep their text so that the checker, not the parser, reports
/// out-of-range values with a span and a hint.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ValueKind {
    String(String),
    /// `443`, `-1`
    Number(String),
    Bool(bool),
    /// `10.0.0.0/16`, as written.
    Cidr(String),
    /// `/24`: the digits after the slash.
    Prefix(String),
    /// `60s`, `60%`: the digits and the unit.
    Quantity {
        amount: String,
        unit: String,
    },
    List(Vec<Value>),
    Call {
        name: Ident,
        args: Vec<Value>,
    },
    /// `internet_only`, `api.cpu`
    Path(Path),
}

/// A stdlib file: the catalogue's declarations.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct SchemaFile {
    pub items: Vec<SchemaItem>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SchemaItem {
    Category {
        name: Ident,
        settings: Vec<(Path, Value)>,
        doc: Option<String>,
    },
    Kind {
        name: Ident,
        category: Ident,
        fields: Vec<FieldDef>,
        metrics: Vec<(Ident, Option<String>)>,
        doc: Option<String>,
    },
    Block {
        name: Ident,
        fields: Vec<FieldDef>,
        doc: Option<String>,
    },
    Enum {
        name: Ident,
        variants: Vec<(Ident, Option<String>)>,
        doc: Option<String>,
    },
    Function {
        name: Ident,
        params: Vec<(Ident, TypeExpr)>,
        returns: Ident,
        doc: Option<String>,
    },
}

/// `port: int(1..65535) = 8080 required`
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FieldDef {
    pub name: Ident,
    pub ty: TypeExpr,
    pub default: Option<Value>,
    pub required: bool,
    pub repeated: bool,
    pub doc: Option<String>,
}

/// A type as written in the stdlib: alternatives separated by `|`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum TypeExpr {
    Named(Ident),
    List(Box<TypeExpr>),
    Map(Box<TypeExpr>),
    Ref(Vec<Ident>),
    IntRange { min: String, max: String },
    Union(Vec<TypeExpr>),
}
