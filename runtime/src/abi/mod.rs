//! The Value ABI: version handshake, C handles, and the `extern "C"` shims both engines call.

pub mod handles;
pub mod host;
pub mod host_methods;
pub mod invoke;
pub mod shim_list;
pub mod shims;
pub mod version;

pub use shim_list::Shim;
