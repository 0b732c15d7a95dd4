/*
 * exit3.c — exit(3) after writing output that is still in stdio's buffer
 * (no final newline): exit must run the atexit handlers in reverse order
 * of registration and flush stdout before the process ends with status 3.
 * guest-exit: 3
 */
#include <stdio.h>
#include <stdlib.h>

static void first(void)
{
	printf("handler registered first runs last\n");
}

static void second(void)
{
	printf("handler registered second runs first\n");
}

int main(void)
{
	atexit(first);
	atexit(second);
	printf("exiting with status 3 (this line has no newline) ");
	exit(3);
}
