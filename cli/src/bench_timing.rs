//! Timing one loaded program on one engine for `cairn bench`: a warm-up run, then N timed
//! runs of `main` only (loading/compiling happens once, before), reporting the median.

use std::time::{Duration, Instant};

use cairn::{Engine, Limits, Module, RunError, Value};

/// The median of the timed runs and main's result (canonical form) from the last run.
pub struct EngineTiming {
    pub median: Duration,
    pub result: String,
}

/// Runs `module`'s `main` once to warm up, then `iterations` times, timing each call (the
/// facade's call: arguments in, result converted to a host [`Value`]).
pub fn time_program(
    engine: &Engine,
    module: &Module,
    iterations: u32,
) -> Result<EngineTiming, RunError> {
    let mut runtime = engine.runtime(Limits::default())?;
    let mut result = run_once(&mut runtime, module)?.1;
    let mut samples = Vec::with_capacity(iterations as usize);
    for _ in 0..iterations {
        let (elapsed, printed) = run_once(&mut runtime, module)?;
        samples.push(elapsed);
        result = printed;
    }
    Ok(EngineTiming {
        median: median(&mut samples),
        result,
    })
}

fn run_once(runtime: &mut cairn::Runtime, module: &Module) -> Result<(Duration, String), RunError> {
    let start = Instant::now();
    let value: Value = runtime.call(module, "main", ())?;
    let elapsed = start.elapsed();
    Ok((elapsed, value.to_string()))
}

/// The median of a non-empty sample (the mean of the middle two for an even count).
pub fn median(samples: &mut [Duration]) -> Duration {
    samples.sort_unstable();
    let middle = samples.len() / 2;
    if samples.len() % 2 == 1 {
        samples[middle]
    } else {
        (samples[middle - 1] + samples[middle]) / 2
    }
}

/// `812.31 ms`, `45.10 µs`, `1.204 s`: three or four significant digits.
pub fn format_duration(duration: Duration) -> String {
    let seconds = duration.as_secs_f64();
    if seconds >= 1.0 {
        format!("{seconds:.3} s")
    } else if seconds >= 1e-3 {
        format!("{:.2} ms", seconds * 1e3)
    } else {
        format!("{:.2} µs", seconds * 1e6)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_odd_and_even_samples() {
        let ms = Duration::from_millis;
        assert_eq!(median(&mut [ms(5), ms(1), ms(3)]), ms(3));
        assert_eq!(median(&mut [ms(4), ms(1), ms(2), ms(100)]), ms(3));
    }

    #[test]
    fn durations_use_readable_units() {
        assert_eq!(format_duration(Duration::from_micros(45_100)), "45.10 ms");
        assert_eq!(format_duration(Duration::from_millis(1_204)), "1.204 s");
        assert_eq!(format_duration(Duration::from_nanos(1_500)), "1.50 µs");
    }
}
