/*
 * demo.c — a short tour of what a guest can do: read its arguments and
 * environment, find primes, draw the Mandelbrot set in ASCII, hash a
 * string with SHA-256, and do some floating point. Each part checks
 * itself against a known answer and says so. Runs in a few milliseconds
 * natively.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int failures;

static void verdict(int ok)
{
	printf("  %s\n", ok ? "[correct]" : "[WRONG]");
	failures += !ok;
}

static void greet(int argc, char **argv)
{
	const char *user = getenv("USER");
	printf("I am %s, started with %d argument%s", argv[0], argc - 1,
	       argc == 2 ? "" : "s");
	for (int i = 1; i < argc; i++)
		printf("%s \"%s\"", i == 1 ? ":" : ",", argv[i]);
	printf(".\n");
	printf("USER is %s.\n", user ? user : "not set (the monitor passes only --env variables)");
}

static void primes(void)
{
	enum { N = 10000 };
	static unsigned char composite[N + 1];
	int count = 0, last[8], nl = 0;

	for (int i = 2; i <= N; i++) {
		if (composite[i])
			continue;
		count++;
		last[nl++ % 8] = i;
		for (int j = i * i; j <= N; j += i)
			composite[j] = 1;
	}
	printf("\nPrimes below %d (sieve of Eratosthenes): %d of them, the last few:", N, count);
	for (int k = 0; k < 8; k++)
		printf(" %d", last[(nl + k) % 8]);
	printf("\n");
	verdict(count == 1229 && last[(nl + 7) % 8] == 9973);
}

static void mandelbrot(void)
{
	/* darker characters for points that take longer to escape */
	static const char shade[] = " .,:;=+*%#";
	printf("\nThe Mandelbrot set, 72 x 24 characters:\n");
	for (int y = 0; y < 24; y++) {
		putchar(' ');
		for (int x = 0; x < 72; x++) {
			double cr = -2.15 + 2.75 * x / 71, ci = -1.15 + 2.3 * y / 23;
			double zr = 0, zi = 0;
			int i = 0;
			while (i < 200 && zr * zr + zi * zi < 4) {
				double t = zr * zr - zi * zi + cr;
				zi = 2 * zr * zi + ci;
				zr = t;
				i++;
			}
			int level = i < 3 ? 0 : (int)(log2(i - 2) * 1.3);
			putchar(i >= 200 ? '@' : shade[level > 9 ? 9 : level]);
		}
		putchar('\n');
	}
}

/* SHA-256 (FIPS 180-4), one-shot, for short messages */
static void sha256(const char *msg, char hex[65])
{
	static const uint32_t k[64] = {
		0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
		0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
		0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
		0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
		0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
		0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
		0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
		0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
	};
	uint32_t h[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
			  0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };
	size_t len = strlen(msg), total = (len + 9 + 63) / 64 * 64;
	unsigned char *m = calloc(total, 1);

	memcpy(m, msg, len);
	m[len] = 0x80;
	for (int i = 0; i < 8; i++)
		m[total - 1 - i] = (unsigned char)((uint64_t)len * 8 >> (8 * i));
	for (size_t off = 0; off < total; off += 64) {
		uint32_t w[64], v[8];
		for (int i = 0; i < 16; i++)
			w[i] = (uint32_t)m[off + 4 * i] << 24 | (uint32_t)m[off + 4 * i + 1] << 16 |
			       (uint32_t)m[off + 4 * i + 2] << 8 | m[off + 4 * i + 3];
		for (int i = 16; i < 64; i++) {
			uint32_t a = w[i - 15], b = w[i - 2];
			w[i] = w[i - 16] + w[i - 7] +
			       ((a >> 7 | a << 25) ^ (a >> 18 | a << 14) ^ (a >> 3)) +
			       ((b >> 17 | b << 15) ^ (b >> 19 | b << 13) ^ (b >> 10));
		}
		memcpy(v, h, sizeof v);
		for (int i = 0; i < 64; i++) {
			uint32_t e = v[4], a = v[0];
			uint32_t t1 = v[7] + ((e >> 6 | e << 26) ^ (e >> 11 | e << 21) ^ (e >> 25 | e << 7)) +
				      ((e & v[5]) ^ (~e & v[6])) + k[i] + w[i];
			uint32_t t2 = ((a >> 2 | a << 30) ^ (a >> 13 | a << 19) ^ (a >> 22 | a << 10)) +
				      ((a & v[1]) ^ (a & v[2]) ^ (v[1] & v[2]));
			memmove(v + 1, v, 7 * sizeof v[0]);
			v[4] += t1;
			v[0] = t1 + t2;
		}
		for (int i = 0; i < 8; i++)
			h[i] += v[i];
	}
	free(m);
	for (int i = 0; i < 8; i++)
		sprintf(hex + 8 * i, "%08x", (unsigned)h[i]);
}

static void hashing(void)
{
	char hex[65];
	const char *msg = "The quick brown fox jumps over the lazy dog";
	sha256(msg, hex);
	printf("\nSHA-256(\"%s\") =\n  %s\n", msg, hex);
	verdict(strcmp(hex, "d7a8fbb307d7809469ca9abcb0082e4f8d5651e46d3cdb762d02d0bf37c9e592") == 0);
}

static void floating_point(void)
{
	double pi = 0;
	/* Nilakantha's series: 3 + 4/(2*3*4) - 4/(4*5*6) + ... */
	pi = 3;
	for (int n = 1; n <= 2000; n++) {
		double k = 2.0 * n;
		pi += (n % 2 ? 4.0 : -4.0) / (k * (k + 1) * (k + 2));
	}
	double e = 0, term = 1;
	for (int n = 0; n < 20; n++) {
		e += term;
		term /= n + 1;
	}
	printf("\nFloating point:\n");
	printf("  pi  ~ %.12f (Nilakantha series, 2000 terms; libm says %.12f)\n", pi, 4 * atan(1.0));
	printf("  e   ~ %.15f (sum of 1/n!; libm says %.15f)\n", e, exp(1.0));
	printf("  sqrt(2) = %.17g, sin(pi/6) = %.17g\n", sqrt(2.0), sin(M_PI / 6));
	verdict(fabs(pi - M_PI) < 1e-9 && fabs(e - M_E) < 1e-15 && fabs(sin(M_PI / 6) - 0.5) < 1e-15);
}

int main(int argc, char **argv)
{
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	greet(argc, argv);
	primes();
	mandelbrot();
	hashing();
	floating_point();
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("\n%s, in %.1f ms of guest time.\n",
	       failures ? "Something went WRONG" : "All answers correct",
	       (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6);
	return failures ? 1 : 0;
}
