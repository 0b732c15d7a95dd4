/*
 * hello.c — the smallest nested run: one line on stdout, status 0.
 */
#include <stdio.h>

int main(void)
{
	puts("Hello, world! (innermost guest)");
	return 0;
}
