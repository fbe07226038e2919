/*
 * aivi_value_abi.h - the AIVI Value ABI v0.1 as implemented by the Cairn runtime.
 *
 * Handles are nullable opaque pointers. NULL means "no value" / "no error". Ownership:
 *  - every function returning a handle returns an OWNED handle (release it once);
 *  - no function consumes a handle passed to it, except the *_release functions;
 *  - retain / clone return NULL on failure with the error parked in the runtime
 *    (take it with aivi_runtime_take_error); release returns 1, or 0 with the error parked;
 *  - a malformed or dangling handle is diagnosed as RT0404, never a crash.
 * AiviValueHandle carries the 64-bit value word in the pointer bits (the all-zero word is
 * never a value); a handle of a heap value given out by an aivi_ or cairn_ function carries
 * its runtime's tag in bits 40..47, and a handle of another runtime is refused (RT0404).
 * (AiviValueHandle)(uintptr_t)word converts a shim result (tag 0: accepted unchecked);
 * shims take words: pass them immediates' handles or words shims returned.
 *
 * The rt_* functions are the runtime shims both engines call (runtime/src/abi/shim_list.rs):
 * context first, 64-bit words in and out, 0 from a fallible shim means "error parked in the
 * context", owned arguments are consumed even on failure. See docs/ABI.md.
 *
 * This file is checked against the Rust sources by runtime/tests/c_host.rs.
 */
#ifndef AIVI_VALUE_ABI_H
#define AIVI_VALUE_ABI_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define AIVI_VALUE_ABI_MAJOR 0
#define AIVI_VALUE_ABI_MINOR 1
#define AIVI_VALUE_ABI_PATCH 0

typedef struct AiviRuntime AiviRuntime;
typedef struct AiviValue *AiviValueHandle;
typedef struct AiviError *AiviErrorHandle;
typedef struct AiviEffect *AiviEffectHandle;
typedef struct AiviRef *AiviRefHandle;

/* ---- version handshake: NULL when compatible, else an owned RT0601 error ------------- */
AiviErrorHandle aivi_value_abi_handshake(uint32_t required_major, uint32_t required_minor);

/* ---- runtime lifecycle ---------------------------------------------------------------- */
AiviRuntime *aivi_runtime_new(uint32_t heap_blocks);
/* 1 (also for NULL); 0 for a runtime not made by aivi_runtime_new (nothing freed; for a
 * cairn_runtime_new runtime, RT0001 parked in it: free that one with cairn_runtime_free) */
uint32_t aivi_runtime_free(AiviRuntime *rt);
/* heap blocks in use; UINT32_MAX (never a count) for NULL or a runtime that is not live
 * (freed, forged) */
uint32_t aivi_runtime_blocks_in_use(AiviRuntime *rt);
AiviErrorHandle aivi_runtime_take_error(AiviRuntime *rt);
uint32_t aivi_runtime_cancel(AiviRuntime *rt);

/* ---- value handles -------------------------------------------------------------------- */
AiviValueHandle aivi_value_retain(AiviRuntime *rt, AiviValueHandle value);
uint32_t aivi_value_release(AiviRuntime *rt, AiviValueHandle value);
AiviValueHandle aivi_value_clone(AiviRuntime *rt, AiviValueHandle value);
AiviValueHandle aivi_value_int(AiviRuntime *rt, int64_t n);
AiviValueHandle aivi_value_float(AiviRuntime *rt, double x);
AiviValueHandle aivi_value_bool(AiviRuntime *rt, uint32_t b);
AiviValueHandle aivi_value_unit(AiviRuntime *rt);
AiviValueHandle aivi_value_text(AiviRuntime *rt, const char *bytes, size_t len);
AiviValueHandle aivi_value_list(AiviRuntime *rt, const AiviValueHandle *items, size_t count);
AiviValueHandle aivi_value_tuple(AiviRuntime *rt, const AiviValueHandle *items, size_t count);
size_t aivi_value_print(AiviRuntime *rt, AiviValueHandle value, char *buf, size_t cap);
const char *aivi_value_kind(AiviRuntime *rt, AiviValueHandle value);
uint32_t aivi_value_as_int(AiviRuntime *rt, AiviValueHandle value, int64_t *out);
uint32_t aivi_value_ref_count(AiviRuntime *rt, AiviValueHandle value);

/* ---- error handles (rt may be NULL: errors need no runtime) --------------------------- */
AiviErrorHandle aivi_error_retain(AiviRuntime *rt, AiviErrorHandle error);
uint32_t aivi_error_release(AiviRuntime *rt, AiviErrorHandle error);
AiviErrorHandle aivi_error_clone(AiviRuntime *rt, AiviErrorHandle error);
const char *aivi_error_code(AiviErrorHandle error);
const char *aivi_error_message(AiviErrorHandle error);
/* where the error points in the script (1-based; 0 when it has no position, for NULL and
 * for a dead handle): errors of failed cairn_call runs and compile errors carry one */
uint32_t aivi_error_line(AiviErrorHandle error);
uint32_t aivi_error_column(AiviErrorHandle error);

/* ---- effect handles (the host-function boundary) -------------------------------------- */
AiviEffectHandle aivi_effect_new(AiviRuntime *rt);
AiviEffectHandle aivi_effect_retain(AiviRuntime *rt, AiviEffectHandle effect);
uint32_t aivi_effect_release(AiviRuntime *rt, AiviEffectHandle effect);
AiviEffectHandle aivi_effect_clone(AiviRuntime *rt, AiviEffectHandle effect);
uint32_t aivi_effect_raise(AiviEffectHandle effect, const char *code, const char *message);
int32_t aivi_effect_is_cancelled(AiviEffectHandle effect);

/* ---- ref handles ---------------------------------------------------------------------- */
AiviRefHandle aivi_ref_retain(AiviRuntime *rt, AiviRefHandle r);
uint32_t aivi_ref_release(AiviRuntime *rt, AiviRefHandle r);
AiviRefHandle aivi_ref_clone(AiviRuntime *rt, AiviRefHandle r);
AiviRefHandle aivi_ref_from_value(AiviRuntime *rt, AiviValueHandle value);
/* the cell's value as a new owned value handle (NULL with RT0404 parked for a bad r) */
AiviValueHandle aivi_ref_get(AiviRuntime *rt, AiviRefHandle r);
/* stores value (borrowed, retained into the cell) and releases the old one: 1, or 0 with
 * RT0403 parked when value contains a Ref (the cell is unchanged), RT0404 for bad handles */
uint32_t aivi_ref_set(AiviRuntime *rt, AiviRefHandle r, AiviValueHandle value);

/* ---- runtime shims (runtime/src/abi/shim_list.rs, in table order) --------------------- */
uint64_t rt_retain(AiviRuntime *ctx, uint64_t value);
uint64_t rt_release(AiviRuntime *ctx, uint64_t value);
uint64_t rt_text_literal(AiviRuntime *ctx, uint64_t ptr, uint64_t len);
uint64_t rt_text_constant(AiviRuntime *ctx, uint64_t id, uint64_t ptr, uint64_t len);
uint64_t rt_add(AiviRuntime *ctx, uint64_t lhs, uint64_t rhs);
uint64_t rt_sub(AiviRuntime *ctx, uint64_t lhs, uint64_t rhs);
uint64_t rt_mul(AiviRuntime *ctx, uint64_t lhs, uint64_t rhs);
uint64_t rt_div(AiviRuntime *ctx, uint64_t lhs, uint64_t rhs);
uint64_t rt_rem(AiviRuntime *ctx, uint64_t lhs, uint64_t rhs);
uint64_t rt_concat(AiviRuntime *ctx, uint64_t lhs, uint64_t rhs);
uint64_t rt_concat_owned_left(AiviRuntime *ctx, uint64_t lhs, uint64_t rhs);
uint64_t rt_neg(AiviRuntime *ctx, uint64_t operand);
uint64_t rt_not(AiviRuntime *ctx, uint64_t operand);
uint64_t rt_eq(AiviRuntime *ctx, uint64_t lhs, uint64_t rhs);
uint64_t rt_ne(AiviRuntime *ctx, uint64_t lhs, uint64_t rhs);
uint64_t rt_lt(AiviRuntime *ctx, uint64_t lhs, uint64_t rhs);
uint64_t rt_le(AiviRuntime *ctx, uint64_t lhs, uint64_t rhs);
uint64_t rt_gt(AiviRuntime *ctx, uint64_t lhs, uint64_t rhs);
uint64_t rt_ge(AiviRuntime *ctx, uint64_t lhs, uint64_t rhs);
uint64_t rt_expect_bool(AiviRuntime *ctx, uint64_t value, uint64_t context);
uint64_t rt_list_from(AiviRuntime *ctx, uint64_t ptr, uint64_t count);
uint64_t rt_tuple_from(AiviRuntime *ctx, uint64_t ptr, uint64_t count);
uint64_t rt_map_from(AiviRuntime *ctx, uint64_t ptr, uint64_t count);
uint64_t rt_tuple_from_list(AiviRuntime *ctx, uint64_t list);
uint64_t rt_map_from_list(AiviRuntime *ctx, uint64_t list);
uint64_t rt_list_extend(AiviRuntime *ctx, uint64_t list, uint64_t other);
uint64_t rt_index(AiviRuntime *ctx, uint64_t base, uint64_t index);
uint64_t rt_expect_tuple_arity(AiviRuntime *ctx, uint64_t value, uint64_t arity);
uint64_t rt_print(AiviRuntime *ctx, uint64_t value);
uint64_t rt_len(AiviRuntime *ctx, uint64_t value);
uint64_t rt_push(AiviRuntime *ctx, uint64_t list, uint64_t value);
uint64_t rt_pop(AiviRuntime *ctx, uint64_t list);
uint64_t rt_set(AiviRuntime *ctx, uint64_t list, uint64_t index, uint64_t value);
uint64_t rt_get(AiviRuntime *ctx, uint64_t container, uint64_t key, uint64_t default_value);
uint64_t rt_insert(AiviRuntime *ctx, uint64_t map, uint64_t key, uint64_t value);
uint64_t rt_remove(AiviRuntime *ctx, uint64_t map, uint64_t key);
uint64_t rt_has(AiviRuntime *ctx, uint64_t map, uint64_t key);
uint64_t rt_str(AiviRuntime *ctx, uint64_t value);
uint64_t rt_closure_from(AiviRuntime *ctx, uint64_t ptr, uint64_t count);
uint64_t rt_call_target(AiviRuntime *ctx, uint64_t callee, uint64_t ptr, uint64_t count);
uint64_t rt_closure_capture(AiviRuntime *ctx, uint64_t closure, uint64_t index);
uint64_t rt_call_host(AiviRuntime *ctx, uint64_t index, uint64_t ptr, uint64_t count);
uint64_t rt_keys(AiviRuntime *ctx, uint64_t map);
uint64_t rt_values(AiviRuntime *ctx, uint64_t map);
uint64_t rt_merge(AiviRuntime *ctx, uint64_t a, uint64_t b);
uint64_t rt_slice(AiviRuntime *ctx, uint64_t list, uint64_t start, uint64_t end);
uint64_t rt_reverse(AiviRuntime *ctx, uint64_t list);
uint64_t rt_fail(AiviRuntime *ctx, uint64_t message);
uint64_t rt_range(AiviRuntime *ctx, uint64_t start, uint64_t end);
uint64_t rt_range_step(AiviRuntime *ctx, uint64_t start, uint64_t end, uint64_t step);
uint64_t rt_iter(AiviRuntime *ctx, uint64_t source);
uint64_t rt_seq_map(AiviRuntime *ctx, uint64_t source, uint64_t f);
uint64_t rt_seq_filter(AiviRuntime *ctx, uint64_t source, uint64_t f);
uint64_t rt_seq_take(AiviRuntime *ctx, uint64_t source, uint64_t n);
uint64_t rt_seq_drop(AiviRuntime *ctx, uint64_t source, uint64_t n);
uint64_t rt_seq_scan(AiviRuntime *ctx, uint64_t source, uint64_t init, uint64_t f);
uint64_t rt_seq_zip(AiviRuntime *ctx, uint64_t left, uint64_t right);
uint64_t rt_collect(AiviRuntime *ctx, uint64_t source);
uint64_t rt_fold(AiviRuntime *ctx, uint64_t source, uint64_t init, uint64_t f);
uint64_t rt_sum(AiviRuntime *ctx, uint64_t source);
uint64_t rt_fused_range_check(AiviRuntime *ctx, uint64_t start, uint64_t end);
uint64_t rt_fused_take_check(AiviRuntime *ctx, uint64_t n);
uint64_t rt_fused_depth_check(AiviRuntime *ctx, uint64_t levels);
uint64_t rt_fused_depth_add(AiviRuntime *ctx, uint64_t delta);
uint64_t rt_fused_sum_add(AiviRuntime *ctx, uint64_t total, uint64_t item);
uint64_t rt_count(AiviRuntime *ctx, uint64_t source);
uint64_t rt_next(AiviRuntime *ctx, uint64_t source);
uint64_t rt_seq_clone(AiviRuntime *ctx, uint64_t source);
uint64_t rt_seq_empty(AiviRuntime *ctx);
/* `checkpoint()`: records the ownership graph in audit mode; Unit. */
uint64_t rt_checkpoint(AiviRuntime *ctx);
uint64_t rt_seq_cons(AiviRuntime *ctx, uint64_t value, uint64_t rest);
uint64_t rt_seq_flat_map(AiviRuntime *ctx, uint64_t source, uint64_t f);
uint64_t rt_seq_defer(AiviRuntime *ctx, uint64_t thunk);
uint64_t rt_seq_append(AiviRuntime *ctx, uint64_t source, uint64_t rest);
uint64_t rt_ref_new(AiviRuntime *ctx, uint64_t value);
uint64_t rt_ref_get(AiviRuntime *ctx, uint64_t reference);
uint64_t rt_ref_set(AiviRuntime *ctx, uint64_t reference, uint64_t value);

/* Standard library: math */
uint64_t rt_abs(AiviRuntime *ctx, uint64_t x);
uint64_t rt_min(AiviRuntime *ctx, uint64_t a, uint64_t b);
uint64_t rt_max(AiviRuntime *ctx, uint64_t a, uint64_t b);
uint64_t rt_clamp(AiviRuntime *ctx, uint64_t x, uint64_t lo, uint64_t hi);
uint64_t rt_floor(AiviRuntime *ctx, uint64_t x);
uint64_t rt_ceil(AiviRuntime *ctx, uint64_t x);
uint64_t rt_round(AiviRuntime *ctx, uint64_t x);
uint64_t rt_trunc(AiviRuntime *ctx, uint64_t x);
uint64_t rt_sqrt(AiviRuntime *ctx, uint64_t x);
uint64_t rt_pow(AiviRuntime *ctx, uint64_t x, uint64_t y);
uint64_t rt_exp(AiviRuntime *ctx, uint64_t x);
uint64_t rt_ln(AiviRuntime *ctx, uint64_t x);
uint64_t rt_log(AiviRuntime *ctx, uint64_t x, uint64_t base);
uint64_t rt_sin(AiviRuntime *ctx, uint64_t x);
uint64_t rt_cos(AiviRuntime *ctx, uint64_t x);
uint64_t rt_tan(AiviRuntime *ctx, uint64_t x);
uint64_t rt_atan2(AiviRuntime *ctx, uint64_t y, uint64_t x);
uint64_t rt_pi(AiviRuntime *ctx);
uint64_t rt_is_nan(AiviRuntime *ctx, uint64_t x);
uint64_t rt_int(AiviRuntime *ctx, uint64_t x);
uint64_t rt_float(AiviRuntime *ctx, uint64_t x);
uint64_t rt_band(AiviRuntime *ctx, uint64_t a, uint64_t b);
uint64_t rt_bor(AiviRuntime *ctx, uint64_t a, uint64_t b);
uint64_t rt_bxor(AiviRuntime *ctx, uint64_t a, uint64_t b);
uint64_t rt_shl(AiviRuntime *ctx, uint64_t x, uint64_t n);
uint64_t rt_shr(AiviRuntime *ctx, uint64_t x, uint64_t n);
/* Standard library: math (end) */

/* Standard library: random */
uint64_t rt_random_ints(AiviRuntime *ctx, uint64_t seed);
uint64_t rt_random_floats(AiviRuntime *ctx, uint64_t seed);
uint64_t rt_random_below(AiviRuntime *ctx, uint64_t seed, uint64_t n);
/* Standard library: random (end) */

/* Standard library: text */
uint64_t rt_text_chars(AiviRuntime *ctx, uint64_t text);
uint64_t rt_text_split(AiviRuntime *ctx, uint64_t text, uint64_t separator);
uint64_t rt_text_join(AiviRuntime *ctx, uint64_t source, uint64_t separator);
uint64_t rt_contains(AiviRuntime *ctx, uint64_t container, uint64_t value);
uint64_t rt_text_starts_with(AiviRuntime *ctx, uint64_t text, uint64_t prefix);
uint64_t rt_text_ends_with(AiviRuntime *ctx, uint64_t text, uint64_t suffix);
uint64_t rt_text_find(AiviRuntime *ctx, uint64_t text, uint64_t needle);
uint64_t rt_text_replace(AiviRuntime *ctx, uint64_t text, uint64_t from, uint64_t to);
uint64_t rt_text_trim(AiviRuntime *ctx, uint64_t text);
uint64_t rt_text_trim_start(AiviRuntime *ctx, uint64_t text);
uint64_t rt_text_trim_end(AiviRuntime *ctx, uint64_t text);
uint64_t rt_text_upper(AiviRuntime *ctx, uint64_t text);
uint64_t rt_text_lower(AiviRuntime *ctx, uint64_t text);
uint64_t rt_text_repeat(AiviRuntime *ctx, uint64_t text, uint64_t count);
uint64_t rt_text_ord(AiviRuntime *ctx, uint64_t text);
uint64_t rt_text_chr(AiviRuntime *ctx, uint64_t code);
uint64_t rt_text_pad_start(AiviRuntime *ctx, uint64_t text, uint64_t width, uint64_t fill);
uint64_t rt_text_pad_end(AiviRuntime *ctx, uint64_t text, uint64_t width, uint64_t fill);
uint64_t rt_text_parse_int(AiviRuntime *ctx, uint64_t text);
uint64_t rt_text_parse_float(AiviRuntime *ctx, uint64_t text);
/* Standard library: text (end) */

/* Standard library: lists and sequences */
uint64_t rt_sort(AiviRuntime *ctx, uint64_t list);
uint64_t rt_sort_by(AiviRuntime *ctx, uint64_t list, uint64_t key);
uint64_t rt_sort_with(AiviRuntime *ctx, uint64_t list, uint64_t before);
uint64_t rt_index_of(AiviRuntime *ctx, uint64_t source, uint64_t target);
uint64_t rt_any(AiviRuntime *ctx, uint64_t source, uint64_t predicate);
uint64_t rt_all(AiviRuntime *ctx, uint64_t source, uint64_t predicate);
uint64_t rt_find_first(AiviRuntime *ctx, uint64_t source, uint64_t predicate);
uint64_t rt_min_of(AiviRuntime *ctx, uint64_t source);
uint64_t rt_max_of(AiviRuntime *ctx, uint64_t source);
uint64_t rt_enumerate(AiviRuntime *ctx, uint64_t source);
uint64_t rt_flat_map(AiviRuntime *ctx, uint64_t source, uint64_t f);
uint64_t rt_chunks(AiviRuntime *ctx, uint64_t source, uint64_t n);
uint64_t rt_windows(AiviRuntime *ctx, uint64_t source, uint64_t n);
uint64_t rt_unique(AiviRuntime *ctx, uint64_t source);
/* Standard library: lists and sequences (end) */
uint64_t rt_enter(AiviRuntime *ctx);
uint64_t rt_leave(AiviRuntime *ctx);
uint64_t rt_fuel(AiviRuntime *ctx);
uint64_t rt_unwind_frame(AiviRuntime *ctx, uint64_t function, uint64_t op);

#ifdef __cplusplus
}
#endif

#endif /* AIVI_VALUE_ABI_H */
