/* compute.c — integer work that stays in registers and a 16 KiB table:
 * multiply, xor, shift, data-dependent branches and small loads, with no
 * system calls and a memory footprint far below any TLB's reach. What
 * nesting costs here is the cost of running guest instructions at depth d.
 *
 *   compute [ITERATIONS]      prints one checksum line */
#include "../kernels/kernel.h"

#define TABLE 4096

int main(int argc, char **argv)
{
	uint64_t n = kernel_size(argc, argv, 200000000);
	static uint32_t table[TABLE];
	uint64_t seed = 42;
	for (int i = 0; i < TABLE; i++)
		table[i] = (uint32_t)rng_next(&seed);
	uint64_t h = UINT64_C(0xcbf29ce484222325), acc = 0;
	for (uint64_t i = 0; i < n; i++) {
		uint32_t v = table[h & (TABLE - 1)];
		h = (h ^ v) * UINT64_C(0x100000001b3);
		h ^= h >> 29;
		if (h & 1)
			table[(h >> 20) & (TABLE - 1)] += (uint32_t)i;
		else
			acc += v >> 3;
	}
	printf("compute %llu: %016llx %016llx\n", (unsigned long long)n, (unsigned long long)h,
	       (unsigned long long)acc);
	return 0;
}
