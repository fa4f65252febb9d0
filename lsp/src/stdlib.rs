//! The embedded stdlib as files an editor can open. Go to definition of a kind (`fargate`)
//! must land in a file, but the stdlib lives inside the binary; so the server writes a
//! read-only copy of a stdlib file when a location first points into it, under the user's
//! cache directory, in a folder named by the archc version. Documents opened from that folder
//! are the stdlib's, not the workspace's: the server leaves them alone.

use std::path::{Path, PathBuf};

use archc::db::STDLIB_FILES;

/// Where the copies live.
pub struct StdlibCopy {
    dir: PathBuf,
}

/// The prefix of the stdlib's paths inside the compiler (`<stdlib>/compute.arch`).
const PREFIX: &str = "<stdlib>/";

impl StdlibCopy {
    /// `$XDG_CACHE_HOME/archc/stdlib-<version>` (or `~/.cache/…`, or the temp directory's).
    pub fn in_user_cache() -> Self {
        let base = std::env::var_os("XDG_CACHE_HOME")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cache")))
            .or_else(|| std::env::var_os("LOCALAPPDATA").map(PathBuf::from))
            .unwrap_or_else(std::env::temp_dir);
        Self::at(
            base.join("archc")
                .join(format!("stdlib-{}", env!("CARGO_PKG_VERSION"))),
        )
    }

    pub fn at(dir: PathBuf) -> Self {
        Self { dir }
    }

    /// Whether `path` is one of the copies (a document the editor opened from there).
    pub fn contains(&self, path: &Path) -> bool {
        path.starts_with(&self.dir)
    }

    /// The copy of the stdlib file the compiler calls `stdlib_path`, written (atomically, read
    /// only) unless it is there with the right text already. `None` for a path that is not a
    /// stdlib file, or when the copy cannot be written.
    pub fn path(&self, stdlib_path: &str) -> Option<PathBuf> {
        let name = stdlib_path.strip_prefix(PREFIX)?;
        let (_, text) = STDLIB_FILES.iter().find(|(path, _)| *path == stdlib_path)?;
        let path = self.dir.join(name);
        if std::fs::read_to_string(&path).ok().as_deref() == Some(*text) {
            return Some(path);
        }
        std::fs::create_dir_all(&self.dir).ok()?;
        let temporary = self.dir.join(format!(".{name}.{}.tmp", std::process::id()));
        std::fs::write(&temporary, text).ok()?;
        let mut permissions = std::fs::metadata(&temporary).ok()?.permissions();
        permissions.set_readonly(true);
        std::fs::set_permissions(&temporary, permissions).ok()?;
        match std::fs::rename(&temporary, &path) {
            Ok(()) => Some(path),
            Err(_) => {
                let _ = std::fs::remove_file(&temporary);
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_copy_is_written_once_read_only_and_recognised() {
        let Ok(dir) = tempfile::tempdir() else {
            panic!("a temporary directory");
        };
        let copies = StdlibCopy::at(dir.path().join("stdlib"));
        let path = copies.path("<stdlib>/compute.arch");
        let Some(path) = path else {
            panic!("the copy is written");
        };
        assert!(copies.contains(&path));
        let written = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(written.contains("kind fargate : service"));
        assert!(std::fs::metadata(&path).is_ok_and(|m| m.permissions().readonly()));
        // Asked again, it is the same file (rewritten only if its text differs).
        assert_eq!(copies.path("<stdlib>/compute.arch"), Some(path));
        assert_eq!(copies.path("<stdlib>/missing.arch"), None);
        assert_eq!(copies.path("compute.arch"), None);
        assert!(!copies.contains(dir.path()));
    }
}
