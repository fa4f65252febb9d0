//! What every name in a file means, as the checker decided it: the one table the editor
//! features (definition, references, rename, highlighting, hover) read, so none of them
//! re-derives meaning from text. `purpose = static` is an enum value even where a bucket is
//! named `static`; `fargate` after `:` is a stdlib kind even where a component is named
//! `fargate`. A name the checker could not resolve (an error) has no entry.

use crate::syntax::ast::Span;

/// What a name stands for.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Meaning {
    /// The name a declaration declares: `system`, `env`, a component or a tier (`keyword` is
    /// the declaring word, `kind` the kind written after `:`, if any).
    Declaration { keyword: String, kind: Option<String> },
    /// A use of a declared component or tier; `category` is its declaring word (`tier`,
    /// `service`, …).
    Reference { category: String },
    /// A stdlib kind, after `:` (`fargate`).
    Kind,
    /// A member of a stdlib enum (`static` of `bucket_purpose`).
    EnumValue { enum_name: String },
    /// A field of a kind or block (`port` of `fargate`, `min` of `scale`).
    Field { owner: String },
    /// A key of a block of free keys (`STRIPE_API_KEY` in `secret { … }`).
    Key,
    /// A stdlib function (`ecr`).
    Function,
    /// A metric of a component's kind (`cpu` in `api.cpu`).
    Metric { kind: String },
    /// `internet`: the flow endpoint outside the system.
    Internet,
}

/// One name in a file and what it means.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct NameUse {
    pub span: Span,
    pub name: String,
    pub meaning: Meaning,
}

impl NameUse {
    /// Whether this is a name the user declared or a use of one: what definition, references
    /// and rename follow.
    pub fn is_declared_name(&self) -> bool {
        matches!(
            self.meaning,
            Meaning::Declaration { .. } | Meaning::Reference { .. }
        )
    }
}
