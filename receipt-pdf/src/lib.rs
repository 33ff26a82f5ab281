//! A payment receipt as a PDF. The layout is one typst template (`receipt.typ`); everything
//! it shows arrives translated and formatted as typst values (`sys.inputs`), never as
//! template text, so a payer's name cannot inject markup. typst shapes Persian (joined
//! letters, the zero-width non-joiner) and Hebrew, lays them out right to left, and embeds
//! the subset of the fonts shipped beside this crate (all under the OFL, `fonts/`).

use std::sync::LazyLock;

use typst::diag::{FileError, FileResult};
use typst::foundations::{Array, Bytes, Datetime, Dict, Duration, IntoValue};

use typst::syntax::{FileId, Source};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_layout::PagedDocument;

/// What a receipt shows, every text in the payer's language.
#[derive(Clone, Debug, Default)]
pub struct Receipt {
    /// The language's code (`en`, `he`, `fa`, `el`, `lv`): its script, direction and fonts.
    pub language: String,
    /// "Receipt No. 12".
    pub title: String,
    /// "Original" on the first download, "Copy" after.
    pub mark: String,
    pub store: String,
    /// The issuer's legal name, registration number and address, a line each.
    pub issuer: Vec<String>,
    /// The store's logo (PNG, JPEG or WebP).
    pub logo: Option<Vec<u8>>,
    pub rows: Vec<Row>,
    /// The amount paid: its label and value.
    pub total: (String, String),
    /// "Check this receipt at:" and the address of its public page (also the QR code).
    pub verify: String,
    pub url: String,
    /// What the document is (a payment receipt, not a tax invoice).
    pub note: String,
}

/// A labelled line of the receipt.
#[derive(Clone, Debug, Default)]
pub struct Row {
    pub label: String,
    pub value: String,
    /// A code, number or address that reads left to right in any language.
    pub ltr: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("the receipt could not be typeset: {0}")]
    Typeset(String),
    #[error("the verification link does not fit a QR code")]
    Qr,
}

/// Typesets `receipt` as a PDF. A logo typst cannot read is left out rather than costing the
/// payer the receipt.
pub fn render(receipt: &Receipt) -> Result<Vec<u8>, Error> {
    match typeset(receipt) {
        Err(Error::Typeset(error)) if receipt.logo.is_some() => {
            let without = Receipt {
                logo: None,
                ..receipt.clone()
            };
            typeset(&without).map_err(|_| Error::Typeset(error))
        }
        typeset => typeset,
    }
}

fn typeset(receipt: &Receipt) -> Result<Vec<u8>, Error> {
    let world = Receipts {
        library: LazyHash::new(Library::builder().with_inputs(inputs(receipt)?).build()),
        main: Source::detached(TEMPLATE),
    };
    let compiled = typst::compile::<PagedDocument>(&world).output;
    // typst memoizes across compilations; each receipt is different, so keep nothing.
    typst::comemo::evict(0);
    let document = compiled.map_err(|errors| {
        let messages: Vec<String> = errors.iter().map(|e| e.message.to_string()).collect();
        Error::Typeset(messages.join("; "))
    })?;
    typst_pdf::pdf(&document, &typst_pdf::PdfOptions::default()).map_err(|errors| {
        let messages: Vec<String> = errors.iter().map(|e| e.message.to_string()).collect();
        Error::Typeset(messages.join("; "))
    })
}

const TEMPLATE: &str = include_str!("receipt.typ");

fn inputs(receipt: &Receipt) -> Result<Dict, Error> {
    let text = |s: &str| s.into_value();
    let qr = qrcode::QrCode::new(receipt.url.as_bytes())
        .map_err(|_| Error::Qr)?
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(160, 160)
        .build();
    let rows: Array = receipt
        .rows
        .iter()
        .map(|r| {
            let row: Array = [text(&r.label), text(&r.value), r.ltr.into_value()]
                .into_iter()
                .collect();
            row.into_value()
        })
        .collect();
    let issuer: Array = receipt.issuer.iter().map(|l| text(l)).collect();
    let total: Array = [text(&receipt.total.0), text(&receipt.total.1)]
        .into_iter()
        .collect();
    let mut inputs = Dict::new();
    for (key, value) in [
        ("lang", text(&receipt.language)),
        ("title", text(&receipt.title)),
        ("mark", text(&receipt.mark)),
        ("store", text(&receipt.store)),
        ("issuer", issuer.into_value()),
        ("rows", rows.into_value()),
        ("total", total.into_value()),
        ("verify", text(&receipt.verify)),
        ("url", text(&receipt.url)),
        ("note", text(&receipt.note)),
        ("qr", Bytes::new(qr.into_bytes()).into_value()),
    ] {
        inputs.insert(key.into(), value);
    }
    if let Some(logo) = &receipt.logo {
        inputs.insert("logo".into(), Bytes::new(logo.clone()).into_value());
    }
    Ok(inputs)
}

/// The fonts, read once from the binary.
static FONTS: LazyLock<(LazyHash<FontBook>, Vec<Font>)> = LazyLock::new(|| {
    let files: [&'static [u8]; 6] = [
        include_bytes!("../fonts/NotoSans-Regular.ttf"),
        include_bytes!("../fonts/NotoSans-Bold.ttf"),
        include_bytes!("../fonts/NotoSansHebrew-Regular.ttf"),
        include_bytes!("../fonts/NotoSansHebrew-Bold.ttf"),
        include_bytes!("../fonts/Vazirmatn-Regular.ttf"),
        include_bytes!("../fonts/Vazirmatn-Bold.ttf"),
    ];
    let fonts: Vec<Font> = files
        .into_iter()
        .flat_map(|data| Font::iter(Bytes::new(data)))
        .collect();
    (LazyHash::new(FontBook::from_fonts(&fonts)), fonts)
});

/// What typst may read while typesetting a receipt: the template, the library with the
/// receipt's inputs, the embedded fonts, and nothing from disk or network.
struct Receipts {
    library: LazyHash<Library>,
    main: Source,
}

impl World for Receipts {
    fn library(&self) -> &LazyHash<Library> {
        &self.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &FONTS.0
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            Ok(self.main.clone())
        } else {
            Err(FileError::AccessDenied)
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.main.id() {
            Ok(Bytes::from_string(self.main.clone()))
        } else {
            Err(FileError::AccessDenied)
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        FONTS.1.get(index).cloned()
    }

    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        None
    }
}

#[cfg(test)]
mod tests;
