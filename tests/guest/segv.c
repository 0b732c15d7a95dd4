/*
 * segv.c — a store to an unmapped address kills the process with SIGSEGV:
 * status 128+11 = 139. Nothing is mapped at the first page on Linux.
 * guest-exit: 139
 * guest-stderr: ignore
 */
#include <stdint.h>
#include <stdio.h>

int main(void)
{
	volatile uintptr_t addr = 16;
	printf("storing to address %lu\n", (unsigned long)addr);
	fflush(stdout);
	*(volatile int *)addr = 1;
	printf("not reached\n");
	return 0;
}
