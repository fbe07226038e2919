/*
 * host.c - a C embedder exercising the Cairn Value ABI through include/aivi_value_abi.h.
 * Built and run by runtime/tests/c_host.rs, which compares this program's stdout with the
 * expected transcript line by line. Every line is "<what>: <observed>".
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "aivi_value_abi.h"

static char print_buffer[256];

static const char *show(AiviRuntime *rt, AiviValueHandle value) {
    size_t length = aivi_value_print(rt, value, print_buffer, sizeof print_buffer);
    if (length == SIZE_MAX) {
        return "<print failed>";
    }
    return print_buffer;
}

/* Takes the runtime's parked error and prints "code message" (or "none"). */
static void report_parked(AiviRuntime *rt, const char *what) {
    AiviErrorHandle error = aivi_runtime_take_error(rt);
    if (error == NULL) {
        printf("%s: none\n", what);
        return;
    }
    printf("%s: %s %s\n", what, aivi_error_code(error), aivi_error_message(error));
    aivi_error_release(rt, error);
}

static void handshake(uint32_t major, uint32_t minor) {
    AiviErrorHandle error = aivi_value_abi_handshake(major, minor);
    if (error == NULL) {
        printf("handshake %u.%u: ok\n", major, minor);
        return;
    }
    printf("handshake %u.%u: %s %s\n", major, minor, aivi_error_code(error),
           aivi_error_message(error));
    aivi_error_release(NULL, error);
}

static void null_handles(AiviRuntime *rt) {
    int ok = aivi_value_retain(rt, NULL) == NULL && aivi_value_clone(rt, NULL) == NULL &&
             aivi_value_release(rt, NULL) == 1 && aivi_error_retain(rt, NULL) == NULL &&
             aivi_error_clone(rt, NULL) == NULL && aivi_error_release(rt, NULL) == 1 &&
             aivi_effect_retain(rt, NULL) == NULL && aivi_effect_clone(rt, NULL) == NULL &&
             aivi_effect_release(rt, NULL) == 1 && aivi_ref_retain(rt, NULL) == NULL &&
             aivi_ref_clone(rt, NULL) == NULL && aivi_ref_release(rt, NULL) == 1 &&
             aivi_error_code(NULL) == NULL && aivi_error_message(NULL) == NULL;
    printf("null handles: %s\n", ok ? "ok" : "FAILED");
    report_parked(rt, "null handles parked");
}

static void values(AiviRuntime *rt) {
    AiviValueHandle n = aivi_value_int(rt, 42);
    AiviValueHandle greeting = aivi_value_text(rt, "hello", 5);
    AiviValueHandle pi = aivi_value_float(rt, 2.0);
    printf("kinds: %s %s %s\n", aivi_value_kind(rt, n), aivi_value_kind(rt, greeting),
           aivi_value_kind(rt, pi));
    printf("text top level: %s\n", show(rt, greeting));
    printf("text count after create: %u\n", aivi_value_ref_count(rt, greeting));

    AiviValueHandle items[3] = {n, greeting, pi};
    AiviValueHandle list = aivi_value_list(rt, items, 3);
    printf("list: %s\n", show(rt, list));
    printf("text count inside list: %u\n", aivi_value_ref_count(rt, greeting));

    AiviValueHandle retained = aivi_value_retain(rt, greeting);
    printf("retain returns same handle: %s\n", retained == greeting ? "yes" : "no");
    printf("text count after retain: %u\n", aivi_value_ref_count(rt, greeting));
    AiviValueHandle cloned = aivi_value_clone(rt, list);
    printf("clone prints: %s\n", show(rt, cloned));
    printf("list count after clone: %u\n", aivi_value_ref_count(rt, list));
    aivi_value_release(rt, cloned);
    aivi_value_release(rt, retained);
    printf("text count after release: %u\n", aivi_value_ref_count(rt, greeting));

    AiviValueHandle pair_items[2] = {list, greeting};
    AiviValueHandle pair = aivi_value_tuple(rt, pair_items, 2);
    printf("tuple: %s\n", show(rt, pair));
    int64_t as_int = 0;
    uint32_t is_int = aivi_value_as_int(rt, n, &as_int);
    printf("as_int: %u %lld\n", is_int, (long long)as_int);
    printf("as_int of Text: %u\n", aivi_value_as_int(rt, greeting, &as_int));
    report_parked(rt, "as_int of Text");

    printf("blocks while live: %u\n", aivi_runtime_blocks_in_use(rt));
    aivi_value_release(rt, pair);
    aivi_value_release(rt, list);
    printf("text count after containers: %u\n", aivi_value_ref_count(rt, greeting));
    aivi_value_release(rt, greeting);
    aivi_value_release(rt, n);
    aivi_value_release(rt, pi);
    printf("blocks after release: %u\n", aivi_runtime_blocks_in_use(rt));
    report_parked(rt, "values parked");
}

static void shims(AiviRuntime *rt) {
    AiviValueHandle a = aivi_value_int(rt, 40);
    AiviValueHandle b = aivi_value_int(rt, 2);
    uint64_t sum = rt_add(rt, (uint64_t)(uintptr_t)a, (uint64_t)(uintptr_t)b);
    printf("rt_add: %s\n", show(rt, (AiviValueHandle)(uintptr_t)sum));
    const char *words = "shim text";
    uint64_t text = rt_text_literal(rt, (uint64_t)(uintptr_t)words, strlen(words));
    printf("rt_text_literal: %s\n", show(rt, (AiviValueHandle)(uintptr_t)text));
    printf("rt_release: %llu\n", (unsigned long long)rt_release(rt, text));
    printf("blocks after shims: %u\n", aivi_runtime_blocks_in_use(rt));
    report_parked(rt, "shims parked");
}

static AiviValueHandle word_handle(uint64_t word) { return (AiviValueHandle)(uintptr_t)word; }

static void refs(AiviRuntime *rt) {
    AiviValueHandle one = aivi_value_int(rt, 1);
    AiviValueHandle cell = word_handle(rt_ref_new(rt, (uint64_t)(uintptr_t)one));
    printf("ref kind: %s, prints: %s\n", aivi_value_kind(rt, cell), show(rt, cell));
    AiviRefHandle r = aivi_ref_from_value(rt, cell);
    printf("ref count with a ref handle: %u\n", aivi_value_ref_count(rt, cell));

    AiviValueHandle got = aivi_ref_get(rt, r);
    printf("get: %s\n", show(rt, got));
    aivi_value_release(rt, got);

    AiviValueHandle text = aivi_value_text(rt, "cell", 4);
    printf("set: %u\n", aivi_ref_set(rt, r, text));
    printf("text count after set (host + cell): %u\n", aivi_value_ref_count(rt, text));
    got = aivi_ref_get(rt, r);
    printf("get after set: %s, same value: %s\n", show(rt, got), got == text ? "yes" : "no");
    aivi_value_release(rt, got);

    AiviRefHandle again = aivi_ref_retain(rt, r);
    AiviRefHandle copy = aivi_ref_clone(rt, r);
    printf("retain and clone name the same cell: %s\n",
           again == r && copy == r ? "yes" : "no");
    printf("ref count after retain and clone: %u\n", aivi_value_ref_count(rt, cell));
    printf("ref releases: %u %u\n", aivi_ref_release(rt, again), aivi_ref_release(rt, copy));

    AiviValueHandle items[2] = {text, cell};
    AiviValueHandle holder = aivi_value_list(rt, items, 2);
    printf("holder: %s\n", show(rt, holder));
    printf("set a list holding a ref: %u\n", aivi_ref_set(rt, r, holder));
    report_parked(rt, "set a list holding a ref");
    printf("set the ref into itself: %u\n", aivi_ref_set(rt, r, cell));
    report_parked(rt, "set the ref into itself");
    got = aivi_ref_get(rt, r);
    printf("cell unchanged: %s\n", show(rt, got));
    aivi_value_release(rt, got);
    printf("counts unchanged (text, ref): %u %u\n", aivi_value_ref_count(rt, text),
           aivi_value_ref_count(rt, cell));

    printf("get of an Int handle is null: %s\n",
           aivi_ref_get(rt, (AiviRefHandle)(uintptr_t)one) == NULL ? "yes" : "no");
    report_parked(rt, "get of an Int handle");
    printf("get of NULL is null: %s\n", aivi_ref_get(rt, NULL) == NULL ? "yes" : "no");
    report_parked(rt, "get of NULL");
    printf("set through NULL: %u\n", aivi_ref_set(rt, NULL, text));
    report_parked(rt, "set through NULL");
    printf("set a NULL value: %u\n", aivi_ref_set(rt, r, NULL));
    report_parked(rt, "set a NULL value");
    printf("rt_ref_get of an Int: %llu\n",
           (unsigned long long)rt_ref_get(rt, (uint64_t)(uintptr_t)one));
    report_parked(rt, "rt_ref_get of an Int");

    aivi_value_release(rt, holder);
    aivi_value_release(rt, text);
    printf("text count after host releases (cell only): %u\n", aivi_value_ref_count(rt, text));
    aivi_ref_release(rt, r);
    aivi_value_release(rt, cell);
    aivi_value_release(rt, one);
    printf("blocks after refs: %u\n", aivi_runtime_blocks_in_use(rt));
    printf("get of a dead ref is null: %s\n", aivi_ref_get(rt, r) == NULL ? "yes" : "no");
    report_parked(rt, "get of a dead ref");
    printf("blocks at the end of refs: %u\n", aivi_runtime_blocks_in_use(rt));
}

static void bad_handles(AiviRuntime *rt) {
    AiviValueHandle malformed = (AiviValueHandle)(uintptr_t)0x1ull;
    printf("release malformed: %u\n", aivi_value_release(rt, malformed));
    report_parked(rt, "malformed");

    AiviValueHandle text = aivi_value_text(rt, "gone", 4);
    aivi_value_release(rt, text);
    printf("retain dangling is null: %s\n", aivi_value_retain(rt, text) == NULL ? "yes" : "no");
    report_parked(rt, "dangling");

    AiviValueHandle number = aivi_value_int(rt, 5);
    AiviRefHandle not_a_ref = aivi_ref_from_value(rt, number);
    printf("ref from Int is null: %s\n", not_a_ref == NULL ? "yes" : "no");
    report_parked(rt, "ref from Int");
    printf("ref release of Int word: %u\n",
           aivi_ref_release(rt, (AiviRefHandle)(uintptr_t)number));
    report_parked(rt, "ref release");

    printf("int too large is null: %s\n",
           aivi_value_int(rt, (int64_t)1 << 50) == NULL ? "yes" : "no");
    report_parked(rt, "int overflow");
    printf("invalid utf8 is null: %s\n", aivi_value_text(rt, "\xff", 1) == NULL ? "yes" : "no");
    report_parked(rt, "invalid utf8");
    printf("blocks after bad handles: %u\n", aivi_runtime_blocks_in_use(rt));
}

static void error_handles(AiviRuntime *rt) {
    AiviErrorHandle error = aivi_value_abi_handshake(1, 0);
    AiviErrorHandle again = aivi_error_retain(rt, error);
    AiviErrorHandle copy = aivi_error_clone(rt, error);
    printf("error retain same: %s, clone distinct: %s\n", again == error ? "yes" : "no",
           copy != error ? "yes" : "no");
    printf("clone code: %s\n", aivi_error_code(copy));
    printf("releases: %u %u %u\n", aivi_error_release(rt, again), aivi_error_release(rt, error),
           aivi_error_release(rt, copy));
    /* `error` is dead now: the accessors and release diagnose it without reading it. */
    printf("dead error code: %s\n", aivi_error_code(error));
    printf("dead error release: %u\n", aivi_error_release(rt, error));
    AiviErrorHandle parked = aivi_runtime_take_error(rt);
    printf("dead error parked: %s\n", aivi_error_code(parked)); /* message names an address */
    aivi_error_release(rt, parked);
}

static void effects(AiviRuntime *rt) {
    AiviEffectHandle effect = aivi_effect_new(rt);
    AiviEffectHandle copy = aivi_effect_clone(rt, effect);
    printf("cancelled before: %d\n", aivi_effect_is_cancelled(effect));
    printf("raise: %u\n", aivi_effect_raise(effect, "RT0900", "host failed"));
    report_parked(rt, "raised");
    printf("raise unknown code: %u\n", aivi_effect_raise(copy, "XX01", "odd"));
    report_parked(rt, "raised unknown");
    aivi_runtime_cancel(rt);
    printf("cancelled after: %d\n", aivi_effect_is_cancelled(copy));
    printf("effect releases: %u %u\n", aivi_effect_release(rt, copy),
           aivi_effect_release(rt, effect));
}

int main(void) {
    handshake(0, 0);
    handshake(0, 1);
    handshake(0, 2);
    handshake(1, 0);

    AiviRuntime *rt = aivi_runtime_new(64);
    printf("runtime: %s\n", rt != NULL ? "created" : "NULL");
    printf("blocks at start: %u\n", aivi_runtime_blocks_in_use(rt));
    null_handles(rt);
    values(rt);
    shims(rt);
    bad_handles(rt);
    refs(rt);
    error_handles(rt);

    AiviRuntime *other = aivi_runtime_new(16);
    AiviEffectHandle orphan = aivi_effect_new(other);
    effects(other);
    printf("free other: %u\n", aivi_runtime_free(other));
    printf("raise after free: %u\n", aivi_effect_raise(orphan, "RT0900", "late"));
    printf("orphan release: %u\n", aivi_effect_release(rt, orphan));

    printf("blocks at end: %u\n", aivi_runtime_blocks_in_use(rt));
    printf("free: %u\n", aivi_runtime_free(rt));
    printf("free again: %u\n", aivi_runtime_free(rt));
    printf("zero-block runtime: %s\n", aivi_runtime_new(0) == NULL ? "NULL" : "created");
    return 0;
}
