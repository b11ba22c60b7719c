//! `slatectl stats`: the usage statistics the panel's Usage section shows, as text, JSON
//! (`--json`) or CSV (`--csv`, one row per figure, for a spreadsheet).

use slate_core::api::{UsageCount, UsageReport};

use crate::output::Failure;
use crate::Ctx;

/// The weekdays of [`UsageReport::week`], Monday first.
const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

pub fn run(ctx: &Ctx, since: &str, until: &str, csv: bool) -> Result<(), Failure> {
    if ctx.json && csv {
        return Err(crate::output::invalid(
            "--csv prints its own format: leave out --json.",
        ));
    }
    let u = ctx.kiosk.usage(since, until)?;
    if ctx.json {
        crate::output::answer(true, &u, "");
    } else if csv {
        print_csv(&u);
    } else {
        print_text(&u);
    }
    Ok(())
}

/// One CSV row per figure: `measure,key,sessions,minutes` (the length figures in `minutes`).
fn print_csv(u: &UsageReport) {
    outln!("measure,key,sessions,minutes");
    outln!("range,{}/{},,", u.since, u.until);
    outln!("total,all,{},{}", u.sessions, u.minutes);
    outln!(
        "length,average,,{}.{}",
        u.average_seconds / 60,
        (u.average_seconds % 60) / 6
    );
    outln!("length,median,,{}", u.median_minutes);
    let counts = |measure: &str, list: &[UsageCount]| {
        for c in list {
            outln!("{measure},{},{},{}", c.key, c.sessions, c.minutes);
        }
    };
    counts("kind", &u.kinds);
    for d in &u.days {
        outln!("day,{},{},{}", d.date, d.sessions, d.minutes);
    }
    for (day, hours) in WEEKDAYS.iter().zip(&u.week) {
        for (hour, n) in hours.iter().enumerate() {
            outln!("hour,{day} {hour:02}:00,{n},");
        }
    }
    counts("ending", &u.endings);
    counts("source", &u.sources);
    // A group is the source's text: quoted as CSV needs, and never read as a formula.
    for c in &u.groups {
        outln!("group,{},{},{}", csv_text(&c.key), c.sessions, c.minutes);
    }
}

/// Text from elsewhere as one CSV field: quoted when it holds a comma, a quote or a line
/// break; a leading `=`, `+`, `-` or `@` (which a spreadsheet would run as a formula) behind a
/// `'`.
fn csv_text(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@']) {
        format!("'{text}")
    } else {
        text.to_owned()
    };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

/// "3 h 05 min" for a number of minutes.
fn hours(minutes: u64) -> String {
    format!("{} h {:02} min", minutes / 60, minutes % 60)
}

fn print_text(u: &UsageReport) {
    outln!("Usage from {} to {} (local days)", u.since, u.until);
    if u.sessions == 0 {
        outln!("  No session ended in these days.");
        return;
    }
    let kinds: Vec<String> = u
        .kinds
        .iter()
        .map(|k| format!("{} {}", k.key, k.sessions))
        .collect();
    outln!("  sessions      {} ({})", u.sessions, kinds.join(", "));
    outln!("  time in use   {}", hours(u.minutes));
    outln!(
        "  length        average {} min {:02} s, median {} min",
        u.average_seconds / 60,
        u.average_seconds % 60,
        u.median_minutes
    );
    let nonzero = |list: &[UsageCount]| {
        list.iter()
            .filter(|c| c.sessions > 0)
            .map(|c| format!("{} {}", c.key, c.sessions))
            .collect::<Vec<_>>()
            .join(", ")
    };
    outln!("  endings       {}", nonzero(&u.endings));
    outln!("  sources       {}", nonzero(&u.sources));
    if u.groups.iter().any(|g| !g.key.is_empty()) {
        let groups: Vec<String> = u
            .groups
            .iter()
            .map(|g| {
                let name = if g.key.is_empty() { "none" } else { &g.key };
                format!("{name} {}", g.sessions)
            })
            .collect();
        outln!("  groups        {}", groups.join(", "));
    }
    let mut busiest: Vec<(u64, usize, usize)> = u
        .week
        .iter()
        .enumerate()
        .flat_map(|(d, hours)| hours.iter().enumerate().map(move |(h, n)| (*n, d, h)))
        .filter(|(n, _, _)| *n > 0)
        .collect();
    busiest.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    let busiest: Vec<String> = busiest
        .iter()
        .take(3)
        .map(|(n, d, h)| format!("{} {h:02}:00 ({n})", WEEKDAYS[*d]))
        .collect();
    outln!("  busiest hours {}", busiest.join(", "));
    outln!("By day:");
    for d in u.days.iter().filter(|d| d.sessions > 0) {
        outln!(
            "  {}  {:>5} sessions  {:>7} min",
            d.date,
            d.sessions,
            d.minutes
        );
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_group_is_one_csv_field_and_never_a_formula() {
        assert_eq!(super::csv_text("Adult"), "Adult");
        assert_eq!(super::csv_text("Teens, 13-17"), "\"Teens, 13-17\"");
        assert_eq!(super::csv_text("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(super::csv_text("=HYPERLINK(1)"), "'=HYPERLINK(1)");
    }
}
