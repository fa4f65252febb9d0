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
//!   one (archc writes such for very large systems) is only hashed, in pieces;
//! - a listed file whose status has not changed since the record was written (its `ctime`,
//!   which no one can set back, is older than the record) holds what the record says and is
//!   not read at all, as git trusts its index: a build of 240,000 unchanged files reads none.
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

/// The output directory as the last build left it: the record, and when it was written.
pub struct Directory {
    out: PathBuf,
    record: Record,
    /// The record's modification time. A listed file whose status last changed before it
    /// (its `ctime`, which no one can set back) holds what the record says: it is not read.
    /// Anything changed since, or in the same tick of the file system's clock, is read.
    recorded_at: Option<Stamp>,
    /// Directories (relative) found to be directories while planning: each is looked at once.
    planned_directories: Directories,
}

/// Relative paths of directories under the output directory that a phase of the build has
/// checked (or made) and found to be directories, not symlinks: each is looked at once per
/// phase, not once per file in it.
#[derive(Default)]
struct Directories(std::sync::Mutex<BTreeSet<String>>);

impl Directories {
    fn contains(&self, relative: &str) -> bool {
        self.0.lock().is_ok_and(|seen| seen.contains(relative))
    }

    fn insert(&self, relative: &str) {
        if let Ok(mut seen) = self.0.lock() {
            seen.insert(relative.to_owned());
        }
    }
}

/// A file to write: its relative path, contents, and the mode of the file it replaces.
type Write<'a> = (&'a str, &'a String, Option<std::fs::Permissions>);

/// A file time, seconds and nanoseconds.
type Stamp = (i64, i64);

/// What a build does with one generated file.
pub struct Planned {
    /// Relative to the output directory, `/`-separated.
    pub path: String,
    /// The SHA-256 of the contents, for the record.
    hash: String,
    action: Action,
}

enum Action {
    /// The file holds these contents already.
    Unchanged,
    /// Nothing is there: written.
    Create(String),
    /// A file archc wrote, with other contents: replaced, keeping its mode.
    Replace(String, std::fs::Permissions),
    /// Something in the way: the build is refused.
    Refused(Problem),
}

impl Planned {
    /// Whether the file already holds what this build generates.
    pub fn is_unchanged(&self) -> bool {
        matches!(self.action, Action::Unchanged)
    }
}

/// What is at a path, found without following a symlink.
enum Entry {
    Missing,
    /// A listed file unchanged since the record was written: it holds the recorded hash.
    Recorded(String, std::fs::Permissions),
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
    /// Whether this is exactly `contents` (whose SHA-256 is `hash`).
    fn is(&self, contents: &str, hash: &str) -> bool {
        match self {
            Content::Bytes(bytes) => bytes == contents.as_bytes(),
            Content::Digest(digest) => digest == hash,
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

impl Directory {
    /// Reads the record of `out` (none when `out` does not exist yet).
    pub fn open(out: &Path) -> Result<Directory, HostError> {
        let mut directory = Directory {
            out: out.to_path_buf(),
            record: Record::new(),
            recorded_at: None,
            planned_directories: Directories::default(),
        };
        if out.is_dir() {
            directory.record = read_record(out)?;
            directory.recorded_at = std::fs::symlink_metadata(out.join(MANIFEST))
                .ok()
                .and_then(|m| times(&m))
                .map(|(_, modified)| modified);
        }
        Ok(directory)
    }

    /// What a build does with `file`, from what is at its path; nothing is written yet.
    /// `force` replaces a listed file edited by hand.
    pub fn plan(&self, file: OutputFile, force: bool) -> Planned {
        let hash = sha256(file.contents.as_bytes());
        let path = self.out.join(&file.path);
        let action = match unsafe_ancestor(&self.out, &file.path, &self.planned_directories) {
            Some(problem) => Action::Refused(problem),
            None => match self.entry(&file.path) {
                Entry::Missing => Action::Create(file.contents),
                Entry::Recorded(recorded, _) if recorded == hash => Action::Unchanged,
                Entry::Recorded(_, permissions) => Action::Replace(file.contents, permissions),
                Entry::File(content, _) if content.is(&file.contents, &hash) => Action::Unchanged,
                Entry::File(content, permissions) => match self.record.get(&file.path) {
                    Some(recorded) if *recorded == content.sha256() || force => {
                        Action::Replace(file.contents, permissions)
                    }
                    Some(_) => Action::Refused(Problem::Edited(path)),
                    None => Action::Refused(Problem::NotOurs(path)),
                },
                Entry::Symlink => Action::Refused(Problem::Unsafe(path, "a symlink")),
                Entry::Directory => Action::Refused(Problem::NotOurs(path)),
                Entry::Special => Action::Refused(Problem::Unsafe(path, "not a regular file")),
                Entry::Unreadable => Action::Refused(Problem::Unsafe(path, "unreadable")),
            },
        };
        Planned {
            path: file.path,
            hash,
            action,
        }
    }

    /// Visible files in the directory (and under `.github/`) that archc did not write, not
    /// following symlinks (a symlink is listed as a file).
    pub fn foreign(&self) -> Result<Vec<PathBuf>, HostError> {
        if !self.out.is_dir() {
            return Ok(Vec::new());
        }
        foreign_files(&self.out, &self.record)
    }

    /// The recorded files under the `scope` prefixes, relative.
    pub fn recorded<'a>(&'a self, scope: &'a [String]) -> impl Iterator<Item = &'a str> + 'a {
        self.record
            .keys()
            .filter(move |path| in_scope(path, scope))
            .map(String::as_str)
    }

    /// The contents of a file archc wrote in the last build (as recorded), however large: what
    /// the state on AWS was planned from. `None` when it is gone or not a regular file.
    pub fn previous(&self, relative: &str) -> Option<String> {
        if !self.record.contains_key(relative) {
            return None;
        }
        let bytes = files::read_up_to(&self.out.join(relative), Links::Refuse, u64::MAX).ok()?;
        Some(String::from_utf8_lossy(&bytes).into_owned())
    }

    /// What is at `relative`, without following a symlink at it. A listed file unchanged since
    /// the record was written is not read; any other regular file is (up to the limit, past
    /// which it is hashed in pieces).
    fn entry(&self, relative: &str) -> Entry {
        let path = self.out.join(relative);
        let Ok(metadata) = std::fs::symlink_metadata(&path) else {
            return Entry::Missing;
        };
        let kind = metadata.file_type();
        if kind.is_symlink() {
            return Entry::Symlink;
        }
        if kind.is_dir() {
            return Entry::Directory;
        }
        if let (true, Some(recorded), Some(changed), Some(recorded_at)) = (
            kind.is_file(),
            self.record.get(relative),
            times(&metadata).map(|(changed, _)| changed),
            self.recorded_at,
        ) && changed < recorded_at
        {
            return Entry::Recorded(recorded.clone(), metadata.permissions());
        }
        read_entry(&path, metadata)
    }
}

/// When a file's status last changed (`ctime`, any change to it) and when its content did
/// (`mtime`), where the system says.
fn times(metadata: &std::fs::Metadata) -> Option<(Stamp, Stamp)> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        Some((
            (metadata.ctime(), metadata.ctime_nsec()),
            (metadata.mtime(), metadata.mtime_nsec()),
        ))
    }
    #[cfg(not(unix))]
    {
        let _ = metadata;
        None
    }
}

/// Writes `files` under `out` (see [`commit`]).
pub fn write(out: &Path, files: &[OutputFile], scope: &[String], force: bool) -> Result<Written, HostError> {
    let directory = Directory::open(out)?;
    let planned = files
        .iter()
        .map(|file| directory.plan(file.clone(), force))
        .collect();
    let foreign = directory.foreign()?;
    commit(directory, planned, &foreign, scope, force)
}

/// Carries out a build's plan: writes what changed, removes the files archc wrote under the
/// `scope` prefixes that are no longer generated, and records what it wrote. Everything is
/// checked before anything is touched, so a refused build changes nothing.
///
/// `foreign` is what [`Directory::foreign`] found (a build walks the directory for it while it
/// generates): unless `force`, any such file refuses the build.
pub fn commit(
    directory: Directory,
    planned: Vec<Planned>,
    foreign: &[PathBuf],
    scope: &[String],
    force: bool,
) -> Result<Written, HostError> {
    let out = directory.out.as_path();
    if !foreign.is_empty() && !force {
        return Err(HostError {
            code: codes::FOREIGN_OUTPUT,
            message: format!(
                "`{}` holds files archc did not write: {}",
                out.display(),
                listed(foreign)
            ),
            help: "write elsewhere with `--out DIR`, or pass `--force` to write beside them (archc never replaces or removes them)".into(),
        });
    }
    let nothing_to_do = planned
        .iter()
        .all(|p| matches!(p.action, Action::Unchanged) && directory.record.get(&p.path) == Some(&p.hash))
        && directory
            .record
            .keys()
            .filter(|path| in_scope(path, scope))
            .count()
            == planned.len();
    if nothing_to_do && out.is_dir() {
        // Every file holds what archc recorded and nothing is to be removed: the directory
        // is left exactly as it is (its record too).
        return Ok(Written {
            unchanged: planned.len(),
            ..Written::default()
        });
    }
    std::fs::create_dir_all(out).map_err(|e| io(out, &e))?;

    let mut problems = Vec::new();
    let mut writes: Vec<Write<'_>> = Vec::new();
    let mut unchanged = 0;
    let mut record = directory.record.clone();
    let wanted: BTreeSet<&str> = planned.iter().map(|p| p.path.as_str()).collect();
    for file in &planned {
        match &file.action {
            Action::Unchanged => unchanged += 1,
            Action::Create(contents) => writes.push((file.path.as_str(), contents, None)),
            Action::Replace(contents, permissions) => {
                writes.push((file.path.as_str(), contents, Some(permissions.clone())))
            }
            Action::Refused(_) => {}
        }
    }
    let mut removals = Vec::new();
    for (relative, hash) in &directory.record {
        if wanted.contains(relative.as_str()) || !in_scope(relative, scope) {
            continue;
        }
        let path = out.join(relative);
        if let Some(problem) = unsafe_ancestor(out, relative, &directory.planned_directories) {
            problems.push(problem);
            continue;
        }
        match directory.entry(relative) {
            Entry::Missing => removals.push((relative.clone(), None)),
            Entry::Recorded(..) => removals.push((relative.clone(), Some(path))),
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
    let refused: Vec<&Problem> = planned
        .iter()
        .filter_map(|p| match &p.action {
            Action::Refused(problem) => Some(problem),
            _ => None,
        })
        .chain(&problems)
        .collect();
    if !refused.is_empty() {
        return Err(refusal(&refused));
    }

    let mut written = Written {
        unchanged,
        ..Written::default()
    };
    for file in &planned {
        record.insert(file.path.clone(), file.hash.clone());
    }
    // Directories are checked again as they are made (a symlink planted since the plan is
    // refused, not followed). Files are written on every core, in runs of neighbours, so two
    // threads seldom add to the same directory at once.
    let made = Directories::default();
    let runs: Vec<&[Write<'_>]> = writes.chunks(writes.len().div_ceil(64).max(1)).collect();
    let write_run = |run: &&[Write<'_>]| -> Result<(), HostError> {
        for (relative, contents, permissions) in run.iter() {
            create_parents(out, relative, &made)?;
            write_atomically(
                &out.join(relative),
                contents.as_bytes(),
                permissions.clone(),
                Sync::MANY,
            )?;
        }
        Ok(())
    };
    crate::parallel::on_cores(&runs, &write_run)
        .into_iter()
        .collect::<Result<(), HostError>>()?;
    written.written = writes.len();
    for (relative, path) in removals {
        record.remove(&relative);
        if let Some(path) = path {
            std::fs::remove_file(&path).map_err(|e| io(&path, &e))?;
            written.removed += 1;
            remove_empty_parents(&path, out);
        }
    }
    let manifest = out.join(MANIFEST);
    if !is_regular_or_missing(&manifest) {
        return Err(refusal(&[&Problem::Unsafe(manifest, "not a regular file")]));
    }
    // The files on the disk before the record that names them.
    files::sync_filesystem(out).map_err(|e| io(out, &e))?;
    write_atomically(&manifest, render_record(&record).as_bytes(), None, Sync::Now)?;
    Ok(written)
}

/// The differences between a build's plan and what is on disk: missing, changed (stale or
/// edited by hand), unsafe, and recorded files no longer generated. Empty when the output is
/// current.
pub fn differences(directory: &Directory, planned: &[Planned], scope: &[String]) -> Vec<String> {
    let mut differences: Vec<String> = planned
        .iter()
        .filter_map(|file| {
            let path = directory.out.join(&file.path);
            match &file.action {
                Action::Unchanged => None,
                Action::Create(_) => Some(format!("missing: {}", path.display())),
                Action::Replace(..) | Action::Refused(Problem::Edited(_) | Problem::NotOurs(_)) => {
                    Some(format!("differs: {}", path.display()))
                }
                Action::Refused(Problem::Unsafe(at, what)) => Some(format!("{what}: {}", at.display())),
            }
        })
        .collect();
    let wanted: BTreeSet<&str> = planned.iter().map(|p| p.path.as_str()).collect();
    for relative in directory.recorded(scope) {
        if !wanted.contains(relative) && !matches!(directory.entry(relative), Entry::Missing) {
            differences.push(format!(
                "no longer generated: {}",
                directory.out.join(relative).display()
            ));
        }
    }
    differences
}

/// Whether `path` is a regular file or nothing, without following a symlink.
fn is_regular_or_missing(path: &Path) -> bool {
    std::fs::symlink_metadata(path).map_or(true, |m| m.file_type().is_file())
}

/// A regular file (or what is at `path` in its stead) read without following a symlink: its
/// bytes up to the limit, past which it is hashed in pieces.
fn read_entry(path: &Path, metadata: std::fs::Metadata) -> Entry {
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
fn unsafe_ancestor(out: &Path, relative: &str, seen: &Directories) -> Option<Problem> {
    let (directories, _file) = relative.rsplit_once('/')?;
    if seen.contains(directories) {
        return None;
    }
    let mut path = out.to_path_buf();
    for (end, component) in prefixes(directories) {
        path.push(component);
        let prefix = directories.get(..end).unwrap_or(directories);
        if seen.contains(prefix) {
            continue;
        }
        match entry_kind(&path) {
            EntryKind::Missing => return None,
            EntryKind::Directory => seen.insert(prefix),
            EntryKind::Symlink => return Some(Problem::Unsafe(path, "a symlink")),
            EntryKind::Other => return Some(Problem::NotOurs(path)),
        }
    }
    None
}

/// Each component of a relative directory path with the length of the prefix it ends.
fn prefixes(directories: &str) -> impl Iterator<Item = (usize, &str)> {
    directories.split('/').scan(0, |end, component| {
        *end += component.len() + usize::from(*end > 0);
        Some((*end, component))
    })
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
fn create_parents(out: &Path, relative: &str, made: &Directories) -> Result<(), HostError> {
    let Some((directories, _file)) = relative.rsplit_once('/') else {
        return Ok(());
    };
    if made.contains(directories) {
        return Ok(());
    }
    let mut path = out.to_path_buf();
    for (end, component) in prefixes(directories) {
        path.push(component);
        let prefix = directories.get(..end).unwrap_or(directories);
        if made.contains(prefix) {
            continue;
        }
        match entry_kind(&path) {
            EntryKind::Directory => {}
            EntryKind::Missing => match std::fs::create_dir(&path) {
                Ok(()) => {}
                // Made by another writer of this build a moment ago.
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && path.is_symlink() => {
                    return Err(refusal(&[&Problem::Unsafe(path, "a symlink")]));
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && path.is_dir() => {}
                Err(e) => return Err(io(&path, &e)),
            },
            EntryKind::Symlink => return Err(refusal(&[&Problem::Unsafe(path, "a symlink")])),
            EntryKind::Other => return Err(refusal(&[&Problem::NotOurs(path)])),
        }
        made.insert(prefix);
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
    match std::fs::symlink_metadata(&path) {
        Err(_) => return Ok(Record::new()),
        Ok(m) if m.file_type().is_symlink() => return Err(refusal(&[&Problem::Unsafe(path, "a symlink")])),
        Ok(_) => {}
    }
    // Up to a line per file for 10 million files.
    let bytes = files::read_up_to(&path, Links::Refuse, MANIFEST_LIMIT).map_err(|error| {
        let what = match error {
            ReadError::TooLarge(_) => "larger than a record can be",
            ReadError::NotRegular => "not a regular file",
            ReadError::Io(_) => "unreadable",
        };
        refusal(&[&Problem::Unsafe(path.clone(), what)])
    })?;
    let text = String::from_utf8_lossy(&bytes);
    let mut lines = text.lines();
    if !lines.next().is_some_and(|first| first.contains(GENERATED_MARK)) {
        return Err(refusal(&[&Problem::NotOurs(path)]));
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
        text.push_str(hash);
        text.push_str("  ");
        text.push_str(path);
        text.push('\n');
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
fn refusal(problems: &[&Problem]) -> HostError {
    let paths = |wanted: fn(&Problem) -> Option<String>| -> Vec<String> {
        let unique: BTreeSet<String> = problems.iter().copied().filter_map(wanted).collect();
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

    #[test]
    fn a_file_unchanged_since_the_record_is_trusted_and_one_changed_since_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path();
        let scope = [String::new()];
        let file = |contents: &str| OutputFile {
            path: "prd/a.tf".into(),
            contents: contents.into(),
        };
        write(out, &[file("one\n")], &scope, false).unwrap();
        // Changed after the record: read, and seen as a hand edit.
        std::thread::sleep(std::time::Duration::from_millis(20));
        std::fs::write(out.join("prd/a.tf"), "edited\n").unwrap();
        assert!(write(out, &[file("two\n")], &scope, false).is_err());
        // A record written after the change vouches for the file without reading it: here it
        // says (falsely, for the test) that the file holds "two".
        std::thread::sleep(std::time::Duration::from_millis(20));
        let record = std::fs::read_to_string(out.join(MANIFEST)).unwrap();
        std::fs::write(
            out.join(MANIFEST),
            record.replace(&sha256(b"one\n"), &sha256(b"two\n")),
        )
        .unwrap();
        let trusted = write(out, &[file("two\n")], &scope, false).unwrap();
        assert_eq!((trusted.written, trusted.unchanged), (0, 1));
        assert_eq!(std::fs::read_to_string(out.join("prd/a.tf")).unwrap(), "edited\n");
    }

    #[test]
    fn each_directory_prefix_ends_where_its_component_does() {
        let seen: Vec<(usize, &str)> = prefixes("prd/ecspresso/api").collect();
        assert_eq!(seen, [(3, "prd"), (13, "ecspresso"), (17, "api")]);
        assert_eq!("prd/ecspresso/api".get(..13), Some("prd/ecspresso"));
    }

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
        let previous = Directory::open(out).ok().and_then(|d| d.previous(&changed.path));
        assert_eq!(previous.map(|contents| contents.len()), Some(len));
    }
}
