//! Parsing: `.arch` text → AST plus syntax diagnostics. Parsing never fails.
//!
//! A file is first parsed whole (the fast path). When that fails, the splitter (`split.rs`)
//! cuts it into items and each item is parsed alone; a broken block item is parsed again as
//! its head plus its body's items, recursively, so the error is reported where it is and every
//! healthy item around it survives. This module knows nothing of kinds, types or environments.

pub mod ast;
pub mod grammar;
pub mod lower;
pub mod split;

use std::ops::Range;

use pest::Parser as _;

use crate::db::{Db, SourceFile};
use crate::diagnostics::{self, Diagnostic, codes};
use ast::{Ast, Body, Member, SchemaFile};
use grammar::{ArchParser, Rule};
use lower::Lowerer;

/// The result of parsing one file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Parsed {
    pub ast: Ast,
    pub diagnostics: Vec<Diagnostic>,
}

/// Parse one user file.
#[salsa::tracked(returns(ref))]
pub fn parse(db: &dyn Db, file: SourceFile) -> Parsed {
    configure_pest();
    let text = file.text(db);
    // Parsing and every phase after it recurse over nesting; no architecture nests deeply, so
    // a file that does is reported once and not parsed (never a stack overflow).
    if let Some(at) = too_deep(text) {
        return Parsed {
            ast: Ast::default(),
            diagnostics: vec![
                Diagnostic::error(
                    codes::NESTING_TOO_DEEP,
                    file,
                    at..at + 1,
                    format!("brackets nest more than {MAX_NESTING} deep here"),
                )
                .with_help(
                    "an architecture nests a few blocks deep; look for brackets that are never closed",
                ),
            ],
        };
    }
    let mut parser = ItemParser {
        file,
        text,
        diagnostics: Vec::new(),
        detailed: true,
    };
    let members = parser.members(0..text.len()).members;
    Parsed {
        ast: Ast { members },
        diagnostics: parser.diagnostics,
    }
}

/// The deepest nesting of brackets a file may have.
pub const MAX_NESTING: usize = 64;

/// The offset of the first bracket that opens a level deeper than `MAX_NESTING`, outside
/// strings and comments. Linear, with no recursion.
fn too_deep(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    let mut i = 0;
    while let Some(&byte) = bytes.get(i) {
        match byte {
            _ if escaped => escaped = false,
            b'\\' if in_string => escaped = true,
            b'"' => in_string = !in_string,
            b'\n' => in_string = false,
            b'/' if !in_string && bytes.get(i + 1) == Some(&b'/') => {
                i += bytes
                    .get(i..)?
                    .iter()
                    .position(|&b| b == b'\n')
                    .unwrap_or(bytes.len() - i);
                continue;
            }
            b'{' | b'[' | b'(' if !in_string => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Some(i);
                }
            }
            b'}' | b']' | b')' if !in_string => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    None
}

/// The result of parsing one stdlib file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct ParsedSchema {
    pub schema: SchemaFile,
    pub diagnostics: Vec<Diagnostic>,
}

/// Parse one stdlib catalogue file. The stdlib is ours, so there is no recovery: a test keeps
/// it free of errors.
#[salsa::tracked(returns(ref))]
pub fn parse_schema(db: &dyn Db, file: SourceFile) -> ParsedSchema {
    configure_pest();
    let text = file.text(db);
    let lowerer = Lowerer {
        file_text: text,
        offset: 0,
    };
    let parsed =
        ArchParser::parse(Rule::schema_file, text).or_else(|_| parse_detailed(Rule::schema_file, text));
    match parsed {
        Ok(mut pairs) => ParsedSchema {
            schema: SchemaFile {
                items: pairs
                    .next()
                    .map(|file_pair| lowerer.schema_items(file_pair.into_inner()))
                    .unwrap_or_default(),
            },
            diagnostics: Vec::new(),
        },
        Err(error) => ParsedSchema {
            schema: SchemaFile::default(),
            diagnostics: vec![syntax_error(file, text, 0..text.len(), &error)],
        },
    }
}

/// Process-wide pest settings: bound the work one parse may do, so that hostile input cannot
/// hang the language server.
fn configure_pest() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        pest::set_call_limit(std::num::NonZeroUsize::new(50_000_000));
    });
}

/// How many errors a file may have before its broken items are parsed without pest's
/// error detail (see `ItemParser::item`); well past what anyone reads.
pub const DETAILED_ERRORS: usize = 1_000;

/// Parses with pest's error detail on, which records the tokens expected where parsing
/// stopped (`=`, `:`) for the message. It costs a fifth of the parse time, so only the failure
/// path pays for it. The setting is process-wide: the lock makes every detailed parse see it
/// on, so messages do not depend on what other threads are doing (a fast parse that overlaps
/// one only runs slower).
fn parse_detailed(
    rule: Rule,
    text: &str,
) -> Result<pest::iterators::Pairs<'_, Rule>, pest::error::Error<Rule>> {
    static DETAIL: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _guard = DETAIL.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    pest::set_error_detail(true);
    let result = ArchParser::parse(rule, text);
    pest::set_error_detail(false);
    result
}

struct ItemParser<'a> {
    file: SourceFile,
    text: &'a str,
    diagnostics: Vec<Diagnostic>,
    /// Whether broken items get pest's error detail (while the file has fewer than
    /// `DETAILED_ERRORS` errors); off for the fast first pass of `items`.
    detailed: bool,
}

/// How many items a body must have before its items are parsed on all cores (a pasted flood,
/// a generated file); fewer are parsed in order on the thread that asked.
const PARALLEL_ITEMS: usize = 2_048;

impl ItemParser<'_> {
    fn lowerer(&self, offset: usize) -> Lowerer<'_> {
        Lowerer {
            file_text: self.text,
            offset,
        }
    }

    fn slice(&self, range: &Range<usize>) -> &str {
        self.text.get(range.clone()).unwrap_or_default()
    }

    /// Parses the members in `range`: whole if it can, item by item if it must.
    fn members(&mut self, range: Range<usize>) -> Body {
        let span = range.clone();
        if let Ok(mut pairs) = ArchParser::parse(Rule::members, self.slice(&range)) {
            let members = pairs
                .next()
                .map(|pair| self.lowerer(range.start).members(pair.into_inner()))
                .unwrap_or_default();
            return Body {
                members,
                span,
                recovered: false,
            };
        }
        let pieces = split::split(self.text, range.clone());
        for &closer in &pieces.stray_closers {
            let found = self.slice(&(closer..closer + 1)).to_owned();
            self.diagnostics.push(
                Diagnostic::error(
                    codes::UNMATCHED_CLOSER,
                    self.file,
                    closer..closer + 1,
                    format!("unexpected `{found}`: nothing here is open"),
                )
                .with_help("remove it, or add the opening bracket it was meant to close"),
            );
        }
        Body {
            members: self.items(pieces.chunks),
            span,
            recovered: true,
        }
    }

    /// Parses the items of a body that did not parse whole, each alone. Many items are parsed
    /// in two passes: all of them on all cores without pest's error detail, then in order, the
    /// broken ones again with it while the file has fewer than `DETAILED_ERRORS` errors. The
    /// result is the same as parsing them in order, whatever the number of cores.
    fn items(&mut self, chunks: Vec<split::Chunk>) -> Vec<Member> {
        if chunks.len() < PARALLEL_ITEMS {
            return chunks.into_iter().filter_map(|chunk| self.item(chunk)).collect();
        }
        let threads = std::thread::available_parallelism().map_or(1, usize::from);
        let (file, text) = (self.file, self.text);
        let fast: Vec<(Option<Member>, Vec<Diagnostic>)> = std::thread::scope(|scope| {
            let workers: Vec<_> = chunks
                .chunks(chunks.len().div_ceil(threads))
                .map(|part| {
                    scope.spawn(move || {
                        part.iter()
                            .map(|chunk| {
                                let mut alone = ItemParser {
                                    file,
                                    text,
                                    diagnostics: Vec::new(),
                                    detailed: false,
                                };
                                (alone.item(chunk.clone()), alone.diagnostics)
                            })
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            workers
                .into_iter()
                .flat_map(|worker| {
                    worker
                        .join()
                        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
                })
                .collect()
        });
        let mut members = Vec::with_capacity(chunks.len());
        for (chunk, (member, diagnostics)) in chunks.into_iter().zip(fast) {
            let member = if !diagnostics.is_empty() && self.detailed_now() {
                self.item(chunk)
            } else {
                self.diagnostics.extend(diagnostics);
                member
            };
            members.extend(member);
        }
        members
    }

    /// Whether a broken item parsed now gets pest's error detail.
    fn detailed_now(&self) -> bool {
        self.detailed && self.diagnostics.len() < DETAILED_ERRORS
    }

    /// Parses one item alone; on failure reports it and recovers what it can.
    fn item(&mut self, chunk: split::Chunk) -> Option<Member> {
        let range = chunk.range.clone();
        // Past `DETAILED_ERRORS` errors in a file, an item is parsed without pest's detail,
        // which costs two thirds of the time of a broken item: a pasted flood of broken lines
        // is checked in time linear in its size at the fast parser's speed. The messages lose
        // only the punctuation they list as expected (`expected a value, found `;``).
        let parsed = if self.detailed_now() {
            parse_detailed(Rule::member_only, self.slice(&range))
        } else {
            ArchParser::parse(Rule::member_only, self.slice(&range))
        };
        let error = match parsed {
            Ok(mut pairs) => {
                let pair = pairs.next()?.into_inner().next()?;
                return self.lowerer(range.start).member(pair);
            }
            Err(error) => error,
        };
        // An unterminated string in the head (or in an item without a body) is this item's
        // error; one inside the body is reported by the body's own item.
        if let Some(string) = chunk
            .unterminated_string
            .clone()
            .filter(|string| chunk.open_brace.is_none_or(|open| string.start < open))
        {
            self.diagnostics.push(
                Diagnostic::error(
                    codes::UNTERMINATED_STRING,
                    self.file,
                    string,
                    "this string has no closing `\"`",
                )
                .with_help("close the string with `\"` on the same line"),
            );
            return None;
        }
        let Some(open) = chunk.open_brace else {
            self.diagnostics
                .push(syntax_error(self.file, self.text, range, &error));
            return None;
        };
        let head_range = range.start..open;
        let head = match ArchParser::parse(Rule::head, self.slice(&head_range)) {
            Ok(mut pairs) => pairs
                .next()
                .and_then(|pair| pair.into_inner().next())
                .and_then(|pair| self.lowerer(head_range.start).head(pair)),
            Err(_) => None,
        };
        let Some(head) = head else {
            self.diagnostics
                .push(syntax_error(self.file, self.text, range, &error));
            return None;
        };
        let errors_before = self.diagnostics.len();
        let body_end = chunk.close_brace.unwrap_or(range.end);
        let mut body = self.members(open + 1..body_end);
        body.span = open..chunk.close_brace.map_or(range.end, |close| close + 1);
        body.recovered = true;
        match chunk.close_brace {
            // The string ran over the `}`: its own error says so.
            None if chunk.unterminated_string.is_some() => {}
            None => self.diagnostics.push(
                Diagnostic::error(
                    codes::UNCLOSED_BRACE,
                    self.file,
                    open..open + 1,
                    "this `{` is never closed",
                )
                .with_help("add the missing `}` at the end of the block"),
            ),
            // The body alone parses, so the problem is elsewhere in the item: say what pest saw.
            Some(_) if self.diagnostics.len() == errors_before => {
                self.diagnostics
                    .push(syntax_error(self.file, self.text, range.clone(), &error))
            }
            Some(_) => {}
        }
        Some(self.lowerer(range.start).with_body(head, body, range))
    }
}

/// Turns a pest error on `text[range]` into an `E0001` diagnostic in words people use.
fn syntax_error(
    file: SourceFile,
    text: &str,
    range: Range<usize>,
    error: &pest::error::Error<Rule>,
) -> Diagnostic {
    let mut position = match error.location {
        pest::error::InputLocation::Pos(pos) => pos,
        pest::error::InputLocation::Span((start, _)) => start,
    };
    // pest moves its error position for failed rules only; the attempts also record failed
    // literal tokens (`:`, `=`), which may lie further on and say more.
    let attempts = error.parse_attempts();
    let further = attempts.as_ref().filter(|a| a.max_position > position);
    if let Some(attempts) = further {
        position = attempts.max_position;
    }
    let at = (range.start + position).min(range.end);
    let found = token_at(text, at, range.end);
    let mut expected: Vec<String> = Vec::new();
    let mut add = |word: String| {
        if !expected.contains(&word) {
            expected.push(word);
        }
    };
    if let (pest::error::ErrorVariant::ParsingError { positives, .. }, None) = (&error.variant, further) {
        for rule in positives {
            add(grammar::describe(*rule).to_owned());
        }
    }
    if let Some(attempts) = &attempts {
        for token in attempts.expected_tokens() {
            // Structural punctuation only: the tokens inside values, names and comments are
            // covered by "a value" and "a name".
            let token = token.to_string();
            if STRUCTURAL_TOKENS.contains(&token.as_str()) {
                add(format!("`{token}`"));
            }
        }
    }
    expected.retain(|word| word != "input");
    let expected = match expected.as_slice() {
        [] if at == range.start => "an item".to_owned(),
        [] => "the rest of the item".to_owned(),
        words => diagnostics::join(words, "or"),
    };
    let (span, found_text) = match found {
        Some(span) => {
            // A token can be a 10 MB run of letters: the message quotes its start.
            let token = text.get(span.clone()).unwrap_or_default();
            let shown: String = token.chars().take(40).collect();
            let more = if shown.len() < token.len() { "…" } else { "" };
            (span, format!("`{shown}{more}`"))
        }
        None => (at..at, "the end of the item".to_owned()),
    };
    Diagnostic::error(
        codes::SYNTAX_ERROR,
        file,
        span,
        format!("expected {expected}, found {found_text}"),
    )
    .with_help(syntax_help(text.get(range).unwrap_or_default()))
}

/// The literal tokens worth naming in "expected …" messages.
const STRUCTURAL_TOKENS: &[&str] = &["=", "{", "}", "->", ":", "(", ")", ",", "]", "|"];

/// A hint chosen from the shape of the broken item.
fn syntax_help(item: &str) -> &'static str {
    let first_line = item.lines().next().unwrap_or_default();
    if first_line.trim_start().starts_with("flow") {
        "a flow reads `flow <from> -> <to> : <protocol>`, e.g. `flow api -> main : postgres`"
    } else if first_line.contains('=') {
        "a field reads `<name> = <value>`, one per line or separated by spaces inside `{ }`"
    } else {
        "items read `<keyword> <name> [: <kind>] [in <tier>] { … }` or `<name> = <value>`"
    }
}

/// The span of the token starting at (or after white space from) `at`, if any.
fn token_at(text: &str, at: usize, end: usize) -> Option<Range<usize>> {
    let rest = text.get(at..end)?;
    let skipped = rest.len() - rest.trim_start().len();
    let start = at + skipped;
    let rest = rest.trim_start();
    let first = rest.chars().next()?;
    let len = if first.is_alphanumeric() || first == '_' {
        rest.find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(rest.len())
    } else {
        first.len_utf8()
    };
    Some(start..start + len)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::RootDatabase;

    /// Items of every shape, a third of them broken in one of several ways.
    fn mixed_items(count: usize) -> String {
        (0..count)
            .map(|i| match i % 9 {
                0 => format!("service s{i} : = ;\n"),
                // Pest's detail changes these messages (`expected `:`` against `expected `{``).
                1 => format!("flow a{i} -> b{i}\n"),
                2 => format!("service i{i} {{ image \"x\" }}\n"),
                3 => format!("bucket b{i} {{ versioning = }}\n"),
                6 => format!("service q{i} {{ image = \"unclosed\n}}\n"),
                _ => format!("bucket ok{i} {{ versioning = true }}\n"),
            })
            .collect()
    }

    #[test]
    fn items_parsed_on_all_cores_equal_items_parsed_in_order() {
        let db = RootDatabase::default();
        // Past both limits: the first `DETAILED_ERRORS` errors keep pest's detail.
        let text = mixed_items(PARALLEL_ITEMS.max(DETAILED_ERRORS * 3) + 100);
        let file = SourceFile::new(&db, "many.arch".to_owned(), text.clone());
        let parsed = parse(&db, file);

        let mut in_order = ItemParser {
            file,
            text: &text,
            diagnostics: Vec::new(),
            detailed: true,
        };
        let members: Vec<Member> = split::split(&text, 0..text.len())
            .chunks
            .into_iter()
            .filter_map(|chunk| in_order.item(chunk))
            .collect();
        assert!(parsed.diagnostics.len() > DETAILED_ERRORS);
        assert_eq!(parsed.ast.members, members);
        assert_eq!(parsed.diagnostics, in_order.diagnostics);
    }
}
