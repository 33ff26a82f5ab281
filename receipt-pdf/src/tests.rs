//! Receipts in every language, read back with poppler's `pdftotext` (as a payer's PDF reader
//! would extract them): the payer's name and the amount come back in their script.

use std::process::Command;

use super::{Receipt, Row, render};

fn receipt(language: &str, payer: &str, amount: &str, mark: &str) -> Receipt {
    let row = |label: &str, value: &str, ltr| Row {
        label: label.into(),
        value: value.into(),
        ltr,
    };
    Receipt {
        language: language.into(),
        title: format!("Receipt 7 / {payer}"),
        mark: mark.into(),
        store: "Kassa Demo".into(),
        issuer: vec!["Kassa Demo Ltd".into(), "515123456".into()],
        logo: None,
        rows: vec![
            row("Payer", payer, false),
            row("Tracking code", "KS-7F3A-9QX2", true),
            row("Mobile", "+972 50 123 4567", true),
        ],
        total: ("Paid".into(), amount.into()),
        verify: "Check at".into(),
        url: "https://kassa.example/r/0123456789abcdef0123456789abcdef".into(),
        note: "A payment receipt, not a tax invoice.".into(),
    }
}

/// The PDF's text as `pdftotext` extracts it, whitespace squeezed and the bidi controls it
/// adds around right-to-left runs taken out.
fn text_of(pdf: &[u8]) -> String {
    let path = std::env::temp_dir().join(format!("receipt-{}.pdf", std::process::id()));
    let path = path.with_extension(format!("{}.pdf", pdf.len()));
    std::fs::write(&path, pdf).unwrap();
    let out = Command::new("pdftotext")
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils; `make setup-test` installs it)");
    let _ = std::fs::remove_file(&path);
    assert!(out.status.success());
    let text: String = String::from_utf8(out.stdout)
        .unwrap()
        .chars()
        .filter(|c| !matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'))
        .collect();
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Whether every word of `words` is in `text`: a right-to-left run comes out of a PDF in
/// display order (`₪ 120.50` for `120.50 ₪`), its words whole.
fn has_words(text: &str, words: &str) -> bool {
    words.split_whitespace().all(|w| text.contains(w))
}

#[test]
fn every_language_reads_back_its_payer_and_amount() {
    let cases = [
        ("en", "Anna Smith", "€45.00"),
        ("he", "דנה כהן", "120.50 ₪"),
        ("fa", "سارا احمدی", "۱۲۰٬۰۰۰ تومان"),
        ("el", "Γιώργος Παπαδόπουλος", "45,00 €"),
        ("lv", "Anna Bērziņa", "45,00 €"),
    ];
    for (language, payer, amount) in cases {
        let pdf = render(&receipt(language, payer, amount, "Original")).unwrap();
        assert!(pdf.starts_with(b"%PDF-"), "{language}");
        let text = text_of(&pdf);
        assert!(
            has_words(&text, payer),
            "{language}: {payer:?} not in {text:?}"
        );
        assert!(
            has_words(&text, amount),
            "{language}: {amount:?} not in {text:?}"
        );
        // Codes, numbers and links keep their left-to-right order in every language.
        for code in [
            "KS-7F3A-9QX2",
            "+972 50 123 4567",
            "https://kassa.example/r/0123456789abcdef0123456789abcdef",
        ] {
            assert!(text.contains(code), "{language}: {code} not in {text:?}");
        }
    }
}

#[test]
fn inputs_are_text_never_markup() {
    let payer = "#panic(\"x\") *bold* $x$ <l> @ref";
    let pdf = render(&receipt("en", payer, "€1.00", "Copy")).unwrap();
    let text = text_of(&pdf);
    assert!(text.contains(payer), "{text:?}");
    assert!(text.contains("COPY"), "{text:?}");
}

/// A 2×2 red PNG.
const DOT: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x02, 0x08, 0x02, 0x00, 0x00, 0x00, 0xFD, 0xD4, 0x9A,
    0x73, 0x00, 0x00, 0x00, 0x10, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0xF8, 0xCF, 0xC0, 0x00,
    0x44, 0x0C, 0x10, 0x0A, 0x00, 0x1F, 0xEE, 0x03, 0xFD, 0x8B, 0x5F, 0x14, 0xD4, 0x00, 0x00, 0x00,
    0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
];

fn images_in(pdf: &[u8]) -> usize {
    const IMAGE: &[u8] = b"/Subtype/Image";
    pdf.windows(IMAGE.len()).filter(|w| *w == IMAGE).count()
}

#[test]
fn the_store_s_logo_is_drawn_and_an_unreadable_one_left_out() {
    let mut with_logo = receipt("en", "Anna Smith", "€45.00", "Original");
    with_logo.logo = Some(DOT.to_vec());
    let pdf = render(&with_logo).unwrap();
    assert_eq!(images_in(&pdf), 1);
    // A PNG's signature and then nothing typst can decode: the receipt comes without it.
    with_logo.logo = Some(DOT[..20].to_vec());
    let pdf = render(&with_logo).unwrap();
    assert_eq!(images_in(&pdf), 0);
    assert!(text_of(&pdf).contains("Anna Smith"));
}
