/*
 * check.h — the tiny harness of the unit tests: CHECK(cond) records a
 * failure with its line; each test function ends with a PASS/FAIL line.
 */
#ifndef MVM_CHECK_H
#define MVM_CHECK_H

#include <stdio.h>

static int check_failed;
static int check_total_failed;

#define CHECK(cond) do { \
        if (!(cond)) { \
            if (!check_failed) \
                printf("FAIL unit/%s: %s:%d: %s\n", check_name, __FILE__, __LINE__, #cond); \
            check_failed = 1; \
        } \
    } while (0)

static const char *check_name = "";
static int check_skipped;

/* Ends the test as skipped (never counted as passed), saying why. */
#define SKIP(why) do { \
        printf("SKIP unit/%s: %s\n", check_name, why); \
        check_skipped = 1; \
    } while (0)

#define RUN(fn) do { \
        check_name = #fn; check_failed = 0; check_skipped = 0; fn(); \
        if (check_failed) check_total_failed = 1; \
        else if (!check_skipped) printf("PASS unit/%s\n", #fn); \
    } while (0)

#endif
