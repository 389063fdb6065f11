/*
 * timing.c: what one h2024_evaluate() call costs a C program, timed with clock_gettime().
 *
 * Usage: timing REQUEST_FILE [CALLS [LABEL]]
 *
 * Evaluates the request in REQUEST_FILE CALLS times (default 100000) on one engine, after
 * 1000 untimed calls, freeing each response, and prints one line:
 *
 *   scale mode=LABEL n=CALLS status=ok total_s=... us_per_encounter=... request_bytes=...
 *         response_bytes=...
 *
 * (the format of crates/h2024/examples/scale.rs; LABEL defaults to "c"). `.ci/scale` builds
 * it against the release libh2024_ffi.a and feeds it the single-encounter requests that
 * `scale --mode single --emit-request` writes. Exits 3, printing status=refused, when the
 * engine refuses the request (a request with "explain": false before the engine knows the
 * field), and 1 on any other failure.
 *
 * Build (after `cargo build --release`):
 *   cc -std=c11 -O2 -Wall -Wextra -Werror -Wpedantic -I crates/h2024-ffi/include \
 *      crates/h2024-ffi/examples/c/timing.c target/release/libh2024_ffi.a -lpthread -ldl -lm \
 *      -o timing
 */
#define _POSIX_C_SOURCE 199309L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "h2024.h"

#define WARM_UP_CALLS 1000

/* The whole file as a NUL-terminated string (NULL on failure); its length in *len. */
static char *read_file(const char *path, size_t *len) {
    FILE *file = fopen(path, "rb");
    if (file == NULL) {
        return NULL;
    }
    char *text = NULL;
    size_t used = 0, capacity = 0;
    for (;;) {
        if (capacity - used < 4096) {
            capacity = capacity * 2 + 4096;
            char *bigger = realloc(text, capacity + 1);
            if (bigger == NULL) {
                free(text);
                fclose(file);
                return NULL;
            }
            text = bigger;
        }
        size_t got = fread(text + used, 1, capacity - used, file);
        used += got;
        if (got == 0) {
            break;
        }
    }
    int failed = ferror(file);
    fclose(file);
    if (failed) {
        free(text);
        return NULL;
    }
    text[used] = '\0';
    *len = used;
    return text;
}

static double seconds(const struct timespec *t) {
    return (double)t->tv_sec + (double)t->tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    if (argc < 2 || argc > 4) {
        fprintf(stderr, "usage: %s REQUEST_FILE [CALLS [LABEL]]\n", argv[0]);
        return 1;
    }
    long calls = argc > 2 ? strtol(argv[2], NULL, 10) : 100000;
    const char *label = argc > 3 ? argv[3] : "c";
    if (calls <= 0) {
        fprintf(stderr, "CALLS must be a positive number\n");
        return 1;
    }
    size_t request_len = 0;
    char *request = read_file(argv[1], &request_len);
    if (request == NULL) {
        fprintf(stderr, "cannot read %s\n", argv[1]);
        return 1;
    }

    H2024Engine *engine = NULL;
    if (h2024_engine_new(NULL, &engine) != H2024_STATUS_OK) {
        fprintf(stderr, "h2024_engine_new failed: %s\n", h2024_last_error());
        free(request);
        return 1;
    }

    int exit_code = 0;
    size_t response_len = 0;
    struct timespec start, end;
    for (long i = -WARM_UP_CALLS; i < calls; i++) {
        if (i == 0) {
            clock_gettime(CLOCK_MONOTONIC, &start);
        }
        char *response = NULL;
        H2024Status status = h2024_evaluate(engine, request, &response);
        if (status != H2024_STATUS_OK) {
            printf("scale mode=%s n=%ld status=refused reason=status-%d\n", label, calls,
                   (int)status);
            fprintf(stderr, "%s\n", h2024_last_error());
            h2024_string_free(response);
            exit_code = 3;
            break;
        }
        if (i == calls - 1) {
            response_len = strlen(response);
        }
        h2024_string_free(response);
    }
    if (exit_code == 0) {
        clock_gettime(CLOCK_MONOTONIC, &end);
        double total = seconds(&end) - seconds(&start);
        printf("scale mode=%s n=%ld status=ok total_s=%.6f us_per_encounter=%.3f "
               "request_bytes=%zu response_bytes=%zu\n",
               label, calls, total, total * 1e6 / (double)calls, request_len, response_len);
    }

    h2024_engine_free(engine);
    free(request);
    return exit_code;
}
