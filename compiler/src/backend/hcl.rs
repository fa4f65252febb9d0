//! A small HCL writer whose output is laid out as `terraform fmt` lays it out: two-space
//! indentation, and the `=` of each run of single-line arguments aligned. Multi-line values
//! (objects, long lists) stand apart from their neighbours with blank lines, so every alignment
//! run is exactly one `terraform fmt` would form (it never adds or removes blank lines).
//!
//! Values are typed: string literals and template text go through one escaping function
//! (`quote`), references are traversals of identifiers (`reference` quotes anything else), and
//! raw text (`r`) is left for the few function calls and `for` expressions archc writes.

use std::fmt::Write as _;

/// An expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expr {
    Str(String),
    Num(i64),
    Bool(bool),
    /// A reference: `aws_vpc.main.id`, `data.aws_iam_policy_document.x.json`,
    /// `aws_rds_cluster.main.master_user_secret[0].secret_arn`. Built only by [`reference`],
    /// which admits identifiers, dots and indexes, so it cannot carry a string or a template.
    Ref(String),
    /// Any other expression, written as is: a function call, a `for` expression, a heredoc.
    /// Never holds a string from the sources: those are `Str` or `Template` text, escaped by
    /// `quote`, or labels sanitized to identifiers.
    Raw(String),
    /// A quoted template: literal text (escaped) and interpolated references,
    /// `"${aws_s3_bucket.logs.arn}/*"`.
    Template(Vec<Part>),
    List(Vec<Expr>),
    Object(Vec<(String, Expr)>),
}

/// A piece of a template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    /// Literal text, escaped when written.
    Text(String),
    /// `${reference}`.
    Interpolate(String),
}

/// A string literal.
pub fn s(text: impl Into<String>) -> Expr {
    Expr::Str(text.into())
}

/// A function call, a `for` expression or a heredoc, written as is (references are
/// [`reference`]s).
pub fn r(text: impl Into<String>) -> Expr {
    Expr::Raw(text.into())
}

/// A reference. Text that is not a traversal of identifiers (`a.b[0].c`) becomes a quoted
/// string instead: whatever reaches here can never become code.
pub fn reference(path: impl Into<String>) -> Expr {
    let path = path.into();
    if is_traversal(&path) {
        Expr::Ref(path)
    } else {
        Expr::Str(path)
    }
}

/// `root.attr.attr[0].attr`: identifiers (letters, digits, `_`, `-`, not starting with a
/// digit or `-`) joined by dots, each optionally indexed by a number.
fn is_traversal(path: &str) -> bool {
    let identifier = |word: &str| {
        let mut chars = word.chars();
        chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    };
    !path.is_empty()
        && path.split('.').all(|segment| match segment.split_once('[') {
            Some((name, index)) => {
                identifier(name)
                    && index
                        .strip_suffix(']')
                        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
            }
            None => identifier(segment),
        })
}

/// A list of string literals.
pub fn strings<I: IntoIterator<Item = S>, S: Into<String>>(items: I) -> Expr {
    Expr::List(items.into_iter().map(|item| Expr::Str(item.into())).collect())
}

/// `"${reference}suffix"`: a reference followed by literal text.
pub fn interpolated(reference: impl Into<String>, suffix: &str) -> Expr {
    Expr::Template(vec![
        Part::Interpolate(reference.into()),
        Part::Text(suffix.to_owned()),
    ])
}

/// A list of references.
pub fn refs<I: IntoIterator<Item = S>, S: Into<String>>(items: I) -> Expr {
    Expr::List(items.into_iter().map(reference).collect())
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Item {
    Attribute(String, Expr),
    Block(Block),
    Comment(String),
}

/// `kind "label" … { body }`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    kind: String,
    labels: Vec<String>,
    items: Vec<Item>,
}

impl Block {
    pub fn new(kind: &str, labels: &[&str]) -> Block {
        Block {
            kind: kind.to_owned(),
            labels: labels.iter().map(|l| (*l).to_owned()).collect(),
            items: Vec::new(),
        }
    }

    /// `resource "type" "name" { … }`
    pub fn resource(kind: &str, name: &str) -> Block {
        Block::new("resource", &[kind, name])
    }

    /// `data "type" "name" { … }`
    pub fn data(kind: &str, name: &str) -> Block {
        Block::new("data", &[kind, name])
    }

    pub fn attr(mut self, name: &str, value: Expr) -> Block {
        self.items.push(Item::Attribute(name.to_owned(), value));
        self
    }

    /// Adds the argument only when there is a value.
    pub fn attr_opt(self, name: &str, value: Option<Expr>) -> Block {
        match value {
            Some(value) => self.attr(name, value),
            None => self,
        }
    }

    pub fn block(mut self, block: Block) -> Block {
        self.items.push(Item::Block(block));
        self
    }

    pub fn blocks(mut self, blocks: impl IntoIterator<Item = Block>) -> Block {
        self.items.extend(blocks.into_iter().map(Item::Block));
        self
    }

    /// A `#` comment line, e.g. a `checkov:skip=…` with its reason.
    pub fn comment(mut self, text: &str) -> Block {
        self.items.push(Item::Comment(text.to_owned()));
        self
    }

    /// `type.name` of a `resource` block (what Terraform keeps state under).
    pub fn resource_address(&self) -> Option<String> {
        match (self.kind.as_str(), self.labels.as_slice()) {
            ("resource", [kind, name]) => Some(format!("{kind}.{name}")),
            _ => None,
        }
    }

    /// Renders the block at `indent` levels.
    pub fn render(&self, out: &mut String, indent: usize) {
        pad(out, indent);
        out.push_str(&self.kind);
        for label in &self.labels {
            out.push_str(" \"");
            escape_into(out, label);
            out.push('"');
        }
        if self.items.is_empty() {
            out.push_str(" {}\n");
            return;
        }
        out.push_str(" {\n");
        render_items(&self.items, out, indent + 1);
        pad(out, indent);
        out.push_str("}\n");
    }
}

/// Renders blocks as a file body after `head`, one blank line between them.
pub fn render_file(head: &str, blocks: Vec<Block>) -> String {
    let mut file = Blocks::rendered(head);
    file.extend(blocks);
    file.finish().0
}

/// A file's blocks as they are made: rendered at once (a module of 100,000 components never
/// holds all its blocks), and the addresses of its resources kept when asked for (what the
/// `moved` blocks of renames pair up).
pub struct Blocks {
    text: Option<String>,
    addresses: Option<Vec<String>>,
    empty: bool,
}

impl Blocks {
    /// Blocks rendered after `head`.
    pub fn rendered(head: &str) -> Blocks {
        Blocks {
            text: Some(head.to_owned()),
            addresses: None,
            empty: true,
        }
    }

    /// Also keep the addresses of the resources.
    pub fn with_addresses(mut self) -> Blocks {
        self.addresses = Some(Vec::new());
        self
    }

    /// Only the addresses of the resources, nothing rendered.
    pub fn addresses_only() -> Blocks {
        Blocks {
            text: None,
            addresses: Some(Vec::new()),
            empty: true,
        }
    }

    pub fn push(&mut self, block: Block) {
        if let Some(addresses) = &mut self.addresses {
            addresses.extend(block.resource_address());
        }
        if let Some(text) = &mut self.text {
            if !self.empty {
                text.push('\n');
            }
            block.render(text, 0);
        }
        self.empty = false;
    }

    pub fn extend(&mut self, blocks: impl IntoIterator<Item = Block>) {
        blocks.into_iter().for_each(|block| self.push(block));
    }

    /// The rendered text and the addresses (each empty when not asked for).
    pub fn finish(self) -> (String, Vec<String>) {
        (self.text.unwrap_or_default(), self.addresses.unwrap_or_default())
    }
}

/// Two spaces per level of `indent`.
fn pad(out: &mut String, indent: usize) {
    for _ in 0..indent {
        out.push_str("  ");
    }
}

fn render_items(items: &[Item], out: &mut String, indent: usize) {
    let mut i = 0;
    let mut previous_kind: Option<u8> = None;
    while let Some(item) = items.get(i) {
        match item {
            Item::Comment(text) => {
                // One line, whatever a reason written in the source holds.
                let text: String = text
                    .chars()
                    .map(|c| if c.is_control() { ' ' } else { c })
                    .collect();
                pad(out, indent);
                out.push_str("# ");
                out.push_str(&text);
                out.push('\n');
                previous_kind = Some(0);
                i += 1;
            }
            Item::Block(block) => {
                if previous_kind.is_some() {
                    out.push('\n');
                }
                block.render(out, indent);
                previous_kind = Some(2);
                i += 1;
            }
            Item::Attribute(..) => {
                // A run of attributes: single-line ones aligned together, multi-line ones apart.
                let run: Vec<(&String, &Expr)> = items
                    .get(i..)
                    .unwrap_or_default()
                    .iter()
                    .map_while(|item| match item {
                        Item::Attribute(name, value) => Some((name, value)),
                        _ => None,
                    })
                    .collect();
                i += run.len();
                if previous_kind == Some(2) {
                    out.push('\n');
                }
                render_attributes(&run, out, indent);
                previous_kind = Some(1);
            }
        }
    }
}

fn render_attributes(run: &[(&String, &Expr)], out: &mut String, indent: usize) {
    let mut group: Vec<(&String, String)> = Vec::new();
    let mut need_blank = false;
    let flush = |group: &mut Vec<(&String, String)>, out: &mut String| {
        let width = group
            .iter()
            .map(|(name, _)| name.chars().count())
            .max()
            .unwrap_or(0);
        for (name, value) in group.drain(..) {
            pad(out, indent);
            out.push_str(name);
            for _ in name.chars().count()..width {
                out.push(' ');
            }
            out.push_str(" = ");
            out.push_str(&value);
            out.push('\n');
        }
    };
    for (name, value) in run {
        match inline(value) {
            Some(text) => {
                if need_blank {
                    out.push('\n');
                    need_blank = false;
                }
                group.push((name, text));
            }
            None => {
                let had_group = !group.is_empty();
                flush(&mut group, out);
                if had_group || need_blank {
                    out.push('\n');
                }
                pad(out, indent);
                out.push_str(name);
                out.push_str(" = ");
                multiline(value, out, indent);
                out.push('\n');
                need_blank = true;
            }
        }
    }
    flush(&mut group, out);
}

/// The one-line form of a value, if it has one.
fn inline(value: &Expr) -> Option<String> {
    match value {
        Expr::Str(text) => Some(quote(text)),
        Expr::Template(parts) => {
            let mut out = String::from('"');
            for part in parts {
                match part {
                    Part::Text(text) => escape_into(&mut out, text),
                    Part::Interpolate(reference) => {
                        let _ = write!(out, "${{{reference}}}");
                    }
                }
            }
            out.push('"');
            Some(out)
        }
        Expr::Num(n) => Some(n.to_string()),
        Expr::Bool(b) => Some(b.to_string()),
        Expr::Ref(path) => Some(path.clone()),
        Expr::Raw(text) if !text.contains('\n') => Some(text.clone()),
        Expr::Raw(_) => None,
        Expr::List(items) if items.is_empty() => Some("[]".into()),
        Expr::List(items) => {
            let parts: Option<Vec<String>> = items
                .iter()
                .map(|item| match item {
                    Expr::List(_) | Expr::Object(_) => None,
                    other => inline(other),
                })
                .collect();
            let text = format!("[{}]", parts?.join(", "));
            (text.len() <= 100).then_some(text)
        }
        Expr::Object(fields) if fields.is_empty() => Some("{}".into()),
        Expr::Object(_) => None,
    }
}

/// Writes a multi-line value starting at the current column of an attribute at `indent`.
fn multiline(value: &Expr, out: &mut String, indent: usize) {
    let pad = "  ".repeat(indent);
    let inner = "  ".repeat(indent + 1);
    match value {
        Expr::List(items) => {
            out.push_str("[\n");
            for item in items {
                out.push_str(&inner);
                match inline(item) {
                    Some(text) => out.push_str(&text),
                    None => multiline(item, out, indent + 1),
                }
                out.push_str(",\n");
            }
            let _ = write!(out, "{pad}]");
        }
        Expr::Object(fields) => {
            out.push_str("{\n");
            let run: Vec<(&String, &Expr)> = fields.iter().map(|(k, v)| (k, v)).collect();
            let mut keyed = String::new();
            render_attributes(&run, &mut keyed, indent + 1);
            out.push_str(&keyed);
            let _ = write!(out, "{pad}}}");
        }
        Expr::Raw(text) => out.push_str(text),
        other => out.push_str(&inline(other).unwrap_or_default()),
    }
}

/// A quoted HCL string: escapes quotes, backslashes, control characters and template markers.
pub fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    escape_into(&mut out, text);
    out.push('"');
    out
}

/// The inside of a quoted HCL string (the one escaping function: `quote` and templates use it).
/// Runs of characters that need no escape are copied whole (what needs one is ASCII, so the
/// runs end on character boundaries).
fn escape_into(out: &mut String, text: &str) {
    let bytes = text.as_bytes();
    let mut copied = 0;
    for (i, &byte) in bytes.iter().enumerate() {
        let escaped = match byte {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            b'$' if bytes.get(i + 1) == Some(&b'{') => "$$",
            b'%' if bytes.get(i + 1) == Some(&b'{') => "%%",
            _ => continue,
        };
        out.push_str(text.get(copied..i).unwrap_or_default());
        out.push_str(escaped);
        copied = i + 1;
    }
    out.push_str(text.get(copied..).unwrap_or_default());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aligns_runs_and_sets_multiline_values_apart() {
        let block = Block::resource("aws_vpc", "main")
            .attr("cidr_block", s("10.0.0.0/16"))
            .attr("enable_dns_support", Expr::Bool(true))
            .attr(
                "tags",
                Expr::Object(vec![("Name".into(), s("x")), ("System".into(), s("y"))]),
            )
            .attr("id", r("aws_x.y.id"))
            .block(Block::new("lifecycle", &[]).attr("prevent_destroy", Expr::Bool(true)));
        let mut out = String::new();
        block.render(&mut out, 0);
        assert_eq!(
            out,
            "resource \"aws_vpc\" \"main\" {\n  cidr_block         = \"10.0.0.0/16\"\n  enable_dns_support = true\n\n  tags = {\n    Name   = \"x\"\n    System = \"y\"\n  }\n\n  id = aws_x.y.id\n\n  lifecycle {\n    prevent_destroy = true\n  }\n}\n"
        );
    }

    #[test]
    fn templates_escape_their_text_and_interpolate_references() {
        let template = Expr::Template(vec![
            Part::Text("a\"${".into()),
            Part::Interpolate("aws_x.y.arn".into()),
            Part::Text("/*".into()),
        ]);
        assert_eq!(inline(&template).as_deref(), Some("\"a\\\"$${${aws_x.y.arn}/*\""));
        assert_eq!(
            inline(&interpolated("path.module", "/lambda")).as_deref(),
            Some("\"${path.module}/lambda\"")
        );
    }

    #[test]
    fn a_reference_is_a_traversal_or_a_string() {
        assert_eq!(reference("aws_vpc.main.id"), Expr::Ref("aws_vpc.main.id".into()));
        assert_eq!(
            reference("aws_rds_cluster.main.master_user_secret[0].secret_arn"),
            Expr::Ref("aws_rds_cluster.main.master_user_secret[0].secret_arn".into())
        );
        for hostile in [
            "a.b\"c",
            "a.${b}",
            "a b",
            "a.b[x]",
            "",
            "a..b",
            "jsonencode(x)",
            "a.b\n}",
        ] {
            assert_eq!(reference(hostile), Expr::Str(hostile.into()), "{hostile:?}");
        }
    }

    #[test]
    fn quotes_template_markers() {
        assert_eq!(quote("a\"b\\c${d}%{e}\n"), "\"a\\\"b\\\\c$${d}%%{e}\\n\"");
    }
}
