/* matmul.c — dense double-precision matrix product C = A * B, SIZE x SIZE.
 *
 * Floating-point multiply-add in a tight loop over rows that stay in cache:
 * the FPU and load/store path.  Loop order i-k-j walks B and C by rows.
 * Build with -ffp-contract=off: a fused multiply-add rounds once instead of
 * twice, and the checksum would then depend on whether the compiler found
 * an FMA instruction on the host. */
#include "kernel.h"
#include <string.h>

/* A double in [-1, 1) with 53 random bits: exact, hence identical everywhere. */
static double rnd(uint64_t *s)
{
	return (double)(rng_next(s) >> 11) * (1.0 / 4503599627370496.0) - 1.0;
}

int main(int argc, char **argv)
{
	uint64_t n = kernel_size(argc, argv, 600);
	double *a = xmalloc(n * n * sizeof *a);
	double *b = xmalloc(n * n * sizeof *b);
	double *c = xmalloc(n * n * sizeof *c);
	uint64_t seed = 42;
	for (uint64_t i = 0; i < n * n; i++) {
		a[i] = rnd(&seed);
		b[i] = rnd(&seed);
	}
	memset(c, 0, n * n * sizeof *c);
	for (uint64_t i = 0; i < n; i++) {
		double *ci = c + i * n;
		for (uint64_t k = 0; k < n; k++) {
			double aik = a[i * n + k];
			const double *bk = b + k * n;
			for (uint64_t j = 0; j < n; j++)
				ci[j] += aik * bk[j];
		}
	}
	/* The trace of C and a hash of every element's bits: the first is
	 * readable, the second catches a single wrong rounding anywhere. */
	double trace = 0;
	uint64_t h = 0;
	for (uint64_t i = 0; i < n; i++)
		trace += c[i * n + i];
	for (uint64_t i = 0; i < n * n; i++) {
		uint64_t bits;
		memcpy(&bits, &c[i], sizeof bits);
		h = (h ^ bits) * UINT64_C(0x100000001b3);
	}
	printf("matmul n=%llu trace=%.17g c00=%.17g bits=%016llx\n",
	       (unsigned long long)n, trace, c[0], (unsigned long long)h);
	free(a);
	free(b);
	free(c);
	return 0;
}
