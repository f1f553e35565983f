//! Default profile pictures: a symmetric 5x5 pattern in a colour derived from the user id,
//! encoded as a small PNG with no image library.

use sha2::{Digest, Sha256};

const CELLS: usize = 5;
const CELL_PX: usize = 24;
const MARGIN_PX: usize = 4;
const SIZE: usize = CELLS * CELL_PX + 2 * MARGIN_PX;

/// A deterministic PNG for `user_id`.
pub fn default_avatar_png(user_id: &str) -> Vec<u8> {
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
    let mut raw = Vec::with_capacity(SIZE * (SIZE * 3 + 1));
    for y in 0..SIZE {
        raw.push(0); // filter: none
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

fn encode_png(width: u32, height: u32, raw: &[u8]) -> Vec<u8> {
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut header = Vec::new();
    header.extend_from_slice(&width.to_be_bytes());
    header.extend_from_slice(&height.to_be_bytes());
    header.extend_from_slice(&[8, 2, 0, 0, 0]); // 8-bit RGB
    chunk(&mut out, b"IHDR", &header);
    chunk(&mut out, b"IDAT", &zlib_stored(raw));
    chunk(&mut out, b"IEND", &[]);
    out
}

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    let start = out.len();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let crc = crc32(&out[start..]);
    out.extend_from_slice(&crc.to_be_bytes());
}

/// zlib with uncompressed deflate blocks: the images are tiny, so compression is not worth code.
fn zlib_stored(data: &[u8]) -> Vec<u8> {
    let mut out = vec![0x78, 0x01];
    let mut blocks = data.chunks(65_535).peekable();
    if blocks.peek().is_none() {
        out.extend_from_slice(&[1, 0, 0, 0xff, 0xff]);
    }
    while let Some(block) = blocks.next() {
        out.push(u8::from(blocks.peek().is_none()));
        let len = block.len() as u16;
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(block);
    }
    let (mut a, mut b) = (1u32, 0u32);
    for &byte in data {
        a = (a + u32::from(byte)) % 65_521;
        b = (b + a) % 65_521;
    }
    out.extend_from_slice(&((b << 16) | a).to_be_bytes());
    out
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xffff_ffffu32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc_matches_the_png_reference_value() {
        assert_eq!(crc32(b"IEND"), 0xae42_6082);
    }

    #[test]
    fn avatars_are_deterministic_pngs() {
        let a = default_avatar_png("user-a");
        assert!(a.starts_with(b"\x89PNG\r\n\x1a\n"));
        assert!(a.ends_with(&[0xae, 0x42, 0x60, 0x82]));
        assert_eq!(a, default_avatar_png("user-a"));
        assert_ne!(a, default_avatar_png("user-b"));
    }
}
