/*
 * embed/tests/c_api/modules.c - modules from C (docs/EMBEDDING.md, "Modules"): a resolver
 * serving sources from memory (a static buffer for one module, a malloc'd one released by
 * the release callback for the other), a native module of a C host function, and the E0106
 * a refused import gives with the resolver's reason. embed/tests/c_api.rs compares the
 * transcript with modules.expected, plainly and under ASan + UBSan.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn.h"

static int released = 0;

static uint32_t resolve(void *user, const char *importer, const char *path,
                        const char **text_out, size_t *len_out) {
    (void)user;
    printf("resolve %s from %s\n", path, importer ? importer : "(main)");
    if (strcmp(path, "geometry") == 0) {
        static const char GEOMETRY[] = "import util\npub fn area(w, h) = util::times(w, h)\n";
        *text_out = GEOMETRY;
        *len_out = strlen(GEOMETRY);
        return 1;
    }
    if (strcmp(path, "util") == 0) {
        const char *text = "pub fn times(a, b) = a * b\n";
        char *copy = malloc(strlen(text));
        memcpy(copy, text, strlen(text));
        *text_out = copy;
        *len_out = strlen(text);
        return 1;
    }
    static const char REASON[] = "this host serves only geometry and util";
    *text_out = REASON;
    *len_out = strlen(REASON);
    return 0;
}

static void release(void *user, const char *text, size_t len) {
    (void)user;
    (void)len;
    released++;
    if (strncmp(text, "pub fn times", 12) == 0) free((void *)text);
}

static AiviValueHandle twice(void *user, AiviRuntime *rt, AiviEffectHandle effect,
                             const AiviValueHandle *args, size_t nargs) {
    (void)user;
    (void)effect;
    (void)nargs;
    int64_t n = 0;
    if (!aivi_value_as_int(rt, args[0], &n)) return NULL;
    return aivi_value_int(rt, 2 * n);
}

static void run(uint32_t kind) {
    CairnEngine *engine = cairn_engine_new(kind);
    AiviErrorHandle error = NULL;
    printf("set_resolver: %u\n", cairn_engine_set_resolver(engine, resolve, release, NULL, NULL, &error));
    printf("register_native: %u\n",
           cairn_engine_register_native(engine, "hostmath", "twice", 1, twice, NULL, NULL, &error));
    printf("register_native(bad module): %u",
           cairn_engine_register_native(engine, "no good", "twice", 1, twice, NULL, NULL, &error));
    printf(" | %s %s\n", aivi_error_code(error), aivi_error_message(error));
    aivi_error_release(NULL, error);
    error = NULL;

    static const char MAIN[] =
        "import geometry\nimport hostmath\nfn main() = hostmath::twice(geometry::area(3, 4))\n";
    CairnModule *module = cairn_engine_compile(engine, "main.cairn", MAIN, strlen(MAIN), &error);
    AiviRuntime *rt = cairn_runtime_new(NULL, NULL);
    AiviValueHandle result = cairn_call(rt, module, "main", NULL, 0);
    int64_t n = 0;
    aivi_value_as_int(rt, result, &n);
    printf("main: %lld (released %d)\n", (long long)n, released);
    aivi_value_release(rt, result);
    cairn_runtime_free(rt);
    cairn_module_free(module);

    static const char BAD[] = "import nowhere\nfn main() = 1\n";
    module = cairn_engine_compile(engine, "bad.cairn", BAD, strlen(BAD), &error);
    printf("bad: %s | %s %s at %u:%u\n", module ? "compiled" : "(nil)", aivi_error_code(error),
           aivi_error_message(error), aivi_error_line(error), aivi_error_column(error));
    aivi_error_release(NULL, error);
    cairn_engine_free(engine);
}

int main(void) {
    printf("-- interpreter --\n");
    run(CAIRN_ENGINE_INTERPRETER);
    released = 0;
    printf("-- jit --\n");
    run(CAIRN_ENGINE_JIT);
    return 0;
}
