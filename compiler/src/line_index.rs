//! Byte offsets ↔ lines and columns. Spans are byte ranges everywhere; they become lines and
//! columns only when shown: 1-based character columns for people and JSON, 0-based UTF-16
//! positions for the language server (LSP's default encoding). A file's line starts are a
//! query, so placing thousands of spans in one file scans it once.

use std::borrow::Cow;

use crate::db::{Db, SourceFile};

/// The start offset of every line of a text.
pub struct LineIndex<'a> {
    text: &'a str,
    line_starts: Cow<'a, [usize]>,
}

impl<'a> LineIndex<'a> {
    /// The index of any text (computed here).
    pub fn new(text: &'a str) -> Self {
        Self {
            text,
            line_starts: Cow::Owned(starts(text)),
        }
    }

    /// The index of a file, with its line starts memoized until the file changes: what every
    /// driver uses to place many spans of one file (diagnostics, outlines, rename edits).
    pub fn of(db: &'a dyn Db, file: SourceFile) -> Self {
        Self {
            text: file.text(db),
            line_starts: Cow::Borrowed(line_starts(db, file)),
        }
    }

    /// The offset clamped to the text, its 0-based line and the offset where that line starts.
    fn locate(&self, offset: usize) -> (usize, usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self
            .line_starts
            .partition_point(|&start| start <= offset)
            .saturating_sub(1);
        (offset, line, self.line_starts.get(line).copied().unwrap_or(0))
    }

    /// The 0-based line of a byte offset, and where that line starts and ends (before its
    /// line break).
    pub fn line_bounds(&self, offset: usize) -> (usize, usize, usize) {
        let (_, line, start) = self.locate(offset);
        let end = self
            .line_starts
            .get(line + 1)
            .map_or(self.text.len(), |&next| next.saturating_sub(1).max(start));
        (line, start, end)
    }

    /// 1-based line and 1-based column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let (offset, line, start) = self.locate(offset);
        let column = self.text.get(start..offset).map_or(0, |s| s.chars().count());
        (line + 1, column + 1)
    }

    /// 0-based line and 0-based UTF-16 column of a byte offset (an LSP `Position`).
    pub fn utf16_position(&self, offset: usize) -> (u32, u32) {
        let (offset, line, start) = self.locate(offset);
        let column: usize = self
            .text
            .get(start..offset)
            .map_or(0, |s| s.chars().map(char::len_utf16).sum());
        (saturate(line), saturate(column))
    }

    /// The byte offset of a 0-based line and UTF-16 column, clamped to the text the way LSP
    /// asks: a line past the end means the end, a column past the line's end means its end.
    pub fn utf16_offset(&self, line: u32, column: u32) -> usize {
        let Some(&start) = self.line_starts.get(line as usize) else {
            return self.text.len();
        };
        let end = self
            .line_starts
            .get(line as usize + 1)
            .map_or(self.text.len(), |&next| next - 1);
        let end = if end > start && self.text.as_bytes().get(end - 1) == Some(&b'\r') {
            end - 1
        } else {
            end
        };
        let mut units = 0usize;
        for (at, c) in self.text.get(start..end).unwrap_or_default().char_indices() {
            if units >= column as usize {
                return start + at;
            }
            units += c.len_utf16();
        }
        end
    }
}

#[salsa::tracked(returns(ref))]
fn line_starts(db: &dyn Db, file: SourceFile) -> Vec<usize> {
    starts(file.text(db))
}

fn starts(text: &str) -> Vec<usize> {
    let mut line_starts = vec![0];
    line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
    line_starts
}

fn saturate(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::LineIndex;

    #[test]
    fn lines_and_columns_are_one_based_and_count_characters() {
        let index = LineIndex::new("ab\nцd\n");
        assert_eq!(index.line_col(0), (1, 1));
        assert_eq!(index.line_col(3), (2, 1));
        assert_eq!(index.line_col(5), (2, 2));
        assert_eq!(index.line_col(7), (3, 1));
    }

    #[test]
    fn utf16_positions_round_trip_and_clamp() {
        let text = "a😀b\r\nc\n";
        let index = LineIndex::new(text);
        assert_eq!(index.utf16_position(5), (0, 3)); // `b`: the emoji is two UTF-16 units
        assert_eq!(index.utf16_offset(0, 3), 5);
        assert_eq!(index.utf16_position(8), (1, 0));
        assert_eq!(index.utf16_offset(1, 0), 8);
        assert_eq!(index.utf16_offset(0, 99), 6); // past the line's end: before its `\r\n`
        assert_eq!(index.utf16_offset(9, 0), text.len());
    }
}
