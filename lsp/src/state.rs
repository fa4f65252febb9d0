//! The server's view of the workspace: one salsa database, the `.arch` files of one archc
//! workspace (the nearest directory holding `archc.toml`, as on the command line) as read from
//! disk, and the editor's text of the open ones on top. The server follows the workspace of
//! the document the user opens; a document in no workspace is checked with the other open ones.
//!
//! Everything here is synchronous and request-free, so it is tested without a client; the
//! protocol layer (`server.rs`) only converts and forwards.
//!
//! Edits change the `State`; requests and diagnostics read a `Snapshot` (a clone of the
//! database, cheap), on another thread. An edit cancels the snapshots in flight: salsa
//! unwinds their queries with `salsa::Cancelled` at the next query boundary, and the edit
//! waits only for that.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use archc::date::Date;
use archc::db::{RootDatabase, SourceFile, Workspace};
use archc::line_index::LineIndex;
use salsa::Setter;

/// One edit from `textDocument/didChange`: a replaced range in UTF-16 positions, or (with no
/// range) the whole new text.
#[derive(Debug, Clone)]
pub struct Edit {
    pub range: Option<((u32, u32), (u32, u32))>,
    pub text: String,
}

impl Edit {
    /// The text of `range` (line and UTF-16 column, both zero-based) replaced by `text`.
    pub fn replace(range: ((u32, u32), (u32, u32)), text: &str) -> Self {
        Self {
            range: Some(range),
            text: text.to_owned(),
        }
    }
}

pub struct State {
    pub db: RootDatabase,
    pub workspace: Workspace,
    /// Every file of the workspace by path (the path is the salsa input's `path`); shared with
    /// the snapshots, copied on the first change after one was taken.
    files: Arc<BTreeMap<String, SourceFile>>,
    /// The workspace's root: the only place a document is ever read from disk.
    root: Option<PathBuf>,
}

/// The archc workspace a path lies in: the nearest directory at or above it that holds
/// `archc.toml`.
pub fn workspace_of(path: &Path) -> Option<PathBuf> {
    path.ancestors()
        .find(|dir| dir.join(archc::cli::WORKSPACE_MARKER).is_file())
        .map(Path::to_path_buf)
}

impl State {
    /// The workspace of the `.arch` files under `root` (none when there is no folder or it
    /// cannot be read: the open documents still get full feedback among themselves).
    pub fn new(root: Option<&Path>, today: Date) -> Self {
        let sources = root
            .and_then(|root| archc::cli::load(root).ok())
            .unwrap_or_default();
        let mut state = Self::from_sources(sources, today);
        state.root = root.map(Path::to_path_buf);
        state
    }

    /// The workspace of the given `(path, text)` files.
    pub fn from_sources(sources: Vec<(String, String)>, today: Date) -> Self {
        let db = RootDatabase::default();
        let workspace = Workspace::from_sources(&db, sources, today);
        let files = workspace
            .files(&db)
            .iter()
            .map(|&file| (file.path(&db).to_owned(), file))
            .collect();
        Self {
            db,
            workspace,
            files: Arc::new(files),
            root: None,
        }
    }

    /// A consistent view of the workspace as it is now, to read on another thread.
    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            db: self.db.clone(),
            workspace: self.workspace,
            files: Arc::clone(&self.files),
        }
    }

    /// The workspace root this state holds (`None`: only open documents).
    pub fn root(&self) -> Option<&Path> {
        self.root.as_deref()
    }

    pub fn file(&self, path: &str) -> Option<SourceFile> {
        self.files.get(path).copied()
    }

    pub fn files(&self) -> impl Iterator<Item = (&str, SourceFile)> {
        self.files.iter().map(|(path, &file)| (path.as_str(), file))
    }

    /// The editor opened a document: its text replaces what was read from disk, or it joins
    /// the workspace.
    pub fn open(&mut self, path: &str, text: String) {
        match self.files.get(path) {
            Some(&file) => {
                if file.text(&self.db) != text {
                    file.set_text(&mut self.db).to(text);
                }
            }
            None => {
                let file = SourceFile::new(&self.db, path.to_owned(), text);
                Arc::make_mut(&mut self.files).insert(path.to_owned(), file);
                self.set_files();
            }
        }
    }

    /// Applies the edits of one `didChange`, in order. `false` when the document is unknown.
    pub fn change(&mut self, path: &str, edits: Vec<Edit>) -> bool {
        let Some(&file) = self.files.get(path) else {
            return false;
        };
        let mut text = file.text(&self.db).to_owned();
        for edit in edits {
            apply(&mut text, edit);
        }
        file.set_text(&mut self.db).to(text);
        true
    }

    /// The editor closed a document: the file on disk is the truth again (or, if it is not
    /// on disk, the file leaves the workspace).
    /// Only an `.arch` file under the workspace folder is read, and only as the command line
    /// reads sources (a regular file, size-limited): a client cannot make the server read any
    /// other path (`/dev/zero`, a FIFO, a secret) by closing a document it never opened.
    pub fn close(&mut self, path: &str) {
        let inside = self.root.as_ref().is_some_and(|root| {
            let path = Path::new(path);
            path.extension().is_some_and(|e| e == "arch")
                && path.components().all(|c| c != std::path::Component::ParentDir)
                && path.starts_with(root)
        });
        let on_disk = inside
            .then(|| archc::cli::load(Path::new(path)).ok())
            .flatten()
            .and_then(|mut sources| sources.pop());
        match on_disk {
            Some((_, text)) => self.open(path, text),
            None => {
                if Arc::make_mut(&mut self.files).remove(path).is_some() {
                    self.set_files();
                }
            }
        }
    }

    fn set_files(&mut self) {
        let files: Vec<SourceFile> = self.files.values().copied().collect();
        self.workspace.set_files(&mut self.db).to(files);
    }
}

/// The workspace as it was when the snapshot was taken. Its queries are cancelled (they
/// unwind with `salsa::Cancelled`) as soon as the `State` it came from is edited; the caller
/// catches that and answers "content modified" or drops the result.
pub struct Snapshot {
    pub db: RootDatabase,
    pub workspace: Workspace,
    files: Arc<BTreeMap<String, SourceFile>>,
}

impl Snapshot {
    pub fn file(&self, path: &str) -> Option<SourceFile> {
        self.files.get(path).copied()
    }

    pub fn files(&self) -> impl Iterator<Item = (&str, SourceFile)> {
        self.files.iter().map(|(path, &file)| (path.as_str(), file))
    }
}

/// Applies one edit to a text; positions past the end clamp to it, a reversed range is empty.
pub fn apply(text: &mut String, edit: Edit) {
    let Some((start, end)) = edit.range else {
        *text = edit.text;
        return;
    };
    let index = LineIndex::new(text);
    let start = index.utf16_offset(start.0, start.1);
    let end = index.utf16_offset(end.0, end.1).max(start);
    text.replace_range(start..end, &edit.text);
}

/// The fuzz target of the document model (`fuzz/`, and the test suite over its corpus): a
/// document edited by a sequence of edits drawn from the bytes (position, length, inserted
/// text) keeps the text the edits describe, and its diagnostics, computed incrementally, equal
/// those of a fresh check of the final text.
#[cfg(feature = "test-support")]
pub fn fuzz_edits(data: &[u8]) {
    const INSERTS: &[&str] = &[
        "",
        "{",
        "}",
        "\n",
        " ",
        "\"",
        "service x : fargate in app { port = 80 }\n",
        "flow a -> b : https\n",
        "é",
        "🚀",
        "= 1",
        "/24",
        "env e { account = \"111111111111\" }\n",
    ];
    let start = "system s {\n  region = \"ap-northeast-1\"\n  network { cidr = 10.0.0.0/16  tier app { egress = nat } }\n}\nenv prd { account = \"111111111111\" }\n";
    let mut state = State::from_sources(
        vec![("doc.arch".into(), start.into())],
        Date::from_unix_days(20_000),
    );
    let mut expected = start.to_owned();
    for chunk in data.chunks(4) {
        let [line, character, length, insert] =
            [0, 1, 2, 3].map(|i| u32::from(chunk.get(i).copied().unwrap_or(0)));
        let text = INSERTS
            .get(insert as usize % INSERTS.len())
            .copied()
            .unwrap_or_default()
            .to_owned();
        let edit = Edit {
            range: Some((
                (line % 8, character % 40),
                (line % 8, character % 40 + length % 6),
            )),
            text,
        };
        apply(&mut expected, edit.clone());
        assert!(state.change("doc.arch", vec![edit]));
        let text = state.file("doc.arch").map(|file| file.text(&state.db).to_owned());
        assert_eq!(text.as_deref(), Some(expected.as_str()));
        let _ = archc::diagnostics(&state.db, state.workspace);
    }
    let fresh = RootDatabase::default();
    let workspace = Workspace::from_sources(
        &fresh,
        vec![("doc.arch".into(), expected)],
        Date::from_unix_days(20_000),
    );
    let described = |db: &RootDatabase, workspace: Workspace| -> Vec<String> {
        archc::diagnostics(db, workspace)
            .iter()
            .map(|d| format!("{} {:?} {}", d.code.id, d.span, d.message))
            .collect()
    };
    assert_eq!(
        described(&state.db, state.workspace),
        described(&fresh, workspace)
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edit(range: ((u32, u32), (u32, u32)), text: &str) -> Edit {
        Edit {
            range: Some(range),
            text: text.to_owned(),
        }
    }

    #[test]
    fn edits_apply_in_utf16_positions_and_clamp() {
        let mut text = "a😀b\nc\n".to_owned();
        apply(&mut text, edit(((0, 3), (0, 4)), "B"));
        assert_eq!(text, "a😀B\nc\n");
        apply(&mut text, edit(((1, 0), (1, 1)), ""));
        assert_eq!(text, "a😀B\n\n");
        apply(&mut text, edit(((7, 0), (9, 9)), "tail"));
        assert_eq!(text, "a😀B\n\ntail");
        apply(
            &mut text,
            Edit {
                range: None,
                text: "whole".into(),
            },
        );
        assert_eq!(text, "whole");
        apply(&mut text, edit(((0, 3), (0, 1)), "x")); // reversed: an insertion
        assert_eq!(text, "whoxle");
    }

    #[test]
    fn a_document_belongs_to_the_nearest_workspace_above_it() {
        let dir = tempfile::tempdir().unwrap();
        let ws = dir.path().join("ws");
        std::fs::create_dir_all(ws.join("nested/deeper")).unwrap();
        std::fs::write(ws.join("archc.toml"), "").unwrap();
        std::fs::write(ws.join("nested/archc.toml"), "").unwrap();
        assert_eq!(super::workspace_of(&ws.join("main.arch")), Some(ws.clone()));
        assert_eq!(
            super::workspace_of(&ws.join("nested/deeper/x.arch")),
            Some(ws.join("nested"))
        );
        assert_eq!(super::workspace_of(&dir.path().join("loose.arch")), None);
    }

    #[test]
    fn closing_a_document_reads_only_arch_files_under_the_workspace_folder() {
        let root = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        let inside_path = root.path().join("main.arch");
        std::fs::write(&inside_path, "system s {}\n").unwrap();
        let outside_path = outside.path().join("secret.arch");
        std::fs::write(&outside_path, "system leaked {}\n").unwrap();
        let mut state = State::new(Some(root.path()), Date::from_unix_days(0));
        let inside = inside_path.to_string_lossy().into_owned();
        let outside = outside_path.to_string_lossy().into_owned();

        state.open(&inside, "system edited {}\n".into());
        state.close(&inside);
        assert_eq!(
            state
                .file(&inside)
                .map(|f| f.text(&state.db).to_owned())
                .as_deref(),
            Some("system s {}\n")
        );

        state.close(&outside);
        assert!(
            state.file(&outside).is_none(),
            "a file outside the folder is never read"
        );
        #[cfg(unix)]
        {
            state.close("/dev/zero");
            assert!(state.file("/dev/zero").is_none());
        }
        let escape = format!(
            "{}/../{}",
            root.path().display(),
            outside_path
                .strip_prefix(outside_path.parent().unwrap().parent().unwrap())
                .unwrap()
                .display()
        );
        state.close(&escape);
        assert!(state.file(&escape).is_none(), "`..` does not leave the folder");
    }
}
