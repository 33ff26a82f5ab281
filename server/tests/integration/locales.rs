//! Every provider has the texts it needs in every language; each text is looked up in the
//! page's language. (`app/build.rs` refuses a text missing or empty in a language, or one whose
//! languages name different `{{ placeholders }}`.)

/// Every provider in the registry has its texts in every language (`build.rs` refuses a key
/// without one): each setting's label and hint, its package's, the address to paste for one
/// posting every notification to `/notify/{id}`, and each failure code it explains.
#[test]
fn every_provider_has_the_texts_its_settings_and_messages_need() {
    use engine::connectors::{Notifications, PROVIDERS};
    let keys: Vec<(&str, &str)> = app::provider_texts::keys().collect();
    for p in PROVIDERS {
        let mut needed: Vec<String> = p
            .fields
            .iter()
            .flat_map(|s| [s.name.to_owned(), format!("{}_hint", s.name)])
            .collect();
        if p.package.is_some() {
            needed.extend(["package".to_owned(), "package_hint".to_owned()]);
        }
        if matches!(p.notifications, Notifications::Account { .. }) {
            needed.push("notify_url".to_owned());
        }
        if p.account.is_some() {
            needed.push("disconnect_hint".to_owned());
        }
        // Every code a provider has a text for: its documented ones are small numbers.
        needed.extend(
            (-100..=100)
                .map(|n| n.to_string())
                .chain(["rollback".to_owned()])
                .filter_map(|code| (p.failure_text)(&code).map(str::to_owned)),
        );
        for key in needed {
            assert!(
                keys.contains(&(p.id, key.as_str())),
                "{}: no text {key}",
                p.id
            );
        }
    }
    // And no file is of a provider Kassa does not have.
    for (provider, key) in keys {
        assert!(
            PROVIDERS.iter().any(|p| p.id == provider),
            "texts of an unknown provider {provider} ({key})"
        );
    }
}

#[test]
fn a_provider_text_is_in_the_page_language() {
    use app::i18n::Locale;
    use app::provider_texts::provider_text;
    assert_eq!(provider_text(Locale::en, "mypos", "sid"), Some("Store ID"));
    let persian = provider_text(Locale::fa, "zarinpal", "merchant_id").unwrap();
    assert_ne!(
        persian,
        provider_text(Locale::en, "zarinpal", "merchant_id").unwrap()
    );
    assert_eq!(provider_text(Locale::he, "mypos", "no_such_key"), None);
}

/// `text!`'s table: a text in each language, its `{{ name }}`s filled; and what a back-office
/// page carries for the browser (`page_texts`): every text of its language, in key order.
#[test]
fn a_text_is_in_the_page_language_with_its_values() {
    use app::i18n::Locale;
    use app::texts::{Key, fill, page_texts, text};
    assert_eq!(text(&Locale::en, Key::mail_attempts), "Attempts: {{ n }}");
    let filled = fill(text(&Locale::fa, Key::mail_attempts), &[("n", &3)]);
    assert_eq!(filled, "تلاش‌ها: 3");
    assert_ne!(
        text(&Locale::el, Key::mail_attempts),
        text(&Locale::en, Key::mail_attempts)
    );
    // A value is written once, where it is named; an unnamed `{{ x }}` is left as it is.
    assert_eq!(
        fill(
            "{{ a }} and {{b}}, not {{ c }}",
            &[("a", &"<1>"), ("b", &2)]
        ),
        "<1> and 2, not {{ c }}"
    );
    let texts: Vec<String> = serde_json::from_str(&page_texts(Locale::he)).unwrap();
    for key in [
        Key::mail_attempts,
        Key::link_expires_on,
        Key::cancellation_short,
    ] {
        assert_eq!(texts[key as usize], text(&Locale::he, key));
    }
}
