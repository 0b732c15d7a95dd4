/*
 * abort.c — abort() raises SIGABRT, which is not caught, so the process
 * dies of signal 6 and the shell (and mvm) report status 128+6 = 134.
 * Output written before is flushed by the explicit fflush only. The
 * emulator's own message about the signal goes to stderr and differs
 * between emulators, so stderr is not compared.
 * guest-exit: 134
 * guest-stderr: ignore
 */
#include <stdio.h>
#include <stdlib.h>

int main(void)
{
	printf("about to abort\n");
	fflush(stdout);
	abort();
}
