//! `make bench`: 1,000 receipts typeset one after another in the five languages: the time
//! per PDF and the process's resident memory as it goes (it must stay flat: typst's caches
//! are evicted after each receipt).

use std::time::Instant;

use receipt_pdf::{Receipt, Row, render};

const RECEIPTS: usize = 1_000;

fn receipt(i: usize) -> Receipt {
    let (language, payer, amount) = [
        ("en", "Anna Smith", "€45.00"),
        ("he", "דנה כהן", "120.50 ₪"),
        ("fa", "سارا محمدی‌نژاد", "۱۲۰٬۰۰۰ تومان"),
        ("el", "Γιώργος Παπαδόπουλος", "45,00 €"),
        ("lv", "Anna Bērziņa", "45,00 €"),
    ][i % 5];
    let row = |label: &str, value: String, ltr| Row {
        label: label.into(),
        value,
        ltr,
    };
    Receipt {
        language: language.into(),
        title: format!("Receipt No. {}", i + 1),
        mark: "Original".into(),
        store: "Kassa Demo".into(),
        issuer: vec!["Kassa Demo Ltd".into(), "Reg. No. 515123456".into()],
        logo: None,
        rows: vec![
            row("Payer", payer.into(), false),
            row("Description", format!("Order {}", 1000 + i), false),
            row("Tracking code", format!("KS7F-{i:04}-9QX2"), true),
        ],
        total: ("Amount paid".into(), amount.into()),
        verify: "Check this receipt at:".into(),
        url: format!("https://kassa.example/r/{i:032x}"),
        note: "A payment receipt issued by the merchant's payment page.".into(),
    }
}

/// The process's resident memory, in MiB (Linux).
fn resident_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kib: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0);
    kib / 1024.0
}

fn main() {
    println!(
        "\n{:>9} {:>12} {:>14} {:>10}",
        "receipts", "ms per PDF", "bytes per PDF", "RSS MiB"
    );
    let started = Instant::now();
    let mut bytes = 0;
    for i in 0..RECEIPTS {
        bytes += render(&receipt(i)).expect("a receipt").len();
        let done = i + 1;
        if [1, 10, 100, 500, RECEIPTS].contains(&done) {
            println!(
                "{done:>9} {:>12.1} {:>14} {:>10.1}",
                started.elapsed().as_secs_f64() * 1000.0 / done as f64,
                bytes / done,
                resident_mib()
            );
        }
    }
}
