/*
 * clocks.c — time(), gettimeofday() and clock_gettime() on the realtime,
 * monotonic and CPU-time clocks, and nanosleep(). Clock values differ from
 * run to run, so only properties are printed: clocks never go backwards,
 * the realtime clocks agree with each other, a 2 ms sleep advances the
 * monotonic clock by at least 2 ms (POSIX: the sleep lasts at least as
 * long as asked), nanoseconds stay below 10^9, the realtime clock is past
 * 2020-01-01 (1577836800), and a bad clock id fails with EINVAL.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/time.h>
#include <time.h>
#include "check.h"

static int64_t ns(const struct timespec *t)
{
	return (int64_t)t->tv_sec * 1000000000 + t->tv_nsec;
}

int main(void)
{
	struct timespec a, b, r, c0, c1, res;
	struct timeval tv;
	int ok = 1;

	check("clock_gettime(CLOCK_MONOTONIC)", clock_gettime(CLOCK_MONOTONIC, &a) == 0);
	for (int i = 0; i < 1000; i++) {
		clock_gettime(CLOCK_MONOTONIC, &b);
		ok &= b.tv_nsec >= 0 && b.tv_nsec < 1000000000;
		ok &= ns(&b) >= ns(&a);
		a = b;
	}
	check("monotonic clock never goes back", ok);

	check("clock_gettime(CLOCK_REALTIME)", clock_gettime(CLOCK_REALTIME, &r) == 0);
	check("realtime is after 2020", r.tv_sec > 1577836800);
	check("gettimeofday", gettimeofday(&tv, NULL) == 0);
	check("microseconds in range", tv.tv_usec >= 0 && tv.tv_usec < 1000000);
	/* Linux's time() reads the coarse clock, updated once a tick: just
	 * after a second begins it may still give the one before, although
	 * gettimeofday was read first (qemu-riscv64 shows it, about one run
	 * in a few hundred). */
	time_t t = time(NULL);
	check("time() agrees with gettimeofday", t >= tv.tv_sec - 1 && t - tv.tv_sec <= 2);
	check("gettimeofday agrees with CLOCK_REALTIME",
	      tv.tv_sec >= r.tv_sec && tv.tv_sec - r.tv_sec <= 2);

	clock_gettime(CLOCK_MONOTONIC, &a);
	struct timespec nap = { 0, 2000000 };
	check("nanosleep(2 ms)", nanosleep(&nap, NULL) == 0);
	clock_gettime(CLOCK_MONOTONIC, &b);
	check("sleep advanced the monotonic clock by >= 2 ms", ns(&b) - ns(&a) >= 2000000);

	check("clock_gettime(CLOCK_PROCESS_CPUTIME_ID)",
	      clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0) == 0);
	volatile uint64_t spin = 0;
	for (int i = 0; i < 200000; i++)
		spin += (uint64_t)i * i;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);
	check("CPU time does not go back", ns(&c1) >= ns(&c0));

	check("clock_getres(CLOCK_MONOTONIC)", clock_getres(CLOCK_MONOTONIC, &res) == 0);
	check("resolution is between 1 ns and 10 ms",
	      ns(&res) >= 1 && ns(&res) <= 10000000);

	errno = 0;
	check("a bad clock id fails with EINVAL",
	      clock_gettime((clockid_t)12345, &a) == -1 && errno == EINVAL);

	clock_t c = clock();
	check("clock() is not an error", c != (clock_t)-1);
	return check_failures ? 1 : 0;
}
