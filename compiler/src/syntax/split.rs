//! Cuts a run of members into items before pest sees them, so that a syntax error in one
//! item does not hide the items around it (pest stops at the first error).
//!
//! The splitter knows only the lexical surface: strings, `//` comments and the three kinds of
//! brackets. An item ends where its brackets close at depth zero with a `}`, or at a line end
//! at depth zero (unless the line ends in `=`, `->`, `:`, `,` or `|`, which continue it). A
//! missing `}` is detected by indentation: a line that starts with a name at or left of the
//! item's own column, while the item's brackets are still open, starts the next item; and a
//! `}` that starts a line closes the bracket opened on a line of the same indentation, so the
//! brackets opened on deeper lines and never closed do not steal it.

use std::ops::Range;

/// One item found by the splitter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chunk {
    pub range: Range<usize>,
    /// The first `{` opened at the item's own level, if any.
    pub open_brace: Option<usize>,
    /// The `}` that closes `open_brace`; `None` when the item was cut before it closed.
    pub close_brace: Option<usize>,
    /// The span of a string literal that runs to the end of its line without a closing quote.
    pub unterminated_string: Option<Range<usize>>,
}

/// What the splitter found in a range.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Split {
    pub chunks: Vec<Chunk>,
    /// Closing brackets with nothing open to close.
    pub stray_closers: Vec<usize>,
}

struct Open {
    start: usize,
    column: usize,
    open_brace: Option<usize>,
    unterminated_string: Option<Range<usize>>,
}

/// Split `text[range]` into items.
pub fn split(text: &str, range: Range<usize>) -> Split {
    let bytes = text.as_bytes();
    let mut out = Split::default();
    let mut current: Option<Open> = None;
    // Open brackets, each with the indentation of the line that opened it.
    let mut depth: Vec<(u8, usize)> = Vec::new();
    let mut line_indent = 0;
    // End of the last byte that is not white space or comment.
    let mut last_significant = range.start;
    let mut line_start = range.start;
    let mut at_line_start = true;
    let mut i = range.start;

    let finish = |out: &mut Split, open: Open, end: usize, close_brace: Option<usize>| {
        out.chunks.push(Chunk {
            range: open.start..end.max(open.start),
            open_brace: open.open_brace,
            close_brace,
            unterminated_string: open.unterminated_string,
        });
    };

    while i < range.end {
        let Some(&byte) = bytes.get(i) else { break };
        match byte {
            b'\n' => {
                if depth.is_empty()
                    && current.is_some()
                    && !continues(bytes.get(range.start..last_significant).unwrap_or_default())
                    && let Some(open) = current.take()
                {
                    finish(&mut out, open, last_significant, None);
                }
                i += 1;
                line_start = i;
                at_line_start = true;
                continue;
            }
            b' ' | b'\t' | b'\r' => {
                i += 1;
                continue;
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while i < range.end && bytes.get(i) != Some(&b'\n') {
                    i += 1;
                }
                continue;
            }
            _ => {}
        }

        let first_on_line = at_line_start;
        if first_on_line {
            line_indent = i - line_start;
        }
        // A name at or left of the open item's column starts a new item: the old one is
        // missing its closing brace.
        if at_line_start
            && !depth.is_empty()
            && (byte.is_ascii_alphabetic() || byte == b'_')
            && let Some(open) = current.as_ref()
            && i - line_start <= open.column
            && let Some(open) = current.take()
        {
            finish(&mut out, open, last_significant, None);
            depth.clear();
        }
        at_line_start = false;

        // A line-leading `}` belongs to the bracket opened at its own indentation: the ones
        // opened deeper and still open were never closed.
        if first_on_line && byte == b'}' {
            while depth.last().is_some_and(|&(_, indent)| indent > line_indent) {
                depth.pop();
            }
        }
        let is_closer = matches!(byte, b'}' | b')' | b']');
        if is_closer && depth.is_empty() {
            if let Some(open) = current.take() {
                finish(&mut out, open, last_significant, None);
            }
            out.stray_closers.push(i);
            i += 1;
            last_significant = i;
            continue;
        }
        let open = current.get_or_insert(Open {
            start: i,
            column: i - line_start,
            open_brace: None,
            unterminated_string: None,
        });

        match byte {
            b'"' => {
                let start = i;
                i += 1;
                let mut closed = false;
                while let Some(&b) = bytes.get(i) {
                    if i >= range.end || b == b'\n' {
                        break;
                    }
                    i += 1;
                    if b == b'\\' {
                        i += 1;
                    } else if b == b'"' {
                        closed = true;
                        break;
                    }
                }
                i = i.min(range.end);
                if !closed && open.unterminated_string.is_none() {
                    open.unterminated_string = Some(start..i);
                }
                last_significant = i;
                continue;
            }
            b'{' | b'(' | b'[' => {
                if byte == b'{' && depth.is_empty() && open.open_brace.is_none() {
                    open.open_brace = Some(i);
                }
                depth.push((byte, line_indent));
            }
            b'}' | b')' | b']' => {
                depth.pop();
                if byte == b'}'
                    && depth.is_empty()
                    && open.open_brace.is_some()
                    && let Some(open) = current.take()
                {
                    finish(&mut out, open, i + 1, Some(i));
                }
            }
            _ => {}
        }
        i += byte_len(byte);
        last_significant = i.min(range.end);
    }
    if let Some(open) = current.take() {
        finish(&mut out, open, last_significant, None);
    }
    out
}

/// Whether the text so far ends in a token that continues onto the next line.
fn continues(text: &[u8]) -> bool {
    matches!(
        text.iter().rev().find(|b| !b.is_ascii_whitespace()),
        Some(b'=' | b'>' | b':' | b',' | b'|')
    )
}

/// Length of the UTF-8 sequence that starts with `byte` (1 for continuation bytes, which
/// cannot start a sequence but must not stall the loop either).
fn byte_len(byte: u8) -> usize {
    match byte {
        0xF0..=0xFF => 4,
        0xE0..=0xEF => 3,
        0xC0..=0xDF => 2,
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pieces(text: &str) -> Vec<&str> {
        split(text, 0..text.len())
            .chunks
            .iter()
            .map(|c| &text[c.range.clone()])
            .collect()
    }

    #[test]
    fn one_item_per_line_or_block() {
        let text = "a = 1\nb { c = [1,\n 2] }\nflow x -> y : https\n";
        assert_eq!(
            pieces(text),
            ["a = 1", "b { c = [1,\n 2] }", "flow x -> y : https"]
        );
    }

    #[test]
    fn two_blocks_on_one_line_are_two_items() {
        assert_eq!(pieces("a {} b { x = 1 }"), ["a {}", "b { x = 1 }"]);
    }

    #[test]
    fn continuation_tokens_join_lines() {
        assert_eq!(pieces("x =\n  5\ny = 1"), ["x =\n  5", "y = 1"]);
    }

    #[test]
    fn missing_brace_is_cut_at_the_next_item_by_indentation() {
        let text = "  service a : fargate in c {\n    port = 1\n  service b : fargate in c {}\n";
        let split = split(text, 0..text.len());
        assert_eq!(split.chunks.len(), 2);
        assert_eq!(split.chunks[0].close_brace, None);
        assert_eq!(split.chunks[1].close_brace, Some(text.len() - 2));
    }

    #[test]
    fn braces_in_strings_and_comments_do_not_count() {
        assert_eq!(pieces("a = \"{\" // }\nb = 2"), ["a = \"{\"", "b = 2"]);
    }

    #[test]
    fn stray_closer_is_reported() {
        let split = split("a = 1 }\nb = 2", 0..13);
        assert_eq!(split.stray_closers, [6]);
        assert_eq!(split.chunks.len(), 2);
    }

    #[test]
    fn unterminated_string_is_recorded() {
        let text = "a = \"abc\nb = 2";
        let split = split(text, 0..text.len());
        assert_eq!(split.chunks[0].unterminated_string, Some(4..8));
    }
}
