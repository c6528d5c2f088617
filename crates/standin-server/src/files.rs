//! The real file system, behind the core's [`standin_core::source::Files`] trait.

use std::path::{Path, PathBuf};

/// Reads files from disk.
#[derive(Debug, Default, Clone, Copy)]
pub struct DiskFiles;

impl standin_core::source::Files for DiskFiles {
    fn read(&self, path: &Path) -> std::io::Result<String> {
        std::fs::read_to_string(path)
    }

    fn canonical(&self, path: &Path) -> PathBuf {
        std::fs::canonicalize(path).unwrap_or_else(|_| standin_core::source::normalize(path))
    }
}
