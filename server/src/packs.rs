//! The back office's wasm chunks, fetched a page's worth at a time ("packs").
//!
//! `cargo leptos build --split` cuts each back-office page's code into its own module and the
//! code pages share into chunks, one per set of pages sharing it: the overview needs 66 files,
//! most under 1 KB, and compressed one by one they weigh about a fifth more than together
//! (107.6 against 84.0 KB brotli). So the loader `--split` writes (`LOADER`) is served with
//! its `fetch` of a module replaced by `PACKED_FETCH`, which gathers the modules asked for in
//! one turn and fetches them as one response, `/pkg/pack/{name}+{name}….wasm` (names sorted),
//! the modules one after another with their sizes in `x-pack-sizes`. The page's head preloads
//! that same address (`app::packs::PreloadPacks`), and the packs of
//! each page's own modules are compressed at brotli's best once, when the server starts.
//! Should a pack fail, the loader fetches each module by itself, as before.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use app::packs::pack_name;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path as UrlPath, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use leptos::prelude::LeptosOptions;

/// The split modules' loader, as cargo-leptos names it.
pub const LOADER: &str = "__wasm_split.______________________.js";

/// Which modules each page needs (route → file names without `.wasm`), as `--split` writes it.
const MANIFEST: &str = "__wasm_split_manifest.json";

/// What the loader's `fetch(new URL("./{module}.wasm", import.meta.url))` becomes: `packed`
/// queues the module and sends one request for the turn's modules in a microtask.
const PACKED_FETCH: &str = r#"const packQueue = new Map();
function packed(url) {
    const name = url.pathname.slice(url.pathname.lastIndexOf("/") + 1, -".wasm".length);
    return new Promise((resolve) => {
        if (packQueue.size === 0) queueMicrotask(fetchPack);
        packQueue.set(name, resolve);
    });
}
function fetchPack() {
    const waiting = new Map(packQueue);
    packQueue.clear();
    const names = [...waiting.keys()].sort();
    fetch(new URL("./pack/" + names.join("+") + ".wasm", import.meta.url))
        .then((answer) => {
            if (!answer.ok) throw new Error("pack " + answer.status);
            const sizes = (answer.headers.get("x-pack-sizes") || "").split(",").map(Number);
            return answer.arrayBuffer().then((bytes) => {
                if (sizes.length !== names.length) throw new Error("pack sizes");
                let at = 0;
                names.forEach((name, i) => {
                    const module = bytes.slice(at, at + sizes[i]);
                    at += sizes[i];
                    waiting.get(name)(new Response(module, { headers: { "content-type": "application/wasm" } }));
                });
            });
        })
        .catch(() => waiting.forEach((resolve, name) => resolve(fetch(new URL("./" + name + ".wasm", import.meta.url)))));
}
"#;

/// What `PACKED_FETCH` replaces in the loader.
const FETCH: &str = "fetch(new URL(";

/// The most packs asked for outside the pages' own that are kept (each a page's code or less).
const KEPT: usize = 64;

/// The packs' brotli quality when asked for: fast (a few ms for a page's code); a page's own
/// pack is served from its file, made at 11 by the first start after a build.
const QUICK: u32 = 5;

/// The folder in `pkg` of the pages' own packs, compressed.
const STORED: &str = "packs";

/// `/pkg/{LOADER}` and `/pkg/pack/{names}.wasm`, for a site built with `--split` (nothing
/// otherwise: the back office is then one wasm).
pub fn routes<S: Clone + Send + Sync + 'static>(options: &LeptosOptions) -> Router<S> {
    let dir = Path::new(&*options.site_root).join(&*options.site_pkg_dir);
    let Ok(loader) = std::fs::read_to_string(dir.join(LOADER)) else {
        return Router::new();
    };
    let Some(loader) = patch(&loader) else {
        tracing::error!(
            "the split loader has no `{FETCH}`: its modules are fetched one by one ({})",
            dir.display()
        );
        return Router::new();
    };
    let manifest = std::fs::read_to_string(dir.join(MANIFEST)).unwrap_or_default();
    let pages: HashMap<String, Vec<String>> = serde_json::from_str(&manifest).unwrap_or_default();
    let stored = pages
        .into_iter()
        .map(|(route, modules)| (pack_name(&modules), dir.join(STORED).join(route + ".br")))
        .collect();
    let packs = Arc::new(Packs {
        dir,
        loader: Bytes::from(loader),
        stored,
        kept: Mutex::new(HashMap::new()),
    });
    let warm = packs.clone();
    tokio::task::spawn_blocking(move || warm.compress_pages());
    let pkg = &options.site_pkg_dir;
    Router::new()
        .route(&format!("/{pkg}/{LOADER}"), get(loader_file))
        .route(&format!("/{pkg}/pack/{{names}}"), get(pack))
        .with_state(packs)
}

/// The loader with each module fetched through `packed`.
pub fn patch(loader: &str) -> Option<String> {
    loader
        .contains(FETCH)
        .then(|| format!("{PACKED_FETCH}{}", loader.replace(FETCH, "packed(new URL(")))
}

struct Packs {
    dir: PathBuf,
    loader: Bytes,
    /// Each page's own pack, by its names: the file of its bytes in brotli at quality 11.
    stored: HashMap<String, PathBuf>,
    /// Each pack made, by its names: its modules' sizes and its bytes in brotli.
    kept: Mutex<HashMap<String, Arc<Pack>>>,
}

struct Pack {
    sizes: String,
    brotli: Bytes,
}

impl Packs {
    /// The modules `names` one after another, and their sizes.
    fn read(&self, names: &[&str]) -> std::io::Result<(String, Vec<u8>)> {
        let mut sizes = Vec::with_capacity(names.len());
        let mut bytes = Vec::new();
        for name in names {
            let module = std::fs::read(self.dir.join(format!("{name}.wasm")))?;
            sizes.push(module.len().to_string());
            bytes.extend_from_slice(&module);
        }
        Ok((sizes.join(","), bytes))
    }

    /// Makes the pack `key` of `names` at `quality` and keeps it (a quick one only where no
    /// pack is kept: it must not replace a page's best).
    fn made(&self, key: &str, names: &[&str], quality: u32) -> std::io::Result<Arc<Pack>> {
        let (sizes, bytes) = self.read(names)?;
        let brotli = crate::precompressed::brotli_at(&bytes, quality)?;
        let pack = Arc::new(Pack {
            sizes,
            brotli: Bytes::from(brotli),
        });
        let mut kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        if quality > QUICK {
            kept.insert(key.to_owned(), pack.clone());
        } else if kept.len() < KEPT {
            return Ok(kept.entry(key.to_owned()).or_insert(pack).clone());
        }
        Ok(pack)
    }

    fn brotli(&self, key: &str, names: &[&str]) -> std::io::Result<Arc<Pack>> {
        if let Some(pack) = self.stored_pack(key, names) {
            return Ok(pack);
        }
        let kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(pack) = kept.get(key) {
            return Ok(pack.clone());
        }
        drop(kept);
        self.made(key, names, QUICK)
    }

    /// A page's own pack from its file, when that was made from these modules as they are.
    fn stored_pack(&self, key: &str, names: &[&str]) -> Option<Arc<Pack>> {
        let (file, sizes) = self.up_to_date(key, names)?;
        Some(Arc::new(Pack {
            sizes,
            brotli: Bytes::from(std::fs::read(file).ok()?),
        }))
    }

    /// The file of the page's pack `key` and its modules' sizes, if no module is newer.
    fn up_to_date(&self, key: &str, names: &[&str]) -> Option<(&PathBuf, String)> {
        let file = self.stored.get(key)?;
        let made = std::fs::metadata(file).and_then(|m| m.modified()).ok()?;
        let mut sizes = Vec::with_capacity(names.len());
        for name in names {
            let module = std::fs::metadata(self.dir.join(format!("{name}.wasm"))).ok()?;
            if module.modified().ok()? > made {
                return None;
            }
            sizes.push(module.len().to_string());
        }
        Some((file, sizes.join(",")))
    }

    /// Makes each page's own pack (what its first load asks for) at brotli's best, into its
    /// file unless that is up to date, or into memory where the file cannot be written.
    fn compress_pages(&self) {
        let mut made = 0;
        for (key, file) in &self.stored {
            let names = names_of(key);
            if self.up_to_date(key, &names).is_some() {
                continue;
            }
            let written = std::fs::create_dir_all(self.dir.join(STORED))
                .and_then(|()| self.read(&names))
                .and_then(|(_, bytes)| crate::precompressed::brotli_at(&bytes, 11))
                .and_then(|brotli| crate::precompressed::replace(file, &brotli));
            let kept = written.or_else(|err| {
                tracing::warn!(error = %err, file = %file.display(), "a page's pack is kept in memory");
                self.made(key, &names, 11).map(drop)
            });
            match kept {
                Ok(()) => made += 1,
                Err(err) => tracing::warn!(error = %err, "could not compress a page's pack"),
            }
        }
        if made > 0 {
            // Brotli's windows took ~25 MB the server would otherwise keep.
            engine::memory::give_back_freed();
            tracing::info!(packs = made, "compressed the pages' packs");
        }
    }
}

async fn loader_file(State(packs): State<Arc<Packs>>) -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript"),
            (header::VARY, "accept-encoding"),
        ],
        packs.loader.clone(),
    )
}

/// A pack: 404 unless every name is a module of the folder, sorted, once each.
async fn pack(
    State(packs): State<Arc<Packs>>,
    UrlPath(file): UrlPath<String>,
    headers: HeaderMap,
) -> Response {
    let Some(names) = file.strip_suffix(".wasm") else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let list: Vec<&str> = names.split('+').collect();
    let module =
        |n: &&str| !n.is_empty() && n.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    let valid =
        list.len() <= 1024 && list.iter().all(module) && list.windows(2).all(|w| w[0] < w[1]);
    if !valid {
        return StatusCode::NOT_FOUND.into_response();
    }
    let key = format!("pack/{names}");
    let accepts_brotli = headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| {
            v.split(',')
                .any(|e| e.split(';').next().map(str::trim) == Some("br"))
        });
    let answer = tokio::task::spawn_blocking(move || {
        let names = names_of(&key);
        if accepts_brotli {
            let pack = packs.brotli(&key, &names)?;
            Ok::<_, std::io::Error>((pack.sizes.clone(), pack.brotli.clone(), true))
        } else {
            let (sizes, bytes) = packs.read(&names)?;
            Ok((sizes, Bytes::from(bytes), false))
        }
    })
    .await;
    let Ok(Ok((sizes, body, brotli))) = answer else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    if let Ok(sizes) = HeaderValue::from_str(&sizes) {
        headers.insert("x-pack-sizes", sizes);
    }
    if brotli {
        headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static("br"));
    }
    headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    response
}

/// The module names of a pack's key (`pack_name`).
fn names_of(key: &str) -> Vec<&str> {
    key.trim_start_matches("pack/").split('+').collect()
}
