/*
 * check.h — helpers shared by the guest corpus programs.
 *
 * Most output of a corpus program is compared between qemu-riscv64 and
 * mvm, so it need not be known in advance. Where a value is known from the
 * RISC-V spec, a standard or a hand calculation, the program also checks
 * it and prints "ok <what>" or "BAD <what>": run.sh fails a test whose
 * qemu-riscv64 run prints BAD, so these expectations are themselves
 * validated against the oracle.
 */
#ifndef GUEST_CHECK_H
#define GUEST_CHECK_H

#include <stdint.h>
#include <stdio.h>

static int check_failures;

static inline void check(const char *what, int ok)
{
	printf("%s %s\n", ok ? "ok" : "BAD", what);
	if (!ok)
		check_failures++;
}

static inline void check_u64(const char *what, uint64_t got, uint64_t want)
{
	if (got == want) {
		printf("ok %s\n", what);
	} else {
		printf("BAD %s: got 0x%016lx want 0x%016lx\n", what,
		       (unsigned long)got, (unsigned long)want);
		check_failures++;
	}
}

#endif
