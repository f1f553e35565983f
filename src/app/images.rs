//! Image inspection, thumbnails and previews, with hard bounds.
//!
//! The header is read first and anything over [`MAX_PIXELS`] is refused before a single pixel
//! is decoded, and the decoder itself runs with explicit `image::Limits`, so a small file that
//! declares a huge image (a decompression bomb) never gets its buffer allocated. CPU-bound:
//! callers run these on the blocking pool.

use std::fs::File;
use std::io::{BufRead, BufReader, Cursor, Seek};
use std::path::Path;

use base64::Engine as _;
use image::codecs::jpeg::JpegEncoder;
use image::imageops::FilterType;
use image::{DynamicImage, ImageReader, Limits};

/// Mattermost's default `FileSettings.MaxImageResolution` (7680 x 4320).
pub const MAX_PIXELS: u64 = 33_177_600;
/// Largest side the decoder accepts.
pub const MAX_SIDE: u32 = 16_384;
/// Most memory one decode may allocate.
pub const MAX_DECODE_ALLOC: u64 = 256 * 1024 * 1024;
/// Mattermost's thumbnail box and preview width.
pub const THUMBNAIL_WIDTH: u32 = 120;
pub const THUMBNAIL_HEIGHT: u32 = 100;
pub const PREVIEW_WIDTH: u32 = 1920;
const MINI_PREVIEW_SIDE: u32 = 16;

/// Extensions we decode for previews.
pub fn is_previewable(extension: &str) -> bool {
    matches!(extension, "png" | "jpg" | "jpeg" | "gif" | "webp" | "bmp")
}

#[derive(Debug, PartialEq, Eq)]
pub enum ImageError {
    /// More pixels (or a longer side) than allowed.
    TooLarge { width: u32, height: u32 },
    /// Not an image we can read.
    Undecodable,
}

/// Thumbnail, preview and mini preview of one image.
pub struct Rendered {
    pub width: u32,
    pub height: u32,
    pub thumbnail: Vec<u8>,
    pub preview: Vec<u8>,
    pub mini_preview: String,
}

fn limits() -> Limits {
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_DECODE_ALLOC);
    limits
}

/// Reads only the header: the declared size, refused when over the bounds.
fn header<R: BufRead + Seek>(reader: ImageReader<R>) -> Result<(u32, u32), ImageError> {
    let reader = reader
        .with_guessed_format()
        .map_err(|_| ImageError::Undecodable)?;
    if reader.format().is_none() {
        return Err(ImageError::Undecodable);
    }
    let (width, height) = reader
        .into_dimensions()
        .map_err(|_| ImageError::Undecodable)?;
    if u64::from(width) * u64::from(height) > MAX_PIXELS || width > MAX_SIDE || height > MAX_SIDE {
        return Err(ImageError::TooLarge { width, height });
    }
    Ok((width, height))
}

fn decode_with_limits<R: BufRead + Seek>(
    reader: ImageReader<R>,
) -> Result<DynamicImage, ImageError> {
    let mut reader = reader
        .with_guessed_format()
        .map_err(|_| ImageError::Undecodable)?;
    reader.limits(limits());
    reader.decode().map_err(|_| ImageError::Undecodable)
}

/// The declared size of an in-memory image, refused when over the bounds.
pub fn checked_dimensions(bytes: &[u8]) -> Result<(u32, u32), ImageError> {
    header(ImageReader::new(Cursor::new(bytes)))
}

/// Decodes an in-memory image with limits, after the header check.
pub fn decode(bytes: &[u8]) -> Result<DynamicImage, ImageError> {
    checked_dimensions(bytes)?;
    decode_with_limits(ImageReader::new(Cursor::new(bytes)))
}

fn open(path: &Path) -> Result<ImageReader<BufReader<File>>, ImageError> {
    ImageReader::open(path).map_err(|_| ImageError::Undecodable)
}

fn jpeg(image: &DynamicImage, quality: u8) -> Result<Vec<u8>, ImageError> {
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, quality)
        .encode_image(&DynamicImage::ImageRgb8(image.to_rgb8()))
        .map_err(|_| ImageError::Undecodable)?;
    Ok(out)
}

/// Renders the JPEG thumbnail, preview and base64 mini preview of an image file.
pub fn render(path: &Path) -> Result<Rendered, ImageError> {
    // The file is read through a buffer: the header check needs only its first bytes.
    header(open(path)?)?;
    let image = decode_with_limits(open(path)?)?;
    let (width, height) = (image.width(), image.height());
    let thumbnail = jpeg(&image.thumbnail(THUMBNAIL_WIDTH, THUMBNAIL_HEIGHT), 90)?;
    let preview = if width > PREVIEW_WIDTH {
        let scaled = (u64::from(height) * u64::from(PREVIEW_WIDTH) / u64::from(width)).max(1);
        jpeg(
            &image.resize_exact(PREVIEW_WIDTH, scaled as u32, FilterType::Triangle),
            90,
        )?
    } else {
        jpeg(&image, 90)?
    };
    let mini = jpeg(&image.thumbnail(MINI_PREVIEW_SIDE, MINI_PREVIEW_SIDE), 80)?;
    Ok(Rendered {
        width,
        height,
        thumbnail,
        preview,
        mini_preview: base64::engine::general_purpose::STANDARD.encode(mini),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(width: u32, height: u32) -> Vec<u8> {
        let image = DynamicImage::new_rgb8(width, height);
        let mut out = Vec::new();
        image
            .write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png)
            .unwrap();
        out
    }

    #[test]
    fn reads_dimensions_and_renders() {
        let bytes = png(300, 200);
        assert_eq!(checked_dimensions(&bytes), Ok((300, 200)));
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.png");
        std::fs::write(&path, &bytes).unwrap();
        let rendered = render(&path).unwrap();
        assert_eq!((rendered.width, rendered.height), (300, 200));
        let thumb = image::load_from_memory(&rendered.thumbnail).unwrap();
        assert!(thumb.width() <= THUMBNAIL_WIDTH && thumb.height() <= THUMBNAIL_HEIGHT);
        assert!(!rendered.mini_preview.is_empty());
    }

    #[test]
    fn refuses_bombs_and_garbage() {
        // A PNG header declaring 100000 x 100000 pixels, with no data behind it.
        let mut bomb = png(1, 1);
        bomb[16..20].copy_from_slice(&100_000u32.to_be_bytes());
        bomb[20..24].copy_from_slice(&100_000u32.to_be_bytes());
        // The chunk checksum, so the doctored header is otherwise valid.
        let crc = crc32fast::hash(&bomb[12..29]);
        bomb[29..33].copy_from_slice(&crc.to_be_bytes());
        assert!(matches!(
            checked_dimensions(&bomb),
            Err(ImageError::TooLarge { .. })
        ));
        assert_eq!(
            checked_dimensions(b"not an image"),
            Err(ImageError::Undecodable)
        );
    }
}
