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

#define RUN(fn) do { \
        check_name = #fn; check_failed = 0; fn(); \
        if (!check_failed) printf("PASS unit/%s\n", #fn); \
        else check_total_failed = 1; \
    } while (0)

#endif
