/*
 * spin.c — says it started, then computes forever. Only an instruction
 * budget (exit 124) or a signal ends it, so it shows whether a budget
 * given to the outermost monitor stops a guest several levels down.
 */
#include <stdio.h>

int main(void)
{
	printf("spinning\n");
	fflush(stdout);
	volatile unsigned long x = 1;
	for (;;)
		x = x * 6364136223846793005ul + 1442695040888963407ul;
}
