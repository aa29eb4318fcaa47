//! The media folder: evidence files kept under their content hash, so the
//! same photo sent twice is stored once and a file's name proves its content.
//! Only photos and videos get in: a file is recognised by its bytes (magic
//! numbers, and an image's dimensions must decode), never by its name or
//! the MIME type the sender claimed, and its extension says what it is.

use std::io;
use std::path::Path;

use sha2::{Digest, Sha256};

use crate::case::StoredFile;

/// What a file's bytes say it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Jpeg,
    Png,
    Webp,
    Gif,
    Heic,
    Avif,
    Mp4,
    QuickTime,
    Webm,
    Matroska,
}

impl Kind {
    /// The extension the file is stored under.
    pub fn extension(self) -> &'static str {
        match self {
            Kind::Jpeg => "jpg",
            Kind::Png => "png",
            Kind::Webp => "webp",
            Kind::Gif => "gif",
            Kind::Heic => "heic",
            Kind::Avif => "avif",
            Kind::Mp4 => "mp4",
            Kind::QuickTime => "mov",
            Kind::Webm => "webm",
            Kind::Matroska => "mkv",
        }
    }

    pub fn is_video(self) -> bool {
        matches!(self, Kind::Mp4 | Kind::QuickTime | Kind::Webm | Kind::Matroska)
    }
}

/// A recognised photo or video; an image has its dimensions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sniffed {
    pub kind: Kind,
    /// Width and height in pixels; `None` for a video.
    pub dimensions: Option<(u32, u32)>,
}

/// Why a file is not evidence.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum NotEvidence {
    #[error("the file is empty")]
    Empty,
    #[error("the file is not a photo or video")]
    Unrecognised,
    #[error("the image is damaged or cut short: {0}")]
    Damaged(String),
}

#[derive(Debug, thiserror::Error)]
pub enum EvidenceError {
    #[error(transparent)]
    NotEvidence(#[from] NotEvidence),
    #[error("cannot store the file: {0}")]
    Io(#[from] io::Error),
}

/// Recognises a photo or video by its bytes alone.
pub fn sniff(bytes: &[u8]) -> Result<Sniffed, NotEvidence> {
    if bytes.is_empty() {
        return Err(NotEvidence::Empty);
    }
    if let Some(kind) = image_kind(bytes) {
        // A header alone is not an image: its dimensions must decode.
        let size = imagesize::blob_size(bytes).map_err(|error| NotEvidence::Damaged(error.to_string()))?;
        let (width, height) = (u32::try_from(size.width).unwrap_or(0), u32::try_from(size.height).unwrap_or(0));
        if width == 0 || height == 0 {
            return Err(NotEvidence::Damaged(format!("{width}x{height} pixels")));
        }
        return Ok(Sniffed { kind, dimensions: Some((width, height)) });
    }
    video_kind(bytes).map(|kind| Sniffed { kind, dimensions: None }).ok_or(NotEvidence::Unrecognised)
}

fn image_kind(bytes: &[u8]) -> Option<Kind> {
    use imagesize::ImageType;
    match imagesize::image_type(bytes).ok()? {
        ImageType::Jpeg => Some(Kind::Jpeg),
        ImageType::Png => Some(Kind::Png),
        ImageType::Webp => Some(Kind::Webp),
        ImageType::Gif => Some(Kind::Gif),
        ImageType::Heif(imagesize::Compression::Av1) => Some(Kind::Avif),
        // Any `ftyp` box passes as HEIF; without an image brand it is a video's.
        ImageType::Heif(imagesize::Compression::Unknown) => None,
        ImageType::Heif(_) => Some(Kind::Heic),
        // Formats another crate might switch on are not evidence here.
        #[allow(unreachable_patterns)]
        _ => None,
    }
}

/// MP4 and QuickTime start with an `ftyp` box; WebM and Matroska with EBML.
fn video_kind(bytes: &[u8]) -> Option<Kind> {
    if bytes.get(4..8) == Some(b"ftyp") {
        return match bytes.get(8..12)? {
            b"qt  " => Some(Kind::QuickTime),
            // Audio-only MPEG-4 (music, audiobooks) shows nothing.
            b"M4A " | b"M4B " | b"M4P " | b"F4A " | b"F4B " => None,
            _ => Some(Kind::Mp4),
        };
    }
    if bytes.starts_with(&[0x1A, 0x45, 0xDF, 0xA3]) {
        let header = &bytes[..bytes.len().min(64)];
        let webm = header.windows(4).any(|window| window == b"webm");
        return Some(if webm { Kind::Webm } else { Kind::Matroska });
    }
    None
}

/// Keeps `bytes` in `dir` if they are a photo or video, under the extension
/// of what they are. What is not evidence is never written.
pub fn store_evidence(dir: &Path, bytes: &[u8]) -> Result<(StoredFile, Sniffed), EvidenceError> {
    let sniffed = sniff(bytes)?;
    Ok((store_bytes(dir, bytes, sniffed.kind.extension())?, sniffed))
}

/// Writes `bytes` to `dir/<sha256>.<extension>` unless it is there already.
fn store_bytes(dir: &Path, bytes: &[u8], extension: &str) -> io::Result<StoredFile> {
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A 1x1 PNG, as an image editor saves it.
    const PNG: &[u8] = &[
        0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00,
        0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x02, 0x00, 0x00, 0x00, 0x90, 0x77, 0x53, 0xde, 0x00, 0x00, 0x00,
        0x0c, 0x49, 0x44, 0x41, 0x54, 0x78, 0xda, 0x63, 0x38, 0x90, 0xe0, 0x00, 0x00, 0x03, 0x44, 0x01, 0x61, 0x40,
        0x9b, 0x84, 0x18, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
    ];

    /// The start of a JPEG up to its frame header: 640x480.
    const JPEG_HEADER: &[u8] = &[
        0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01,
        0x00, 0x00, 0xFF, 0xC0, 0x00, 0x11, 0x08, 0x01, 0xE0, 0x02, 0x80, 0x03, 0x01, 0x22, 0x00, 0x02, 0x11, 0x01,
        0x03, 0x11, 0x01,
    ];

    /// The first box of a phone's MP4 video.
    const MP4: &[u8] = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom\x00\x00\x00\x08free";

    #[test]
    fn photos_are_recognised_by_their_bytes_with_their_dimensions() {
        assert_eq!(sniff(PNG), Ok(Sniffed { kind: Kind::Png, dimensions: Some((1, 1)) }));
        assert_eq!(sniff(JPEG_HEADER), Ok(Sniffed { kind: Kind::Jpeg, dimensions: Some((640, 480)) }));
    }

    #[test]
    fn a_phone_s_heic_photo_is_an_image_not_a_video() {
        let heic = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic";
        assert!(matches!(sniff(heic), Err(NotEvidence::Damaged(_))), "no dimensions without its boxes");
        assert_eq!(image_kind(heic), Some(Kind::Heic));
    }

    #[test]
    fn videos_are_recognised_by_their_first_box() {
        assert_eq!(sniff(MP4), Ok(Sniffed { kind: Kind::Mp4, dimensions: None }));
        let mov = b"\x00\x00\x00\x14ftypqt  \x00\x00\x02\x00qt  ";
        assert_eq!(sniff(mov).map(|s| s.kind), Ok(Kind::QuickTime));
        let webm = b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81\x01\x42\x82\x84webm";
        assert_eq!(sniff(webm).map(|s| s.kind), Ok(Kind::Webm));
        assert_eq!(sniff(b"\x00\x00\x00\x18ftypM4A \x00\x00\x00\x00"), Err(NotEvidence::Unrecognised), "audio");
    }

    #[test]
    fn text_empty_and_cut_short_files_are_not_evidence() {
        assert_eq!(sniff(b"Order 1001: the vase arrived cracked.\n"), Err(NotEvidence::Unrecognised));
        assert_eq!(sniff(b""), Err(NotEvidence::Empty));
        assert!(matches!(sniff(&PNG[..20]), Err(NotEvidence::Damaged(_))), "{:?}", sniff(&PNG[..20]));
        assert!(matches!(sniff(&JPEG_HEADER[..12]), Err(NotEvidence::Damaged(_))));
        // What the name or the sender claims does not matter: only the bytes.
        assert_eq!(sniff(b"\xFF\xD8 a cracked vase"), Err(NotEvidence::Unrecognised));
    }

    #[test]
    fn evidence_is_stored_once_under_its_hash_and_its_real_extension() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (first, sniffed) = store_evidence(dir.path(), PNG).expect("store");
        let (again, _) = store_evidence(dir.path(), PNG).expect("store");
        assert_eq!((first.clone(), sniffed.kind), (again, Kind::Png));
        assert!(first.path.ends_with(&format!("{}.png", first.sha256)));
        assert_eq!(std::fs::read_dir(dir.path()).expect("dir").count(), 1);
    }

    #[test]
    fn what_is_not_evidence_is_never_written() {
        let dir = tempfile::tempdir().expect("tempdir");
        let refused = store_evidence(&dir.path().join("media"), b"notes");
        assert!(matches!(refused, Err(EvidenceError::NotEvidence(NotEvidence::Unrecognised))));
        assert!(!dir.path().join("media").exists());
    }
}
