/* memory.c — random reads and writes over a large table (64 MiB unless
 * told otherwise), each address depending on the value loaded before, so
 * nothing can be prefetched and nearly every access lands on a page the
 * hart's TLB does not hold: the cost of a TLB miss, which is where nested
 * address translation shows (one map per level, or one composed map).
 *
 *   memory [ACCESSES [MIB]]   prints one checksum line */
#include "../kernels/kernel.h"

int main(int argc, char **argv)
{
	uint64_t n = kernel_size(argc, argv, 20000000);
	uint64_t mib = argc > 2 ? kernel_size(argc - 1, argv + 1, 64) : 64;
	uint64_t words = mib << 17, mask = words - 1;
	if (words & mask) {
		fprintf(stderr, "memory: MIB must be a power of two\n");
		return 2;
	}
	uint64_t *t = xmalloc(words * sizeof *t);
	for (uint64_t i = 0; i < words; i++)
		t[i] = i * UINT64_C(0x9e3779b97f4a7c15);
	uint64_t idx = 0, sum = 0;
	for (uint64_t i = 0; i < n; i++) {
		uint64_t v = t[idx];
		sum += v;
		t[idx] = v ^ i;
		idx = ((v >> 17) ^ (idx * UINT64_C(0x2545f4914f6cdd1d)) ^ i) & mask;
	}
	printf("memory %llu over %llu MiB: %016llx\n", (unsigned long long)n, (unsigned long long)mib,
	       (unsigned long long)sum);
	free(t);
	return 0;
}
