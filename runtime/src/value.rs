//! The NaN-boxed 64-bit value word: encoding, decoding and the object kinds.
//!
//! Layout (the all-zero word is never a valid value, so a zero word can mean "no value"):
//!
//! | top 16 bits          | meaning                                                        |
//! |----------------------|----------------------------------------------------------------|
//! | `0x0000`             | invalid (includes the all-zero word)                           |
//! | `0x0001`             | Int: low 48 bits are a two's-complement i48                    |
//! | `0x0002`             | immediate: low bits `0` = Unit, `2` = false, `3` = true        |
//! | `0x0003`             | heap reference: bits 32..48 = [`Kind`], low 32 bits = address  |
//! | `0x0004..=0xFFF4`    | Float: `f64::to_bits(x) + FLOAT_OFFSET` (NaNs canonicalised)   |
//!
//! A heap address is `segment << 16 | block_index`; only segment 0 exists today, so a
//! later multi-segment heap needs no new encoding.

/// Added to an f64's bit pattern so that no float encodes to a word below `0x0004 << 48`.
pub const FLOAT_OFFSET: u64 = 0x0004_0000_0000_0000;
/// The canonical quiet NaN every NaN is folded to before boxing.
pub const CANONICAL_NAN_BITS: u64 = 0x7FF8_0000_0000_0000;
/// The largest float word (`-inf`); words above it are never produced.
pub const MAX_FLOAT_WORD: u64 = 0xFFF0_0000_0000_0000 + FLOAT_OFFSET;
pub const TAG_SHIFT: u32 = 48;
pub const TAG_INT: u64 = 0x0001;
pub const TAG_IMMEDIATE: u64 = 0x0002;
pub const TAG_HEAP: u64 = 0x0003;
pub const PAYLOAD_MASK: u64 = 0x0000_FFFF_FFFF_FFFF;
/// Smallest and largest Int (48-bit signed).
pub const INT_MIN: i64 = -(1 << 47);
pub const INT_MAX: i64 = (1 << 47) - 1;

pub const UNIT_WORD: u64 = TAG_IMMEDIATE << TAG_SHIFT;
pub const FALSE_WORD: u64 = (TAG_IMMEDIATE << TAG_SHIFT) | 2;
pub const TRUE_WORD: u64 = (TAG_IMMEDIATE << TAG_SHIFT) | 3;

/// Object kinds stored in heap references (and in byte 0 of every head block's payload).
/// `ListNode` and `MapNode` are interior nodes that scripts never see as values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum Kind {
    Text = 1,
    List = 2,
    Tuple = 3,
    Map = 4,
    Seq = 5,
    Closure = 6,
    Ref = 7,
    ListNode = 8,
    MapNode = 9,
    /// A host object (docs/MEMORY.md, "Host objects"): one block naming a slot of the
    /// heap's host object table.
    HostObject = 10,
}

impl Kind {
    pub fn from_u8(byte: u8) -> Option<Kind> {
        Some(match byte {
            1 => Kind::Text,
            2 => Kind::List,
            3 => Kind::Tuple,
            4 => Kind::Map,
            5 => Kind::Seq,
            6 => Kind::Closure,
            7 => Kind::Ref,
            8 => Kind::ListNode,
            9 => Kind::MapNode,
            10 => Kind::HostObject,
            _ => return None,
        })
    }
}

/// The user-visible kind names (docs/LANGUAGE.md, "Values and operators") (`{kind}` in
/// diagnostics).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KindName {
    Int,
    Float,
    Bool,
    Unit,
    Text,
    List,
    Tuple,
    Map,
    Seq,
    Closure,
    Ref,
    HostObject,
}

impl KindName {
    pub fn as_str(self) -> &'static str {
        match self {
            KindName::Int => "Int",
            KindName::Float => "Float",
            KindName::Bool => "Bool",
            KindName::Unit => "Unit",
            KindName::Text => "Text",
            KindName::List => "List",
            KindName::Tuple => "Tuple",
            KindName::Map => "Map",
            KindName::Seq => "Seq",
            KindName::Closure => "Closure",
            KindName::Ref => "Ref",
            KindName::HostObject => "HostObject",
        }
    }
}

impl std::fmt::Display for KindName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A heap address: 16-bit segment and 16-bit block index.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BlockAddress {
    pub segment: u16,
    pub index: u16,
}

impl BlockAddress {
    /// The 32-bit heap address `segment << 16 | index` the heap and traces use.
    #[inline]
    pub fn bits(self) -> u32 {
        (u32::from(self.segment) << 16) | u32::from(self.index)
    }

    /// The address with bits `segment << 16 | index`.
    #[inline]
    pub fn from_bits(bits: u32) -> BlockAddress {
        BlockAddress {
            segment: (bits >> 16) as u16,
            index: bits as u16,
        }
    }
}

/// One value word. `Copy` on purpose: it is a plain token, and ownership is tracked by the
/// RC IR and the runtime, never by Rust's drop glue.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
#[repr(transparent)]
pub struct Value(pub u64);

impl Value {
    pub const UNIT: Value = Value(UNIT_WORD);
    pub const FALSE: Value = Value(FALSE_WORD);
    pub const TRUE: Value = Value(TRUE_WORD);

    #[inline]
    pub fn bits(self) -> u64 {
        self.0
    }

    #[inline]
    fn tag(self) -> u64 {
        self.0 >> TAG_SHIFT
    }

    /// Boxes an Int; `None` when it does not fit in 48 bits (RT0301 at the caller).
    #[inline]
    pub fn int(n: i64) -> Option<Value> {
        if (INT_MIN..=INT_MAX).contains(&n) {
            Some(Value((TAG_INT << TAG_SHIFT) | (n as u64 & PAYLOAD_MASK)))
        } else {
            None
        }
    }

    #[inline]
    pub fn float(x: f64) -> Value {
        let bits = if x.is_nan() {
            CANONICAL_NAN_BITS
        } else {
            x.to_bits()
        };
        Value(bits.wrapping_add(FLOAT_OFFSET))
    }

    #[inline]
    pub fn bool(b: bool) -> Value {
        if b { Value::TRUE } else { Value::FALSE }
    }

    #[inline]
    pub fn heap(kind: Kind, address: BlockAddress) -> Value {
        Value(
            (TAG_HEAP << TAG_SHIFT)
                | ((kind as u64) << 32)
                | ((address.segment as u64) << 16)
                | address.index as u64,
        )
    }

    #[inline]
    pub fn is_int(self) -> bool {
        self.tag() == TAG_INT
    }
    #[inline]
    pub fn is_float(self) -> bool {
        self.0 >= FLOAT_OFFSET
    }
    #[inline]
    pub fn is_bool(self) -> bool {
        self.0 == FALSE_WORD || self.0 == TRUE_WORD
    }
    #[inline]
    pub fn is_unit(self) -> bool {
        self.0 == UNIT_WORD
    }
    #[inline]
    pub fn is_heap(self) -> bool {
        self.tag() == TAG_HEAP
    }
    /// True for every word this module can produce (used to validate host input).
    #[inline]
    pub fn is_well_formed(self) -> bool {
        self.is_int()
            || (self.is_float() && self.0 <= MAX_FLOAT_WORD)
            || self.is_bool()
            || self.is_unit()
            || (self.is_heap() && self.heap_kind().is_some() && (self.0 >> 40) & 0xFF == 0)
    }

    #[inline]
    pub fn as_int(self) -> Option<i64> {
        if self.is_int() {
            Some(((self.0 << 16) as i64) >> 16)
        } else {
            None
        }
    }
    #[inline]
    pub fn as_float(self) -> Option<f64> {
        if self.is_float() {
            Some(f64::from_bits(self.0.wrapping_sub(FLOAT_OFFSET)))
        } else {
            None
        }
    }
    #[inline]
    pub fn as_bool(self) -> Option<bool> {
        match self.0 {
            TRUE_WORD => Some(true),
            FALSE_WORD => Some(false),
            _ => None,
        }
    }
    /// Either number as f64 (Int promotes).
    #[inline]
    pub fn as_number(self) -> Option<f64> {
        self.as_int().map(|n| n as f64).or_else(|| self.as_float())
    }
    #[inline]
    pub fn heap_kind(self) -> Option<Kind> {
        if self.is_heap() {
            Kind::from_u8(((self.0 >> 32) & 0xFF) as u8)
        } else {
            None
        }
    }
    #[inline]
    pub fn heap_address(self) -> Option<BlockAddress> {
        if self.is_heap() {
            Some(BlockAddress {
                segment: (self.0 >> 16) as u16,
                index: self.0 as u16,
            })
        } else {
            None
        }
    }

    /// The kind and 32-bit heap address of a *well-formed* heap reference (heap tag, zero
    /// reserved byte, a known kind byte) in one test: what [`Value::is_well_formed`],
    /// [`Value::heap_kind`] and [`Value::heap_block`] together accept for heap words.
    #[inline]
    pub fn well_formed_heap_parts(self) -> Option<(Kind, u32)> {
        if self.0 >> 40 != TAG_HEAP << (TAG_SHIFT - 40) {
            return None;
        }
        Some((Kind::from_u8((self.0 >> 32) as u8)?, self.0 as u32))
    }

    /// The 32-bit heap address (`segment << 16 | index`) of a heap reference.
    #[inline]
    pub fn heap_block(self) -> Option<u32> {
        self.is_heap().then_some(self.0 as u32)
    }

    /// The user-visible kind; `None` for malformed words and interior node kinds.
    pub fn kind_name(self) -> Option<KindName> {
        if self.is_int() {
            return Some(KindName::Int);
        }
        if self.is_float() {
            return Some(KindName::Float);
        }
        if self.is_bool() {
            return Some(KindName::Bool);
        }
        if self.is_unit() {
            return Some(KindName::Unit);
        }
        Some(match self.heap_kind()? {
            Kind::Text => KindName::Text,
            Kind::List => KindName::List,
            Kind::Tuple => KindName::Tuple,
            Kind::Map => KindName::Map,
            Kind::Seq => KindName::Seq,
            Kind::Closure => KindName::Closure,
            Kind::Ref => KindName::Ref,
            Kind::HostObject => KindName::HostObject,
            Kind::ListNode | Kind::MapNode => return None,
        })
    }
}

impl std::fmt::Debug for Value {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(n) = self.as_int() {
            write!(f, "Int({n})")
        } else if let Some(x) = self.as_float() {
            write!(f, "Float({x:?})")
        } else if let Some(b) = self.as_bool() {
            write!(f, "Bool({b})")
        } else if self.is_unit() {
            write!(f, "Unit")
        } else if let (Some(kind), Some(address)) = (self.heap_kind(), self.heap_address()) {
            write!(f, "{kind:?}@{}:{}", address.segment, address.index)
        } else {
            write!(f, "Invalid({:#018x})", self.0)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_word_is_not_a_value() {
        assert!(!Value(0).is_well_formed());
        assert_eq!(Value(0).kind_name(), None);
    }

    #[test]
    fn ints_round_trip_at_the_edges() {
        for n in [0, 1, -1, INT_MIN, INT_MAX, 12345, -98765] {
            let v = Value::int(n).unwrap();
            assert_eq!(v.as_int(), Some(n));
            assert!(!v.is_float());
            assert_ne!(v.0, 0);
        }
        assert_eq!(Value::int(INT_MAX + 1), None);
        assert_eq!(Value::int(INT_MIN - 1), None);
    }

    #[test]
    fn floats_round_trip_and_nans_are_canonical() {
        for x in [
            0.0,
            -0.0,
            1.5,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::MIN_POSITIVE,
            f64::MAX,
        ] {
            let v = Value::float(x);
            assert_eq!(v.as_float().unwrap().to_bits(), x.to_bits());
            assert!(!v.is_int() && !v.is_heap() && v.0 != 0);
        }
        let a = Value::float(f64::NAN);
        let b = Value::float(-f64::NAN);
        assert_eq!(a, b);
        assert!(a.as_float().unwrap().is_nan());
    }

    #[test]
    fn heap_references_carry_kind_and_address() {
        let address = BlockAddress {
            segment: 0,
            index: 65534,
        };
        let v = Value::heap(Kind::Map, address);
        assert_eq!(v.heap_kind(), Some(Kind::Map));
        assert_eq!(v.heap_address(), Some(address));
        assert_eq!(v.kind_name(), Some(KindName::Map));
        assert!(v.is_well_formed());
        assert!(!v.is_float());
    }
}
