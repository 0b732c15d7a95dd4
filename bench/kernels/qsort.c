/* qsort.c — sort SIZE pseudo-random 32-bit integers with a quicksort.
 *
 * Data-dependent branches, loads and stores over a few MiB, recursion and an
 * indirect call per comparison (through a function pointer, as the C
 * library's qsort makes): the branchy, memory-bound side of a workload.
 * Median-of-three quicksort, insertion sort below 16 elements, recursion on
 * the smaller half so the stack stays O(log n).  The result is checked to be
 * sorted and to be a permutation of the input (same sum and xor). */
#include "kernel.h"

typedef int (*cmp_fn)(int32_t, int32_t);

static int cmp_int(int32_t a, int32_t b) { return (a > b) - (a < b); }

static void insertion(int32_t *a, size_t n, cmp_fn cmp)
{
	for (size_t i = 1; i < n; i++) {
		int32_t v = a[i];
		size_t j = i;
		for (; j > 0 && cmp(a[j - 1], v) > 0; j--)
			a[j] = a[j - 1];
		a[j] = v;
	}
}

static void swap(int32_t *a, int32_t *b) { int32_t t = *a; *a = *b; *b = t; }

static void quick(int32_t *a, size_t n, cmp_fn cmp)
{
	while (n > 16) {
		size_t m = n / 2;
		if (cmp(a[0], a[m]) > 0) swap(&a[0], &a[m]);
		if (cmp(a[m], a[n - 1]) > 0) swap(&a[m], &a[n - 1]);
		if (cmp(a[0], a[m]) > 0) swap(&a[0], &a[m]);
		int32_t pivot = a[m];
		size_t i = 0, j = n - 1;
		for (;;) {
			while (cmp(a[i], pivot) < 0) i++;
			while (cmp(a[j], pivot) > 0) j--;
			if (i >= j)
				break;
			swap(&a[i], &a[j]);
			i++;
			j--;
		}
		/* Hoare partition: [0, j] <= pivot <= [j+1, n). */
		size_t left = j + 1;
		if (left < n - left) {
			quick(a, left, cmp);
			a += left;
			n -= left;
		} else {
			quick(a + left, n - left, cmp);
			n = left;
		}
	}
	insertion(a, n, cmp);
}

int main(int argc, char **argv)
{
	uint64_t n = kernel_size(argc, argv, 4000000);
	int32_t *a = xmalloc(n * sizeof *a);
	uint64_t seed = 12345, sum_in = 0, xor_in = 0;
	for (uint64_t i = 0; i < n; i++) {
		a[i] = (int32_t)(rng_next(&seed) >> 32);
		sum_in += (uint64_t)(int64_t)a[i];
		xor_in ^= (uint32_t)a[i];
	}
	quick(a, n, cmp_int);
	uint64_t sum = 0, xor = 0, weighted = 0;
	for (uint64_t i = 0; i < n; i++) {
		if (i > 0 && a[i - 1] > a[i]) {
			fprintf(stderr, "qsort: not sorted at %llu\n", (unsigned long long)i);
			return 1;
		}
		sum += (uint64_t)(int64_t)a[i];
		xor ^= (uint32_t)a[i];
		weighted = weighted * 31 + (uint32_t)a[i];
	}
	if (sum != sum_in || xor != xor_in) {
		fprintf(stderr, "qsort: output is not a permutation of the input\n");
		return 1;
	}
	printf("qsort n=%llu min=%d median=%d max=%d hash=%016llx\n",
	       (unsigned long long)n, a[0], a[n / 2], a[n - 1], (unsigned long long)weighted);
	free(a);
	return 0;
}
