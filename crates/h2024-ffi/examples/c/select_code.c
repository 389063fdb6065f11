/*
 * select_code.c: evaluate a small batch of documented sessions and print what the engine
 * decided for each one.
 *
 * Build against the installed library (docs/c-api.md, "Installing"):
 *   cc -std=c11 -Wall -Wextra select_code.c $(pkg-config --cflags --libs h2024) -o select_code
 *
 * The response is JSON. A real program would hand it to a JSON parser; to stay free of
 * dependencies this example only picks out a few fields with strstr().
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "h2024.h"

/* Four encounters under the medicaid policy:
 *   e1: 45 minutes of skills training       -> H2014 x 3 (15-minute units)
 *   e2: 60 minutes of skills training       -> H2024 x 1 (the per-hour code)
 *   e3: 30 minutes of OT self-care training -> 97535 x 2
 *   e4: skills training by audio only       -> no code: medicaid does not cover it */

/* A treatment plan and a fully documented session note, so that the findings show only
 * what is really wrong with the day. */
#define PLAN                                                                              \
    "\"treatment_plan\": {\"goals\": [{\"id\": \"g1\", \"skills\": [\"budgeting\"],"            \
    " \"deficit\": \"cannot manage monthly bills\"}], \"last_progress_report\": \"2026-02-15\"}"
#define NOTE                                                                              \
    "\"documentation\": {\"skills_taught\": [\"budgeting\"], \"participation\": \"active\","      \
    " \"progress\": \"paid two bills\", \"techniques\": [\"modeling\"], \"objectives\": [\"g1\"]}"

static const char REQUEST[] =
    "{\"policy\": \"medicaid\","
    " \"patients\": [{\"id\": \"p1\", " PLAN "}, {\"id\": \"p2\", " PLAN "},"
    "   {\"id\": \"p3\", " PLAN "}, {\"id\": \"p4\", " PLAN "}],"
    " \"providers\": ["
    "   {\"id\": \"bh1\", \"credential\": \"masters\", \"discipline\": \"behavioral_health\"},"
    "   {\"id\": \"ot1\", \"credential\": \"masters\", \"discipline\": \"occupational_therapy\"}],"
    " \"encounters\": ["
    "   {\"id\": \"e1\", \"patient\": \"p1\", \"provider\": \"bh1\", \"service\": \"skills_training\","
    "    \"setting\": \"home\", \"follow_up\": true,"
    "    \"start\": \"2026-03-02T09:00:00-05:00\", \"end\": \"2026-03-02T09:45:00-05:00\", " NOTE "},"
    "   {\"id\": \"e2\", \"patient\": \"p2\", \"provider\": \"bh1\", \"service\": \"skills_training\","
    "    \"setting\": \"clinic\","
    "    \"start\": \"2026-03-02T10:00:00-05:00\", \"end\": \"2026-03-02T11:00:00-05:00\", " NOTE "},"
    "   {\"id\": \"e3\", \"patient\": \"p3\", \"provider\": \"ot1\", \"service\": \"self_care_training\","
    "    \"setting\": \"clinic\","
    "    \"start\": \"2026-03-02T13:00:00-05:00\", \"end\": \"2026-03-02T13:30:00-05:00\", " NOTE "},"
    "   {\"id\": \"e4\", \"patient\": \"p4\", \"provider\": \"bh1\", \"service\": \"skills_training\","
    "    \"setting\": \"home\", \"modality\": \"audio_only\","
    "    \"start\": \"2026-03-02T14:00:00-05:00\", \"end\": \"2026-03-02T14:30:00-05:00\", " NOTE "}]}";

/* Copies into `out` the JSON scalar that follows `"key":` in `from` (a string without its
 * quotes, a number, or null), and returns where it ends; NULL when `key` is not found
 * before `end` (or at all when `end` is NULL). Good enough for the compact JSON h2024
 * writes; not a JSON parser. */
static const char *scalar_after(const char *from, const char *end, const char *key, char *out,
                                size_t out_len) {
    char pattern[64];
    snprintf(pattern, sizeof pattern, "\"%s\":", key);
    const char *at = strstr(from, pattern);
    if (at == NULL || (end != NULL && at >= end)) {
        return NULL;
    }
    const char *value = at + strlen(pattern);
    size_t len;
    if (*value == '"') {
        value++;
        len = strcspn(value, "\"");
    } else {
        len = strcspn(value, ",}]");
    }
    if (len >= out_len) {
        len = out_len - 1;
    }
    memcpy(out, value, len);
    out[len] = '\0';
    return value + len;
}

/* Prints every occurrence of `"key":[...]` as a comma-separated list of its strings. */
static void print_list(const char *from, const char *end, const char *key) {
    char pattern[64];
    snprintf(pattern, sizeof pattern, "\"%s\":[", key);
    const char *at = strstr(from, pattern);
    if (at == NULL || (end != NULL && at >= end)) {
        return;
    }
    const char *p = at + strlen(pattern);
    size_t len = strcspn(p, "]");
    for (size_t i = 0; i < len; i++) {
        if (p[i] != '"') {
            putchar(p[i]);
        }
    }
}

int main(void) {
    H2024Engine *engine = NULL;
    H2024Status status = h2024_engine_new(NULL, &engine);
    if (status != H2024_STATUS_OK) {
        fprintf(stderr, "h2024_engine_new failed (%d): %s\n", (int)status, h2024_last_error());
        return 1;
    }

    char *response = NULL;
    status = h2024_evaluate(engine, REQUEST, &response);
    if (status != H2024_STATUS_OK) {
        /* On a refused request `response` holds {"error": {...}}. */
        fprintf(stderr, "h2024_evaluate failed (%d): %s\n", (int)status, h2024_last_error());
        h2024_string_free(response);
        h2024_engine_free(engine);
        return 1;
    }

    char value[128];
    const char *lines = strstr(response, "\"lines\":[");
    const char *decisions = strstr(response, "\"decisions\":[");
    const char *findings = strstr(response, "\"findings\":[");
    if (lines == NULL || decisions == NULL || findings == NULL) {
        fprintf(stderr, "unexpected response shape\n");
        h2024_string_free(response);
        h2024_engine_free(engine);
        return 1;
    }

    scalar_after(response, NULL, "policy", value, sizeof value);
    printf("policy: %s\n", value);

    /* One claim line per object in "lines" (each starts with "patient"). */
    printf("lines:\n");
    const char *p = lines;
    while ((p = scalar_after(p, decisions, "patient", value, sizeof value)) != NULL) {
        const char *line_end = strstr(p, "}");
        printf("  %s", value);
        scalar_after(p, line_end, "code", value, sizeof value);
        printf(" %s", value);
        scalar_after(p, line_end, "units", value, sizeof value);
        printf(" x %s [", value);
        print_list(p, line_end, "modifiers");
        scalar_after(p, line_end, "place_of_service", value, sizeof value);
        printf("] POS %s\n", value);
    }

    /* One decision per encounter, in request order. */
    printf("decisions:\n");
    p = decisions;
    while ((p = scalar_after(p, findings, "encounter", value, sizeof value)) != NULL) {
        printf("  %s -> ", value);
        scalar_after(p, findings, "code", value, sizeof value);
        printf("%s\n", strcmp(value, "null") == 0 ? "no code" : value);
    }

    /* Findings: the rule that fired and the encounter it is about. */
    printf("findings:\n");
    p = findings;
    while ((p = scalar_after(p, NULL, "rule", value, sizeof value)) != NULL) {
        char encounter[64] = "";
        const char *finding_end = strstr(p, "}");
        scalar_after(p, finding_end, "encounter", encounter, sizeof encounter);
        printf("  %s %s\n", encounter, value);
    }

    h2024_string_free(response);
    h2024_engine_free(engine);
    return 0;
}
