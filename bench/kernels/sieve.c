/* sieve.c — the sieve of Eratosthenes for the primes below SIZE.
 *
 * Strided read-modify-write of single bits over a few MiB: shifts, masks and
 * cache misses, with a loop whose trip count the data decides.  Only odd
 * numbers are stored, one bit each.  Before the real run it checks that
 * there are 78498 primes below 10^6 (pi(10^6), a tabulated value); the
 * count below 10^8 is 5761455 and their sum 279209790387276. */
#include "kernel.h"
#include <string.h>

/* Count the primes below limit; sum and largest are returned through the
 * pointers.  Bit i of the table stands for the odd number 2i+1. */
static uint64_t sieve(uint64_t limit, uint64_t *sum, uint64_t *largest)
{
	*sum = 0;
	*largest = 0;
	if (limit <= 2)
		return 0;
	uint64_t bits = limit / 2;
	uint64_t words = (bits + 63) / 64;
	uint64_t *composite = xmalloc(words * sizeof *composite);
	memset(composite, 0, words * sizeof *composite);
	for (uint64_t i = 1; (2 * i + 1) * (2 * i + 1) < limit; i++) {
		if (composite[i >> 6] >> (i & 63) & 1)
			continue;
		uint64_t p = 2 * i + 1;
		for (uint64_t j = (p * p) / 2; j < bits; j += p)
			composite[j >> 6] |= UINT64_C(1) << (j & 63);
	}
	uint64_t count = 1;
	*sum = 2;
	*largest = 2;
	for (uint64_t i = 1; i < bits; i++) {
		if (!(composite[i >> 6] >> (i & 63) & 1)) {
			count++;
			*sum += 2 * i + 1;
			*largest = 2 * i + 1;
		}
	}
	free(composite);
	return count;
}

int main(int argc, char **argv)
{
	uint64_t limit = kernel_size(argc, argv, 100000000);
	uint64_t sum, largest;
	uint64_t n = sieve(1000000, &sum, &largest);
	if (n != 78498 || largest != 999983) {
		fprintf(stderr, "sieve self-test: %llu primes below 10^6, largest %llu; want 78498, 999983\n",
			(unsigned long long)n, (unsigned long long)largest);
		return 1;
	}
	n = sieve(limit, &sum, &largest);
	printf("sieve limit=%llu primes=%llu sum=%llu largest=%llu\n", (unsigned long long)limit,
	       (unsigned long long)n, (unsigned long long)sum, (unsigned long long)largest);
	return 0;
}
