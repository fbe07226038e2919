//! Cairn's language front end and the shared RC IR: lexer, parser, resolver, lowering, the
//! RC insertion pass, the IR verifier and printer. It knows nothing of the heap's layout or
//! of Cranelift.

pub mod ir;
