/*
 * ret42.c — returning 42 from main is the same as exit(42).
 * guest-exit: 42
 */
#include <stdio.h>

int main(void)
{
	puts("returning 42 from main");
	return 42;
}
