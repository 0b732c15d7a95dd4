/*
 * sort.c — qsort and bsearch on integers, strings and structs (a stable
 * order is forced with a tie-breaking key, since qsort itself need not be
 * stable), checked for sortedness and for being a permutation of the input;
 * every key is then looked up with bsearch, and absent keys must miss.
 * guest-variants: glibc picolibc clang
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"

#define N 5000

static uint32_t seed = 12345;

static uint32_t lcg(void)
{
	/* Numerical Recipes' 32-bit LCG */
	seed = seed * 1664525u + 1013904223u;
	return seed;
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

struct rec {
	int key;
	int seq;
	double weight;
};

static int cmp_rec(const void *a, const void *b)
{
	const struct rec *x = a, *y = b;
	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return (x->seq > y->seq) - (x->seq < y->seq);
}

int main(void)
{
	static int v[N], orig[N];
	long long sum_before = 0, sum_after = 0;
	int sorted = 1;

	for (int i = 0; i < N; i++) {
		v[i] = (int)(lcg() % 20000) - 10000;
		orig[i] = v[i];
		sum_before += v[i];
	}
	qsort(v, N, sizeof v[0], cmp_int);
	for (int i = 0; i < N; i++) {
		sum_after += v[i];
		if (i && v[i - 1] > v[i])
			sorted = 0;
	}
	check("ints sorted", sorted);
	check("ints are a permutation (sum)", sum_before == sum_after);
	printf("min %d max %d median %d\n", v[0], v[N - 1], v[N / 2]);

	int found = 0, misses_ok = 1;
	for (int i = 0; i < N; i++)
		found += bsearch(&orig[i], v, N, sizeof v[0], cmp_int) != NULL;
	for (int k = -10000; k < 10000; k += 7) {
		int present = 0;
		for (int i = 0; i < N && !present; i++)
			present = v[i] == k;
		if (!present && bsearch(&k, v, N, sizeof v[0], cmp_int))
			misses_ok = 0;
	}
	check("bsearch finds every key", found == N);
	check("bsearch misses absent keys", misses_ok);

	/* strings */
	static char words[600][12];
	static char *pw[600];
	for (int i = 0; i < 600; i++) {
		int len = 1 + (int)(lcg() % 10);
		for (int j = 0; j < len; j++)
			words[i][j] = (char)('a' + lcg() % 6);
		words[i][len] = 0;
		pw[i] = words[i];
	}
	qsort(pw, 600, sizeof pw[0], cmp_str);
	sorted = 1;
	for (int i = 1; i < 600; i++)
		if (strcmp(pw[i - 1], pw[i]) > 0)
			sorted = 0;
	check("strings sorted", sorted);
	printf("first %s last %s\n", pw[0], pw[599]);
	for (int i = 0; i < 600; i += 50)
		printf("%s%c", pw[i], i + 50 < 600 ? ' ' : '\n');
	char *key = pw[321];
	char **hit = bsearch(&key, pw, 600, sizeof pw[0], cmp_str);
	check("bsearch string", hit && strcmp(*hit, pw[321]) == 0);

	/* structs, many equal keys */
	static struct rec r[2000];
	for (int i = 0; i < 2000; i++) {
		r[i].key = (int)(lcg() % 50);
		r[i].seq = i;
		r[i].weight = (double)i / 7.0;
	}
	qsort(r, 2000, sizeof r[0], cmp_rec);
	uint64_t h = 1469598103934665603ull;
	for (int i = 0; i < 2000; i++)
		h = (h ^ (uint64_t)(r[i].key * 4096 + r[i].seq)) * 1099511628211ull;
	printf("struct order hash %016llx, r[1000] = {%d, %d, %.4f}\n",
	       (unsigned long long)h, r[1000].key, r[1000].seq, r[1000].weight);
	sorted = 1;
	for (int i = 1; i < 2000; i++)
		if (cmp_rec(&r[i - 1], &r[i]) >= 0)
			sorted = 0;
	check("structs strictly ordered", sorted);
	return check_failures ? 1 : 0;
}
