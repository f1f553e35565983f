//! Files: streamed uploads (temp file, fsync, rename, then the row), reading with channel
//! membership, attachment to posts, `metadata.files`, and orphan clean-up.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use tokio::io::AsyncWriteExt;
use townsquare_sdk::model::Post;
use townsquare_sdk::AppError;

use crate::app::auth::AuthContext;
use crate::app::channels::access;
use crate::app::images::{self, ImageError};
use crate::app::permissions::Permission;
use crate::error::Result;
use crate::id::{is_valid_id, new_id};
use crate::state::AppState;
pub use crate::store::files::FileInfo;
use crate::store::Store;
use crate::time::now_ms;

/// Mattermost's limit on files per post.
pub const MAX_FILES_PER_POST: usize = 10;
/// Uploads not attached to a post within this time are removed by the periodic job.
pub const ORPHAN_AGE_MS: i64 = 24 * 60 * 60 * 1000;
/// Longest stored file name, in characters.
const MAX_NAME_CHARS: usize = 255;

pub fn file_not_found() -> AppError {
    AppError::not_found("app.file_info.get.app_error", "Unable to find the file.")
}

pub fn too_large(name: &str, limit: u64) -> AppError {
    let what = if name.is_empty() {
        "the request".to_string()
    } else {
        format!("file {name}")
    };
    AppError::new(
        413,
        "api.file.upload_file.too_large_detailed.app_error",
        format!("Unable to upload {what}: it exceeds the maximum allowed {limit} bytes."),
    )
}

fn storage_error(err: impl std::fmt::Display) -> AppError {
    AppError::new(
        500,
        "api.file.upload_file.storage.app_error",
        "Unable to store the file.",
    )
    .with_internal(err)
}

pub fn attachments_disabled() -> AppError {
    AppError::new(
        501,
        "api.file.attachments.disabled.app_error",
        "File attachments have been disabled on this server.",
    )
}

/// The client's file name without any directory part or control characters; the name is
/// only ever shown, never used as a path.
pub fn sanitize_name(raw: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or("");
    let clean: String = base
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_NAME_CHARS)
        .collect();
    let clean = clean.trim().to_string();
    if clean.is_empty() || clean == "." || clean == ".." {
        "file".into()
    } else {
        clean
    }
}

/// Lower-case extension without the dot ("" when there is none or it is odd).
pub fn extension(name: &str) -> String {
    match name.rsplit_once('.') {
        Some((stem, ext))
            if !stem.is_empty()
                && (1..=16).contains(&ext.len())
                && ext.bytes().all(|b| b.is_ascii_alphanumeric()) =>
        {
            ext.to_ascii_lowercase()
        }
        _ => String::new(),
    }
}

/// The MIME type Mattermost derives from the extension.
pub fn mime_type(extension: &str) -> &'static str {
    match extension {
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "bmp" => "image/bmp",
        "svg" => "image/svg+xml",
        "txt" | "log" => "text/plain",
        "md" => "text/markdown",
        "csv" => "text/csv",
        "html" | "htm" => "text/html",
        "js" => "text/javascript",
        "css" => "text/css",
        "json" => "application/json",
        "xml" => "application/xml",
        "pdf" => "application/pdf",
        "zip" => "application/zip",
        "gz" => "application/gzip",
        "mp3" => "audio/mpeg",
        "wav" => "audio/wav",
        "ogg" => "audio/ogg",
        "mp4" => "video/mp4",
        "webm" => "video/webm",
        "mov" => "video/quicktime",
        _ => "application/octet-stream",
    }
}

/// Types a browser may show in place: images it cannot script, audio and video. Everything
/// else (HTML, SVG, unknown types) is sent as an attachment.
pub fn is_inline_safe(mime: &str) -> bool {
    matches!(
        mime,
        "image/png"
            | "image/jpeg"
            | "image/gif"
            | "image/webp"
            | "image/bmp"
            | "audio/mpeg"
            | "audio/wav"
            | "audio/ogg"
            | "video/mp4"
            | "video/webm"
            | "video/quicktime"
    )
}

/// The root of the file store.
pub fn root(state: &AppState) -> PathBuf {
    PathBuf::from(&state.config().file.directory)
}

/// Writes bytes to `root/rel` through a temp file: write, fsync, rename.
pub(crate) async fn write_atomic(root: &Path, rel: &str, bytes: &[u8]) -> std::io::Result<()> {
    let temp = temp_path(root).await?;
    let mut file = tokio::fs::File::create(&temp).await?;
    file.write_all(bytes).await?;
    file.sync_all().await?;
    drop(file);
    place(root, &temp, rel).await
}

async fn temp_path(root: &Path) -> std::io::Result<PathBuf> {
    let dir = root.join("tmp");
    tokio::fs::create_dir_all(&dir).await?;
    Ok(dir.join(format!("{}.part", new_id())))
}

/// Renames a finished temp file to its place (same file system, so atomic).
async fn place(root: &Path, temp: &Path, rel: &str) -> std::io::Result<()> {
    let target = root.join(rel);
    if let Some(parent) = target.parent() {
        tokio::fs::create_dir_all(parent).await?;
    }
    if let Err(err) = tokio::fs::rename(temp, &target).await {
        let _ = tokio::fs::remove_file(temp).await;
        return Err(err);
    }
    Ok(())
}

/// Checks that the caller may upload into the channel; returns nothing, fails with the
/// Mattermost error.
pub async fn check_upload(state: &AppState, auth: &AuthContext, channel_id: &str) -> Result<()> {
    if !state.config().file.enable_file_attachments {
        return Err(attachments_disabled().into());
    }
    if !is_valid_id(channel_id) {
        return Err(AppError::invalid_url_param("channel_id").into());
    }
    let access = access(state, auth, channel_id).await?;
    // Mattermost's `upload_file` is granted with `create_post` to channel members.
    let may = access.member.is_some() && access.can(auth, Permission::CreatePost);
    if !may && !auth.can(Permission::ManageSystem) {
        return Err(AppError::forbidden("upload_file").into());
    }
    Ok(())
}

/// One file being received: bytes go straight to a temp file, never into memory whole.
pub struct Upload {
    file: tokio::fs::File,
    temp: PathBuf,
    root: PathBuf,
    name: String,
    written: u64,
    limit: u64,
}

impl Upload {
    /// Starts a file; `limit` is what the request may still write.
    pub async fn start(state: &AppState, raw_name: &str, limit: u64) -> Result<Upload> {
        let root = root(state);
        let temp = temp_path(&root).await.map_err(storage_error)?;
        let file = tokio::fs::File::create(&temp)
            .await
            .map_err(storage_error)?;
        Ok(Upload {
            file,
            temp,
            root,
            name: sanitize_name(raw_name),
            written: 0,
            limit,
        })
    }

    pub fn written(&self) -> u64 {
        self.written
    }

    /// Appends a chunk; past the limit the temp file is removed and the upload fails with 413.
    pub async fn write(&mut self, chunk: &[u8], max_file_size: u64) -> Result<()> {
        self.written += chunk.len() as u64;
        if self.written > self.limit {
            let _ = tokio::fs::remove_file(&self.temp).await;
            return Err(too_large(&self.name, max_file_size).into());
        }
        if let Err(err) = self.file.write_all(chunk).await {
            let _ = tokio::fs::remove_file(&self.temp).await;
            return Err(storage_error(err).into());
        }
        Ok(())
    }

    /// Drops a partial upload.
    pub async fn abort(self) {
        drop(self.file);
        let _ = tokio::fs::remove_file(&self.temp).await;
    }

    /// Makes the file durable and visible: fsync, rename into place, previews for images,
    /// then the row. Any failure leaves nothing behind.
    pub async fn finish(
        self,
        state: &AppState,
        auth: &AuthContext,
        channel_id: &str,
    ) -> Result<FileInfo> {
        let Upload {
            file,
            temp,
            root,
            name,
            written,
            ..
        } = self;
        if let Err(err) = file.sync_all().await {
            let _ = tokio::fs::remove_file(&temp).await;
            return Err(storage_error(err).into());
        }
        drop(file);
        let id = new_id();
        let dir = format!("files/{channel_id}/{id}");
        let path = format!("{dir}/original");
        place(&root, &temp, &path).await.map_err(storage_error)?;
        let extension = extension(&name);
        let now = now_ms();
        let mut info = FileInfo {
            id,
            creator_id: auth.user_id().to_string(),
            channel_id: channel_id.to_string(),
            create_at: now,
            update_at: now,
            path,
            mime_type: mime_type(&extension).to_string(),
            extension,
            name,
            size: written as i64,
            ..Default::default()
        };
        let result = async {
            if images::is_previewable(&info.extension) {
                add_previews(&root, &dir, &mut info).await?;
            }
            state.store.insert_file_info(&info).await?;
            Ok::<_, crate::Error>(())
        }
        .await;
        if let Err(err) = result {
            let _ = tokio::fs::remove_dir_all(root.join(&dir)).await;
            return Err(err);
        }
        Ok(info)
    }
}

/// Thumbnail and preview for an image. An image over the size bounds is refused; a file
/// that only claims to be an image is kept as a plain file.
async fn add_previews(root: &Path, dir: &str, info: &mut FileInfo) -> Result<()> {
    let source = root.join(&info.path);
    let rendered = tokio::task::spawn_blocking(move || images::render(&source))
        .await
        .map_err(storage_error)?;
    match rendered {
        Ok(rendered) => {
            let thumbnail = format!("{dir}/thumb.jpg");
            let preview = format!("{dir}/preview.jpg");
            write_atomic(root, &thumbnail, &rendered.thumbnail)
                .await
                .map_err(storage_error)?;
            write_atomic(root, &preview, &rendered.preview)
                .await
                .map_err(storage_error)?;
            info.width = i64::from(rendered.width);
            info.height = i64::from(rendered.height);
            info.thumbnail_path = thumbnail;
            info.preview_path = preview;
            info.has_preview_image = true;
            info.mini_preview = Some(rendered.mini_preview);
            Ok(())
        }
        Err(ImageError::TooLarge { width, height }) => Err(AppError::bad_request(
            "api.file.upload_file.large_image_detailed.app_error",
            format!(
                "{} dimensions ({width} by {height} pixels) exceed the limits.",
                info.name
            ),
        )
        .into()),
        Err(ImageError::Undecodable) => Ok(()),
    }
}

/// A live file the caller may read: its uploader, members of its channel once a post or a
/// channel bookmark holds it, and system admins (as Mattermost: an unattached upload is its
/// uploader's alone).
pub async fn readable_file(
    state: &AppState,
    auth: &AuthContext,
    file_id: &str,
) -> Result<FileInfo> {
    let info = state
        .store
        .file_info(file_id)
        .await?
        .filter(|f| f.delete_at == 0)
        .ok_or_else(file_not_found)?;
    if info.creator_id == auth.user_id() || auth.can(Permission::ManageSystem) {
        return Ok(info);
    }
    let held =
        !info.post_id.is_empty() || info.creator_id == crate::store::bookmarks::BOOKMARK_FILE_OWNER;
    if !held
        || access(state, auth, &info.channel_id)
            .await?
            .member
            .is_none()
    {
        return Err(AppError::forbidden(Permission::ReadChannel.id()).into());
    }
    Ok(info)
}

/// The file ids a new post may claim: the caller's own, unattached, undeleted uploads in the
/// same channel, in the order given, without repeats. Others are dropped, as Mattermost does.
pub async fn attachable(
    state: &AppState,
    auth: &AuthContext,
    channel_id: &str,
    file_ids: &[String],
) -> Result<Vec<String>> {
    if file_ids.is_empty() {
        return Ok(Vec::new());
    }
    if file_ids.len() > MAX_FILES_PER_POST {
        return Err(AppError::bad_request(
            "model.post.is_valid.file_ids.app_error",
            format!("A post can have at most {MAX_FILES_PER_POST} files."),
        )
        .into());
    }
    let mut wanted: Vec<String> = Vec::new();
    for id in file_ids {
        if is_valid_id(id) && !wanted.contains(id) {
            wanted.push(id.clone());
        }
    }
    let infos = state.store.file_infos_by_ids(&wanted).await?;
    Ok(wanted
        .into_iter()
        .filter(|id| {
            infos.iter().any(|f| {
                &f.id == id
                    && f.post_id.is_empty()
                    && f.delete_at == 0
                    && f.creator_id == auth.user_id()
                    && f.channel_id == channel_id
            })
        })
        .collect())
}

/// Fills Mattermost's `metadata.files` for posts with files, one query for the slice.
pub async fn attach_file_metadata(state: &AppState, posts: &mut [Post]) -> Result<()> {
    let ids: Vec<String> = posts
        .iter()
        .filter(|p| !p.file_ids.is_empty() && p.delete_at == 0)
        .map(|p| p.id.clone())
        .collect();
    if ids.is_empty() {
        return Ok(());
    }
    let mut by_post: HashMap<String, Vec<FileInfo>> = HashMap::new();
    for info in state.store.file_infos_for_posts(&ids).await? {
        by_post.entry(info.post_id.clone()).or_default().push(info);
    }
    for post in posts.iter_mut() {
        let Some(files) = by_post.remove(&post.id) else {
            continue;
        };
        let value = serde_json::to_value(&files).unwrap_or_default();
        match post.metadata.as_mut().and_then(|m| m.as_object_mut()) {
            Some(metadata) => {
                metadata.insert("files".into(), value);
            }
            None => post.metadata = Some(serde_json::json!({ "files": value })),
        }
    }
    Ok(())
}

/// The live files of a post the caller may read.
pub async fn files_for_post(
    state: &AppState,
    auth: &AuthContext,
    post_id: &str,
) -> Result<Vec<FileInfo>> {
    let (post, _) = crate::app::posts::readable_post(state, auth, post_id).await?;
    if post.delete_at != 0 {
        return Err(crate::app::posts::post_not_found().into());
    }
    Ok(state
        .store
        .file_infos_for_posts(std::slice::from_ref(&post.id))
        .await?)
}

/// Removes uploads never attached to a post and created before `created_before`: the row
/// first (only while still an orphan, so a post attaching it meanwhile wins), then the
/// bytes. Returns how many were removed.
pub async fn remove_orphans(store: &Store, root: &Path, created_before: i64) -> Result<u64> {
    let mut removed = 0;
    loop {
        let batch = store.orphan_files(created_before, 200).await?;
        if batch.is_empty() {
            return Ok(removed);
        }
        let mut progressed = false;
        for info in batch {
            if store.delete_orphan_file(&info.id).await? {
                progressed = true;
                removed += 1;
                if let Some(dir) = Path::new(&info.path).parent() {
                    if dir.starts_with("files") {
                        let _ = tokio::fs::remove_dir_all(root.join(dir)).await;
                    }
                }
            }
        }
        if !progressed {
            return Ok(removed);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_lose_their_directories() {
        assert_eq!(sanitize_name("../../etc/passwd"), "passwd");
        assert_eq!(sanitize_name("..\\..\\boot.ini"), "boot.ini");
        assert_eq!(sanitize_name("a/b/.."), "file");
        assert_eq!(sanitize_name("bad\u{0}name\n.txt"), "badname.txt");
        assert_eq!(sanitize_name(""), "file");
        assert_eq!(sanitize_name("report.PDF"), "report.PDF");
    }

    #[test]
    fn extensions_and_types() {
        assert_eq!(extension("Photo.JPG"), "jpg");
        assert_eq!(extension(".bashrc"), "");
        assert_eq!(extension("noext"), "");
        assert_eq!(extension("a.tar.gz"), "gz");
        assert_eq!(mime_type("svg"), "image/svg+xml");
        assert!(!is_inline_safe("image/svg+xml"));
        assert!(!is_inline_safe("text/html"));
        assert!(is_inline_safe("image/png"));
    }
}
