//! Parsing of a corpus program's expectations: the `//#` comment lines of a `.cairn` file
//! and the `"expect"` object of a `.ir.json` file. Anything unknown or malformed is an
//! error, so a typo in the corpus fails loudly instead of silently weakening a check.

use std::fmt;

use serde::Deserialize;

/// What a program must do on both engines.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Expectations {
    /// Printed lines, in order (each `print` writes one canonical form plus a newline).
    pub output: Vec<String>,
    /// `main`'s result in top-level canonical form; `None` means Unit (or an error).
    pub result: Option<String>,
    /// The diagnostic the run (or the front end) must end with.
    pub error: Option<ExpectedError>,
    /// Line and column of the diagnostic's primary span start; `None` = not checked.
    pub at: Option<LineColumn>,
    /// The file of a multi-file program (relative to its directory) the diagnostic's
    /// primary span is in (`//# file: util.cairn`); `None` = the main file.
    pub file: Option<String>,
    pub limits: LimitsSpec,
    pub trace: Vec<TraceAssertion>,
}

/// A diagnostic code (`RT0103`, `E0101`) and its exact one-line message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExpectedError {
    pub code: String,
    pub message: String,
}

impl ExpectedError {
    /// True for front-end codes (`E....`): only the compiler runs, the engines are skipped.
    pub fn is_compile_time(&self) -> bool {
        self.code.starts_with('E')
    }
}

impl fmt::Display for ExpectedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.code, self.message)
    }
}

/// A 1-based source position (column counted in chars).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LineColumn {
    pub line: u32,
    pub column: u32,
}

impl fmt::Display for LineColumn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// Optional per-program limits; unset fields keep `Limits::default()`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LimitsSpec {
    pub depth: Option<u64>,
    pub heap: Option<u32>,
    pub quota: Option<u32>,
    pub fuel: Option<u64>,
}

impl LimitsSpec {
    pub fn to_limits(self) -> cairn_runtime::Limits {
        let mut limits = cairn_runtime::Limits::default();
        if let Some(depth) = self.depth {
            limits.max_call_depth = depth;
        }
        if let Some(heap) = self.heap {
            limits.heap_blocks = heap;
        }
        if self.quota.is_some() {
            limits.heap_quota = self.quota;
        }
        if self.fuel.is_some() {
            limits.fuel = self.fuel;
        }
        limits
    }
}

/// `//# trace: cow` / `//# trace: no-cow`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TraceAssertion {
    /// The trace holds at least one `cow` event.
    Cow,
    /// The trace holds no `cow` event (every update was in place).
    NoCow,
}

/// A malformed expectation, with the 1-based line it is on (0 for `.ir.json` headers).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExpectationError {
    pub line: usize,
    pub message: String,
}

impl fmt::Display for ExpectationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "bad expectation: {}", self.message)
        } else {
            write!(f, "bad expectation on line {}: {}", self.line, self.message)
        }
    }
}

const MARKER: &str = "//#";

/// Parses every `//#` line of a `.cairn` source text.
pub fn parse_source_expectations(text: &str) -> Result<Expectations, ExpectationError> {
    let mut expectations = Expectations::default();
    let mut seen_limits = false;
    for (index, raw_line) in text.lines().enumerate() {
        let line_number = index + 1;
        let fail = |message: String| ExpectationError {
            line: line_number,
            message,
        };
        let trimmed = raw_line.trim_start();
        let Some(rest) = trimmed.strip_prefix(MARKER) else {
            continue;
        };
        let rest = rest.strip_suffix('\r').unwrap_or(rest);
        let Some((key, value)) = rest.split_once(':') else {
            return Err(fail(format!("expected `//# key: value`, got `{trimmed}`")));
        };
        let key = key.trim();
        // One space after the colon separates key and value; the rest is verbatim.
        let value = value.strip_prefix(' ').unwrap_or(value);
        match key {
            "output" => expectations.output.push(value.to_string()),
            "result" => {
                if expectations.result.is_some() {
                    return Err(fail("duplicate `result`".into()));
                }
                expectations.result = Some(value.to_string());
            }
            "error" => {
                if expectations.error.is_some() {
                    return Err(fail("duplicate `error`".into()));
                }
                expectations.error = Some(parse_error_value(value).map_err(fail)?);
            }
            "at" => {
                if expectations.at.is_some() {
                    return Err(fail("duplicate `at`".into()));
                }
                expectations.at = Some(parse_line_column(value).map_err(fail)?);
            }
            "file" => {
                if expectations.file.is_some() {
                    return Err(fail("duplicate `file`".into()));
                }
                expectations.file = Some(value.to_string());
            }
            "limits" => {
                if seen_limits {
                    return Err(fail("duplicate `limits`".into()));
                }
                seen_limits = true;
                expectations.limits = parse_limits(value).map_err(fail)?;
            }
            "trace" => expectations
                .trace
                .push(parse_trace_assertion(value).map_err(fail)?),
            other => return Err(fail(format!("unknown expectation key `{other}`"))),
        }
    }
    validate(&expectations).map_err(|message| ExpectationError { line: 0, message })?;
    Ok(expectations)
}

/// The `"expect"` object of a `.ir.json` program.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JsonExpectations {
    #[serde(default)]
    pub error: Option<String>,
    #[serde(default)]
    pub at: Option<String>,
    #[serde(default)]
    pub output: Vec<String>,
    #[serde(default)]
    pub result: Option<String>,
    #[serde(default)]
    pub limits: Option<String>,
    #[serde(default)]
    pub trace: Vec<String>,
}

impl JsonExpectations {
    pub fn into_expectations(self) -> Result<Expectations, ExpectationError> {
        let fail = |message: String| ExpectationError { line: 0, message };
        let expectations = Expectations {
            output: self.output,
            result: self.result,
            error: self
                .error
                .as_deref()
                .map(parse_error_value)
                .transpose()
                .map_err(fail)?,
            at: self
                .at
                .as_deref()
                .map(parse_line_column)
                .transpose()
                .map_err(fail)?,
            file: None,
            limits: self
                .limits
                .as_deref()
                .map(parse_limits)
                .transpose()
                .map_err(fail)?
                .unwrap_or_default(),
            trace: self
                .trace
                .iter()
                .map(|t| parse_trace_assertion(t))
                .collect::<Result<_, _>>()
                .map_err(fail)?,
        };
        validate(&expectations).map_err(fail)?;
        Ok(expectations)
    }
}

fn validate(expectations: &Expectations) -> Result<(), String> {
    if expectations.error.is_some() && expectations.result.is_some() {
        return Err("a program cannot expect both `result` and `error`".into());
    }
    if expectations.at.is_some() && expectations.error.is_none() {
        return Err("`at` given without `error`".into());
    }
    let compile_time = expectations
        .error
        .as_ref()
        .is_some_and(ExpectedError::is_compile_time);
    if compile_time && (!expectations.output.is_empty() || !expectations.trace.is_empty()) {
        return Err("a compile-time error cannot also expect output or trace events".into());
    }
    Ok(())
}

/// `RT0103 index out of bounds: index 5, length 3` -> code + message.
pub fn parse_error_value(value: &str) -> Result<ExpectedError, String> {
    let (code, message) = value
        .split_once(' ')
        .ok_or_else(|| format!("expected `CODE message`, got `{value}`"))?;
    let digits = code
        .strip_prefix("RT")
        .or_else(|| code.strip_prefix('E'))
        .ok_or_else(|| format!("diagnostic code `{code}` must start with RT or E"))?;
    if digits.len() != 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "diagnostic code `{code}` must be RT or E plus 4 digits"
        ));
    }
    if message.trim().is_empty() {
        return Err(format!("diagnostic `{code}` has an empty message"));
    }
    Ok(ExpectedError {
        code: code.to_string(),
        message: message.to_string(),
    })
}

/// `4:11` -> line 4, column 11 (both 1-based).
pub fn parse_line_column(value: &str) -> Result<LineColumn, String> {
    let (line, column) = value
        .trim()
        .split_once(':')
        .ok_or_else(|| format!("expected `line:column`, got `{value}`"))?;
    let parse = |part: &str| -> Result<u32, String> {
        match part.parse::<u32>() {
            Ok(n) if n >= 1 => Ok(n),
            _ => Err(format!("`{part}` in `{value}` is not a 1-based number")),
        }
    };
    Ok(LineColumn {
        line: parse(line)?,
        column: parse(column)?,
    })
}

/// `depth=100 heap=256 fuel=1000 quota=64`.
pub fn parse_limits(value: &str) -> Result<LimitsSpec, String> {
    let mut spec = LimitsSpec::default();
    let words: Vec<&str> = value.split_whitespace().collect();
    if words.is_empty() {
        return Err("`limits` needs at least one `name=number`".into());
    }
    for word in words {
        let (name, number) = word
            .split_once('=')
            .ok_or_else(|| format!("expected `name=number`, got `{word}`"))?;
        let number: u64 = number
            .parse()
            .map_err(|_| format!("`{number}` in `{word}` is not a number"))?;
        let small = || u32::try_from(number).map_err(|_| format!("`{word}` is too large"));
        let slot_taken = match name {
            "depth" => spec.depth.replace(number).is_some(),
            "fuel" => spec.fuel.replace(number).is_some(),
            "heap" => spec.heap.replace(small()?).is_some(),
            "quota" => spec.quota.replace(small()?).is_some(),
            other => {
                return Err(format!(
                    "unknown limit `{other}` (expected depth, heap, quota or fuel)"
                ));
            }
        };
        if slot_taken {
            return Err(format!("limit `{name}` given twice"));
        }
    }
    Ok(spec)
}

pub fn parse_trace_assertion(value: &str) -> Result<TraceAssertion, String> {
    match value.trim() {
        "cow" => Ok(TraceAssertion::Cow),
        "no-cow" => Ok(TraceAssertion::NoCow),
        other => Err(format!("unknown trace assertion `{other}` (cow or no-cow)")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_key() {
        let text = "//# output: hello\n//# output:\nfn main() = 1\n  //# result: [1, \"a\"]\n\
                    //# limits: depth=100 heap=256 fuel=1000\n//# trace: no-cow\n";
        let e = parse_source_expectations(text).unwrap();
        assert_eq!(e.output, vec!["hello".to_string(), String::new()]);
        assert_eq!(e.result.as_deref(), Some("[1, \"a\"]"));
        assert_eq!(e.limits.depth, Some(100));
        assert_eq!(e.limits.heap, Some(256));
        assert_eq!(e.limits.fuel, Some(1000));
        assert_eq!(e.trace, vec![TraceAssertion::NoCow]);
        assert!(e.error.is_none());
    }

    #[test]
    fn parses_error_and_position() {
        let text = "//# error: RT0103 index out of bounds: index 5, length 3\n//# at: 4:11\n";
        let e = parse_source_expectations(text).unwrap();
        let error = e.error.unwrap();
        assert_eq!(error.code, "RT0103");
        assert_eq!(error.message, "index out of bounds: index 5, length 3");
        assert!(!error.is_compile_time());
        assert_eq!(
            e.at,
            Some(LineColumn {
                line: 4,
                column: 11
            })
        );
    }

    #[test]
    fn output_keeps_inner_spacing() {
        let e = parse_source_expectations("//# output:   indented\n").unwrap();
        assert_eq!(e.output, vec!["  indented".to_string()]);
    }

    #[test]
    fn rejects_typos_loudly() {
        for bad in [
            "//# outptu: 1",
            "//# result 1",
            "//# error: X0001 nope",
            "//# error: RT01 short",
            "//# error: RT0101",
            "//# at: 4",
            "//# at: 0:3",
            "//# limits: depht=3",
            "//# limits: depth=x",
            "//# limits:",
            "//# trace: cows",
            "//# result: 1\n//# result: 2",
            "//# result: 1\n//# error: RT0301 integer overflow",
            "//# at: 1:1",
            "//# error: E0101 unknown name: x\n//# output: 1",
        ] {
            assert!(
                parse_source_expectations(bad).is_err(),
                "accepted malformed expectations {bad:?}"
            );
        }
    }

    #[test]
    fn reports_the_offending_line() {
        let error = parse_source_expectations("fn main() = 1\n\n//# reslt: 1\n").unwrap_err();
        assert_eq!(error.line, 3);
        assert!(error.message.contains("reslt"), "{}", error.message);
    }

    #[test]
    fn json_expectations_convert() {
        let json = r#"{"error": "RT0201 unsupported block item in plain block: Yield", "at": "1:1", "output": [], "result": null}"#;
        let parsed: JsonExpectations = serde_json::from_str(json).unwrap();
        let e = parsed.into_expectations().unwrap();
        assert_eq!(e.error.unwrap().code, "RT0201");
        assert_eq!(e.at, Some(LineColumn { line: 1, column: 1 }));
        let unknown = r#"{"eror": "RT0201 x"}"#;
        assert!(serde_json::from_str::<JsonExpectations>(unknown).is_err());
    }

    #[test]
    fn limits_map_onto_runtime_limits() {
        let spec = parse_limits("depth=7 quota=9").unwrap();
        let limits = spec.to_limits();
        assert_eq!(limits.max_call_depth, 7);
        assert_eq!(limits.heap_quota, Some(9));
        assert_eq!(
            limits.heap_blocks,
            cairn_runtime::Limits::default().heap_blocks
        );
        assert_eq!(limits.fuel, None);
    }
}
