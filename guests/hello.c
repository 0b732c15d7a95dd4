/*
 * hello.c — the smallest useful guest: greets whoever is named on the
 * command line (or the world) and says which C library it was built with.
 */
#include <stdio.h>

int main(int argc, char **argv)
{
#ifdef __PICOLIBC__
	const char *libc = "picolibc";
#else
	const char *libc = "glibc";
#endif
	printf("Hello, %s! (RISC-V RV64GC guest, static %s)\n",
	       argc > 1 ? argv[1] : "world", libc);
	return 0;
}
