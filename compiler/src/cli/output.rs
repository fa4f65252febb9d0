//! The output directory is archc's alone, and archc knows exactly what it wrote there: the
//! record `archc-manifest.txt` at its root lists every file archc wrote, with the SHA-256 of
//! what it wrote (the format of `sha256sum`, so `sha256sum -c` can check it). From that record:
//!
//! - only listed files are ever replaced or removed; a file archc did not write, at a path it
//!   would write, is never touched (an error that names it), `--force` or not;
//! - a listed file whose content is no longer what archc wrote (a hand edit) is reported and
//!   kept, unless `--force` says to overwrite it;
//! - symlinks and special files (FIFOs, devices, sockets) are never followed, read or replaced:
//!   every path archc writes is checked component by component without following links, and
//!   one in the way is an error that names it;
//! - each file is written to a temporary file created exclusively (`O_EXCL`, an unpredictable
//!   name) in its own directory, then renamed over the target; a replaced file keeps its mode;
//! - files are read only when they are regular, and only up to `files::READ_LIMIT`; a larger
//!   one (archc writes such for very large systems) is only hashed, in pieces.
//!
//! Hidden entries (`.terraform/`, `.terraform.lock.hcl`) belong to the tools that made them:
//! never read, never removed, never in the way; `.github/` is the exception, since the deploy
//! workflows live there. A directory that holds visible files archc did not write is refused
//! unless `--force` (they are then left alone).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::backend::{GENERATED_MARK, OutputFile};
use crate::diagnostics::{HostError, codes};

use super::files::{self, Links, ReadError, Sync};

/// The record of what archc wrote, at the root of the output directory.
pub const MANIFEST: &str = "archc-manifest.txt";

/// The largest record read: a line per file, 10 million files.
const MANIFEST_LIMIT: u64 = 1 << 30;

/// What a build changed.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Written {
    pub written: usize,
    pub unchanged: usize,
    pub removed: usize,
}

/// Path (relative, `/`-separated) → SHA-256 (hex) of what archc wrote there.
type Record = BTreeMap<String, String>;

/// What is at a path, found without following a symlink.
enum Entry {
    Missing,
    File(Content, std::fs::Permissions),
    Symlink,
    Directory,
    Special,
    Unreadable,
}

/// A regular file's content, as far as a build needs it.
enum Content {
    Bytes(Vec<u8>),
    /// A file past `files::READ_LIMIT` (archc writes such for systems of 100,000 components):
    /// only its SHA-256, read in pieces.
    Digest(String),
}

impl Content {
    /// Whether this is exactly `contents`.
    fn is(&self, contents: &str) -> bool {
        match self {
            Content::Bytes(bytes) => bytes == contents.as_bytes(),
            Content::Digest(digest) => *digest == sha256(contents.as_bytes()),
        }
    }

    fn sha256(&self) -> String {
        match self {
            Content::Bytes(bytes) => sha256(bytes),
            Content::Digest(digest) => digest.clone(),
        }
    }
}

/// Why a build cannot go ahead.
enum Problem {
    /// A symlink or special file on a path archc writes or removes.
    Unsafe(PathBuf, &'static str),
    /// A file archc did not write, at a path it would write.
    NotOurs(PathBuf),
    /// A file archc wrote and someone changed.
    Edited(PathBuf),
}

/// Writes `files` under `out`, removing the files archc wrote under the `scope` prefixes that
/// are no longer generated, and records what it wrote.
pub fn write(out: &Path, files: &[OutputFile], scope: &[String], force: bool) -> Result<Written, HostError> {
    std::fs::create_dir_all(out).map_err(|e| io(out, &e))?;
    let mut record = read_record(out)?;
    let foreign = foreign_files(out, &record)?;
    if !foreign.is_empty() && !force {
        return Err(HostError {
            code: codes::FOREIGN_OUTPUT,
            message: format!(
                "`{}` holds files archc did not write: {}",
                out.display(),
                listed(&foreign)
            ),
            help: "write elsewhere with `--out DIR`, or pass `--force` to write beside them (archc never replaces or removes them)".into(),
        });
    }

    // Plan everything before touching anything, so a refused build changes nothing.
    let mut problems = Vec::new();
    let mut writes: Vec<(&OutputFile, Option<std::fs::Permissions>)> = Vec::new();
    let mut unchanged = 0;
    for file in files {
        let path = out.join(&file.path);
        if let Some(problem) = unsafe_ancestor(out, &file.path) {
            problems.push(problem);
            continue;
        }
        match entry(&path) {
            Entry::Missing => writes.push((file, None)),
            Entry::File(content, _) if content.is(&file.contents) => unchanged += 1,
            Entry::File(content, permissions) => match record.get(&file.path) {
                Some(hash) if *hash == content.sha256() => writes.push((file, Some(permissions))),
                Some(_) if force => writes.push((file, Some(permissions))),
                Some(_) => problems.push(Problem::Edited(path)),
                None => problems.push(Problem::NotOurs(path)),
            },
            Entry::Symlink => problems.push(Problem::Unsafe(path, "a symlink")),
            Entry::Directory => problems.push(Problem::NotOurs(path)),
            Entry::Special => problems.push(Problem::Unsafe(path, "not a regular file")),
            Entry::Unreadable => problems.push(Problem::Unsafe(path, "unreadable")),
        }
    }
    let wanted: BTreeSet<&str> = files.iter().map(|f| f.path.as_str()).collect();
    let mut removals = Vec::new();
    for (relative, hash) in &record {
        if wanted.contains(relative.as_str()) || !in_scope(relative, scope) {
            continue;
        }
        let path = out.join(relative);
        if let Some(problem) = unsafe_ancestor(out, relative) {
            problems.push(problem);
            continue;
        }
        match entry(&path) {
            Entry::Missing => removals.push((relative.clone(), None)),
            Entry::File(content, _) if content.sha256() == *hash || force => {
                removals.push((relative.clone(), Some(path)))
            }
            Entry::File(..) => problems.push(Problem::Edited(path)),
            Entry::Symlink => problems.push(Problem::Unsafe(path, "a symlink")),
            Entry::Special => problems.push(Problem::Unsafe(path, "not a regular file")),
            Entry::Unreadable => problems.push(Problem::Unsafe(path, "unreadable")),
            // Someone else's now: forget it, leave it.
            Entry::Directory => removals.push((relative.clone(), None)),
        }
    }
    if !problems.is_empty() {
        return Err(refusal(&problems));
    }

    let mut written = Written {
        unchanged,
        ..Written::default()
    };
    for file in files {
        record.insert(file.path.clone(), sha256(file.contents.as_bytes()));
    }
    for (file, permissions) in writes {
        let path = out.join(&file.path);
        create_parents(out, &file.path)?;
        write_atomically(&path, file.contents.as_bytes(), permissions, Sync::MANY)?;
        written.written += 1;
    }
    for (relative, path) in removals {
        record.remove(&relative);
        if let Some(path) = path {
            std::fs::remove_file(&path).map_err(|e| io(&path, &e))?;
            written.removed += 1;
            remove_empty_parents(&path, out);
        }
    }
    let manifest = out.join(MANIFEST);
    if !matches!(entry(&manifest), Entry::Missing | Entry::File(..)) {
        return Err(refusal(&[Problem::Unsafe(manifest, "not a regular file")]));
    }
    // The files on the disk before the record that names them.
    files::sync_filesystem(out).map_err(|e| io(out, &e))?;
    write_atomically(&manifest, render_record(&record).as_bytes(), None, Sync::Now)?;
    Ok(written)
}

/// The Terraform files archc wrote in the last build (as recorded), under the `scope`
/// prefixes: what the state on AWS was planned from.
pub fn previous_terraform(out: &Path, scope: &[String]) -> Result<Vec<OutputFile>, HostError> {
    if !out.is_dir() {
        return Ok(Vec::new());
    }
    let record = read_record(out)?;
    Ok(record
        .keys()
        .filter(|path| path.ends_with(".tf") && in_scope(path, scope))
        .filter_map(|path| {
            let at = out.join(path);
            let bytes = match entry(&at) {
                Entry::File(Content::Bytes(bytes), _) => bytes,
                // What archc wrote, however large: read it whole.
                Entry::File(Content::Digest(digest), _) if record.get(path) == Some(&digest) => {
                    files::read_up_to(&at, Links::Refuse, u64::MAX).ok()?
                }
                _ => return None,
            };
            Some(OutputFile {
                path: path.clone(),
                contents: String::from_utf8_lossy(&bytes).into_owned(),
            })
        })
        .collect())
}

/// The differences between `files` and what is on disk: missing, changed (stale or edited by
/// hand), unsafe, and recorded files no longer generated. Empty when the output is current.
pub fn compare(out: &Path, files: &[OutputFile], scope: &[String]) -> Result<Vec<String>, HostError> {
    let record = if out.is_dir() {
        read_record(out)?
    } else {
        Record::new()
    };
    let mut problems = Vec::new();
    for file in files {
        let path = out.join(&file.path);
        if let Some(Problem::Unsafe(at, what)) = unsafe_ancestor(out, &file.path) {
            problems.push(format!("{what}: {}", at.display()));
            continue;
        }
        match entry(&path) {
            Entry::Missing => problems.push(format!("missing: {}", path.display())),
            Entry::File(content, _) if content.is(&file.contents) => {}
            Entry::File(..) | Entry::Directory => problems.push(format!("differs: {}", path.display())),
            Entry::Symlink => problems.push(format!("a symlink: {}", path.display())),
            Entry::Special => problems.push(format!("not a regular file: {}", path.display())),
            Entry::Unreadable => problems.push(format!("unreadable: {}", path.display())),
        }
    }
    let wanted: BTreeSet<&str> = files.iter().map(|f| f.path.as_str()).collect();
    for relative in record.keys() {
        let path = out.join(relative);
        if in_scope(relative, scope)
            && !wanted.contains(relative.as_str())
            && !matches!(entry(&path), Entry::Missing)
        {
            problems.push(format!("no longer generated: {}", path.display()));
        }
    }
    Ok(problems)
}

/// What is at `path`, without following a symlink at it; a regular file is read (up to the
/// limit).
fn entry(path: &Path) -> Entry {
    let Ok(metadata) = std::fs::symlink_metadata(path) else {
        return Entry::Missing;
    };
    let kind = metadata.file_type();
    if kind.is_symlink() {
        return Entry::Symlink;
    }
    if kind.is_dir() {
        return Entry::Directory;
    }
    let content = match files::read(path, Links::Refuse) {
        Ok(bytes) => Ok(Content::Bytes(bytes)),
        Err(ReadError::TooLarge(_)) => files::sha256_of(path, Links::Refuse).map(Content::Digest),
        Err(error) => Err(error),
    };
    match content {
        Ok(content) => Entry::File(content, metadata.permissions()),
        Err(ReadError::NotRegular) => Entry::Special,
        Err(ReadError::TooLarge(_) | ReadError::Io(_)) => Entry::Unreadable,
    }
}

/// The first directory on the way to `relative` under `out` that is a symlink or not a
/// directory: archc never writes through one.
fn unsafe_ancestor(out: &Path, relative: &str) -> Option<Problem> {
    let mut path = out.to_path_buf();
    let (directories, _file) = relative.rsplit_once('/')?;
    for component in directories.split('/') {
        path.push(component);
        match entry_kind(&path) {
            EntryKind::Missing => return None,
            EntryKind::Directory => {}
            EntryKind::Symlink => return Some(Problem::Unsafe(path, "a symlink")),
            EntryKind::Other => return Some(Problem::NotOurs(path)),
        }
    }
    None
}

enum EntryKind {
    Missing,
    Directory,
    Symlink,
    Other,
}

fn entry_kind(path: &Path) -> EntryKind {
    match std::fs::symlink_metadata(path) {
        Err(_) => EntryKind::Missing,
        Ok(m) if m.file_type().is_symlink() => EntryKind::Symlink,
        Ok(m) if m.is_dir() => EntryKind::Directory,
        Ok(_) => EntryKind::Other,
    }
}

/// Creates the directories on the way to `relative`, one at a time (checked just before by
/// [`unsafe_ancestor`]; `create_dir` does not follow a symlink planted since: it fails).
fn create_parents(out: &Path, relative: &str) -> Result<(), HostError> {
    let Some((directories, _file)) = relative.rsplit_once('/') else {
        return Ok(());
    };
    let mut path = out.to_path_buf();
    for component in directories.split('/') {
        path.push(component);
        match entry_kind(&path) {
            EntryKind::Directory => {}
            EntryKind::Missing => std::fs::create_dir(&path).map_err(|e| io(&path, &e))?,
            EntryKind::Symlink => return Err(refusal(&[Problem::Unsafe(path, "a symlink")])),
            EntryKind::Other => return Err(refusal(&[Problem::NotOurs(path)])),
        }
    }
    Ok(())
}

fn write_atomically(
    path: &Path,
    contents: &[u8],
    permissions: Option<std::fs::Permissions>,
    sync: Sync,
) -> Result<(), HostError> {
    files::write_atomically(path, contents, permissions, sync).map_err(|e| io(path, &e))
}

/// Visible files under `out` (and under `.github/`) that archc did not write, not following
/// symlinks (a symlink is listed as a file).
fn foreign_files(out: &Path, record: &Record) -> Result<Vec<PathBuf>, HostError> {
    let mut foreign = Vec::new();
    let mut stack = vec![out.to_path_buf()];
    while let Some(current) = stack.pop() {
        let entries = std::fs::read_dir(&current).map_err(|e| io(&current, &e))?;
        for entry in entries {
            let entry = entry.map_err(|e| io(&current, &e))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let at_root = current == out;
            if (name.starts_with('.') && !(at_root && name == ".github")) || (at_root && name == MANIFEST) {
                continue;
            }
            let path = entry.path();
            let kind = entry.file_type().map_err(|e| io(&path, &e))?;
            if kind.is_dir() {
                stack.push(path);
            } else if !record.contains_key(&relative(out, &path)) {
                foreign.push(path);
            }
        }
    }
    foreign.sort();
    Ok(foreign)
}

/// The record, if archc wrote one: `<sha256>  <path>` lines after the header. A record that is
/// not a regular file, or that names a path outside the directory, is refused.
fn read_record(out: &Path) -> Result<Record, HostError> {
    let path = out.join(MANIFEST);
    let bytes = match entry(&path) {
        Entry::Missing => return Ok(Record::new()),
        Entry::File(Content::Bytes(bytes), _) => bytes,
        // The record of a very large build (over a million files).
        Entry::File(Content::Digest(_), _) => files::read_up_to(&path, Links::Refuse, MANIFEST_LIMIT)
            .map_err(|_| refusal(&[Problem::Unsafe(path.clone(), "larger than a record can be")]))?,
        Entry::Symlink => return Err(refusal(&[Problem::Unsafe(path, "a symlink")])),
        Entry::Directory | Entry::Special | Entry::Unreadable => {
            return Err(refusal(&[Problem::Unsafe(path, "not a regular file")]));
        }
    };
    let text = String::from_utf8_lossy(&bytes);
    let mut lines = text.lines();
    if !lines.next().is_some_and(|first| first.contains(GENERATED_MARK)) {
        return Err(refusal(&[Problem::NotOurs(path)]));
    }
    let mut record = Record::new();
    for line in lines.filter(|l| !l.is_empty()) {
        let Some((hash, relative)) = line.split_once("  ") else {
            return Err(corrupt(&path, line));
        };
        let safe = !relative.is_empty()
            && !relative.starts_with('/')
            && relative
                .split('/')
                .all(|c| !c.is_empty() && c != "." && c != "..")
            && hash.len() == 64
            && hash.bytes().all(|b| b.is_ascii_hexdigit());
        if !safe {
            return Err(corrupt(&path, line));
        }
        record.insert(relative.to_owned(), hash.to_owned());
    }
    Ok(record)
}

fn render_record(record: &Record) -> String {
    let mut text = format!(
        "# {GENERATED_MARK} {}: every file it wrote here, with the SHA-256 of what it wrote (`sha256sum -c {MANIFEST}` checks them); do not edit.\n",
        env!("CARGO_PKG_VERSION")
    );
    for (path, hash) in record {
        text.push_str(&format!("{hash}  {path}\n"));
    }
    text
}

fn sha256(bytes: &[u8]) -> String {
    files::hex(&Sha256::digest(bytes))
}

fn relative(out: &Path, path: &Path) -> String {
    path.strip_prefix(out)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

fn in_scope(relative: &str, scope: &[String]) -> bool {
    scope.iter().any(|prefix| relative.starts_with(prefix.as_str()))
}

fn remove_empty_parents(path: &Path, root: &Path) {
    let mut current = path.parent();
    while let Some(dir) = current {
        if dir == root || !dir.starts_with(root) || std::fs::remove_dir(dir).is_err() {
            break;
        }
        current = dir.parent();
    }
}

fn listed(paths: &[PathBuf]) -> String {
    let shown: Vec<String> = paths
        .iter()
        .take(5)
        .map(|p| format!("`{}`", p.display()))
        .collect();
    let more = if paths.len() > 5 {
        format!(" and {} more", paths.len() - 5)
    } else {
        String::new()
    };
    format!("{}{more}", shown.join(", "))
}

/// One error for everything in the way, by the most serious kind.
fn refusal(problems: &[Problem]) -> HostError {
    let paths = |wanted: fn(&Problem) -> Option<String>| -> Vec<String> {
        let unique: BTreeSet<String> = problems.iter().filter_map(wanted).collect();
        unique.into_iter().collect()
    };
    let unsafe_paths = paths(|p| match p {
        Problem::Unsafe(path, what) => Some(format!("`{}` ({what})", path.display())),
        _ => None,
    });
    let not_ours = paths(|p| match p {
        Problem::NotOurs(path) => Some(format!("`{}`", path.display())),
        _ => None,
    });
    let edited = paths(|p| match p {
        Problem::Edited(path) => Some(format!("`{}`", path.display())),
        _ => None,
    });
    let first_five = |items: &[String]| {
        let more = if items.len() > 5 {
            format!(" and {} more", items.len() - 5)
        } else {
            String::new()
        };
        format!(
            "{}{more}",
            items.iter().take(5).cloned().collect::<Vec<_>>().join(", ")
        )
    };
    if !unsafe_paths.is_empty() {
        HostError {
            code: codes::UNSAFE_OUTPUT,
            message: format!("archc will not write through {}", first_five(&unsafe_paths)),
            help: "archc never follows a symlink or opens a special file in its output directory: remove it, or write elsewhere with `--out DIR`".into(),
        }
    } else if !not_ours.is_empty() {
        HostError {
            code: codes::FOREIGN_OUTPUT,
            message: format!("archc did not write {}, and will not replace it", first_five(&not_ours)),
            help: "move it away (archc never replaces a file it did not write, even with `--force`); if it is the output of an archc that kept no record, delete it and build again".into(),
        }
    } else {
        HostError {
            code: codes::EDITED_OUTPUT,
            message: format!("generated files were changed by hand: {}", first_five(&edited)),
            help: "make the change in the .arch sources instead; `--force` overwrites the edits".into(),
        }
    }
}

fn corrupt(path: &Path, line: &str) -> HostError {
    HostError {
        code: codes::UNSAFE_OUTPUT,
        message: format!("`{}` is not a record archc can trust: `{}`", path.display(), line.escape_debug()),
        help: "archc records `<sha256>  <relative path>` lines; delete the record and build into an empty directory".into(),
    }
}

fn io(path: &Path, error: &std::io::Error) -> HostError {
    HostError {
        code: codes::UNREADABLE_FILE,
        message: format!("cannot write `{}`: {error}", path.display()),
        help: "check that the output directory is writable".into(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// A generated file of `len` bytes, `fill` after the header line.
    fn generated(len: usize, fill: char) -> OutputFile {
        let head = format!("# {GENERATED_MARK}\n");
        OutputFile {
            path: "prd/terraform/compute.tf".into(),
            contents: head.clone() + &fill.to_string().repeat(len - head.len()),
        }
    }

    #[test]
    fn a_generated_file_past_the_read_limit_is_still_archcs() {
        // 100,000 components make a `compute.tf` of 120 MB: past the limit, it is hashed in
        // pieces, never refused as someone else's.
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path();
        let len = usize::try_from(files::READ_LIMIT).unwrap() + 1;
        let scope = ["prd/".to_owned()];
        let first = generated(len, 'a');
        assert_eq!(
            write(out, std::slice::from_ref(&first), &scope, false)
                .ok()
                .map(|w| w.written),
            Some(1)
        );
        let again = write(out, std::slice::from_ref(&first), &scope, false).ok();
        assert_eq!(again.map(|w| (w.written, w.unchanged)), Some((0, 1)));
        let changed = generated(len, 'b');
        let rewritten = write(out, std::slice::from_ref(&changed), &scope, false).ok();
        assert_eq!(rewritten.map(|w| w.written), Some(1));
        // A hand edit to the large file is seen, as to any other.
        let path = out.join(&changed.path);
        std::fs::write(&path, generated(len, 'c').contents).unwrap();
        assert!(write(out, std::slice::from_ref(&changed), &scope, false).is_err());
        assert_eq!(std::fs::read(&path).unwrap().last(), Some(&b'c'));
        // What Terraform was planned from is read back whole, for the state-safety check.
        assert_eq!(
            write(out, std::slice::from_ref(&changed), &scope, true)
                .ok()
                .map(|w| w.written),
            Some(1)
        );
        let previous = previous_terraform(out, &scope).ok().unwrap_or_default();
        assert_eq!(previous.first().map(|f| f.contents.len()), Some(len));
    }
}
