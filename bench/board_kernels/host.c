/* host.c — the native build of the bench/board kernels' loops (work.h),
 * compiled for the host: `host nop`, `host cpu` and `host tlb` print the
 * line the kernels must print ("cpu checksum 0x...", ...), and are the
 * native anchor of the table. tlb's memory is 256 MiB of anonymous
 * memory in the host's 4 KiB pages, in the same virtual order. */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include "work.h"

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "nop") == 0) {
		printf("nop checksum 0x%016" PRIx64 "\n", cpu_work(0));
		return 0;
	}
	if (argc == 2 && strcmp(argv[1], "cpu") == 0) {
		printf("cpu checksum 0x%016" PRIx64 "\n", cpu_work(CPU_ITERS));
		return 0;
	}
	if (argc == 2 && strcmp(argv[1], "tlb") == 0) {
		void *m = mmap(NULL, TLB_BYTES, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (m == MAP_FAILED) {
			perror("host: mmap");
			return 1;
		}
		madvise(m, TLB_BYTES, MADV_NOHUGEPAGE);
		printf("tlb checksum 0x%016" PRIx64 "\n", tlb_work(m, TLB_ACCESSES));
		return 0;
	}
	fprintf(stderr, "usage: host nop|cpu|tlb\n");
	return 2;
}
