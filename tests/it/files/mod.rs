//! Files, custom emoji and search (issue 6).

mod autocomplete;
mod emoji;
mod file_search;
mod public_links;
mod redirect_location;
mod search;
mod uploads;

use std::io::Cursor;

use reqwest::Method;
use serde_json::Value;

use crate::support::accounts::TestUser;
use crate::support::{TestResponse, TestServer};

/// One multipart part: a text field, or a file with its name.
pub enum Part<'a> {
    Text(&'a str, &'a str),
    File(&'a str, &'a str, &'a [u8]),
}

const BOUNDARY: &str = "----townsquare-test-boundary-7MA4YWxkTrZu0gW";

/// A multipart/form-data body built by hand, so tests control part order and names.
pub fn multipart(parts: &[Part<'_>]) -> (String, Vec<u8>) {
    let mut body = Vec::new();
    for part in parts {
        body.extend_from_slice(format!("--{BOUNDARY}\r\n").as_bytes());
        match part {
            Part::Text(name, value) => {
                body.extend_from_slice(
                    format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                        .as_bytes(),
                );
            }
            Part::File(name, file_name, bytes) => {
                body.extend_from_slice(
                    format!(
                        "Content-Disposition: form-data; name=\"{name}\"; filename=\"{file_name}\"\r\n\
                         Content-Type: application/octet-stream\r\n\r\n"
                    )
                    .as_bytes(),
                );
                body.extend_from_slice(bytes);
                body.extend_from_slice(b"\r\n");
            }
        }
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={BOUNDARY}"), body)
}

pub async fn send_multipart(
    server: &TestServer,
    token: &str,
    method: Method,
    path: &str,
    parts: &[Part<'_>],
) -> TestResponse {
    let (content_type, body) = multipart(parts);
    server
        .send(
            server
                .request(method, path)
                .bearer_auth(token)
                .header("content-type", content_type)
                .body(body),
        )
        .await
}

/// Uploads one file the way Client4 does (channel_id first, then `files`).
pub async fn upload(
    server: &TestServer,
    user: &TestUser,
    channel_id: &str,
    name: &str,
    bytes: &[u8],
) -> TestResponse {
    send_multipart(
        server,
        &user.token,
        Method::POST,
        "/api/v4/files",
        &[
            Part::Text("channel_id", channel_id),
            Part::File("files", name, bytes),
        ],
    )
    .await
}

/// Uploads and returns the FileInfo.
pub async fn uploaded(
    server: &TestServer,
    user: &TestUser,
    channel_id: &str,
    name: &str,
    bytes: &[u8],
) -> Value {
    let response = upload(server, user, channel_id, name, bytes).await;
    response.assert_status(201);
    response.json()["file_infos"][0].clone()
}

/// A solid-colour PNG of the given size.
pub fn png(width: u32, height: u32) -> Vec<u8> {
    let image = image::DynamicImage::new_rgb8(width, height);
    let mut out = Vec::new();
    image
        .write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png)
        .expect("encode png");
    out
}

pub fn id(value: &Value) -> String {
    value["id"].as_str().expect("id").to_string()
}
