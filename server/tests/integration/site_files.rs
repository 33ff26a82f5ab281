//! The site's own files (`/pkg`) are served compressed once at the best levels: the copy the
//! browser accepts, the file itself to one that accepts none, and a copy made again when its
//! file changes (a new build); a split build's modules, a page's worth at a time.

use std::io::Read;

use server::precompressed;

use crate::common;

/// Something that compresses like a wasm module: repetitive, but not one byte repeated.
fn module(seed: u8) -> Vec<u8> {
    (0..200_000u32)
        .map(|i| (i % 251) as u8 ^ (i / 1000) as u8 ^ seed)
        .collect()
}

async fn fetch(base: &str, path: &str, accept: &str) -> (Option<String>, Vec<u8>) {
    let response = reqwest::Client::new()
        .get(format!("{base}{path}"))
        .header("accept-encoding", accept)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "{path}");
    assert_eq!(response.headers()["vary"], "accept-encoding", "{path}");
    let encoding = response
        .headers()
        .get("content-encoding")
        .map(|v| v.to_str().unwrap().to_owned());
    (encoding, response.bytes().await.unwrap().to_vec())
}

fn unbrotli(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    brotli::Decompressor::new(bytes, 4096)
        .read_to_end(&mut out)
        .unwrap();
    out
}

#[tokio::test]
async fn the_site_files_are_served_as_compressed_once() {
    let root = std::env::temp_dir().join(format!("kassa-site-{}", rand::random::<u64>()));
    let pkg = root.join("pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    let wasm = pkg.join("kassa.wasm");
    std::fs::write(&wasm, module(0)).unwrap();
    std::fs::write(pkg.join("kassa.png"), [137u8, 80, 78, 71]).unwrap();
    assert_eq!(precompressed::write_all(&pkg).unwrap(), 1, "only the wasm");
    assert!(!pkg.join("kassa.png.br").exists(), "images are left alone");
    assert_eq!(
        precompressed::write_all(&pkg).unwrap(),
        0,
        "copies are kept"
    );
    let app = common::serve_site(false, |_| {}, Some(&root)).await;

    let (encoding, body) = fetch(&app.base, "/pkg/kassa.wasm", "gzip, deflate, br").await;
    assert_eq!(encoding.as_deref(), Some("br"));
    assert_eq!(body, std::fs::read(pkg.join("kassa.wasm.br")).unwrap());
    assert_eq!(unbrotli(&body), module(0));
    assert!(body.len() < module(0).len() / 4, "{} bytes", body.len());

    let (encoding, body) = fetch(&app.base, "/pkg/kassa.wasm", "gzip").await;
    assert_eq!(encoding.as_deref(), Some("gzip"));
    let mut unzipped = Vec::new();
    flate2::read::GzDecoder::new(&body[..])
        .read_to_end(&mut unzipped)
        .unwrap();
    assert_eq!(unzipped, module(0));

    let (encoding, body) = fetch(&app.base, "/pkg/kassa.wasm", "identity").await;
    assert_eq!(encoding, None);
    assert_eq!(body, module(0));

    // A new build: the copies are older than their file and are made again.
    std::thread::sleep(std::time::Duration::from_millis(20));
    std::fs::write(&wasm, module(7)).unwrap();
    assert_eq!(precompressed::write_all(&pkg).unwrap(), 1);
    let (_, body) = fetch(&app.base, "/pkg/kassa.wasm", "br").await;
    assert_eq!(unbrotli(&body), module(7));
    let _ = std::fs::remove_dir_all(&root);
}

/// A split build's modules come a page's worth at a time: the loader asks for a pack of the
/// modules it needs in one turn (`server::packs`), which is their bytes one after another
/// with their sizes; anything but modules of the folder, sorted, once each, is refused.
/// A site as `--split` builds it: one page (`__a_route_view_1`) of two modules, and a file
/// outside `pkg`. Returns the site's root.
fn split_site() -> std::path::PathBuf {
    let root = std::env::temp_dir().join(format!("kassa-site-{}", rand::random::<u64>()));
    let pkg = root.join("pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    let loader = "import { initSync } from \"./kassa.js\";\n\
        const __chunk_1 = makeLoad(() => {\n\
        const src = fetch(new URL(\"./chunk_1.wasm\", import.meta.url));\n\
        return async (imports) => (WebAssembly.instantiateStreaming(src, imports));\n}, []);\n";
    std::fs::write(pkg.join(server::packs::LOADER), loader).unwrap();
    std::fs::write(
        pkg.join("__wasm_split_manifest.json"),
        r#"{"__a_route_view_1": ["split___a_route_view_1", "chunk_1"]}"#,
    )
    .unwrap();
    std::fs::write(pkg.join("chunk_1.wasm"), module(1)).unwrap();
    std::fs::write(pkg.join("split___a_route_view_1.wasm"), module(2)).unwrap();
    std::fs::write(root.join("secret.wasm"), module(3)).unwrap();
    root
}

/// The page's pack in brotli as served, and its sizes.
async fn brotli_pack(base: &str) -> (String, Vec<u8>) {
    let response = reqwest::Client::new()
        .get(format!(
            "{base}/pkg/pack/chunk_1+split___a_route_view_1.wasm"
        ))
        .header("accept-encoding", "br")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-encoding"], "br");
    let sizes = response.headers()["x-pack-sizes"]
        .to_str()
        .unwrap()
        .to_owned();
    (sizes, response.bytes().await.unwrap().to_vec())
}

#[tokio::test]
async fn a_pages_modules_come_as_one_pack() {
    let root = split_site();
    let app = common::serve_site(false, |_| {}, Some(&root)).await;

    let (_, served) = fetch(
        &app.base,
        &format!("/pkg/{}", server::packs::LOADER),
        "identity",
    )
    .await;
    let served = String::from_utf8(served).unwrap();
    assert!(
        served.contains("packed(new URL(\"./chunk_1.wasm\", import.meta.url))"),
        "{served}"
    );
    assert!(
        !served.contains("fetch(new URL(\"./chunk_1.wasm\""),
        "{served}"
    );

    let path = "/pkg/pack/chunk_1+split___a_route_view_1.wasm";
    let both = [module(1), module(2)].concat();
    for accept in ["gzip, deflate, br", "identity"] {
        let response = reqwest::Client::new()
            .get(format!("{}{path}", app.base))
            .header("accept-encoding", accept)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{accept}");
        assert_eq!(response.headers()["x-pack-sizes"], "200000,200000");
        let brotli = response.headers().get("content-encoding").is_some();
        assert_eq!(brotli, accept.contains("br"), "{accept}");
        let body = response.bytes().await.unwrap().to_vec();
        assert_eq!(
            if brotli { unbrotli(&body) } else { body },
            both,
            "{accept}"
        );
    }
    for refused in [
        "/pkg/pack/split___a_route_view_1+chunk_1.wasm",
        "/pkg/pack/chunk_1+chunk_1.wasm",
        "/pkg/pack/chunk_1+chunk_9.wasm",
        "/pkg/pack/chunk_1",
        "/pkg/pack/chunk_1+.wasm",
        "/pkg/pack/..%2Fsecret.wasm",
        "/pkg/pack/chunk_1+..%2F..%2Fsecret.wasm",
    ] {
        let response = reqwest::get(format!("{}{refused}", app.base))
            .await
            .unwrap();
        assert_eq!(response.status(), 404, "{refused}");
    }
    let _ = std::fs::remove_dir_all(&root);
}

/// A page's own pack is compressed at brotli's best into a file when the server starts, and
/// served from it (the server keeps none in memory) for as long as its modules are not newer.
#[tokio::test]
async fn a_pages_own_pack_is_kept_in_a_file_until_its_modules_change() {
    let root = split_site();
    let stored = root.join("pkg/packs/__a_route_view_1.br");
    let app = common::serve_site(false, |_| {}, Some(&root)).await;
    let mut waited = 0;
    while !stored.exists() {
        assert!(waited < 200, "no pack file after 10 s");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        waited += 1;
    }
    let (sizes, body) = brotli_pack(&app.base).await;
    assert_eq!(sizes, "200000,200000");
    assert_eq!(
        body,
        std::fs::read(&stored).unwrap(),
        "served from the file"
    );
    assert_eq!(unbrotli(&body), [module(1), module(2)].concat());

    // A new build changes a module: the stale file is not served, and the next start makes it
    // again.
    std::thread::sleep(std::time::Duration::from_millis(20));
    let shorter = module(5)[..150_000].to_vec();
    std::fs::write(root.join("pkg/chunk_1.wasm"), &shorter).unwrap();
    let (sizes, body) = brotli_pack(&app.base).await;
    assert_eq!(sizes, "150000,200000");
    assert_eq!(unbrotli(&body), [shorter.clone(), module(2)].concat());
    let made = std::fs::metadata(&stored).unwrap().modified().unwrap();
    let again = common::serve_site(false, |_| {}, Some(&root)).await;
    let mut waited = 0;
    while std::fs::metadata(&stored).unwrap().modified().unwrap() == made {
        assert!(
            waited < 200,
            "the stale pack file was not made again in 10 s"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        waited += 1;
    }
    let (_, body) = brotli_pack(&again.base).await;
    assert_eq!(body, std::fs::read(&stored).unwrap());
    assert_eq!(unbrotli(&body), [shorter, module(2)].concat());
    let _ = std::fs::remove_dir_all(&root);
}
