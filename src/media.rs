//! The media folder: evidence files kept under their content hash, so the
//! same photo sent twice is stored once and a file's name proves its content.

use std::io;
use std::path::Path;

use sha2::{Digest, Sha256};

use crate::case::StoredFile;

/// Writes `bytes` to `dir/<sha256>.<extension>` unless it is there already.
pub fn store_bytes(dir: &Path, bytes: &[u8], extension: &str) -> io::Result<StoredFile> {
    let sha256: String = Sha256::digest(bytes).iter().map(|byte| format!("{byte:02x}")).collect();
    std::fs::create_dir_all(dir)?;
    let path = dir.join(format!("{sha256}.{extension}"));
    if !path.exists() {
        // Write aside and rename, so a crash never leaves a half file under a valid name.
        let partial = dir.join(format!(".{sha256}.partial"));
        std::fs::write(&partial, bytes)?;
        std::fs::rename(&partial, &path)?;
    }
    let size_bytes = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
    Ok(StoredFile { sha256, path: path.display().to_string(), size_bytes })
}

/// A file extension for a stored file, from its name or Telegram path.
pub fn extension_of(name: &str) -> &str {
    name.rsplit_once('.')
        .map(|(_, extension)| extension)
        .filter(|extension| {
            !extension.is_empty() && extension.len() <= 5 && extension.bytes().all(|b| b.is_ascii_alphanumeric())
        })
        .unwrap_or("bin")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_bytes_are_stored_once_under_their_hash() {
        let dir = tempfile::tempdir().expect("tempdir");
        let first = store_bytes(dir.path(), b"photo", "jpg").expect("store");
        let again = store_bytes(dir.path(), b"photo", "jpg").expect("store");
        assert_eq!(first, again);
        assert!(first.path.ends_with(&format!("{}.jpg", first.sha256)));
        assert_eq!(std::fs::read_dir(dir.path()).expect("dir").count(), 1);
    }

    #[test]
    fn odd_names_get_a_neutral_extension() {
        assert_eq!(extension_of("photos/file_7.jpg"), "jpg");
        assert_eq!(extension_of("noextension"), "bin");
        assert_eq!(extension_of("x.../../etc"), "bin");
    }
}
