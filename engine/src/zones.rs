//! Time zones of stores: a receipt is dated in its store's zone. The zones offered are those
//! of the markets Kassa serves (and UTC); the rules come from the tz database bundled in the
//! binary (jiff), so summer time and Iran's abolished one are right wherever Kassa runs.

use crate::money::Currency;

/// The zones a store may choose, as the settings page lists them.
pub const OFFERED: &[&str] = &[
    "Asia/Jerusalem",
    "Asia/Tehran",
    "Europe/Athens",
    "Europe/Sofia",
    "Europe/Riga",
    "Europe/Vilnius",
    "Europe/Tallinn",
    "UTC",
];

/// A new store's zone, from its currency and language (it can change it in its settings).
pub fn default_for(currency: Currency, lang: &str) -> &'static str {
    match (currency.code(), lang) {
        ("IRR", _) => "Asia/Tehran",
        ("ILS", _) => "Asia/Jerusalem",
        ("BGN", _) => "Europe/Sofia",
        (_, "el") => "Europe/Athens",
        (_, "lv") => "Europe/Riga",
        _ => "UTC",
    }
}

/// The zone's offset from UTC at the instant `millis`, in milliseconds (0 for a zone the
/// database does not know).
pub fn offset_at(zone: &str, millis: i64) -> i64 {
    let Ok(tz) = jiff::tz::TimeZone::get(zone) else {
        return 0;
    };
    let Ok(at) = jiff::Timestamp::from_millisecond(millis) else {
        return 0;
    };
    i64::from(tz.to_offset(at).seconds()) * 1000
}

/// Unix milliseconds as the store's local day and time, written for `lang`
/// (`time::format_date_time_for`).
pub fn local_date_time(zone: &str, millis: i64, lang: &str) -> String {
    crate::time::format_date_time_for(millis + offset_at(zone, millis), lang)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-07-01 09:00 UTC and 2026-01-01 09:00 UTC.
    const SUMMER: i64 = 1_782_896_400_000;
    const WINTER: i64 = 1_767_258_000_000;

    #[test]
    fn every_offered_zone_is_known_and_summer_time_is_kept() {
        for zone in OFFERED {
            assert!(jiff::tz::TimeZone::get(zone).is_ok(), "{zone}");
        }
        let hours = |zone, at| offset_at(zone, at) / 3_600_000;
        assert_eq!(
            (
                hours("Asia/Jerusalem", WINTER),
                hours("Asia/Jerusalem", SUMMER)
            ),
            (2, 3)
        );
        assert_eq!(
            (hours("Europe/Riga", WINTER), hours("Europe/Riga", SUMMER)),
            (2, 3)
        );
        // Iran keeps +3:30 all year since 2022.
        assert_eq!(offset_at("Asia/Tehran", SUMMER), 12_600_000);
        assert_eq!(offset_at("Asia/Tehran", WINTER), 12_600_000);
        assert_eq!(
            local_date_time("Asia/Tehran", SUMMER, "en"),
            "2026-07-01 12:30"
        );
        assert_eq!(
            local_date_time("Europe/Athens", WINTER, "el"),
            "01/01/2026 11:00"
        );
        assert_eq!(offset_at("Mars/Olympus", SUMMER), 0);
    }
}
