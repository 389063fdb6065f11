/*
 * units.c: the typed calls of the C API: the library version, and the units a single
 * session earns under a policy's rounding rule for a code.
 *
 * Build against the installed library (docs/c-api.md, "Installing"):
 *   cc -std=c11 -Wall -Wextra units.c $(pkg-config --cflags --libs h2024) -o units
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "h2024.h"

/* A loaded policy: medicaid, except that H2014 bills whole 15-minute units only. */
static const char POLICIES[] =
    "[{\"id\": \"ny-style\", \"extends\": \"medicaid\","
    "  \"units\": {\"H2014\": {\"rule\": \"whole\"}}}]";

/* Prints the units for one session, or the status and message when there are none. */
static void show(const H2024Engine *engine, const char *policy, const char *code,
                 uint32_t minutes) {
    uint32_t units = 0;
    H2024Status status = h2024_units(engine, policy, code, minutes, &units);
    printf("%-10s %-5s %4" PRIu32 " min: ", policy, code, minutes);
    if (status == H2024_STATUS_OK) {
        printf("%" PRIu32 " unit%s\n", units, units == 1 ? "" : "s");
    } else {
        printf("status %d: %s\n", (int)status, h2024_last_error());
    }
}

int main(void) {
    /* The header and the library it is linked with should be the same version. */
    printf("h2024 %s (header %s, %d.%d.%d)\n", h2024_version(), H2024_VERSION,
           H2024_VERSION_MAJOR, H2024_VERSION_MINOR, H2024_VERSION_PATCH);
    if (strcmp(h2024_version(), H2024_VERSION) != 0) {
        fprintf(stderr, "header and library versions differ\n");
        return 1;
    }

    H2024Engine *engine = NULL;
    H2024Status status = h2024_engine_new(POLICIES, &engine);
    if (status != H2024_STATUS_OK) {
        fprintf(stderr, "h2024_engine_new failed (%d): %s\n", (int)status, h2024_last_error());
        return 1;
    }

    /* 15-minute codes under the midpoint rule: 8 minutes make the first unit. */
    show(engine, "medicaid", "H2014", 7);
    show(engine, "medicaid", "H2014", 8);
    show(engine, "medicaid", "H2014", 38);
    show(engine, "medicaid", "H2014", 45);
    /* The per-hour code: 31 minutes make the first hour. */
    show(engine, "medicaid", "H2024", 30);
    show(engine, "medicaid", "H2024", 31);
    show(engine, "medicaid", "H2024", 60);
    show(engine, "medicaid", "H2024", 91);
    show(engine, "medicaid", "H2017", 52);
    show(engine, "medicaid", "H2023", 120);
    show(engine, "medicaid", "97535", 30);
    /* The loaded policy bills whole units only. */
    show(engine, "ny-style", "H2014", 29);
    show(engine, "ny-style", "H2014", 30);
    show(engine, "commercial", "97535", 22);
    show(engine, "commercial", "97535", 23);
    /* medicare uses the national code set: H2024 is per diem there. */
    show(engine, "medicare", "H2024", 120);
    show(engine, "medicare", "97535", 38);
    /* Failures: a status and a message naming the argument, never its value. */
    show(engine, "medicaid", "H9999", 30);
    show(engine, "medicaid", "H2014", 1441);
    show(engine, "tricare", "H2014", 30);

    h2024_engine_free(engine);
    return 0;
}
