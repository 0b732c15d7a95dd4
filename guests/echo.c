/*
 * echo.c — copies its standard input to its standard output, numbering
 * the lines, until the input ends: a guest that waits (for trying the
 * control socket, or a snapshot of a VM blocked in a read).
 */
#include <stdio.h>

int main(void)
{
	char line[4096];
	int n = 0;
	while (fgets(line, sizeof line, stdin)) {
		printf("%d: %s", ++n, line);
		fflush(stdout);
	}
	printf("%d lines\n", n);
	return 0;
}
