//! The site's own files (`/pkg`: the back office's wasm and script, the style sheet), served
//! compressed once at the highest levels rather than on every request. The wasm is most of
//! the back office's first load: brotli at quality 11 makes it about a quarter smaller than
//! the response compression's default level, which also spent a core on each such request.
//!
//! The server writes `{file}.br` and `{file}.gz` beside each file when it starts (in the
//! background, each through a temporary file and a rename, so a half-written copy is never
//! served), and `ServeDir` sends the copy the browser accepts. Until they exist, and for a
//! site root the server may not write to, the response compression does as before.

use std::io::Write;
use std::path::{Path, PathBuf};

use axum::Router;
use leptos::prelude::LeptosOptions;
use tower_http::services::ServeDir;

/// The extensions worth compressing (images and fonts are compressed already).
const COMPRESSIBLE: [&str; 3] = ["wasm", "js", "css"];

type Compress = fn(&[u8]) -> std::io::Result<Vec<u8>>;

/// Each copy's suffix (what `ServeDir` looks for) and how it is made.
const COPIES: [(&str, Compress); 2] = [("br", brotli), ("gz", gzip)];

/// `/pkg`, served from the site's `pkg` folder with the compressed copies when there are any.
pub fn routes<S: Clone + Send + Sync + 'static>(options: &LeptosOptions) -> Router<S> {
    let files = ServeDir::new(folder(options))
        .precompressed_br()
        .precompressed_gzip();
    Router::new()
        .nest_service(&format!("/{}", options.site_pkg_dir), files)
        // The answer depends on what the browser accepts: caches must keep one per encoding.
        .layer(axum::middleware::map_response(
            |mut response: axum::response::Response| async move {
                response.headers_mut().insert(
                    axum::http::header::VARY,
                    axum::http::HeaderValue::from_static("accept-encoding"),
                );
                response
            },
        ))
}

/// Writes the compressed copies of the `pkg` folder's files that are missing or older than
/// their file, off the async threads.
pub fn write_in_background(options: &LeptosOptions) {
    let dir = folder(options);
    tokio::task::spawn_blocking(move || match write_all(&dir) {
        Ok(0) => {}
        Ok(n) => {
            tracing::info!(files = n, dir = %dir.display(), "compressed the site's files");
            // Brotli's window and the files took ~35 MB the server would otherwise keep.
            engine::memory::give_back_freed();
        }
        Err(err) => {
            tracing::warn!(error = %err, dir = %dir.display(), "could not compress the site's files: they are compressed per request")
        }
    });
}

/// Writes the missing or stale copies in `dir`: how many files were compressed.
pub fn write_all(dir: &Path) -> std::io::Result<usize> {
    let mut written = 0;
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let compressible = path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| COMPRESSIBLE.contains(&e));
        if !compressible {
            continue;
        }
        let modified = std::fs::metadata(&path)?.modified()?;
        let stale: Vec<_> = COPIES
            .iter()
            .map(|&(suffix, compress)| (sibling(&path, suffix), compress))
            .filter(|(copy, _)| {
                !std::fs::metadata(copy)
                    .and_then(|m| m.modified())
                    .is_ok_and(|made| made >= modified)
            })
            .collect();
        if stale.is_empty() {
            continue;
        }
        let source = std::fs::read(&path)?;
        for (copy, compress) in stale {
            replace(&copy, &compress(&source)?)?;
        }
        written += 1;
    }
    Ok(written)
}

fn folder(options: &LeptosOptions) -> PathBuf {
    Path::new(&*options.site_root).join(&*options.site_pkg_dir)
}

fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".");
    name.push(suffix);
    PathBuf::from(name)
}

/// Writes `bytes` to `path` through a temporary file, so readers see all or nothing.
pub fn replace(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let temporary = sibling(path, "partial");
    std::fs::write(&temporary, bytes)?;
    std::fs::rename(&temporary, path)
}

fn brotli(bytes: &[u8]) -> std::io::Result<Vec<u8>> {
    // Quality 11: the format's best.
    brotli_at(bytes, 11)
}

/// `bytes` in brotli at `quality`, with a window just over their size (no larger one compresses
/// better, and at quality 11 the window's size is most of the memory compressing takes).
pub fn brotli_at(bytes: &[u8], quality: u32) -> std::io::Result<Vec<u8>> {
    let window = (usize::BITS - bytes.len().leading_zeros()).clamp(10, 24);
    let mut out = Vec::new();
    {
        let mut writer = brotli::CompressorWriter::new(&mut out, 64 * 1024, quality, window);
        writer.write_all(bytes)?;
        writer.flush()?;
    }
    Ok(out)
}

fn gzip(bytes: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut writer = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    writer.write_all(bytes)?;
    writer.finish()
}
