/* exits.c — many tiny system calls (getppid through syscall(), so no
 * library cache can answer it), each one an exit from the guest to
 * whatever serves its system calls: at depth d under emulation or trusted
 * execution that is every monitor on the way up, under lowering the real
 * environment directly.
 *
 *   exits [CALLS]             prints one line */
#define _GNU_SOURCE
#include "../kernels/kernel.h"
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	uint64_t n = kernel_size(argc, argv, 100000), good = 0;
	for (uint64_t i = 0; i < n; i++)
		good += syscall(SYS_getppid) > 0;
	printf("exits: %llu of %llu system calls answered\n", (unsigned long long)good,
	       (unsigned long long)n);
	return good == n ? 0 : 1;
}
