/*
 * stdio.c — formatted output and input through the C library's stdio:
 * integer and string conversions with widths, precisions and flags,
 * snprintf truncation, sscanf, and the character/line/block writers.
 * Every byte goes through write(2) on fd 1, so this also exercises how the
 * monitor passes guest output through.
 * guest-variants: glibc picolibc clang
 */
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "check.h"

/* Read through a volatile pointer so the compiler cannot evaluate the
 * formatting calls at build time: the guest's C library must do it. */
static const char *volatile digits = "0123456789";

int main(void)
{
	char buf[64];
	int n;

	printf("[%d] [%i] [%u] [%x] [%X] [%o]\n", -42, 42, 42u, 0xbeefu, 0xbeefu, 8u);
	printf("[%5d] [%-5d] [%05d] [%+d] [% d] [%+5d]\n", 42, 42, 42, 42, 42, -42);
	printf("[%#x] [%#o] [%#X] [%.3d] [%8.3d] [%-8.3d|]\n", 255u, 8u, 255u, 7, 7, 7);
	printf("[%ld] [%lu] [%lx]\n", LONG_MIN, ULONG_MAX, 0x123456789abcdefUL);
	printf("[%hhd] [%hd] [%hhu] [%hu]\n", (signed char)-1, (short)-32768,
	       (unsigned char)255, (unsigned short)65535);
	printf("[%d] [%d]\n", INT_MIN, INT_MAX);
	printf("[%zu] [%td]\n", sizeof(long double), (ptrdiff_t)-5);
	printf("[%c%c%c] [%s] [%10s] [%-10s] [%.3s] [%*d] [%-*d]\n", 'a', 'b', 'c',
	       "str", "right", "left", "truncate", 6, 9, 6, 9);
	printf("[%%]\n");

	n = snprintf(buf, 8, "%s", digits);
	printf("snprintf returned %d, kept \"%s\"\n", n, buf);
	check("snprintf returns the untruncated length", n == 10);
	check("snprintf keeps size-1 bytes", strcmp(buf, "0123456") == 0);
	n = snprintf(NULL, 0, "%d-%s", 12345, digits + 8);
	check("snprintf(NULL, 0) measures", n == 8);

	sprintf(buf, "%08.3f|%-8.2e|", 3.14159, 1234.5);
	printf("%s\n", buf);
	check("%08.3f", strncmp(buf, "0003.142|", 9) == 0);

	{
		int a = 0, c = 0;
		unsigned int b = 0;
		char word[16] = "";
		long l = 0;
		int got = sscanf("  -17 ff word 99 -123456789012", "%d %x %15s %d %ld",
				 &a, &b, word, &c, &l);
		printf("sscanf got %d: %d %u %s %d %ld\n", got, a, b, word, c, l);
		check("sscanf conversions", got == 5 && a == -17 && b == 255 &&
			strcmp(word, "word") == 0 && c == 99 && l == -123456789012L);
	}

	puts("puts adds a newline");
	fputs("fputs does not", stdout);
	putchar('\n');
	fwrite("fwrite 12345\n", 1, 13, stdout);
	for (int i = 0; i < 26; i++)
		putc('a' + i, stdout);
	putchar('\n');

	/* A long line, longer than any stdio buffer of a few KiB. */
	for (int i = 0; i < 3000; i++)
		putchar('0' + i % 10);
	putchar('\n');
	/* Many short lines. */
	for (int i = 0; i < 500; i++)
		printf("line %03d of 500: %x\n", i, i * 2654435761u);
	fflush(stdout);
	return check_failures ? 1 : 0;
}
