//! The formatter (`archc fmt`, and the language server's formatting): canonical layout of an
//! `.arch` file that changes white space only.
//!
//! It works on tokens, not on the AST, so every comment stays where it was and the token
//! sequence is the same before and after (a property test checks this, and that formatting is
//! idempotent). The layout: two spaces of indentation per open bracket; one space around `=`,
//! `->`, `:` and `|`, and inside `{ }` on one line; two spaces between members that share a
//! line (`scale { min = 2  max = 6 }`); the `=` of consecutive one-line attributes aligned, as
//! `terraform fmt` does; at most one blank line in a row; one newline at the end. A file with
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

impl Token {
    fn text(&self) -> String {
        match self {
            Token::Comment(text) | Token::Str(text) | Token::Word(text) => text.clone(),
            Token::Arrow => "->".into(),
            Token::Punct(c) => c.to_string(),
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
            out.push(Token::Comment(chars.get(i..).unwrap_or_default().iter().collect::<String>().trim_end().to_owned()));
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
            out.push(Token::Str(chars.get(start..end).unwrap_or_default().iter().collect()));
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
            out.push(Token::Word(chars.get(start..i).unwrap_or_default().iter().collect()));
        }
    }
    out
}

/// Formats a file. `None` when the file has syntax errors (nothing can be said of its layout).
pub fn format(text: &str, has_syntax_errors: bool) -> Option<String> {
    if has_syntax_errors {
        return None;
    }
    let mut lines: Vec<(usize, String, Option<usize>)> = Vec::new();
    let mut depth: usize = 0;
    let mut blank_run = 0;
    for raw in text.lines() {
        let tokens = tokens(raw);
        if tokens.is_empty() {
            blank_run += 1;
            if blank_run == 1 && !lines.is_empty() {
                lines.push((0, String::new(), None));
            }
            continue;
        }
        blank_run = 0;
        let leading_closers = tokens.iter().take_while(|t| matches!(t, Token::Punct('}' | ')' | ']'))).count();
        let indent = depth.saturating_sub(leading_closers);
        for token in &tokens {
            match token {
                Token::Punct('{' | '(' | '[') => depth += 1,
                Token::Punct('}' | ')' | ']') => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
        let (body, align) = layout(raw, &tokens);
        lines.push((indent, body, align));
    }
    while lines.last().is_some_and(|(_, body, _)| body.is_empty()) {
        lines.pop();
    }
    align_runs(&mut lines);
    let mut out = String::with_capacity(text.len());
    for (indent, body, _) in &lines {
        if !body.is_empty() {
            out.push_str(&"  ".repeat(*indent));
            out.push_str(body);
        }
        out.push('\n');
    }
    Some(out)
}

/// A line's tokens with canonical spacing, and, for a one-line attribute (`name = value` with
/// no block on the line), the length of its name, for alignment.
fn layout(raw: &str, tokens: &[Token]) -> (String, Option<usize>) {
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
            (Some(_), Token::Comment(_)) => {
                // Keep the author's gap before a trailing comment (at least one space).
                let before = raw.find("//").map_or("", |at| raw.get(..at).unwrap_or_default());
                let gap = before.len() - before.trim_end().len();
                if gap >= 2 { "  " } else { " " }
            }
            (Some(Token::Punct('(' | '[')), _) => "",
            (Some(_), Token::Punct(')' | ']' | ',')) => "",
            (Some(Token::Word(_)), Token::Punct('(')) => "",
            (Some(Token::Punct(',')), _) => " ",
            (Some(_), Token::Punct('{' | '}' | '=' | ':' | '|')) | (Some(Token::Punct('{' | '}' | '=' | ':' | '|')), _) => " ",
            (Some(_), Token::Arrow) | (Some(Token::Arrow), _) => " ",
            (Some(_), Token::Word(_) | Token::Str(_)) if value_depth == Some(depth) && value_started => "  ",
            (Some(_), _) => " ",
        };
        // A new member starts: the value before it is complete.
        if separator == "  " && !matches!(token, Token::Comment(_)) {
            value_depth = None;
            value_started = false;
        }
        out.push_str(separator);
        out.push_str(&token.text());
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
fn align_runs(lines: &mut [(usize, String, Option<usize>)]) {
    let mut start = 0;
    while start < lines.len() {
        let Some((indent, _, Some(_))) = lines.get(start) else {
            start += 1;
            continue;
        };
        let indent = *indent;
        let mut end = start;
        while lines.get(end).is_some_and(|(i, _, name)| *i == indent && name.is_some()) {
            end += 1;
        }
        let width = lines.get(start..end).unwrap_or_default().iter().filter_map(|(_, _, n)| *n).max().unwrap_or(0);
        for (_, body, name) in lines.get_mut(start..end).unwrap_or_default() {
            if let Some(length) = name {
                let pad = " ".repeat(width - *length);
                if let Some(at) = body.find(" =") {
                    body.insert_str(at, &pad);
                }
            }
        }
        start = end.max(start + 1);
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
            "// head\n\nsystem s { // trailing\n  /// doc\n  port    = 1  // one\n  timeout = 60s\n}\n"
        );
    }

    #[test]
    fn calls_and_dotted_paths_stay_one_value() {
        assert_eq!(fmt("a { image = ecr(\"x\") port = 1 }\n"), "a { image = ecr(\"x\")  port = 1 }\n");
        assert_eq!(fmt("e { api.scale.min = 1 }\n"), "e { api.scale.min = 1 }\n");
    }
}
