/*
 * strings.c — <string.h>, <ctype.h> and string-to-number conversions.
 * Optimized C libraries implement these with word-at-a-time loads that
 * straddle alignment and page boundaries, so every function runs on many
 * offsets and lengths, including strings ending right at the end of a
 * page. Expected values are worked by hand from the C standard.
 * guest-variants: glibc picolibc clang
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"

static char page[3 * 4096] __attribute__((aligned(4096)));
static const char *volatile bazqux = "bazqux"; /* opaque to the compiler */

int main(void)
{
	char buf[256];
	uint64_t h = 0;

	check("strlen", strlen("") == 0 && strlen("hello") == 5);
	check("strcmp orders", strcmp("abc", "abd") < 0 && strcmp("b", "a") > 0 &&
	      strcmp("same", "same") == 0 && strcmp("ab", "abc") < 0);
	check("strcmp compares as unsigned char", strcmp("\xff", "a") > 0);
	check("strncmp", strncmp("abcdef", "abcxyz", 3) == 0 && strncmp("abc", "abd", 3) < 0);
	check("strcasecmp", strcasecmp("HeLLo", "hello") == 0);
	strcpy(buf, "foo");
	strcat(buf, "bar");
	strncat(buf, bazqux, 3);
	check("strcpy/strcat/strncat", strcmp(buf, "foobarbaz") == 0);
	memset(buf, 'X', 10);
	strncpy(buf, "ab", 5);
	check("strncpy pads with NULs", buf[0] == 'a' && buf[2] == 0 && buf[4] == 0 && buf[5] == 'X');
	const char *s = "hello, world";
	check("strchr", strchr(s, 'o') == s + 4 && strchr(s, 'z') == NULL && strchr(s, 0) == s + 12);
	check("strrchr", strrchr(s, 'o') == s + 8);
	check("strstr", strstr(s, "wor") == s + 7 && strstr(s, "") == s && !strstr(s, "word"));
	check("strspn/strcspn", strspn("aabbcx", "abc") == 5 && strcspn("hello", "lo") == 2);
	check("strpbrk", strpbrk(s, " ,") == s + 5);
	char tok[] = "  one,two;;three  ";
	char *save, *t = strtok_r(tok, " ,;", &save);
	int ntok = 0;
	while (t) {
		printf("token %d: %s\n", ntok++, t);
		t = strtok_r(NULL, " ,;", &save);
	}
	check("strtok_r found 3 tokens", ntok == 3);
	char *d = strdup("duplicate");
	check("strdup", d && strcmp(d, "duplicate") == 0);
	free(d);

	/* memmove with overlap both ways, memcmp, memchr, memset */
	char mm[32] = "0123456789abcdef";
	memmove(mm + 2, mm, 10);
	check("memmove forward overlap", memcmp(mm, "010123456789cdef", 16) == 0);
	memmove(mm, mm + 3, 10);
	check("memmove backward overlap", memcmp(mm, "123456789c89cdef", 16) == 0);
	check("memcmp is unsigned", memcmp("\x80", "\x01", 1) > 0);
	check("memchr", memchr(s, 'w', 12) == s + 7 && memchr(s, 'w', 7) == NULL);

	/* all offsets and lengths: results hashed for the differential run */
	for (int off = 0; off < 16; off++)
		for (int len = 0; len < 64; len++) {
			char *p = page + 100 + off;
			memset(page, 'q', 300);
			memset(p, 'a' + len % 26, (size_t)len);
			p[len] = 0;
			size_t l = strlen(p);
			char *c = strchr(p, 'a' + (len / 2) % 26);
			char *m = memchr(p, 0, 80);
			int cmpv = memcmp(p, page + 200, (size_t)len);
			h = h * 1000003 + l * 7 + (c ? (uint64_t)(c - p) : 99) * 13 +
			    (uint64_t)(m - p) * 17 + (uint64_t)(cmpv > 0) - (uint64_t)(cmpv < 0);
			if (l != (size_t)len)
				check_failures++;
		}
	printf("offset sweep hash %016llx\n", (unsigned long long)h);

	/* strings that end at the last byte of a page, next page untouched */
	for (int len = 1; len <= 40; len++) {
		char *p = page + 8192 - len - 1;
		memset(p, 'z', (size_t)len);
		p[len] = 0;
		if (strlen(p) != (size_t)len || strchr(p, 'y') || strcmp(p, p) != 0)
			check_failures++;
	}
	check("strings at a page end", 1);

	/* ctype in the C locale */
	int alpha = 0, digit = 0, space = 0, punct = 0, upper = 0;
	for (int c = 0; c < 256; c++) {
		alpha += isalpha(c) != 0;
		digit += isdigit(c) != 0;
		space += isspace(c) != 0;
		punct += ispunct(c) != 0;
		upper += toupper(c) != c;
	}
	printf("ctype: %d alpha, %d digit, %d space, %d punct, %d changed by toupper\n",
	       alpha, digit, space, punct, upper);
	check("C locale ctype counts", alpha == 52 && digit == 10 && space == 6 &&
	      punct == 32 && upper == 26);

	/* conversions */
	char *end;
	errno = 0;
	check("strtol base 10", strtol("  -12345xyz", &end, 10) == -12345 && strcmp(end, "xyz") == 0);
	check("strtol base 16", strtol("0x7fFF", NULL, 16) == 0x7fff);
	check("strtol base 0 octal", strtol("0755", NULL, 0) == 0755);
	check("strtol base 36", strtol("zz", NULL, 36) == 35 * 36 + 35);
	errno = 0;
	long big = strtol("99999999999999999999", NULL, 10);
	check("strtol overflow gives LONG_MAX and ERANGE", big == LONG_MAX && errno == ERANGE);
	errno = 0;
	check("strtoul of -1 wraps", strtoul("-1", NULL, 10) == ULONG_MAX && errno == 0);
	check("strtoull", strtoull("18446744073709551615", NULL, 10) == ULLONG_MAX);
	check("atoi", atoi("  42abc") == 42);
	strtol("xyz", &end, 10);
	check("strtol without digits leaves end at the start", *end == 'x');
	snprintf(buf, sizeof buf, "%s|%5.2s|%-4c|", "abc", "xyz", 'q');
	check("snprintf strings", strcmp(buf, "abc|   xy|q   |") == 0);
	return check_failures ? 1 : 0;
}
