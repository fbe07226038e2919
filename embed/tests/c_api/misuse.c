/*
 * embed/tests/c_api/misuse.c - every function of include/cairn.h given NULL, released,
 * forged and wrong-kind handles, and host functions that misbehave. Each line of the
 * transcript is a result and the error it left; embed/tests/c_api.rs compares it with
 * misuse.expected, once built plainly and once with ASan + UBSan (which must stay silent:
 * bad handles are diagnosed, never dereferenced).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cairn.h"

static const char SCRIPT[] =
    "fn forged() = bad_result()\n"
    "fn silent() = says_nothing()\n"
    "fn shrug() = ignores_failure()\n"
    "fn reenter() = calls_cairn_call()\n"
    "fn self_free() = frees_runtime()\n"
    "fn late() = keeps_effect()\n"
    "fn wrong_calls() = misuses_closures(\\x -> x, 5)\n"
    "fn rethrow(d) = calls_back(\\x -> 10 / x, d)\n"
    "fn deep(n) = calls_back(\\m -> deep(m + 1), n)\n"
    "fn both(m) = [len(m), m[\"b\"]]\n"
    "fn echo(x) = x\n"
    "fn lent(x) = returns_arg(x)\n"
    "fn kept(x) = retains_arg(x)\n"
    "fn spin(n) = spin(n + 1)\n"
    "fn main() = ()\n";

static AiviEffectHandle kept_effect = NULL;

/* A malformed word (top 16 bits 0 but not all-zero) and a well-formed List reference to a
 * block that no runtime here allocates. */
#define MALFORMED ((AiviValueHandle)(uintptr_t)0x1234u)
#define DANGLING ((AiviValueHandle)(uintptr_t)0x000300020000fff0ull)

/* Prints `text` with every "0x<hex>" (pointer values vary from run to run) as "0x_". */
static void print_stable(const char *text) {
    while (*text) {
        if (text[0] == '0' && text[1] == 'x') {
            fputs("0x_", stdout);
            text += 2;
            while ((*text >= '0' && *text <= '9') || (*text >= 'a' && *text <= 'f')) text++;
        } else {
            putchar(*text++);
        }
    }
}

/* The parked error of rt as "CODE message" (or "no error"), taken and released. */
static void parked(AiviRuntime *rt) {
    AiviErrorHandle error = aivi_runtime_take_error(rt);
    if (error == NULL) {
        printf(" | no error\n");
        return;
    }
    printf(" | %s ", aivi_error_code(error));
    print_stable(aivi_error_message(error));
    printf("\n");
    aivi_error_release(NULL, error);
}

static void owned_error(AiviErrorHandle error) {
    if (error == NULL) {
        printf(" | no error\n");
        return;
    }
    printf(" | %s ", aivi_error_code(error));
    print_stable(aivi_error_message(error));
    printf(" (%u:%u)\n", aivi_error_line(error), aivi_error_column(error));
    aivi_error_release(NULL, error);
}

/* ---- misbehaving host functions ------------------------------------------------------- */

static AiviValueHandle bad_result(void *u, AiviRuntime *rt, AiviEffectHandle e,
                                  const AiviValueHandle *a, size_t n) {
    (void)u, (void)rt, (void)e, (void)a, (void)n;
    return DANGLING; /* a List reference to a free block */
}

static AiviValueHandle says_nothing(void *u, AiviRuntime *rt, AiviEffectHandle e,
                                    const AiviValueHandle *a, size_t n) {
    (void)u, (void)rt, (void)e, (void)a, (void)n;
    return NULL;
}

static AiviValueHandle ignores_failure(void *u, AiviRuntime *rt, AiviEffectHandle e,
                                       const AiviValueHandle *a, size_t n) {
    (void)u, (void)e, (void)a, (void)n;
    int64_t x;
    aivi_value_as_int(rt, aivi_value_unit(rt), &x); /* parks RT0303, ignored */
    return aivi_value_int(rt, 7);
}

static AiviValueHandle calls_cairn_call(void *u, AiviRuntime *rt, AiviEffectHandle e,
                                        const AiviValueHandle *a, size_t n) {
    (void)e, (void)a, (void)n;
    return cairn_call(rt, (const CairnModule *)u, "main", NULL, 0);
}

static AiviValueHandle frees_runtime(void *u, AiviRuntime *rt, AiviEffectHandle e,
                                     const AiviValueHandle *a, size_t n) {
    (void)u, (void)e, (void)a, (void)n;
    uint32_t freed = cairn_runtime_free(rt);
    uint32_t aivi_freed = aivi_runtime_free(rt);
    if (freed || aivi_freed) return NULL;
    return NULL; /* RT0001 from cairn_runtime_free is parked: the call fails with it */
}

static AiviValueHandle keeps_effect(void *u, AiviRuntime *rt, AiviEffectHandle e,
                                    const AiviValueHandle *a, size_t n) {
    (void)u, (void)a, (void)n;
    kept_effect = aivi_effect_retain(rt, e);
    return aivi_value_unit(rt);
}

static AiviValueHandle misuses_closures(void *u, AiviRuntime *rt, AiviEffectHandle e,
                                        const AiviValueHandle *a, size_t n) {
    (void)u, (void)e, (void)n;
    /* not callable, wrong count, NULL closure, NULL args, forged argument */
    AiviValueHandle r1 = cairn_call_closure(rt, a[1], &a[1], 1);
    printf("  closure call on an Int: %p", (void *)r1);
    parked(rt);
    AiviValueHandle r2 = cairn_call_closure(rt, a[0], a, 2);
    printf("  closure call with 2 args for 1: %p", (void *)r2);
    parked(rt);
    AiviValueHandle r3 = cairn_call_closure(rt, NULL, a, 1);
    printf("  NULL closure: %p", (void *)r3);
    parked(rt);
    AiviValueHandle r4 = cairn_call_closure(rt, a[0], NULL, 1);
    printf("  NULL args: %p", (void *)r4);
    parked(rt);
    AiviValueHandle forged = MALFORMED;
    AiviValueHandle r5 = cairn_call_closure(rt, a[0], &forged, 1);
    printf("  forged argument: %p", (void *)r5);
    parked(rt);
    printf("  cairn_effect_fail with another effect: %u\n",
           cairn_effect_fail((AiviEffectHandle)(uintptr_t)0x1000, "x"));
    return cairn_call_closure(rt, a[0], &a[1], 1);
}

/* Returns its argument as it was lent (no aivi_value_retain): the runtime retains it. */
static AiviValueHandle returns_arg(void *u, AiviRuntime *rt, AiviEffectHandle e,
                                   const AiviValueHandle *a, size_t n) {
    (void)u, (void)rt, (void)e, (void)n;
    return a[0];
}

/* Retains its argument, then returns it: that reference is the result. */
static AiviValueHandle retains_arg(void *u, AiviRuntime *rt, AiviEffectHandle e,
                                   const AiviValueHandle *a, size_t n) {
    (void)u, (void)e, (void)n;
    return aivi_value_retain(rt, a[0]);
}

static AiviValueHandle calls_back(void *u, AiviRuntime *rt, AiviEffectHandle e,
                                  const AiviValueHandle *a, size_t n) {
    (void)u, (void)e, (void)n;
    return cairn_call_closure(rt, a[0], &a[1], 1); /* NULL on failure: passes it on */
}

/* ---- the transcript ------------------------------------------------------------------- */

static void values(AiviRuntime *rt) {
    printf("-- value readers --\n");
    AiviValueHandle one = aivi_value_int(rt, 1);
    AiviValueHandle t = aivi_value_text(rt, "hi", 2);
    AiviValueHandle list = aivi_value_list(rt, &one, 1);
    AiviValueHandle dead = aivi_value_list(rt, &one, 1);
    aivi_value_release(rt, dead);
    AiviValueHandle forged = MALFORMED;
    double x = 0;
    uint32_t b = 0;
    char buf[4];
    AiviValueHandle k = NULL, v = NULL;

    printf("as_float(NULL rt): %u", cairn_value_as_float(NULL, one, &x));
    printf(" | nothing parked\n");
    uint32_t read = cairn_value_as_float(rt, one, &x);
    printf("as_float(Int 1): %u -> %.1f", read, x);
    parked(rt);
    printf("as_float(Text): %u", cairn_value_as_float(rt, t, &x));
    parked(rt);
    printf("as_float(NULL): %u", cairn_value_as_float(rt, NULL, &x));
    parked(rt);
    printf("as_float(out NULL): %u", cairn_value_as_float(rt, one, NULL));
    parked(rt);
    printf("as_bool(Int): %u", cairn_value_as_bool(rt, one, &b));
    parked(rt);
    printf("as_bool(released list): %u", cairn_value_as_bool(rt, dead, &b));
    parked(rt);
    printf("as_bool(malformed): %u", cairn_value_as_bool(rt, forged, &b));
    parked(rt);
    printf("as_bool(dangling): %u", cairn_value_as_bool(rt, DANGLING, &b));
    parked(rt);
    size_t full = cairn_value_text_bytes(rt, t, buf, 2);
    printf("text_bytes(\"hi\", cap 2): %zu -> \"%s\"", full, buf);
    parked(rt);
    printf("text_bytes(NULL buf, cap 4): %d", cairn_value_text_bytes(rt, t, NULL, 4) == SIZE_MAX);
    parked(rt);
    printf("text_bytes(List): %d", cairn_value_text_bytes(rt, list, buf, 4) == SIZE_MAX);
    parked(rt);
    printf("len(Int): %d", cairn_value_len(rt, one) == SIZE_MAX);
    parked(rt);
    printf("len(released): %d", cairn_value_len(rt, dead) == SIZE_MAX);
    parked(rt);
    printf("at(list, 1): %p", (void *)cairn_value_at(rt, list, 1));
    parked(rt);
    printf("at(Text, 0): %p", (void *)cairn_value_at(rt, t, 0));
    parked(rt);
    printf("at(NULL rt): %p", (void *)cairn_value_at(NULL, list, 0));
    printf(" | nothing parked\n");

    AiviValueHandle keys[3] = {aivi_value_text(rt, "b", 1), aivi_value_text(rt, "a", 1),
                               aivi_value_text(rt, "b", 1)};
    AiviValueHandle vals[3] = {aivi_value_int(rt, 1), aivi_value_int(rt, 2),
                               aivi_value_int(rt, 3)};
    AiviValueHandle map = cairn_value_map(rt, keys, vals, 3);
    char printed[64];
    aivi_value_print(rt, map, printed, sizeof printed);
    printf("map with a duplicate key: %s", printed);
    parked(rt);
    printf("map_entry(map, 2): %u", cairn_value_map_entry(rt, map, 2, &k, &v));
    parked(rt);
    printf("map_entry(list, 0): %u", cairn_value_map_entry(rt, list, 0, &k, &v));
    parked(rt);
    printf("map_entry(map, 0, NULL out): %u", cairn_value_map_entry(rt, map, 0, NULL, &v));
    parked(rt);
    read = cairn_value_map_entry(rt, map, 0, &k, &v);
    printf("map_entry(map, 0): %u", read);
    aivi_value_print(rt, k, printed, sizeof printed);
    printf(" -> %s: ", printed);
    aivi_value_print(rt, v, printed, sizeof printed);
    printf("%s", printed);
    parked(rt);
    aivi_value_release(rt, k);
    aivi_value_release(rt, v);
    AiviValueHandle z = aivi_value_text(rt, "z", 1);
    printf("map_get(map, \"z\"): %p", (void *)cairn_value_map_get(rt, map, z));
    parked(rt);
    printf("map_get(map, [1]): %p", (void *)cairn_value_map_get(rt, map, list));
    parked(rt);
    printf("map_get(list, \"z\"): %p", (void *)cairn_value_map_get(rt, list, z));
    parked(rt);
    printf("map(NULL keys, 1): %p", (void *)cairn_value_map(rt, NULL, vals, 1));
    parked(rt);
    printf("map(list key): %p", (void *)cairn_value_map(rt, &list, vals, 1));
    parked(rt);
    printf("map(released value): %p", (void *)cairn_value_map(rt, keys, &dead, 1));
    parked(rt);
    for (int i = 0; i < 3; i++) {
        aivi_value_release(rt, keys[i]);
        aivi_value_release(rt, vals[i]);
    }
    aivi_value_release(rt, z);
    aivi_value_release(rt, map);
    aivi_value_release(rt, list);
    aivi_value_release(rt, t);
    printf("blocks in use: %u\n", aivi_runtime_blocks_in_use(rt));
}

static void engines_and_modules(void) {
    printf("-- engines and modules --\n");
    AiviErrorHandle error = NULL;
    int local = 0;
    printf("engine_new(2): %p\n", (void *)cairn_engine_new(2));
    printf("engine_kind(NULL): %u\n", cairn_engine_kind(NULL));
    printf("engine_kind(forged): %u\n", cairn_engine_kind((CairnEngine *)&local));
    printf("engine_free(NULL): %u\n", cairn_engine_free(NULL));
    printf("engine_free(forged): %u\n", cairn_engine_free((CairnEngine *)&local));
    CairnEngine *engine = cairn_engine_new(CAIRN_ENGINE_INTERPRETER);
    printf("register(NULL engine): %u",
           cairn_engine_register(NULL, "f", 0, says_nothing, NULL, NULL, &error));
    owned_error(error);
    printf("register(NULL name): %u",
           cairn_engine_register(engine, NULL, 0, says_nothing, NULL, NULL, &error));
    owned_error(error);
    printf("register(NULL function): %u",
           cairn_engine_register(engine, "f", 0, NULL, NULL, NULL, &error));
    owned_error(error);
    printf("register(\"\"): %u",
           cairn_engine_register(engine, "", 0, says_nothing, NULL, NULL, &error));
    owned_error(error);
    printf("register(builtin len): %u",
           cairn_engine_register(engine, "len", 1, says_nothing, NULL, NULL, &error));
    owned_error(error);
    printf("register(arity 1000): %u",
           cairn_engine_register(engine, "f", 1000, says_nothing, NULL, NULL, &error));
    owned_error(error);
    printf("register(bad UTF-8 name): %u",
           cairn_engine_register(engine, "\xff", 0, says_nothing, NULL, NULL, &error));
    owned_error(error);
    printf("register(no error_out): %u\n",
           cairn_engine_register(NULL, "f", 0, says_nothing, NULL, NULL, NULL));
    printf("compile(NULL engine): %p", (void *)cairn_engine_compile(NULL, "x", "", 0, &error));
    owned_error(error);
    printf("compile(NULL name): %p", (void *)cairn_engine_compile(engine, NULL, "", 0, &error));
    owned_error(error);
    printf("compile(NULL source, len 5): %p",
           (void *)cairn_engine_compile(engine, "x", NULL, 5, &error));
    owned_error(error);
    printf("compile(bad UTF-8): %p",
           (void *)cairn_engine_compile(engine, "x", "fn \xc3", 4, &error));
    owned_error(error);
    printf("compile(bad UTF-8 on line 2): %p",
           (void *)cairn_engine_compile(engine, "x", "fn main() =\n  \"\xff\"", 17, &error));
    owned_error(error);
    const char *syntax = "fn main() =\n  (1 +";
    printf("compile(syntax error): %p",
           (void *)cairn_engine_compile(engine, "x.cairn", syntax, strlen(syntax), &error));
    owned_error(error);
    /* a compile error holds every diagnostic; asking past the last, or of NULL, is refused */
    const char *two = "fn main() = a()\nfn f() = b";
    AiviErrorHandle both = NULL;
    cairn_engine_compile(engine, "two.cairn", two, strlen(two), &both);
    printf("compile_error_count(two errors): %zu\n", cairn_compile_error_count(both));
    AiviErrorHandle second = cairn_compile_error_at(both, 1, &error);
    printf("compile_error_at(1): %s %u:%u", aivi_error_code(second), aivi_error_line(second),
           aivi_error_column(second));
    owned_error(error);
    aivi_error_release(NULL, second);
    printf("compile_error_at(2): %p", (void *)cairn_compile_error_at(both, 2, &error));
    owned_error(error);
    printf("compile_error_at(NULL): %p", (void *)cairn_compile_error_at(NULL, 0, &error));
    owned_error(error);
    size_t start = 7, end = 7;
    printf("compile_error_span(NULL start): %u\n", cairn_compile_error_span(both, NULL, &end));
    printf("compile_error_count(NULL): %zu\n", cairn_compile_error_count(NULL));
    aivi_error_release(NULL, both);
    printf("compile_error_count(released): %zu\n", cairn_compile_error_count(both));
    printf("compile_error_span(released): %u %zu..%zu\n",
           cairn_compile_error_span(both, &start, &end), start, end);
    const char *arity = "fn main() = says_nothing(1)";
    cairn_engine_register(engine, "says_nothing", 0, says_nothing, NULL, NULL, NULL);
    printf("compile(host arity): %p",
           (void *)cairn_engine_compile(engine, "x.cairn", arity, strlen(arity), &error));
    owned_error(error);
    CairnModule *module = cairn_engine_compile(engine, "m.cairn", "fn main() = 1", 13, NULL);
    printf("module_arity(main): %lld\n", (long long)cairn_module_arity(module, "main"));
    printf("module_arity(nope): %lld\n", (long long)cairn_module_arity(module, "nope"));
    printf("module_arity(NULL name): %lld\n", (long long)cairn_module_arity(module, NULL));
    uint32_t first = cairn_engine_free(engine);
    printf("engine_free: %u, again: %u\n", first, cairn_engine_free(engine));
    printf("engine_kind(freed): %u\n", cairn_engine_kind(engine));
    printf("compile(freed engine): %p", (void *)cairn_engine_compile(engine, "x", "", 0, &error));
    owned_error(error);
    first = cairn_module_free(module);
    printf("module_free: %u, again: %u\n", first, cairn_module_free(module));
    printf("module_arity(freed): %lld\n", (long long)cairn_module_arity(module, "main"));
    printf("module_free(NULL): %u, forged: %u\n", cairn_module_free(NULL),
           cairn_module_free((CairnModule *)&local));
}

static void runtimes(CairnModule *module) {
    printf("-- runtimes and calls --\n");
    AiviErrorHandle error = NULL;
    int local = 0;
    CairnLimits too_big = {70000000, 0, 0, 0, 0, 0};
    printf("runtime_new(70000000 blocks): %p", (void *)cairn_runtime_new(&too_big, &error));
    owned_error(error);
    AiviRuntime *rt = cairn_runtime_new(NULL, NULL);
    AiviRuntime *plain = aivi_runtime_new(16);
    printf("aivi_runtime_free(cairn runtime): %u", aivi_runtime_free(rt));
    parked(rt);
    printf("cairn_runtime_free(aivi runtime): %u\n", cairn_runtime_free(plain));
    printf("cairn_runtime_free(NULL): %u, forged: %u\n", cairn_runtime_free(NULL),
           cairn_runtime_free((AiviRuntime *)&local));

    AiviValueHandle m_keys[2] = {aivi_value_text(rt, "a", 1), aivi_value_text(rt, "b", 1)};
    AiviValueHandle m_vals[2] = {aivi_value_int(rt, 1), aivi_value_int(rt, 2)};
    AiviValueHandle m = cairn_value_map(rt, m_keys, m_vals, 2);
    AiviValueHandle ok = cairn_call(rt, module, "both", &m, 1);
    char printed[64];
    aivi_value_print(rt, ok, printed, sizeof printed);
    printf("both(#{\"a\": 1, \"b\": 2}): %s", printed);
    parked(rt);
    aivi_value_release(rt, ok);

    printf("call(NULL rt): %p\n", (void *)cairn_call(NULL, module, "main", NULL, 0));
    printf("call(aivi runtime): %p", (void *)cairn_call(plain, module, "main", NULL, 0));
    parked(plain);
    printf("call(NULL module): %p", (void *)cairn_call(rt, NULL, "main", NULL, 0));
    parked(rt);
    printf("call(forged module): %p",
           (void *)cairn_call(rt, (CairnModule *)&local, "main", NULL, 0));
    parked(rt);
    printf("call(NULL name): %p", (void *)cairn_call(rt, module, NULL, NULL, 0));
    parked(rt);
    printf("call(unknown name): %p", (void *)cairn_call(rt, module, "nope", NULL, 0));
    parked(rt);
    printf("call(wrong count): %p", (void *)cairn_call(rt, module, "both", NULL, 0));
    parked(rt);
    printf("call(NULL args, 1): %p", (void *)cairn_call(rt, module, "both", NULL, 1));
    parked(rt);
    AiviValueHandle null_arg = NULL;
    printf("call(NULL arg): %p", (void *)cairn_call(rt, module, "both", &null_arg, 1));
    parked(rt);
    AiviValueHandle dead = aivi_value_list(rt, m_vals, 2);
    aivi_value_release(rt, dead);
    printf("call(released arg): %p", (void *)cairn_call(rt, module, "both", &dead, 1));
    parked(rt);
    /* A handle of another runtime is refused: handles of heap values carry their
     * runtime's tag, whether its block is free here or names a live object of the same
     * kind (a Text where this runtime has a Text). */
    AiviValueHandle filler[8];
    for (int i = 0; i < 8; i++) filler[i] = aivi_value_text(plain, "filler", 6);
    AiviValueHandle foreign = aivi_value_list(plain, m_vals, 2);
    printf("call(arg of another runtime, its block free here): %p",
           (void *)cairn_call(rt, module, "both", &foreign, 1));
    parked(rt);
    AiviValueHandle alias = filler[0];
    printf("echo(\"filler\" of another runtime, where this one has a Text): %p",
           (void *)cairn_call(rt, module, "echo", &alias, 1));
    parked(rt);
    char foreign_bytes[16];
    printf("text_bytes(\"filler\" of another runtime): %zu",
           cairn_value_text_bytes(rt, alias, foreign_bytes, sizeof foreign_bytes));
    parked(rt);
    printf("release(\"filler\" of another runtime): %u", aivi_value_release(rt, alias));
    parked(rt);
    for (int i = 0; i < 8; i++) aivi_value_release(plain, filler[i]);
    AiviValueHandle wrong = aivi_value_int(rt, 5);
    printf("call(Int for a Map): %p", (void *)cairn_call(rt, module, "both", &wrong, 1));
    parked(rt);
    aivi_value_int(rt, INT64_MAX); /* parks RT0301 ... */
    printf("call(NULL arg) after an unchecked failure: %p",
           (void *)cairn_call(rt, module, "both", &null_arg, 1));
    parked(rt); /* ... which is kept: the first parked error */

    printf("-- host functions --\n");
    const char *names[] = {"forged", "silent", "shrug", "reenter", "self_free", "late",
                           "wrong_calls"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        AiviValueHandle r = cairn_call(rt, module, names[i], NULL, 0);
        aivi_value_print(rt, r, printed, sizeof printed);
        printf("%s(): %s", names[i], r ? printed : "failed");
        aivi_value_release(rt, r);
        parked(rt);
    }
    printf("raise through a kept effect after its call: %u\n",
           aivi_effect_raise(kept_effect, "RT0900", "late"));
    aivi_effect_release(rt, kept_effect);
    AiviValueHandle zero = aivi_value_int(rt, 0);
    AiviValueHandle r = cairn_call(rt, module, "rethrow", &zero, 1);
    printf("rethrow(0): %s", r ? "value" : "failed");
    AiviErrorHandle e = aivi_runtime_take_error(rt);
    printf(" | %s %s at %u:%u\n", aivi_error_code(e), aivi_error_message(e), aivi_error_line(e),
           aivi_error_column(e));
    aivi_error_release(NULL, e);
    r = cairn_call(rt, module, "deep", &zero, 1);
    printf("deep(0): %s", r ? "value" : "failed");
    parked(rt);
    printf("call_closure outside a host function: %p",
           (void *)cairn_call_closure(rt, zero, NULL, 0));
    parked(rt);
    AiviEffectHandle own = aivi_effect_new(rt);
    printf("effect_fail(effect of no host call): %u\n", cairn_effect_fail(own, "x"));
    aivi_effect_release(rt, own);
    printf("effect_fail(NULL): %u\n", cairn_effect_fail(NULL, NULL));

    printf("-- cancel and output --\n");
    CairnCancel *cancel = cairn_runtime_cancel_handle(rt);
    printf("cancel_handle(NULL): %p\n", (void *)cairn_runtime_cancel_handle(NULL));
    printf("cancel(NULL): %u, forged: %u\n", cairn_cancel(NULL),
           cairn_cancel((CairnCancel *)&local));
    printf("cancel: %u", cairn_cancel(cancel));
    r = cairn_call(rt, module, "both", &m, 1);
    printf(", next call: %s", r ? "value" : "failed");
    parked(rt);
    r = cairn_call(rt, module, "both", &m, 1);
    printf("the call after it: %s", r ? "value" : "failed");
    aivi_value_release(rt, r);
    parked(rt);
    printf("-- borrowed argument returned --\n");
    AiviValueHandle lent_items[2] = {aivi_value_int(rt, 1), aivi_value_int(rt, 2)};
    AiviValueHandle lent_list = aivi_value_list(rt, lent_items, 2);
    uint32_t blocks_before = aivi_runtime_blocks_in_use(rt);
    const char *returners[] = {"lent", "kept"};
    for (int i = 0; i < 2; i++) {
        r = cairn_call(rt, module, returners[i], &lent_list, 1);
        aivi_value_print(rt, r, printed, sizeof printed);
        printf("%s([1, 2]): %s", returners[i], r ? printed : "failed");
        parked(rt);
        aivi_value_release(rt, r);
        aivi_value_print(rt, lent_list, printed, sizeof printed);
        printf("  the caller's list after: %s, blocks %u (before %u)\n", printed,
               aivi_runtime_blocks_in_use(rt), blocks_before);
    }
    aivi_value_release(rt, lent_list);
    printf("-- time limit --\n");
    CairnLimits timed = {0, 0, 0, 0, 0, 50};
    AiviRuntime *timed_rt = cairn_runtime_new(&timed, NULL);
    AiviValueHandle start = aivi_value_int(timed_rt, 0);
    r = cairn_call(timed_rt, module, "spin", &start, 1);
    printf("spin(0) under a 50 ms limit: %s", r ? "value" : "failed");
    parked(timed_rt);
    printf("blocks in use after it: %u\n", aivi_runtime_blocks_in_use(timed_rt));
    cairn_runtime_free(timed_rt);
    size_t len = 99;
    printf("output(NULL rt): %p, len %zu\n", (void *)cairn_runtime_output(NULL, &len), len);
    printf("output(rt, NULL len): %d\n", cairn_runtime_output(rt, NULL) != NULL);
    printf("set_echo(NULL): %u\n", cairn_runtime_set_echo(NULL, 1));
    for (int i = 0; i < 2; i++) {
        aivi_value_release(rt, m_keys[i]);
        aivi_value_release(rt, m_vals[i]);
    }
    aivi_value_release(rt, m);
    printf("blocks in use: %u\n", aivi_runtime_blocks_in_use(rt));
    uint32_t freed = cairn_runtime_free(rt);
    printf("runtime_free: %u, again: %u\n", freed, cairn_runtime_free(rt));
    printf("call(freed runtime): %p\n", (void *)cairn_call(rt, module, "main", NULL, 0));
    printf("value_int(freed runtime): %p\n", (void *)aivi_value_int(rt, 1));
    printf("cancel(handle of a freed runtime): %u\n", cairn_cancel(cancel));
    freed = cairn_cancel_free(cancel);
    printf("cancel_free: %u, again: %u\n", freed, cairn_cancel_free(cancel));
    printf("cancel(freed handle): %u\n", cairn_cancel(cancel));
    aivi_value_release(plain, foreign);
    aivi_runtime_free(plain);
}

/* ---- host objects --------------------------------------------------------------------- */

static int dropped = 0;
static void count_drop(void *data) {
    (void)data;
    dropped++;
}

static void host_objects(void) {
    printf("-- host objects --\n");
    AiviErrorHandle error = NULL;
    int local = 0;
    CairnEngine *engine = cairn_engine_new(CAIRN_ENGINE_INTERPRETER);
    printf("register_type(NULL engine): %u", cairn_engine_register_type(NULL, "T", &error));
    owned_error(error);
    printf("register_type(forged engine): %u",
           cairn_engine_register_type((CairnEngine *)&local, "T", &error));
    owned_error(error);
    printf("register_type(NULL name): %u", cairn_engine_register_type(engine, NULL, &error));
    owned_error(error);
    printf("register_type(\"a b\"): %u", cairn_engine_register_type(engine, "a b", &error));
    owned_error(error);
    printf("register_type(T): %u", cairn_engine_register_type(engine, "T", &error));
    owned_error(error);
    printf("register_type(T again): %u", cairn_engine_register_type(engine, "T", &error));
    owned_error(error);
    printf("register_method(unregistered type): %u",
           cairn_engine_register_method(engine, "U", "m", 0, says_nothing, NULL, NULL, &error));
    owned_error(error);
    printf("register_method(NULL function): %u",
           cairn_engine_register_method(engine, "T", "m", 0, NULL, NULL, NULL, &error));
    owned_error(error);
    printf("register_method(NULL method): %u",
           cairn_engine_register_method(engine, "T", NULL, 0, says_nothing, NULL, NULL, &error));
    owned_error(error);
    printf("register_method(\"\"): %u",
           cairn_engine_register_method(engine, "T", "", 0, says_nothing, NULL, NULL, &error));
    owned_error(error);
    printf("register_method(arity 1000): %u",
           cairn_engine_register_method(engine, "T", "m", 1000, says_nothing, NULL, NULL,
                                        &error));
    owned_error(error);
    printf("register_method(T.m): %u",
           cairn_engine_register_method(engine, "T", "m", 0, says_nothing, NULL, NULL, &error));
    owned_error(error);
    cairn_engine_free(engine);

    AiviRuntime *rt = cairn_runtime_new(NULL, NULL);
    dropped = 0;
    printf("host_object_new(NULL runtime): %p", (void *)cairn_host_object_new(NULL, "T", &local,
                                                                               count_drop));
    printf(" | dropped %d\n", dropped);
    printf("host_object_new(NULL type): %p",
           (void *)cairn_host_object_new(rt, NULL, &local, count_drop));
    parked(rt);
    printf("dropped on failure: %d\n", dropped);
    AiviValueHandle object = cairn_host_object_new(rt, "T", &local, count_drop);
    AiviValueHandle number = aivi_value_int(rt, 7);
    printf("host_object_data(NULL handle): %p",
           cairn_host_object_data(rt, NULL, "T"));
    parked(rt);
    printf("host_object_data(Int): %p", cairn_host_object_data(rt, number, NULL));
    parked(rt);
    printf("host_object_data(dangling): %p", cairn_host_object_data(rt, DANGLING, NULL));
    parked(rt);
    printf("host_object_data(wrong type): %p", cairn_host_object_data(rt, object, "U"));
    parked(rt);
    printf("host_object_data(any type) is the data: %d\n",
           cairn_host_object_data(rt, object, NULL) == (void *)&local);
    printf("a NULL drop callback is allowed: %u\n",
           aivi_value_release(rt, cairn_host_object_new(rt, "T", &local, NULL)));
    AiviValueHandle copy = aivi_value_retain(rt, object);
    aivi_value_release(rt, object);
    printf("dropped while a reference remains: %d\n", dropped);
    aivi_value_release(rt, copy);
    printf("dropped at the final release: %d\n", dropped);
    printf("host_object_data(released): %p", cairn_host_object_data(rt, copy, NULL));
    parked(rt);
    AiviValueHandle kept = cairn_host_object_new(rt, "T", &local, count_drop);
    (void)kept;
    cairn_runtime_free(rt);
    printf("dropped by runtime_free: %d\n", dropped);
}

int main(void) {
    engines_and_modules();
    host_objects();
    for (uint32_t kind = 0; kind < 2; kind++) {
        printf("== %s ==\n", kind ? "jit" : "interpreter");
        CairnEngine *engine = cairn_engine_new(kind);
        cairn_engine_register(engine, "bad_result", 0, bad_result, NULL, NULL, NULL);
        cairn_engine_register(engine, "says_nothing", 0, says_nothing, NULL, NULL, NULL);
        cairn_engine_register(engine, "ignores_failure", 0, ignores_failure, NULL, NULL, NULL);
        cairn_engine_register(engine, "frees_runtime", 0, frees_runtime, NULL, NULL, NULL);
        cairn_engine_register(engine, "keeps_effect", 0, keeps_effect, NULL, NULL, NULL);
        cairn_engine_register(engine, "misuses_closures", 2, misuses_closures, NULL, NULL, NULL);
        cairn_engine_register(engine, "calls_back", 2, calls_back, NULL, NULL, NULL);
        cairn_engine_register(engine, "returns_arg", 1, returns_arg, NULL, NULL, NULL);
        cairn_engine_register(engine, "retains_arg", 1, retains_arg, NULL, NULL, NULL);
        /* calls_cairn_call needs the module as its user data: register a placeholder first */
        cairn_engine_register(engine, "calls_cairn_call", 0, says_nothing, NULL, NULL, NULL);
        AiviErrorHandle error = NULL;
        CairnModule *module =
            cairn_engine_compile(engine, "misuse.cairn", SCRIPT, strlen(SCRIPT), &error);
        if (module == NULL) {
            owned_error(error);
            return 1;
        }
        cairn_engine_register(engine, "calls_cairn_call", 0, calls_cairn_call, module, NULL,
                              NULL);
        CairnModule *with_module =
            cairn_engine_compile(engine, "misuse.cairn", SCRIPT, strlen(SCRIPT), NULL);
        AiviRuntime *rt = cairn_runtime_new(NULL, NULL);
        values(rt);
        cairn_runtime_free(rt);
        runtimes(with_module);
        cairn_module_free(with_module);
        cairn_module_free(module);
        cairn_engine_free(engine);
    }
    return 0;
}
