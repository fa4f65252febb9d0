//! Where things are written: byte spans and their files. A leaf: every phase uses it, it uses
//! nothing but the database's `SourceFile`.

use std::ops::Range;

use crate::db::SourceFile;

/// A byte range in a file's text.
pub type Span = Range<usize>;

/// Where something was written: a span of a file.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Origin {
    pub file: SourceFile,
    pub span: Span,
}

impl Origin {
    /// Whether `inner` lies inside this origin, in the same file.
    pub fn contains(&self, inner: &Origin) -> bool {
        inner.file == self.file && self.span.start <= inner.span.start && inner.span.end <= self.span.end
    }
}
