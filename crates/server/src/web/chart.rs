//! Charts drawn on the server as inline SVG (no script, no library): the
//! six areas of a scorecard as horizontal bars, and how each area moved
//! over a candidate's sessions as lines. Labels go through maud, so they
//! are escaped like any other text.

use maud::{html, Markup};

/// One bar: an area's title and its score (`None` = not assessed), and
/// optionally a reviewer's override shown as a marker.
pub struct Bar<'a> {
    /// The area's title.
    pub title: &'a str,
    /// The grader's score 0-100.
    pub score: Option<u8>,
}

/// The fill colour for a score: red below 40, amber below 75, green above.
pub fn score_colour(score: u8) -> &'static str {
    match score {
        0..=39 => "#dc2626",
        40..=74 => "#d97706",
        _ => "#16a34a",
    }
}

/// Horizontal bars, one per area, 0-100 with the level bands marked.
pub fn area_bars(bars: &[Bar<'_>]) -> Markup {
    let row = 34.0;
    let label_w = 0.0;
    let width = 600.0;
    let top = 8.0;
    let height = top + row * bars.len() as f64 + 22.0;
    let x = |score: f64| label_w + score / 100.0 * (width - label_w);
    html! {
        svg class="chart" viewBox=(format!("0 0 {width} {height}")) role="img"
            aria-label="Area scores from 0 to 100" xmlns="http://www.w3.org/2000/svg" {
            @for band in [40.0, 75.0] {
                line x1=(x(band)) x2=(x(band)) y1=(top) y2=(height - 20.0)
                    stroke="#cbd5e1" stroke-dasharray="4 4" {}
                text x=(x(band)) y=(height - 6.0) text-anchor="middle" class="axis" { (band) }
            }
            text x=(x(0.0)) y=(height - 6.0) class="axis" { "0" }
            text x=(x(100.0)) y=(height - 6.0) text-anchor="end" class="axis" { "100" }
            @for (i, bar) in bars.iter().enumerate() {
                @let y = top + row * i as f64;
                rect x=(x(0.0)) y=(y + 14.0) width=(width - label_w) height="12" rx="6" fill="#eef2f7" {}
                @if let Some(score) = bar.score {
                    rect x=(x(0.0)) y=(y + 14.0) width=(x(f64::from(score.max(2))) - label_w)
                        height="12" rx="6" fill=(score_colour(score)) {}
                }
                text x=(x(0.0)) y=(y + 10.0) class="label" { (bar.title) }
                text x=(x(100.0)) y=(y + 10.0) text-anchor="end" class="value" {
                    @match bar.score { Some(s) => (s), None => "not assessed" }
                }
            }
        }
    }
}

/// A palette that stays readable for six lines.
const LINE_COLOURS: [&str; 8] = [
    "#4f46e5", "#0891b2", "#16a34a", "#d97706", "#dc2626", "#9333ea", "#475569", "#db2777",
];

/// One line per area over sessions (oldest left): `points[s][a]` is area
/// `a`'s score in session `s`. A gap where an area was not assessed.
pub fn progress(areas: &[&str], sessions: &[String], points: &[Vec<Option<u8>>]) -> Markup {
    let width = 640.0;
    let height = 220.0;
    let (left, right, top, bottom) = (34.0, 12.0, 10.0, 28.0);
    let n = sessions.len().max(1);
    let x = |i: usize| {
        if n == 1 {
            left + (width - left - right) / 2.0
        } else {
            left + i as f64 * (width - left - right) / (n - 1) as f64
        }
    };
    let y = |score: u8| top + (100.0 - f64::from(score)) / 100.0 * (height - top - bottom);
    html! {
        figure class="progress" {
            svg class="chart" viewBox=(format!("0 0 {width} {height}")) role="img"
                aria-label="Area scores over sessions" xmlns="http://www.w3.org/2000/svg" {
                @for tick in [0u8, 40, 75, 100] {
                    line x1=(left) x2=(width - right) y1=(y(tick)) y2=(y(tick)) stroke="#e2e8f0" {}
                    text x=(left - 6.0) y=(y(tick) + 4.0) text-anchor="end" class="axis" { (tick) }
                }
                @for (i, label) in sessions.iter().enumerate() {
                    text x=(x(i)) y=(height - 8.0) text-anchor="middle" class="axis" { (label) }
                }
                @for (a, _) in areas.iter().enumerate() {
                    @let colour = LINE_COLOURS[a % LINE_COLOURS.len()];
                    @let pts: Vec<(f64, f64)> = points.iter().enumerate()
                        .filter_map(|(s, row)| row.get(a).copied().flatten().map(|v| (x(s), y(v))))
                        .collect();
                    @if pts.len() > 1 {
                        polyline fill="none" stroke=(colour) stroke-width="2.5"
                            points=(pts.iter().map(|(px, py)| format!("{px:.1},{py:.1}")).collect::<Vec<_>>().join(" ")) {}
                    }
                    @for (px, py) in &pts {
                        circle cx=(format!("{px:.1}")) cy=(format!("{py:.1}")) r="4" fill=(colour) {}
                    }
                }
            }
            figcaption class="legend" {
                @for (a, title) in areas.iter().enumerate() {
                    span { i style=(format!("background:{}", LINE_COLOURS[a % LINE_COLOURS.len()])) {} (title) }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_escape_titles_and_show_unassessed_areas() {
        let svg = area_bars(&[
            Bar {
                title: "<script>alert(1)</script>",
                score: Some(80),
            },
            Bar {
                title: "Storage",
                score: None,
            },
        ])
        .into_string();
        assert!(svg.contains("&lt;script&gt;"), "{svg}");
        assert!(!svg.contains("<script>"), "{svg}");
        assert!(svg.contains("not assessed"));
        assert!(svg.contains(score_colour(80)));
    }

    #[test]
    fn progress_draws_a_line_per_area_with_two_points() {
        let svg = progress(
            &["Pods", "Networking"],
            &["1 Nov".into(), "8 Nov".into()],
            &[vec![Some(20), None], vec![Some(60), Some(70)]],
        )
        .into_string();
        assert_eq!(svg.matches("<polyline").count(), 1, "{svg}");
        assert_eq!(svg.matches("<circle").count(), 3, "{svg}");
    }
}
