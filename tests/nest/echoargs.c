/*
 * echoargs.c — prints argc, every argv[i] byte for byte (argv[0]
 * included), then the environment in the order it was given. Each monitor
 * level rebuilds the next level's command line, so arguments that look
 * like monitor options, empty strings, spaces and UTF-8 must come out
 * exactly as they went in. The environment is printed sorted: Linux keeps
 * the order given, but qemu-riscv64, the oracle, reverses it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern char **environ;

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
	printf("argc %d\n", argc);
	for (int i = 0; i < argc; i++)
		printf("argv[%d] [%s]\n", i, argv[i]);
	size_t n = 0;
	while (environ[n])
		n++;
	char **sorted = malloc((n + 1) * sizeof *sorted);
	if (!sorted)
		return 1;
	memcpy(sorted, environ, n * sizeof *sorted);
	qsort(sorted, n, sizeof *sorted, cmp);
	for (size_t i = 0; i < n; i++)
		printf("env [%s]\n", sorted[i]);
	printf("%zu environment strings\n", n);
	free(sorted);
	return 0;
}
