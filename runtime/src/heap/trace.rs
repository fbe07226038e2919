//! Refcount trace events (docs/MEMORY.md, "Traces and snapshots"): the ordered record of every
//! malloc, incRef, decRef, free and cow, with a logical sequence number, exportable as JSON Lines.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RefOp {
    #[serde(rename = "malloc")]
    Malloc,
    #[serde(rename = "incRef")]
    IncRef,
    #[serde(rename = "decRef")]
    DecRef,
    #[serde(rename = "free")]
    Free,
    /// Copy-on-write copied the object whose head is `block`; the copy's `malloc` follows.
    #[serde(rename = "cow")]
    Cow,
}

impl RefOp {
    /// Every event kind, in the order of docs/MEMORY.md, "Traces and snapshots" (`malloc incRef
    /// decRef free`, then `cow`).
    pub const ALL: [RefOp; 5] = [
        RefOp::Malloc,
        RefOp::IncRef,
        RefOp::DecRef,
        RefOp::Free,
        RefOp::Cow,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RefOp::Malloc => "malloc",
            RefOp::IncRef => "incRef",
            RefOp::DecRef => "decRef",
            RefOp::Free => "free",
            RefOp::Cow => "cow",
        }
    }
}

/// One event. `block` is the 32-bit heap address (segment << 16 | index) of a head block.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TraceEvent {
    /// The event's position in the trace, from 0.
    pub seq: u64,
    /// What happened to the block.
    pub op: RefOp,
    /// The head block's heap address.
    pub block: u32,
    /// The block's reference count before the event.
    pub old: u16,
    /// The block's reference count after the event.
    pub new: u16,
}

impl std::fmt::Display for TraceEvent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "#{} {} block {} ({} -> {})",
            self.seq,
            self.op.as_str(),
            self.block,
            self.old,
            self.new
        )
    }
}

/// Writes events as JSON Lines: `{"seq":0,"op":"malloc","block":3,"old":0,"new":1}`.
pub fn write_json_lines(
    events: &[TraceEvent],
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    for event in events {
        serde_json::to_writer(&mut *out, event)?;
        out.write_all(b"\n")?;
    }
    Ok(())
}

/// Parses JSON Lines written by [`write_json_lines`].
pub fn read_json_lines(text: &str) -> Result<Vec<TraceEvent>, serde_json::Error> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(serde_json::from_str)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_lines_use_the_spec_shape_and_round_trip() {
        let events = vec![
            TraceEvent {
                seq: 0,
                op: RefOp::Malloc,
                block: 3,
                old: 0,
                new: 1,
            },
            TraceEvent {
                seq: 1,
                op: RefOp::IncRef,
                block: 3,
                old: 1,
                new: 2,
            },
        ];
        let mut out = Vec::new();
        write_json_lines(&events, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(
            text.lines().next().unwrap(),
            r#"{"seq":0,"op":"malloc","block":3,"old":0,"new":1}"#
        );
        assert_eq!(read_json_lines(&text).unwrap(), events);
    }
}
