/*
 * wc.c — reads all of stdin (tests/guest/input.txt) with fread in small
 * uneven pieces, then counts lines, words and bytes the way wc(1) does,
 * sorts the lines with qsort/strcmp, prints them with their multiplicity,
 * and reports the longest line and a byte histogram summary. The input
 * ends without a newline and contains tabs, CR, blank lines and UTF-8.
 * guest-stdin: input.txt
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(void)
{
	size_t cap = 16, len = 0, piece = 1;
	char *text = malloc(cap);

	for (;;) {
		if (len + piece + 1 > cap) {
			cap = (len + piece + 1) * 2;
			text = realloc(text, cap);
		}
		size_t got = fread(text + len, 1, piece, stdin);
		len += got;
		if (got < piece)
			break;
		piece = piece % 37 + 3;
	}
	check("no read error", !ferror(stdin));
	text[len] = 0;

	size_t lines = 0, words = 0, inword = 0, hist[256] = { 0 };
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)text[i];
		hist[ch]++;
		lines += ch == '\n';
		if (isspace(ch)) {
			inword = 0;
		} else if (!inword) {
			inword = 1;
			words++;
		}
	}
	printf("%zu lines, %zu words, %zu bytes\n", lines, words, len);
	/* what wc(1) reports for input.txt */
	check("counts agree with wc(1)", lines == 21 && words == 80 && len == 740);

	char **v = NULL;
	size_t n = 0;
	for (char *p = text; *p;) {
		char *nl = strchr(p, '\n');
		v = realloc(v, (n + 1) * sizeof *v);
		v[n++] = p;
		if (!nl)
			break;
		*nl = 0;
		p = nl + 1;
	}
	qsort(v, n, sizeof *v, cmp);
	size_t longest = 0;
	for (size_t i = 0; i < n; i++) {
		size_t same = 1;
		while (i + same < n && strcmp(v[i], v[i + same]) == 0)
			same++;
		if (strlen(v[i]) > strlen(v[longest]))
			longest = i;
		printf("%2zu x [%.50s]%s\n", same, v[i], strlen(v[i]) > 50 ? "..." : "");
		i += same - 1;
	}
	printf("longest line: %zu bytes\n", strlen(v[longest]));
	size_t high = 0, ctrl = 0;
	for (int c = 0; c < 256; c++) {
		if (c >= 128) high += hist[c];
		if (c < 32) ctrl += hist[c];
	}
	printf("bytes >= 128: %zu, control bytes: %zu, 'e': %zu, 'x': %zu\n",
	       high, ctrl, hist['e'], hist['x']);
	free(v);
	free(text);
	return check_failures ? 1 : 0;
}
