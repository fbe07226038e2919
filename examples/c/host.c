/*
 * examples/c/host.c - a C host of Cairn (include/cairn.h).
 *
 * Registers four host functions (price, shout, summarize, twice), compiles a shop script
 * that calls them, and calls its functions with Maps, Lists and Texts built in C, reading
 * the results back with the value readers. Then: a compile error, runtime errors with their
 * positions, a host function's failure, fuel, and cancellation from another thread; then
 * host objects: a C struct type with methods the script calls (p.damage(30)), objects made
 * by a host function, each dropped exactly once at its final release. Runs
 * everything on the interpreter and on the JIT; both print the same.
 *
 * Build (Linux; embed/tests/c_api.rs does this, plainly and with ASan + UBSan):
 *   cargo build -p cairn
 *   cc -std=c11 -I include examples/c/host.c target/debug/libcairn.a \
 *      -lgcc_s -lutil -lrt -lpthread -lm -ldl -lc -o host && ./host
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cairn.h"

static const char SCRIPT[] =
    "// price, shout, summarize and twice are C host functions (examples/c/host.c).\n"
    "fn line(item, qty) = (item, qty, price(item) * qty)\n"
    "\n"
    "fn invoice(order) = {\n"
    "  lines = collect(map(order, \\entry -> line(entry[0], entry[1])));\n"
    "  print(\"priced \" ++ str(len(lines)) ++ \" lines\");\n"
    "  #{\"title\": shout(\"invoice\"), \"lines\": lines,\n"
    "    \"total\": fold(lines, 0.0, \\acc, l -> acc + l[2])}\n"
    "}\n"
    "\n"
    "fn describe(numbers) = {\n"
    "  s = summarize(numbers);\n"
    "  (s, s[\"sum\"] / s[\"count\"], twice(\\t -> t ++ \"!\", shout(\"done\")))\n"
    "}\n"
    "\n"
    "fn spin(n) = spin(n + 1)\n"
    "fn third(xs) = xs[2]\n"
    "fn main() = invoice(#{\"apple\": 1})\n";

/* ---- small helpers -------------------------------------------------------------------- */

static AiviValueHandle text(AiviRuntime *rt, const char *s) {
    return aivi_value_text(rt, s, strlen(s));
}

/* The Text `value` as a malloc'd NUL-terminated string (NULL if it is not a Text). */
static char *text_of(AiviRuntime *rt, AiviValueHandle value) {
    size_t len = cairn_value_text_bytes(rt, value, NULL, 0);
    if (len == SIZE_MAX) return NULL;
    char *buf = malloc(len + 1);
    if (buf == NULL) return NULL;
    cairn_value_text_bytes(rt, value, buf, len + 1);
    return buf;
}

/* Prints `value` as JSON using only the readers of cairn.h (Maps become objects when their
 * keys are Texts, Tuples become arrays). */
static void print_json(AiviRuntime *rt, AiviValueHandle value) {
    const char *kind = aivi_value_kind(rt, value);
    if (kind == NULL) {
        printf("<bad value>");
        return;
    }
    if (strcmp(kind, "Int") == 0) {
        int64_t n = 0;
        aivi_value_as_int(rt, value, &n);
        printf("%lld", (long long)n);
    } else if (strcmp(kind, "Float") == 0) {
        double x = 0;
        cairn_value_as_float(rt, value, &x);
        printf("%.2f", x);
    } else if (strcmp(kind, "Bool") == 0) {
        uint32_t b = 0;
        cairn_value_as_bool(rt, value, &b);
        printf(b ? "true" : "false");
    } else if (strcmp(kind, "Unit") == 0) {
        printf("null");
    } else if (strcmp(kind, "Text") == 0) {
        char *s = text_of(rt, value);
        printf("\"%s\"", s ? s : "?");
        free(s);
    } else if (strcmp(kind, "List") == 0 || strcmp(kind, "Tuple") == 0) {
        size_t n = cairn_value_len(rt, value);
        printf("[");
        for (size_t i = 0; i < n; i++) {
            AiviValueHandle item = cairn_value_at(rt, value, i);
            printf(i ? ", " : "");
            print_json(rt, item);
            aivi_value_release(rt, item);
        }
        printf("]");
    } else if (strcmp(kind, "Map") == 0) {
        size_t n = cairn_value_len(rt, value);
        printf("{");
        for (size_t i = 0; i < n; i++) {
            AiviValueHandle key, item;
            if (!cairn_value_map_entry(rt, value, i, &key, &item)) break;
            printf(i ? ", " : "");
            print_json(rt, key);
            printf(": ");
            print_json(rt, item);
            aivi_value_release(rt, key);
            aivi_value_release(rt, item);
        }
        printf("}");
    } else {
        printf("\"<%s>\"", kind);
    }
}

/* Prints the error parked in rt (or the one given) as "error[CODE] at LINE:COL: MESSAGE". */
static void print_error(AiviErrorHandle error) {
    if (error == NULL) {
        printf("no error\n");
        return;
    }
    printf("error[%s] at %u:%u: %s\n", aivi_error_code(error), aivi_error_line(error),
           aivi_error_column(error), aivi_error_message(error));
    aivi_error_release(NULL, error);
}

static void print_output(AiviRuntime *rt) {
    size_t len = 0;
    const char *out = cairn_runtime_output(rt, &len);
    if (len > 0) {
        printf("script printed: ");
        fwrite(out, 1, len, stdout);
    }
}

/* ---- the host functions --------------------------------------------------------------- */

struct price_table {
    const char *items[3];
    double prices[3];
    int *frees; /* counts free_user calls */
};

/* price(item): a Float from the table in `user`; an unknown item fails the script's call. */
static AiviValueHandle host_price(void *user, AiviRuntime *rt, AiviEffectHandle effect,
                                  const AiviValueHandle *args, size_t nargs) {
    (void)nargs;
    const struct price_table *table = user;
    char *item = text_of(rt, args[0]); /* NULL (error parked) when not a Text */
    if (item == NULL) return NULL;
    for (size_t i = 0; i < 3; i++) {
        if (strcmp(table->items[i], item) == 0) {
            free(item);
            return aivi_value_float(rt, table->prices[i]);
        }
    }
    char message[128];
    snprintf(message, sizeof message, "no price for \"%s\"", item);
    free(item);
    cairn_effect_fail(effect, message);
    return NULL;
}

static void free_price_table(void *user) {
    struct price_table *table = user;
    (*table->frees)++;
}

/* shout(text): the Text in upper case (ASCII). */
static AiviValueHandle host_shout(void *user, AiviRuntime *rt, AiviEffectHandle effect,
                                  const AiviValueHandle *args, size_t nargs) {
    (void)user, (void)effect, (void)nargs;
    char *s = text_of(rt, args[0]);
    if (s == NULL) return NULL;
    for (char *c = s; *c; c++)
        if (*c >= 'a' && *c <= 'z') *c = (char)(*c - 'a' + 'A');
    AiviValueHandle result = text(rt, s);
    free(s);
    return result;
}

/* summarize(list of Ints): #{"count": n, "max": .., "min": .., "sum": ..} built in C. A
 * non-List is an RT0303 raised through the effect; a non-Int element fails the call with the
 * reader's own error (parked by aivi_value_as_int). */
static AiviValueHandle host_summarize(void *user, AiviRuntime *rt, AiviEffectHandle effect,
                                      const AiviValueHandle *args, size_t nargs) {
    (void)user, (void)nargs;
    const char *kind = aivi_value_kind(rt, args[0]);
    if (kind == NULL || strcmp(kind, "List") != 0) {
        char message[96];
        snprintf(message, sizeof message, "type mismatch: summarize expects a List, got %s",
                 kind ? kind : "?");
        aivi_effect_raise(effect, "RT0303", message);
        return NULL;
    }
    size_t n = cairn_value_len(rt, args[0]);
    if (n == 0) {
        cairn_effect_fail(effect, "an empty list has no summary");
        return NULL;
    }
    int64_t sum = 0, min = INT64_MAX, max = INT64_MIN;
    for (size_t i = 0; i < n; i++) {
        AiviValueHandle item = cairn_value_at(rt, args[0], i);
        int64_t x = 0;
        uint32_t ok = aivi_value_as_int(rt, item, &x);
        aivi_value_release(rt, item);
        if (!ok) return NULL;
        sum += x;
        min = x < min ? x : min;
        max = x > max ? x : max;
    }
    AiviValueHandle keys[4] = {text(rt, "count"), text(rt, "max"), text(rt, "min"),
                               text(rt, "sum")};
    AiviValueHandle values[4] = {aivi_value_int(rt, (int64_t)n), aivi_value_int(rt, max),
                                 aivi_value_int(rt, min), aivi_value_int(rt, sum)};
    AiviValueHandle map = cairn_value_map(rt, keys, values, 4);
    for (size_t i = 0; i < 4; i++) {
        aivi_value_release(rt, keys[i]);
        aivi_value_release(rt, values[i]);
    }
    return map;
}

/* twice(f, x): f(f(x)), calling the script's closure back. */
static AiviValueHandle host_twice(void *user, AiviRuntime *rt, AiviEffectHandle effect,
                                  const AiviValueHandle *args, size_t nargs) {
    (void)user, (void)effect, (void)nargs;
    AiviValueHandle once = cairn_call_closure(rt, args[0], &args[1], 1);
    if (once == NULL) return NULL;
    AiviValueHandle again = cairn_call_closure(rt, args[0], &once, 1);
    aivi_value_release(rt, once);
    return again;
}

/* ---- cancellation from another thread ------------------------------------------------- */

static void *cancel_later(void *cancel) {
    struct timespec pause = {0, 50 * 1000 * 1000};
    nanosleep(&pause, NULL);
    cairn_cancel(cancel);
    return NULL;
}

/* ---- host objects --------------------------------------------------------------------- */

static const char GAME[] =
    "fn brawl(a, b) = { a.damage(30); b.damage(a.hp() / 10); [a.hp(), b.hp()] }\n"
    "fn squad(n) = collect(map(range(0, n), \\i -> spawn(i)))\n"
    "fn doomed() = { s = squad(3); print(len(s)); fail(\"ambush\") }\n"
    "fn missing(p) = p.fly()\n"
    "fn on_int() = 5.damage(1)\n"
    "fn as_key(p) = #{p: 1}\n"
    "fn same(a, b) = (a == a, a == b)\n"
    "fn main() = ()\n";

struct player {
    int64_t hp;
    int *drops; /* counts drop_player calls */
};

static void drop_player(void *data) {
    struct player *p = data;
    (*p->drops)++;
    free(p);
}

static AiviValueHandle new_player(AiviRuntime *rt, int64_t hp, int *drops) {
    struct player *p = malloc(sizeof *p);
    if (p == NULL) return NULL;
    p->hp = hp;
    p->drops = drops;
    return cairn_host_object_new(rt, "Player", p, drop_player);
}

/* Player.damage(amount): mutates the C struct behind the receiver (args[0]). */
static AiviValueHandle player_damage(void *user, AiviRuntime *rt, AiviEffectHandle effect,
                                     const AiviValueHandle *args, size_t nargs) {
    (void)user, (void)effect, (void)nargs;
    struct player *p = cairn_host_object_data(rt, args[0], "Player");
    int64_t amount = 0;
    if (p == NULL || !aivi_value_as_int(rt, args[1], &amount)) return NULL;
    p->hp -= amount;
    return aivi_value_unit(rt);
}

static AiviValueHandle player_hp(void *user, AiviRuntime *rt, AiviEffectHandle effect,
                                 const AiviValueHandle *args, size_t nargs) {
    (void)user, (void)effect, (void)nargs;
    struct player *p = cairn_host_object_data(rt, args[0], "Player");
    return p == NULL ? NULL : aivi_value_int(rt, p->hp);
}

/* spawn(i): a new Player made by a host function; the script owns it. */
static AiviValueHandle host_spawn(void *user, AiviRuntime *rt, AiviEffectHandle effect,
                                  const AiviValueHandle *args, size_t nargs) {
    (void)effect, (void)nargs;
    int64_t i = 0;
    if (!aivi_value_as_int(rt, args[0], &i)) return NULL;
    return new_player(rt, 10 + i, user);
}

static void call_and_report(AiviRuntime *rt, CairnModule *game, const char *name,
                            const AiviValueHandle *args, size_t nargs) {
    AiviValueHandle result = cairn_call(rt, game, name, args, nargs);
    printf("%s: ", name);
    if (result == NULL) {
        printf("failed, ");
        print_error(aivi_runtime_take_error(rt));
        return;
    }
    char printed[128];
    aivi_value_print(rt, result, printed, sizeof printed);
    printf("%s\n", printed);
    aivi_value_release(rt, result);
}

static int host_objects(uint32_t kind) {
    int drops = 0;
    AiviErrorHandle error = NULL;
    CairnEngine *engine = cairn_engine_new(kind);
    if (!cairn_engine_register_type(engine, "Player", &error) ||
        !cairn_engine_register_method(engine, "Player", "damage", 1, player_damage, NULL, NULL,
                                      &error) ||
        !cairn_engine_register_method(engine, "Player", "hp", 0, player_hp, NULL, NULL,
                                      &error) ||
        !cairn_engine_register(engine, "spawn", 1, host_spawn, &drops, NULL, &error)) {
        print_error(error);
        return 1;
    }
    CairnModule *game = cairn_engine_compile(engine, "game.cairn", GAME, strlen(GAME), &error);
    cairn_engine_free(engine);
    if (game == NULL) {
        print_error(error);
        return 1;
    }
    AiviRuntime *rt = cairn_runtime_new(NULL, NULL);
    AiviValueHandle players[2] = {new_player(rt, 100, &drops), new_player(rt, 80, &drops)};
    char printed[64];
    aivi_value_print(rt, players[0], printed, sizeof printed);
    printf("host objects: %s is a %s\n", printed, aivi_value_kind(rt, players[0]));
    call_and_report(rt, game, "brawl", players, 2);
    struct player *first = cairn_host_object_data(rt, players[0], "Player");
    printf("the host reads hp %lld back\n", (long long)first->hp);
    call_and_report(rt, game, "same", players, 2);
    AiviValueHandle three = aivi_value_int(rt, 3);
    call_and_report(rt, game, "squad", &three, 1);
    printf("dropped after squad(3): %d\n", drops);
    call_and_report(rt, game, "doomed", NULL, 0);
    printf("dropped after doomed(): %d\n", drops);
    call_and_report(rt, game, "missing", players, 1);
    call_and_report(rt, game, "on_int", NULL, 0);
    call_and_report(rt, game, "as_key", players, 1);
    printf("data as another type: %s, ",
           cairn_host_object_data(rt, players[0], "Monster") ? "found" : "refused");
    print_error(aivi_runtime_take_error(rt));
    aivi_value_release(rt, three);
    aivi_value_release(rt, players[0]);
    aivi_value_release(rt, players[1]);
    printf("dropped after the host's releases: %d; blocks in use: %u\n", drops,
           aivi_runtime_blocks_in_use(rt));
    cairn_runtime_free(rt);
    cairn_module_free(game);
    return 0;
}

/* ---- the host program ----------------------------------------------------------------- */

static int run(uint32_t kind) {
    printf("== %s ==\n", kind == CAIRN_ENGINE_JIT ? "jit" : "interpreter");
    int frees = 0;
    struct price_table prices = {{"apple", "pear", "plum"}, {0.5, 0.75, 1.25}, &frees};

    CairnEngine *engine = cairn_engine_new(kind);
    AiviErrorHandle error = NULL;
    cairn_engine_register(engine, "price", 1, host_price, &prices, free_price_table, NULL);
    cairn_engine_register(engine, "shout", 1, host_shout, NULL, NULL, NULL);
    cairn_engine_register(engine, "summarize", 1, host_summarize, NULL, NULL, NULL);
    if (!cairn_engine_register(engine, "twice", 2, host_twice, NULL, NULL, &error)) {
        print_error(error);
        return 1;
    }

    /* A compile error: code, message and position. */
    const char *typo = "fn main() = prise(\"apple\")\n";
    CairnModule *broken = cairn_engine_compile(engine, "typo.cairn", typo, strlen(typo), &error);
    printf("compile typo.cairn: %s, ", broken ? "compiled" : "failed");
    print_error(error);

    /* Every diagnostic of one compilation: the count, then each with its byte span. */
    const char *typos = "fn main() = prise(1) + tax()\nfn tax() = rate(2, 3)\n"
                        "fn rate(x) = x * vat\n";
    broken = cairn_engine_compile(engine, "typos.cairn", typos, strlen(typos), &error);
    size_t count = cairn_compile_error_count(error);
    printf("compile typos.cairn: %s, %zu diagnostics\n", broken ? "compiled" : "failed", count);
    for (size_t i = 0; i < count; i++) {
        AiviErrorHandle one = cairn_compile_error_at(error, i, NULL);
        size_t start = 0, end = 0;
        if (cairn_compile_error_span(one, &start, &end)) {
            printf("  bytes %zu..%zu: ", start, end);
        }
        print_error(one);
    }
    aivi_error_release(NULL, error);

    CairnModule *shop =
        cairn_engine_compile(engine, "shop.cairn", SCRIPT, strlen(SCRIPT), &error);
    if (shop == NULL) {
        print_error(error);
        return 1;
    }
    cairn_engine_free(engine); /* the module keeps its host functions */
    printf("invoice takes %lld argument(s)\n", (long long)cairn_module_arity(shop, "invoice"));

    AiviRuntime *rt = cairn_runtime_new(NULL, &error);
    if (rt == NULL) {
        print_error(error);
        return 1;
    }

    /* invoice(#{"apple": 4, "plum": 2}): a Map built in C, a Map of Lists of Tuples back. */
    AiviValueHandle keys[2] = {text(rt, "apple"), text(rt, "plum")};
    AiviValueHandle quantities[2] = {aivi_value_int(rt, 4), aivi_value_int(rt, 2)};
    AiviValueHandle order = cairn_value_map(rt, keys, quantities, 2);
    AiviValueHandle invoice = cairn_call(rt, shop, "invoice", &order, 1);
    print_output(rt);
    printf("invoice: ");
    print_json(rt, invoice);
    printf("\n");
    AiviValueHandle total_key = text(rt, "total");
    AiviValueHandle total = cairn_value_map_get(rt, invoice, total_key);
    double amount = 0;
    cairn_value_as_float(rt, total, &amount);
    printf("total to pay: %.2f\n", amount);
    char canonical[256];
    aivi_value_print(rt, invoice, canonical, sizeof canonical);
    printf("canonical: %s\n", canonical);
    aivi_value_release(rt, total);
    aivi_value_release(rt, total_key);
    aivi_value_release(rt, invoice);
    aivi_value_release(rt, order);

    /* describe([3, 9, 4, 1]): a List in, a Tuple of a C-built Map, a Float and a Text out. */
    AiviValueHandle items[4] = {aivi_value_int(rt, 3), aivi_value_int(rt, 9),
                                aivi_value_int(rt, 4), aivi_value_int(rt, 1)};
    AiviValueHandle numbers = aivi_value_list(rt, items, 4);
    AiviValueHandle described = cairn_call(rt, shop, "describe", &numbers, 1);
    printf("describe: ");
    print_json(rt, described);
    printf("\n");
    aivi_value_release(rt, described);
    aivi_value_release(rt, numbers);

    /* Failures: each leaves the runtime usable and its heap clean. */
    AiviValueHandle kiwi_key = text(rt, "kiwi");
    AiviValueHandle one = aivi_value_int(rt, 1);
    AiviValueHandle kiwi_order = cairn_value_map(rt, &kiwi_key, &one, 1);
    printf("invoice(#{\"kiwi\": 1}): %s, ",
           cairn_call(rt, shop, "invoice", &kiwi_order, 1) ? "value" : "failed");
    print_error(aivi_runtime_take_error(rt));
    AiviValueHandle word = text(rt, "oops");
    printf("describe(\"oops\"): %s, ",
           cairn_call(rt, shop, "describe", &word, 1) ? "value" : "failed");
    print_error(aivi_runtime_take_error(rt));
    AiviValueHandle mixed[2] = {one, word};
    AiviValueHandle mixed_list = aivi_value_list(rt, mixed, 2);
    printf("describe([1, \"oops\"]): %s, ",
           cairn_call(rt, shop, "describe", &mixed_list, 1) ? "value" : "failed");
    print_error(aivi_runtime_take_error(rt));
    aivi_value_release(rt, mixed_list);
    AiviValueHandle nothing = aivi_value_list(rt, NULL, 0);
    printf("describe([]): %s, ",
           cairn_call(rt, shop, "describe", &nothing, 1) ? "value" : "failed");
    print_error(aivi_runtime_take_error(rt));
    aivi_value_release(rt, nothing);
    AiviValueHandle two[2] = {one, one};
    AiviValueHandle short_list = aivi_value_list(rt, two, 2);
    printf("third([1, 1]): %s, ",
           cairn_call(rt, shop, "third", &short_list, 1) ? "value" : "failed");
    print_error(aivi_runtime_take_error(rt));
    printf("third(): %s, ", cairn_call(rt, shop, "third", NULL, 0) ? "value" : "failed");
    print_error(aivi_runtime_take_error(rt));
    aivi_value_release(rt, short_list);
    aivi_value_release(rt, word);
    aivi_value_release(rt, kiwi_order);
    aivi_value_release(rt, one);
    aivi_value_release(rt, kiwi_key);
    for (size_t i = 0; i < 4; i++) aivi_value_release(rt, items[i]);
    for (size_t i = 0; i < 2; i++) {
        aivi_value_release(rt, keys[i]);
        aivi_value_release(rt, quantities[i]);
    }
    printf("blocks in use: %u\n", aivi_runtime_blocks_in_use(rt));

    /* Limits: fuel stops a runaway script; a cancel from another thread stops one too. */
    CairnLimits limits = {0, 0, 0, 10000, 0, 0};
    AiviRuntime *metered = cairn_runtime_new(&limits, NULL);
    AiviValueHandle zero = aivi_value_int(metered, 0);
    printf("spin(0) with 10000 fuel: %s, ",
           cairn_call(metered, shop, "spin", &zero, 1) ? "value" : "failed");
    print_error(aivi_runtime_take_error(metered));
    cairn_runtime_free(metered);

    CairnCancel *cancel = cairn_runtime_cancel_handle(rt);
    pthread_t canceller;
    pthread_create(&canceller, NULL, cancel_later, cancel);
    AiviValueHandle start = aivi_value_int(rt, 0);
    printf("spin(0) cancelled from another thread: %s, ",
           cairn_call(rt, shop, "spin", &start, 1) ? "value" : "failed");
    print_error(aivi_runtime_take_error(rt));
    pthread_join(canceller, NULL);
    cairn_cancel_free(cancel);
    AiviValueHandle tens[3] = {aivi_value_int(rt, 10), aivi_value_int(rt, 20),
                               aivi_value_int(rt, 30)};
    AiviValueHandle list = aivi_value_list(rt, tens, 3);
    AiviValueHandle after = cairn_call(rt, shop, "third", &list, 1);
    printf("third([10, 20, 30]) after the cancel: ");
    print_json(rt, after);
    printf("\n");
    aivi_value_release(rt, after);
    aivi_value_release(rt, list);
    printf("blocks in use: %u\n", aivi_runtime_blocks_in_use(rt));

    cairn_runtime_free(rt);
    cairn_module_free(shop);
    printf("price table released %d time(s)\n", frees);
    return host_objects(kind);
}

int main(void) {
    if (run(CAIRN_ENGINE_INTERPRETER) != 0) return 1;
    if (run(CAIRN_ENGINE_JIT) != 0) return 1;
    return 0;
}
