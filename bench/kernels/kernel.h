/* kernel.h — what every benchmark kernel shares: a size argument and a
 * deterministic pseudo-random generator.
 *
 * The kernels must print the same checksum natively, under qemu-riscv64 and
 * under mvm, so nothing here depends on the host: no time, no addresses, no
 * locale, no uninitialised memory, fixed-width integers only. */
#ifndef BENCH_KERNEL_H
#define BENCH_KERNEL_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* The size is argv[1] if given (a positive decimal number), else dflt. */
static inline uint64_t kernel_size(int argc, char **argv, uint64_t dflt)
{
	if (argc < 2)
		return dflt;
	char *end;
	unsigned long long v = strtoull(argv[1], &end, 10);
	if (*argv[1] == '\0' || *end != '\0' || v == 0) {
		fprintf(stderr, "%s: size must be a positive integer\n", argv[0]);
		exit(2);
	}
	return v;
}

/* xorshift64* (Vigna): fast, full period, and identical on every host. */
static inline uint64_t rng_next(uint64_t *s)
{
	uint64_t x = *s;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * UINT64_C(0x2545F4914F6CDD1D);
}

/* Allocation failure ends the kernel with a message, never a wrong sum. */
static inline void *xmalloc(size_t n)
{
	void *p = malloc(n);
	if (!p) {
		fprintf(stderr, "out of memory (%zu bytes)\n", n);
		exit(3);
	}
	return p;
}

#endif
