//! Pictures made square: profile pictures and team icons are decoded (under the same bounds
//! as every other image, see `app::images`), turned upright, cropped to their centre square,
//! scaled to a fixed side and stored as PNG, as Mattermost does.

use std::io::Cursor;

use image::codecs::png::PngEncoder;
use image::imageops::FilterType;
use image::{DynamicImage, ImageDecoder, ImageEncoder, ImageReader, Limits};

use crate::app::images::{self, ImageError, MAX_DECODE_ALLOC, MAX_SIDE};

/// Side of stored profile pictures and team icons (Mattermost's 128).
pub const SIDE: u32 = 128;

#[derive(Debug, PartialEq, Eq)]
pub enum SquareError {
    /// Not an image, or more pixels than `images::MAX_PIXELS`; nothing was decoded.
    Limits,
    /// The header was fine but the image data is not.
    Decode,
    /// PNG encoding failed.
    Encode,
}

fn limits() -> Limits {
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_DECODE_ALLOC);
    limits
}

/// Decodes with limits and applies the EXIF orientation, after the header check.
fn decode_upright(bytes: &[u8]) -> Result<DynamicImage, SquareError> {
    match images::checked_dimensions(bytes) {
        Ok(_) => {}
        Err(ImageError::TooLarge { .. } | ImageError::Undecodable) => {
            return Err(SquareError::Limits)
        }
    }
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|_| SquareError::Decode)?;
    reader.limits(limits());
    let mut decoder = reader.into_decoder().map_err(|_| SquareError::Decode)?;
    // The whole pixel buffer within the allocation bound, as `ImageReader::decode` checks.
    limits()
        .reserve(decoder.total_bytes())
        .map_err(|_| SquareError::Limits)?;
    let orientation = decoder.orientation().ok();
    let mut image = DynamicImage::from_decoder(decoder).map_err(|_| SquareError::Decode)?;
    if let Some(orientation) = orientation {
        image.apply_orientation(orientation);
    }
    Ok(image)
}

/// The centre square of the image, `side` pixels wide, as PNG (transparency kept).
pub fn square_png(bytes: &[u8], side: u32) -> Result<Vec<u8>, SquareError> {
    let image = decode_upright(bytes)?;
    let (width, height) = (image.width(), image.height());
    let edge = width.min(height);
    let square = image.crop_imm((width - edge) / 2, (height - edge) / 2, edge, edge);
    // Area averaging is fast and sharp for shrinking; tiny images are enlarged smoothly.
    let scaled = if edge >= side {
        square.thumbnail_exact(side, side)
    } else {
        square.resize_exact(side, side, FilterType::CatmullRom)
    };
    let rgba = scaled.to_rgba8();
    let mut out = Vec::new();
    PngEncoder::new(&mut out)
        .write_image(rgba.as_raw(), side, side, image::ExtendedColorType::Rgba8)
        .map_err(|_| SquareError::Encode)?;
    Ok(out)
}

/// [`square_png`] on the blocking pool (decoding is CPU-bound).
pub async fn square_png_blocking(bytes: Vec<u8>, side: u32) -> Result<Vec<u8>, SquareError> {
    tokio::task::spawn_blocking(move || square_png(&bytes, side))
        .await
        .unwrap_or(Err(SquareError::Decode))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encoded(image: DynamicImage, format: image::ImageFormat) -> Vec<u8> {
        let mut out = Vec::new();
        image.write_to(&mut Cursor::new(&mut out), format).unwrap();
        out
    }

    #[test]
    fn crops_the_centre_and_scales() {
        // 300 x 100: a red band in the middle third, blue elsewhere.
        let mut wide = image::RgbImage::from_pixel(300, 100, image::Rgb([0, 0, 255]));
        for x in 100..200 {
            for y in 0..100 {
                wide.put_pixel(x, y, image::Rgb([255, 0, 0]));
            }
        }
        let png = square_png(
            &encoded(DynamicImage::ImageRgb8(wide), image::ImageFormat::Png),
            SIDE,
        )
        .unwrap();
        let out = image::load_from_memory(&png).unwrap().to_rgba8();
        assert_eq!(out.dimensions(), (SIDE, SIDE));
        assert!(out.pixels().all(|p| p.0 == [255, 0, 0, 255]));

        // A tiny JPEG is enlarged.
        let tiny = encoded(DynamicImage::new_rgb8(3, 5), image::ImageFormat::Jpeg);
        let out = image::load_from_memory(&square_png(&tiny, SIDE).unwrap()).unwrap();
        assert_eq!((out.width(), out.height()), (SIDE, SIDE));
    }

    #[test]
    fn refuses_bombs_garbage_and_truncation() {
        assert_eq!(square_png(b"not an image", SIDE), Err(SquareError::Limits));
        assert_eq!(square_png(b"", SIDE), Err(SquareError::Limits));
        let mut bomb = encoded(DynamicImage::new_rgb8(1, 1), image::ImageFormat::Png);
        bomb[16..20].copy_from_slice(&100_000u32.to_be_bytes());
        bomb[20..24].copy_from_slice(&100_000u32.to_be_bytes());
        let crc = crc32fast::hash(&bomb[12..29]);
        bomb[29..33].copy_from_slice(&crc.to_be_bytes());
        assert_eq!(square_png(&bomb, SIDE), Err(SquareError::Limits));
        let whole = encoded(DynamicImage::new_rgb8(64, 64), image::ImageFormat::Png);
        let cut = &whole[..whole.len() - 30];
        assert_eq!(square_png(cut, SIDE), Err(SquareError::Decode));
    }
}
