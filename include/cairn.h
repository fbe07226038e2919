/*
 * cairn.h - embed Cairn in a C host: engines with host functions, compilation, runtimes with
 * limits, calls by name with value handles, cancellation, and the value readers the Value ABI
 * header lacks. Implemented by the `cairn` crate (embed/src/capi/); link its staticlib (libcairn.a)
 * and the system libraries Rust's standard library needs (see docs/ABI.md, "The C embedding API
 * (`include/cairn.h`)").
 *
 * Builds on aivi_value_abi.h, whose rules hold here too:
 *  - handles are nullable opaque pointers; every function returning a handle returns an
 *    OWNED one (release it once); no function consumes a handle passed to it except the
 *    *_release / *_free functions;
 *  - a NULL, released, forged or wrong-kind handle is an error result (RT0404 / RT0303),
 *    never a crash; no function unwinds or aborts into the host.
 *
 * ONE RUNTIME POINTER. cairn_runtime_new returns an AiviRuntime * that every aivi_* function
 * accepts: build arguments with aivi_value_* in it, cairn_call into it, read the result from
 * it, take its errors with aivi_runtime_take_error. Host functions receive the same pointer.
 * Free it with cairn_runtime_free (aivi_runtime_free refuses it).
 *
 * ERRORS. Functions taking a runtime report failure as NULL / 0 / SIZE_MAX with the error
 * parked in the runtime (the first parked error is kept until taken). Functions without one
 * (engines, compilation, runtime creation) write an owned error to an optional
 * AiviErrorHandle *error_out (NULL on success). Errors of failed calls and compile errors
 * carry a source position: aivi_error_line / aivi_error_column.
 *
 * THREADS. Engines, modules and cancel handles may be used from any thread. A runtime is
 * used by one thread at a time. A call runs on the calling thread (on a stack segment sized
 * for the call-depth limit when the thread's own is too small), and so do its host functions;
 * they may run concurrently in several runtimes: make them (and their user data) thread-safe.
 *
 * Checked against the Rust sources by embed/tests/c_api.rs.
 */
#ifndef CAIRN_H
#define CAIRN_H

#include "aivi_value_abi.h"

#ifdef __cplusplus
extern "C" {
#endif

#define CAIRN_ENGINE_INTERPRETER 0
#define CAIRN_ENGINE_JIT 1

typedef struct CairnEngine CairnEngine;
typedef struct CairnModule CairnModule;
typedef struct CairnCancel CairnCancel;

/* The limits of a runtime (docs/EMBEDDING.md, "Limits and cancellation"). A field of 0 takes its
 * default, as in Rust, where a zero limit is refused (RT0404): 0 never means "zero". */
typedef struct CairnLimits {
    uint32_t heap_blocks;    /* heap size in 64-byte blocks; 0 = 2^24 (1 GiB, mapped as needed) */
    uint32_t heap_quota;     /* soft quota in blocks (RT0402); 0 = none */
    uint64_t max_call_depth; /* RT0501 beyond it; 0 = 10,000 */
    uint64_t fuel;           /* units per call, one per function entry and loop back-edge
                                (RT0502); 0 = unlimited */
    uint64_t fail_alloc_at;  /* testing: the Nth block allocation of every call fails with
                                RT0401 (as a full heap does); 0 = never */
    uint64_t time_limit_ms;  /* wall-clock limit per call in ms: RT0503 "execution cancelled:
                                time limit of ... exceeded" (not deterministic); 0 = none */
} CairnLimits;

/* A host function. args: nargs BORROWED handles valid for the call (retain one to keep it).
 * Return an OWNED handle (the script gets it; an argument returned as lent, `return args[0];`,
 * is retained by the runtime), or NULL to fail the call:
 *  - with an error parked (aivi_effect_raise, cairn_effect_fail, a failed
 *    cairn_call_closure or any failed aivi_* / cairn_* call on rt): the script fails with it;
 *  - with nothing parked: RT0701 "host function NAME failed: returned no value".
 * Returning a value discards anything left parked. A handle that is not a live value of rt is
 * RT0701 "... returned an invalid value handle (...)". */
typedef AiviValueHandle (*CairnHostFn)(void *user, AiviRuntime *rt, AiviEffectHandle effect,
                                       const AiviValueHandle *args, size_t nargs);
/* Releases a host function's user data when the last engine or module using it is freed. */
typedef void (*CairnFreeFn)(void *user);

/* ---- engines (thread-safe) ------------------------------------------------------------ */
/* kind: CAIRN_ENGINE_INTERPRETER or CAIRN_ENGINE_JIT; NULL for any other kind */
CairnEngine *cairn_engine_new(uint32_t kind);
/* 1 (also for NULL), 0 when not live; modules compiled by it stay usable */
uint32_t cairn_engine_free(CairnEngine *engine);
/* the kind, or UINT32_MAX for a NULL or dead engine */
uint32_t cairn_engine_kind(const CairnEngine *engine);
/* Scripts compiled afterwards call name(a1, ..., a_arity) (another count is E0105 at compile
 * time; registering name again replaces it). 1, or 0 with *error_out set (RT0404 for a
 * NULL/dead engine or NULL name; RT0001 for a NULL function, a name that is not an
 * identifier ("") or is a builtin's ("len"), or an arity above 64; RT0303 for a name that
 * is not UTF-8); on failure
 * user stays the caller's. free_user (may be NULL) is called once with user when the last
 * engine or module using the function is freed. */
uint32_t cairn_engine_register(CairnEngine *engine, const char *name, size_t arity,
                               CairnHostFn function, void *user, CairnFreeFn free_user,
                               AiviErrorHandle *error_out);
/* Compiles len bytes of UTF-8 source (name is the file name diagnostics show). NULL on
 * failure with *error_out set: a compile error holding every diagnostic of the compilation
 * (cairn_compile_error_count / cairn_compile_error_at), whose aivi_error_* accessors read the
 * first (code "E0101", ..., message, line, column; bytes that are not UTF-8: E0005 at the
 * first bad one, as the CLI), or RT0404 for bad arguments. */
CairnModule *cairn_engine_compile(const CairnEngine *engine, const char *name,
                                  const char *source, size_t len, AiviErrorHandle *error_out);

/* ---- modules: resolvers and native modules (docs/EMBEDDING.md, "Modules") ------------ */
/* A module resolver. For `import path` in module importer (NUL-terminated; importer NULL for
 * the file given to cairn_engine_compile; a module's key and name are its path, its file
 * name in diagnostics path.cairn with "::" as "/"), return 1 with *text_out / *len_out the
 * module's UTF-8 source, or 0 with them the reason it has none (or left NULL / 0): E0106
 * "cannot find module `path`: REASON". Cairn copies the bytes at once, then calls release
 * (if not NULL) with them. Called on the compiler's thread while cairn_engine_compile waits;
 * compilations on several threads may call it concurrently. */
typedef uint32_t (*CairnResolveFn)(void *user, const char *importer, const char *path,
                                   const char **text_out, size_t *len_out);
/* Given back the bytes a CairnResolveFn returned, once Cairn has copied them. */
typedef void (*CairnReleaseFn)(void *user, const char *text, size_t len);
/* Installs the resolver of scripts compiled afterwards (replacing any earlier one). 1, or 0
 * with *error_out set (RT0404 for a NULL/dead engine, RT0001 for a NULL resolve); on failure
 * user stays the caller's. free_user (may be NULL) is called once with user when the engine
 * (and every compilation using the resolver) is done with it. */
uint32_t cairn_engine_set_resolver(CairnEngine *engine, CairnResolveFn resolve,
                                   CairnReleaseFn release, void *user, CairnFreeFn free_user,
                                   AiviErrorHandle *error_out);
/* Registers host function name of native module `module`: scripts compiled afterwards
 * `import module` and call module::name(...). As cairn_engine_register, and RT0001 for a
 * module name that is not an identifier or a qualified name of identifiers ("a::b"). */
uint32_t cairn_engine_register_native(CairnEngine *engine, const char *module,
                                      const char *name, size_t arity, CairnHostFn function,
                                      void *user, CairnFreeFn free_user,
                                      AiviErrorHandle *error_out);

/* ---- compile errors (docs/EMBEDDING.md, "Errors") ------------------------------------- */
/* How many diagnostics error holds, in source order: all a compilation reported (at most
 * 101: the first 100, then one E0006 with the count of the rest); 1 for any other error;
 * 0 for NULL or a dead handle. */
size_t cairn_compile_error_count(AiviErrorHandle error);
/* A new OWNED handle for diagnostic index (0 = the first) of error, read with aivi_error_*
 * and cairn_compile_error_span. NULL with *error_out set: RT0103 for index >= the count,
 * RT0404 for a NULL or dead error. */
AiviErrorHandle cairn_compile_error_at(AiviErrorHandle error, size_t index,
                                       AiviErrorHandle *error_out);
/* 1 with the byte range [*start, *end) of the source the (first) diagnostic of error points
 * at; 0, nothing written, when it has none (runtime errors, a module the engine refused to
 * load), for NULL pointers or a dead handle. */
uint32_t cairn_compile_error_span(AiviErrorHandle error, size_t *start, size_t *end);

/* ---- modules (thread-safe; run in any number of runtimes) ----------------------------- */
/* 1 (also for NULL), 0 when not live; a call running the module keeps it alive */
uint32_t cairn_module_free(CairnModule *module);
/* the argument count of function name, -1 when there is none (or a bad module / name) */
int64_t cairn_module_arity(const CairnModule *module, const char *name);

/* ---- runtimes (one thread at a time) -------------------------------------------------- */
/* limits NULL = all defaults. NULL on failure with *error_out set. */
AiviRuntime *cairn_runtime_new(const CairnLimits *limits, AiviErrorHandle *error_out);
/* 1 (also for NULL); 0 when rt is not a live cairn runtime, or (RT0001 parked) while it runs
 * a call. Its value handles die; effects bound to it are detached. */
uint32_t cairn_runtime_free(AiviRuntime *rt);
/* Calls function name of module with nargs BORROWED handles (values of rt) and returns its
 * OWNED result. NULL on failure with the error parked in rt (aivi_runtime_take_error): the
 * script's diagnostic with line and column; RT0305 wrong argument count; RT0001 unknown
 * function, or rt already running a call (use cairn_call_closure from host functions);
 * RT0404 bad handles. An error parked before the call is kept if the call fails before the
 * script starts and discarded once it starts. After any call, the heap holds exactly the
 * values the host still owns; after RT0503 the runtime is usable again. */
AiviValueHandle cairn_call(AiviRuntime *rt, const CairnModule *module, const char *name,
                           const AiviValueHandle *args, size_t nargs);
/* An owned cancel handle (may outlive rt). NULL with RT0404 parked for a bad rt. */
CairnCancel *cairn_runtime_cancel_handle(AiviRuntime *rt);
/* From ANY thread: the running (or next) call of its runtime stops with RT0503 at the next
 * function entry or loop back-edge; host functions see it via aivi_effect_is_cancelled.
 * 1, or 0 for a NULL / dead handle. */
uint32_t cairn_cancel(const CairnCancel *cancel);
uint32_t cairn_cancel_free(CairnCancel *cancel);
/* What the last call's print()s wrote: *len bytes, not NUL-terminated, valid until the next
 * call on rt. NULL (*len = 0) with RT0404 parked for a bad rt. */
const char *cairn_runtime_output(AiviRuntime *rt, size_t *len);
/* nonzero: print() also writes to the process's stdout as the script runs (Rust's stdout,
 * not C's stdio buffer). 1, or 0 with RT0404 parked. */
uint32_t cairn_runtime_set_echo(AiviRuntime *rt, uint32_t echo);

/* ---- inside a host function ----------------------------------------------------------- */
/* Calls the script closure `closure` with nargs BORROWED handles; returns its OWNED result.
 * Only from a host function running on rt (on its thread). NULL on failure with the error
 * parked: the closure's own error (return NULL to fail the script with it and the closure's
 * call stack, or take it to handle it), RT0304 / RT0305 for a non-closure or wrong count,
 * RT0404 bad handles, RT0001 outside a host function of rt. */
AiviValueHandle cairn_call_closure(AiviRuntime *rt, AiviValueHandle closure,
                                   const AiviValueHandle *args, size_t nargs);
/* Fails the host call `effect` belongs to with RT0701 "host function NAME failed: MESSAGE"
 * (replacing anything parked during it); then return NULL. 1, or 0 when effect is not the
 * effect of a host function running on this thread. */
uint32_t cairn_effect_fail(AiviEffectHandle effect, const char *message);

/* ---- host objects (docs/EMBEDDING.md, "Host objects") ---------------------------------- */
/* Registers the C host type name (an identifier) on engine, so methods can be added to it.
 * 1, or 0 with *error_out set (RT0404 NULL/dead engine or NULL name; RT0001 a name that is
 * not an identifier or is a Rust type's). Registering a C type again is a no-op. */
uint32_t cairn_engine_register_type(CairnEngine *engine, const char *name,
                                    AiviErrorHandle *error_out);
/* Adds method `method` of `arity` arguments to the registered type `type_name`: scripts
 * compiled afterwards call it as object.method(a1, ..., a_arity), resolved at run time on the
 * receiver's type (RT0307 "no method M on T" otherwise). function gets nargs = arity + 1
 * BORROWED handles, the receiver first; its outcome is a host function's (CairnHostFn), named
 * "Type.method" in diagnostics. 1, or 0 with *error_out set (RT0404; RT0001 for a NULL
 * function, an unregistered type, a method name that is not an identifier, arity > 64); on
 * failure user stays the caller's. free_user as for cairn_engine_register. */
uint32_t cairn_engine_register_method(CairnEngine *engine, const char *type_name,
                                      const char *method, size_t arity, CairnHostFn function,
                                      void *user, CairnFreeFn free_user,
                                      AiviErrorHandle *error_out);
/* A new host object of type type_name holding data, OWNED (kind "HostObject", printed
 * <type_name#N>, N its serial number in rt; equality is identity; not a valid map key,
 * RT0104). Its final release (the host's aivi_value_release or the script's, whichever is
 * last; or cairn_runtime_free) calls drop(data) exactly once (drop may be NULL); drop must
 * not call into the runtime. NULL on failure with the error parked (RT0404 bad rt or NULL
 * type_name, RT0303 not UTF-8, RT0401/RT0402 heap full): drop(data) has then been called. */
AiviValueHandle cairn_host_object_new(AiviRuntime *rt, const char *type_name, void *data,
                                      CairnFreeFn drop);
/* The data pointer of the host object `object` (BORROWED), checked to be of type type_name
 * (NULL: any type). NULL with RT0303 (another kind or type, or a Rust host object) / RT0404
 * parked. */
void *cairn_host_object_data(AiviRuntime *rt, AiviValueHandle object, const char *type_name);

/* ---- value readers and the Map constructor (any live runtime) -------------------------- */
/* Float, or Int converted exactly: 1 and *out; 0 with RT0303 (other kinds) / RT0404 parked */
uint32_t cairn_value_as_float(AiviRuntime *rt, AiviValueHandle value, double *out);
/* Bool: 1 and *out = 1 / 0; 0 with RT0303 / RT0404 parked */
uint32_t cairn_value_as_bool(AiviRuntime *rt, AiviValueHandle value, uint32_t *out);
/* A Text's UTF-8 bytes: copies at most cap - 1 and a NUL into buf (when cap > 0) and returns
 * the full byte length, like snprintf (a Text may hold NUL bytes). SIZE_MAX with RT0303 /
 * RT0404 parked. */
size_t cairn_value_text_bytes(AiviRuntime *rt, AiviValueHandle value, char *buf, size_t cap);
/* What the script's len() gives: List/Tuple elements, Map entries, Text characters (Unicode
 * scalar values). SIZE_MAX with RT0303 / RT0404 parked. */
size_t cairn_value_len(AiviRuntime *rt, AiviValueHandle value);
/* Element index of a List (O(log n)) or Tuple, OWNED. NULL with RT0103 past the end, RT0303
 * for other kinds (Maps: cairn_value_map_entry), RT0404 parked. */
AiviValueHandle cairn_value_at(AiviRuntime *rt, AiviValueHandle value, size_t index);
/* Entry index of a Map in ascending key order (O(log n)): 1 with OWNED *key_out and
 * *value_out; 0 with RT0103 / RT0303 / RT0404 parked (nothing written). */
uint32_t cairn_value_map_entry(AiviRuntime *rt, AiviValueHandle map, size_t index,
                               AiviValueHandle *key_out, AiviValueHandle *value_out);
/* map[key] as the script finds it (1 and 1.0 are the same key), OWNED. NULL with RT0105
 * "missing map key: KEY", RT0104 (bad key kind), RT0303 (not a Map) or RT0404 parked. */
AiviValueHandle cairn_value_map_get(AiviRuntime *rt, AiviValueHandle map, AiviValueHandle key);
/* A Map of the count pairs keys[i]: values[i] (BORROWED; a later duplicate key wins). NULL
 * with nothing retained on failure: RT0104 bad key kind, RT0404 bad handles, RT0401/RT0402. */
AiviValueHandle cairn_value_map(AiviRuntime *rt, const AiviValueHandle *keys,
                                const AiviValueHandle *values, size_t count);

#ifdef __cplusplus
}
#endif

#endif /* CAIRN_H */
