//! TEMPORARY scaffolding: every shim parks RT0001 "not implemented". Replaced, file by file,
//! by the real definitions; this file is deleted when the last one lands.

use crate::context::Context;
use crate::error::RuntimeError;

/// # Safety
/// See [`super::guard`].
pub unsafe extern "C" fn rt_retain(ctx: *mut Context, _value: u64) -> u64 {
    // SAFETY: forwarded from this function's own contract.
    unsafe {
        super::guard(ctx, |_| {
            Err(RuntimeError::internal("rt_retain not implemented"))
        })
    }
}

/// # Safety
/// See [`super::guard`].
pub unsafe extern "C" fn rt_release(ctx: *mut Context, _value: u64) -> u64 {
    // SAFETY: forwarded from this function's own contract.
    unsafe {
        super::guard(ctx, |_| {
            Err(RuntimeError::internal("rt_release not implemented"))
        })
    }
}

/// # Safety
/// See [`super::guard`].
pub unsafe extern "C" fn rt_text_literal(ctx: *mut Context, _ptr: u64, _len: u64) -> u64 {
    // SAFETY: forwarded from this function's own contract.
    unsafe {
        super::guard(ctx, |_| {
            Err(RuntimeError::internal("rt_text_literal not implemented"))
        })
    }
}

/// # Safety
/// See [`super::guard`].
pub unsafe extern "C" fn rt_add(ctx: *mut Context, _lhs: u64, _rhs: u64) -> u64 {
    // SAFETY: forwarded from this function's own contract.
    unsafe {
        super::guard(ctx, |_| {
            Err(RuntimeError::internal("rt_add not implemented"))
        })
    }
}

/// # Safety
/// See [`super::guard`].
pub unsafe extern "C" fn rt_sub(ctx: *mut Context, _lhs: u64, _rhs: u64) -> u64 {
    // SAFETY: forwarded from this function's own contract.
    unsafe {
        super::guard(ctx, |_| {
            Err(RuntimeError::internal("rt_sub not implemented"))
        })
    }
}

/// # Safety
/// See [`super::guard`].
pub unsafe extern "C" fn rt_mul(ctx: *mut Context, _lhs: u64, _rhs: u64) -> u64 {
    // SAFETY: forwarded from this function's own contract.
    unsafe {
        super::guard(ctx, |_| {
            Err(RuntimeError::internal("rt_mul not implemented"))
        })
    }
}

/// # Safety
/// See [`super::guard`].
pub unsafe extern "C" fn rt_div(ctx: *mut Context, _lhs: u64, _rhs: u64) -> u64 {
    // SAFETY: forwarded from this function's own contract.
    unsafe {
        super::guard(ctx, |_| {
            Err(RuntimeError::internal("rt_div not implemented"))
        })
    }
}

/// # Safety
/// See [`super::guard`].
pub unsafe extern "C" fn rt_rem(ctx: *mut Context, _lhs: u64, _rhs: u64) -> u64 {
    // SAFETY: forwarded from this function's own contract.
    unsafe {
        super::guard(ctx, |_| {
            Err(RuntimeError::internal("rt_rem not implemented"))
        })
    }
}

/// # Safety
/// See [`super::guard`].
pub unsafe extern "C" fn rt_concat(ctx: *mut Context, _lhs: u64, _rhs: u64) -> u64 {
    // SAFETY: forwarded from this function's own contract.
    unsafe {
        super::guard(ctx, |_| {
            Err(RuntimeError::internal("rt_concat not implemented"))
        })
    }
}

/// # Safety
/// See [`super::guard`].
pub unsafe extern "C" fn rt_neg(ctx: *mut Context, _operand: u64) -> u64 {
    // SAFETY: forwarded from this function's own contract.
    unsafe {
        super::guard(ctx, |_| {
            Err(RuntimeError::internal("rt_neg not implemented"))
        })
    }
}

/// # Safety
/// See [`super::guard`].
pub unsafe extern "C" fn rt_not(ctx: *mut Context, _operand: u64) -> u64 {
    // SAFETY: forwarded from this function's own contract.
    unsafe {
        super::guard(ctx, |_| {
            Err(RuntimeError::internal("rt_not not implemented"))
        })
    }
}

/// # Safety
/// See [`super::guard`].
pub unsafe extern "C" fn rt_eq(ctx: *mut Context, _lhs: u64, _rhs: u64) -> u64 {
    // SAFETY: forwarded from this function's own contract.
    unsafe {
        super::guard(ctx, |_| {
            Err(RuntimeError::internal("rt_eq not implemented"))
        })
    }
}

/// # Safety
/// See [`super::guard`].
pub unsafe extern "C" fn rt_ne(ctx: *mut Context, _lhs: u64, _rhs: u64) -> u64 {
    // SAFETY: forwarded from this function's own contract.
    unsafe {
        super::guard(ctx, |_| {
            Err(RuntimeError::internal("rt_ne not implemented"))
        })
    }
}

/// # Safety
/// See [`super::guard`].
pub unsafe extern "C" fn rt_lt(ctx: *mut Context, _lhs: u64, _rhs: u64) -> u64 {
    // SAFETY: forwarded from this function's own contract.
    unsafe {
        super::guard(ctx, |_| {
            Err(RuntimeError::internal("rt_lt not implemented"))
        })
    }
}

/// # Safety
/// See [`super::guard`].
pub unsafe extern "C" fn rt_le(ctx: *mut Context, _lhs: u64, _rhs: u64) -> u64 {
    // SAFETY: forwarded from this function's own contract.
    unsafe {
        super::guard(ctx, |_| {
            Err(RuntimeError::internal("rt_le not implemented"))
        })
    }
}

/// # Safety
/// See [`super::guard`].
pub unsafe extern "C" fn rt_gt(ctx: *mut Context, _lhs: u64, _rhs: u64) -> u64 {
    // SAFETY: forwarded from this function's own contract.
    unsafe {
        super::guard(ctx, |_| {
            Err(RuntimeError::internal("rt_gt not implemented"))
        })
    }
}

/// # Safety
/// See [`super::guard`].
pub unsafe extern "C" fn rt_ge(ctx: *mut Context, _lhs: u64, _rhs: u64) -> u64 {
    // SAFETY: forwarded from this function's own contract.
    unsafe {
        super::guard(ctx, |_| {
            Err(RuntimeError::internal("rt_ge not implemented"))
        })
    }
}

/// # Safety
/// See [`super::guard`].
pub unsafe extern "C" fn rt_expect_bool(ctx: *mut Context, _value: u64, _context: u64) -> u64 {
    // SAFETY: forwarded from this function's own contract.
    unsafe {
        super::guard(ctx, |_| {
            Err(RuntimeError::internal("rt_expect_bool not implemented"))
        })
    }
}

/// # Safety
/// See [`super::guard`].
pub unsafe extern "C" fn rt_list_from(ctx: *mut Context, _ptr: u64, _count: u64) -> u64 {
    // SAFETY: forwarded from this function's own contract.
    unsafe {
        super::guard(ctx, |_| {
            Err(RuntimeError::internal("rt_list_from not implemented"))
        })
    }
}

/// # Safety
/// See [`super::guard`].
pub unsafe extern "C" fn rt_tuple_from(ctx: *mut Context, _ptr: u64, _count: u64) -> u64 {
    // SAFETY: forwarded from this function's own contract.
    unsafe {
        super::guard(ctx, |_| {
            Err(RuntimeError::internal("rt_tuple_from not implemented"))
        })
    }
}

/// # Safety
/// See [`super::guard`].
pub unsafe extern "C" fn rt_map_from(ctx: *mut Context, _ptr: u64, _count: u64) -> u64 {
    // SAFETY: forwarded from this function's own contract.
    unsafe {
        super::guard(ctx, |_| {
            Err(RuntimeError::internal("rt_map_from not implemented"))
        })
    }
}

/// # Safety
/// See [`super::guard`].
pub unsafe extern "C" fn rt_list_extend(ctx: *mut Context, _list: u64, _other: u64) -> u64 {
    // SAFETY: forwarded from this function's own contract.
    unsafe {
        super::guard(ctx, |_| {
            Err(RuntimeError::internal("rt_list_extend not implemented"))
        })
    }
}

/// # Safety
/// See [`super::guard`].
pub unsafe extern "C" fn rt_index(ctx: *mut Context, _base: u64, _index: u64) -> u64 {
    // SAFETY: forwarded from this function's own contract.
    unsafe {
        super::guard(ctx, |_| {
            Err(RuntimeError::internal("rt_index not implemented"))
        })
    }
}

/// # Safety
/// See [`super::guard`].
pub unsafe extern "C" fn rt_print(ctx: *mut Context, _value: u64) -> u64 {
    // SAFETY: forwarded from this function's own contract.
    unsafe {
        super::guard(ctx, |_| {
            Err(RuntimeError::internal("rt_print not implemented"))
        })
    }
}

/// # Safety
/// See [`super::guard`].
pub unsafe extern "C" fn rt_len(ctx: *mut Context, _value: u64) -> u64 {
    // SAFETY: forwarded from this function's own contract.
    unsafe {
        super::guard(ctx, |_| {
            Err(RuntimeError::internal("rt_len not implemented"))
        })
    }
}

/// # Safety
/// See [`super::guard`].
pub unsafe extern "C" fn rt_push(ctx: *mut Context, _list: u64, _value: u64) -> u64 {
    // SAFETY: forwarded from this function's own contract.
    unsafe {
        super::guard(ctx, |_| {
            Err(RuntimeError::internal("rt_push not implemented"))
        })
    }
}

/// # Safety
/// See [`super::guard`].
pub unsafe extern "C" fn rt_pop(ctx: *mut Context, _list: u64) -> u64 {
    // SAFETY: forwarded from this function's own contract.
    unsafe {
        super::guard(ctx, |_| {
            Err(RuntimeError::internal("rt_pop not implemented"))
        })
    }
}

/// # Safety
/// See [`super::guard`].
pub unsafe extern "C" fn rt_set(ctx: *mut Context, _list: u64, _index: u64, _value: u64) -> u64 {
    // SAFETY: forwarded from this function's own contract.
    unsafe {
        super::guard(ctx, |_| {
            Err(RuntimeError::internal("rt_set not implemented"))
        })
    }
}

/// # Safety
/// See [`super::guard`].
pub unsafe extern "C" fn rt_get(
    ctx: *mut Context,
    _container: u64,
    _key: u64,
    _default: u64,
) -> u64 {
    // SAFETY: forwarded from this function's own contract.
    unsafe {
        super::guard(ctx, |_| {
            Err(RuntimeError::internal("rt_get not implemented"))
        })
    }
}

/// # Safety
/// See [`super::guard`].
pub unsafe extern "C" fn rt_insert(ctx: *mut Context, _map: u64, _key: u64, _value: u64) -> u64 {
    // SAFETY: forwarded from this function's own contract.
    unsafe {
        super::guard(ctx, |_| {
            Err(RuntimeError::internal("rt_insert not implemented"))
        })
    }
}

/// # Safety
/// See [`super::guard`].
pub unsafe extern "C" fn rt_remove(ctx: *mut Context, _map: u64, _key: u64) -> u64 {
    // SAFETY: forwarded from this function's own contract.
    unsafe {
        super::guard(ctx, |_| {
            Err(RuntimeError::internal("rt_remove not implemented"))
        })
    }
}

/// # Safety
/// See [`super::guard`].
pub unsafe extern "C" fn rt_has(ctx: *mut Context, _map: u64, _key: u64) -> u64 {
    // SAFETY: forwarded from this function's own contract.
    unsafe {
        super::guard(ctx, |_| {
            Err(RuntimeError::internal("rt_has not implemented"))
        })
    }
}

/// # Safety
/// See [`super::guard`].
pub unsafe extern "C" fn rt_str(ctx: *mut Context, _value: u64) -> u64 {
    // SAFETY: forwarded from this function's own contract.
    unsafe {
        super::guard(ctx, |_| {
            Err(RuntimeError::internal("rt_str not implemented"))
        })
    }
}

/// # Safety
/// See [`super::guard`].
pub unsafe extern "C" fn rt_enter(ctx: *mut Context) -> u64 {
    // SAFETY: forwarded from this function's own contract.
    unsafe {
        super::guard(ctx, |_| {
            Err(RuntimeError::internal("rt_enter not implemented"))
        })
    }
}

/// # Safety
/// See [`super::guard`].
pub unsafe extern "C" fn rt_leave(ctx: *mut Context) -> u64 {
    // SAFETY: forwarded from this function's own contract.
    unsafe {
        super::guard(ctx, |_| {
            Err(RuntimeError::internal("rt_leave not implemented"))
        })
    }
}

/// # Safety
/// See [`super::guard`].
pub unsafe extern "C" fn rt_fuel(ctx: *mut Context) -> u64 {
    // SAFETY: forwarded from this function's own contract.
    unsafe {
        super::guard(ctx, |_| {
            Err(RuntimeError::internal("rt_fuel not implemented"))
        })
    }
}

/// # Safety
/// See [`super::guard`].
pub unsafe extern "C" fn rt_unwind_frame(ctx: *mut Context, _function: u64, _op: u64) -> u64 {
    // SAFETY: forwarded from this function's own contract.
    unsafe {
        super::guard(ctx, |_| {
            Err(RuntimeError::internal("rt_unwind_frame not implemented"))
        })
    }
}
