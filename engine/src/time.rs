//! Clock helpers: timestamps are stored as Unix milliseconds (the same type on both databases).

use std::time::{SystemTime, UNIX_EPOCH};

pub fn now_millis() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// The latest calendar date it is anywhere on Earth now (UTC+14), so a customer's "today" is
/// never refused as a future date whatever their time zone.
pub fn latest_date_today() -> (i32, u32, u32) {
    civil_from_days((now_millis() / 1000 + 14 * 3600).div_euclid(86_400))
}

pub const DAY_MILLIS: i64 = 86_400_000;

/// Days since 1970-01-01 of a proleptic Gregorian date (the inverse of [`civil_from_days`]).
pub fn days_from_civil(y: i32, m: u32, d: u32) -> i64 {
    let y = i64::from(y) - i64::from(m <= 2);
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// A `YYYY-MM-DD` date (as `<input type=date>` sends it) as days since 1970-01-01.
pub fn parse_day(input: &str) -> Option<i64> {
    let ascii = crate::digits::to_ascii(input.trim());
    let mut parts = ascii.splitn(3, '-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return None;
    }
    let (y, m, d) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
    let day = days_from_civil(y, m, d);
    // Rejects 2025-02-30 and the like: a real date survives the round trip.
    (civil_from_days(day) == (y, m, d)).then_some(day)
}

/// Days since 1970-01-01 as `YYYY-MM-DD`.
pub fn format_day(day: i64) -> String {
    let (y, m, d) = civil_from_days(day);
    format!("{y:04}-{m:02}-{d:02}")
}

/// A day as readers of `lang` write dates: day first in Greek (`20/11/2026`), Latvian
/// (`20.11.2026.`) and Hebrew (`20.11.2026`), the Solar Hijri calendar in Persian
/// (`1405/08/29`, as Iranians date), ISO otherwise (`2026-11-20`). ASCII digits: the page
/// localizes them (`digits::localize`).
pub fn format_day_for(day: i64, lang: &str) -> String {
    let (y, m, d) = civil_from_days(day);
    match lang {
        "el" => format!("{d:02}/{m:02}/{y:04}"),
        "lv" => format!("{d:02}.{m:02}.{y:04}."),
        "he" => format!("{d:02}.{m:02}.{y:04}"),
        "fa" => match solar_hijri(y, m, d) {
            Some((y, m, d)) => format!("{y:04}/{m:02}/{d:02}"),
            None => format_day(day),
        },
        _ => format_day(day),
    }
}

/// A Gregorian date in the Solar Hijri calendar (ICU4X's, the official arithmetic).
fn solar_hijri(y: i32, m: u32, d: u32) -> Option<(i32, u8, u8)> {
    let iso =
        icu_calendar::Date::try_new_iso(y, u8::try_from(m).ok()?, u8::try_from(d).ok()?).ok()?;
    let persian = iso.to_calendar(icu_calendar::cal::Persian);
    Some((
        persian.era_year().year,
        persian.month().ordinal,
        persian.day_of_month().0,
    ))
}

/// Unix milliseconds as the day (`format_day_for`) and `HH:MM`, in UTC.
pub fn format_date_time_for(millis: i64, lang: &str) -> String {
    let secs = millis.div_euclid(1000);
    let s = secs.rem_euclid(86_400);
    format!(
        "{} {:02}:{:02}",
        format_day_for(secs.div_euclid(86_400), lang),
        s / 3600,
        s % 3600 / 60
    )
}

/// Converts days since 1970-01-01 to a (year, month, day) in the proleptic Gregorian calendar
/// (Howard Hinnant's `civil_from_days`).
pub fn civil_from_days(days: i64) -> (i32, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = (yoe + era * 400 + i64::from(m <= 2)) as i32;
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_become_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(19_782), (2024, 2, 29));
        assert_eq!(civil_from_days(20_414), (2025, 11, 22));
    }

    #[test]
    fn dates_are_written_as_each_language_writes_them() {
        let day = 20_777; // 2026-11-20
        assert_eq!(format_day_for(day, "en"), "2026-11-20");
        assert_eq!(format_day_for(day, "fa"), "1405/08/29");
        // Nowruz: 1 Farvardin 1405 is 2026-03-21; the last day of 1404 the day before.
        assert_eq!(format_day_for(20_533, "fa"), "1405/01/01");
        assert_eq!(format_day_for(20_532, "fa"), "1404/12/29");
        assert_eq!(format_day_for(day, "he"), "20.11.2026");
        assert_eq!(format_day_for(day, "el"), "20/11/2026");
        assert_eq!(format_day_for(day, "lv"), "20.11.2026.");
        let millis = day * 86_400_000 + (14 * 60 + 5) * 60_000;
        assert_eq!(format_date_time_for(millis, "el"), "20/11/2026 14:05");
        assert_eq!(format_date_time_for(millis, "en"), "2026-11-20 14:05");
    }

    #[test]
    fn dates_round_trip_and_impossible_ones_are_refused() {
        for day in [-719_468, -1, 0, 19_782, 20_414, 2_932_896] {
            let (y, m, d) = civil_from_days(day);
            assert_eq!(days_from_civil(y, m, d), day);
            assert_eq!(parse_day(&format_day(day)), Some(day));
        }
        assert_eq!(parse_day("2024-02-29"), Some(19_782));
        assert_eq!(parse_day("۲۰۲۴-۰۲-۲۹"), Some(19_782));
        for bad in [
            "2025-02-29",
            "2025-13-01",
            "2025-1-01",
            "2025/01/01",
            "",
            "x",
            "2025-01-01-01",
        ] {
            assert_eq!(parse_day(bad), None, "{bad}");
        }
    }
}
