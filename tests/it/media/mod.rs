//! Profile pictures, team icons and REST typing (issue 12).

mod pictures;
mod team_icons;
mod typing;

use std::io::Cursor;

use image::{DynamicImage, ImageFormat, RgbImage};
use reqwest::Method;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::files::{send_multipart, Part};
use crate::support::{TestResponse, TestServer};

/// A `width` x `height` image in `format`, red on the left half and blue on the right.
pub fn picture(width: u32, height: u32, format: ImageFormat) -> Vec<u8> {
    let image = RgbImage::from_fn(width, height, |x, _| {
        if x < width / 2 {
            image::Rgb([220, 20, 20])
        } else {
            image::Rgb([20, 20, 220])
        }
    });
    let mut out = Vec::new();
    DynamicImage::ImageRgb8(image)
        .write_to(&mut Cursor::new(&mut out), format)
        .expect("encode");
    out
}

/// A PNG of noise: it does not compress, so it is about 3 bytes a pixel.
pub fn noisy_png(side: u32) -> Vec<u8> {
    let mut state: u32 = 0x9e37_79b9;
    let image = RgbImage::from_fn(side, side, |_, _| {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        let [a, b, c, _] = state.to_le_bytes();
        image::Rgb([a, b, c])
    });
    let mut out = Vec::new();
    DynamicImage::ImageRgb8(image)
        .write_to(&mut Cursor::new(&mut out), ImageFormat::Png)
        .expect("encode");
    out
}

/// A valid PNG whose header declares 100000 x 100000 pixels (a decompression bomb).
pub fn pixel_bomb() -> Vec<u8> {
    let mut bomb = picture(1, 1, ImageFormat::Png);
    bomb[16..20].copy_from_slice(&100_000u32.to_be_bytes());
    bomb[20..24].copy_from_slice(&100_000u32.to_be_bytes());
    let crc = crc32fast::hash(&bomb[12..29]);
    bomb[29..33].copy_from_slice(&crc.to_be_bytes());
    bomb
}

/// Posts `bytes` as the multipart file part `image`, as Client4 does.
pub async fn upload_image(
    server: &TestServer,
    token: &str,
    path: &str,
    bytes: &[u8],
) -> TestResponse {
    send_multipart(
        server,
        token,
        Method::POST,
        path,
        &[Part::File("image", "picture.png", bytes)],
    )
    .await
}

/// A GET with `If-None-Match`.
pub async fn get_if_none_match(
    server: &TestServer,
    token: &str,
    path: &str,
    etag: &str,
) -> TestResponse {
    server
        .send(
            server
                .request(Method::GET, path)
                .bearer_auth(token)
                .header("if-none-match", etag),
        )
        .await
}

/// Sends a multipart `image` part of `size` bytes chunked (no Content-Length) and returns the
/// raw HTTP answer.
pub async fn chunked_upload(server: &TestServer, token: &str, path: &str, size: usize) -> String {
    const BOUNDARY: &str = "media-test-boundary";
    let address = server.url.trim_start_matches("http://").to_string();
    let mut socket = tokio::net::TcpStream::connect(&address).await.unwrap();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n\
         Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    );
    socket.write_all(head.as_bytes()).await.unwrap();
    let mut body = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"image\"; filename=\"a.png\"\r\n\r\n"
    )
    .into_bytes();
    body.extend(std::iter::repeat_n(7u8, size));
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    for chunk in body.chunks(4096) {
        let _ = socket
            .write_all(format!("{:x}\r\n", chunk.len()).as_bytes())
            .await;
        let _ = socket.write_all(chunk).await;
        let _ = socket.write_all(b"\r\n").await;
    }
    let _ = socket.write_all(b"0\r\n\r\n").await;
    let mut reply = Vec::new();
    let _ = socket.read_to_end(&mut reply).await;
    String::from_utf8_lossy(&reply).into_owned()
}

/// The decoded size of a PNG response.
pub fn png_size(response: &TestResponse) -> (u32, u32) {
    assert_eq!(response.header("content-type"), Some("image/png"));
    let image = image::load_from_memory(&response.body).expect("a PNG");
    (image.width(), image.height())
}
