//! Reference-count shims: `rt_retain` (copy instead of saturating) and `rt_release`.

use crate::objects;
use crate::value::Value;

define_shim! {
    /// `retain(v)`: returns `v`, or an owned copy when `REF_COUNT` would saturate. Immediates
    /// are returned unchanged. 0 (RT0404) for a bad reference.
    fn rt_retain(context, value) {
        Ok(objects::retain(&mut context.heap, Value(value))?.bits())
    }
}

define_shim! {
    /// `release(v)`: never fails; a release of an immediate is a no-op. Integrity violations
    /// are pushed to `ctx.heap.integrity_violations`. Returns 1.
    fn rt_release(context, value) {
        super::release_recording(context, Value(value));
        Ok(1)
    }
}
