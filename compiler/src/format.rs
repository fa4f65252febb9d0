//! The formatter (`archc fmt`, and the language server's formatting): canonical layout of an
//! `.arch` file that changes white space only.
//!
//! It works on tokens, not on the AST, so every comment stays where it was and the token
//! sequence is the same before and after (a property test checks this, and that formatting is
//! idempotent). The layout: two spaces of indentation per open bracket; one space around `=`,
//! `->`, `:` and `|`, and inside `{ }` on one line; two spaces between members that share a
//! line (`scale { min = 2  max = 6 }`); the `=` of consecutive one-line attributes aligned, as
//! `terraform fmt` does; the trailing comments of a block of lines aligned, as `gofmt` does;
//! at most one blank line in a row and none just inside a bracket; one newline at the end. A file with
//! syntax errors is left alone: its layout cannot be known.

/// A token of the surface syntax.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Token {
    /// `// …` to the end of the line.
    Comment(String),
    /// `"…"` with its escapes, as written.
    Str(String),
    /// A name, number, CIDR, prefix, quantity or date: `api`, `10.0.0.0/16`, `/24`, `60%`.
    Word(String),
    /// `->`
    Arrow,
    /// One of `{ } ( ) [ ] = : , |`.
    Punct(char),
}

impl std::fmt::Display for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Token::Comment(text) | Token::Str(text) | Token::Word(text) => f.write_str(text),
            Token::Arrow => f.write_str("->"),
            Token::Punct(c) => write!(f, "{c}"),
        }
    }
}

/// The tokens of one line (a string never spans lines).
pub fn tokens(line: &str) -> Vec<Token> {
    let chars: Vec<char> = line.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        let next = chars.get(i + 1).copied();
        if c.is_whitespace() {
            i += 1;
        } else if c == '/' && next == Some('/') {
            out.push(Token::Comment(
                chars
                    .get(i..)
                    .unwrap_or_default()
                    .iter()
                    .collect::<String>()
                    .trim_end()
                    .to_owned(),
            ));
            break;
        } else if c == '"' {
            let start = i;
            i += 1;
            while let Some(&d) = chars.get(i) {
                i += 1;
                if d == '\\' {
                    i += 1;
                } else if d == '"' {
                    break;
                }
            }
            let end = i.min(chars.len());
            out.push(Token::Str(
                chars.get(start..end).unwrap_or_default().iter().collect(),
            ));
        } else if c == '-' && next == Some('>') {
            out.push(Token::Arrow);
            i += 2;
        } else if "{}()[]=:,|".contains(c) {
            out.push(Token::Punct(c));
            i += 1;
        } else {
            let start = i;
            while let Some(&d) = chars.get(i) {
                let arrow = d == '-' && chars.get(i + 1) == Some(&'>');
                let slash_comment = d == '/' && chars.get(i + 1) == Some(&'/');
                if d.is_whitespace() || "{}()[]=:,|\"".contains(d) || arrow || slash_comment {
                    break;
                }
                i += 1;
            }
            out.push(Token::Word(
                chars.get(start..i).unwrap_or_default().iter().collect(),
            ));
        }
    }
    out
}

/// Formats a file. `None` when the file has syntax errors (nothing can be said of its layout).
pub fn format(text: &str, has_syntax_errors: bool) -> Option<String> {
    if has_syntax_errors {
        return None;
    }
    let mut lines: Vec<Line> = Vec::new();
    let mut depth: usize = 0;
    let mut blank_run = 0;
    for raw in text.lines() {
        let tokens = tokens(raw);
        if tokens.is_empty() {
            blank_run += 1;
            // No blank line opens a block (nor, below, closes one).
            let after_opener = lines
                .last()
                .is_some_and(|line| line.code.ends_with(['{', '(', '[']));
            if blank_run == 1 && !lines.is_empty() && !after_opener {
                lines.push(Line::default());
            }
            continue;
        }
        blank_run = 0;
        let leading_closers = tokens
            .iter()
            .take_while(|t| matches!(t, Token::Punct('}' | ')' | ']')))
            .count();
        if leading_closers > 0 && lines.last().is_some_and(Line::is_blank) {
            lines.pop();
        }
        let indent = depth.saturating_sub(leading_closers);
        for token in &tokens {
            match token {
                Token::Punct('{' | '(' | '[') => depth += 1,
                Token::Punct('}' | ')' | ']') => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
        let (code, comment) = match tokens.split_last() {
            Some((Token::Comment(comment), code)) => (code, Some(comment.clone())),
            _ => (tokens.as_slice(), None),
        };
        let (code, name) = layout(code);
        lines.push(Line {
            indent,
            code,
            comment,
            name,
            comment_gap: 1,
        });
    }
    while lines.last().is_some_and(Line::is_blank) {
        lines.pop();
    }
    align_equals(&mut lines);
    align_comments(&mut lines);
    let mut out = String::with_capacity(text.len());
    for line in &lines {
        if !line.is_blank() {
            out.push_str(&"  ".repeat(line.indent));
        }
        out.push_str(&line.code);
        if let Some(comment) = &line.comment {
            let gap = if line.code.is_empty() { 0 } else { line.comment_gap };
            out.push_str(&" ".repeat(gap));
            out.push_str(comment);
        }
        out.push('\n');
    }
    Some(out)
}

/// One formatted line, before alignment.
#[derive(Debug, Default)]
struct Line {
    /// Open brackets before the line, less the closers it starts with.
    indent: usize,
    /// The tokens before any trailing comment, canonically spaced.
    code: String,
    comment: Option<String>,
    /// For a one-line attribute (`name = value`), the length of its name.
    name: Option<usize>,
    /// Spaces between the code and a trailing comment (set by `align_comments`).
    comment_gap: usize,
}

impl Line {
    fn is_blank(&self) -> bool {
        self.code.is_empty() && self.comment.is_none()
    }
}

/// Consecutive lines at one indentation, as `(start, end)` ranges: the runs that align.
fn runs(lines: &[Line], member: impl Fn(&Line) -> bool) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    while start < lines.len() {
        let Some(indent) = lines.get(start).filter(|l| member(l)).map(|l| l.indent) else {
            start += 1;
            continue;
        };
        let mut end = start;
        while lines.get(end).is_some_and(|l| l.indent == indent && member(l)) {
            end += 1;
        }
        out.push((start, end));
        start = end;
    }
    out
}

/// A line's tokens (without a trailing comment) with canonical spacing, and, for a one-line
/// attribute (`name = value` with no block on the line), the length of its name, for alignment.
fn layout(tokens: &[Token]) -> (String, Option<usize>) {
    let mut out = String::new();
    // Whether the line has closed a `name = value` at this bracket depth, so the next name
    // starts another member on the same line.
    let mut depth = 0usize;
    let mut value_depth: Option<usize> = None;
    let mut value_started = false;
    let mut previous: Option<&Token> = None;
    for (i, token) in tokens.iter().enumerate() {
        let separator = match (previous, token) {
            (None, _) => "",
            (Some(Token::Punct('(' | '[')), _) => "",
            (Some(_), Token::Punct(')' | ']' | ',')) => "",
            (Some(Token::Word(_)), Token::Punct('(')) => "",
            (Some(Token::Punct(',')), _) => " ",
            (Some(_), Token::Punct('{' | '}' | '=' | ':' | '|'))
            | (Some(Token::Punct('{' | '}' | '=' | ':' | '|')), _) => " ",
            (Some(_), Token::Arrow) | (Some(Token::Arrow), _) => " ",
            (Some(_), Token::Word(_) | Token::Str(_)) if value_depth == Some(depth) && value_started => "  ",
            (Some(_), _) => " ",
        };
        // A new member starts: the value before it is complete.
        if separator == "  " {
            value_depth = None;
            value_started = false;
        }
        out.push_str(separator);
        out.push_str(&token.to_string());
        match token {
            Token::Punct('=') => {
                value_depth = Some(depth);
                value_started = false;
            }
            Token::Punct('{' | '(' | '[') => depth += 1,
            Token::Punct('}' | ')' | ']') => {
                depth = depth.saturating_sub(1);
                if value_depth.is_some_and(|d| d > depth) {
                    value_depth = None;
                }
            }
            Token::Word(_) | Token::Str(_) if value_depth == Some(depth) => {
                // A call's name is followed by `(`; its value is complete after the `)`.
                value_started = !matches!(tokens.get(i + 1), Some(Token::Punct('(')));
            }
            _ => {}
        }
        if matches!(token, Token::Punct(')' | ']')) && value_depth == Some(depth) {
            value_started = true;
        }
        previous = Some(token);
    }
    let is_attribute = matches!(tokens.get(..2), Some([Token::Word(_), Token::Punct('=')]))
        && !tokens.iter().any(|t| matches!(t, Token::Punct('{')));
    let name = match tokens.first() {
        Some(Token::Word(name)) if is_attribute => Some(name.chars().count()),
        _ => None,
    };
    (out, name)
}

/// Pads the names of consecutive one-line attributes at one indentation so their `=` line up.
fn align_equals(lines: &mut [Line]) {
    for (start, end) in runs(lines, |l| l.name.is_some()) {
        let run = lines.get_mut(start..end).unwrap_or_default();
        let width = run.iter().filter_map(|l| l.name).max().unwrap_or(0);
        for line in run {
            if let Some(length) = line.name
                && let Some(at) = line.code.find(" =")
            {
                line.code.insert_str(at, &" ".repeat(width - length));
            }
        }
    }
}

/// Lines up the trailing comments of a block of consecutive code lines at one indentation, two
/// spaces after the longest line that has one (as `gofmt` does).
fn align_comments(lines: &mut [Line]) {
    for (start, end) in runs(lines, |l| !l.code.is_empty()) {
        let run = lines.get_mut(start..end).unwrap_or_default();
        let width = run
            .iter()
            .filter(|l| l.comment.is_some())
            .map(|l| l.code.chars().count())
            .max()
            .unwrap_or(0);
        for line in run.iter_mut().filter(|l| l.comment.is_some()) {
            line.comment_gap = width - line.code.chars().count() + 2;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fmt(text: &str) -> String {
        format(text, false).unwrap()
    }

    #[test]
    fn indents_spaces_and_aligns() {
        let text = "system s{\nregion=\"x\"\n   network {cidr=10.0.0.0/16\nzones=[\"a\",\"c\"]}\n  scale{min=2 max=6 cpu=60%}\nflow a->b:tcp(8080)\n}\n";
        assert_eq!(
            fmt(text),
            "system s {\n  region = \"x\"\n  network { cidr = 10.0.0.0/16\n    zones = [\"a\", \"c\"] }\n  scale { min = 2  max = 6  cpu = 60% }\n  flow a -> b : tcp(8080)\n}\n"
        );
    }

    #[test]
    fn keeps_comments_and_collapses_blank_lines() {
        let text = "// head\n\n\n\nsystem s { // trailing\n  /// doc\n  port   =  1   // one\n  timeout = 60s\n}\n\n\n";
        assert_eq!(
            fmt(text),
            "// head\n\nsystem s {  // trailing\n  /// doc\n  port    = 1  // one\n  timeout = 60s\n}\n"
        );
    }

    #[test]
    fn calls_and_dotted_paths_stay_one_value() {
        assert_eq!(
            fmt("a { image = ecr(\"x\") port = 1 }\n"),
            "a { image = ecr(\"x\")  port = 1 }\n"
        );
        assert_eq!(fmt("e { api.scale.min = 1 }\n"), "e { api.scale.min = 1 }\n");
    }
}
