//! Default profile pictures: a symmetric 5x5 pattern in a colour derived from the user id,
//! encoded as a small PNG.

use image::codecs::png::PngEncoder;
use image::{ExtendedColorType, ImageEncoder};
use sha2::{Digest, Sha256};
use townsquare_sdk::AppError;

const CELLS: usize = 5;
const CELL_PX: usize = 24;
const MARGIN_PX: usize = 4;
const SIZE: usize = CELLS * CELL_PX + 2 * MARGIN_PX;

/// A deterministic PNG for `user_id`.
pub fn default_avatar_png(user_id: &str) -> Result<Vec<u8>, AppError> {
    let digest = Sha256::digest(user_id.as_bytes());
    let colour = [64 + digest[0] / 2, 64 + digest[1] / 2, 64 + digest[2] / 2];
    let background = [240u8, 240, 240];
    let mut filled = [[false; CELLS]; CELLS];
    for row in 0..CELLS {
        for col in 0..CELLS.div_ceil(2) {
            let bit = digest[3 + row] >> col & 1 == 1;
            filled[row][col] = bit;
            filled[row][CELLS - 1 - col] = bit;
        }
    }
    let mut raw = Vec::with_capacity(SIZE * SIZE * 3);
    for y in 0..SIZE {
        for x in 0..SIZE {
            let inside = |v: usize| (MARGIN_PX..SIZE - MARGIN_PX).contains(&v);
            let on = inside(x)
                && inside(y)
                && filled[(y - MARGIN_PX) / CELL_PX][(x - MARGIN_PX) / CELL_PX];
            raw.extend_from_slice(if on { &colour } else { &background });
        }
    }
    encode_png(SIZE as u32, SIZE as u32, &raw)
}

fn encode_png(width: u32, height: u32, rgb: &[u8]) -> Result<Vec<u8>, AppError> {
    let mut out = Vec::new();
    PngEncoder::new(&mut out)
        .write_image(rgb, width, height, ExtendedColorType::Rgb8)
        .map_err(AppError::internal)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn avatars_are_deterministic_pngs() {
        let a = default_avatar_png("user-a").unwrap();
        assert!(a.starts_with(b"\x89PNG\r\n\x1a\n"));
        let decoded = image::load_from_memory(&a).expect("a valid PNG").to_rgb8();
        assert_eq!(decoded.dimensions(), (SIZE as u32, SIZE as u32));
        assert_eq!(decoded.get_pixel(0, 0).0, [240, 240, 240]);
        assert_eq!(a, default_avatar_png("user-a").unwrap());
        assert_ne!(a, default_avatar_png("user-b").unwrap());
    }
}
