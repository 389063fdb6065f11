/*
 * misuse.c: the C API called the wrong way. Every misuse must give its status and a
 * message from h2024_last_error(), clear the outputs, never echo the input, and never
 * crash. Run by `cargo test --test c_api` and, under valgrind, by .ci/c-valgrind.
 *
 * Prints one line per failed check and a closing "misuse: N passed, M failed"; exits 1 if
 * any check failed.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "h2024.h"

static int passed = 0;
static int failed = 0;

#define CHECK(cond)                                                        \
    do {                                                                   \
        if (cond) {                                                        \
            passed++;                                                      \
        } else {                                                           \
            failed++;                                                      \
            printf("FAILED line %d: %s\n", __LINE__, #cond);               \
        }                                                                  \
    } while (0)

/* Whether this thread's last error exists and contains `part`. */
static int message_has(const char *part) {
    const char *message = h2024_last_error();
    return message != NULL && strstr(message, part) != NULL;
}

/* Whether this thread's last error exists and does not contain `secret`. */
static int message_hides(const char *secret) {
    const char *message = h2024_last_error();
    return message != NULL && strstr(message, secret) == NULL;
}

/* A non-NULL pointer that no output may be left holding. */
static char marker;
#define STALE_ENGINE ((H2024Engine *)(void *)&marker)
#define STALE_STRING (&marker)

static const char REQUEST[] =
    "{\"patients\": [{\"id\": \"p1\"}],"
    " \"providers\": [{\"id\": \"pr1\", \"credential\": \"masters\","
    "                  \"discipline\": \"behavioral_health\"}],"
    " \"encounters\": [{\"id\": \"e1\", \"patient\": \"p1\", \"provider\": \"pr1\","
    "                   \"service\": \"skills_training\", \"setting\": \"home\","
    "                   \"start\": \"2026-03-02T09:00:00-05:00\","
    "                   \"end\": \"2026-03-02T09:45:00-05:00\"}]}";

static void statuses_are_stable(void) {
    /* The values are ABI: C#, Java and Python bindings hard-code them. */
    CHECK(H2024_STATUS_OK == 0);
    CHECK(H2024_STATUS_NULL_ARGUMENT == 1);
    CHECK(H2024_STATUS_INVALID_UTF8 == 2);
    CHECK(H2024_STATUS_INVALID_REQUEST == 3);
    CHECK(H2024_STATUS_INVALID_POLICY == 4);
    CHECK(H2024_STATUS_UNKNOWN_CODE == 5);
    CHECK(H2024_STATUS_UNKNOWN_POLICY == 6);
    CHECK(H2024_STATUS_PANIC == 7);
    CHECK(H2024_STATUS_INVALID_JSON == 8);
    CHECK(H2024_STATUS_MINUTES_OUT_OF_RANGE == 9);
    CHECK(H2024_STATUS_TOO_LARGE == 10);
    CHECK(sizeof(H2024Status) == sizeof(int));
}

static void engine_new_misuse(void) {
    H2024Engine *engine = STALE_ENGINE;

    CHECK(h2024_engine_new(NULL, NULL) == H2024_STATUS_NULL_ARGUMENT);
    CHECK(message_has("h2024_engine_new: `engine_out` is NULL"));
    CHECK(h2024_engine_new("[]", NULL) == H2024_STATUS_NULL_ARGUMENT);
    CHECK(message_has("`engine_out`"));

    CHECK(h2024_engine_new("[\xff]", &engine) == H2024_STATUS_INVALID_UTF8);
    CHECK(engine == NULL);
    CHECK(message_has("`policies_json` is not valid UTF-8"));

    engine = STALE_ENGINE;
    CHECK(h2024_engine_new("not json", &engine) == H2024_STATUS_INVALID_POLICY);
    CHECK(engine == NULL);
    CHECK(message_has("invalid policy"));
    CHECK(message_hides("not json"));

    /* A bad value deep in a policy: the message names its path, not the value. */
    engine = STALE_ENGINE;
    CHECK(h2024_engine_new("[{\"id\": \"ny\", \"extends\": \"medicaid\","
                           "  \"units\": {\"H2014\": {\"rule\": \"Jane Doe\"}}}]",
                           &engine) == H2024_STATUS_INVALID_POLICY);
    CHECK(engine == NULL);
    CHECK(message_has("[0].units.H2014.rule"));
    CHECK(message_hides("Jane"));

    engine = STALE_ENGINE;
    CHECK(h2024_engine_new("[{\"id\": \"medicaid\", \"extends\": \"medicaid\"}]", &engine) ==
          H2024_STATUS_INVALID_POLICY);
    CHECK(engine == NULL);
    CHECK(message_has("[0].id"));

    engine = STALE_ENGINE;
    CHECK(h2024_engine_new("[{\"id\": \"x\", \"extends\": \"tricare\"}]", &engine) ==
          H2024_STATUS_INVALID_POLICY);
    CHECK(engine == NULL);
    CHECK(message_hides("tricare"));

    /* Success clears the message; an empty array means built-ins only. */
    CHECK(h2024_engine_new("[]", &engine) == H2024_STATUS_OK);
    CHECK(engine != NULL && engine != STALE_ENGINE);
    CHECK(h2024_last_error() == NULL);
    h2024_engine_free(engine);
}

static void evaluate_misuse(const H2024Engine *engine) {
    char *out = STALE_STRING;

    CHECK(h2024_evaluate(NULL, REQUEST, &out) == H2024_STATUS_NULL_ARGUMENT);
    CHECK(out == NULL);
    CHECK(message_has("h2024_evaluate: `engine` is NULL"));

    out = STALE_STRING;
    CHECK(h2024_evaluate(engine, NULL, &out) == H2024_STATUS_NULL_ARGUMENT);
    CHECK(out == NULL);
    CHECK(message_has("`request_json` is NULL"));

    CHECK(h2024_evaluate(engine, REQUEST, NULL) == H2024_STATUS_NULL_ARGUMENT);
    CHECK(message_has("`response_json_out` is NULL"));

    out = STALE_STRING;
    CHECK(h2024_evaluate(NULL, NULL, &out) == H2024_STATUS_NULL_ARGUMENT);
    CHECK(out == NULL);
    CHECK(message_has("`engine`")); /* the first NULL argument is named */

    out = STALE_STRING;
    CHECK(h2024_evaluate(engine, "{\"policy\": \"Jane \xff Doe\"}", &out) ==
          H2024_STATUS_INVALID_UTF8);
    CHECK(out == NULL);
    CHECK(message_has("`request_json` is not valid UTF-8 (the first invalid byte is at offset 17)"));
    CHECK(message_hides("Jane"));

    /* Refused requests: a status per kind, and the error document handed out. */
    out = STALE_STRING;
    CHECK(h2024_evaluate(engine, "{\"patients\": [", &out) == H2024_STATUS_INVALID_JSON);
    CHECK(out != NULL && out != STALE_STRING);
    CHECK(out != NULL && strstr(out, "{\"error\":{\"kind\":\"invalid_json\"") == out);
    CHECK(message_has("line 1"));
    h2024_string_free(out);

    out = STALE_STRING;
    CHECK(h2024_evaluate(engine, "", &out) == H2024_STATUS_INVALID_JSON);
    CHECK(out != NULL && strstr(out, "\"kind\":\"invalid_json\"") != NULL);
    h2024_string_free(out);

    out = NULL;
    CHECK(h2024_evaluate(engine, "{\"patients\": \"Jane Doe\"}", &out) ==
          H2024_STATUS_INVALID_REQUEST);
    CHECK(out != NULL && strstr(out, "\"kind\":\"invalid_request\"") != NULL);
    CHECK(out != NULL && strstr(out, "\"path\":\"patients\"") != NULL);
    CHECK(out != NULL && strstr(out, "Jane") == NULL);
    CHECK(message_has("`patients`"));
    CHECK(message_hides("Jane"));
    h2024_string_free(out);

    out = NULL;
    CHECK(h2024_evaluate(engine, "{\"policy\": \"Jane Doe\"}", &out) ==
          H2024_STATUS_UNKNOWN_POLICY);
    CHECK(out != NULL && strstr(out, "\"kind\":\"unknown_policy\"") != NULL);
    CHECK(out != NULL && strstr(out, "\"path\":\"policy\"") != NULL);
    CHECK(out != NULL && strstr(out, "Jane") == NULL);
    CHECK(message_has("`policy`"));
    CHECK(message_hides("Jane"));
    h2024_string_free(out);

    out = NULL;
    CHECK(h2024_evaluate(engine,
                         "{\"policy\": {\"id\": \"x\", \"extends\": \"medicaid\","
                         " \"audio_only_modifier\": \"GT\"}}",
                         &out) == H2024_STATUS_INVALID_POLICY);
    CHECK(out != NULL && strstr(out, "\"kind\":\"invalid_policy\"") != NULL);
    CHECK(out != NULL && strstr(out, "\"path\":\"policy.audio_only_modifier\"") != NULL);
    h2024_string_free(out);

    /* A malformed encounter does not refuse the request: it gets a finding. */
    out = NULL;
    CHECK(h2024_evaluate(engine,
                         "{\"encounters\": [{\"id\": \"e1\", \"patient\": \"p1\","
                         " \"provider\": \"pr1\", \"service\": \"skills_training\","
                         " \"setting\": \"home\", \"start\": \"Jane Doe\"}]}",
                         &out) == H2024_STATUS_OK);
    CHECK(h2024_last_error() == NULL);
    CHECK(out != NULL && strstr(out, "\"rule\":\"invalid_encounter\"") != NULL);
    CHECK(out != NULL && strstr(out, "Jane") == NULL);
    h2024_string_free(out);
}

static void units_misuse(const H2024Engine *engine) {
    uint32_t units = 99;

    CHECK(h2024_units(NULL, "medicaid", "H2014", 38, &units) == H2024_STATUS_NULL_ARGUMENT);
    CHECK(units == 0);
    CHECK(message_has("h2024_units: `engine` is NULL"));

    units = 99;
    CHECK(h2024_units(engine, NULL, "H2014", 38, &units) == H2024_STATUS_NULL_ARGUMENT);
    CHECK(units == 0);
    CHECK(message_has("`policy` is NULL"));

    units = 99;
    CHECK(h2024_units(engine, "medicaid", NULL, 38, &units) == H2024_STATUS_NULL_ARGUMENT);
    CHECK(units == 0);
    CHECK(message_has("`code` is NULL"));

    CHECK(h2024_units(engine, "medicaid", "H2014", 38, NULL) == H2024_STATUS_NULL_ARGUMENT);
    CHECK(message_has("`units_out` is NULL"));

    units = 99;
    CHECK(h2024_units(engine, "medicaid", "H20\xc3", 38, &units) == H2024_STATUS_INVALID_UTF8);
    CHECK(units == 0);
    CHECK(message_has("`code` is not valid UTF-8"));

    units = 99;
    CHECK(h2024_units(engine, "medicaid", "H9999", 38, &units) == H2024_STATUS_UNKNOWN_CODE);
    CHECK(units == 0);
    CHECK(message_has("`code`"));
    CHECK(message_hides("H9999"));

    units = 99;
    CHECK(h2024_units(engine, "medicaid", "", 38, &units) == H2024_STATUS_UNKNOWN_CODE);
    CHECK(units == 0);

    units = 99;
    CHECK(h2024_units(engine, "Jane Doe", "H2014", 38, &units) == H2024_STATUS_UNKNOWN_POLICY);
    CHECK(units == 0);
    CHECK(message_has("`policy`"));
    CHECK(message_hides("Jane"));

    units = 99;
    CHECK(h2024_units(engine, "medicaid", "H2014", 1441, &units) ==
          H2024_STATUS_MINUTES_OUT_OF_RANGE);
    CHECK(units == 0);
    CHECK(message_has("`minutes`"));
    CHECK(message_hides("1441"));

    units = 99;
    CHECK(h2024_units(engine, "medicaid", "H2014", UINT32_MAX, &units) ==
          H2024_STATUS_MINUTES_OUT_OF_RANGE);
    CHECK(units == 0);

    CHECK(h2024_units(engine, "medicaid", "H2014", 1440, &units) == H2024_STATUS_OK);
    CHECK(units == 96);
    CHECK(h2024_units(engine, "medicaid", "h2014", 0, &units) == H2024_STATUS_OK);
    CHECK(units == 0);
}

static void double_calls(const H2024Engine *engine) {
    /* Freeing NULL is a no-op, however often. */
    h2024_engine_free(NULL);
    h2024_engine_free(NULL);
    h2024_string_free(NULL);
    h2024_string_free(NULL);

    /* The version is one static string. */
    CHECK(h2024_version() == h2024_version());
    CHECK(strcmp(h2024_version(), H2024_VERSION) == 0);

    /* Reading the last error does not change it. */
    uint32_t units = 0;
    CHECK(h2024_units(engine, "medicaid", "H9999", 38, &units) == H2024_STATUS_UNKNOWN_CODE);
    const char *first = h2024_last_error();
    CHECK(first != NULL);
    CHECK(h2024_last_error() == first);
    /* Free functions and h2024_version() leave it alone; a success clears it. */
    h2024_string_free(NULL);
    CHECK(h2024_version() != NULL);
    CHECK(h2024_last_error() == first);
    CHECK(h2024_units(engine, "medicaid", "H2014", 38, &units) == H2024_STATUS_OK);
    CHECK(units == 3);
    CHECK(h2024_last_error() == NULL);
    CHECK(h2024_last_error() == NULL);

    /* Evaluating twice gives the same document, in two strings. */
    char *a = NULL;
    char *b = NULL;
    CHECK(h2024_evaluate(engine, REQUEST, &a) == H2024_STATUS_OK);
    CHECK(h2024_evaluate(engine, REQUEST, &b) == H2024_STATUS_OK);
    CHECK(a != NULL && b != NULL && a != b && strcmp(a, b) == 0);
    CHECK(a != NULL && strstr(a, "\"code\":\"H2014\",\"modifiers\":[\"HO\"],\"units\":3") != NULL);
    h2024_string_free(a);
    h2024_string_free(b);

    /* Two engines are independent; freeing one leaves the other usable. */
    H2024Engine *one = NULL;
    H2024Engine *two = NULL;
    CHECK(h2024_engine_new(NULL, &one) == H2024_STATUS_OK);
    CHECK(h2024_engine_new(NULL, &two) == H2024_STATUS_OK);
    CHECK(one != NULL && two != NULL && one != two);
    h2024_engine_free(one);
    units = 0;
    CHECK(h2024_units(two, "medicaid", "H2024", 91, &units) == H2024_STATUS_OK);
    CHECK(units == 2);
    h2024_engine_free(two);
}

int main(void) {
    statuses_are_stable();
    CHECK(h2024_last_error() == NULL); /* nothing failed on this thread yet */
    engine_new_misuse();

    H2024Engine *engine = NULL;
    CHECK(h2024_engine_new(NULL, &engine) == H2024_STATUS_OK);
    if (engine == NULL) {
        printf("misuse: %d passed, %d failed\n", passed, failed + 1);
        return 1;
    }
    evaluate_misuse(engine);
    units_misuse(engine);
    double_calls(engine);
    h2024_engine_free(engine);

    printf("misuse: %d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
