/*
 * hog.c — allocates MIB mebibytes (argv[1]) one at a time and writes one
 * byte in every 4 KiB page, so each page really costs memory. Prints
 * "touched MIB MiB" and a sum of the bytes when all of it succeeded, or
 * "malloc failed after N MiB" and exits 1 when the allocator says no.
 * The bytes of one MiB are (7i + k) mod 256 for k = 0..255, a permutation
 * of 0..255, so the sum is 32640 per MiB whatever i is.
 */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	long mib = argc > 1 ? atol(argv[1]) : 16;
	unsigned long sum = 0;
	for (long i = 0; i < mib; i++) {
		unsigned char *p = malloc(1 << 20);
		if (!p) {
			printf("malloc failed after %ld MiB\n", i);
			return 1;
		}
		for (long j = 0; j < (1 << 20); j += 4096) {
			p[j] = (unsigned char)(i * 7 + j / 4096);
			sum += p[j];
		}
	}
	printf("touched %ld MiB, sum %lu\n", mib, sum);
	return 0;
}
