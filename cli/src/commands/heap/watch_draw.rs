//! Drawing one frame of `heap watch` from a [`WatchState`]: pure, so tests render it on
//! ratatui's `TestBackend` and read the buffer.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Style};
use ratatui::text::Line;
use ratatui::widgets::{Bar, BarChart, Block, Gauge, Paragraph, Sparkline};

use super::watch_state::WatchState;

/// Reference counts from this one up share the last bar.
const LAST_BUCKET: u16 = 8;

pub fn draw(frame: &mut Frame, state: &WatchState) {
    let [header, gauge, sparkline, counters, bottom] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(3),
        Constraint::Length(6),
        Constraint::Length(3),
        Constraint::Min(8),
    ])
    .areas(frame.area());
    frame.render_widget(Paragraph::new(header_line(state)), header);
    draw_gauge(frame, gauge, state);
    let history: Vec<u64> = state.history.iter().copied().collect();
    frame.render_widget(
        Sparkline::default()
            .block(Block::bordered().title(format!(
                "live objects over time (peak {})",
                state.peak_live_objects
            )))
            .data(&history)
            .style(Style::default().fg(Color::Cyan)),
        sparkline,
    );
    frame.render_widget(
        Paragraph::new(format!(
            "allocated {}  freed {}  incRef {}  decRef {}  cow {}  rate {:.0} objects/s",
            state.mallocs,
            state.frees,
            state.inc_refs,
            state.dec_refs,
            state.cows,
            state.allocation_rate
        ))
        .block(Block::bordered().title("events")),
        counters,
    );
    let [histogram, kinds] =
        Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(bottom);
    draw_histogram(frame, histogram, state);
    draw_kinds(frame, kinds, state);
}

fn header_line(state: &WatchState) -> Line<'static> {
    let status = match &state.finished {
        Some(finished) => format!("{finished} — press any key"),
        None => format!("running {:.1} s — q quits", state.elapsed_seconds),
    };
    Line::from(format!("cairn heap watch: {} | {status}", state.title))
}

fn draw_gauge(frame: &mut Frame, area: Rect, state: &WatchState) {
    let heap = u64::from(state.heap_blocks.max(1));
    // Events name heads only: while running, live objects are a lower bound of blocks.
    let (used, label) = match &state.final_stats {
        Some(stats) => (
            u64::from(stats.currently_in_use),
            format!(
                "{} of {} blocks in use (peak {})",
                stats.currently_in_use, state.heap_blocks, stats.peak_usage
            ),
        ),
        None => (
            state.live_objects,
            format!(
                "{} live objects in a heap of {} blocks",
                state.live_objects, state.heap_blocks
            ),
        ),
    };
    frame.render_widget(
        Gauge::default()
            .block(Block::bordered().title("heap use"))
            .gauge_style(Style::default().fg(Color::Green))
            .ratio((used as f64 / heap as f64).clamp(0.0, 1.0))
            .label(label),
        area,
    );
}

/// Live objects per reference count, `8+` gathering the rest.
pub fn histogram_bars(state: &WatchState) -> Vec<(String, u64)> {
    let mut bars: Vec<(String, u64)> = (1..LAST_BUCKET)
        .map(|count| {
            let heads = state.histogram.get(&count).copied().unwrap_or(0);
            (count.to_string(), heads)
        })
        .collect();
    let rest = state.histogram.range(LAST_BUCKET..).map(|(_, &n)| n).sum();
    bars.push((format!("{LAST_BUCKET}+"), rest));
    bars
}

fn draw_histogram(frame: &mut Frame, area: Rect, state: &WatchState) {
    let bars: Vec<Bar> = histogram_bars(state)
        .into_iter()
        .map(|(label, heads)| Bar::with_label(label, heads))
        .collect();
    frame.render_widget(
        BarChart::vertical(bars)
            .block(Block::bordered().title("objects by REF_COUNT"))
            .bar_width(5)
            .bar_gap(1)
            .bar_style(Style::default().fg(Color::Yellow)),
        area,
    );
}

fn draw_kinds(frame: &mut Frame, area: Rect, state: &WatchState) {
    let mut lines: Vec<Line> = Vec::new();
    let title = match &state.final_stats {
        Some(stats) => {
            for (kind, heads) in stats.live_by_kind.iter().filter(|(_, n)| **n > 0) {
                lines.push(Line::from(format!("{kind:<10}{heads:>8}")));
            }
            if lines.is_empty() {
                lines.push(Line::from("(no live objects)"));
            }
            "live objects by kind (when main returned)"
        }
        None => {
            for (site, live) in &state.top_sites {
                lines.push(Line::from(format!("{live:>8}  {site}")));
            }
            lines.push(Line::from("kinds: shown when main returns"));
            "live objects by allocation site"
        }
    };
    frame.render_widget(
        Paragraph::new(lines).block(Block::bordered().title(title)),
        area,
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    use std::collections::{BTreeMap, VecDeque};

    fn render(state: &WatchState) -> String {
        let mut terminal = Terminal::new(TestBackend::new(100, 30)).expect("test terminal");
        terminal.draw(|frame| draw(frame, state)).expect("draw");
        let buffer = terminal.backend().buffer();
        let mut text = String::new();
        for y in 0..buffer.area.height {
            for x in 0..buffer.area.width {
                text.push_str(buffer[(x, y)].symbol());
            }
            text.push('\n');
        }
        text
    }

    fn running() -> WatchState {
        WatchState {
            title: "p.cairn on jit".into(),
            heap_blocks: 1000,
            mallocs: 4321,
            frees: 4300,
            inc_refs: 77,
            dec_refs: 66,
            cows: 5,
            live_objects: 21,
            peak_live_objects: 40,
            histogram: BTreeMap::from([(1, 17), (2, 3), (9, 1)]),
            top_sites: vec![("fn build at 1:57".into(), 15)],
            history: VecDeque::from([3, 10, 40, 21]),
            elapsed_seconds: 1.25,
            allocation_rate: 3456.0,
            final_stats: None,
            finished: None,
        }
    }

    #[test]
    fn a_running_frame_shows_counts_histogram_and_sites() {
        let screen = render(&running());
        for expected in [
            "cairn heap watch: p.cairn on jit | running 1.2 s — q quits",
            "21 live objects in a heap of 1000 blocks",
            "live objects over time (peak 40)",
            "allocated 4321  freed 4300  incRef 77  decRef 66  cow 5  rate 3456 objects/s",
            "objects by REF_COUNT",
            // Each bar carries its count: 17 objects with count 1, 3 with 2, 1 from 8 up.
            "█17██ ██3██",
            "▆▆1▆▆",
            "  1     2     3     4     5     6     7    8+",
            "15  fn build at 1:57",
        ] {
            assert!(
                screen.contains(expected),
                "missing {expected:?} in\n{screen}"
            );
        }
        assert!(!screen.contains("press any key"), "{screen}");
    }

    #[test]
    fn histogram_buckets_gather_large_counts() {
        let bars = histogram_bars(&running());
        assert_eq!(bars.len(), 8);
        assert_eq!(bars[0], ("1".to_string(), 17));
        assert_eq!(bars[1], ("2".to_string(), 3));
        assert_eq!(bars[7], ("8+".to_string(), 1));
    }

    #[test]
    fn a_finished_frame_shows_the_result_blocks_and_kinds() {
        let mut state = running();
        state.finished = Some("finished: result 42".into());
        state.final_stats = Some(cairn::HeapStats {
            total_allocated: 4400,
            total_freed: 4370,
            currently_in_use: 30,
            peak_usage: 55,
            ref_count_histogram: BTreeMap::from([(1, 21)]),
            live_by_kind: BTreeMap::from([("List".into(), 12), ("Map".into(), 0)]),
            block_count: 1000,
            free_blocks: 970,
            quota: None,
            elapsed_seconds: 1.3,
            allocations_per_second: 3384.6,
        });
        let screen = render(&state);
        for expected in [
            "finished: result 42 — press any key",
            "30 of 1000 blocks in use (peak 55)",
            "live objects by kind (when main returned)",
            "List            12",
        ] {
            assert!(
                screen.contains(expected),
                "missing {expected:?} in\n{screen}"
            );
        }
        assert!(!screen.contains("Map "), "{screen}");
    }
}
