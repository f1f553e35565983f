//! Default profile pictures: the user's initials in white on a colour derived from the user
//! id, drawn with a small embedded bitmap font (A–Z, 0–9) and encoded as a PNG. No font file
//! or font crate is needed, and the same inputs always give the same bytes.

use image::codecs::png::PngEncoder;
use image::{ExtendedColorType, ImageEncoder};
use sha2::{Digest, Sha256};
use townsquare_sdk::AppError;

/// Side of the square picture, in pixels (Mattermost's pictures are 128 x 128).
pub const SIZE: u32 = 128;
/// Stands for "no letter we can draw" in an initials string (a neutral silhouette).
pub const NEUTRAL: char = '*';

const GLYPH_W: usize = 5;
const GLYPH_H: usize = 7;
const FOREGROUND: [u8; 3] = [255, 255, 255];

/// 5 x 7 glyphs, one row per string, `#` for a set pixel.
fn glyph(c: char) -> [&'static str; GLYPH_H] {
    match c {
        'A' => [
            ".###.", "#...#", "#...#", "#####", "#...#", "#...#", "#...#",
        ],
        'B' => [
            "####.", "#...#", "#...#", "####.", "#...#", "#...#", "####.",
        ],
        'C' => [
            ".###.", "#...#", "#....", "#....", "#....", "#...#", ".###.",
        ],
        'D' => [
            "####.", "#...#", "#...#", "#...#", "#...#", "#...#", "####.",
        ],
        'E' => [
            "#####", "#....", "#....", "####.", "#....", "#....", "#####",
        ],
        'F' => [
            "#####", "#....", "#....", "####.", "#....", "#....", "#....",
        ],
        'G' => [
            ".###.", "#...#", "#....", "#.###", "#...#", "#...#", ".####",
        ],
        'H' => [
            "#...#", "#...#", "#...#", "#####", "#...#", "#...#", "#...#",
        ],
        'I' => [
            ".###.", "..#..", "..#..", "..#..", "..#..", "..#..", ".###.",
        ],
        'J' => [
            "..###", "...#.", "...#.", "...#.", "...#.", "#..#.", ".##..",
        ],
        'K' => [
            "#...#", "#..#.", "#.#..", "##...", "#.#..", "#..#.", "#...#",
        ],
        'L' => [
            "#....", "#....", "#....", "#....", "#....", "#....", "#####",
        ],
        'M' => [
            "#...#", "##.##", "#.#.#", "#.#.#", "#...#", "#...#", "#...#",
        ],
        'N' => [
            "#...#", "#...#", "##..#", "#.#.#", "#..##", "#...#", "#...#",
        ],
        'O' => [
            ".###.", "#...#", "#...#", "#...#", "#...#", "#...#", ".###.",
        ],
        'P' => [
            "####.", "#...#", "#...#", "####.", "#....", "#....", "#....",
        ],
        'Q' => [
            ".###.", "#...#", "#...#", "#...#", "#.#.#", "#..#.", ".##.#",
        ],
        'R' => [
            "####.", "#...#", "#...#", "####.", "#.#..", "#..#.", "#...#",
        ],
        'S' => [
            ".####", "#....", "#....", ".###.", "....#", "....#", "####.",
        ],
        'T' => [
            "#####", "..#..", "..#..", "..#..", "..#..", "..#..", "..#..",
        ],
        'U' => [
            "#...#", "#...#", "#...#", "#...#", "#...#", "#...#", ".###.",
        ],
        'V' => [
            "#...#", "#...#", "#...#", "#...#", "#...#", ".#.#.", "..#..",
        ],
        'W' => [
            "#...#", "#...#", "#...#", "#.#.#", "#.#.#", "#.#.#", ".#.#.",
        ],
        'X' => [
            "#...#", "#...#", ".#.#.", "..#..", ".#.#.", "#...#", "#...#",
        ],
        'Y' => [
            "#...#", "#...#", ".#.#.", "..#..", "..#..", "..#..", "..#..",
        ],
        'Z' => [
            "#####", "....#", "...#.", "..#..", ".#...", "#....", "#####",
        ],
        '0' => [
            ".###.", "#...#", "#..##", "#.#.#", "##..#", "#...#", ".###.",
        ],
        '1' => [
            "..#..", ".##..", "..#..", "..#..", "..#..", "..#..", ".###.",
        ],
        '2' => [
            ".###.", "#...#", "....#", "...#.", "..#..", ".#...", "#####",
        ],
        '3' => [
            "#####", "...#.", "..#..", "...#.", "....#", "#...#", ".###.",
        ],
        '4' => [
            "...#.", "..##.", ".#.#.", "#..#.", "#####", "...#.", "...#.",
        ],
        '5' => [
            "#####", "#....", "####.", "....#", "....#", "#...#", ".###.",
        ],
        '6' => [
            "..##.", ".#...", "#....", "####.", "#...#", "#...#", ".###.",
        ],
        '7' => [
            "#####", "....#", "...#.", "..#..", ".#...", ".#...", ".#...",
        ],
        '8' => [
            ".###.", "#...#", "#...#", ".###.", "#...#", "#...#", ".###.",
        ],
        '9' => [
            ".###.", "#...#", "#...#", ".####", "....#", "...#.", ".##..",
        ],
        // A head and shoulders, for names we have no letters for.
        _ => [
            ".###.", "#####", ".###.", ".....", ".###.", "#####", "#####",
        ],
    }
}

/// The letter drawn for a name's first character, if the font has one (ASCII letters and
/// digits, case folded).
fn drawable(name: &str) -> Option<char> {
    let first = name.trim().chars().next()?.to_ascii_uppercase();
    first.is_ascii_alphanumeric().then_some(first)
}

/// What the default picture shows: the first letters of the first and last name when both
/// can be drawn (and full names may be shown), else the username's first letter, else the
/// neutral glyph. Only `A-Z`, `0-9` and [`NEUTRAL`], so it can go into an ETag as is.
pub fn initials(username: &str, first_name: &str, last_name: &str, full_names: bool) -> String {
    if full_names {
        if let (Some(first), Some(last)) = (drawable(first_name), drawable(last_name)) {
            return [first, last].iter().collect();
        }
    }
    drawable(username).unwrap_or(NEUTRAL).to_string()
}

/// The background: a hue from the id's hash, at a saturation and lightness that keep white
/// letters readable.
fn background(user_id: &str) -> [u8; 3] {
    let digest = Sha256::digest(user_id.as_bytes());
    let hue = f64::from(u16::from_be_bytes([digest[0], digest[1]]) % 360);
    hsl_to_rgb(hue, 0.55, 0.40)
}

fn hsl_to_rgb(hue: f64, saturation: f64, lightness: f64) -> [u8; 3] {
    let chroma = (1.0 - (2.0 * lightness - 1.0).abs()) * saturation;
    let sector = hue / 60.0;
    let x = chroma * (1.0 - (sector % 2.0 - 1.0).abs());
    let (r, g, b) = match sector as u32 {
        0 => (chroma, x, 0.0),
        1 => (x, chroma, 0.0),
        2 => (0.0, chroma, x),
        3 => (0.0, x, chroma),
        4 => (x, 0.0, chroma),
        _ => (chroma, 0.0, x),
    };
    let m = lightness - chroma / 2.0;
    let channel = |v: f64| ((v + m) * 255.0).round().clamp(0.0, 255.0) as u8;
    [channel(r), channel(g), channel(b)]
}

/// A deterministic PNG of `initials` (as [`initials`] returns; at most two are drawn) on the
/// user's colour.
pub fn default_avatar_png(user_id: &str, initials: &str) -> Result<Vec<u8>, AppError> {
    let letters: Vec<char> = initials.chars().take(2).collect();
    let letters = if letters.is_empty() {
        vec![NEUTRAL]
    } else {
        letters
    };
    // One letter is drawn larger than two; a blank column separates a pair.
    let scale = if letters.len() == 1 { 9 } else { 7 };
    let cols = letters.len() * GLYPH_W + (letters.len() - 1);
    let (text_w, text_h) = (cols * scale, GLYPH_H * scale);
    let size = SIZE as usize;
    let (left, top) = ((size - text_w) / 2, (size - text_h) / 2);
    let on = |x: usize, y: usize| -> bool {
        if x < left || y < top || x >= left + text_w || y >= top + text_h {
            return false;
        }
        let (col, row) = ((x - left) / scale, (y - top) / scale);
        let (index, within) = (col / (GLYPH_W + 1), col % (GLYPH_W + 1));
        within < GLYPH_W && glyph(letters[index])[row].as_bytes()[within] == b'#'
    };
    let colour = background(user_id);
    let mut raw = Vec::with_capacity(size * size * 3);
    for y in 0..size {
        for x in 0..size {
            raw.extend_from_slice(if on(x, y) { &FOREGROUND } else { &colour });
        }
    }
    encode_png(SIZE, SIZE, &raw)
}

fn encode_png(width: u32, height: u32, rgb: &[u8]) -> Result<Vec<u8>, AppError> {
    let mut out = Vec::new();
    PngEncoder::new(&mut out)
        .write_image(rgb, width, height, ExtendedColorType::Rgb8)
        .map_err(|err| {
            AppError::new(
                500,
                "api.user.create_profile_image.encode.app_error",
                "Could not encode default profile image.",
            )
            .with_internal(err)
        })?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_glyph_is_five_by_seven() {
        for c in ('A'..='Z').chain('0'..='9').chain([NEUTRAL]) {
            for row in glyph(c) {
                assert_eq!(row.len(), GLYPH_W, "{c}");
                assert!(row.bytes().all(|b| b == b'#' || b == b'.'), "{c}");
            }
        }
        // Letters are told apart.
        let mut seen = std::collections::HashSet::new();
        for c in ('A'..='Z').chain('0'..='9') {
            assert!(seen.insert(glyph(c)), "{c} looks like another glyph");
        }
    }

    #[test]
    fn initials_prefer_full_names_then_the_username() {
        assert_eq!(initials("bob", "Ada", "lovelace", true), "AL");
        assert_eq!(initials("bob", "Ada", "lovelace", false), "B");
        assert_eq!(initials("bob", "Ada", "", true), "B");
        assert_eq!(initials("bob", "Дмитрий", "Иванов", true), "B");
        assert_eq!(initials("9lives", "", "", true), "9");
        assert_eq!(initials("_x", "", "", true), "*");
        assert_eq!(initials("", "", "", true), "*");
    }

    #[test]
    fn avatars_are_deterministic_pngs_of_the_initials() {
        let a = default_avatar_png("user-a", "AB").unwrap();
        assert!(a.starts_with(b"\x89PNG\r\n\x1a\n"));
        let decoded = image::load_from_memory(&a).expect("a valid PNG").to_rgb8();
        assert_eq!(decoded.dimensions(), (SIZE, SIZE));
        let bg = decoded.get_pixel(0, 0).0;
        assert_eq!(bg, background("user-a"));
        assert_ne!(bg, FOREGROUND);
        // Some letter pixels are drawn, in the middle band only.
        let white = decoded.pixels().filter(|p| p.0 == FOREGROUND).count();
        assert!(white > 200, "{white}");
        assert!((0..SIZE).all(|x| decoded.get_pixel(x, 5).0 == bg));
        assert_eq!(a, default_avatar_png("user-a", "AB").unwrap());
        assert_ne!(a, default_avatar_png("user-b", "AB").unwrap());
        assert_ne!(a, default_avatar_png("user-a", "AC").unwrap());
        // One letter and the neutral glyph render too.
        default_avatar_png("user-a", "Z").unwrap();
        default_avatar_png("user-a", "*").unwrap();
        default_avatar_png("user-a", "").unwrap();
    }

    #[test]
    fn hues_cover_the_wheel_without_clipping() {
        for hue in (0..360).step_by(15) {
            let [r, g, b] = hsl_to_rgb(f64::from(hue), 0.55, 0.40);
            let max = r.max(g).max(b);
            assert!(max < 200 && max > 120, "{hue}: {r} {g} {b}");
        }
    }
}
