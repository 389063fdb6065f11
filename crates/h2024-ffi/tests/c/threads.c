/*
 * threads.c: one engine shared by 8 threads that evaluate at the same time, without
 * locking. Every result must be identical to the single-threaded one, and each thread
 * must see its own h2024_last_error(). Run by `cargo test --test c_api` and, under
 * valgrind, by .ci/c-valgrind.
 *
 * Prints a closing "threads: N passed, M failed"; exits 1 if any check failed.
 */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "h2024.h"

#define THREADS 8
#define ROUNDS 40

static const char *const REQUESTS[] = {
    /* Evaluated: three encounters, two lines. */
    "{\"policy\": \"medicaid\","
    " \"patients\": [{\"id\": \"p1\"}, {\"id\": \"p2\"}],"
    " \"providers\": [{\"id\": \"bh1\", \"credential\": \"bachelors\","
    "                  \"discipline\": \"behavioral_health\"}],"
    " \"encounters\": ["
    "  {\"id\": \"e1\", \"patient\": \"p1\", \"provider\": \"bh1\","
    "   \"service\": \"skills_training\", \"setting\": \"community\","
    "   \"start\": \"2026-03-02T09:00:00-05:00\", \"end\": \"2026-03-02T09:38:00-05:00\"},"
    "  {\"id\": \"e2\", \"patient\": \"p1\", \"provider\": \"bh1\","
    "   \"service\": \"skills_training\", \"setting\": \"community\","
    "   \"start\": \"2026-03-02T13:00:00-05:00\", \"end\": \"2026-03-02T13:22:00-05:00\"},"
    "  {\"id\": \"e3\", \"patient\": \"p2\", \"provider\": \"bh1\","
    "   \"service\": \"psychosocial_rehabilitation\", \"setting\": \"home\","
    "   \"modality\": \"audio_video\","
    "   \"start\": \"2026-03-03T10:00:00-05:00\", \"end\": \"2026-03-03T11:30:00-05:00\"}]}",
    /* Evaluated under another policy. */
    "{\"policy\": \"commercial\","
    " \"patients\": [{\"id\": \"p1\"}],"
    " \"providers\": [{\"id\": \"ot1\", \"credential\": \"masters\","
    "                  \"discipline\": \"occupational_therapy\"}],"
    " \"encounters\": [{\"id\": \"e1\", \"patient\": \"p1\", \"provider\": \"ot1\","
    "   \"service\": \"self_care_training\", \"setting\": \"clinic\","
    "   \"date\": \"2026-03-04\", \"minutes\": 23}]}",
    /* Refused: the error document is handed out. */
    "{\"policy\": \"tricare\"}",
};
#define REQUEST_COUNT (sizeof REQUESTS / sizeof REQUESTS[0])

static const H2024Engine *engine;
static char *expected[REQUEST_COUNT];
static H2024Status expected_status[REQUEST_COUNT];
static pthread_barrier_t start;

struct outcome {
    int passed;
    int failed;
};

static void check(struct outcome *o, int ok, const char *what, int thread) {
    if (ok) {
        o->passed++;
    } else {
        o->failed++;
        printf("FAILED in thread %d: %s\n", thread, what);
    }
}

static void *worker(void *arg) {
    static struct outcome outcomes[THREADS];
    int id = (int)(intptr_t)arg;
    struct outcome *mine = &outcomes[id];

    pthread_barrier_wait(&start);
    for (int round = 0; round < ROUNDS; round++) {
        size_t which = (size_t)(round + id) % REQUEST_COUNT;
        char *out = NULL;
        H2024Status status = h2024_evaluate(engine, REQUESTS[which], &out);
        check(mine, status == expected_status[which], "status as single-threaded", id);
        check(mine, out != NULL && strcmp(out, expected[which]) == 0,
              "document as single-threaded", id);
        h2024_string_free(out);

        /* Each thread leaves its own kind of failure, then checks that no other thread's
         * calls (failing or succeeding) replaced or cleared it. */
        uint32_t units = 0;
        if (id % 2 == 0) {
            check(mine, h2024_units(engine, "medicaid", "H9999", 38, &units) ==
                            H2024_STATUS_UNKNOWN_CODE, "unknown code", id);
        } else {
            check(mine, h2024_units(engine, "medicaid", "H2014", 5000, &units) ==
                            H2024_STATUS_MINUTES_OUT_OF_RANGE, "minutes out of range", id);
        }
        const char *message = h2024_last_error();
        sched_yield();
        check(mine, message == h2024_last_error(), "message unchanged", id);
        check(mine, message != NULL &&
                        strstr(message, id % 2 == 0 ? "`code`" : "`minutes`") != NULL,
              "own message", id);

        check(mine, h2024_units(engine, "medicare", "97535", 38, &units) == H2024_STATUS_OK,
              "units ok", id);
        check(mine, units == 3, "units value", id);
        check(mine, h2024_last_error() == NULL, "cleared by success", id);
    }
    return mine;
}

int main(void) {
    H2024Engine *owned = NULL;
    if (h2024_engine_new(NULL, &owned) != H2024_STATUS_OK) {
        printf("h2024_engine_new failed: %s\n", h2024_last_error());
        return 1;
    }
    engine = owned;

    /* The single-threaded answers. */
    for (size_t i = 0; i < REQUEST_COUNT; i++) {
        expected_status[i] = h2024_evaluate(engine, REQUESTS[i], &expected[i]);
    }
    struct outcome total = {0, 0};
    check(&total, expected_status[0] == H2024_STATUS_OK, "request 0 evaluates", -1);
    check(&total, expected_status[1] == H2024_STATUS_OK, "request 1 evaluates", -1);
    check(&total, expected_status[2] == H2024_STATUS_UNKNOWN_POLICY, "request 2 is refused", -1);
    for (size_t i = 0; i < REQUEST_COUNT; i++) {
        check(&total, expected[i] != NULL, "a document for each request", -1);
    }

    /* The refused request left this thread a message; the workers must not touch it. */
    const char *main_message = h2024_last_error();
    check(&total, main_message != NULL && strstr(main_message, "`policy`") != NULL,
          "main thread's message", -1);

    pthread_barrier_init(&start, NULL, THREADS);
    pthread_t threads[THREADS];
    for (int i = 0; i < THREADS; i++) {
        if (pthread_create(&threads[i], NULL, worker, (void *)(intptr_t)i) != 0) {
            printf("pthread_create failed\n");
            return 1;
        }
    }
    for (int i = 0; i < THREADS; i++) {
        void *result = NULL;
        pthread_join(threads[i], &result);
        const struct outcome *o = result;
        total.passed += o->passed;
        total.failed += o->failed;
    }
    pthread_barrier_destroy(&start);

    check(&total, h2024_last_error() == main_message, "main thread's message untouched", -1);

    for (size_t i = 0; i < REQUEST_COUNT; i++) {
        h2024_string_free(expected[i]);
    }
    h2024_engine_free(owned);

    printf("threads: %d passed, %d failed\n", total.passed, total.failed);
    return total.failed == 0 ? 0 : 1;
}
