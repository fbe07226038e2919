//! The object layer: how each value kind is laid out in heap blocks, plus the generic
//! operations over objects (retain/release, equality, ordering, canonical printing).
//!
//! Every object's head block payload begins with a 4-byte object header (see
//! [`header`]). Layout constants live in one place per kind (`text`, `list`, `tuple`, `map`).
//! Every heap reference that comes in from outside is validated with [`header::checked_head`]
//! before its memory is read, so a bad word becomes RT0404 instead of a misread.

pub mod children;
pub mod equality;
pub mod header;
pub mod host_object;
pub mod keys;
pub mod list;
pub mod list_append;
pub mod list_sort;
pub mod list_tail;
pub mod list_update;
pub mod map;
pub mod map_update;
pub mod measure;
pub mod ordering;
pub mod print;
pub mod random;
pub mod release;
pub mod seq;
pub mod seq_clone;
pub mod seq_consume;
pub mod seq_group;
pub mod seq_pull;
pub mod seq_search;
pub mod text;
pub mod text_append;
pub mod text_compare;
pub mod text_scalars;
pub mod tuple;
pub mod walk_meter;

pub use header::{checked_head, kind_name_of};
pub use print::canonical_form;
pub use release::{release, retain};
